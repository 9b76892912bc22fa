package neo4jstore_test

import (
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// pairingMap is the 2010 pairing map at prefecture and division level, as
// the pairing lists read give it: the 19 aiding provinces and
// municipalities and their recipients. Each must be paired, from 2010 on,
// with (at least) these.
var pairingMap = map[string][]string{
	"province:beijing":      {"city:hotan", "county:hotan-county", "county:lop", "county:moyu", "xpcc_division:14th"},
	"province:tianjin":      {"county:cele", "county:minfeng", "county:yutian"},
	"province:anhui":        {"county:pishan"},
	"province:shanghai":     {"county:bachu", "county:shache", "county:yecheng", "county:zepu"},
	"province:guangdong":    {"county:jiashi", "county:shufu", "xpcc_division:3rd"},
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
	"province:fujian":       {"city:changji", "county:hutubi", "county:qitai", "county:jimusaer", "county:mulei"},
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

	// Who is paired with Aksu since 2010, and who was before.
	rels, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{"prefecture:aksu"}, Direction: domain.Incoming, Types: []string{"PAIRED_WITH"}})
	if err != nil {
		t.Fatal(err)
	}
	since := map[string]string{}
	for _, r := range rels {
		since[r.From] = r.ValidFrom.String() + ".." + r.ValidTo.String()
	}
	if since["province:zhejiang"] != "2010.." || since["province:henan"] != "..2010" {
		t.Errorf("Aksu's pairings: %v; want Zhejiang from 2010 and Henan until 2010", since)
	}

	// The aiding parties and their recipients from 2010.
	for from, want := range pairingMap {
		rels, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{from}, Direction: domain.Outgoing, Types: []string{"PAIRED_WITH"},
			Time: domain.Time{AsOf: domain.PartialDate{Year: 2011}, IncludeNotKnown: true}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range rels {
			got[r.To] = true
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("%s is not paired with %s from 2010 (has %v)", from, w, got)
			}
		}
	}
}

// The figures issue 10 asks of the loaded graph, and the sourcing rules on
// the stored claims.
func TestSeedFigures(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "../../seeds")
	for _, tc := range []struct {
		what  string
		query string
		min   int
	}{
		{"named factories", "MATCH (n:Factory) WHERE NOT n.name STARTS WITH 'unnamed' RETURN count(n) AS n", 45},
		{"transfers", "MATCH ()-[r:TRANSFERS_WORKERS_TO]->() RETURN count(r) AS n", 40},
		{"supply links", "MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n", 25},
		{"named organisers of transfers", `MATCH (o)-[r:TRANSFERS_WORKERS_TO {role: 'organiser'}]->()
			WHERE NOT o.id IN ['bureau:hrss-bureaus', 'labour_dispatch_firm:labour-dispatch-companies'] RETURN count(DISTINCT o) AS n`, 10},
		{"paired counties and county-level cities", `MATCH (:Entity)-[:PAIRED_WITH]->(c:Entity) WHERE c.kind = 'county'
			OR (c.kind = 'city' AND EXISTS { (c)-[:PART_OF]->(:Prefecture) }) RETURN count(DISTINCT c) AS n`, 80},
	} {
		if n := neo4jtest.MustCount(t, tc.query, nil); n < tc.min {
			t.Errorf("%d %s, want at least %d", n, tc.what, tc.min)
		}
	}
	for _, tc := range []struct{ what, query string }{
		{"confirmed relations resting on grade-C sources alone", `MATCH ()-[r {confidence: 'confirmed'}]->()
			WHERE NOT EXISTS { MATCH (s:Source) WHERE s.id IN r.sourceIds AND s.grade IN ['A', 'B'] } RETURN count(r) AS n`},
		{"inferred relations that are confirmed", "MATCH ()-[r {inferred: true}]->() WHERE r.confidence = 'confirmed' RETURN count(r) AS n"},
		{"sources without an address", "MATCH (s:Source) WHERE s.url IS NULL AND s.document IS NULL RETURN count(s) AS n"},
		// Stored citations are JSON lists of {source, quote, ...}: as many quotes as sources.
		{"entities with a citation without a quote", `MATCH (n:Entity) WHERE size(split(n.citations, '"source":')) <> size(split(n.citations, '"quote":')) RETURN count(n) AS n`},
		{"relations with a citation without a quote", `MATCH ()-[r]->() WHERE size(split(r.citations, '"source":')) <> size(split(r.citations, '"quote":')) RETURN count(r) AS n`},
	} {
		if n := neo4jtest.MustCount(t, tc.query, nil); n != 0 {
			t.Errorf("%d %s", n, tc.what)
		}
	}
	// A chain up from at least 15 named factories reaches the CCP Central
	// Committee, every hop cited.
	recs := neo4jtest.MustRun(t, "MATCH (n:Factory) RETURN n.id AS id ORDER BY id", nil)
	reach := 0
	for _, r := range recs {
		id, _ := r.Get("id")
		res, err := s.Chains(t.Context(), domain.ChainQuery{ID: id.(string), Up: true, MaxDepth: 12, First: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Chains {
			if c.End != "party_body:ccp-central-committee" {
				continue
			}
			for _, h := range c.Hops {
				if len(h.Relation.Citations) == 0 {
					t.Errorf("%s: hop %s has no citation", id, h.Relation.ID)
				}
			}
			reach++
			break
		}
	}
	if reach < 15 {
		t.Errorf("chains up from %d factories reach the CCP Central Committee, want at least 15", reach)
	}
}

// The checks of issue 11 on the seed dataset.
func TestSeedTraversal(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "../../seeds")
	ctx := t.Context()

	// As of 1995, a trace up from Aksu holds only relations known to be in
	// force in 1995; asked for, the others come marked.
	for _, include := range []bool{false, true} {
		res, err := s.Chains(ctx, domain.ChainQuery{ID: "prefecture:aksu", Up: true, MaxDepth: 8, First: 200,
			Time: domain.Time{AsOf: domain.PartialDate{Year: 1995}, IncludeNotKnown: include}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Chains {
			for _, h := range c.Hops {
				known := h.Relation.InForceOn(domain.PartialDate{Year: 1995}) == domain.KnownInForce
				switch {
				case !include && (!known || h.InForce != domain.KnownInForce):
					t.Errorf("as of 1995: %s (%s) is shown but not known to be in force", h.Relation.ID, h.InForce)
				case include && !known && h.InForce != domain.NotKnown:
					t.Errorf("as of 1995 with not-known relations: %s is not marked NOT_KNOWN (%s)", h.Relation.ID, h.InForce)
				}
			}
		}
	}

	// Zhejiang's chains down reach Aksu's counties and not Hotan's.
	counties := func(pref string) map[string]bool {
		out := map[string]bool{}
		for _, r := range neo4jtest.MustRun(t, "MATCH (c:Entity)-[:PART_OF]->(:Entity {id: $p}) WHERE c.kind IN ['county', 'city'] RETURN c.id AS id", map[string]any{"p": pref}) {
			id, _ := r.Get("id")
			out[id.(string)] = true
		}
		return out
	}
	aksu, hotan := counties("prefecture:aksu"), counties("prefecture:hotan")
	res, err := s.Chains(ctx, domain.ChainQuery{ID: "province:zhejiang", Up: false, MaxDepth: 4, First: 200})
	if err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	for _, c := range res.Chains {
		for _, h := range c.Hops {
			reached[h.Lower] = true
		}
	}
	n := 0
	for id := range aksu {
		if reached[id] {
			n++
		}
	}
	if len(aksu) < 9 || n != len(aksu) {
		t.Errorf("Zhejiang's chains down reach %d of Aksu's %d counties and cities", n, len(aksu))
	}
	for id := range hotan {
		if reached[id] {
			t.Errorf("Zhejiang's chains down reach %s, a county of Hotan", id)
		}
	}

	// Search finds every spelling, the right entity first.
	for text, want := range map[string]string{
		"Akesu": "prefecture:aksu", "Hetian": "prefecture:hotan", "Kashi": "prefecture:kashgar",
		"罗干": "person:luo-gan", "乌鲁木齐": "city:urumchi", "labor dispatch": "labour_dispatch_firm:labour-dispatch-companies",
		"喀什地区": "prefecture:kashgar", "Tulufan": "prefecture:turpan",
	} {
		hits, err := s.Search(ctx, domain.SearchQuery{Text: text, First: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Entity.ID != want {
			var got []string
			for _, h := range hits {
				got = append(got, h.Entity.ID)
			}
			t.Errorf("search %q: %v, want %s first", text, got, want)
		}
	}

	// A named factory's chain up reaches the Central Committee, its weakest hop shown.
	res, err = s.Chains(ctx, domain.ChainQuery{ID: "factory:hetian-taida-apparel", Up: true, MaxDepth: 12, First: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Chains) == 0 || !res.Chains[0].Complete || res.Chains[0].End != "party_body:ccp-central-committee" {
		t.Errorf("Hetian Taida's first chain up: %+v", res.Chains)
	} else if w := res.Chains[0].WeakestHop; res.Chains[0].Hops[w].Relation.Strength() != res.Chains[0].Strength {
		t.Errorf("weakest hop %d is not of the chain's strength", w)
	}

	// Taekwang's workers are named by prefecture only (Hotan, Kashgar), which
	// several provinces share: no chain up from it runs through a pairing.
	res, err = s.Chains(ctx, domain.ChainQuery{ID: "factory:qingdao-taekwang-shoes", Up: true, MaxDepth: 12, First: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Chains {
		for _, h := range c.Hops {
			if h.Relation.Type == "PAIRED_WITH" {
				t.Errorf("Taekwang's chain up runs through %s", h.Relation.ID)
			}
		}
	}

	// Exposure from Nike returns the Taekwang link with its 2020 ending: a
	// labour transfer to its supplier (no aiding party answers for the
	// workers' prefectures, see above).
	exp, err := s.Exposure(ctx, domain.ExposureQuery{ID: "buyer:nike", First: 200})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range exp.Links {
		if l.Steps[0].End != "factory:qingdao-taekwang-shoes" || !l.Contested {
			continue
		}
		if l.Reason != domain.ExposureLabourTransfer {
			t.Errorf("Nike's link through Taekwang: %s, want %s", l.Reason, domain.ExposureLabourTransfer)
		}
		for _, st := range l.Steps {
			ccs, err := s.CounterClaims(ctx, []string{st.Relation.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, cc := range ccs[st.Relation.ID] {
				found = found || (cc.Kind == "termination" && cc.Date.Year == 2020)
			}
		}
	}
	if !found {
		t.Errorf("exposure from Nike lacks the Taekwang link with its 2020 ending: %d links", len(exp.Links))
	}

	// Exposure from Badger Sport reaches an aiding party through Hetian
	// Taida, with the termination of 2019 on the way.
	exp, err = s.Exposure(ctx, domain.ExposureQuery{ID: "buyer:badger-sport", First: 200})
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, l := range exp.Links {
		if l.Reason != domain.ExposureAidingParty || !l.Contested {
			continue
		}
		for _, st := range l.Steps {
			ccs, err := s.CounterClaims(ctx, []string{st.Relation.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, cc := range ccs[st.Relation.ID] {
				found = found || (cc.Kind == "termination" && cc.Date.Year == 2019)
			}
		}
	}
	if !found {
		t.Errorf("exposure from Badger Sport lacks the link to an aiding party with its 2019 termination: %d links", len(exp.Links))
	}
}
