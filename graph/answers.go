package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// answers holds what the planned read of each root field of one operation
// fetched. Root fields resolve concurrently, each adding what it fetched;
// the nested resolvers of a field run after it and find, under their root
// field, everything its plan asked for. Each root field's reads stay apart:
// statements fetch the own fields their plans want, so the same entity may
// be read with other fields by another root field. What no plan fetched
// (the fields of mutation results) goes to the operation's loaders.
type answers struct {
	mu     sync.RWMutex
	byRoot map[string]*domain.Fetched // by the root field's response name
}

func newAnswers() *answers { return &answers{byRoot: map[string]*domain.Fetched{}} }

// rootField is the response name (alias) of the root field being resolved
// under ctx: the outermost field context that stands for a field (the
// executor may hold others above it). Response names are unique in an
// operation.
func rootField(ctx context.Context) (string, bool) {
	name, ok := "", false
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field != nil {
			name, ok = fc.Field.Alias, true
		}
	}
	return name, ok
}

// keep records what the planned read of the root field resolving under ctx
// fetched.
func (r *Resolver) keep(ctx context.Context, got *domain.Fetched) {
	root, ok := rootField(ctx)
	if got == nil || !ok {
		return
	}
	a := r.loaders(ctx).answers
	a.mu.Lock()
	a.byRoot[root] = got
	a.mu.Unlock()
}

// look finds key in one of the maps of what the root field of ctx fetched.
func look[K comparable, V any](ctx context.Context, r *Resolver, m func(*domain.Fetched) map[K]V, key K) (V, bool) {
	a := r.loaders(ctx).answers
	root, ok := rootField(ctx)
	a.mu.RLock()
	got := a.byRoot[root]
	a.mu.RUnlock()
	if got == nil || !ok {
		var zero V
		return zero, false
	}
	v, ok := m(got)[key]
	return v, ok
}

func (r *Resolver) entity(ctx context.Context, id string) (*domain.Entity, error) {
	e, ok := look(ctx, r, func(f *domain.Fetched) map[string]*domain.Entity { return f.Entities }, id)
	var err error
	if !ok {
		e, err = r.loaders(ctx).entities.Load(ctx, id)
	}
	if err == dataloadgen.ErrNotFound || (err == nil && e == nil) {
		return nil, errNotFound(id)
	}
	return e, err
}

func (r *Resolver) source(ctx context.Context, id string) (*domain.Source, error) {
	s, ok := look(ctx, r, func(f *domain.Fetched) map[string]*domain.Source { return f.Sources }, id)
	var err error
	if !ok {
		s, err = r.loaders(ctx).sources.Load(ctx, id)
	}
	if err == dataloadgen.ErrNotFound || (err == nil && s == nil) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no source with id %q", id)
	}
	return s, err
}

func (r *Resolver) relationPage(ctx context.Context, key domain.RelationsKey) (domain.RelationPage, error) {
	if p, ok := look(ctx, r, func(f *domain.Fetched) map[domain.RelationsKey]domain.RelationPage { return f.Relations }, key); ok {
		return p, nil
	}
	return r.loaders(ctx).relations.Load(ctx, key)
}

func (r *Resolver) claimPage(ctx context.Context, key domain.ClaimsKey) (domain.ClaimPage, error) {
	if p, ok := look(ctx, r, func(f *domain.Fetched) map[domain.ClaimsKey]domain.ClaimPage { return f.Claims }, key); ok {
		return p, nil
	}
	return r.loaders(ctx).claims.Load(ctx, key)
}

func (r *Resolver) history(ctx context.Context, id string, first *int) ([]domain.AuditEvent, error) {
	n, err := historyFirst(first)
	if err != nil {
		return nil, err
	}
	key := domain.HistoryKey{ID: id, First: n}
	if h, ok := look(ctx, r, func(f *domain.Fetched) map[domain.HistoryKey][]domain.AuditEvent { return f.History }, key); ok {
		if h == nil {
			h = []domain.AuditEvent{}
		}
		return h, nil
	}
	return r.loaders(ctx).history.Load(ctx, key)
}

// counterClaims returns the counter-claims contesting a claim.
func (r *Resolver) counterClaims(ctx context.Context, id string) ([]model.CounterClaim, error) {
	ccs, ok := look(ctx, r, func(f *domain.Fetched) map[string][]domain.CounterClaim { return f.CounterClaims }, id)
	if !ok {
		var err error
		if ccs, err = r.loaders(ctx).counter.Load(ctx, id); err != nil {
			return nil, err
		}
	}
	out := make([]model.CounterClaim, len(ccs))
	for i := range ccs {
		out[i] = *toCounterClaim(&ccs[i])
	}
	return out, nil
}

// errNotFound is the NOT_FOUND of a missing entity.
func errNotFound(id string) error {
	return domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
}
