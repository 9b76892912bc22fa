package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// writeTx runs work in one write transaction: every change and its audit
// event commit together or not at all.
func (s *Store) writeTx(ctx context.Context, name string, work neo4j.ManagedTransactionWork) (any, error) {
	return s.transact(ctx, name, neo4j.AccessModeWrite, work)
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

// auditProps are the properties of an audit event node.
func auditProps(action domain.AuditAction, targetType, target, actor, reason string, before, after map[string]any, at time.Time) map[string]any {
	js := func(m map[string]any) string {
		if m == nil {
			return ""
		}
		delete(m, "hash")
		b, _ := json.Marshal(m)
		return string(b)
	}
	return map[string]any{
		"id": "audit:" + randomHex(8), "at": at.UTC().Format(time.RFC3339Nano), "actor": actor,
		"action": string(action), "target": target, "targetType": targetType, "reason": reason,
		"before": js(before), "after": js(after),
	}
}

const createAudit = `CREATE (a:AuditEvent) SET a = $audit`

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
	if probs := d.Validate(func(id string) (domain.Known, bool) { k, ok := known[id]; return k, ok }); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Field + ": " + p.Message
		}
		return nil, domain.Errorf(domain.EBADINPUT, "%s", strings.Join(msgs, "; "))
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
	props["editedAt"] = at.UTC().Format(time.RFC3339Nano)
	return props
}

// UpsertSource creates or updates a source, with its audit event.
func (s *Store) UpsertSource(ctx context.Context, src domain.Source, actor, reason string) (*domain.Source, error) {
	if errs := src.Validate(); len(errs) > 0 {
		return nil, domain.Errorf(domain.EBADINPUT, "%s", errs[0].Error())
	}
	if err := domain.CheckReason(reason, false); err != nil {
		return nil, err
	}
	out, err := s.writeTx(ctx, "upsert-source", func(tx neo4j.ManagedTransaction) (any, error) {
		now := time.Now()
		recs, err := txRecords(ctx, tx, `OPTIONAL MATCH (n:Source {id: $id}) RETURN properties(n) AS before`, map[string]any{"id": src.ID})
		if err != nil {
			return nil, err
		}
		before, _, _ := neo4j.GetRecordValue[map[string]any](recs[0], "before")
		props := withEdit(sourceProps(&src), actor, now)
		if _, err := txRecords(ctx, tx, `MERGE (n:Source {id: $id}) SET n = $props`, map[string]any{"id": src.ID, "props": props}); err != nil {
			return nil, err
		}
		if _, err := txRecords(ctx, tx, recomputeBestGradesCypher, map[string]any{"ids": []string{src.ID}}); err != nil {
			return nil, err
		}
		audit := auditProps(actionFor(before), "source", src.ID, actor, reason, before, props, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	_ = out
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
// updated (retractions are final; create a new claim instead).
func (s *Store) UpsertEntity(ctx context.Context, e domain.Entity, actor, reason string) (*domain.Entity, error) {
	if err := domain.CheckReason(reason, false); err != nil {
		return nil, err
	}
	d := &domain.Dataset{Entities: []domain.Entity{e}}
	_, err := s.writeTx(ctx, "upsert-entity", func(tx neo4j.ManagedTransaction) (any, error) {
		if _, err := checkRefs(ctx, tx, d, citedSources(e.Citations)); err != nil {
			return nil, err
		}
		now := time.Now()
		recs, err := txRecords(ctx, tx, `OPTIONAL MATCH (n:Entity {id: $id}) RETURN properties(n) AS before`, map[string]any{"id": e.ID})
		if err != nil {
			return nil, err
		}
		before, _, _ := neo4j.GetRecordValue[map[string]any](recs[0], "before")
		if before != nil && before["retractedAt"] != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", e.ID)
		}
		props := withEdit(entityProps(&e), actor, now)
		var others []string
		for _, k := range domain.Kinds() {
			if k.Kind != e.Kind {
				others = append(others, k.Label)
			}
		}
		// Labels come from the registry only.
		if _, err := txRecords(ctx, tx, `MERGE (n:Entity {id: $id}) SET n = $props, n:`+e.Kind.Label()+` REMOVE n:`+strings.Join(others, ":"),
			map[string]any{"id": e.ID, "props": props}); err != nil {
			return nil, err
		}
		audit := auditProps(actionFor(before), "entity", e.ID, actor, reason, before, props, now)
		_, err = txRecords(ctx, tx, createAudit, map[string]any{"audit": audit})
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return s.Entity(ctx, e.ID)
}

// relationOf finds the type and ends of a relation id, inside a transaction.
func relationOf(ctx context.Context, tx neo4j.ManagedTransaction, id string) (typ, from, to string, props map[string]any, err error) {
	recs, err := txRecords(ctx, tx, relationByIDCypher(), map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return "", "", "", nil, err
	}
	typ, _, _ = neo4j.GetRecordValue[string](recs[0], "type")
	from, _, _ = neo4j.GetRecordValue[string](recs[0], "from")
	to, _, _ = neo4j.GetRecordValue[string](recs[0], "to")
	props, _, _ = neo4j.GetRecordValue[map[string]any](recs[0], "props")
	return typ, from, to, props, nil
}

// UpsertRelation creates or updates a relation. Its type cannot change
// (a relation of another type is another claim, with another id).
func (s *Store) UpsertRelation(ctx context.Context, r domain.Relation, actor, reason string) (*domain.Relation, error) {
	if err := domain.CheckReason(reason, false); err != nil {
		return nil, err
	}
	d := &domain.Dataset{Relations: []domain.Relation{r}}
	_, err := s.writeTx(ctx, "upsert-relation", func(tx neo4j.ManagedTransaction) (any, error) {
		known, err := checkRefs(ctx, tx, d, append(citedSources(r.Citations), r.From, r.To))
		if err != nil {
			return nil, err
		}
		now := time.Now()
		typ, from, to, before, err := relationOf(ctx, tx, r.ID)
		if err != nil {
			return nil, err
		}
		if before != nil {
			switch {
			case before["retractedAt"] != nil:
				return nil, domain.Errorf(domain.EBADINPUT, "%s was retracted; retractions are final", r.ID)
			case typ != r.Type:
				return nil, domain.Errorf(domain.EBADINPUT, "%s is a %s relation; its type cannot change (make a new relation)", r.ID, typ)
			}
			before["from"], before["to"] = from, to
		}
		props := withEdit(relationProps(&r, domain.BestGrade(r.Citations, knownGrade(known))), actor, now)
		// The type comes from the registry (validated above).
		if _, err := txRecords(ctx, tx, `
OPTIONAL MATCH (:Entity)-[old:`+r.Type+` {id: $id}]->(:Entity)
CALL (old) { WITH old WHERE old IS NOT NULL DELETE old }
WITH 1 AS one
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
CREATE (a)-[n:`+r.Type+`]->(b) SET n = $props`+setContested,
			map[string]any{"id": r.ID, "from": r.From, "to": r.To, "props": props}); err != nil {
			return nil, err
		}
		after := map[string]any{}
		for k, v := range props {
			after[k] = v
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
func (s *Store) RetractEntity(ctx context.Context, id, actor, reason string) (*domain.Entity, error) {
	if err := domain.CheckEntityID(id); err != nil {
		return nil, err
	}
	if err := domain.CheckReason(reason, true); err != nil {
		return nil, err
	}
	_, err := s.writeTx(ctx, "retract-entity", func(tx neo4j.ManagedTransaction) (any, error) {
		now := time.Now()
		at := now.UTC().Format(time.RFC3339Nano)
		recs, err := txRecords(ctx, tx, `
MATCH (n:Entity {id: $id})
WITH n, properties(n) AS before
SET n.retractedAt = coalesce(n.retractedAt, $at), n.retractedBy = coalesce(n.retractedBy, $actor),
    n.retractedReason = coalesce(n.retractedReason, $reason), n.editedBy = $actor, n.editedAt = $at
WITH n, before
OPTIONAL MATCH (n)-[r]-(:Entity) WHERE r.retractedAt IS NULL
WITH n, before, collect(r) AS rels
FOREACH (r IN rels | SET r.retractedAt = $at, r.retractedBy = $actor,
  r.retractedReason = 'entity ' + $id + ' retracted: ' + $reason, r.editedBy = $actor, r.editedAt = $at)
RETURN before, properties(n) AS after, [r IN rels | {id: r.id, after: properties(r)}] AS rels`,
			map[string]any{"id": id, "at": at, "actor": actor, "reason": reason})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
		}
		before, _, _ := neo4j.GetRecordValue[map[string]any](recs[0], "before")
		if before["retractedAt"] != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
		}
		after, _, _ := neo4j.GetRecordValue[map[string]any](recs[0], "after")
		rels, _, _ := neo4j.GetRecordValue[[]any](recs[0], "rels")
		audits := []map[string]any{auditProps(domain.AuditRetract, "entity", id, actor, reason, before, after, now)}
		for _, x := range rels {
			m, _ := x.(map[string]any)
			rid, _ := m["id"].(string)
			ra, _ := m["after"].(map[string]any)
			audits = append(audits, auditProps(domain.AuditRetract, "relation", rid, actor, "entity "+id+" retracted: "+reason, nil, ra, now))
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
func (s *Store) RetractRelation(ctx context.Context, id, actor, reason string) (*domain.Relation, error) {
	if !domain.ValidRelationID(id) {
		return nil, domain.Errorf(domain.EBADINPUT, "not a relation id")
	}
	if err := domain.CheckReason(reason, true); err != nil {
		return nil, err
	}
	_, err := s.writeTx(ctx, "retract-relation", func(tx neo4j.ManagedTransaction) (any, error) {
		now := time.Now()
		typ, _, _, before, err := relationOf(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if before == nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
		}
		if before["retractedAt"] != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s is already retracted", id)
		}
		at := now.UTC().Format(time.RFC3339Nano)
		recs, err := txRecords(ctx, tx, `
MATCH (:Entity)-[r:`+typ+` {id: $id}]->(:Entity)
SET r.retractedAt = $at, r.retractedBy = $actor, r.retractedReason = $reason, r.editedBy = $actor, r.editedAt = $at
RETURN properties(r) AS after`, map[string]any{"id": id, "at": at, "actor": actor, "reason": reason})
		if err != nil {
			return nil, err
		}
		after, _, _ := neo4j.GetRecordValue[map[string]any](recs[0], "after")
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
	if err := domain.CheckPage(first); err != nil {
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
		d := decoder{props: props}
		ev := domain.AuditEvent{
			ID: d.str("id"), Actor: d.str("actor"), Action: domain.AuditAction(d.str("action")),
			TargetID: d.str("target"), TargetType: d.str("targetType"), Reason: d.str("reason"),
			Before: d.str("before"), After: d.str("after"),
		}
		at, err := time.Parse(time.RFC3339Nano, d.str("at"))
		if d.err != nil || err != nil {
			return nil, fmt.Errorf("history: decode: %v %v", d.err, err)
		}
		ev.At = at
		out[id] = append(out[id], ev)
	}
	return out, nil
}

// CreateKey makes an API key; only the hash of its secret is stored.
func (s *Store) CreateKey(ctx context.Context, name string, role domain.Role) (string, *domain.APIKey, error) {
	if strings.TrimSpace(name) == "" || len(name) > 200 {
		return "", nil, domain.Errorf(domain.EBADINPUT, "a key needs a name (at most 200 characters)")
	}
	if !domain.ValidRole(role) {
		return "", nil, domain.Errorf(domain.EBADINPUT, "unknown role %q (reader, editor, admin)", role)
	}
	id := randomHex(8)
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now().UTC()
	if _, err := s.write(ctx, "create-key", `CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, created: $created})`,
		map[string]any{"id": id, "name": name, "role": string(role), "hash": domain.HashSecret(secret), "created": now.Format(time.RFC3339Nano)}); err != nil {
		return "", nil, err
	}
	return "atk_" + id + "_" + secret, &domain.APIKey{ID: id, Name: name, Role: role, Created: now}, nil
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
	k := &domain.APIKey{ID: d.str("id"), Name: d.str("name"), Role: domain.Role(d.str("role"))}
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
	return &domain.Principal{KeyID: k.ID, Name: k.Name, Role: k.Role}, nil
}

var (
	_ domain.WriteService = (*Store)(nil)
	_ domain.KeyService   = (*Store)(nil)
)
