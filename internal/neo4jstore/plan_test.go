package neo4jstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// project keeps the keys a projection fetches, as Neo4j returns a map
// projection (absent properties are null).
func project(props map[string]any, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = props[k]
	}
	return out
}

// TestProjectionsCoverDecoders: the planned statements fetch only the
// properties in entityKeys and its kin; decoding those must give what
// decoding every stored property gives, for items with every field set.
func TestProjectionsCoverDecoders(t *testing.T) {
	retracted := func(p map[string]any) map[string]any {
		p["retractedAt"], p["retractedBy"], p["retractedReason"] = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339Nano), "editor", "wrong"
		return p
	}
	cites := []domain.Citation{{SourceID: "src:a", Quote: "q", Locator: "p. 1", Attests: domain.PartialDate{Year: 2019}}, {SourceID: "src:b", Quote: "r"}}
	qs := []domain.Quantity{{Name: "n", Value: 1.5, Unit: "bn yuan", Source: "src:a"}}
	e := domain.Entity{ID: "county:x", Kind: "county", Name: "X", NameZh: "某县", Aliases: []string{"Ex", "Iks"}, Description: "d",
		ValidFrom: domain.PartialDate{Year: 2010, Month: 3}, ValidTo: domain.PartialDate{Year: 2020}, Quantities: qs, Citations: cites, Synthetic: true}
	full := stored(retracted(entityProps(&e)))
	a, err1 := decodeEntity(full)
	b, err2 := decodeEntity(project(full, keysOf(entityFieldKeys, domain.AllFields)))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if a.Retraction == nil || len(a.Aliases) != 2 || len(a.Quantities) != 1 {
		t.Fatalf("the full entity is not full: %+v", a)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("entity from its projection (-all properties +projected):\n%s", diff)
	}

	r := domain.Relation{ID: "rel:x", Type: "PAIRED_WITH", From: "province:a", To: "county:x", ValidFrom: domain.PartialDate{Year: 2010},
		ValidTo: domain.PartialDate{Year: 2014, Month: 6}, Confidence: "disputed", Inferred: true, Role: "r", Quantities: qs,
		Attributes: map[string]string{"k": "v"}, Note: "n", Citations: cites, Synthetic: true}
	rp := stored(retracted(relationProps(&r, "B")))
	rp["contested"] = true
	ra, err1 := decodeRelation(r.Type, r.From, r.To, rp)
	rb, err2 := decodeRelation(r.Type, r.From, r.To, project(rp, keysOf(relationFieldKeys, domain.AllFields)))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !ra.Contested || ra.BestGrade != "B" || len(ra.Attributes) != 1 || ra.Retraction == nil {
		t.Fatalf("the full relation is not full: %+v", ra)
	}
	if diff := cmp.Diff(ra, rb); diff != "" {
		t.Errorf("relation from its projection (-all properties +projected):\n%s", diff)
	}

	s := domain.Source{ID: "src:a", Title: "T", Publisher: "P", MirrorOf: "M", URL: "https://x.invalid", Document: "D 1",
		Published: domain.PartialDate{Year: 2019, Month: 1, Day: 2}, Type: "press", Grade: "C", Note: "n"}
	sp := stored(sourceProps(&s))
	sa, err1 := decodeSource(sp)
	sb, err2 := decodeSource(project(sp, sourceKeys))
	if err1 != nil || err2 != nil || sa.Document == "" {
		t.Fatal(err1, err2, sa)
	}
	if diff := cmp.Diff(sa, sb); diff != "" {
		t.Errorf("source from its projection:\n%s", diff)
	}

	cc := domain.CounterClaim{ID: "cc:x", Contests: "rel:x", Kind: "denial", By: "buyer:b", Date: domain.PartialDate{Year: 2021}, Statement: "s", Citations: cites}
	cp := stored(counterClaimProps(&cc))
	ca, err1 := decodeCounterClaim(cp)
	cb, err2 := decodeCounterClaim(project(cp, counterClaimKeys))
	if err1 != nil || err2 != nil || ca.By == "" {
		t.Fatal(err1, err2, ca)
	}
	if diff := cmp.Diff(ca, cb); diff != "" {
		t.Errorf("counter-claim from its projection:\n%s", diff)
	}
}

// TestPlannedStatementsTakeInputAsParameters: whatever a client sends
// (ids, cursors, dates, search text) reaches a planned statement only as
// a parameter; relation types only as registry names.
func TestPlannedStatementsTakeInputAsParameters(t *testing.T) {
	const mark = "zz') DETACH DELETE n //"
	day := domain.PartialDate{Year: 1999, Month: 12, Day: 31}
	args, err := domain.NewRelationsArgs(domain.Incoming, []string{"PART_OF", "PAIRED_WITH", "PART_OF"}, day, 7, mark)
	if err != nil {
		t.Fatal(err)
	}
	ep := &domain.EntityPlan{History: []int{3}, CounterClaims: &domain.CounterClaimPlan{By: &domain.EntityPlan{}, Sources: &domain.SourcePlan{}}}
	ep.AddRelations(args, &domain.RelationPlan{From: &domain.EntityPlan{}, Sources: &domain.SourcePlan{Claims: []domain.ClaimsPlan{
		{Args: domain.ClaimsArgs{First: 2, After: mark}, Entity: &domain.EntityPlan{}, Relation: &domain.RelationPlan{}}}}})
	want := domain.ResultPlan{Root: ep, Entities: ep, Relations: &domain.RelationPlan{To: ep}}
	sts := []Statement{
		EntityReadStatement(mark, ep),
		RelationReadStatement(mark, ep.Relations[0].Each),
		SourceReadStatement(mark, &domain.SourcePlan{Claims: []domain.ClaimsPlan{{Args: domain.ClaimsArgs{First: 1, After: mark}, Entity: ep, Relation: &domain.RelationPlan{}}}}),
		CounterClaimReadStatement(mark, ep.CounterClaims),
		EntitiesReadStatement(domain.EntityFilter{Text: mark, AsOf: day}, 5, mark, ep),
		SourcesReadStatement("A", 5, mark, &domain.SourcePlan{History: []int{2}}),
		SearchReadStatement(domain.SearchQuery{Text: mark, First: 3}, LuceneQuery(mark), ep),
		ChainsReadStatement(domain.ChainQuery{ID: mark, Up: true, MaxDepth: 4, First: 5, Time: domain.Time{AsOf: day}}, want),
		ChainsReadStatement(domain.ChainQuery{ID: mark, MaxDepth: 4, First: 5}, want),
		ExposureReadStatement(domain.ExposureQuery{ID: mark, First: 5}, want),
		PathsReadStatement(domain.PathQuery{From: mark, To: mark + "2", Mode: domain.PathShortest, MaxLength: 3, First: 2, ResponsibilityOnly: true}, want),
		NeighborhoodReadStatement(domain.SubgraphQuery{IDs: []string{mark}, Depth: 1, Types: []string{"PART_OF"}, Limit: 10}, want),
	}
	for _, st := range sts {
		if strings.Contains(st.Cypher, "zz") || strings.Contains(st.Cypher, "1999") {
			t.Errorf("%s: user input in the statement text:\n%s", st.Name, st.Cypher)
		}
		found := false
		for _, v := range st.Params {
			if s, ok := v.(string); ok && strings.Contains(s, "zz") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the input is not among the parameters", st.Name)
		}
	}
	// The relations page names its types once each, from the registry.
	if !strings.Contains(sts[0].Cypher, "[r_1:PAIRED_WITH|PART_OF]") && !strings.Contains(sts[0].Cypher, ":PAIRED_WITH|PART_OF]") {
		t.Errorf("types not as registry labels:\n%s", sts[0].Cypher)
	}
	defer func() {
		if recover() == nil {
			t.Error("a type outside the registry reached a statement")
		}
	}()
	bad := &domain.EntityPlan{Relations: []domain.RelationsPlan{{Args: domain.RelationsArgs{Types: "PART_OF]-() DETACH DELETE n //", First: 1}, Each: &domain.RelationPlan{}}}}
	EntityReadStatement("county:x", bad)
}

// TestStoredKnownPeriodStandsInForTheCitations: a read that fetches the
// known period as stored instead of the citations (FieldKnownPeriod)
// gives the relation the known period and in-force status the citations
// give, over relations dated every way (stated start or end or neither,
// citations attesting dates or not); and writing the relation back stores
// the same period.
func TestStoredKnownPeriodStandsInForTheCitations(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	date := func() domain.PartialDate {
		switch rng.IntN(4) {
		case 0:
			return domain.PartialDate{}
		case 1:
			return domain.PartialDate{Year: 2008 + rng.IntN(15)}
		case 2:
			return domain.PartialDate{Year: 2008 + rng.IntN(15), Month: 1 + rng.IntN(12)}
		}
		return domain.PartialDate{Year: 2008 + rng.IntN(15), Month: 1 + rng.IntN(12), Day: 1 + rng.IntN(28)}
	}
	dated := 0
	for i := range 5000 {
		r := domain.Relation{ID: fmt.Sprintf("rel:%d", i), Type: "MANAGES", From: "a", To: "b", ValidFrom: date(), ValidTo: date(), Confidence: "reported"}
		if !r.ValidTo.IsZero() && !r.ValidFrom.IsZero() && r.ValidTo.End() < r.ValidFrom.Start() {
			r.ValidFrom, r.ValidTo = r.ValidTo, r.ValidFrom
		}
		for range rng.IntN(4) {
			r.Citations = append(r.Citations, domain.Citation{SourceID: "src:a", Quote: "q", Attests: date()})
		}
		full := stored(relationProps(&r, "B"))
		for _, f := range []domain.Fields{domain.KnownPeriodFields, domain.WeighFields, domain.WeighFields | domain.FieldCitations} {
			got, err := decodeRelation(r.Type, r.From, r.To, project(full, keysOf(relationFieldKeys, f)))
			if err != nil {
				t.Fatal(err)
			}
			wf, wt := r.KnownPeriod()
			if gf, gt := got.KnownPeriod(); gf != wf || gt != wt {
				t.Fatalf("%+v read with fields %b: known %v..%v, want %v..%v", r, f, gf, gt, wf, wt)
			}
			if got.Known != nil {
				dated++
			}
			for _, on := range []domain.PartialDate{{Year: 2012}, {Year: 2016, Month: 5}, {Year: 2020, Month: 2, Day: 3}} {
				if g, w := got.InForceOn(on), r.InForceOn(on); g != w {
					t.Fatalf("%+v read with fields %b: in force on %v %s, want %s", r, f, on, g, w)
				}
			}
		}
		// A write works the period out afresh, whatever a read brought.
		w := r
		w.Known = &domain.Period{From: domain.PartialDate{Year: 1999}, To: domain.PartialDate{Year: 1999}}
		if again := relationProps(&w, "B"); again["knownFrom"] != full["knownFrom"] || again["knownTo"] != full["knownTo"] {
			t.Fatalf("%+v written with a stale period: known %v..%v, want %v..%v", r, again["knownFrom"], again["knownTo"], full["knownFrom"], full["knownTo"])
		}
	}
	if dated < 5000 {
		t.Fatalf("the stored period stood in %d times: the test does not reach it", dated)
	}
}
