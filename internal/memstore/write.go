package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Writes check what the store checks, in the same order, so that the API
// answers them with the same codes: the principal's role, the reason, the
// claim by the loader's rules (its references resolved against what is
// stored), then what a stored claim forbids (a retraction is final; a kind
// or a relation's type cannot change). Each change records an audit event
// and advances the graph version.

// known resolves ids against the stored graph for Dataset.Validate.
// Callers hold the lock.
func (s *Store) known(id string) (domain.Known, bool) {
	if src, ok := s.sources[id]; ok {
		return domain.Known{Kind: domain.KindSource, Grade: src.Grade, Published: src.Published}, true
	}
	if e, ok := s.entities[id]; ok {
		return domain.Known{Kind: e.Kind}, true
	}
	if _, ok := s.relations[id]; ok {
		return domain.Known{Kind: domain.KindRelation}, true
	}
	return domain.Known{}, false
}

func (s *Store) checkRefs(d *domain.Dataset) error {
	return domain.BadInput(domain.FieldErrors(d.Validate(s.known)))
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// audit records one change and advances the version. Callers hold the
// write lock.
func (s *Store) audit(p *domain.Principal, action domain.AuditAction, targetType, id, reason string, before, after any) {
	js := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	s.events++
	ev := domain.AuditEvent{
		ID: fmt.Sprintf("audit:mem-%d", s.events), At: s.now(), Actor: p.Actor(), Action: action,
		TargetID: id, TargetType: targetType, Reason: reason, After: js(after),
	}
	if before != nil && action != domain.AuditCreate {
		b := js(before)
		ev.Before = &b
	}
	s.history[id] = append(s.history[id], ev)
	s.version.N++
}

// UpsertSource creates or updates a source.
func (s *Store) UpsertSource(ctx context.Context, p *domain.Principal, src domain.Source, reason string) (*domain.Source, error) {
	if err := domain.CheckSourceWrite(p, src, reason); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before, action := s.sources[src.ID], domain.AuditCreate
	if before != nil {
		action = domain.AuditUpdate
	}
	c := src
	s.sources[src.ID] = &c
	s.reindex() // best grades follow the source's grade
	s.audit(p, action, "source", src.ID, reason, before, c)
	out := c
	return &out, nil
}

// UpsertEntity creates or updates an entity.
func (s *Store) UpsertEntity(ctx context.Context, p *domain.Principal, e domain.Entity, reason string) (*domain.Entity, error) {
	if err := domain.CheckEntityWrite(p, reason); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkRefs(&domain.Dataset{Entities: []domain.Entity{e}}); err != nil {
		return nil, err
	}
	before, action := s.entities[e.ID], domain.AuditCreate
	if before != nil {
		switch {
		case before.Retraction != nil:
			return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", e.ID)
		case before.Kind != e.Kind:
			return nil, domain.Errorf(domain.EBADINPUT, "%s is a %s; an entity's kind cannot change (retract it and make a new entity)", e.ID, before.Kind)
		}
		action = domain.AuditUpdate
	}
	c := cloneEntity(&e)
	c.Retraction = nil
	s.entities[e.ID] = c
	s.matchNames(c)
	s.audit(p, action, "entity", e.ID, reason, before, c)
	return cloneEntity(c), nil
}

// UpsertRelation creates or updates a relation.
func (s *Store) UpsertRelation(ctx context.Context, p *domain.Principal, r domain.Relation, reason string) (*domain.Relation, error) {
	if err := domain.CheckRelationWrite(p, r, reason); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before, action := s.relations[r.ID], domain.AuditCreate
	if before != nil && before.Type != r.Type {
		return nil, domain.Errorf(domain.EBADINPUT, "%s is a %s relation; its type cannot change (make a new relation)", r.ID, before.Type)
	}
	if err := s.checkRefs(&domain.Dataset{Relations: []domain.Relation{r}}); err != nil {
		return nil, err
	}
	if before != nil {
		if before.Retraction != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", r.ID)
		}
		action = domain.AuditUpdate
	}
	c := cloneRelation(&r)
	c.Retraction, c.BestGrade, c.Contested = nil, "", false
	s.relations[r.ID] = c
	s.reindex()
	s.audit(p, action, "relation", r.ID, reason, before, c)
	return cloneRelation(c), nil
}

// RetractEntity withdraws an entity and every live relation at it.
func (s *Store) RetractEntity(ctx context.Context, p *domain.Principal, id, reason string) (*domain.Entity, error) {
	if err := domain.CheckRetraction(p, id, false, reason); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entities[id]
	switch {
	case !ok:
		return nil, notFound(id)
	case e.Retraction != nil:
		return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
	}
	ret := &domain.Retraction{Reason: reason, At: s.now(), By: p.Actor()}
	for _, r := range s.at[id] {
		if r.Retraction == nil {
			before := cloneRelation(r)
			r.Retraction = ret
			s.audit(p, domain.AuditRetract, "relation", r.ID, reason, before, r)
		}
	}
	before := cloneEntity(e)
	e.Retraction = ret
	s.audit(p, domain.AuditRetract, "entity", id, reason, before, e)
	return cloneEntity(e), nil
}

// RetractRelation withdraws a relation.
func (s *Store) RetractRelation(ctx context.Context, p *domain.Principal, id, reason string) (*domain.Relation, error) {
	if err := domain.CheckRetraction(p, id, true, reason); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.relations[id]
	switch {
	case !ok:
		return nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
	case r.Retraction != nil:
		return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
	}
	before := cloneRelation(r)
	r.Retraction = &domain.Retraction{Reason: reason, At: s.now(), By: p.Actor()}
	s.audit(p, domain.AuditRetract, "relation", id, reason, before, r)
	return cloneRelation(r), nil
}
