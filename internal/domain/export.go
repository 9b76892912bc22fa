package domain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Exports. An export is a file of a subgraph for a graph tool; which
// subgraph is a query of the domain's, read through the ReadService, and
// the formats (internal/export) only write what it returns. The HTTP
// endpoint and the command line read the query from the same named
// parameters (ParseExportQuery).

// ExportQuery says which subgraph to export: a chain (Chain set), paths (From
// and To set), or else the neighbourhood of IDs (the whole graph when IDs
// is empty).
type ExportQuery struct {
	IDs   []string
	Depth int
	Types []string
	Kinds []Kind
	AsOf  PartialDate
	Limit int // most entities of a neighbourhood; 0: MaxExportLimit

	Chain string // export the responsibility chains from this entity
	Down  bool   // with Chain: follow responsibility down instead of up

	From, To string // export the (up to 5) shortest paths between these
}

// ExportPaths is how many shortest paths a paths export holds.
const ExportPaths = 5

// Exports chooses and reads the subgraph of an export.
type Exports struct {
	Read ReadService
}

// Subgraph reads the subgraph q asks for, with the sources its citations
// name. Errors: those of the reads it makes (NOT_FOUND for an unknown
// entity, LIMIT_EXCEEDED past MaxExportLimit entities, UNAVAILABLE).
func (x Exports) Subgraph(ctx context.Context, q ExportQuery) (*Subgraph, error) {
	svc := x.Read
	limit := q.Limit
	if limit == 0 {
		limit = MaxExportLimit
	}
	var g *Subgraph
	switch {
	case q.Chain != "":
		res, err := svc.Chains(ctx, ChainQuery{ID: q.Chain, Up: !q.Down, Time: Time{AsOf: q.AsOf}, MaxDepth: MaxChainDepth, Types: q.Types, First: ChainsFirst.Max})
		if err != nil {
			return nil, err
		}
		ids := map[string]bool{q.Chain: true}
		var rels []Relation
		for _, c := range res.Chains {
			for _, h := range c.Hops {
				ids[h.Upper], ids[h.Lower] = true, true
				rels = append(rels, h.Relation)
			}
		}
		if g, err = assemble(ctx, svc, ids, rels); err != nil {
			return nil, err
		}
		g.Truncated = res.Truncated
	case q.From != "" || q.To != "":
		paths, err := svc.Paths(ctx, PathQuery{From: q.From, To: q.To, Mode: PathKShortest, MaxLength: MaxPathLength, Types: q.Types, Time: Time{AsOf: q.AsOf}, First: ExportPaths})
		if err != nil {
			return nil, err
		}
		ids := map[string]bool{q.From: true, q.To: true}
		var rels []Relation
		for _, p := range paths {
			for _, id := range p.Nodes {
				ids[id] = true
			}
			rels = append(rels, p.Relations...)
		}
		if g, err = assemble(ctx, svc, ids, rels); err != nil {
			return nil, err
		}
	default:
		sq := SubgraphQuery{IDs: q.IDs, Depth: q.Depth, Types: q.Types, Kinds: q.Kinds, Time: Time{AsOf: q.AsOf}, Limit: limit}
		if err := sq.Validate(MaxExportLimit); err != nil {
			return nil, err
		}
		var err error
		if g, err = svc.Neighborhood(ctx, sq); err != nil {
			return nil, err
		}
	}
	return g, addSources(ctx, svc, g)
}

// assemble builds a subgraph from entity ids and relations (deduplicated).
func assemble(ctx context.Context, svc ReadService, ids map[string]bool, rels []Relation) (*Subgraph, error) {
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Strings(list)
	es, err := svc.EntitiesByID(ctx, list)
	if err != nil {
		return nil, err
	}
	g := &Subgraph{}
	for _, id := range list {
		if e, ok := es[id]; ok {
			g.Entities = append(g.Entities, *e)
		}
	}
	seen := map[string]bool{}
	for _, r := range rels {
		if !seen[r.ID] {
			seen[r.ID] = true
			g.Relations = append(g.Relations, r)
		}
	}
	return g, nil
}

// CounterClaims reads the counter-claims that contest g's entities and
// relations, and adds the sources they cite to g.Sources.
func (x Exports) CounterClaims(ctx context.Context, g *Subgraph) (map[string][]CounterClaim, error) {
	svc := x.Read
	ids := make([]string, 0, len(g.Entities)+len(g.Relations))
	for _, e := range g.Entities {
		ids = append(ids, e.ID)
	}
	for _, r := range g.Relations {
		ids = append(ids, r.ID)
	}
	ccs, err := svc.CounterClaims(ctx, ids)
	if err != nil {
		return nil, err
	}
	var cited []Citation
	for _, list := range ccs {
		for _, cc := range list {
			cited = append(cited, cc.Citations...)
		}
	}
	return ccs, addSources(ctx, svc, g, cited...)
}

// addSources fills g.Sources with every source a citation in g (or in
// more) names.
func addSources(ctx context.Context, svc ReadService, g *Subgraph, more ...Citation) error {
	want := map[string]bool{}
	for _, c := range more {
		want[c.SourceID] = true
	}
	for _, e := range g.Entities {
		for _, c := range e.Citations {
			want[c.SourceID] = true
		}
	}
	for _, r := range g.Relations {
		for _, c := range r.Citations {
			want[c.SourceID] = true
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	srcs, err := svc.SourcesByID(ctx, ids)
	if err != nil {
		return err
	}
	g.Sources = g.Sources[:0]
	for _, id := range ids {
		if s, ok := srcs[id]; ok {
			g.Sources = append(g.Sources, *s)
		}
	}
	return nil
}

// SplitList splits a comma-separated list, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Elements reads exactly the entities ids and the relations edges (each
// between two of ids), with the sources their citations name: what a view
// draws. Errors: NOT_FOUND for an id the graph does not hold,
// BAD_USER_INPUT for an edge whose end is not among the entities.
func (x Exports) Elements(ctx context.Context, ids, edges []string) (*Subgraph, error) {
	svc := x.Read
	es, err := svc.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	g := &Subgraph{Entities: make([]Entity, 0, len(ids))}
	var missing []string
	for _, id := range ids {
		if e, ok := es[id]; ok {
			g.Entities = append(g.Entities, *e)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, notFound("entity", missing)
	}
	if len(edges) > 0 {
		want := make(map[string]bool, len(edges))
		for _, e := range edges {
			want[e] = true
		}
		// Every edge starts at a drawn node, so the relations leaving the
		// drawn nodes hold them all.
		rels, err := svc.Relations(ctx, RelationQuery{IDs: ids, Direction: Outgoing})
		if err != nil {
			return nil, err
		}
		found := map[string]bool{}
		for _, r := range rels {
			if !want[r.ID] || found[r.ID] {
				continue
			}
			found[r.ID] = true
			if _, ok := es[r.To]; !ok {
				return nil, Errorf(EBADINPUT, "edge %s ends at %s, which is not among the nodes", r.ID, r.To)
			}
			g.Relations = append(g.Relations, r)
		}
		for _, e := range edges {
			if !found[e] {
				missing = append(missing, e)
			}
		}
		if len(missing) > 0 {
			// Either no such relation, or it does not start at a drawn node:
			// look the first one up to say which.
			r, err := svc.RelationByID(ctx, missing[0])
			if err == nil {
				end := r.From
				if _, ok := es[end]; ok {
					end = r.To
				}
				return nil, Errorf(EBADINPUT, "edge %s joins %s, which is not among the nodes", r.ID, end)
			}
			if ErrorCode(err) != ENOTFOUND {
				return nil, err
			}
			return nil, notFound("relation", missing)
		}
	}
	return g, addSources(ctx, svc, g)
}

func notFound(what string, ids []string) error {
	sort.Strings(ids)
	more := ""
	if len(ids) > 5 {
		more = fmt.Sprintf(" and %d more", len(ids)-5)
		ids = ids[:5]
	}
	return Errorf(ENOTFOUND, "no %s %s%s", what, strings.Join(ids, ", "), more)
}

// ExportParam is one export parameter: the same name in an HTTP query string
// (/export/{format}?name=value) and, as a flag, on the command line.
type ExportParam struct {
	Name  string // HTTP name
	Flag  string // command-line flag name
	Usage string
}

var exportParams = []ExportParam{
	{"ids", "ids", "comma-separated entity ids: their neighbourhood (none of ids, chain, from/to: the whole graph)"},
	{"depth", "depth", fmt.Sprintf("hops around ids, %d to %d (default %d)", HoodDepth.Min, HoodDepth.Max, HoodDepth.Default)},
	{"kinds", "kinds", "with ids or the whole graph: only entities of these comma-separated kinds"},
	{"limit", "limit", "with ids or the whole graph: at most this many entities"},
	{"chain", "chain", "the responsibility chains from this entity"},
	{"direction", "direction", "with chain: UP (default) or DOWN"},
	{"from", "from", "with to: the shortest paths between two entities"},
	{"to", "to", "with from"},
	{"types", "types", "only relations of these comma-separated types"},
	{"asOf", "as-of", "only relations in force on this date: YYYY, YYYY-MM or YYYY-MM-DD"},
}

// ExportParams returns the export parameters, in a stable order.
func ExportParams() []ExportParam { return slices.Clone(exportParams) }

// ParseExportQuery reads export parameters, by their HTTP names, from v (a URL
// query, or the flags the command line was given). It is the one reading
// of them for the HTTP endpoint and the command line. An unknown or
// repeated parameter, a malformed value and a mix of modes (ids with chain,
// direction without chain, …) are BAD_USER_INPUT errors; an empty value
// counts as not given.
func ParseExportQuery(v map[string][]string) (ExportQuery, error) {
	q := ExportQuery{Depth: HoodDepth.Default}
	get := map[string]string{}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // the first error is the same on every call
	for _, name := range names {
		vals := v[name]
		if !slices.ContainsFunc(exportParams, func(p ExportParam) bool { return p.Name == name }) {
			valid := make([]string, len(exportParams))
			for i, p := range exportParams {
				valid[i] = p.Name
			}
			return q, Errorf(EBADINPUT, "unknown export parameter %q: valid parameters are %s", truncate(name, 40), strings.Join(valid, ", "))
		}
		if len(vals) > 1 {
			return q, Errorf(EBADINPUT, "export parameter %q is given %d times; give it once (lists are comma-separated)", name, len(vals))
		}
		if len(vals) == 1 && strings.TrimSpace(vals[0]) != "" {
			get[name] = strings.TrimSpace(vals[0])
		}
	}
	var err error
	if q.IDs, err = entityIDs("ids", get["ids"]); err != nil {
		return q, err
	}
	for _, p := range []struct {
		name string
		to   *string
	}{{"chain", &q.Chain}, {"from", &q.From}, {"to", &q.To}} {
		if s, ok := get[p.name]; ok {
			if err := CheckEntityID(s); err != nil {
				return q, Errorf(EBADINPUT, "%s: %s", p.name, ErrorMessage(err))
			}
			*p.to = s
		}
	}
	for _, p := range []struct {
		name string
		to   *int
	}{{"depth", &q.Depth}, {"limit", &q.Limit}} {
		if s, ok := get[p.name]; ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				return q, Errorf(EBADINPUT, "%s: %q is not a whole number", p.name, truncate(s, 40))
			}
			*p.to = n
		}
	}
	q.Types = SplitList(get["types"])
	if err := CheckTypes(q.Types); err != nil {
		return q, err
	}
	for _, k := range SplitList(get["kinds"]) {
		q.Kinds = append(q.Kinds, Kind(k))
	}
	if err := CheckKinds(q.Kinds); err != nil {
		return q, err
	}
	if s, ok := get["asOf"]; ok {
		if q.AsOf, err = ParsePartialDate(s); err != nil {
			return q, Errorf(EBADINPUT, "asOf: %v", err) // a plain error that quotes the input, truncated
		}
	}
	if s, ok := get["direction"]; ok {
		switch strings.ToUpper(s) {
		case "UP":
		case "DOWN":
			q.Down = true
		default:
			return q, Errorf(EBADINPUT, "direction: %q is neither UP nor DOWN", truncate(s, 40))
		}
	}

	// One mode at a time: a parameter another mode would ignore is a
	// mistake to report, not to drop silently.
	has := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if _, ok := get[n]; ok {
				out = append(out, n)
			}
		}
		return out
	}
	switch {
	case q.Chain != "":
		if extra := has("ids", "from", "to", "depth", "kinds", "limit"); len(extra) > 0 {
			return q, Errorf(EBADINPUT, "chain takes direction, types and asOf, not %s", strings.Join(extra, ", "))
		}
	case q.From != "" || q.To != "":
		if q.From == "" || q.To == "" {
			return q, Errorf(EBADINPUT, "give both from and to")
		}
		if extra := has("ids", "depth", "kinds", "limit", "direction"); len(extra) > 0 {
			return q, Errorf(EBADINPUT, "from and to take types and asOf, not %s", strings.Join(extra, ", "))
		}
	default:
		if _, ok := get["direction"]; ok {
			return q, Errorf(EBADINPUT, "direction needs chain")
		}
		sq := SubgraphQuery{IDs: q.IDs, Depth: q.Depth, Types: q.Types, Kinds: q.Kinds, Time: Time{AsOf: q.AsOf}, Limit: q.Limit}
		if _, given := get["limit"]; !given {
			sq.Limit = MaxExportLimit // the caller's cap applies later
		}
		if err := sq.Validate(MaxExportLimit); err != nil {
			return q, err
		}
	}
	return q, nil
}

func entityIDs(name, s string) ([]string, error) {
	ids := SplitList(s)
	for _, id := range ids {
		if err := CheckEntityID(id); err != nil {
			return nil, Errorf(EBADINPUT, "%s: %s", name, ErrorMessage(err))
		}
	}
	return ids, nil
}

// Whole reports whether q asks for the whole graph.
func (q ExportQuery) Whole() bool {
	return q.Chain == "" && q.From == "" && q.To == "" && len(q.IDs) == 0
}
