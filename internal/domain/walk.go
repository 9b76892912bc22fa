package domain

import (
	"context"
	"slices"
)

// ChainStep is one way a chain's walk can leave an entity: over Relation,
// to Next.
type ChainStep struct {
	Relation *Relation
	Next     string
}

// ResponsibilityStep reports where r leads from the entity at, one step of
// a chain up (towards who answers) or down: the other end, when r carries
// responsibility, is of one of only (empty: any) and at is its lower end
// (up) or its upper end (down).
func ResponsibilityStep(up bool, only []string, r *Relation, at string) (string, bool) {
	t, ok := LookupRelationType(r.Type)
	if !ok || t.Responsibility == NoResponsibility || (len(only) > 0 && !slices.Contains(only, r.Type)) {
		return "", false
	}
	upper, lower := r.From, r.To
	if t.Responsibility == ToIsResponsible {
		upper, lower = r.To, r.From
	}
	if up && at == lower {
		return upper, true
	}
	if !up && at == upper {
		return lower, true
	}
	return "", false
}

// WalkChains finds the walks a chain query keeps from root: those that
// end where no further step is possible (Maximal) or at maxDepth steps,
// entities never repeating, shortest first and, within a length, in the
// order steps lists them; at most MaxChainScan+1 of them, so that
// Assemble can tell a truncated scan. steps(id) lists the ways on from id;
// it is asked once per entity. kind(id) is the entity's kind.
//
// It goes length by length (a depth-first walk cut at each length in
// turn), which re-walks the shorter prefixes but needs no memory beyond
// one walk and stops as soon as the scan is full. Entities are numbered
// as they are first reached, so that the walks compare numbers.
//
// Entities that answer for each other in a ring can hold billions of
// walks short of maxDepth that are not kept (not maximal), so the walk
// stops when ctx ends: QUERY_TIMEOUT, as a statement that runs out of
// its time.
func WalkChains(ctx context.Context, root string, maxDepth int, steps func(id string) []ChainStep, kind func(id string) Kind) ([]FoundChain, error) {
	type edge struct {
		r    *Relation
		next int
	}
	index := map[string]int{}
	var ids []string
	var out [][]edge // out[i]: the steps from ids[i], asked for when first needed
	var asked []bool
	number := func(id string) int {
		i, ok := index[id]
		if !ok {
			i = len(ids)
			index[id] = i
			ids, out, asked = append(ids, id), append(out, nil), append(asked, false)
		}
		return i
	}
	from := func(i int) []edge {
		if !asked[i] {
			asked[i] = true
			for _, st := range steps(ids[i]) {
				n := number(st.Next) // before out[i] is read: number may grow out
				out[i] = append(out[i], edge{st.Relation, n})
			}
		}
		return out[i]
	}
	var found []FoundChain
	nodes := []int{number(root)}
	var rels []*Relation
	var err error
	walked := 0
	// full reports whether the walk is over: the scan full, or ctx ended
	// (asked every 4,096 steps).
	full := func() bool {
		if err == nil && walked&4095 == 0 {
			if ctx.Err() != nil {
				err = Errorf(ETIMEOUT, "walking the chains ran out of time: ask for less (fewer hops or types)")
			}
		}
		return err != nil || len(found) > MaxChainScan
	}
	var walk func(length int)
	walk = func(length int) {
		walked++
		if full() {
			return
		}
		if len(rels) == length {
			maximal := true
			for _, e := range from(nodes[len(nodes)-1]) {
				if !slices.Contains(nodes, e.next) {
					maximal = false
					break
				}
			}
			if maximal || length == maxDepth {
				c := FoundChain{Nodes: make([]string, len(nodes)), Kinds: make([]Kind, len(nodes)), Relations: make([]Relation, len(rels)), Maximal: maximal}
				for i, n := range nodes {
					c.Nodes[i], c.Kinds[i] = ids[n], kind(ids[n])
				}
				for i, r := range rels {
					c.Relations[i] = *r
				}
				found = append(found, c)
			}
			return
		}
		for _, e := range from(nodes[len(nodes)-1]) {
			if slices.Contains(nodes, e.next) {
				continue
			}
			nodes, rels = append(nodes, e.next), append(rels, e.r)
			walk(length)
			nodes, rels = nodes[:len(nodes)-1], rels[:len(rels)-1]
			if full() {
				return
			}
		}
	}
	for length := 1; length <= maxDepth && !full(); length++ {
		walk(length)
	}
	if err != nil {
		return nil, err
	}
	return found, nil
}
