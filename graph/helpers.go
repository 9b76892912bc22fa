package graph

import (
	"context"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

func (r *Resolver) entityByID(ctx context.Context, id string) (*model.Entity, error) {
	e, err := r.entity(ctx, id)
	if err != nil {
		return nil, err
	}
	return toEntity(e), nil
}

// entities loads many entities in one batch.
func (r *Resolver) entities(ctx context.Context, ids map[string]bool) (map[string]*model.Entity, error) {
	keys := make([]string, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	es, err := r.loaders(ctx).entities.LoadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Entity, len(keys))
	for i, e := range es {
		if e == nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", keys[i])
		}
		out[keys[i]] = toEntity(e)
	}
	return out, nil
}

// relationByID answers node(id) for relation ids.
func (r *Resolver) relationByID(ctx context.Context, id string) (model.Node, error) {
	if !domain.ValidRelationID(id) {
		return nil, domain.Errorf(domain.EBADINPUT, "%.80q is not a relation id", id)
	}
	rel, err := r.Read.RelationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	m := toRelation(rel)
	return &m, nil
}

func nonNilKinds(ks []domain.Kind) []domain.Kind {
	if ks == nil {
		return []domain.Kind{}
	}
	return ks
}

func (r *Resolver) history(ctx context.Context, id string, first *int) ([]domain.AuditEvent, error) {
	n := intOr(first, 20)
	if err := domain.CheckPage(n); err != nil {
		return nil, err
	}
	return r.loaders(ctx).history.Load(ctx, historyKey{ID: id, First: n})
}
