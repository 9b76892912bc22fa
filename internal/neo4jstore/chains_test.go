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

// TestTraversalRowsReadTheirEntitiesOffTheRelations: a traversal's row
// names its first entity and its relations; its entities are each
// relation's other end in turn, whichever way the relation points (a loop
// stays put). A relation that does not touch the entity before it, or
// that was not returned, is an error, not a guess.
func TestTraversalRowsReadTheirEntitiesOffTheRelations(t *testing.T) {
	rels := map[string]*domain.Relation{
		"r1": {ID: "r1", Type: "MANAGES", From: "a", To: "b"},
		"r2": {ID: "r2", Type: "MANAGES", From: "c", To: "b"},
		"r3": {ID: "r3", Type: "MANAGES", From: "c", To: "c"},
	}
	row := func(start string, ids ...any) map[string]any { return map[string]any{"start": start, "rels": ids} }
	tr := &traversal{rels: rels, rows: []map[string]any{
		row("a", "r1", "r2", "r3"), row("c", "r2", "r1"), row("a"),
		row("a", "r2"), row("a", "r9"), {"rels": []any{"r1"}},
	}}
	for i, want := range [][]string{{"a", "b", "c", "c"}, {"c", "b", "a"}, {"a"}} {
		ids, got, err := tr.row(i)
		if err != nil || !slices.Equal(ids, want) || len(got) != len(want)-1 {
			t.Errorf("row %d: %v, %d relations, %v; want %v", i, ids, len(got), err, want)
		}
	}
	for i, want := range []string{"does not touch a", "r9 not returned", "start"} {
		if _, _, err := tr.row(3 + i); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("row %d: %v, want an error saying %q", 3+i, err, want)
		}
	}
}
