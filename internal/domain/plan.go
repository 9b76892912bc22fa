package domain

import (
	"context"
	"slices"
	"strings"
)

// Plans. An API read answers with entities, relations or sources and, of
// each, with what its client asked for: relations of relations, the ends of
// relations, the sources citations name, counter-claims, history. A plan is
// that whole tree in domain terms, every argument checked by the rules
// below. The store answers a plan in one round trip and hands back what it
// fetched as a Fetched, keyed the way the API asks for it, so nothing more
// is read to answer.
//
// A nil plan means "nothing of it": a nil *EntityPlan for a relation's end
// leaves the end unfetched; an empty one fetches the end's own fields.

// Fields says which of an entity's or a relation's own fields a read
// wants. The store fetches those, and always the id (and a relation's type
// and ends); the others stay zero. A statement fetches the same fields of
// every entity (and of every relation) it reads, the union of what its plan
// wants, so that an item read twice reads the same.
type Fields uint32

// The own fields of entities and relations (some are only an entity's,
// some only a relation's).
const (
	FieldKind        Fields = 1 << iota // entity
	FieldName                           // entity
	FieldNameZh                         // entity
	FieldAliases                        // entity
	FieldDescription                    // entity
	FieldValidFrom
	FieldValidTo
	FieldQuantities
	FieldCitations
	FieldSynthetic
	FieldRetraction
	FieldConfidence // relation
	FieldInferred   // relation
	FieldBestGrade  // relation
	FieldContested  // relation
	FieldRole       // relation
	FieldAttributes // relation
	FieldNote       // relation

	// AllFields is every own field.
	AllFields = 1<<iota - 1

	// FieldKnownPeriod is a relation's known period as stored with it
	// (Relation.Known): not an own field but what KnownPeriod works out
	// from the dates and the citations, kept by every write. A rule that
	// needs only the period reads it instead of the citations, which carry
	// the quotes (a chain's relations are otherwise read mostly for them).
	FieldKnownPeriod Fields = 1 << iota
)

// What the domain's rules read of a relation.
const (
	// StrengthFields are what Relation.Strength reads.
	StrengthFields = FieldBestGrade | FieldConfidence | FieldInferred
	// ContestFields are what Relation.IsContested reads.
	ContestFields = FieldContested | FieldConfidence
	// KnownPeriodFields are what Relation.KnownPeriod (and InForceOn) reads:
	// the stated dates, and the known period as stored.
	KnownPeriodFields = FieldValidFrom | FieldValidTo | FieldKnownPeriod
	// WeighFields are what weighing a chain or a link and cutting it where
	// its hops cannot have held together (ConsistentPrefix, which reads the
	// known period: a neighbour's attestation dates count) read.
	WeighFields = StrengthFields | ContestFields | KnownPeriodFields
)

// RelationFields are the fields of a relation the rules of a traversal at
// time t read: weighing, and the known period when a date is asked.
func (t Time) RelationFields() Fields {
	if t.AsOf.IsZero() {
		return WeighFields
	}
	return WeighFields | KnownPeriodFields
}

// EntityPlan is what is wanted of an entity.
type EntityPlan struct {
	// Fields are the own fields wanted.
	Fields Fields
	// Relations are pages of its relations, one per distinct argument set.
	Relations []RelationsPlan
	// Sources, when set, fetches the sources its citations and quantities name.
	Sources *SourcePlan
	// CounterClaims, when set, fetches the counter-claims contesting it.
	CounterClaims *CounterClaimPlan
	// History lists the page sizes of audit history asked for.
	History []int
}

// RelationsPlan is one page of an entity's relations and what is wanted of
// each relation on it.
type RelationsPlan struct {
	Args RelationsArgs
	Each *RelationPlan // never nil
}

// RelationsArgs select a page of an entity's relations. Comparable: equal
// arguments are one page.
type RelationsArgs struct {
	Direction Direction
	// Types are registry type names, sorted, each once, joined by commas
	// ("" for all); see TypeList.
	Types string
	AsOf  PartialDate
	First int
	// After is the id after which the page starts ("" for the first page).
	After string
}

// NewRelationsArgs checks a relations page's arguments and applies the
// defaults (BOTH directions, every type).
func NewRelationsArgs(dir Direction, types []string, asOf PartialDate, first int, after string) (RelationsArgs, error) {
	if err := RelationsFirst.Check(first); err != nil {
		return RelationsArgs{}, err
	}
	if err := CheckTypes(types); err != nil {
		return RelationsArgs{}, err
	}
	switch dir {
	case "":
		dir = Both
	case Outgoing, Incoming, Both:
	default:
		return RelationsArgs{}, Errorf(EBADINPUT, "direction: OUT, IN or BOTH")
	}
	// One page whatever the order or repetition of the types asked.
	types = slices.Compact(slices.Sorted(slices.Values(types)))
	return RelationsArgs{Direction: dir, Types: strings.Join(types, ","), AsOf: asOf, First: first, After: after}, nil
}

// TypeList is the types as a list (nil for every type).
func (a RelationsArgs) TypeList() []string {
	if a.Types == "" {
		return nil
	}
	return strings.Split(a.Types, ",")
}

// Query is the relation query of the page for the entities ids.
func (a RelationsArgs) Query(ids ...string) RelationQuery {
	return RelationQuery{IDs: ids, Direction: a.Direction, Types: a.TypeList(), Time: Time{AsOf: a.AsOf}}
}

// RelationPlan is what is wanted of a relation.
type RelationPlan struct {
	// Fields are the own fields wanted.
	Fields        Fields
	From, To      *EntityPlan
	Sources       *SourcePlan
	CounterClaims *CounterClaimPlan
	History       []int
}

// SourcePlan is what is wanted of a source beyond its own fields.
type SourcePlan struct {
	Claims  []ClaimsPlan
	History []int
}

// ClaimsPlan is one page of the claims citing a source and what is wanted
// of each.
type ClaimsPlan struct {
	Args     ClaimsArgs
	Entity   *EntityPlan   // never nil
	Relation *RelationPlan // never nil
}

// ClaimsArgs select a page of a source's claims.
type ClaimsArgs struct {
	First int
	After string // the claim id after which the page starts
}

// NewClaimsArgs checks a claims page's arguments.
func NewClaimsArgs(first int, after string) (ClaimsArgs, error) {
	if err := ClaimsFirst.Check(first); err != nil {
		return ClaimsArgs{}, err
	}
	return ClaimsArgs{First: first, After: after}, nil
}

// CounterClaimPlan is what is wanted of counter-claims beyond their own fields.
type CounterClaimPlan struct {
	// By, when set, fetches the entity that makes it.
	By *EntityPlan
	// Sources, when set, fetches the sources its citations name.
	Sources *SourcePlan
}

// CheckHistory checks a history page size.
func CheckHistory(first int) error { return HistoryFirst.Check(first) }

// ResultPlan is what is wanted of the entities and relations a traversal's
// answer names (chains, exposure links, paths, neighbourhoods).
type ResultPlan struct {
	// Root is what is wanted of the entity the traversal starts from.
	Root *EntityPlan
	// Entities is what is wanted of every entity the answer names (nil:
	// they are not fetched; a neighbourhood's entities always are).
	Entities *EntityPlan
	// Relations is what is wanted of every relation the answer names
	// beyond its own fields, which the answer always carries.
	Relations *RelationPlan
}

// Merging: a selection may ask for the same thing twice (aliases,
// fragments); plans merge so that it is fetched once with everything
// either asked. Each Merge returns the union (p itself when q adds nothing
// new to it; a new plan when p is nil).

// Merge returns the union of p and q.
func (p *EntityPlan) Merge(q *EntityPlan) *EntityPlan {
	if q == nil {
		return p
	}
	if p == nil {
		p = &EntityPlan{}
	}
	p.Fields |= q.Fields
	for _, r := range q.Relations {
		p.AddRelations(r.Args, r.Each)
	}
	p.Sources = p.Sources.Merge(q.Sources)
	p.CounterClaims = p.CounterClaims.Merge(q.CounterClaims)
	p.History = mergeSizes(p.History, q.History...)
	return p
}

// AddRelations asks for the page args, with each relation on it planned by
// each (merged into the page already asked with the same arguments).
func (p *EntityPlan) AddRelations(args RelationsArgs, each *RelationPlan) {
	for i := range p.Relations {
		if p.Relations[i].Args == args {
			p.Relations[i].Each = p.Relations[i].Each.Merge(each)
			return
		}
	}
	p.Relations = append(p.Relations, RelationsPlan{Args: args, Each: (*RelationPlan)(nil).Merge(each)})
}

// Merge returns the union of p and q.
func (p *RelationPlan) Merge(q *RelationPlan) *RelationPlan {
	if p == nil {
		p = &RelationPlan{}
	}
	if q == nil {
		return p
	}
	p.Fields |= q.Fields
	p.From = p.From.Merge(q.From)
	p.To = p.To.Merge(q.To)
	p.Sources = p.Sources.Merge(q.Sources)
	p.CounterClaims = p.CounterClaims.Merge(q.CounterClaims)
	p.History = mergeSizes(p.History, q.History...)
	return p
}

// Merge returns the union of p and q.
func (p *SourcePlan) Merge(q *SourcePlan) *SourcePlan {
	if q == nil {
		return p
	}
	if p == nil {
		p = &SourcePlan{}
	}
	for _, c := range q.Claims {
		p.AddClaims(c.Args, c.Entity, c.Relation)
	}
	p.History = mergeSizes(p.History, q.History...)
	return p
}

// AddClaims asks for the claims page args, each claim planned by e or r.
func (p *SourcePlan) AddClaims(args ClaimsArgs, e *EntityPlan, r *RelationPlan) {
	for i := range p.Claims {
		if p.Claims[i].Args == args {
			p.Claims[i].Entity = p.Claims[i].Entity.Merge(e)
			p.Claims[i].Relation = p.Claims[i].Relation.Merge(r)
			return
		}
	}
	p.Claims = append(p.Claims, ClaimsPlan{Args: args, Entity: (&EntityPlan{}).Merge(e), Relation: (*RelationPlan)(nil).Merge(r)})
}

// Merge returns the union of p and q.
func (p *CounterClaimPlan) Merge(q *CounterClaimPlan) *CounterClaimPlan {
	if q == nil {
		return p
	}
	if p == nil {
		p = &CounterClaimPlan{}
	}
	p.By = p.By.Merge(q.By)
	p.Sources = p.Sources.Merge(q.Sources)
	return p
}

// Merge returns the union of p and q.
func (p ResultPlan) Merge(q ResultPlan) ResultPlan {
	return ResultPlan{Root: p.Root.Merge(q.Root), Entities: p.Entities.Merge(q.Entities), Relations: mergeRelationPlan(p.Relations, q.Relations)}
}

// mergeRelationPlan is Merge for optional relation plans (nil and nil stay nil).
func mergeRelationPlan(p, q *RelationPlan) *RelationPlan {
	if p == nil && q == nil {
		return nil
	}
	return p.Merge(q)
}

// AddHistory asks for a history page of first events.
func AddHistory(sizes []int, first int) []int { return mergeSizes(sizes, first) }

func mergeSizes(sizes []int, more ...int) []int {
	for _, n := range more {
		if !slices.Contains(sizes, n) {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// Fetched is what the store read for a plan, keyed by what asked for it.
// A key present with a nil value (or an empty list) was asked for and does
// not exist; an absent key was not asked for.
type Fetched struct {
	Entities      map[string]*Entity
	Sources       map[string]*Source
	Relations     map[RelationsKey]RelationPage
	Claims        map[ClaimsKey]ClaimPage
	CounterClaims map[string][]CounterClaim // by the id of the claim contested
	History       map[HistoryKey][]AuditEvent
}

// RelationsKey names one entity's page of relations.
type RelationsKey struct {
	Entity string
	RelationsArgs
}

// ClaimsKey names one source's page of claims.
type ClaimsKey struct {
	Source string
	ClaimsArgs
}

// HistoryKey names one claim's page of audit history.
type HistoryKey struct {
	ID    string
	First int
}

// NewFetched returns an empty Fetched.
func NewFetched() *Fetched {
	return &Fetched{
		Entities: map[string]*Entity{}, Sources: map[string]*Source{},
		Relations: map[RelationsKey]RelationPage{}, Claims: map[ClaimsKey]ClaimPage{},
		CounterClaims: map[string][]CounterClaim{}, History: map[HistoryKey][]AuditEvent{},
	}
}

// SourceIDs lists, once each, the sources citations and quantities name.
func SourceIDs(cs []Citation, qs []Quantity) []string {
	out := make([]string, 0, len(cs)+len(qs))
	for _, c := range cs {
		if !slices.Contains(out, c.SourceID) {
			out = append(out, c.SourceID)
		}
	}
	for _, q := range qs {
		if q.Source != "" && !slices.Contains(out, q.Source) {
			out = append(out, q.Source)
		}
	}
	return out
}

// PlannedReads answer each read of the API together with what its plan
// asks of the results, in one round trip each. Anyone may call them; they
// return the errors of the plain reads of the same name (callers validate
// queries first) and what they fetched for the plan.
type PlannedReads interface {
	// ReadEntity reads one entity. Errors: NOT_FOUND.
	ReadEntity(ctx context.Context, id string, want *EntityPlan) (*Entity, *Fetched, error)
	// ReadRelation reads one relation. Errors: NOT_FOUND.
	ReadRelation(ctx context.Context, id string, want *RelationPlan) (*Relation, *Fetched, error)
	// ReadSource reads one source. Errors: NOT_FOUND.
	ReadSource(ctx context.Context, id string, want *SourcePlan) (*Source, *Fetched, error)
	// ReadCounterClaim reads one counter-claim. Errors: NOT_FOUND.
	ReadCounterClaim(ctx context.Context, id string, want *CounterClaimPlan) (*CounterClaim, *Fetched, error)
	// ReadEntities is Entities with a plan for each entity listed.
	ReadEntities(ctx context.Context, f EntityFilter, first int, after string, want *EntityPlan) (_ []Entity, hasNext bool, _ *Fetched, _ error)
	// ReadSources is Sources with a plan for each source listed.
	ReadSources(ctx context.Context, grade Grade, first int, after string, want *SourcePlan) (_ []Source, hasNext bool, _ *Fetched, _ error)
	// ReadSearch is Search with a plan for each entity found.
	ReadSearch(ctx context.Context, q SearchQuery, want *EntityPlan) ([]SearchHit, *Fetched, error)
	// ReadChains is Chains with a plan for the root, the chains' entities
	// and their relations.
	ReadChains(ctx context.Context, q ChainQuery, want ResultPlan) (*ChainResult, *Fetched, error)
	// ReadExposure is Exposure with a plan for the root, the links'
	// entities and their relations.
	ReadExposure(ctx context.Context, q ExposureQuery, want ResultPlan) (*Exposure, *Fetched, error)
	// ReadPaths is Paths with a plan for the paths' entities and relations.
	ReadPaths(ctx context.Context, q PathQuery, want ResultPlan) ([]Path, *Fetched, error)
	// ReadNeighborhood is Neighborhood with a plan for its entities and
	// relations (Root is not used).
	ReadNeighborhood(ctx context.Context, q SubgraphQuery, want ResultPlan) (*Subgraph, *Fetched, error)
}
