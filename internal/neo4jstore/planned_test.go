package neo4jstore_test

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isNotFound(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.ENOTFOUND
}

// TestPlannedReads reads the fixture with plans that nest everything a plan
// can and checks what each fetched: one statement each, the answer and the
// nested pages keyed as the API asks for them.
func TestPlannedReads(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	ctx := t.Context()
	statements := 0
	s.AddQueryObserver(func(string, time.Duration, error) { statements++ })
	one := func(t *testing.T) {
		t.Helper()
		if statements != 1 {
			t.Errorf("%d statements, want 1", statements)
		}
		statements = 0
	}

	in, err := domain.NewRelationsArgs(domain.Incoming, []string{"PART_OF", "PAIRED_WITH"}, domain.PartialDate{}, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	ends := &domain.EntityPlan{Sources: &domain.SourcePlan{Claims: []domain.ClaimsPlan{{Args: domain.ClaimsArgs{First: 2},
		Entity: &domain.EntityPlan{}, Relation: &domain.RelationPlan{To: &domain.EntityPlan{}}}}}}
	want := &domain.EntityPlan{Fields: domain.FieldName, History: []int{5}, CounterClaims: &domain.CounterClaimPlan{By: &domain.EntityPlan{}}}
	want.AddRelations(in, &domain.RelationPlan{From: ends, Sources: &domain.SourcePlan{}, CounterClaims: &domain.CounterClaimPlan{}, History: []int{2}})

	t.Run("entity", func(t *testing.T) {
		e, got, err := s.ReadEntity(ctx, "prefecture:testpref", want)
		one(t)
		if err != nil || e.Name != "Testpref" {
			t.Fatalf("%v %+v", err, e)
		}
		if e.NameZh != "" || e.Citations != nil {
			t.Errorf("fields the plan does not want were read: %+v", e)
		}
		page, ok := got.Relations[domain.RelationsKey{Entity: e.ID, RelationsArgs: in}]
		if !ok || len(page.Relations) != 1 || page.Relations[0].ID != "rel:t3" || !page.HasNext {
			t.Fatalf("first page of relations in: %+v (found %v)", page, ok)
		}
		if got.Entities["province:testprov"] == nil {
			t.Errorf("the page's from-end was not fetched: %v", keys(got.Entities))
		}
		if src := got.Sources["src:fixture"]; src == nil || src.Title != "Synthetic fixture" {
			t.Errorf("cited source: %+v", src)
		}
		claims := got.Claims[domain.ClaimsKey{Source: "src:fixture", ClaimsArgs: domain.ClaimsArgs{First: 2}}]
		if len(claims.Claims) != 2 || !claims.HasNext || claims.Claims[0].Entity == nil || claims.Claims[0].Entity.ID != "county:testcounty" {
			t.Errorf("claims of the source: %+v", claims)
		}
		if ccs, ok := got.CounterClaims["rel:t3"]; !ok || len(ccs) != 0 {
			t.Errorf("counter-claims of the relation: %v %v (asked, none)", ccs, ok)
		}
		if _, ok := got.CounterClaims[e.ID]; !ok {
			t.Error("the entity's counter-claims were not recorded as asked")
		}
		for _, k := range []domain.HistoryKey{{ID: e.ID, First: 5}, {ID: "rel:t3", First: 2}} {
			if h, ok := got.History[k]; !ok || len(h) != 0 {
				t.Errorf("history %v: %v %v (asked, none)", k, h, ok)
			}
		}
	})

	t.Run("relation, source, counter-claim", func(t *testing.T) {
		r, got, err := s.ReadRelation(ctx, "rel:t3", &domain.RelationPlan{Fields: domain.FieldQuantities, From: want, To: &domain.EntityPlan{}})
		one(t)
		if err != nil || r.Type != "PAIRED_WITH" || r.Quantities[0].Value != 1.5 || got.Entities["prefecture:testpref"] == nil {
			t.Fatalf("%v %+v %v", err, r, keys(got.Entities))
		}
		if _, ok := got.Relations[domain.RelationsKey{Entity: "province:testprov", RelationsArgs: in}]; !ok {
			t.Error("the from-end's relations were not fetched")
		}
		src, got, err := s.ReadSource(ctx, "src:fixture", &domain.SourcePlan{Claims: []domain.ClaimsPlan{{Args: domain.ClaimsArgs{First: 10, After: "province:testprov"},
			Entity: &domain.EntityPlan{}, Relation: &domain.RelationPlan{From: &domain.EntityPlan{}}}}})
		one(t)
		page := got.Claims[domain.ClaimsKey{Source: "src:fixture", ClaimsArgs: domain.ClaimsArgs{First: 10, After: "province:testprov"}}]
		var ids []string
		for _, c := range page.Claims {
			ids = append(ids, c.ID())
		}
		if err != nil || src.Grade != "B" || !slices.Equal(ids, []string{"rel:t1", "rel:t2", "rel:t3", "rel:t4"}) || page.HasNext {
			t.Errorf("%v %+v: claims after province:testprov %v", err, src, ids)
		}
		if got.Entities["party_body:test-centre"] == nil {
			t.Error("the claimed relations' from-ends were not fetched")
		}
		for _, read := range []func() error{
			func() error { _, _, err := s.ReadEntity(ctx, "county:none", want); return err },
			func() error { _, _, err := s.ReadRelation(ctx, "rel:none", nil); return err },
			func() error { _, _, err := s.ReadSource(ctx, "src:none", nil); return err },
			func() error {
				_, _, err := s.ReadCounterClaim(ctx, "cc:none", &domain.CounterClaimPlan{By: want})
				return err
			},
		} {
			if err := read(); !isNotFound(err) {
				t.Errorf("missing item: %v, want NOT_FOUND", err)
			}
			one(t)
		}
	})

	t.Run("traversals fetch each entity and relation once", func(t *testing.T) {
		res, got, err := s.ReadChains(ctx, domain.ChainQuery{ID: "prefecture:testpref", Up: true, MaxDepth: 8, First: 10},
			domain.ResultPlan{Root: &domain.EntityPlan{History: []int{1}}, Entities: &domain.EntityPlan{}, Relations: &domain.RelationPlan{Sources: &domain.SourcePlan{}}})
		one(t)
		if err != nil || len(res.Chains) != 1 || len(res.Chains[0].Hops) != 3 || !res.Chains[0].Complete {
			t.Fatalf("%v %+v", err, res)
		}
		if k := keys(got.Entities); !slices.Equal(k, []string{"leading_group:test-group", "party_body:test-centre", "prefecture:testpref", "province:testprov"}) {
			t.Errorf("chain entities: %v", k)
		}
		if got.Sources["src:fixture"] == nil {
			t.Error("the relations' plan was not read")
		}
		if _, ok := got.History[domain.HistoryKey{ID: "prefecture:testpref", First: 1}]; !ok {
			t.Error("the root's plan was not read")
		}
		if _, _, err := s.ReadChains(ctx, domain.ChainQuery{ID: "county:none", Up: true, MaxDepth: 3, First: 1}, domain.ResultPlan{}); !isNotFound(err) {
			t.Errorf("chains from a missing root: %v", err)
		}
		one(t)
		paths, got, err := s.ReadPaths(ctx, domain.PathQuery{From: "prefecture:testpref", To: "party_body:test-centre", Mode: domain.PathAllShortest,
			MaxLength: 6, First: 5, ResponsibilityOnly: true}, domain.ResultPlan{Entities: &domain.EntityPlan{}})
		one(t)
		if err != nil || len(paths) != 1 || len(paths[0].Relations) != 3 || !paths[0].Responsibility() || len(got.Entities) != 4 {
			t.Errorf("responsibility path either way: %v %+v %v", err, paths, keys(got.Entities))
		}
		_, _, err = s.ReadPaths(ctx, domain.PathQuery{From: "county:testcounty", To: "county:none", Mode: domain.PathShortest, MaxLength: 2, First: 1}, domain.ResultPlan{})
		if !isNotFound(err) || !strings.Contains(err.Error(), "county:none") {
			t.Errorf("path to a missing entity: %v", err)
		}
		one(t)
		g, got, err := s.ReadNeighborhood(ctx, domain.SubgraphQuery{IDs: []string{"prefecture:testpref"}, Depth: 1, Limit: 2},
			domain.ResultPlan{Entities: &domain.EntityPlan{CounterClaims: &domain.CounterClaimPlan{}}, Relations: &domain.RelationPlan{To: &domain.EntityPlan{}}})
		one(t)
		if err != nil || len(g.Entities) != 2 || !g.Truncated || g.Entities[0].ID != "prefecture:testpref" || len(g.Relations) != 1 {
			t.Fatalf("neighbourhood cut at 2: %v %+v", err, g)
		}
		if _, ok := got.CounterClaims[g.Entities[1].ID]; !ok {
			t.Error("the nodes' plan was not read")
		}
	})
}
