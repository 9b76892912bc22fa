// Package model holds the GraphQL-side types: hand-written ones for the
// types whose fields are resolved lazily (entities, relations, citations,
// sources) and gqlgen's generated ones for the rest.
package model

import "github.com/aidtrace/aidtrace/internal/domain"

// Entity is an entity as the API shows it; relations are resolved on demand.
type Entity struct {
	ID          string
	Kind        domain.Kind
	Name        string
	NameZh      *string
	Aliases     []string
	Description *string
	ValidFrom   *domain.PartialDate
	ValidTo     *domain.PartialDate
	Quantities  []Quantity
	Citations   []Citation
	Synthetic   bool
	Retraction  *domain.Retraction
}

func (Entity) IsNode()               {}
func (c CounterClaim) GetID() string { return c.ID }
func (CounterClaim) IsNode()         {}
func (e Entity) GetID() string       { return e.ID }
func (Entity) IsClaim()              {}
func (r Relation) GetID() string     { return r.ID }
func (Relation) IsNode()             {}
func (Relation) IsClaim()            {}
func (s Source) GetID() string       { return s.ID }
func (Source) IsNode()               {}

// Relation is a relation as the API shows it; its ends are resolved on demand.
type Relation struct {
	ID             string
	Type           RelationType
	Responsibility Responsibility
	FromID         string
	ToID           string
	ValidFrom      *domain.PartialDate
	ValidTo        *domain.PartialDate
	KnownFrom      *domain.PartialDate
	KnownTo        *domain.PartialDate
	Dated          bool
	Confidence     domain.Confidence
	Inferred       bool
	BestGrade      *domain.Grade
	Strength       Strength
	Contested      bool
	Role           *string
	Quantities     []Quantity
	Attributes     []Attribute
	Note           *string
	Citations      []Citation
	Synthetic      bool
	Retraction     *domain.Retraction
}

// Citation names its source by id; the source is resolved on demand.
type Citation struct {
	SourceID string
	Quote    *string
	Locator  *string
	Attests  *domain.PartialDate
}

// Quantity is a figure; the source that gives it is resolved on demand.
type Quantity struct {
	Name     string
	Value    float64
	Unit     *string
	SourceID string
}

// CounterClaim is a counter-claim; who makes it is resolved on demand.
type CounterClaim struct {
	ID         string
	Kind       domain.CounterClaimKind
	ContestsID string
	ByID       string
	Date       *domain.PartialDate
	Statement  string
	Citations  []Citation
}

// Source is a source as the API shows it; its claims are resolved on demand.
type Source struct {
	ID        string
	Title     string
	Publisher *string
	MirrorOf  *string
	URL       *string
	Document  *string
	Published *domain.PartialDate
	Type      domain.SourceType
	Grade     domain.Grade
	Note      *string
}

// Hop is one step of a chain: the relation, and which end answers for which.
// The entities are filled in by the responsibilityChain resolver from its
// planned read, when the query selects them (plain fields: no resolver
// goroutine per hop).
type Hop struct {
	Relation Relation
	UpperID  string
	LowerID  string
	Upper    *Entity
	Lower    *Entity
	InForce  *domain.InForce
}

// Chain is one chain of hops.
type Chain struct {
	Hops       []Hop
	EndID      string
	End        *Entity
	Complete   bool
	Strength   Strength
	WeakestHop int
	Contested  bool
}

// ChainResult is the answer to responsibilityChain.
type ChainResult struct {
	RootID     string
	Root       *Entity
	Direction  ChainDirection
	Chains     []Chain
	TotalCount int
	Truncated  bool
	PageInfo   PageInfo
}

// Path is a path between two entities.
type Path struct {
	Length         int
	Nodes          []Entity
	Relations      []Relation
	Strength       Strength
	Responsibility bool
}

// Exposure is the answer to exposure; its entities are filled in by the
// resolver.
type Exposure struct {
	Root       *Entity
	Links      []ExposureLink
	TotalCount int
	Truncated  bool
}

// ExposureLink is one link of an exposure.
type ExposureLink struct {
	Target      *Entity
	Reason      domain.ExposureReason
	Steps       []Step
	Strength    Strength
	WeakestStep int
	Contested   bool
}

// Step is one relation of an exposure link, walked from Start to End.
type Step struct {
	Relation Relation
	Start    *Entity
	End      *Entity
	InForce  *domain.InForce
}

// SearchHit is one hit of a search.
type SearchHit struct {
	Entity Entity
	Score  float64
	Match  MatchKind
}
