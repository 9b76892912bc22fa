package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditAction is what a change did.
type AuditAction string

const (
	AuditCreate  AuditAction = "CREATE"
	AuditUpdate  AuditAction = "UPDATE"
	AuditRetract AuditAction = "RETRACT"
)

// AuditEvent records one change to one claim: who, when, what, and the
// values before and after (as JSON objects of the stored properties).
type AuditEvent struct {
	ID         string
	At         time.Time
	Actor      string
	Action     AuditAction
	TargetID   string
	TargetType string // "entity", "relation" or "source"
	Reason     string
	Before     *string // JSON; nil for CREATE
	After      string  // JSON
}

// Retraction says that, when and why a claim was withdrawn. Retracted claims
// stay stored; traversals and listings leave them out.
type Retraction struct {
	Reason string
	At     time.Time
	By     string
}

// MaxReasonLen bounds a change's stated reason.
const MaxReasonLen = 1000

// CheckReason validates the reason of a change; required for retractions.
func CheckReason(reason string, required bool) error {
	switch {
	case required && strings.TrimSpace(reason) == "":
		return Errorf(EBADINPUT, "reason: a retraction needs a reason")
	case !utf8.ValidString(reason):
		return Errorf(EBADINPUT, "reason: not valid UTF-8")
	case utf8.RuneCountInString(reason) > MaxReasonLen:
		return Errorf(ELIMIT, "reason: at most %d characters", MaxReasonLen)
	}
	return nil
}

// WriteService changes claims. Every change is made by p, who must hold an
// editor or admin key (Authorize: UNAUTHENTICATED without a principal,
// FORBIDDEN for another role); it is validated with the same rules as the
// loader (BAD_USER_INPUT, with the field), written with its audit event in
// one transaction, and UNAVAILABLE is returned when the database does not
// answer. Changes to one claim are serialised: its history lists them in
// the order they were committed, with one CREATE.
type WriteService interface {
	UpsertSource(ctx context.Context, p *Principal, s Source, reason string) (*Source, error)
	// UpsertEntity creates or updates an entity. Its kind cannot change
	// (BAD_USER_INPUT): the id names the kind.
	UpsertEntity(ctx context.Context, p *Principal, e Entity, reason string) (*Entity, error)
	// UpsertRelation creates or updates a relation. An id names one
	// relation of one type: a save of another type under a stored id is
	// BAD_USER_INPUT.
	UpsertRelation(ctx context.Context, p *Principal, r Relation, reason string) (*Relation, error)
	// RetractEntity withdraws an entity and every relation at it. Errors: NOT_FOUND.
	RetractEntity(ctx context.Context, p *Principal, id, reason string) (*Entity, error)
	// RetractRelation withdraws a relation. Errors: NOT_FOUND.
	RetractRelation(ctx context.Context, p *Principal, id, reason string) (*Relation, error)
	// History returns the audit events of each target, newest first, at
	// most first each. Anyone may call it.
	History(ctx context.Context, targetIDs []string, first int) (map[string][]AuditEvent, error)
}

// The checks of each write before it touches the data, in the order every
// store makes them (the first that fails is the error): the principal may
// edit, the input is well formed, the reason is given where it must be.

// CheckSourceWrite checks an UpsertSource (a source's first problem).
func CheckSourceWrite(p *Principal, src Source, reason string) error {
	if err := Authorize(p, EditorRoles...); err != nil {
		return err
	}
	if errs := src.Validate(); len(errs) > 0 {
		return BadInput(errs[:1])
	}
	return CheckReason(reason, false)
}

// CheckEntityWrite checks an UpsertEntity (the entity itself is checked
// with the stored ids its citations name, by Dataset.Validate).
func CheckEntityWrite(p *Principal, reason string) error {
	if err := Authorize(p, EditorRoles...); err != nil {
		return err
	}
	return CheckReason(reason, false)
}

// CheckRelationWrite checks an UpsertRelation (every problem of the
// relation alone; its ends and sources are checked against the store).
func CheckRelationWrite(p *Principal, r Relation, reason string) error {
	if err := CheckEntityWrite(p, reason); err != nil {
		return err
	}
	return BadInput(r.Validate())
}

// CheckRetraction checks a RetractEntity (relation false) or a
// RetractRelation (relation true) of id: a reason is required.
func CheckRetraction(p *Principal, id string, relation bool, reason string) error {
	if err := Authorize(p, EditorRoles...); err != nil {
		return err
	}
	if relation {
		if !ValidRelationID(id) {
			return Errorf(EBADINPUT, "not a relation id")
		}
	} else if err := CheckEntityID(id); err != nil {
		return err
	}
	return CheckReason(reason, true)
}
