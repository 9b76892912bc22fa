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

func (Entity) IsNode()           {}
func (e Entity) GetID() string   { return e.ID }
func (Entity) IsClaim()          {}
func (r Relation) GetID() string { return r.ID }
func (Relation) IsNode()         {}
func (Relation) IsClaim()        {}
func (s Source) GetID() string   { return s.ID }
func (Source) IsNode()           {}

// Relation is a relation as the API shows it; its ends are resolved on demand.
type Relation struct {
	ID             string
	Type           RelationType
	Responsibility Responsibility
	FromID         string
	ToID           string
	ValidFrom      *domain.PartialDate
	ValidTo        *domain.PartialDate
	Confidence     domain.Confidence
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
}

// Source is a source as the API shows it; its claims are resolved on demand.
type Source struct {
	ID        string
	Title     string
	Publisher *string
	URL       *string
	Published *domain.PartialDate
	Type      domain.SourceType
	Grade     domain.Grade
	Note      *string
}

// Hop is one step of a chain: the relation, and which end answers for which.
// The entities are filled in by the responsibilityChain resolver, which
// prefetches them, when the query selects them (plain fields: no resolver
// goroutine per hop).
type Hop struct {
	Relation Relation
	UpperID  string
	LowerID  string
	Upper    *Entity
	Lower    *Entity
}

// Chain is one chain of hops.
type Chain struct {
	Hops     []Hop
	EndID    string
	End      *Entity
	Complete bool
}

// ChainResult is the answer to responsibilityChain.
type ChainResult struct {
	RootID    string
	Root      *Entity
	Direction ChainDirection
	Chains    []Chain
	Truncated bool
}

// Path is a path between two entities.
type Path struct {
	Length    int
	Nodes     []Entity
	Relations []Relation
}

// SearchHit is one hit of a search.
type SearchHit struct {
	Entity Entity
	Score  float64
	Match  MatchKind
}
