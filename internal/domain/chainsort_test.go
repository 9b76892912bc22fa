package domain

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// SortChains orders chains exactly as the rule it states (complete first,
// then the strongest, then the shortest, ties by relation ids), here
// against that rule written out plainly, on random chains with many ties.
func TestSortChainsFollowsItsRule(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		cs := make([]Chain, r.IntN(40))
		for i := range cs {
			c := Chain{Complete: r.IntN(2) == 0, Strength: Strength(r.IntN(3))}
			for h := range 1 + r.IntN(3) {
				c.Hops = append(c.Hops, Hop{Relation: Relation{ID: fmt.Sprintf("rel:%d", r.IntN(4)*10+h)}})
			}
			cs[i] = c
		}
		want := slices.Clone(cs)
		key := func(c Chain) string {
			var b strings.Builder
			for _, h := range c.Hops {
				b.WriteString(h.Relation.ID + "|")
			}
			return b.String()
		}
		sort.SliceStable(want, func(i, j int) bool {
			a, b := want[i], want[j]
			switch {
			case a.Complete != b.Complete:
				return a.Complete
			case a.Strength != b.Strength:
				return a.Strength > b.Strength
			case len(a.Hops) != len(b.Hops):
				return len(a.Hops) < len(b.Hops)
			}
			return key(a) < key(b)
		})
		SortChains(cs)
		for i := range cs {
			if key(cs[i]) != key(want[i]) || cs[i].Complete != want[i].Complete || cs[i].Strength != want[i].Strength {
				t.Fatalf("round %d: chain %d is %+v, want %+v", round, i, cs[i], want[i])
			}
		}
	}
}

// KnownFrom and KnownTo are the ends KnownPeriod gives: the stated one, or
// else the earliest (latest) of the attested dates and the other stated
// end (the first of equals).
func TestKnownFromAndTo(t *testing.T) {
	d := func(y, m int) PartialDate { return PartialDate{Year: y, Month: m} }
	type known struct {
		name string
		r    Relation
		want PartialDate
	}
	for _, end := range []struct {
		name          string
		known, period func(r *Relation) PartialDate
		cases         []known
	}{
		{"KnownFrom", (*Relation).KnownFrom, func(r *Relation) PartialDate { from, _ := r.KnownPeriod(); return from }, []known{
			{"stated start", Relation{ValidFrom: d(2018, 3), ValidTo: d(2017, 1), Citations: []Citation{{Attests: d(2010, 1)}}}, d(2018, 3)},
			{"earliest attested", Relation{Citations: []Citation{{Attests: d(2020, 1)}, {}, {Attests: d(2019, 5)}}}, d(2019, 5)},
			{"stated end earlier than attested", Relation{ValidTo: d(2016, 0), Citations: []Citation{{Attests: d(2020, 1)}}}, d(2016, 0)},
			{"a year before a month of it", Relation{ValidTo: d(2019, 0), Citations: []Citation{{Attests: d(2019, 6)}}}, d(2019, 0)},
			{"first of equal starts", Relation{Citations: []Citation{{Attests: d(2019, 0)}, {Attests: d(2019, 1)}}}, d(2019, 0)},
			{"nothing known", Relation{Citations: []Citation{{}}}, PartialDate{}},
		}},
		{"KnownTo", (*Relation).KnownTo, func(r *Relation) PartialDate { _, to := r.KnownPeriod(); return to }, []known{
			{"stated end", Relation{ValidFrom: d(2018, 3), ValidTo: d(2019, 1), Citations: []Citation{{Attests: d(2022, 1)}}}, d(2019, 1)},
			{"latest attested", Relation{Citations: []Citation{{Attests: d(2019, 5)}, {}, {Attests: d(2020, 1)}}}, d(2020, 1)},
			{"stated start later than attested", Relation{ValidFrom: d(2021, 0), Citations: []Citation{{Attests: d(2020, 1)}}}, d(2021, 0)},
			{"a year after a month of it", Relation{ValidFrom: d(2019, 0), Citations: []Citation{{Attests: d(2019, 6)}}}, d(2019, 0)},
			{"first of equal ends", Relation{Citations: []Citation{{Attests: d(2019, 0)}, {Attests: d(2019, 12)}}}, d(2019, 0)},
			{"nothing known", Relation{Citations: []Citation{{}}}, PartialDate{}},
		}},
	} {
		for _, c := range end.cases {
			if got, period := end.known(&c.r), end.period(&c.r); got != c.want || period != c.want {
				t.Errorf("%s: %s %v, KnownPeriod's %v, want %v", c.name, end.name, got, period, c.want)
			}
		}
	}
}

// Assemble builds hops for its page only; its pages are what building
// every chain, weighing, keeping each once and at least q.MinStrength,
// sorting with SortChains and paging would give (the rule written out
// plainly here), on random walks with repeats, cuts and ties.
func TestAssembleIsEveryChainSortedThenPaged(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	grades, confs := []Grade{"A", "B", "C", ""}, []Confidence{"confirmed", "reported"}
	kinds := []Kind{"county", "province", "state_body", "party_body", "factory"}
	plain := func(q ChainQuery, found []FoundChain) *ChainResult {
		res := &ChainResult{Root: q.ID, Chains: []Chain{}}
		var all []Chain
		seen := map[string]bool{}
		for _, f := range found {
			nodes, rels, maximal := f.Nodes, f.Relations, f.Maximal
			if n := ConsistentPrefix(rels); n < len(rels) {
				rels, nodes, maximal = rels[:n], nodes[:n+1], false
			}
			c := Chain{End: nodes[len(nodes)-1], Complete: maximal && (!q.Up || ReachesTop(f.Kinds[:len(nodes)]))}
			for i := range rels {
				h := Hop{Relation: rels[i], Upper: nodes[i+1], Lower: nodes[i], InForce: q.Time.Status(&rels[i])}
				if !q.Up {
					h.Upper, h.Lower = h.Lower, h.Upper
				}
				c.Hops = append(c.Hops, h)
			}
			var key strings.Builder
			for _, r := range rels {
				key.WriteString(r.ID + "|")
			}
			if seen[key.String()] {
				continue
			}
			seen[key.String()] = true
			c.Weigh()
			if c.Strength >= q.MinStrength {
				all = append(all, c)
			}
		}
		if len(found) > MaxChainScan {
			res.Truncated = true
			all = all[:min(len(all), MaxChainScan)]
		}
		SortChains(all)
		res.Total = len(all)
		if q.After < len(all) {
			end := min(q.After+q.First, len(all))
			res.Chains, res.HasNext = all[q.After:end], end < len(all)
		}
		return res
	}
	for round := range 300 {
		found := make([]FoundChain, r.IntN(30))
		if round == 0 {
			found = make([]FoundChain, MaxChainScan+5)
		}
		for i := range found {
			n := r.IntN(4)
			f := FoundChain{Nodes: []string{"root"}, Kinds: []Kind{"factory"}, Maximal: r.IntN(2) == 0}
			for h := range n {
				id := r.IntN(3)
				rel := Relation{ID: fmt.Sprintf("rel:%d-%d", h, id), Confidence: confs[id%2], BestGrade: grades[(id+h)%4],
					Contested: r.IntN(5) == 0}
				if r.IntN(6) == 0 { // a relation that ended before its neighbour began: a cut
					rel.ValidFrom, rel.ValidTo = PartialDate{Year: 2020}, PartialDate{Year: 2010}
				}
				f.Relations = append(f.Relations, rel)
				f.Nodes = append(f.Nodes, fmt.Sprintf("e:%d-%d", h, id))
				f.Kinds = append(f.Kinds, kinds[(h+id)%len(kinds)])
			}
			found[i] = f
		}
		q := ChainQuery{ID: "root", Up: r.IntN(2) == 0, MinStrength: Strength(r.IntN(3)), First: 1 + r.IntN(8), After: r.IntN(10),
			Time: Time{AsOf: PartialDate{Year: 2015}}}
		got, want := q.Assemble(found), plain(q, found)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d, %+v:\n got %+v\nwant %+v", round, q, got, want)
		}
	}
}
