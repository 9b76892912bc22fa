package neo4jstore_test

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// pairingMap is the 2010 pairing map as ../shared/sources/sourced-facts.md
// gives it (section 1, "Pairings"): the 19 aiding provinces and
// municipalities and their recipients. The seeds must say exactly this.
var pairingMap = map[string][]string{
	"province:beijing":      {"city:hotan", "county:hotan-county", "county:lop", "county:moyu", "prefecture:hotan", "xpcc_division:14th"},
	"province:tianjin":      {"county:cele", "county:minfeng", "county:yutian", "prefecture:hotan"},
	"province:anhui":        {"county:pishan", "prefecture:hotan"},
	"province:shanghai":     {"county:bachu", "county:shache", "county:yecheng", "county:zepu"},
	"province:guangdong":    {"city:tumxuk", "county:jiashi", "county:shufu"},
	"city:shenzhen":         {"city:kashgar", "county:tashkurgan"},
	"province:shandong":     {"county:maralbexi", "county:shule", "county:yengisar", "county:yopurga"},
	"province:zhejiang":     {"prefecture:aksu", "xpcc_division:1st"},
	"province:jiangsu":      {"city:artux", "county:akqi", "county:ulugqat", "prefecture:ili", "xpcc_division:4th", "xpcc_division:7th"},
	"province:jiangxi":      {"county:akto"},
	"province:liaoning":     {"prefecture:tacheng", "xpcc_division:8th", "xpcc_division:9th"},
	"province:jilin":        {"city:altay", "county:burqin", "county:habahe", "county:jeminay"},
	"province:heilongjiang": {"county:fuhai", "county:fuyun", "county:qinggil", "xpcc_division:10th"},
	"province:henan":        {"prefecture:hami", "xpcc_division:13th"},
	"province:hebei":        {"prefecture:bayingolin", "xpcc_division:2nd"},
	"province:hubei":        {"prefecture:bortala", "xpcc_division:5th"},
	"province:hunan":        {"prefecture:turpan"},
	"province:fujian":       {"prefecture:changji"},
	"province:shanxi":       {"city:fukang", "xpcc_division:6th", "xpcc_regiment:12th-div-222nd-regiment"},
}

func TestSeedDataset(t *testing.T) {
	s := neo4jtest.MustStore(t)
	p, probs := ingest.Check([]string{"../../seeds"})
	if len(probs) > 0 {
		t.Fatalf("seeds do not validate:\n%v", probs)
	}
	first := mustLoad(t, s, "../../seeds")
	second := mustLoad(t, s, "../../seeds")
	if total(second.Created)+total(second.Updated) != 0 || total(second.Unchanged) != total(first.Created) {
		t.Errorf("second load of the seeds changed something: created %v updated %v", second.Created, second.Updated)
	}

	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d := p.Dataset
	if st.Entities != len(d.Entities) || st.Relations != len(d.Relations) || st.Sources != len(d.Sources) {
		t.Errorf("stored %d/%d/%d entities/relations/sources, files have %d/%d/%d",
			st.Entities, st.Relations, st.Sources, len(d.Entities), len(d.Relations), len(d.Sources))
	}

	// Every claim in the database has a citation, and every source it names exists.
	for what, q := range map[string]string{
		"entities without citations":  "MATCH (n:Entity) WHERE coalesce(size(n.sourceIds), 0) = 0 RETURN count(n) AS n",
		"relations without citations": "MATCH ()-[r]->() WHERE coalesce(size(r.sourceIds), 0) = 0 RETURN count(r) AS n",
		"entity citations of unknown sources": `MATCH (n:Entity) UNWIND n.sourceIds AS id
			OPTIONAL MATCH (s:Source {id: id}) WITH s WHERE s IS NULL RETURN count(*) AS n`,
		"relation citations of unknown sources": `MATCH ()-[r]->() UNWIND r.sourceIds AS id
			OPTIONAL MATCH (s:Source {id: id}) WITH s WHERE s IS NULL RETURN count(*) AS n`,
		"synthetic claims in the seeds": "MATCH (n:Entity) WHERE n.synthetic RETURN count(n) AS n",
	} {
		if n := neo4jtest.MustCount(t, q, nil); n != 0 {
			t.Errorf("%d %s", n, what)
		}
	}

	// Who is paired with Aksu, since when, on which sources.
	rels, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{"prefecture:aksu"}, Direction: domain.Incoming, Types: []string{"PAIRED_WITH"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || rels[0].From != "province:zhejiang" || rels[0].ValidFrom.String() != "2010" {
		t.Fatalf("Aksu's pairing: %+v", rels)
	}
	cited := map[string]bool{}
	for _, c := range rels[0].Citations {
		cited[c.SourceID] = true
	}
	if !cited["src:p1-xzqh"] || !cited["src:p2-newdominion"] {
		t.Errorf("Aksu's pairing cites %v; want the two pairing lists of sourced-facts.md", cited)
	}

	// The 19 aiding parties and their recipients, as the sourced facts give them.
	got := map[string][]string{}
	for from := range pairingMap {
		rels, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{from}, Direction: domain.Outgoing, Types: []string{"PAIRED_WITH"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			got[from] = append(got[from], r.To)
		}
		sort.Strings(got[from])
	}
	if diff := cmp.Diff(pairingMap, got); diff != "" {
		t.Errorf("pairing map (-sourced facts +seeds):\n%s", diff)
	}
	if len(pairingMap) != 19 {
		t.Errorf("%d aiding parties in the expected map, want 19", len(pairingMap))
	}
}
