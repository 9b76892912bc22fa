package domain

import "context"

// Count is a number of things of one key (a kind, a type, a grade).
type Count struct {
	Key   string
	Count int
}

// Stats are the graph's totals.
type Stats struct {
	Entities        int
	Relations       int
	Sources         int
	EntitiesByKind  []Count
	RelationsByType []Count
	SourcesByGrade  []Count
}

// StatsService reports the graph's totals.
type StatsService interface {
	// Stats counts entities by kind, relations by type and sources by grade.
	// Anyone may call it. Errors: UNAVAILABLE when the database is down.
	Stats(ctx context.Context) (*Stats, error)
}

// LoadSummary counts what a load did, per key ("source", an entity kind, or
// a relation type).
type LoadSummary struct {
	Created   map[string]int
	Updated   map[string]int
	Unchanged map[string]int
	// Kept counts claims that differ from the files but were changed
	// through the API since: a load leaves an editor's work alone.
	Kept map[string]int
}

// Progress is told how many items of how many a long operation has done.
type Progress func(done, total int)

// LoadService writes a validated dataset.
type LoadService interface {
	// Migrate creates constraints and indexes; it is idempotent.
	Migrate(ctx context.Context) error
	// Load upserts the dataset in batched transactions: loading the same
	// data twice changes nothing. The caller validates first. Errors:
	// UNAVAILABLE; BAD_USER_INPUT when a relation names an entity that is
	// neither in the dataset nor stored.
	Load(ctx context.Context, d *Dataset, progress Progress) (*LoadSummary, error)
	// KnownIDs describes those ids that are stored: entities by kind,
	// sources (KindSource) with their grade and date, relations
	// (KindRelation).
	KnownIDs(ctx context.Context, ids []string) (map[string]Known, error)
}

// Direction selects relations by which end an entity stands at.
type Direction string

const (
	Outgoing Direction = "OUT"  // the entity is the relation's from-end
	Incoming Direction = "IN"   // the entity is the relation's to-end
	Both     Direction = "BOTH" // either
)

// RelationQuery selects the relations around a set of entities.
type RelationQuery struct {
	IDs       []string
	Direction Direction
	Types     []string // empty: all types
	Time               // zero AsOf: any date
}

// EntityService reads entities and their relations.
type EntityService interface {
	// Entity returns one entity. Errors: NOT_FOUND, UNAVAILABLE.
	Entity(ctx context.Context, id string) (*Entity, error)
	// EntitiesByID returns the stored entities among ids, keyed by id
	// (missing ids are absent). For batching. Errors: UNAVAILABLE.
	EntitiesByID(ctx context.Context, ids []string) (map[string]*Entity, error)
	// Relations returns the relations around q.IDs, sorted by type, then id.
	// Errors: BAD_USER_INPUT for unknown types; UNAVAILABLE.
	Relations(ctx context.Context, q RelationQuery) ([]Relation, error)
}

// Subgraph is a set of entities, the relations among them and the sources
// their citations name: the shape of neighbourhoods, chains, paths and exports.
type Subgraph struct {
	Entities  []Entity
	Relations []Relation
	Sources   []Source
	// Truncated is true when a limit cut the result short.
	Truncated bool
}

// SubgraphQuery selects a neighbourhood: the entities within Depth hops of
// IDs (the whole graph when IDs is empty), over relations of Types (all when
// empty), keeping entities of Kinds (all when empty), active on AsOf, at most
// Limit entities.
type SubgraphQuery struct {
	IDs   []string
	Depth int
	Types []string
	Kinds []Kind
	Time
	Limit int
}

// GraphService returns graph-shaped results.
type GraphService interface {
	// Neighborhood returns the subgraph around q.IDs. Anyone may call it.
	// Errors: BAD_USER_INPUT (unknown types or kinds), NOT_FOUND (no such
	// start entity), LIMIT_EXCEEDED (depth or limit above the caps), UNAVAILABLE.
	Neighborhood(ctx context.Context, q SubgraphQuery) (*Subgraph, error)
}
