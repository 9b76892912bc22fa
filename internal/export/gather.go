package export

import (
	"context"
	"sort"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Query says which subgraph to export: a chain (Chain set), paths (From
// and To set), or else the neighbourhood of IDs (the whole graph when IDs
// is empty).
type Query struct {
	IDs   []string
	Depth int
	Types []string
	Kinds []domain.Kind
	AsOf  domain.PartialDate
	Limit int // most entities of a neighbourhood; 0: domain.MaxExportLimit

	Chain string // export the responsibility chains from this entity
	Down  bool   // with Chain: follow responsibility down instead of up

	From, To string // export the (up to 5) shortest paths between these
}

// Gather reads the subgraph q asks for, with the sources its citations name.
func Gather(ctx context.Context, svc domain.ReadService, q Query) (*domain.Subgraph, error) {
	limit := q.Limit
	if limit == 0 {
		limit = domain.MaxExportLimit
	}
	var g *domain.Subgraph
	switch {
	case q.Chain != "":
		res, err := svc.Chains(ctx, domain.ChainQuery{ID: q.Chain, Up: !q.Down, Time: domain.Time{AsOf: q.AsOf}, MaxDepth: domain.MaxChainDepth, Types: q.Types, First: domain.MaxChains})
		if err != nil {
			return nil, err
		}
		ids := map[string]bool{q.Chain: true}
		var rels []domain.Relation
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
		paths, err := svc.Paths(ctx, domain.PathQuery{From: q.From, To: q.To, Mode: domain.PathKShortest, MaxLength: domain.MaxPathLength, Types: q.Types, Time: domain.Time{AsOf: q.AsOf}, First: 5})
		if err != nil {
			return nil, err
		}
		ids := map[string]bool{q.From: true, q.To: true}
		var rels []domain.Relation
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
		sq := domain.SubgraphQuery{IDs: q.IDs, Depth: q.Depth, Types: q.Types, Kinds: q.Kinds, Time: domain.Time{AsOf: q.AsOf}, Limit: limit}
		if err := sq.Validate(domain.MaxExportLimit); err != nil {
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
func assemble(ctx context.Context, svc domain.ReadService, ids map[string]bool, rels []domain.Relation) (*domain.Subgraph, error) {
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Strings(list)
	es, err := svc.EntitiesByID(ctx, list)
	if err != nil {
		return nil, err
	}
	g := &domain.Subgraph{}
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

// GatherCounterClaims reads the counter-claims that contest g's entities
// and relations, and adds the sources they cite to g.Sources.
func GatherCounterClaims(ctx context.Context, svc domain.ReadService, g *domain.Subgraph) (map[string][]domain.CounterClaim, error) {
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
	var cited []domain.Citation
	for _, list := range ccs {
		for _, cc := range list {
			cited = append(cited, cc.Citations...)
		}
	}
	return ccs, addSources(ctx, svc, g, cited...)
}

// addSources fills g.Sources with every source a citation in g (or in
// more) names.
func addSources(ctx context.Context, svc domain.ReadService, g *domain.Subgraph, more ...domain.Citation) error {
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
