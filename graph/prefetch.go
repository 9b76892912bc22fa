package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/graph/scalars"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// Prefetching: a root resolver knows every object it returns, and the
// query says what the client wants of them. Before it returns, the root
// resolver walks the selection set level by level and fetches, for all
// objects of a level at once, what the nested resolvers will ask for
// (relation pages, relation ends, cited sources, history), priming the
// request's loaders. The nested resolvers then find everything in the
// loaders' caches.
//
// The number of round trips therefore depends only on the query's shape
// (one per level and kind of lookup), never on how many results there are
// or on goroutine scheduling, and no resolver waits for a batch window.
// The loaders stay as the fallback for what is not prefetched (the fields
// of mutation results) and for fields whose arguments are invalid: their
// resolvers report the error as before.

// The GraphQL object types a selection set can apply to, as gqlgen's
// executor collects them (a type, the interfaces it implements, its unions).
var (
	entityTypes             = []string{"Entity", "Node", "Claim"}
	relationTypes           = []string{"Relation", "Node", "Claim"}
	sourceTypes             = []string{"Source", "Node"}
	citationTypes           = []string{"Citation"}
	relationConnectionTypes = []string{"RelationConnection"}
	relationEdgeTypes       = []string{"RelationEdge"}
	claimConnectionTypes    = []string{"ClaimConnection"}
	claimEdgeTypes          = []string{"ClaimEdge"}
	sourceConnectionTypes   = []string{"SourceConnection"}
	sourceEdgeTypes         = []string{"SourceEdge"}
	entityConnectionTypes   = []string{"EntityConnection"}
	entityEdgeTypes         = []string{"EntityEdge"}
	searchHitTypes          = []string{"SearchHit"}
	chainResultTypes        = []string{"ChainResult"}
	chainTypes              = []string{"Chain"}
	hopTypes                = []string{"Hop"}
	pathTypes               = []string{"Path"}
	graphTypes              = []string{"Graph"}
)

// need is one object whose fields a selection set asks for.
type need[T any] struct {
	obj T
	sel ast.SelectionSet
}

type prefetch struct {
	r  *Resolver
	l  *loaders
	op *graphql.OperationContext

	entities  []need[string] // entity ids, fetched if not known
	relations []need[*domain.Relation]
	sources   []need[string]

	known   map[string]*domain.Entity
	srcs    map[string]*domain.Source
	history map[int]map[string]bool // first -> ids
}

func (r *Resolver) newPrefetch(ctx context.Context) *prefetch {
	var op *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		op = graphql.GetOperationContext(ctx)
	}
	return &prefetch{
		r: r, l: r.loaders(ctx), op: op,
		known: map[string]*domain.Entity{}, srcs: map[string]*domain.Source{}, history: map[int]map[string]bool{},
	}
}

// selections is what the client selected under the field being resolved.
func selections(ctx context.Context) ast.SelectionSet {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		return fc.Field.Selections
	}
	return nil
}

// fields collects the fields sel selects on an object of the given types
// (none outside a GraphQL operation, e.g. a resolver called directly).
func (p *prefetch) fields(sel ast.SelectionSet, types []string) []graphql.CollectedField {
	if p.op == nil || len(sel) == 0 {
		return nil
	}
	return graphql.CollectFields(p.op, sel, types)
}

// under returns the selection sets reached from sel by following the named
// fields, each step collected for the given types (aliases and fragments
// can select the same field several times).
func (p *prefetch) under(sel ast.SelectionSet, types []string, name string, more ...any) []ast.SelectionSet {
	var out []ast.SelectionSet
	for _, f := range p.fields(sel, types) {
		if f.Name != name || len(f.Selections) == 0 {
			continue
		}
		if len(more) == 0 {
			out = append(out, f.Selections)
			continue
		}
		out = append(out, p.under(f.Selections, more[0].([]string), more[1].(string), more[2:]...)...)
	}
	return out
}

// entity asks for what sel selects of entity id (fetching it if unknown).
func (p *prefetch) entity(id string, sels ...ast.SelectionSet) {
	for _, s := range sels {
		p.entities = append(p.entities, need[string]{id, s})
	}
	if len(sels) == 0 {
		p.entities = append(p.entities, need[string]{id, nil})
	}
}

// give records entities the caller already holds.
func (p *prefetch) give(es ...*domain.Entity) {
	for _, e := range es {
		p.known[e.ID] = e
		p.l.entities.Prime(e.ID, e)
	}
}

func (p *prefetch) relation(rel *domain.Relation, sels ...ast.SelectionSet) {
	for _, s := range sels {
		p.relations = append(p.relations, need[*domain.Relation]{rel, s})
	}
}

func (p *prefetch) source(id string, sels ...ast.SelectionSet) {
	for _, s := range sels {
		p.sources = append(p.sources, need[string]{id, s})
	}
	if len(sels) == 0 {
		p.sources = append(p.sources, need[string]{id, nil})
	}
}

// run fetches level by level until nothing more is selected. A level is
// the entities and relations reached so far, then the sources they cite
// or the root names; what those select (relations' ends, claims) is the
// next level.
func (p *prefetch) run(ctx context.Context) error {
	for len(p.entities)+len(p.relations)+len(p.sources) > 0 {
		ents, rels := dedupe(p.entities, func(id string) string { return id }), p.relations
		p.entities, p.relations = nil, nil
		if err := p.fetchEntities(ctx, ents); err != nil {
			return err
		}
		more, err := p.entityFields(ctx, ents)
		if err != nil {
			return err
		}
		rels = append(rels, more...)
		for _, n := range dedupe(rels, func(r *domain.Relation) string { return r.ID }) {
			p.relationFields(n)
		}
		srcs := p.sources
		p.sources = nil
		if err := p.sourceLevel(ctx, srcs); err != nil {
			return err
		}
		if err := p.fetchHistory(ctx); err != nil {
			return err
		}
	}
	return nil
}

// batch gathers, per set of field arguments, the objects that ask for the
// field (fetched together in one query) and the selection sets of what
// they ask of the field's items.
type batch[K comparable] struct {
	order []K
	by    map[K]*batchGroup
}

type batchGroup struct {
	ids  []string
	seen map[string]bool
	subs []need[string] // object id -> selection set of its items
}

func (b *batch[K]) add(args K, id string, subs []ast.SelectionSet) {
	if b.by == nil {
		b.by = map[K]*batchGroup{}
	}
	g := b.by[args]
	if g == nil {
		g = &batchGroup{seen: map[string]bool{}}
		b.by[args] = g
		b.order = append(b.order, args)
	}
	if !g.seen[id] {
		g.seen[id] = true
		g.ids = append(g.ids, id)
	}
	for _, s := range subs {
		g.subs = append(g.subs, need[string]{id, s})
	}
}

// dedupe drops repeated (object, selection set) pairs.
func dedupe[T any](ns []need[T], id func(T) string) []need[T] {
	type key struct {
		id  string
		sel *ast.Selection
		n   int
	}
	seen := make(map[key]bool, len(ns))
	out := ns[:0:0]
	for _, n := range ns {
		k := key{id: id(n.obj), n: len(n.sel)}
		if len(n.sel) > 0 {
			k.sel = &n.sel[0]
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// unknown lists, once each, the ids of ns that known does not hold.
func unknown[T any](ns []need[string], known map[string]*T) []string {
	var out []string
	asked := map[string]bool{}
	for _, n := range ns {
		if known[n.obj] == nil && !asked[n.obj] {
			asked[n.obj] = true
			out = append(out, n.obj)
		}
	}
	return out
}

func (p *prefetch) fetchEntities(ctx context.Context, ns []need[string]) error {
	missing := unknown(ns, p.known)
	if len(missing) == 0 {
		return nil
	}
	got, err := p.r.Read.EntitiesByID(ctx, missing)
	if err != nil {
		return err
	}
	for _, e := range got {
		if e != nil {
			p.give(e)
		}
	}
	return nil
}

// entityFields prefetches relations, cited sources and history of the
// entities; it returns the relations fetched with what is selected of them.
func (p *prefetch) entityFields(ctx context.Context, ns []need[string]) ([]need[*domain.Relation], error) {
	var groups batch[relKey]
	for _, n := range ns {
		e := p.known[n.obj]
		if e == nil || len(n.sel) == 0 {
			continue // not found: the resolver reports it
		}
		for _, f := range p.fields(n.sel, entityTypes) {
			switch f.Name {
			case "relations":
				key, ok := p.relationsKey(e.ID, f)
				if !ok {
					continue
				}
				groups.add(key.args(), e.ID, p.under(f.Selections, relationConnectionTypes, "edges", relationEdgeTypes, "node"))
			case "citations":
				p.citations(e.Citations, f.Selections)
			case "history":
				p.wantHistory(e.ID, f)
			}
		}
	}
	var out []need[*domain.Relation]
	for _, args := range groups.order {
		g := groups.by[args]
		q := domain.RelationQuery{Direction: args.Direction, Time: args.Time, IDs: g.ids, Types: splitTypes(args.Types)}
		pages, err := p.r.Read.RelationPages(ctx, q, args.First, args.After)
		if err != nil {
			return nil, err
		}
		for _, id := range g.ids {
			k := args
			k.ID = id
			p.l.relations.Prime(k, pages[id])
		}
		for _, s := range g.subs {
			page := pages[s.obj]
			for i := range page.Relations {
				out = append(out, need[*domain.Relation]{&page.Relations[i], s.sel})
			}
		}
	}
	return out, nil
}

// relationFields queues the ends, cited sources and history of a relation.
func (p *prefetch) relationFields(n need[*domain.Relation]) {
	for _, f := range p.fields(n.sel, relationTypes) {
		switch f.Name {
		case "from":
			p.entity(n.obj.From, f.Selections)
		case "to":
			p.entity(n.obj.To, f.Selections)
		case "citations":
			p.citations(n.obj.Citations, f.Selections)
		case "history":
			p.wantHistory(n.obj.ID, f)
		}
	}
}

func (p *prefetch) citations(cs []domain.Citation, sel ast.SelectionSet) {
	for _, s := range p.under(sel, citationTypes, "source") {
		for _, c := range cs {
			p.source(c.SourceID, s)
		}
	}
}

func (p *prefetch) wantHistory(id string, f graphql.CollectedField) {
	if p.r.Write == nil {
		return
	}
	args, ok := argMap(f, p.op.Variables)
	if !ok {
		return
	}
	first, ok := optInt(args["first"])
	if !ok {
		return
	}
	key, err := historyKeyOf(id, first)
	if err != nil {
		return
	}
	if p.history[key.First] == nil {
		p.history[key.First] = map[string]bool{}
	}
	p.history[key.First][id] = true
}

func (p *prefetch) fetchHistory(ctx context.Context) error {
	for first, set := range p.history {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		h, err := p.r.Write.History(ctx, ids, first)
		if err != nil {
			return err
		}
		for _, id := range ids {
			events := h[id]
			if events == nil {
				events = []domain.AuditEvent{}
			}
			p.l.history.Prime(historyKey{ID: id, First: first}, events)
		}
	}
	clear(p.history)
	return nil
}

// sourceLevel fetches the sources of a level that are not known yet, then
// prefetches what is selected of them: claims (whose entities and relations
// are the next level) and history.
func (p *prefetch) sourceLevel(ctx context.Context, ns []need[string]) error {
	if missing := unknown(ns, p.srcs); len(missing) > 0 {
		got, err := p.r.Read.SourcesByID(ctx, missing)
		if err != nil {
			return err
		}
		for id, s := range got {
			if s != nil {
				p.srcs[id] = s
				p.l.sources.Prime(id, s)
			}
		}
	}
	var groups batch[claimKey]
	for _, n := range dedupe(ns, func(id string) string { return id }) {
		if p.srcs[n.obj] == nil {
			continue // not found: the resolver reports it
		}
		for _, f := range p.fields(n.sel, sourceTypes) {
			switch f.Name {
			case "history":
				p.wantHistory(n.obj, f)
			case "claims":
				args, ok := argMap(f, p.op.Variables)
				if !ok {
					continue
				}
				first, ok := optInt(args["first"])
				if !ok {
					continue
				}
				after, ok := stringArg(args["after"])
				if !ok {
					continue
				}
				key, err := claimsKeyOf(n.obj, first, after)
				if err != nil {
					continue
				}
				key.ID = ""
				groups.add(key, n.obj, p.under(f.Selections, claimConnectionTypes, "edges", claimEdgeTypes, "node"))
			}
		}
	}
	for _, args := range groups.order {
		g := groups.by[args]
		pages, err := p.r.Read.ClaimPages(ctx, g.ids, args.First, args.After)
		if err != nil {
			return err
		}
		for _, id := range g.ids {
			k := args
			k.ID = id
			p.l.claims.Prime(k, pages[id])
		}
		for _, s := range g.subs {
			page := pages[s.obj]
			for i := range page.Claims {
				c := page.Claims[i]
				if c.Entity != nil {
					p.give(c.Entity)
					p.entity(c.Entity.ID, s.sel)
				} else {
					p.relation(c.Relation, s.sel)
				}
			}
		}
	}
	return nil
}

// relationsKey reads a relations field's arguments as its resolver will.
func (p *prefetch) relationsKey(id string, f graphql.CollectedField) (relKey, bool) {
	args, ok := argMap(f, p.op.Variables)
	if !ok {
		return relKey{}, false
	}
	var dir *domain.Direction
	if v, ok := args["direction"].(string); ok {
		d := domain.Direction(v)
		dir = &d
	} else if args["direction"] != nil {
		return relKey{}, false
	}
	var types []model.RelationType
	for _, t := range graphql.CoerceList(args["types"]) { // one value stands for a list of one
		var rt model.RelationType
		if err := rt.UnmarshalGQL(t); err != nil {
			return relKey{}, false
		}
		types = append(types, rt)
	}
	var asOf *domain.PartialDate
	if v := args["asOf"]; v != nil {
		d, err := scalars.UnmarshalPartialDate(v)
		if err != nil {
			return relKey{}, false
		}
		asOf = &d
	}
	first, ok := optInt(args["first"])
	if !ok {
		return relKey{}, false
	}
	after, ok := stringArg(args["after"])
	if !ok {
		return relKey{}, false
	}
	key, err := relationsKey(id, dir, types, asOf, first, after)
	return key, err == nil
}

// argMap is the field's arguments with defaults and variables applied.
func argMap(f graphql.CollectedField, vars map[string]any) (args map[string]any, ok bool) {
	if f.Definition == nil {
		return nil, false
	}
	defer func() {
		if recover() != nil { // gqlparser panics on values validation let through
			args, ok = nil, false
		}
	}()
	return f.ArgumentMap(vars), true
}

// optInt reads an Int argument as gqlgen's generated code does.
func optInt(v any) (*int, bool) {
	if v == nil {
		return nil, true
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// stringArg reads a String argument (nil when absent or null).
func stringArg(v any) (*string, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return &x, true
	}
	return nil, false
}

// errNotFound is the NOT_FOUND a root field answers for a missing entity.
func errNotFound(id string) error {
	return domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
}

// The root fields' side: each gives the prefetch what it holds and what was
// selected of it, runs it, and builds its answer.

// rootEntity answers a root field naming one entity.
func (r *Resolver) rootEntity(ctx context.Context, id string) (*model.Entity, error) {
	p := r.newPrefetch(ctx)
	p.entity(id, selections(ctx))
	if err := p.run(ctx); err != nil {
		return nil, err
	}
	e := p.known[id]
	if e == nil {
		return nil, errNotFound(id)
	}
	return toEntity(e), nil
}

// rootSource answers a root field naming one source.
func (r *Resolver) rootSource(ctx context.Context, id string) (*model.Source, error) {
	p := r.newPrefetch(ctx)
	p.source(id, selections(ctx))
	if err := p.run(ctx); err != nil {
		return nil, err
	}
	s := p.srcs[id]
	if s == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "no source with id %q", id)
	}
	return toSource(s), nil
}

// prefetchRelation prefetches what is selected of a relation a root field returns.
func (r *Resolver) prefetchRelation(ctx context.Context, rel *domain.Relation) error {
	p := r.newPrefetch(ctx)
	p.relation(rel, selections(ctx))
	return p.run(ctx)
}

// prefetchEntities prefetches what is selected of entities a root field
// returns, reached from its selection by path (see under).
func (r *Resolver) prefetchEntities(ctx context.Context, es []domain.Entity, types []string, name string, more ...any) error {
	p := r.newPrefetch(ctx)
	sels := p.under(selections(ctx), types, name, more...)
	for i := range es {
		p.give(&es[i])
		for _, s := range sels {
			p.entity(es[i].ID, s)
		}
	}
	return p.run(ctx)
}

// chainEntities says which entities of chains a query selects.
type chainEntities struct{ root, end, upper, lower bool }

// prefetchChains fetches the entities of chains that are selected and
// prefetches what is selected of them and of the hops' relations.
func (r *Resolver) prefetchChains(ctx context.Context, res *domain.ChainResult) (map[string]*domain.Entity, chainEntities, error) {
	p := r.newPrefetch(ctx)
	sel := selections(ctx)
	roots := p.under(sel, chainResultTypes, "root")
	for _, s := range roots {
		p.entity(res.Root, s)
	}
	chains := p.under(sel, chainResultTypes, "chains")
	var ends, uppers, lowers, rels []ast.SelectionSet
	for _, cs := range chains {
		ends = append(ends, p.under(cs, chainTypes, "end")...)
		for _, hs := range p.under(cs, chainTypes, "hops") {
			uppers = append(uppers, p.under(hs, hopTypes, "upper")...)
			lowers = append(lowers, p.under(hs, hopTypes, "lower")...)
			rels = append(rels, p.under(hs, hopTypes, "relation")...)
		}
	}
	for i := range res.Chains {
		c := &res.Chains[i]
		for _, s := range ends {
			p.entity(c.End, s)
		}
		for j := range c.Hops {
			h := &c.Hops[j]
			for _, s := range uppers {
				p.entity(h.Upper, s)
			}
			for _, s := range lowers {
				p.entity(h.Lower, s)
			}
			p.relation(&h.Relation, rels...)
		}
	}
	if err := p.run(ctx); err != nil {
		return nil, chainEntities{}, err
	}
	return p.known, chainEntities{len(roots) > 0, len(ends) > 0, len(uppers) > 0, len(lowers) > 0}, nil
}

// prefetchPaths fetches the paths' entities and prefetches what is selected
// of them and of the paths' relations.
func (r *Resolver) prefetchPaths(ctx context.Context, paths []domain.Path) (map[string]*domain.Entity, error) {
	p := r.newPrefetch(ctx)
	sel := selections(ctx)
	nodes := p.under(sel, pathTypes, "nodes")
	rels := p.under(sel, pathTypes, "relations")
	for i := range paths {
		for _, id := range paths[i].Nodes {
			p.entity(id, nodes...)
		}
		for j := range paths[i].Relations {
			p.relation(&paths[i].Relations[j], rels...)
		}
	}
	if err := p.run(ctx); err != nil {
		return nil, err
	}
	return p.known, nil
}

// prefetchSources prefetches what is selected of the sources a listing
// returns (they are known: not fetched again).
func (r *Resolver) prefetchSources(ctx context.Context, ss []domain.Source) error {
	p := r.newPrefetch(ctx)
	sels := p.under(selections(ctx), sourceConnectionTypes, "edges", sourceEdgeTypes, "node")
	for i := range ss {
		p.srcs[ss[i].ID] = &ss[i]
		p.l.sources.Prime(ss[i].ID, &ss[i])
		for _, s := range sels {
			p.source(ss[i].ID, s)
		}
	}
	return p.run(ctx)
}

// prefetchGraph prefetches what is selected of a neighbourhood.
func (r *Resolver) prefetchGraph(ctx context.Context, g *domain.Subgraph) error {
	p := r.newPrefetch(ctx)
	sel := selections(ctx)
	nodes := p.under(sel, graphTypes, "nodes")
	for i := range g.Entities {
		p.give(&g.Entities[i])
		for _, s := range nodes {
			p.entity(g.Entities[i].ID, s)
		}
	}
	for _, s := range p.under(sel, graphTypes, "edges") {
		for i := range g.Relations {
			p.relation(&g.Relations[i], s)
		}
	}
	return p.run(ctx)
}
