package neo4jstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Entity returns one entity by id.
func (s *Store) Entity(ctx context.Context, id string) (*domain.Entity, error) {
	m, err := s.EntitiesByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	e, ok := m[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	return e, nil
}

// EntitiesByID returns the stored entities among ids, in one round trip.
func (s *Store) EntitiesByID(ctx context.Context, ids []string) (map[string]*domain.Entity, error) {
	st := EntitiesByIDStatement(ids)
	recs, err := s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*domain.Entity, len(recs))
	for _, r := range recs {
		n, _, err := neo4j.GetRecordValue[dbtype.Node](r, "n")
		if err != nil {
			return nil, fmt.Errorf("entities: decode: %w", err)
		}
		e, err := decodeEntity(n.Props)
		if err != nil {
			return nil, err
		}
		out[e.ID] = e
	}
	return out, nil
}

// entityActiveClause is the as-of filter of entity listings, by the
// entity's own dates: its interval [fromStart, toEnd] overlaps [$asOfStart,
// $asOfEnd]; absent bounds are open. It also leaves out retracted entities.
func entityActiveClause(v string) string {
	return fmt.Sprintf("(%[1]s.retractedAt IS NULL AND ($asOfStart IS NULL OR ((%[1]s.fromStart IS NULL OR %[1]s.fromStart <= $asOfEnd) AND (%[1]s.toEnd IS NULL OR %[1]s.toEnd >= $asOfStart))))", v)
}

// activeClause says a traversal may follow relation r at the query's time
// (domain.Time): with no date, any live relation; with a date, never one
// whose stated period excludes it, and only one known to be in force on it
// (its known period, stored as knownStart..knownEnd, overlaps the date)
// unless $includeNotKnown. It leaves out retracted claims: every traversal
// and listing uses it.
func activeClause(r string) string {
	return fmt.Sprintf("(%[1]s.retractedAt IS NULL AND ($asOfStart IS NULL OR ("+
		"(%[1]s.fromStart IS NULL OR %[1]s.fromStart <= $asOfEnd) AND (%[1]s.toEnd IS NULL OR %[1]s.toEnd >= $asOfStart) AND "+
		"($includeNotKnown OR (%[1]s.knownStart IS NOT NULL AND %[1]s.knownStart <= $asOfEnd AND %[1]s.knownEnd >= $asOfStart)))))", r)
}

// activeAt is activeClause for a statement that knows its time: with no
// date only retractions matter, and the date's tests are left out (a plan
// of its own, with no per-relationship test of parameters).
func activeAt(r string, t domain.Time) string {
	if t.AsOf.IsZero() {
		return r + ".retractedAt IS NULL"
	}
	return activeClause(r)
}

// asOfParams sets the date parameters of entityActiveClause.
func asOfParams(p map[string]any, d domain.PartialDate) map[string]any {
	if d.IsZero() {
		p["asOfStart"], p["asOfEnd"] = nil, nil
	} else {
		p["asOfStart"], p["asOfEnd"] = d.Start(), d.End()
	}
	return p
}

// timeParams sets the parameters of activeClause.
func timeParams(p map[string]any, t domain.Time) map[string]any {
	p["includeNotKnown"] = t.IncludeNotKnown
	return asOfParams(p, t.AsOf)
}

// Relations returns the relations around q.IDs in one round trip.
func (s *Store) Relations(ctx context.Context, q domain.RelationQuery) ([]domain.Relation, error) {
	if err := domain.CheckTypes(q.Types); err != nil {
		return nil, err
	}
	pattern := "(a:Entity {id: id})-[r]-(b:Entity)"
	switch q.Direction {
	case domain.Outgoing:
		pattern = "(a:Entity {id: id})-[r]->(b:Entity)"
	case domain.Incoming:
		pattern = "(a:Entity {id: id})<-[r]-(b:Entity)"
	}
	recs, err := s.read(ctx, "relations", `
UNWIND $ids AS id
MATCH `+pattern+`
WHERE (size($types) = 0 OR type(r) IN $types) AND `+activeClause("r")+`
RETURN DISTINCT type(r) AS type, startNode(r).id AS from, endNode(r).id AS to, properties(r) AS props
ORDER BY type, props.id`, timeParams(map[string]any{"ids": q.IDs, "types": nonNil(q.Types)}, q.Time))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Relation, 0, len(recs))
	for _, r := range recs {
		rel, err := decodeRelationRecord(r)
		if err != nil {
			return nil, err
		}
		out = append(out, *rel)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func decodeRelationRecord(r *neo4j.Record) (*domain.Relation, error) {
	typ, _, e1 := neo4j.GetRecordValue[string](r, "type")
	from, _, e2 := neo4j.GetRecordValue[string](r, "from")
	to, _, e3 := neo4j.GetRecordValue[string](r, "to")
	props, _, e4 := neo4j.GetRecordValue[map[string]any](r, "props")
	if err := firstErr(e1, e2, e3, e4); err != nil {
		return nil, fmt.Errorf("relation: decode: %w", err)
	}
	return decodeRelation(typ, from, to, props)
}

// prop reads an optional property of type T; a wrong type is an error.
func prop[T any](props map[string]any, key string) (T, error) {
	var zero T
	v, ok := props[key]
	if !ok || v == nil {
		return zero, nil
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("property %s: have %T, want %T", key, v, zero)
	}
	return t, nil
}

func stringList(props map[string]any, key string) ([]string, error) {
	raw, err := prop[[]any](props, key)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("property %s: element %T, want string", key, v)
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeCitations(js string) ([]domain.Citation, error) {
	if js == "" {
		return nil, nil
	}
	var cs []citationJSON
	if err := json.Unmarshal([]byte(js), &cs); err != nil {
		return nil, fmt.Errorf("citations: %w", err)
	}
	out := make([]domain.Citation, len(cs))
	for i, c := range cs {
		at, err := domain.ParsePartialDate(c.Attests)
		if err != nil {
			return nil, fmt.Errorf("citations: %w", err)
		}
		out[i] = domain.Citation{SourceID: c.Source, Quote: c.Quote, Locator: c.Locator, Attests: at}
	}
	return out, nil
}

func decodeQuantities(js string) ([]domain.Quantity, error) {
	if js == "" {
		return nil, nil
	}
	var qs []quantityJSON
	if err := json.Unmarshal([]byte(js), &qs); err != nil {
		return nil, fmt.Errorf("quantities: %w", err)
	}
	out := make([]domain.Quantity, len(qs))
	for i, q := range qs {
		out[i] = domain.Quantity{Name: q.Name, Value: q.Value, Unit: q.Unit, Source: q.Source}
	}
	return out, nil
}

// decoder collects the first error of a series of property reads.
type decoder struct {
	props map[string]any
	err   error
}

func (d *decoder) str(key string) string {
	v, err := prop[string](d.props, key)
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) date(key string) domain.PartialDate {
	v, err := domain.ParsePartialDate(d.str(key))
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) boolean(key string) bool {
	v, err := prop[bool](d.props, key)
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) list(key string) []string {
	v, err := stringList(d.props, key)
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) citations() []domain.Citation {
	v, err := decodeCitations(d.str("citations"))
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) quantities() []domain.Quantity {
	v, err := decodeQuantities(d.str("quantities"))
	if d.err == nil {
		d.err = err
	}
	return v
}

func (d *decoder) retraction() *domain.Retraction {
	at := d.str("retractedAt")
	if at == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if d.err == nil {
		d.err = err
	}
	return &domain.Retraction{At: t, By: d.str("retractedBy"), Reason: d.str("retractedReason")}
}

func decodeEntity(props map[string]any) (*domain.Entity, error) {
	d := decoder{props: props}
	e := &domain.Entity{
		ID: d.str("id"), Kind: domain.Kind(d.str("kind")), Name: d.str("name"), NameZh: d.str("nameZh"),
		Aliases: d.list("aliases"), Description: d.str("description"),
		ValidFrom: d.date("validFrom"), ValidTo: d.date("validTo"),
		Quantities: d.quantities(), Citations: d.citations(), Synthetic: d.boolean("synthetic"),
		Retraction: d.retraction(),
	}
	if d.err != nil {
		return nil, fmt.Errorf("entity %v: decode: %w", props["id"], d.err)
	}
	return e, nil
}

func decodeRelation(typ, from, to string, props map[string]any) (*domain.Relation, error) {
	d := decoder{props: props}
	r := &domain.Relation{
		ID: d.str("id"), Type: typ, From: from, To: to,
		ValidFrom: d.date("validFrom"), ValidTo: d.date("validTo"),
		Confidence: domain.Confidence(d.str("confidence")), Inferred: d.boolean("inferred"), Role: d.str("role"),
		Quantities: d.quantities(), Note: d.str("note"), BestGrade: domain.Grade(d.str("bestGrade")),
		Contested: d.boolean("contested"),
		Citations: d.citations(), Synthetic: d.boolean("synthetic"),
		Retraction: d.retraction(),
	}
	// The stored known period stands in for the citations it is worked
	// out from when a read did not fetch them (FieldKnownPeriod); a read
	// of the citations works it out from them, as the write did. None is
	// stored for an undated relation (and none was before the period was
	// stored): then it is worked out from the stated dates alone, which
	// for an undated relation is none either, and otherwise never more
	// than the citations would give.
	_, cited := props["citations"]
	if props["knownFrom"] != nil && !cited {
		r.Known = &domain.Period{From: d.date("knownFrom"), To: d.date("knownTo")}
	}
	if attrs := d.str("attributes"); attrs != "" && d.err == nil {
		d.err = json.Unmarshal([]byte(attrs), &r.Attributes)
	}
	if d.err != nil {
		return nil, fmt.Errorf("relation %v: decode: %w", props["id"], d.err)
	}
	return r, nil
}

// SourcesByID returns the stored sources among ids, keyed by id.
func (s *Store) SourcesByID(ctx context.Context, ids []string) (map[string]*domain.Source, error) {
	recs, err := s.read(ctx, "sources-by-id", `
UNWIND $ids AS id
MATCH (s:Source {id: id})
RETURN properties(s) AS props`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*domain.Source, len(recs))
	for _, r := range recs {
		props, _, err := neo4j.GetRecordValue[map[string]any](r, "props")
		if err != nil {
			return nil, fmt.Errorf("sources: decode: %w", err)
		}
		src, err := decodeSource(props)
		if err != nil {
			return nil, err
		}
		out[src.ID] = src
	}
	return out, nil
}

func decodeSource(props map[string]any) (*domain.Source, error) {
	d := decoder{props: props}
	s := &domain.Source{
		ID: d.str("id"), Title: d.str("title"), Publisher: d.str("publisher"), MirrorOf: d.str("mirrorOf"), URL: d.str("url"), Document: d.str("document"),
		Published: d.date("published"), Type: domain.SourceType(d.str("type")), Grade: domain.Grade(d.str("grade")),
		Note: d.str("note"),
	}
	if d.err != nil {
		return nil, fmt.Errorf("source %v: decode: %w", props["id"], d.err)
	}
	return s, nil
}

// relationByIDCypher finds a relation by $id whatever its type: one index
// seek per registered type (each type's id constraint is its index). Types
// come from the registry only.
func relationByIDCypher() string {
	parts := make([]string, 0, len(domain.RelationTypes()))
	for _, t := range domain.RelationTypes() {
		parts = append(parts, "MATCH (:Entity)-[r:"+t.Name+" {id: $id}]->(:Entity) RETURN r")
	}
	return "CALL () { " + strings.Join(parts, " UNION ALL ") + ` }
RETURN type(r) AS type, startNode(r).id AS from, endNode(r).id AS to, properties(r) AS props LIMIT 1`
}

// RelationByID finds a relation by id: one index seek per registered type
// (each type's id constraint is its index).
func (s *Store) RelationByID(ctx context.Context, id string) (*domain.Relation, error) {
	recs, err := s.read(ctx, "relation-by-id", relationByIDCypher(), map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
	}
	return decodeRelationRecord(recs[0])
}

// CounterClaims returns the counter-claims that contest each of ids (relation
// or entity ids), ordered by date then id, in one round trip.
func (s *Store) CounterClaims(ctx context.Context, ids []string) (map[string][]domain.CounterClaim, error) {
	out := make(map[string][]domain.CounterClaim, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, "counter-claims", `
UNWIND $ids AS id
MATCH (c:CounterClaim {contests: id})
RETURN properties(c) AS props ORDER BY c.date, c.id`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		props, _, err := neo4j.GetRecordValue[map[string]any](r, "props")
		if err != nil {
			return nil, fmt.Errorf("counter-claims: decode: %w", err)
		}
		cc, err := decodeCounterClaim(props)
		if err != nil {
			return nil, err
		}
		out[cc.Contests] = append(out[cc.Contests], *cc)
	}
	return out, nil
}

// CounterClaimByID returns one counter-claim. Errors: NOT_FOUND.
func (s *Store) CounterClaimByID(ctx context.Context, id string) (*domain.CounterClaim, error) {
	recs, err := s.read(ctx, "counter-claim", `MATCH (c:CounterClaim {id: $id}) RETURN properties(c) AS props`, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "no counter-claim with id %q", id)
	}
	props, _, err := neo4j.GetRecordValue[map[string]any](recs[0], "props")
	if err != nil {
		return nil, fmt.Errorf("counter-claim: decode: %w", err)
	}
	return decodeCounterClaim(props)
}

func decodeCounterClaim(props map[string]any) (*domain.CounterClaim, error) {
	d := decoder{props: props}
	cc := &domain.CounterClaim{
		ID: d.str("id"), Contests: d.str("contests"), Kind: domain.CounterClaimKind(d.str("kind")), By: d.str("by"),
		Date: d.date("date"), Statement: d.str("statement"), Citations: d.citations(),
	}
	if d.err != nil {
		return nil, fmt.Errorf("counter-claim %v: decode: %w", props["id"], d.err)
	}
	return cc, nil
}
