package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// writeTx runs work in one write transaction: every change, its audit
// event and the graph version's advance commit together or not at all.
func (s *Store) writeTx(ctx context.Context, name string, work neo4j.ManagedTransactionWork) (any, error) {
	return s.change(ctx, name, func(tx neo4j.ManagedTransaction) (any, bool, error) {
		out, err := work(tx)
		return out, true, err
	})
}

func txRecords(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// auditTime formats audit and edit times with a fixed width, so that their
// text sorts as the times do (RFC3339Nano drops trailing zeros, and
// "…05.1Z" sorts after "…05.12Z").
const auditTime = "2006-01-02T15:04:05.000000000Z07:00"

func formatAuditTime(t time.Time) string { return t.UTC().Format(auditTime) }

// auditProps are the properties of an audit event node. A CREATE has no
// before (the property is absent).
func auditProps(action domain.AuditAction, targetType, target, actor, reason string, before, after map[string]any, at time.Time) map[string]any {
	js := func(m map[string]any) string {
		delete(m, "hash")
		b, _ := json.Marshal(m)
		return string(b)
	}
	props := map[string]any{
		"id": "audit:" + randomHex(8), "at": formatAuditTime(at), "actor": actor,
		"action": string(action), "target": target, "targetType": targetType, "reason": reason,
		"after": js(after),
	}
	if before != nil {
		props["before"] = js(before)
	}
	return props
}

const createAudit = `CREATE (a:AuditEvent) SET a = $audit`

// Changes to one claim are serialised by a write lock on its node (for a
// relation, on its RelationId node) taken first in the transaction: Neo4j
// holds it until the transaction ends, so the next change to the claim
// waits, then reads what this one committed. The time a change records is
// the database's clock read after the lock, so a claim's history is in
// commit order, with one CREATE. The lock is a property set and removed in
// the same transaction (Cypher has no bare lock statement); MERGE on the
// unique id makes concurrent creates of one id wait for each other too.

// lockClaim takes the write lock on the node of label with id, creating it
// (with only its id) when absent. It returns the node's properties before
// this transaction (nil when it was just created) and the database time.
func lockClaim(ctx context.Context, tx neo4j.ManagedTransaction, label, id string) (map[string]any, time.Time, error) {
	// The label is a constant of this package (Source, Entity).
	recs, err := txRecords(ctx, tx, `
MERGE (n:`+label+` {id: $id})
ON CREATE SET n.__created = true
SET n.__lock = true
WITH n, coalesce(n.__created, false) AS created
REMOVE n.__created, n.__lock
RETURN CASE WHEN created THEN null ELSE properties(n) END AS before, datetime.realtime() AS now`, map[string]any{"id": id})
	if err != nil {
		return nil, time.Time{}, err
	}
	return lockResult(recs)
}

func lockResult(recs []*neo4j.Record) (map[string]any, time.Time, error) {
	if len(recs) != 1 {
		return nil, time.Time{}, fmt.Errorf("lock: %d records", len(recs))
	}
	before, _, err := neo4j.GetRecordValue[map[string]any](recs[0], "before")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("lock: before: %w", err)
	}
	now, _, err := neo4j.GetRecordValue[time.Time](recs[0], "now")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("lock: now: %w", err)
	}
	return before, now, nil
}

// lockEntities takes the write locks of the stored entities among ids, in
// id order (the same order in every transaction keeps deadlocks rare; Neo4j
// detects the rest and the driver retries).
func lockEntities(ctx context.Context, tx neo4j.ManagedTransaction, ids ...string) error {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	_, err := txRecords(ctx, tx, `
UNWIND $ids AS id
MATCH (n:Entity {id: id})
SET n.__lock = true
REMOVE n.__lock`, map[string]any{"ids": slices.Compact(sorted)})
	return err
}

// checkRefs validates one claim with the loader's rules, resolving the ids
// it names against the store inside the transaction.
func checkRefs(ctx context.Context, tx neo4j.ManagedTransaction, d *domain.Dataset, ids []string) (map[string]domain.Known, error) {
	recs, err := txRecords(ctx, tx, knownCypher(), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	known, err := decodeKnown(recs)
	if err != nil {
		return nil, err
	}
	if err := domain.BadInput(domain.FieldErrors(d.Validate(func(id string) (domain.Known, bool) { k, ok := known[id]; return k, ok }))); err != nil {
		return nil, err
	}
	return known, nil
}

// knownGrade looks up a source's grade among known items.
func knownGrade(known map[string]domain.Known) func(string) (domain.Grade, bool) {
	return func(id string) (domain.Grade, bool) {
		k, ok := known[id]
		return k.Grade, ok && k.Kind == domain.KindSource
	}
}

func citedSources(cs []domain.Citation) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.SourceID)
	}
	return out
}

func actionFor(before map[string]any) domain.AuditAction {
	if before == nil {
		return domain.AuditCreate
	}
	return domain.AuditUpdate
}

func withEdit(props map[string]any, actor string, at time.Time) map[string]any {
	props["editedBy"] = actor
	props["editedAt"] = formatAuditTime(at)
	return props
}

// UpsertSource creates or updates a source, with its audit event.
func (s *Store) UpsertSource(ctx context.Context, p *domain.Principal, src domain.Source, reason string) (*domain.Source, error) {
	if err := domain.CheckSourceWrite(p, src, reason); err != nil {
		return nil, err
	}
	actor := p.Actor()
	_, err := s.writeTx(ctx, "upsert-source", func(tx neo4j.ManagedTransaction) (any, error) {
		before, now, err := lockClaim(ctx, tx, "Source", src.ID)
		if err != nil {
			return nil, err
		}
		props := withEdit(sourceProps(&src), actor, now)
		after, err := writeClaim(ctx, tx, `MATCH (n:Source {id: $id}) SET n = $props`, map[string]any{"id": src.ID, "props": props})
		if err != nil {
			return nil, err
		}
		if _, err := txRecords(ctx, tx, recomputeBestGradesCypher, map[string]any{"ids": []string{src.ID}}); err != nil {
			return nil, err
		}
		audit := auditProps(actionFor(before), "source", src.ID, actor, reason, before, after, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	m, err := s.SourcesByID(ctx, []string{src.ID})
	if err != nil {
		return nil, err
	}
	return m[src.ID], nil
}

// UpsertEntity creates or updates an entity. A retracted entity cannot be
// updated (retractions are final; create a new claim instead), and an
// entity's kind cannot change: its id and its relations' endpoint rules
// were checked against it.
func (s *Store) UpsertEntity(ctx context.Context, p *domain.Principal, e domain.Entity, reason string) (*domain.Entity, error) {
	if err := domain.CheckEntityWrite(p, reason); err != nil {
		return nil, err
	}
	actor := p.Actor()
	d := &domain.Dataset{Entities: []domain.Entity{e}}
	_, err := s.writeTx(ctx, "upsert-entity", func(tx neo4j.ManagedTransaction) (any, error) {
		if _, err := checkRefs(ctx, tx, d, citedSources(e.Citations)); err != nil {
			return nil, err
		}
		before, now, err := lockClaim(ctx, tx, "Entity", e.ID)
		if err != nil {
			return nil, err
		}
		if before != nil {
			switch kind, _ := before["kind"].(string); {
			case before["retractedAt"] != nil:
				return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", e.ID)
			case kind != "" && kind != string(e.Kind):
				return nil, domain.Errorf(domain.EBADINPUT, "%s is a %s; an entity's kind cannot change (retract it and make a new entity)", e.ID, kind)
			}
		}
		props := withEdit(entityProps(&e), actor, now)
		after, err := writeClaim(ctx, tx, `MATCH (n:Entity {id: $id}) SET n = $props, `+kindLabels(e.Kind),
			map[string]any{"id": e.ID, "props": props})
		if err != nil {
			return nil, err
		}
		audit := auditProps(actionFor(before), "entity", e.ID, actor, reason, before, after, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.Entity(ctx, e.ID)
}

// writeClaim runs cypher, which writes the claim n, and returns n's stored
// properties: the audit's `after` is what was stored, whatever the
// statement set besides $props.
func writeClaim(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) (map[string]any, error) {
	recs, err := txRecords(ctx, tx, cypher+"\nRETURN properties(n) AS after", params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("write claim: %d records", len(recs))
	}
	after, _, err := neo4j.GetRecordValue[map[string]any](recs[0], "after")
	if err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	return after, nil
}

// lockRelationID takes the write lock on the RelationId node of id, which
// holds the id's one type (the unique constraint on RelationId makes a
// relation id unique across types), creating it with typ when absent
// (create). It returns the id's type ("" when absent) and the database time.
func lockRelationID(ctx context.Context, tx neo4j.ManagedTransaction, id, typ string, create bool) (string, time.Time, error) {
	cypher := `
MATCH (k:RelationId {id: $id})
SET k.__lock = true
REMOVE k.__lock
RETURN k.type AS type, datetime.realtime() AS now`
	if create {
		cypher = `
MERGE (k:RelationId {id: $id})
ON CREATE SET k.type = $type
SET k.__lock = true
REMOVE k.__lock
RETURN k.type AS type, datetime.realtime() AS now`
	}
	recs, err := txRecords(ctx, tx, cypher, map[string]any{"id": id, "type": typ})
	if err != nil || len(recs) == 0 {
		return "", time.Time{}, err
	}
	stored, _, err := neo4j.GetRecordValue[string](recs[0], "type")
	if err != nil {
		return "", time.Time{}, fmt.Errorf("relation id: type: %w", err)
	}
	now, _, err := neo4j.GetRecordValue[time.Time](recs[0], "now")
	if err != nil {
		return "", time.Time{}, fmt.Errorf("relation id: now: %w", err)
	}
	return stored, now, nil
}

// relationOf reads the relation of type typ with id, inside a transaction.
func relationOf(ctx context.Context, tx neo4j.ManagedTransaction, typ, id string) (from, to string, props map[string]any, err error) {
	// The type comes from the registry (through the RelationId node, which
	// only this package writes).
	if _, ok := domain.LookupRelationType(typ); !ok {
		return "", "", nil, fmt.Errorf("relation %s: unknown stored type %q", id, typ)
	}
	recs, err := txRecords(ctx, tx, `
MATCH (a:Entity)-[r:`+typ+` {id: $id}]->(b:Entity)
RETURN a.id AS from, b.id AS to, properties(r) AS props`, map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return "", "", nil, err
	}
	from, _, e1 := neo4j.GetRecordValue[string](recs[0], "from")
	to, _, e2 := neo4j.GetRecordValue[string](recs[0], "to")
	props, _, e3 := neo4j.GetRecordValue[map[string]any](recs[0], "props")
	if err := firstErr(e1, e2, e3); err != nil {
		return "", "", nil, fmt.Errorf("relation %s: decode: %w", id, err)
	}
	return from, to, props, nil
}

// UpsertRelation creates or updates a relation. Its type cannot change
// (a relation of another type is another claim, with another id).
func (s *Store) UpsertRelation(ctx context.Context, p *domain.Principal, r domain.Relation, reason string) (*domain.Relation, error) {
	// Checked alone first: the type must be a registered one before it
	// names the id's lock; the transaction checks the rest.
	if err := domain.CheckRelationWrite(p, r, reason); err != nil {
		return nil, err
	}
	actor := p.Actor()
	d := &domain.Dataset{Relations: []domain.Relation{r}}
	_, err := s.writeTx(ctx, "upsert-relation", func(tx neo4j.ManagedTransaction) (any, error) {
		typ, now, err := lockRelationID(ctx, tx, r.ID, r.Type, true)
		if err != nil {
			return nil, err
		}
		if typ != r.Type {
			return nil, domain.Errorf(domain.EBADINPUT, "%s is a %s relation; its type cannot change (make a new relation)", r.ID, typ)
		}
		// The ends are locked too: a retraction of one waits, or is seen.
		if err := lockEntities(ctx, tx, r.From, r.To); err != nil {
			return nil, err
		}
		known, err := checkRefs(ctx, tx, d, append(citedSources(r.Citations), r.From, r.To))
		if err != nil {
			return nil, err
		}
		from, to, before, err := relationOf(ctx, tx, r.Type, r.ID)
		if err != nil {
			return nil, err
		}
		if before != nil {
			if before["retractedAt"] != nil {
				return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", r.ID)
			}
			before["from"], before["to"] = from, to
		}
		props := withEdit(relationProps(&r, domain.BestGrade(r.Citations, knownGrade(known))), actor, now)
		// The type comes from the registry (validated above).
		after, err := writeClaim(ctx, tx, `
OPTIONAL MATCH (:Entity)-[old:`+r.Type+` {id: $id}]->(:Entity)
CALL (old) { WITH old WHERE old IS NOT NULL DELETE old }
WITH 1 AS one
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
CREATE (a)-[n:`+r.Type+`]->(b) SET n = $props`+setContested,
			map[string]any{"id": r.ID, "from": r.From, "to": r.To, "props": props})
		if err != nil {
			return nil, err
		}
		after["from"], after["to"] = r.From, r.To
		audit := auditProps(actionFor(before), "relation", r.ID, actor, reason, before, after, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.RelationByID(ctx, r.ID)
}

// RetractEntity withdraws an entity and every relation at it, in one
// transaction, with an audit event for each.
func (s *Store) RetractEntity(ctx context.Context, p *domain.Principal, id, reason string) (*domain.Entity, error) {
	if err := domain.CheckRetraction(p, id, false, reason); err != nil {
		return nil, err
	}
	actor := p.Actor()
	_, err := s.writeTx(ctx, "retract-entity", func(tx neo4j.ManagedTransaction) (any, error) {
		recs, err := txRecords(ctx, tx, `
MATCH (n:Entity {id: $id})
SET n.__lock = true
REMOVE n.__lock
RETURN properties(n) AS before, datetime.realtime() AS now`, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
		}
		before, now, err := lockResult(recs)
		if err != nil {
			return nil, err
		}
		if before["retractedAt"] != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
		}
		recs, err = txRecords(ctx, tx, `
MATCH (n:Entity {id: $id})
SET n.retractedAt = $at, n.retractedBy = $actor, n.retractedReason = $reason, n.editedBy = $actor, n.editedAt = $at
WITH n
OPTIONAL MATCH (n)-[r]-(:Entity) WHERE r.retractedAt IS NULL
WITH n, collect(r) AS rels
WITH n, rels, [r IN rels | {id: r.id, before: properties(r)}] AS befores
FOREACH (r IN rels | SET r.retractedAt = $at, r.retractedBy = $actor,
  r.retractedReason = 'entity ' + $id + ' retracted: ' + $reason, r.editedBy = $actor, r.editedAt = $at)
RETURN properties(n) AS after, befores, [r IN rels | properties(r)] AS afters`,
			map[string]any{"id": id, "at": formatAuditTime(now), "actor": actor, "reason": reason})
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("retract entity %s: %d records", id, len(recs))
		}
		after, _, e1 := neo4j.GetRecordValue[map[string]any](recs[0], "after")
		befores, _, e2 := neo4j.GetRecordValue[[]any](recs[0], "befores")
		afters, _, e3 := neo4j.GetRecordValue[[]any](recs[0], "afters")
		if err := firstErr(e1, e2, e3); err != nil {
			return nil, fmt.Errorf("retract entity %s: decode: %w", id, err)
		}
		if len(afters) != len(befores) {
			return nil, fmt.Errorf("retract entity %s: %d relations before, %d after", id, len(befores), len(afters))
		}
		audits := []map[string]any{auditProps(domain.AuditRetract, "entity", id, actor, reason, before, after, now)}
		for i, x := range befores {
			m, _ := x.(map[string]any)
			rid, _ := m["id"].(string)
			rb, _ := m["before"].(map[string]any)
			ra, _ := afters[i].(map[string]any)
			audits = append(audits, auditProps(domain.AuditRetract, "relation", rid, actor, "entity "+id+" retracted: "+reason, rb, ra, now))
		}
		_, err = txRecords(ctx, tx, `UNWIND $audits AS x CREATE (a:AuditEvent) SET a = x`, map[string]any{"audits": audits})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.Entity(ctx, id)
}

// RetractRelation withdraws one relation, with its audit event.
func (s *Store) RetractRelation(ctx context.Context, p *domain.Principal, id, reason string) (*domain.Relation, error) {
	if err := domain.CheckRetraction(p, id, true, reason); err != nil {
		return nil, err
	}
	actor := p.Actor()
	_, err := s.writeTx(ctx, "retract-relation", func(tx neo4j.ManagedTransaction) (any, error) {
		typ, now, err := lockRelationID(ctx, tx, id, "", false)
		if err != nil {
			return nil, err
		}
		var before map[string]any
		if typ != "" {
			if _, _, before, err = relationOf(ctx, tx, typ, id); err != nil {
				return nil, err
			}
		}
		if before == nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
		}
		if before["retractedAt"] != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
		}
		at := formatAuditTime(now)
		recs, err := txRecords(ctx, tx, `
MATCH (:Entity)-[r:`+typ+` {id: $id}]->(:Entity)
SET r.retractedAt = $at, r.retractedBy = $actor, r.retractedReason = $reason, r.editedBy = $actor, r.editedAt = $at
RETURN properties(r) AS after`, map[string]any{"id": id, "at": at, "actor": actor, "reason": reason})
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("retract relation %s: %d records", id, len(recs))
		}
		after, _, err := neo4j.GetRecordValue[map[string]any](recs[0], "after")
		if err != nil {
			return nil, fmt.Errorf("retract relation %s: decode: %w", id, err)
		}
		audit := auditProps(domain.AuditRetract, "relation", id, actor, reason, before, after, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.RelationByID(ctx, id)
}

// History returns the audit events of each target, newest first.
func (s *Store) History(ctx context.Context, targetIDs []string, first int) (map[string][]domain.AuditEvent, error) {
	if err := domain.CheckHistory(first); err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, "history", `
UNWIND $ids AS id
CALL (id) {
  MATCH (a:AuditEvent {target: id}) RETURN a ORDER BY a.at DESC LIMIT $first
}
RETURN id, properties(a) AS props`, map[string]any{"ids": targetIDs, "first": first})
	if err != nil {
		return nil, err
	}
	out := map[string][]domain.AuditEvent{}
	for _, r := range recs {
		id, _, e1 := neo4j.GetRecordValue[string](r, "id")
		props, _, e2 := neo4j.GetRecordValue[map[string]any](r, "props")
		if err := firstErr(e1, e2); err != nil {
			return nil, fmt.Errorf("history: decode: %w", err)
		}
		ev, err := decodeAudit(props)
		if err != nil {
			return nil, err
		}
		out[id] = append(out[id], ev)
	}
	return out, nil
}

// CreateKey makes an API key; only the hash of its secret is stored.
func (s *Store) CreateKey(ctx context.Context, name, label string, role domain.Role) (string, *domain.APIKey, error) {
	if err := domain.CheckKeyName(name, label); err != nil {
		return "", nil, err
	}
	if !domain.ValidRole(role) {
		return "", nil, domain.Errorf(domain.EBADINPUT, "unknown role %q (reader, editor, admin)", role)
	}
	id := randomHex(8)
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now().UTC()
	if _, err := s.write(ctx, "create-key", `CREATE (k:ApiKey {id: $id, name: $name, label: $label, role: $role, hash: $hash, created: $created})`,
		map[string]any{"id": id, "name": name, "label": label, "role": string(role), "hash": domain.HashSecret(secret), "created": now.Format(time.RFC3339Nano)}); err != nil {
		return "", nil, err
	}
	return "atk_" + id + "_" + secret, &domain.APIKey{ID: id, Name: name, Label: label, Role: role, Created: now}, nil
}

// RevokeKey revokes a key.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	recs, err := s.write(ctx, "revoke-key", `MATCH (k:ApiKey {id: $id}) SET k.revoked = coalesce(k.revoked, $now) RETURN k.id AS id`,
		map[string]any{"id": id, "now": time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no key with id %q", id)
	}
	return nil
}

// ListKeys lists keys, newest first.
func (s *Store) ListKeys(ctx context.Context) ([]domain.APIKey, error) {
	recs, err := s.read(ctx, "list-keys", `MATCH (k:ApiKey) RETURN properties(k) AS props ORDER BY k.created DESC`, nil)
	if err != nil {
		return nil, err
	}
	out := make([]domain.APIKey, 0, len(recs))
	for _, r := range recs {
		props, _, err := neo4j.GetRecordValue[map[string]any](r, "props")
		if err != nil {
			return nil, err
		}
		k, err := decodeKey(props)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, nil
}

func decodeKey(props map[string]any) (*domain.APIKey, error) {
	d := decoder{props: props}
	k := &domain.APIKey{ID: d.str("id"), Name: d.str("name"), Label: d.str("label"), Role: domain.Role(d.str("role"))}
	created, err := time.Parse(time.RFC3339Nano, d.str("created"))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", k.ID, err)
	}
	k.Created = created
	if rv := d.str("revoked"); rv != "" {
		t, err := time.Parse(time.RFC3339Nano, rv)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.ID, err)
		}
		k.Revoked = &t
	}
	return k, d.err
}

// Authenticate checks a token against the stored hash of its key.
func (s *Store) Authenticate(ctx context.Context, token string) (*domain.Principal, error) {
	id, secret, ok := domain.ParseToken(token)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHENTICATED, "malformed API key")
	}
	recs, err := s.read(ctx, "authenticate", `MATCH (k:ApiKey {id: $id}) RETURN properties(k) AS props`, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, domain.Errorf(domain.EUNAUTHENTICATED, "unknown API key")
	}
	props, _, err := neo4j.GetRecordValue[map[string]any](recs[0], "props")
	if err != nil {
		return nil, err
	}
	hash, _ := props["hash"].(string)
	if !domain.SecretMatches(secret, hash) {
		return nil, domain.Errorf(domain.EUNAUTHENTICATED, "unknown API key")
	}
	k, err := decodeKey(props)
	if err != nil {
		return nil, err
	}
	if k.Revoked != nil {
		return nil, domain.Errorf(domain.EUNAUTHENTICATED, "this API key was revoked")
	}
	return &domain.Principal{KeyID: k.ID, Name: k.Name, Label: k.Label, Role: k.Role}, nil
}

var (
	_ domain.WriteService = (*Store)(nil)
	_ domain.KeyService   = (*Store)(nil)
)
