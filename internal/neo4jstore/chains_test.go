package neo4jstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// TestWalkChainsOverWhatTheyReach: the Go side of chains up steps by the
// statement's rule (stepClause): up a relation from its lower end to its
// upper one, whichever way the type points; not over context, not the
// other way, not back into the chain, only over q.Types when given;
// shortest first, then in the order of the relations' ids.
func TestWalkChainsOverWhatTheyReach(t *testing.T) {
	rel := func(id, typ, from, to string) *domain.Relation {
		return &domain.Relation{ID: id, Type: typ, From: from, To: to}
	}
	rels := map[string]*domain.Relation{}
	for _, r := range []*domain.Relation{
		rel("r1", "MANAGES", "b", "f"),        // b answers for f: up from f to b
		rel("r2", "SUBORDINATE_TO", "b", "c"), // c answers for b: up from b to c
		rel("r3", "MANAGES", "f", "x"),        // f answers for x: not up from f
		rel("r4", "PART_OF", "f", "y"),        // context: no step
		rel("r5", "MANAGES", "c", "c"),        // a loop: back into the chain
		rel("r6", "MANAGES", "a", "f"),        // a second way up from f, ending at a
	} {
		rels[r.ID] = r
	}
	kinds := map[string]domain.Kind{"f": "factory", "b": "labour_dispatch_firm", "c": "county", "a": "county", "x": "factory", "y": "county"}
	chains := func(q domain.ChainQuery) []string {
		t.Helper()
		found, err := walkChains(t.Context(), q, rels, kinds)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range found {
			var ids []string
			for _, r := range f.Relations {
				ids = append(ids, r.ID)
			}
			out = append(out, strings.Join(f.Nodes, ">")+" "+strings.Join(ids, ",")+" "+string(f.Kinds[len(f.Kinds)-1]))
		}
		return out
	}
	if got, want := chains(domain.ChainQuery{ID: "f", Up: true, MaxDepth: 8}), []string{"f>a r6 county", "f>b>c r1,r2 county"}; !slices.Equal(got, want) {
		t.Errorf("up from f: %q, want %q", got, want)
	}
	if got, want := chains(domain.ChainQuery{ID: "f", Up: true, MaxDepth: 8, Types: []string{"MANAGES"}}), []string{"f>b r1 labour_dispatch_firm", "f>a r6 county"}; !slices.Equal(got, want) {
		t.Errorf("up from f over MANAGES only: %q, want %q", got, want)
	}
	if got, want := chains(domain.ChainQuery{ID: "f", Up: true, MaxDepth: 1}), []string{"f>b r1 labour_dispatch_firm", "f>a r6 county"}; !slices.Equal(got, want) {
		t.Errorf("up from f, one step: %q, want %q", got, want)
	}
}
