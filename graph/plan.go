package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// Planning. Each root field reads its whole answer in one statement: its
// resolver asks the planner what the field's selection wants (a domain
// plan: relations of relations, ends, cited sources, counter-claims,
// history, with their arguments checked by the domain's rules), the store
// answers the plan in one round trip, and what it fetched (a
// domain.Fetched) serves every nested resolver of the field (answers.go).
//
// The planner walks the selection the way gqlgen's executor will: fields
// are collected with graphql.CollectFields for each object type and the
// names it satisfies (itself, its interfaces, its unions), read from the
// executable schema; arguments are parsed by gqlgen's generated code
// (argReader). What each field of each type means for the plan is declared
// once, in the rules tables below: a field is either planned (its rule says
// what it adds to the plan) or computed in Go from the object its parent
// built (nothing to fetch). TestPlanRulesCoverSchema walks the executable
// schema and fails when a field of a planned type is in neither list, or
// when a listed field is not in the schema: renaming a field fails it.

// executable is the schema the planner reads types from.
var executable = generated.NewExecutableSchema(generated.Config{})

// satisfiedBy lists, for each object type, the type conditions a selection
// may use for it, as the executor collects fields: the type, its
// interfaces and the unions it belongs to.
var satisfiedBy = func() map[string][]string {
	s := executable.Schema()
	out := map[string][]string{}
	for name, def := range s.Types {
		if def.Kind != ast.Object {
			continue
		}
		names := []string{name}
		for _, i := range s.GetImplements(def) {
			names = append(names, i.Name)
		}
		out[name] = names
	}
	return out
}()

// rules say, for one object type, what each field adds to a plan of type P.
type rules[P any] struct {
	typ string
	// planned fields, and what each adds to the plan.
	planned map[string]func(pl *planner, p P, f graphql.CollectedField)
	// computed fields: computed in Go from the object the parent built,
	// from the own fields of an entity or relation given here (for the
	// types whose plans say which own fields they want: own is set).
	computed map[string]domain.Fields
	own      func(p P) *domain.Fields
}

func (r *rules[P]) typeName() string { return r.typ }
func (r *rules[P]) fieldNames() (planned, computed []string) {
	for name := range r.planned {
		planned = append(planned, name)
	}
	for name := range r.computed {
		computed = append(computed, name)
	}
	return planned, computed
}

// declared is what TestPlanRulesCoverSchema checks of each rules table.
type declared interface {
	typeName() string
	fieldNames() (planned, computed []string)
}

// planner turns the selections of one root field into plans.
type planner struct {
	ctx     context.Context
	op      *graphql.OperationContext
	args    *argReader
	history bool // whether history can be served (a write service is set)
}

func (r *Resolver) planner(ctx context.Context) *planner {
	pl := &planner{ctx: ctx, history: r.Write != nil}
	if graphql.HasOperationContext(ctx) {
		pl.op = graphql.GetOperationContext(ctx)
	}
	return pl
}

// selections is what the client selected under the field being resolved.
func selections(ctx context.Context) ast.SelectionSet {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		return fc.Field.Selections
	}
	return nil
}

// walk applies rs to the fields sel selects on an object of rs's type.
func walk[P any](pl *planner, rs *rules[P], sel ast.SelectionSet, p P) P {
	if pl.op == nil || len(sel) == 0 {
		return p
	}
	for _, f := range graphql.CollectFields(pl.op, sel, satisfiedBy[rs.typ]) {
		if apply := rs.planned[f.Name]; apply != nil {
			apply(pl, p, f)
		} else if rs.own != nil {
			*rs.own(p) |= rs.computed[f.Name]
		}
	}
	return p
}

// The rules refer to each other (an entity's relations have entities at
// their ends, which have relations): the walks reach the four item types'
// rules through these, set once the tables exist.
var (
	entityTable       *rules[*domain.EntityPlan]
	relationTable     *rules[*domain.RelationPlan]
	sourceTable       *rules[*domain.SourcePlan]
	counterClaimTable *rules[*domain.CounterClaimPlan]
)

func init() {
	entityTable, relationTable, sourceTable, counterClaimTable = &entityRules, &relationRules, &sourceRules, &counterClaimRules
}

func (pl *planner) entity(sel ast.SelectionSet) *domain.EntityPlan {
	return walk(pl, entityTable, sel, &domain.EntityPlan{})
}

func (pl *planner) relation(sel ast.SelectionSet) *domain.RelationPlan {
	return walk(pl, relationTable, sel, &domain.RelationPlan{})
}

func (pl *planner) source(sel ast.SelectionSet) *domain.SourcePlan {
	return walk(pl, sourceTable, sel, &domain.SourcePlan{})
}

func (pl *planner) counterClaim(sel ast.SelectionSet) *domain.CounterClaimPlan {
	return walk(pl, counterClaimTable, sel, &domain.CounterClaimPlan{})
}

// result plans a traversal's answer (chains, exposure, paths, graph).
func (pl *planner) result(rs *rules[*domain.ResultPlan], sel ast.SelectionSet) domain.ResultPlan {
	return *walk(pl, rs, sel, &domain.ResultPlan{})
}

// historyOf adds a history field to sizes (unless its argument is invalid:
// the resolver then reports it, or history cannot be served here).
func (pl *planner) historyOf(typ string, sizes []int, f graphql.CollectedField) []int {
	a, ok := pl.argsOf(typ, f)
	if !ok || !pl.history {
		return sizes
	}
	first, err := historyFirst(a.first)
	if err != nil {
		return sizes
	}
	return domain.AddHistory(sizes, first)
}

// sourcesOf plans the sources that a claim's citations or quantities name.
func (pl *planner) sourcesOf(rs *rules[**domain.SourcePlan], sources *domain.SourcePlan, f graphql.CollectedField) *domain.SourcePlan {
	return *walk(pl, rs, f.Selections, &sources)
}

var entityRules = rules[*domain.EntityPlan]{
	typ: "Entity",
	planned: map[string]func(*planner, *domain.EntityPlan, graphql.CollectedField){
		"relations": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			a, ok := pl.argsOf("Entity", f)
			if !ok {
				return
			}
			args, err := relationsArgs(a.direction, a.types, a.asOf, a.first, a.after)
			if err != nil {
				return // the resolver reports it
			}
			p.AddRelations(args, walk(pl, &relationConnectionRules, f.Selections, &domain.RelationPlan{}))
		},
		"citations": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			p.Fields |= domain.FieldCitations
			p.Sources = pl.sourcesOf(&citationRules, p.Sources, f)
		},
		"quantities": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			p.Fields |= domain.FieldQuantities
			p.Sources = pl.sourcesOf(&quantityRules, p.Sources, f)
		},
		"counterClaims": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			p.CounterClaims = p.CounterClaims.Merge(pl.counterClaim(f.Selections))
		},
		"history": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			p.History = pl.historyOf("Entity", p.History, f)
		},
	},
	computed: map[string]domain.Fields{
		"id": 0, "kind": domain.FieldKind, "name": domain.FieldName, "nameZh": domain.FieldNameZh, "aliases": domain.FieldAliases,
		"description": domain.FieldDescription, "validFrom": domain.FieldValidFrom, "validTo": domain.FieldValidTo,
		"synthetic": domain.FieldSynthetic, "retraction": domain.FieldRetraction,
	},
	own: func(p *domain.EntityPlan) *domain.Fields { return &p.Fields },
}

var relationRules = rules[*domain.RelationPlan]{
	typ: "Relation",
	planned: map[string]func(*planner, *domain.RelationPlan, graphql.CollectedField){
		"from": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.From = p.From.Merge(pl.entity(f.Selections))
		},
		"to": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.To = p.To.Merge(pl.entity(f.Selections))
		},
		"citations": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.Fields |= domain.FieldCitations
			p.Sources = pl.sourcesOf(&citationRules, p.Sources, f)
		},
		"quantities": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.Fields |= domain.FieldQuantities
			p.Sources = pl.sourcesOf(&quantityRules, p.Sources, f)
		},
		"counterClaims": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.CounterClaims = p.CounterClaims.Merge(pl.counterClaim(f.Selections))
		},
		"history": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.History = pl.historyOf("Relation", p.History, f)
		},
	},
	computed: map[string]domain.Fields{
		"id": 0, "type": 0, "responsibility": 0, "fromId": 0, "toId": 0,
		"validFrom": domain.FieldValidFrom, "validTo": domain.FieldValidTo,
		"knownFrom": domain.KnownPeriodFields, "knownTo": domain.KnownPeriodFields, "dated": domain.KnownPeriodFields, "inForce": domain.KnownPeriodFields,
		"confidence": domain.FieldConfidence, "inferred": domain.FieldInferred, "bestGrade": domain.FieldBestGrade,
		"strength": domain.StrengthFields, "contested": domain.ContestFields, "role": domain.FieldRole,
		"attributes": domain.FieldAttributes, "note": domain.FieldNote, "synthetic": domain.FieldSynthetic, "retraction": domain.FieldRetraction,
	},
	own: func(p *domain.RelationPlan) *domain.Fields { return &p.Fields },
}

var sourceRules = rules[*domain.SourcePlan]{
	typ: "Source",
	planned: map[string]func(*planner, *domain.SourcePlan, graphql.CollectedField){
		"claims": func(pl *planner, p *domain.SourcePlan, f graphql.CollectedField) {
			a, ok := pl.argsOf("Source", f)
			if !ok {
				return
			}
			args, err := claimsArgs(a.first, a.after)
			if err != nil {
				return // the resolver reports it
			}
			w := walk(pl, &claimConnectionRules, f.Selections, &claimsWant{})
			p.AddClaims(args, w.entity, w.relation)
		},
		"history": func(pl *planner, p *domain.SourcePlan, f graphql.CollectedField) {
			p.History = pl.historyOf("Source", p.History, f)
		},
	},
	computed: map[string]domain.Fields{"id": 0, "title": 0, "publisher": 0, "mirrorOf": 0, "url": 0, "document": 0, "published": 0, "type": 0, "grade": 0, "note": 0},
}

var counterClaimRules = rules[*domain.CounterClaimPlan]{
	typ: "CounterClaim",
	planned: map[string]func(*planner, *domain.CounterClaimPlan, graphql.CollectedField){
		"by": func(pl *planner, p *domain.CounterClaimPlan, f graphql.CollectedField) {
			p.By = p.By.Merge(pl.entity(f.Selections))
		},
		"citations": func(pl *planner, p *domain.CounterClaimPlan, f graphql.CollectedField) {
			p.Sources = pl.sourcesOf(&citationRules, p.Sources, f)
		},
	},
	computed: map[string]domain.Fields{"id": 0, "kind": 0, "contestsId": 0, "date": 0, "statement": 0},
}

// Citations and quantities name sources of the claim that holds them: their
// source fields plan the claim's cited sources.

func planCitedSource(pl *planner, p **domain.SourcePlan, f graphql.CollectedField) {
	*p = (*p).Merge(pl.source(f.Selections))
}

var citationRules = rules[**domain.SourcePlan]{
	typ:      "Citation",
	planned:  map[string]func(*planner, **domain.SourcePlan, graphql.CollectedField){"source": planCitedSource},
	computed: map[string]domain.Fields{"quote": 0, "locator": 0, "attests": 0},
}

var quantityRules = rules[**domain.SourcePlan]{
	typ:      "Quantity",
	planned:  map[string]func(*planner, **domain.SourcePlan, graphql.CollectedField){"source": planCitedSource},
	computed: map[string]domain.Fields{"name": 0, "value": 0, "unit": 0},
}

// Connections: the plan of their items.

var relationConnectionRules = rules[*domain.RelationPlan]{
	typ: "RelationConnection",
	planned: map[string]func(*planner, *domain.RelationPlan, graphql.CollectedField){
		"edges": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			walk(pl, &relationEdgeRules, f.Selections, p)
		},
	},
	computed: map[string]domain.Fields{"pageInfo": 0},
}

var relationEdgeRules = rules[*domain.RelationPlan]{
	typ: "RelationEdge",
	planned: map[string]func(*planner, *domain.RelationPlan, graphql.CollectedField){
		"node": func(pl *planner, p *domain.RelationPlan, f graphql.CollectedField) {
			p.Merge(pl.relation(f.Selections))
		},
	},
	computed: map[string]domain.Fields{"cursor": 0},
}

// claimsWant is what is wanted of the claims of a page: a claim is an
// entity or a relation.
type claimsWant struct {
	entity   *domain.EntityPlan
	relation *domain.RelationPlan
}

var claimConnectionRules = rules[*claimsWant]{
	typ: "ClaimConnection",
	planned: map[string]func(*planner, *claimsWant, graphql.CollectedField){
		"edges": func(pl *planner, w *claimsWant, f graphql.CollectedField) { walk(pl, &claimEdgeRules, f.Selections, w) },
	},
	computed: map[string]domain.Fields{"pageInfo": 0},
}

var claimEdgeRules = rules[*claimsWant]{
	typ: "ClaimEdge",
	planned: map[string]func(*planner, *claimsWant, graphql.CollectedField){
		"node": func(pl *planner, w *claimsWant, f graphql.CollectedField) {
			w.entity = w.entity.Merge(pl.entity(f.Selections))
			w.relation = w.relation.Merge(pl.relation(f.Selections))
		},
	},
	computed: map[string]domain.Fields{"cursor": 0},
}

var entityConnectionRules = rules[*domain.EntityPlan]{
	typ: "EntityConnection",
	planned: map[string]func(*planner, *domain.EntityPlan, graphql.CollectedField){
		"edges": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) {
			walk(pl, &entityEdgeRules, f.Selections, p)
		},
	},
	computed: map[string]domain.Fields{"pageInfo": 0},
}

var entityEdgeRules = rules[*domain.EntityPlan]{
	typ: "EntityEdge",
	planned: map[string]func(*planner, *domain.EntityPlan, graphql.CollectedField){
		"node": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) { p.Merge(pl.entity(f.Selections)) },
	},
	computed: map[string]domain.Fields{"cursor": 0},
}

var sourceConnectionRules = rules[*domain.SourcePlan]{
	typ: "SourceConnection",
	planned: map[string]func(*planner, *domain.SourcePlan, graphql.CollectedField){
		"edges": func(pl *planner, p *domain.SourcePlan, f graphql.CollectedField) {
			walk(pl, &sourceEdgeRules, f.Selections, p)
		},
	},
	computed: map[string]domain.Fields{"pageInfo": 0},
}

var sourceEdgeRules = rules[*domain.SourcePlan]{
	typ: "SourceEdge",
	planned: map[string]func(*planner, *domain.SourcePlan, graphql.CollectedField){
		"node": func(pl *planner, p *domain.SourcePlan, f graphql.CollectedField) { p.Merge(pl.source(f.Selections)) },
	},
	computed: map[string]domain.Fields{"cursor": 0},
}

var searchHitRules = rules[*domain.EntityPlan]{
	typ: "SearchHit",
	planned: map[string]func(*planner, *domain.EntityPlan, graphql.CollectedField){
		"entity": func(pl *planner, p *domain.EntityPlan, f graphql.CollectedField) { p.Merge(pl.entity(f.Selections)) },
	},
	computed: map[string]domain.Fields{"score": 0, "match": 0},
}

// Traversals: their entities and relations.

func planRoot(pl *planner, p *domain.ResultPlan, f graphql.CollectedField) {
	p.Root = p.Root.Merge(pl.entity(f.Selections))
}

func planEntities(pl *planner, p *domain.ResultPlan, f graphql.CollectedField) {
	p.Entities = p.Entities.Merge(pl.entity(f.Selections))
}

func planRelations(pl *planner, p *domain.ResultPlan, f graphql.CollectedField) {
	p.Relations = p.Relations.Merge(pl.relation(f.Selections))
}

func into(rs *rules[*domain.ResultPlan]) func(*planner, *domain.ResultPlan, graphql.CollectedField) {
	return func(pl *planner, p *domain.ResultPlan, f graphql.CollectedField) { walk(pl, rs, f.Selections, p) }
}

type resultRules = map[string]func(*planner, *domain.ResultPlan, graphql.CollectedField)

var chainResultRules = rules[*domain.ResultPlan]{
	typ:      "ChainResult",
	planned:  resultRules{"root": planRoot, "chains": into(&chainRules)},
	computed: map[string]domain.Fields{"direction": 0, "totalCount": 0, "truncated": 0, "pageInfo": 0},
}

var chainRules = rules[*domain.ResultPlan]{
	typ:      "Chain",
	planned:  resultRules{"hops": into(&hopRules), "end": planEntities},
	computed: map[string]domain.Fields{"complete": 0, "strength": 0, "weakestHop": 0, "contested": 0},
}

var hopRules = rules[*domain.ResultPlan]{
	typ:      "Hop",
	planned:  resultRules{"relation": planRelations, "upper": planEntities, "lower": planEntities},
	computed: map[string]domain.Fields{"inForce": 0},
}

var exposureRules = rules[*domain.ResultPlan]{
	typ:      "Exposure",
	planned:  resultRules{"root": planRoot, "links": into(&exposureLinkRules)},
	computed: map[string]domain.Fields{"totalCount": 0, "truncated": 0},
}

var exposureLinkRules = rules[*domain.ResultPlan]{
	typ:      "ExposureLink",
	planned:  resultRules{"target": planEntities, "steps": into(&stepRules)},
	computed: map[string]domain.Fields{"reason": 0, "strength": 0, "weakestStep": 0, "contested": 0},
}

var stepRules = rules[*domain.ResultPlan]{
	typ:      "Step",
	planned:  resultRules{"relation": planRelations, "start": planEntities, "end": planEntities},
	computed: map[string]domain.Fields{"inForce": 0},
}

var pathRules = rules[*domain.ResultPlan]{
	typ:      "Path",
	planned:  resultRules{"nodes": planEntities, "relations": planRelations},
	computed: map[string]domain.Fields{"length": 0, "strength": 0, "responsibility": 0},
}

var graphRules = rules[*domain.ResultPlan]{
	typ:      "Graph",
	planned:  resultRules{"nodes": planEntities, "edges": planRelations},
	computed: map[string]domain.Fields{"asOf": 0, "truncated": 0},
}

// Types whose fields are all computed.
var (
	pageInfoRules   = rules[struct{}]{typ: "PageInfo", computed: map[string]domain.Fields{"hasNextPage": 0, "endCursor": 0}}
	retractionRules = rules[struct{}]{typ: "Retraction", computed: map[string]domain.Fields{"reason": 0, "at": 0, "by": 0}}
	attributeRules  = rules[struct{}]{typ: "Attribute", computed: map[string]domain.Fields{"key": 0, "value": 0}}
	auditEventRules = rules[struct{}]{typ: "AuditEvent", computed: map[string]domain.Fields{"id": 0, "at": 0, "actor": 0, "action": 0, "reason": 0, "before": 0, "after": 0}}
)

// queryRules declares the root fields: planned ones read their whole answer
// with one planned statement; the others are served by their own resolvers
// as they are (stats: its own statement; relationTypes: the registry).
var queryRules = rules[struct{}]{
	typ: "Query",
	planned: map[string]func(*planner, struct{}, graphql.CollectedField){
		"node": nil, "entity": nil, "entities": nil, "search": nil, "responsibilityChain": nil,
		"exposure": nil, "paths": nil, "neighborhood": nil, "source": nil, "sources": nil,
	},
	computed: map[string]domain.Fields{"stats": 0, "relationTypes": 0},
}

// planRules lists every rules table.
var planRules = []declared{
	&queryRules, &entityRules, &relationRules, &sourceRules, &counterClaimRules, &citationRules, &quantityRules,
	&relationConnectionRules, &relationEdgeRules, &claimConnectionRules, &claimEdgeRules,
	&entityConnectionRules, &entityEdgeRules, &sourceConnectionRules, &sourceEdgeRules, &searchHitRules,
	&chainResultRules, &chainRules, &hopRules, &exposureRules, &exposureLinkRules, &stepRules, &pathRules, &graphRules,
	&pageInfoRules, &retractionRules, &attributeRules, &auditEventRules,
}

// argReader parses field arguments with gqlgen's generated code: the
// executable schema's Complexity parses a field's raw arguments exactly as
// the executor will before calling its resolver (defaults, variables,
// coercion), then hands them, typed, to the complexity function of the
// field, which keeps them here.
type argReader struct {
	es  graphql.ExecutableSchema
	got fieldArgs
}

// fieldArgs are the arguments of the planned fields that take any.
type fieldArgs struct {
	direction *domain.Direction
	types     []model.RelationType
	asOf      *domain.PartialDate
	first     *int
	after     *string
}

func newArgReader() *argReader {
	a := &argReader{}
	var c generated.Config
	c.Complexity.Entity.Relations = func(_ int, direction *domain.Direction, types []model.RelationType, asOf *domain.PartialDate, first *int, after *string) int {
		a.got = fieldArgs{direction: direction, types: types, asOf: asOf, first: first, after: after}
		return 0
	}
	history := func(_ int, first *int) int {
		a.got = fieldArgs{first: first}
		return 0
	}
	c.Complexity.Entity.History, c.Complexity.Relation.History, c.Complexity.Source.History = history, history, history
	c.Complexity.Source.Claims = func(_ int, first *int, after *string) int {
		a.got = fieldArgs{first: first, after: after}
		return 0
	}
	a.es = generated.NewExecutableSchema(c)
	return a
}

// argsOf parses the arguments of field f of type typ; ok is false when
// they do not parse (the field's resolver then reports why).
func (pl *planner) argsOf(typ string, f graphql.CollectedField) (_ fieldArgs, ok bool) {
	if f.Definition == nil {
		return fieldArgs{}, false
	}
	defer func() {
		if recover() != nil { // gqlparser panics on values validation let through
			ok = false
		}
	}()
	if pl.args == nil {
		pl.args = newArgReader()
	}
	a := pl.args
	a.got = fieldArgs{}
	_, ok = a.es.Complexity(pl.ctx, typ, f.Name, 0, f.ArgumentMap(pl.op.Variables))
	return a.got, ok
}
