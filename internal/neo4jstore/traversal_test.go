package neo4jstore_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// The traversal rules of issue 11, on a small fixture built for them
// (testdata/traversal.yaml).

func traversalStore(t *testing.T) *neo4jstore.Store {
	t.Helper()
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/traversal.yaml")
	return s
}

func day(t *testing.T, s string) domain.PartialDate {
	t.Helper()
	d, err := domain.ParsePartialDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// chainRels lists each chain as its relation ids joined by ">".
func chainRels(cs []domain.Chain) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		ids := make([]string, len(c.Hops))
		for j, h := range c.Hops {
			ids[j] = h.Relation.ID
		}
		out[i] = strings.Join(ids, ">")
	}
	return out
}

func allHops(cs []domain.Chain) map[string]domain.Hop {
	out := map[string]domain.Hop{}
	for _, c := range cs {
		for _, h := range c.Hops {
			out[h.Relation.ID] = h
		}
	}
	return out
}

func mustChains(t *testing.T, s *neo4jstore.Store, q domain.ChainQuery) *domain.ChainResult {
	t.Helper()
	if q.MaxDepth == 0 {
		q.MaxDepth = 8
	}
	if q.First == 0 {
		q.First = 50
	}
	res, err := s.Chains(t.Context(), q)
	if err != nil {
		t.Fatalf("chains %+v: %v", q, err)
	}
	return res
}

// An undated relation is never reported as in force on a date: as of a
// date it is left out, and only on request included, marked NOT_KNOWN.
func TestUndatedRelationIsNeverInForce(t *testing.T) {
	s := traversalStore(t)
	q := domain.ChainQuery{ID: "county:t-n1", Up: true, Time: domain.Time{AsOf: day(t, "2019")}}
	hops := allHops(mustChains(t, s, domain.ChainQuery{ID: "prefecture:t-north", Up: true, Time: q.Time}).Chains)
	if _, ok := hops["rel:t-pair-west"]; ok {
		t.Errorf("as of 2019 the undated West pairing is shown: %v", hops)
	}
	if h, ok := hops["rel:t-pair-east"]; !ok || h.InForce != domain.KnownInForce {
		t.Errorf("as of 2019 the East pairing (since 2010, attested 2019) is missing or not KNOWN: %+v", h)
	}
	with := domain.ChainQuery{ID: "prefecture:t-north", Up: true, Time: domain.Time{AsOf: day(t, "2019"), IncludeNotKnown: true}}
	hops = allHops(mustChains(t, s, with).Chains)
	if h, ok := hops["rel:t-pair-west"]; !ok || h.InForce != domain.NotKnown {
		t.Errorf("asked for not-known relations: West pairing missing or not marked NOT_KNOWN: %+v", h)
	}
	for id, h := range hops {
		if h.InForce == "" {
			t.Errorf("%s: no in-force status although a date was asked", id)
		}
	}
	// With no date, every relation counts and none is marked.
	hops = allHops(mustChains(t, s, domain.ChainQuery{ID: "prefecture:t-north", Up: true}).Chains)
	if _, ok := hops["rel:t-pair-west"]; !ok {
		t.Error("with no date the West pairing is missing")
	}
}

// Known in force between the stated start and the latest attestation; not
// known after it; never once the stated period has ended, even on request.
func TestTimeFollowsTheEvidence(t *testing.T) {
	s := traversalStore(t)
	for _, tc := range []struct {
		asOf    string
		include bool
		rel     string
		want    domain.InForce // "" = absent
	}{
		{"2015", false, "rel:t-pair-east", domain.KnownInForce},
		{"2019-07", false, "rel:t-pair-east", domain.KnownInForce},
		{"2021", false, "rel:t-pair-east", ""},
		{"2021", true, "rel:t-pair-east", domain.NotKnown},
		{"2009", false, "rel:t-pair-east", ""},
		{"2009", true, "rel:t-pair-east", ""}, // stated to start in 2010: out of force
		{"2005", false, "rel:t-pair-east-south", domain.KnownInForce},
		{"2015", true, "rel:t-pair-east-south", ""}, // stated to end in 2010
	} {
		res := mustChains(t, s, domain.ChainQuery{ID: "province:t-east", Up: false, Time: domain.Time{AsOf: day(t, tc.asOf), IncludeNotKnown: tc.include}})
		h, ok := allHops(res.Chains)[tc.rel]
		switch {
		case tc.want == "" && ok:
			t.Errorf("as of %s (include %v): %s shown as %s, want it left out", tc.asOf, tc.include, tc.rel, h.InForce)
		case tc.want != "" && !ok:
			t.Errorf("as of %s (include %v): %s missing, want %s", tc.asOf, tc.include, tc.rel, tc.want)
		case ok && h.InForce != tc.want:
			t.Errorf("as of %s (include %v): %s is %s, want %s", tc.asOf, tc.include, tc.rel, h.InForce, tc.want)
		}
	}
}

// Context links never carry responsibility: down from East, chains run
// through its pairings only, never through the cadre batch posted across the
// region or from a prefecture into its counties.
func TestContextLinksCarryNoResponsibility(t *testing.T) {
	s := traversalStore(t)
	res := mustChains(t, s, domain.ChainQuery{ID: "province:t-east", Up: false})
	ends := map[string]bool{}
	for _, c := range res.Chains {
		ends[c.End] = true
		for _, h := range c.Hops {
			if rt, _ := domain.LookupRelationType(h.Relation.Type); rt.Responsibility == domain.NoResponsibility {
				t.Errorf("chain follows context link %s (%s)", h.Relation.ID, h.Relation.Type)
			}
		}
	}
	if ends["county:t-s1"] || ends["region:t-region"] {
		t.Errorf("chains down from East reach %v: through context links", ends)
	}
	if !ends["factory:t-factory"] {
		t.Errorf("chains down from East do not reach the factory through its paired county: %v", chainRels(res.Chains))
	}
}

// A chain never joins hops whose stated periods exclude each other: up from
// the factory, the 2017 transfer from the south does not continue into East's
// pairing with the south that ended in 2010; it stops there, incomplete.
func TestChainsHoldTogetherInTime(t *testing.T) {
	s := traversalStore(t)
	res := mustChains(t, s, domain.ChainQuery{ID: "factory:t-factory", Up: true})
	found := false
	for _, c := range res.Chains {
		ids := chainRels([]domain.Chain{c})[0]
		if strings.Contains(ids, "rel:t-pair-east-south") {
			t.Errorf("chain joins the 2017 transfer to the pairing that ended in 2010: %s", ids)
		}
		if ids == "rel:t-transfer-south" {
			found = true
			if c.Complete {
				t.Error("the cut chain is marked complete")
			}
		}
	}
	if !found {
		t.Errorf("the transfer from the south is lost instead of cut: %v", chainRels(res.Chains))
	}
	// Nothing dates the second transfer before 2020: it does not join the
	// pairing that ended in 2010 either.
	for _, c := range mustChains(t, s, domain.ChainQuery{ID: "factory:t-factory-2", Up: true}).Chains {
		if ids := chainRels([]domain.Chain{c})[0]; strings.Contains(ids, "rel:t-pair-east-south") {
			t.Errorf("chain joins a transfer attested only in 2020 to the pairing that ended in 2010: %s", ids)
		}
	}
	down := mustChains(t, s, domain.ChainQuery{ID: "province:t-east", Up: false})
	for _, c := range down.Chains {
		if ids := chainRels([]domain.Chain{c})[0]; strings.Contains(ids, "rel:t-pair-east-south>rel:t-transfer-south") {
			t.Errorf("chain down joins hops that cannot have held together: %s", ids)
		}
	}
}

// Chains come complete first, then strongest, then shortest, and page
// with the total known.
func TestChainsSortedAndPaged(t *testing.T) {
	s := traversalStore(t)
	res := mustChains(t, s, domain.ChainQuery{ID: "factory:t-factory", Up: true})
	if res.Total < 3 {
		t.Fatalf("only %d chains up from the factory: %v", res.Total, chainRels(res.Chains))
	}
	for i := 1; i < len(res.Chains); i++ {
		a, b := res.Chains[i-1], res.Chains[i]
		if !a.Complete && b.Complete {
			t.Errorf("incomplete chain %d before complete chain %d", i-1, i)
		}
		if a.Complete == b.Complete && a.Strength < b.Strength {
			t.Errorf("chain %d (%s) before stronger chain %d (%s)", i-1, a.Strength, i, b.Strength)
		}
	}
	first := res.Chains[0]
	if !first.Complete || first.End != "party_body:t-centre" {
		t.Errorf("first chain ends at %s (complete %v), want the centre", first.End, first.Complete)
	}
	// The complete chain rests on an inferred hop: moderate, with that hop the weakest.
	if first.Strength != domain.StrengthModerate || first.Hops[first.WeakestHop].Relation.ID != "rel:t-coord-east" {
		t.Errorf("first chain strength %s, weakest hop %d (%v); want MODERATE at rel:t-coord-east", first.Strength, first.WeakestHop, chainRels([]domain.Chain{first}))
	}
	// A chain ending at a province with no known coordinator, or at a person
	// (a deputy head of the department), is a dead end, not complete.
	atDeputy := false
	for _, c := range res.Chains {
		if (c.End == "province:t-west" || c.End == "person:t-deputy") && c.Complete {
			t.Errorf("a chain ending at %s is marked complete", c.End)
		}
		atDeputy = atDeputy || c.End == "person:t-deputy"
	}
	if !atDeputy {
		t.Error("no chain ends at the deputy head: the check above tested nothing")
	}
	// Pages: one at a time, the same chains in the same order.
	var paged []string
	for after := 0; after < res.Total; after++ {
		p := mustChains(t, s, domain.ChainQuery{ID: "factory:t-factory", Up: true, First: 1, After: after})
		if p.Total != res.Total || len(p.Chains) != 1 || p.HasNext != (after+1 < res.Total) {
			t.Fatalf("page %d: total %d, %d chains, hasNext %v", after, p.Total, len(p.Chains), p.HasNext)
		}
		paged = append(paged, chainRels(p.Chains)...)
	}
	if !slices.Equal(paged, chainRels(res.Chains)) {
		t.Errorf("pages differ from the whole:\n%v\n%v", paged, chainRels(res.Chains))
	}
	// Only chains resting on A/B sources: the grade-C-only hops drop out.
	strong := mustChains(t, s, domain.ChainQuery{ID: "factory:t-factory", Up: true, MinStrength: domain.StrengthModerate})
	for _, c := range strong.Chains {
		if c.Strength < domain.StrengthModerate {
			t.Errorf("minStrength MODERATE kept a %s chain %v", c.Strength, chainRels([]domain.Chain{c}))
		}
	}
	if strong.Total >= res.Total || strong.Total == 0 {
		t.Errorf("minStrength MODERATE kept %d of %d chains", strong.Total, res.Total)
	}
}

// Paths: a responsibility-only path never uses a context link; an any-link
// path may, and says it is not responsibility.
func TestPathsWithMeaning(t *testing.T) {
	s := traversalStore(t)
	q := domain.PathQuery{From: "factory:t-factory", To: "province:t-east", Mode: domain.PathShortest, MaxLength: 6, First: 5}
	anyPaths, err := s.Paths(t.Context(), q)
	if err != nil || len(anyPaths) != 1 {
		t.Fatalf("any-link path: %v, %v", anyPaths, err)
	}
	if anyPaths[0].Relations[0].Type != "LOCATED_IN" || anyPaths[0].Responsibility() {
		t.Errorf("shortest connection should be the LOCATED_IN link, not responsibility: %+v", anyPaths[0])
	}
	q.ResponsibilityOnly = true
	resp, err := s.Paths(t.Context(), q)
	if err != nil || len(resp) == 0 {
		t.Fatalf("responsibility path: %v, %v", resp, err)
	}
	for _, p := range resp {
		if !p.Responsibility() {
			t.Errorf("responsibility-only path is not a line of responsibility: %v", p.Nodes)
		}
		for _, r := range p.Relations {
			if r.Type == "LOCATED_IN" || r.Type == "PART_OF" {
				t.Errorf("responsibility-only path uses %s", r.Type)
			}
		}
	}
	// Directed: the factory does not answer for East (FORWARD from the factory finds nothing).
	q.Direction = domain.PathForward
	fwd, err := s.Paths(t.Context(), q)
	if err != nil || len(fwd) != 0 {
		t.Errorf("FORWARD from the factory to East: %v, %v; want none", fwd, err)
	}
	q.Direction = domain.PathBackward
	back, err := s.Paths(t.Context(), q)
	if err != nil || len(back) == 0 || back[0].Nodes[len(back[0].Nodes)-1] != "province:t-east" {
		t.Errorf("BACKWARD (East answers for the factory): %v, %v", back, err)
	}
}

// Exposure from the brand: the supply link (ended 2020, with its
// termination counter-claim) to the factory, then up to East; and the
// factory's designation.
func TestExposure(t *testing.T) {
	s := traversalStore(t)
	res, err := s.Exposure(t.Context(), domain.ExposureQuery{ID: "buyer:t-brand", First: 50})
	if err != nil {
		t.Fatal(err)
	}
	var aiding, listed *domain.ExposureLink
	for i := range res.Links {
		l := &res.Links[i]
		if l.Steps[0].Relation.ID != "rel:t-supplies" && l.Steps[0].Relation.ID != "rel:t-supplies-trader" {
			t.Errorf("link starts with %s, not a supply link", l.Steps[0].Relation.ID)
		}
		switch {
		case l.Reason == domain.ExposureAidingParty && l.Target == "province:t-east" && aiding == nil:
			aiding = l
		case l.Reason == domain.ExposureDesignation && l.Target == "designation_list:t-list":
			listed = l
		}
	}
	if aiding == nil || listed == nil {
		t.Fatalf("exposure lacks the aiding-party or the designation link: %+v", res.Links)
	}
	// The workers transferred to the factory: one link to each origin and
	// organiser, ending with the transfer.
	transfers := map[string]bool{}
	for _, l := range res.Links {
		if l.Reason == domain.ExposureLabourTransfer {
			last := l.Steps[len(l.Steps)-1].Relation
			if last.Type != "TRANSFERS_WORKERS_TO" || last.From != l.Target {
				t.Errorf("labour-transfer link to %s ends with %s %s", l.Target, last.Type, last.ID)
			}
			transfers[l.Target] = true
		}
	}
	for _, want := range []string{"county:t-n1", "bureau:t-bureau", "prefecture:t-south"} {
		if !transfers[want] {
			t.Errorf("exposure lacks the labour transfer from %s: %v", want, transfers)
		}
	}
	sup := aiding.Steps[0].Relation
	if sup.ValidTo.String() != "2020-07" || !sup.Contested || !aiding.Contested {
		t.Errorf("supply step: validTo %q, contested %v (link %v); want the 2020 ending and its counter-claim", sup.ValidTo, sup.Contested, aiding.Contested)
	}
	ccs, err := s.CounterClaims(t.Context(), []string{sup.ID})
	if err != nil || len(ccs[sup.ID]) != 1 || ccs[sup.ID][0].Kind != "termination" {
		t.Errorf("counter-claims of the supply link: %v, %v", ccs, err)
	}
	// As of 2024 the supply link is over: no exposure through it.
	later, err := s.Exposure(t.Context(), domain.ExposureQuery{ID: "buyer:t-brand", First: 50, Time: domain.Time{AsOf: day(t, "2024"), IncludeNotKnown: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range later.Links {
		if l.Steps[0].Relation.ID == "rel:t-supplies" {
			t.Errorf("as of 2024 the ended supply link is still shown")
		}
	}
}

// Search finds every spelling and ranks the higher-level body first.
func TestSearchEverySpelling(t *testing.T) {
	s := traversalStore(t)
	for _, tc := range []struct{ text, want string }{
		{"Akesu", "prefecture:t-north"},
		{"阿克蘇", "prefecture:t-north"},
		{"阿克苏地区", "prefecture:t-north"},
		{"阿克苏市", "city:t-north-city"},
		{"罗干", "person:t-leader"},
		{"luo gan", "person:t-leader"},
		{"tn1 labour bureau", "bureau:t-bureau"},
		{"ceshengdong", ""}, // not a name: nothing ranked as exact
	} {
		hits, err := s.Search(t.Context(), domain.SearchQuery{Text: tc.text, First: 5})
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if tc.want == "" {
			for _, h := range hits {
				if h.Match == domain.MatchExact {
					t.Errorf("%q: exact match %s", tc.text, h.Entity.ID)
				}
			}
			continue
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("%q: hit %d scores %.2f above hit %d (%.2f): the score does not follow the order", tc.text, i, hits[i].Score, i-1, hits[i-1].Score)
			}
		}
		if len(hits) == 0 || hits[0].Entity.ID != tc.want {
			got := []string{}
			for _, h := range hits {
				got = append(got, h.Entity.ID)
			}
			t.Errorf("%q: hits %v, want %s first", tc.text, got, tc.want)
		}
	}
}

// A source's grade change reaches the strength of every relation citing it,
// whether the change comes from a load or from an editor.
func TestSourceGradeChangeReweighsRelations(t *testing.T) {
	s := traversalStore(t)
	grade := func() domain.Grade {
		t.Helper()
		r, err := s.RelationByID(t.Context(), "rel:t-pair-west")
		if err != nil {
			t.Fatal(err)
		}
		return r.BestGrade
	}
	if g := grade(); g != "C" {
		t.Fatalf("before: best grade %q, want C", g)
	}
	dir := t.TempDir()
	data := `sources:
  - {id: "src:t-forum", title: "Synthetic forum thread", url: "https://synthetic.invalid/c", type: other, grade: B}
`
	if err := os.WriteFile(filepath.Join(dir, "regrade.yaml"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, s, dir)
	if g := grade(); g != "B" {
		t.Errorf("after a load regrading its source: best grade %q, want B", g)
	}
	if _, err := s.UpsertSource(t.Context(), editor, domain.Source{ID: "src:t-forum", Title: "Synthetic forum thread", URL: "https://synthetic.invalid/c", Type: "other", Grade: "C"}, "regrade"); err != nil {
		t.Fatal(err)
	}
	if g := grade(); g != "C" {
		t.Errorf("after an editor regraded its source: best grade %q, want C", g)
	}
}
