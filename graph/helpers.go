package graph

import (
	"context"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// relationByID answers node(id) for relation ids.
func (r *Resolver) relationByID(ctx context.Context, id string) (model.Node, error) {
	if !domain.ValidRelationID(id) {
		return nil, domain.Errorf(domain.EBADINPUT, "%.80q is not a relation id", id)
	}
	rel, got, err := r.Read.ReadRelation(ctx, id, r.planner(ctx).relation(selections(ctx)))
	if err != nil {
		return nil, err
	}
	r.keep(ctx, got)
	m := toRelation(rel)
	return &m, nil
}

func nonNilKinds(ks []domain.Kind) []domain.Kind {
	if ks == nil {
		return []domain.Kind{}
	}
	return ks
}

// pick converts the entity id of a traversal's answer, once per id, from
// what its plan fetched; wanted says whether the plan asked for entities.
type pick struct {
	got       *domain.Fetched
	converted map[string]*model.Entity
}

func newPick(got *domain.Fetched) *pick {
	return &pick{got: got, converted: map[string]*model.Entity{}}
}

func (p *pick) entity(id string, wanted bool) (*model.Entity, error) {
	if !wanted {
		return nil, nil
	}
	if e := p.converted[id]; e != nil {
		return e, nil
	}
	e := p.got.Entities[id]
	if e == nil {
		return nil, errNotFound(id)
	}
	p.converted[id] = toEntity(e)
	return p.converted[id], nil
}
