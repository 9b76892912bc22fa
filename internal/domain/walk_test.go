package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// graphSteps is a walk's graph: from each entity, the steps in order.
func graphSteps(edges map[string][]string) func(string) []ChainStep {
	return func(id string) []ChainStep {
		var out []ChainStep
		for i, next := range edges[id] {
			out = append(out, ChainStep{Relation: &Relation{ID: fmt.Sprintf("%s-%d-%s", id, i, next)}, Next: next})
		}
		return out
	}
}

func walk(t *testing.T, root string, maxDepth int, steps func(string) []ChainStep, kind func(string) Kind) []FoundChain {
	t.Helper()
	found, err := WalkChains(t.Context(), root, maxDepth, steps, kind)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func walks(found []FoundChain) []string {
	var out []string
	for _, f := range found {
		s := strings.Join(f.Nodes, ">")
		if f.Maximal {
			s += " maximal"
		}
		out = append(out, s)
	}
	return out
}

// TestWalkChains: the walks kept end where nothing leads on (maximal) or
// at maxDepth; entities never repeat, and a step back into the walk does
// not count as a way on; two relations between the same entities are two
// walks; shortest first, then in the order of the steps.
func TestWalkChains(t *testing.T) {
	edges := map[string][]string{
		"a": {"b", "c", "c"},
		"b": {"d"},
		"c": {"a"},      // back into the walk: c ends its walks
		"d": {"e", "b"}, // d→b repeats b
		"e": {"f"},
		"f": {"g"},
	}
	kind := func(id string) Kind { return Kind("k-" + id) }
	got := walks(walk(t, "a", 3, graphSteps(edges), kind))
	want := []string{"a>c maximal", "a>c maximal", "a>b>d>e"}
	if !slices.Equal(got, want) {
		t.Errorf("maxDepth 3: got %q, want %q", got, want)
	}
	got = walks(walk(t, "a", 8, graphSteps(edges), kind))
	want = []string{"a>c maximal", "a>c maximal", "a>b>d>e>f>g maximal"}
	if !slices.Equal(got, want) {
		t.Errorf("maxDepth 8: got %q, want %q", got, want)
	}
	f := walk(t, "a", 8, graphSteps(edges), kind)[2]
	if len(f.Relations) != 5 || f.Relations[0].ID != "a-0-b" || f.Kinds[5] != "k-g" || len(f.Kinds) != 6 {
		t.Errorf("walk a>…>g: relations %v, kinds %v", f.Relations, f.Kinds)
	}
	if got := walk(t, "lone", 8, graphSteps(edges), kind); len(got) != 0 {
		t.Errorf("no step from the root: %v, want no walk", walks(got))
	}
}

// TestWalkChainsStopsWhenTheScanIsFull: more than MaxChainScan walks stop
// the scan at MaxChainScan+1, the shortest first.
func TestWalkChainsStopsWhenTheScanIsFull(t *testing.T) {
	edges := map[string][]string{}
	// MaxChainScan walks of 2 steps, and 10 of 1 step listed after them.
	for i := range MaxChainScan {
		mid := fmt.Sprintf("m%d", i)
		edges["root"] = append(edges["root"], mid)
		edges[mid] = []string{"leaf" + mid}
	}
	for i := range 10 {
		edges["root"] = append(edges["root"], fmt.Sprintf("short%d", i))
	}
	asked := map[string]int{}
	steps := graphSteps(edges)
	found := walk(t, "root", 8, func(id string) []ChainStep { asked[id]++; return steps(id) }, func(string) Kind { return "" })
	if len(found) != MaxChainScan+1 {
		t.Fatalf("%d walks, want %d", len(found), MaxChainScan+1)
	}
	for i, f := range found[:10] {
		if len(f.Relations) != 1 || !f.Maximal {
			t.Fatalf("walk %d: %v, want the one-step walks first", i, f.Nodes)
		}
	}
	for id, n := range asked {
		if n != 1 {
			t.Errorf("steps asked %d times for %s, want once", n, id)
		}
	}
}

// TestWalkChainsStopsWhenItsTimeEnds: entities that all answer for each
// other hold more walks short of maxDepth than any request can wait for
// (none maximal, so the scan never fills); the walk ends with its
// context, as QUERY_TIMEOUT.
func TestWalkChainsStopsWhenItsTimeEnds(t *testing.T) {
	edges := map[string][]string{}
	var ids []string
	for i := range 14 {
		ids = append(ids, fmt.Sprintf("e%d", i))
	}
	for _, a := range ids {
		for _, b := range ids {
			if a != b {
				edges[a] = append(edges[a], b)
			}
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	found, err := WalkChains(ctx, "e0", 12, graphSteps(edges), func(string) Kind { return "" })
	var derr *Error
	if !errors.As(err, &derr) || derr.Code != ETIMEOUT || found != nil {
		t.Fatalf("a ring of 14 to depth 12: %d walks, error %v; want QUERY_TIMEOUT", len(found), err)
	}
}
