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

// relationByID answers node(id) for relation ids.
func (r *Resolver) relationByID(ctx context.Context, id string) (model.Node, error) {
	if !domain.ValidRelationID(id) {
		return nil, domain.Errorf(domain.EBADINPUT, "%.80q is not a relation id", id)
	}
	rel, err := r.Read.RelationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.prefetchRelation(ctx, rel); err != nil {
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
	key, err := historyKeyOf(id, first)
	if err != nil {
		return nil, err
	}
	return r.loaders(ctx).history.Load(ctx, key)
}

// entitiesNeeded fetches the entities among ids in one query, converted
// once each; an id that is not stored is a NOT_FOUND error.
func (r *Resolver) entitiesNeeded(ctx context.Context, ids []string) (map[string]*model.Entity, error) {
	seen := map[string]bool{}
	uniq := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	found, err := r.Read.EntitiesByID(ctx, uniq)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Entity, len(found))
	for _, id := range uniq {
		e := found[id]
		if e == nil {
			return nil, errNotFound(id)
		}
		out[id] = toEntity(e)
	}
	return out, nil
}
