package domain

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// Caps on what one request may ask for. They keep any single query's cost
// bounded whatever the graph's size; the API documents them per argument.
const (
	MaxPageSize      = 100
	MaxSearchHits    = 50
	MaxSearchTextLen = 200
	MaxChainDepth    = 12
	MaxChains        = 200
	// MaxChainScan bounds how many chains one query enumerates before
	// sorting and paging them; beyond it the result says it is truncated.
	MaxChainScan  = 2000
	MaxPathLength = 8
	MaxPaths      = 50
	MaxHoodIDs    = 50
	MaxHoodDepth  = 3
	MaxHoodLimit  = 2000
	// MaxExportLimit caps the entities of one export (and of any
	// neighbourhood the store will compute).
	MaxExportLimit = 100000
)

// CheckTypes rejects relation types the registry does not know.
func CheckTypes(types []string) error {
	for _, t := range types {
		if _, ok := LookupRelationType(t); !ok {
			return Errorf(EBADINPUT, "unknown relation type %q", t)
		}
	}
	return nil
}

// CheckKinds rejects unknown kinds.
func CheckKinds(kinds []Kind) error {
	for _, k := range kinds {
		if !k.Valid() {
			return Errorf(EBADINPUT, "unknown kind %q", k)
		}
	}
	return nil
}

// CheckEntityID rejects strings that cannot be entity ids (before any query).
func CheckEntityID(id string) error {
	if !ValidEntityID(id) {
		return Errorf(EBADINPUT, "%q is not an entity id (kind:slug)", truncate(id, 80))
	}
	return nil
}

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// EntityFilter selects entities for listing.
type EntityFilter struct {
	Kinds []Kind
	Text  string // substring of name, Chinese name or an alias, ignoring case
	AsOf  PartialDate
}

// Validate checks the filter.
func (f EntityFilter) Validate() error {
	if err := CheckKinds(f.Kinds); err != nil {
		return err
	}
	if utf8.RuneCountInString(f.Text) > MaxSearchTextLen {
		return Errorf(ELIMIT, "text may be at most %d characters", MaxSearchTextLen)
	}
	if !utf8.ValidString(f.Text) {
		return Errorf(EBADINPUT, "text is not valid UTF-8")
	}
	return nil
}

// ValidateList checks a page of the entity list: the filter and the page size.
func (f EntityFilter) ValidateList(first int) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return EntitiesFirst.Check(first)
}

// SearchQuery is a full-text search.
type SearchQuery struct {
	Text  string
	Kinds []Kind
	First int
}

// Validate checks the query.
func (q SearchQuery) Validate() error {
	if !utf8.ValidString(q.Text) {
		return Errorf(EBADINPUT, "text is not valid UTF-8")
	}
	if strings.TrimSpace(q.Text) == "" {
		return Errorf(EBADINPUT, "text must not be empty")
	}
	if utf8.RuneCountInString(q.Text) > MaxSearchTextLen {
		return Errorf(ELIMIT, "text may be at most %d characters", MaxSearchTextLen)
	}
	if err := CheckKinds(q.Kinds); err != nil {
		return err
	}
	return SearchFirst.Check(q.First)
}

// Match says how a search hit matched.
type Match string

const (
	MatchExact  Match = "EXACT"
	MatchPrefix Match = "PREFIX"
	MatchText   Match = "TEXT"
)

// SearchHit is one entity found, with how well it matched.
type SearchHit struct {
	Entity Entity
	Score  float64
	Match  Match
}

// Time says which relations a traversal may follow on a date: with AsOf
// set, only relations known to be in force on it, or also those whose
// force on it is not known (IncludeNotKnown; never those known to be out of
// force). With no AsOf, every relation.
type Time struct {
	AsOf            PartialDate
	IncludeNotKnown bool
}

// Status says whether r is known in force at the query's date ("" when no
// date was asked).
func (t Time) Status(r *Relation) InForce {
	if t.AsOf.IsZero() {
		return ""
	}
	return r.InForceOn(t.AsOf)
}

// ChainQuery asks for chains of responsibility from an entity.
type ChainQuery struct {
	ID string
	Up bool // towards who answers for the entity; false: down
	Time
	MaxDepth    int
	Types       []string // responsibility-bearing types to follow; empty: all
	MinStrength Strength // keep chains whose every hop is at least this strong
	First       int      // chains on this page
	After       int      // chains of earlier pages (from the cursor)
}

// Validate checks the query, including that every type carries responsibility.
func (q ChainQuery) Validate() error {
	if err := CheckEntityID(q.ID); err != nil {
		return err
	}
	if err := ChainDepth.Check(q.MaxDepth); err != nil {
		return err
	}
	if err := ChainsFirst.Check(q.First); err != nil {
		return err
	}
	if q.After < 0 {
		return Errorf(EBADINPUT, "after: not a cursor of this list")
	}
	if err := CheckTypes(q.Types); err != nil {
		return err
	}
	for _, t := range q.Types {
		if rt, _ := LookupRelationType(t); rt.Responsibility == NoResponsibility {
			return Errorf(EBADINPUT, "%s does not carry responsibility: chains cannot follow it", t)
		}
	}
	return nil
}

// Hop is one step of a chain: the relation, and which of its ends answers
// for which.
type Hop struct {
	Relation Relation
	Upper    string // the entity that answers for Lower through Relation
	Lower    string
	InForce  InForce // at the query's date; "" when none was asked
}

// Chain is a sequence of hops from the root.
type Chain struct {
	Hops     []Hop
	End      string
	Complete bool // reached a top authority (up) or a leaf (down)
	Strength Strength
	// WeakestHop is the index of the first hop of the chain's strength.
	WeakestHop int
	Contested  bool // a hop is contested
}

// Weigh sets the chain's strength (its weakest hop's), weakest hop and
// whether any hop is contested.
func (c *Chain) Weigh() {
	c.Strength, c.WeakestHop, c.Contested = weigh(len(c.Hops), func(i int) *Relation { return &c.Hops[i].Relation })
}

// weigh is the strength of n relations in a row (the weakest's, strong
// when there are none), the index of the first of that strength, and
// whether any is contested.
func weigh(n int, rel func(i int) *Relation) (s Strength, weakest int, contested bool) {
	s = StrengthStrong
	for i := range n {
		r := rel(i)
		if rs := r.Strength(); rs < s {
			s, weakest = rs, i
		}
		contested = contested || r.IsContested()
	}
	return s, weakest, contested
}

// SortChains orders chains as readers need them: complete chains first,
// then the strongest, then the shortest; ties by their relation ids, so the
// order does not depend on the order given (chains with the same ids are
// the same chain). Chains must be weighed.
func SortChains(cs []Chain) {
	type keyed struct {
		key string // built once, not at every comparison
		c   *Chain
	}
	ks := make([]keyed, len(cs))
	for i := range cs {
		c := &cs[i]
		ks[i] = keyed{relationsKey(len(c.Hops), func(i int) *Relation { return &c.Hops[i].Relation }), c}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		a, b := x.c, y.c
		return compareChains(a.Complete, b.Complete, a.Strength, b.Strength, len(a.Hops), len(b.Hops), x.key, y.key)
	})
	sorted := make([]Chain, len(cs))
	for i := range ks {
		sorted[i] = *ks[i].c
	}
	copy(cs, sorted)
}

// compareChains is SortChains' rule for two chains a and b: complete
// first, then the strongest, then the shortest, then by their keys. Keys
// are distinct (Assemble keeps a chain once), so the order is total and
// needs no stable sort.
func compareChains(aComplete, bComplete bool, aStrength, bStrength Strength, aHops, bHops int, aKey, bKey string) int {
	switch {
	case aComplete != bComplete:
		if aComplete {
			return -1
		}
		return 1
	case aStrength != bStrength:
		return cmp.Compare(bStrength, aStrength)
	case aHops != bHops:
		return cmp.Compare(aHops, bHops)
	}
	return strings.Compare(aKey, bKey)
}

// relationsKey names a chain by its n relations' ids, in order.
func relationsKey(n int, rel func(i int) *Relation) string {
	size := 0
	for i := range n {
		size += len(rel(i).ID) + 1
	}
	var b strings.Builder
	b.Grow(size)
	for i := range n {
		b.WriteString(rel(i).ID)
		b.WriteByte('|')
	}
	return b.String()
}

// ChainResult is one page of the chains found from one entity.
type ChainResult struct {
	Root   string
	Chains []Chain
	// Total is how many chains were found in all (at most MaxChainScan).
	Total int
	// Truncated is true when there were more than MaxChainScan chains.
	Truncated bool
	HasNext   bool
}

// FoundChain is a walk a traversal found from a chain's root: the entity
// ids and kinds from the root on, the relations between them, and whether
// the walk could go no further (false when it stopped at the depth asked).
type FoundChain struct {
	Nodes     []string
	Kinds     []Kind
	Relations []Relation
	Maximal   bool
}

// Assemble builds q's page of chains from the walks a traversal found (at
// most MaxChainScan+1 of them; more than MaxChainScan marks the answer
// truncated): each cut before the first hop that cannot have held with the
// one before (it is then incomplete), kept once, weighed, kept when at
// least q.MinStrength, sorted (SortChains) and paged.
func (q ChainQuery) Assemble(found []FoundChain) *ChainResult {
	res := &ChainResult{Root: q.ID, Chains: []Chain{}}
	// A candidate is what the order needs of a chain (SortChains' rule);
	// its hops are built only for the chains of the page (chains down from
	// a province number in the thousands, a page in the tens).
	type candidate struct {
		f        *FoundChain
		hops     int // the walk's relations kept
		complete bool
		strength Strength
		key      string // relationsKey's
	}
	var all []candidate
	seen := make(map[string]bool, len(found))
	for i := range found {
		f := &found[i]
		n, maximal := ConsistentPrefix(f.Relations), f.Maximal
		if n < len(f.Relations) {
			maximal = false
		}
		rel := func(i int) *Relation { return &f.Relations[i] }
		k := relationsKey(n, rel)
		if seen[k] {
			continue
		}
		seen[k] = true
		strength, _, _ := weigh(n, rel)
		if strength >= q.MinStrength {
			all = append(all, candidate{f: f, hops: n, strength: strength, key: k,
				complete: maximal && (!q.Up || ReachesTop(f.Kinds[:n+1]))})
		}
	}
	if len(found) > MaxChainScan {
		res.Truncated = true
		all = all[:min(len(all), MaxChainScan)]
	}
	slices.SortFunc(all, func(a, b candidate) int {
		return compareChains(a.complete, b.complete, a.strength, b.strength, a.hops, b.hops, a.key, b.key)
	})
	res.Total = len(all)
	if q.After >= len(all) {
		return res
	}
	end := min(q.After+q.First, len(all))
	res.Chains, res.HasNext = make([]Chain, 0, end-q.After), end < len(all)
	for _, cd := range all[q.After:end] {
		f, n := cd.f, cd.hops
		c := Chain{End: f.Nodes[n], Complete: cd.complete}
		if n > 0 {
			c.Hops = make([]Hop, n)
		}
		for i := range n {
			// Nodes[i] is nearer the root; the step from it went up or down.
			h := &c.Hops[i]
			*h = Hop{Relation: f.Relations[i], Upper: f.Nodes[i+1], Lower: f.Nodes[i], InForce: q.Time.Status(&f.Relations[i])}
			if !q.Up {
				h.Upper, h.Lower = h.Lower, h.Upper
			}
		}
		c.Weigh()
		res.Chains = append(res.Chains, c)
	}
	return res
}

// TopAuthorityKinds are the kinds at which a chain up is complete when no
// further step is possible: the central party and state bodies.
var TopAuthorityKinds = []Kind{"party_body", "state_body"}

// ReachesTop reports whether a maximal chain up whose entities have kinds
// (root first) ends at a top authority. A chain that stops at a province, a
// region or a person (a leader of some body, who answers to no one in the
// data) is a dead end: no source read says who answers for it.
func ReachesTop(kinds []Kind) bool {
	return len(kinds) > 0 && oneOf(kinds[len(kinds)-1], TopAuthorityKinds)
}

// Consistent reports whether a sequence of relations can be shown as holding
// together: no relation ends, by its stated validTo, before the evidence puts
// its neighbour in force (its stated start, or else the earliest date a
// source attests it). A pairing that ended in 2010 and a transfer that began
// in 2017 — or that no source shows before 2020 — make no chain of
// responsibility. A relation with no stated end, or a neighbour nothing
// dates, leaves the join open.
func Consistent(rels []Relation) bool { return ConsistentPrefix(rels) == len(rels) }

// ConsistentPrefix is how many relations of the sequence, from the first,
// can have held together (see Consistent).
func ConsistentPrefix(rels []Relation) int {
	endsBefore := func(a, b *Relation) bool {
		if a.ValidTo.IsZero() {
			return false
		}
		from := b.KnownFrom()
		return !from.IsZero() && a.ValidTo.End() < from.Start()
	}
	for i := 1; i < len(rels); i++ {
		if a, b := &rels[i-1], &rels[i]; endsBefore(a, b) || endsBefore(b, a) {
			return i
		}
	}
	return len(rels)
}

// PathMode chooses which paths to return.
type PathMode string

const (
	PathShortest    PathMode = "SHORTEST"
	PathAllShortest PathMode = "ALL_SHORTEST"
	PathKShortest   PathMode = "K_SHORTEST"
	PathAllSimple   PathMode = "ALL_SIMPLE"
)

// PathDirection says which way a path may follow relations.
type PathDirection string

const (
	// PathAny follows relations either way.
	PathAny PathDirection = "ANY"
	// PathForward follows each relation from its from-end to its to-end;
	// with responsibility only, each step goes from an entity to what it
	// answers for (the start answers for the end).
	PathForward PathDirection = "FORWARD"
	// PathBackward is the reverse (the end answers for the start).
	PathBackward PathDirection = "BACKWARD"
)

// PathQuery asks for paths between two entities.
type PathQuery struct {
	From, To  string
	Mode      PathMode
	MaxLength int
	Types     []string
	Time
	Direction PathDirection
	// ResponsibilityOnly follows only responsibility-bearing types, each
	// step the way responsibility runs (given by Direction).
	ResponsibilityOnly bool
	First              int
}

// Validate checks the query.
func (q PathQuery) Validate() error {
	if err := CheckEntityID(q.From); err != nil {
		return err
	}
	if err := CheckEntityID(q.To); err != nil {
		return err
	}
	if q.From == q.To {
		return Errorf(EBADINPUT, "from and to are the same entity")
	}
	switch q.Mode {
	case PathShortest, PathAllShortest, PathKShortest, PathAllSimple:
	default:
		return Errorf(EBADINPUT, "unknown path mode %q", q.Mode)
	}
	switch q.Direction {
	case PathAny, PathForward, PathBackward, "":
	default:
		return Errorf(EBADINPUT, "unknown path direction %q", q.Direction)
	}
	if err := PathLength.Check(q.MaxLength); err != nil {
		return err
	}
	if err := PathsFirst.Check(q.First); err != nil {
		return err
	}
	if err := CheckTypes(q.Types); err != nil {
		return err
	}
	if q.ResponsibilityOnly {
		for _, t := range q.Types {
			if rt, _ := LookupRelationType(t); rt.Responsibility == NoResponsibility {
				return Errorf(EBADINPUT, "%s does not carry responsibility: a responsibility-only path cannot follow it", t)
			}
		}
	}
	return nil
}

// Path is a path: entity ids from start to end and the relations between.
type Path struct {
	Nodes     []string
	Relations []Relation
}

// Strength is the path's evidence strength: its weakest relation's.
func (p Path) Strength() Strength {
	s := StrengthStrong
	for i := range p.Relations {
		s = min(s, p.Relations[i].Strength())
	}
	return s
}

// Responsibility reports whether the path is a line of responsibility: every
// relation carries responsibility and every step runs the same way (each
// entity answers for the next, or each for the one before).
func (p Path) Responsibility() bool {
	if len(p.Relations) == 0 {
		return false
	}
	down, up := true, true
	for i := range p.Relations {
		r := &p.Relations[i]
		t, ok := LookupRelationType(r.Type)
		if !ok || t.Responsibility == NoResponsibility {
			return false
		}
		upper := r.From
		if t.Responsibility == ToIsResponsible {
			upper = r.To
		}
		// Step i goes from Nodes[i] to Nodes[i+1].
		down = down && upper == p.Nodes[i]
		up = up && upper == p.Nodes[i+1]
	}
	return down || up
}

// ValidateNeighborhood checks a neighbourhood the API serves: around at
// least one entity, at most HoodLimit's Max entities. (An export may ask for
// the whole graph, and more entities: Validate(MaxExportLimit).)
func (q SubgraphQuery) ValidateNeighborhood() error {
	if len(q.IDs) == 0 {
		return Errorf(EBADINPUT, "ids must name at least one entity")
	}
	return q.Validate(HoodLimit.Max)
}

// Validate checks a neighbourhood query with maxLimit entities at most.
// Empty IDs mean the whole graph.
func (q SubgraphQuery) Validate(maxLimit int) error {
	if len(q.IDs) > MaxHoodIDs {
		return Errorf(ELIMIT, "ids may name at most %d entities", MaxHoodIDs)
	}
	for _, id := range q.IDs {
		if err := CheckEntityID(id); err != nil {
			return err
		}
	}
	if err := HoodDepth.Check(q.Depth); err != nil {
		return err
	}
	if err := HoodLimit.CheckMax(q.Limit, maxLimit); err != nil {
		return err
	}
	if err := CheckTypes(q.Types); err != nil {
		return err
	}
	return CheckKinds(q.Kinds)
}

// Claim is an entity or a relation that cites a source.
type Claim struct {
	Entity   *Entity
	Relation *Relation
}

// ID is the claim's id.
func (c Claim) ID() string {
	if c.Entity != nil {
		return c.Entity.ID
	}
	return c.Relation.ID
}

// ClaimPage is one source's page of claims.
type ClaimPage struct {
	Claims  []Claim
	HasNext bool
}

// RelationPage is one entity's page of relations.
type RelationPage struct {
	Relations []Relation
	HasNext   bool
}

// ReadService is everything the API reads. Anyone may call it. Each method
// returns BAD_USER_INPUT or LIMIT_EXCEEDED for arguments outside the rules
// above (callers validate first with the Validate methods), NOT_FOUND where
// it says so, and UNAVAILABLE when the database does not answer in time.
type ReadService interface {
	StatsService
	EntityService
	GraphService
	PlannedReads
	// Entities lists entities ordered by id after the cursor id `after`.
	Entities(ctx context.Context, f EntityFilter, first int, after string) (_ []Entity, hasNext bool, _ error)
	// Search finds entities by name, alias or Chinese name.
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
	// RelationPages returns, for each of q.IDs, its relations ordered by id
	// after `after`, at most first, in one round trip.
	RelationPages(ctx context.Context, q RelationQuery, first int, after string) (map[string]RelationPage, error)
	// Chains follows responsibility. Errors: NOT_FOUND for an unknown root.
	Chains(ctx context.Context, q ChainQuery) (*ChainResult, error)
	// Paths finds paths. Errors: NOT_FOUND for an unknown end.
	Paths(ctx context.Context, q PathQuery) ([]Path, error)
	// RelationByID returns one relation. Errors: NOT_FOUND.
	RelationByID(ctx context.Context, id string) (*Relation, error)
	// SourcesByID returns the stored sources among ids.
	SourcesByID(ctx context.Context, ids []string) (map[string]*Source, error)
	// Sources lists sources ordered by id after `after`; grade "" for all.
	Sources(ctx context.Context, grade Grade, first int, after string) (_ []Source, hasNext bool, _ error)
	// ClaimPages returns, for each of sourceIDs, the entities and relations
	// citing it ordered by id after `after`, at most first, in one round trip.
	ClaimPages(ctx context.Context, sourceIDs []string, first int, after string) (map[string]ClaimPage, error)
	// CounterClaims returns the counter-claims contesting each of ids
	// (relation or entity ids), oldest first, in one round trip.
	CounterClaims(ctx context.Context, ids []string) (map[string][]CounterClaim, error)
	// CounterClaimByID returns one counter-claim. Errors: NOT_FOUND.
	CounterClaimByID(ctx context.Context, id string) (*CounterClaim, error)
	// Exposure finds how an entity is linked to the pairing programme and
	// to designation lists. Errors: NOT_FOUND for an unknown entity.
	Exposure(ctx context.Context, q ExposureQuery) (*Exposure, error)
}
