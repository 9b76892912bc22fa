package memstore

import (
	"context"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The planned reads answer with the plain reads' results and walk the plan
// tree over the stored graph, filling a Fetched keyed as the plan asks:
// every key the plan names is present (nil or empty when nothing exists),
// so the GraphQL layer finds everything it asked for and reads nothing
// more. Entities and relations carry all their own fields whatever the
// plan's Fields: a read may return more than it was asked, never less.

// filler walks plans. Callers hold the read lock.
type filler struct {
	s *Store
	f *domain.Fetched
}

func (s *Store) newFiller() *filler { return &filler{s: s, f: domain.NewFetched()} }

func (fl *filler) entity(id string, p *domain.EntityPlan) {
	if p == nil {
		return
	}
	e, ok := fl.s.entities[id]
	if !ok {
		fl.f.Entities[id] = nil
		return
	}
	fl.f.Entities[id] = cloneEntity(e)
	for _, rp := range p.Relations {
		key := domain.RelationsKey{Entity: id, RelationsArgs: rp.Args}
		page := fl.s.relationPage(id, rp.Args.Query(id), rp.Args.First, rp.Args.After)
		fl.f.Relations[key] = page
		for i := range page.Relations {
			fl.relation(&page.Relations[i], rp.Each)
		}
	}
	fl.sources(domain.SourceIDs(e.Citations, e.Quantities), p.Sources)
	fl.counterClaims(id, p.CounterClaims)
	fl.history(id, p.History)
}

func (fl *filler) relation(r *domain.Relation, p *domain.RelationPlan) {
	if p == nil {
		return
	}
	fl.entity(r.From, p.From)
	fl.entity(r.To, p.To)
	fl.sources(domain.SourceIDs(r.Citations, r.Quantities), p.Sources)
	fl.counterClaims(r.ID, p.CounterClaims)
	fl.history(r.ID, p.History)
}

// sources fetches the sources ids name (when p asks for them) and what p
// asks of each.
func (fl *filler) sources(ids []string, p *domain.SourcePlan) {
	if p == nil {
		return
	}
	for _, id := range ids {
		fl.source(id, p)
	}
}

func (fl *filler) source(id string, p *domain.SourcePlan) {
	src, ok := fl.s.sources[id]
	if !ok {
		fl.f.Sources[id] = nil
		return
	}
	c := *src
	fl.f.Sources[id] = &c
	if p == nil {
		return
	}
	for _, cp := range p.Claims {
		page := fl.s.claimPage(id, cp.Args.First, cp.Args.After)
		fl.f.Claims[domain.ClaimsKey{Source: id, ClaimsArgs: cp.Args}] = page
		for _, c := range page.Claims {
			if c.Entity != nil {
				fl.entity(c.Entity.ID, cp.Entity)
			} else {
				fl.relation(c.Relation, cp.Relation)
			}
		}
	}
	fl.history(id, p.History)
}

func (fl *filler) counterClaims(id string, p *domain.CounterClaimPlan) {
	if p == nil {
		return
	}
	ccs := append([]domain.CounterClaim{}, fl.s.counter[id]...)
	fl.f.CounterClaims[id] = ccs
	for i := range ccs {
		fl.counterClaim(&ccs[i], p)
	}
}

func (fl *filler) counterClaim(cc *domain.CounterClaim, p *domain.CounterClaimPlan) {
	if p == nil {
		return
	}
	if cc.By != "" {
		fl.entity(cc.By, p.By)
	}
	fl.sources(domain.SourceIDs(cc.Citations, nil), p.Sources)
}

func (fl *filler) history(id string, sizes []int) {
	for _, n := range sizes {
		fl.f.History[domain.HistoryKey{ID: id, First: n}] = fl.s.historyOf(id, n)
	}
}

// result walks a traversal's answer: the root, every entity it names and
// every relation on it.
// fillResult fills what want asks of a traversal's answer: the root, the
// entities ids and the relations rels, under the read lock.
func (s *Store) fillResult(root string, ids []string, rels []*domain.Relation, want domain.ResultPlan) *domain.Fetched {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fl := s.newFiller()
	fl.result(root, ids, rels, want)
	return fl.f
}

func (fl *filler) result(root string, ids []string, rels []*domain.Relation, want domain.ResultPlan) {
	if root != "" {
		fl.entity(root, want.Root)
	}
	for _, id := range ids {
		fl.entity(id, want.Entities)
	}
	for _, r := range rels {
		fl.relation(r, want.Relations)
	}
}

// ReadEntity reads one entity.
func (s *Store) ReadEntity(ctx context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	s.Reads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.entities[id]
	if !ok {
		return nil, nil, notFound(id)
	}
	fl := s.newFiller()
	fl.entity(id, want)
	return cloneEntity(e), fl.f, nil
}

// ReadRelation reads one relation.
func (s *Store) ReadRelation(ctx context.Context, id string, want *domain.RelationPlan) (*domain.Relation, *domain.Fetched, error) {
	s.Reads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.relations[id]
	if !ok {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
	}
	out := cloneRelation(r)
	fl := s.newFiller()
	fl.relation(out, want)
	return out, fl.f, nil
}

// ReadSource reads one source.
func (s *Store) ReadSource(ctx context.Context, id string, want *domain.SourcePlan) (*domain.Source, *domain.Fetched, error) {
	s.Reads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.sources[id]
	if !ok {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no source with id %q", id)
	}
	fl := s.newFiller()
	fl.source(id, want)
	c := *src
	return &c, fl.f, nil
}

// ReadCounterClaim reads one counter-claim.
func (s *Store) ReadCounterClaim(ctx context.Context, id string, want *domain.CounterClaimPlan) (*domain.CounterClaim, *domain.Fetched, error) {
	s.Reads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	cc, ok := s.ccByID[id]
	if !ok {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no counter-claim with id %q", id)
	}
	c := *cc
	fl := s.newFiller()
	fl.counterClaim(&c, want)
	return &c, fl.f, nil
}

// ReadEntities is Entities with a plan for each entity listed.
func (s *Store) ReadEntities(ctx context.Context, f domain.EntityFilter, first int, after string, want *domain.EntityPlan) ([]domain.Entity, bool, *domain.Fetched, error) {
	s.Reads.Add(1)
	es, more, err := s.Entities(ctx, f, first, after)
	if err != nil {
		return nil, false, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fl := s.newFiller()
	for i := range es {
		fl.entity(es[i].ID, want)
	}
	return es, more, fl.f, nil
}

// ReadSources is Sources with a plan for each source listed.
func (s *Store) ReadSources(ctx context.Context, grade domain.Grade, first int, after string, want *domain.SourcePlan) ([]domain.Source, bool, *domain.Fetched, error) {
	s.Reads.Add(1)
	ss, more, err := s.Sources(ctx, grade, first, after)
	if err != nil {
		return nil, false, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fl := s.newFiller()
	for i := range ss {
		fl.source(ss[i].ID, want)
	}
	return ss, more, fl.f, nil
}

// ReadSearch is Search with a plan for each entity found.
func (s *Store) ReadSearch(ctx context.Context, q domain.SearchQuery, want *domain.EntityPlan) ([]domain.SearchHit, *domain.Fetched, error) {
	s.Reads.Add(1)
	hits, err := s.Search(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fl := s.newFiller()
	for i := range hits {
		fl.entity(hits[i].Entity.ID, want)
	}
	return hits, fl.f, nil
}

// ReadChains is Chains with a plan for the root, the chains' entities and
// their relations.
func (s *Store) ReadChains(ctx context.Context, q domain.ChainQuery, want domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	s.Reads.Add(1)
	res, err := s.Chains(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var rels []*domain.Relation
	for i := range res.Chains {
		for j := range res.Chains[i].Hops {
			h := &res.Chains[i].Hops[j]
			ids = append(ids, h.Upper, h.Lower)
			rels = append(rels, &h.Relation)
		}
	}
	return res, s.fillResult(q.ID, ids, rels, want), nil
}

// ReadExposure is Exposure with a plan for the root, the links' entities
// and their relations.
func (s *Store) ReadExposure(ctx context.Context, q domain.ExposureQuery, want domain.ResultPlan) (*domain.Exposure, *domain.Fetched, error) {
	s.Reads.Add(1)
	res, err := s.Exposure(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var rels []*domain.Relation
	for i := range res.Links {
		ids = append(ids, res.Links[i].Target)
		for j := range res.Links[i].Steps {
			st := &res.Links[i].Steps[j]
			ids = append(ids, st.Start, st.End)
			rels = append(rels, &st.Relation)
		}
	}
	return res, s.fillResult(q.ID, ids, rels, want), nil
}

// ReadPaths is Paths with a plan for the paths' entities and relations.
func (s *Store) ReadPaths(ctx context.Context, q domain.PathQuery, want domain.ResultPlan) ([]domain.Path, *domain.Fetched, error) {
	s.Reads.Add(1)
	ps, err := s.Paths(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var rels []*domain.Relation
	for i := range ps {
		ids = append(ids, ps[i].Nodes...)
		for j := range ps[i].Relations {
			rels = append(rels, &ps[i].Relations[j])
		}
	}
	return ps, s.fillResult("", ids, rels, want), nil
}

// ReadNeighborhood is Neighborhood with a plan for its entities and
// relations; its entities are always fetched.
func (s *Store) ReadNeighborhood(ctx context.Context, q domain.SubgraphQuery, want domain.ResultPlan) (*domain.Subgraph, *domain.Fetched, error) {
	s.Reads.Add(1)
	if err := q.ValidateNeighborhood(); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.neighborhood(q)
	if err != nil {
		return nil, nil, err
	}
	fl := s.newFiller()
	ids := make([]string, len(g.Entities))
	for i := range g.Entities {
		ids[i] = g.Entities[i].ID
		fl.f.Entities[ids[i]] = cloneEntity(&g.Entities[i])
	}
	rels := make([]*domain.Relation, len(g.Relations))
	for i := range g.Relations {
		rels[i] = &g.Relations[i]
	}
	fl.result("", ids, rels, want)
	return g, fl.f, nil
}
