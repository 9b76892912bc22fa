package memstore

import (
	"context"
	"slices"
	"sort"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// steps lists the live relations at id that a walk may take, by relation
// id: ok says whether r may be taken from id and to which end.
func (s *Store) steps(id string, t domain.Time, ok func(r *domain.Relation, at string) (string, bool)) []domain.ChainStep {
	var out []domain.ChainStep
	for _, r := range s.at[id] {
		if next, yes := ok(r, id); yes && s.live(r, t) {
			out = append(out, domain.ChainStep{Relation: r, Next: next})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Relation.ID < out[j].Relation.ID })
	return out
}

func (s *Store) liveEntity(id string) bool {
	e, ok := s.entities[id]
	return ok && e.Retraction == nil
}

// Chains follows responsibility from q.ID: the maximal chains (ending where
// no further step is possible, or at maxDepth), entities never repeating,
// cut where hops cannot have held together, weighed, filtered, sorted and
// paged as the domain says.
func (s *Store) Chains(ctx context.Context, q domain.ChainQuery) (*domain.ChainResult, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.liveEntity(q.ID) {
		return nil, notFound(q.ID)
	}
	move := func(r *domain.Relation, at string) (string, bool) {
		return domain.ResponsibilityStep(q.Up, q.Types, r, at)
	}
	chains, err := domain.WalkChains(ctx, q.ID, q.MaxDepth, func(id string) []domain.ChainStep { return s.steps(id, q.Time, move) },
		func(id string) domain.Kind { return s.entities[id].Kind })
	if err != nil {
		return nil, err
	}
	// The walks share the store's relations; what leaves the lock is a copy.
	for i := range chains {
		for j := range chains[i].Relations {
			chains[i].Relations[j] = *cloneRelation(&chains[i].Relations[j])
		}
	}
	return q.Assemble(chains), nil
}

// Paths finds simple paths from q.From to q.To, shortest first, as q.Mode
// asks: the walk goes length by length and, for the shortest modes, stops
// at the first length that reaches q.To.
func (s *Store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range []string{q.From, q.To} {
		if !s.liveEntity(id) {
			return nil, notFound(id)
		}
	}
	if q.ResponsibilityOnly && (q.Direction == domain.PathAny || q.Direction == "") {
		down, up := q, q
		down.Direction, up.Direction = domain.PathForward, domain.PathBackward
		out := append(s.paths(down), s.paths(up)...)
		sort.SliceStable(out, func(i, j int) bool { return len(out[i].Relations) < len(out[j].Relations) })
		if q.Mode == domain.PathShortest && len(out) > 1 {
			out = out[:1]
		}
		return out[:min(len(out), q.First)], nil
	}
	return s.paths(q), nil
}

func (s *Store) paths(q domain.PathQuery) []domain.Path {
	move := func(r *domain.Relation, at string) (string, bool) {
		if len(q.Types) > 0 && !slices.Contains(q.Types, r.Type) {
			return "", false
		}
		if q.ResponsibilityOnly {
			// Forward: each step from an entity to what it answers for.
			return domain.ResponsibilityStep(q.Direction == domain.PathBackward, nil, r, at)
		}
		switch {
		case r.From == at && q.Direction != domain.PathBackward:
			return r.To, true
		case r.To == at && q.Direction != domain.PathForward:
			return r.From, true
		}
		return "", false
	}
	out := []domain.Path{}
	for length := 1; length <= q.MaxLength && len(out) < q.First; length++ {
		var walk func(nodes []string, rels []domain.Relation)
		walk = func(nodes []string, rels []domain.Relation) {
			if len(out) >= q.First {
				return
			}
			at := nodes[len(nodes)-1]
			if len(rels) == length {
				if at == q.To {
					out = append(out, domain.Path{Nodes: slices.Clone(nodes), Relations: slices.Clone(rels)})
				}
				return
			}
			if at == q.To {
				return
			}
			for _, st := range s.steps(at, q.Time, move) {
				if !slices.Contains(nodes, st.Next) && s.liveEntity(st.Next) {
					walk(append(nodes, st.Next), append(rels, *cloneRelation(st.Relation)))
				}
			}
		}
		walk([]string{q.From}, nil)
		if len(out) > 0 && (q.Mode == domain.PathShortest || q.Mode == domain.PathAllShortest) {
			break
		}
	}
	if q.Mode == domain.PathShortest && len(out) > 1 {
		out = out[:1]
	}
	return out
}

// aidingParty reports whether id is a party of the pairing programme: a
// front-line headquarters, or an entity that aids a recipient.
func (s *Store) aidingParty(id string) bool {
	if e := s.entities[id]; e != nil && e.Kind == "frontline_hq" {
		return true
	}
	for _, r := range s.at[id] {
		if r.From == id && r.Type == "PAIRED_WITH" && r.Retraction == nil {
			return true
		}
	}
	return false
}

// Exposure finds the links from q.ID: supply or ownership steps to a site
// (domain.ExposureTypes, at most ExposureSupplyDepth), then responsibility
// up to the first aiding party, a designation of the site, or a transfer
// of workers to it.
func (s *Store) Exposure(ctx context.Context, q domain.ExposureQuery) (*domain.Exposure, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.liveEntity(q.ID) {
		return nil, notFound(q.ID)
	}
	supply := func(r *domain.Relation, at string) (string, bool) {
		switch {
		case slices.Contains(domain.ExposureTypes.Backward, r.Type) && r.To == at:
			return r.From, true
		case slices.Contains(domain.ExposureTypes.Forward, r.Type) && r.From == at:
			return r.To, true
		}
		return "", false
	}
	up := func(r *domain.Relation, at string) (string, bool) { return domain.ResponsibilityStep(true, nil, r, at) }
	type link struct {
		nodes  []string
		rels   []domain.Relation
		target string
		reason domain.ExposureReason
	}
	var links []link
	add := func(p1n []string, p1r []domain.Relation, qn []string, qr []domain.Relation, target string, reason domain.ExposureReason) {
		links = append(links, link{append(slices.Clone(p1n), qn...), append(slices.Clone(p1r), qr...), target, reason})
	}
	var fromSite func(p1n []string, p1r []domain.Relation)
	fromSite = func(p1n []string, p1r []domain.Relation) {
		site := p1n[len(p1n)-1]
		// Responsibility up to the first aiding party.
		var climb func(qn []string, qr []domain.Relation)
		climb = func(qn []string, qr []domain.Relation) {
			at := site
			if len(qn) > 0 {
				at = qn[len(qn)-1]
			}
			for _, st := range s.steps(at, q.Time, up) {
				if slices.Contains(p1n, st.Next) || slices.Contains(qn, st.Next) {
					continue
				}
				nn, nr := append(slices.Clone(qn), st.Next), append(slices.Clone(qr), *cloneRelation(st.Relation))
				if s.aidingParty(st.Next) {
					add(p1n, p1r, nn, nr, st.Next, domain.ExposureAidingParty)
					continue
				}
				if len(nr) < domain.ExposureChainDepth {
					climb(nn, nr)
				}
			}
		}
		climb(nil, nil)
		for _, r := range s.at[site] {
			if r.To != site || !s.live(r, q.Time) {
				continue
			}
			switch {
			case r.Type == "DESIGNATED":
				add(p1n, p1r, []string{r.From}, []domain.Relation{*cloneRelation(r)}, r.From, domain.ExposureDesignation)
			case r.Type == "TRANSFERS_WORKERS_TO" && !slices.Contains(p1n, r.From):
				add(p1n, p1r, []string{r.From}, []domain.Relation{*cloneRelation(r)}, r.From, domain.ExposureLabourTransfer)
			}
		}
		if len(p1r) == domain.ExposureSupplyDepth {
			return
		}
		for _, st := range s.steps(site, q.Time, supply) {
			if !slices.Contains(p1n, st.Next) {
				fromSite(append(slices.Clone(p1n), st.Next), append(slices.Clone(p1r), *cloneRelation(st.Relation)))
			}
		}
	}
	fromSite([]string{q.ID}, nil)
	res := &domain.Exposure{Root: q.ID, Links: []domain.ExposureLink{}, Truncated: len(links) > domain.MaxExposureScan}
	seen := map[string]bool{}
	for _, l := range links {
		if !domain.Consistent(l.rels) {
			continue
		}
		x := domain.ExposureLink{Target: l.target, Reason: l.reason}
		key := ""
		for i, r := range l.rels {
			x.Steps = append(x.Steps, domain.Step{Relation: r, Start: l.nodes[i], End: l.nodes[i+1], InForce: q.Time.Status(&l.rels[i])})
			key += r.ID + "|"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		x.Weigh()
		res.Links = append(res.Links, x)
	}
	domain.SortExposure(res.Links)
	res.Total = len(res.Links)
	res.Links = res.Links[:min(len(res.Links), q.First)]
	return res, nil
}

// Neighborhood returns the live entities within q.Depth hops of q.IDs (the
// whole graph when IDs is empty) over relations of q.Types either way,
// keeping those of q.Kinds, at most q.Limit (nearest first, then by id),
// and the relations among them, by id.
func (s *Store) Neighborhood(ctx context.Context, q domain.SubgraphQuery) (*domain.Subgraph, error) {
	if err := q.Validate(domain.MaxExportLimit); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.neighborhood(q)
}

func (s *Store) neighborhood(q domain.SubgraphQuery) (*domain.Subgraph, error) {
	var order []string
	if len(q.IDs) == 0 {
		for _, id := range sortedKeys(s.entities) {
			if s.liveEntity(id) {
				order = append(order, id)
			}
		}
	} else {
		seen := map[string]bool{}
		frontier := slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(q.IDs)))))
		for _, id := range frontier {
			if !s.liveEntity(id) {
				return nil, notFound(id)
			}
			seen[id] = true
		}
		order = append(order, frontier...)
		any := func(r *domain.Relation, at string) (string, bool) {
			if len(q.Types) > 0 && !slices.Contains(q.Types, r.Type) {
				return "", false
			}
			if r.From == at {
				return r.To, true
			}
			return r.From, true
		}
		for d := 0; d < q.Depth; d++ {
			var next []string
			for _, id := range frontier {
				for _, st := range s.steps(id, q.Time, any) {
					if !seen[st.Next] {
						seen[st.Next] = true
						next = append(next, st.Next)
					}
				}
			}
			sort.Strings(next)
			order = append(order, next...)
			frontier = next
		}
	}
	g := &domain.Subgraph{Entities: []domain.Entity{}, Relations: []domain.Relation{}}
	kept := map[string]bool{}
	for _, id := range order {
		e := s.entities[id]
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind) {
			continue
		}
		if len(g.Entities) == q.Limit {
			g.Truncated = true
			break
		}
		kept[id] = true
		g.Entities = append(g.Entities, *cloneEntity(e))
	}
	for _, id := range sortedKeys(s.relations) {
		r := s.relations[id]
		if kept[r.From] && kept[r.To] && (len(q.Types) == 0 || slices.Contains(q.Types, r.Type)) && s.live(r, q.Time) {
			g.Relations = append(g.Relations, *cloneRelation(r))
		}
	}
	return g, nil
}
