package neo4jstore

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Compiling plans. A domain plan (domain.EntityPlan and its kin) becomes one
// Cypher expression per item: a map projection of the item's stored
// properties, with one COLLECT subquery per nested page (relations, claims,
// counter-claims, history, cited sources), each nesting the expressions of
// what is wanted of its items. A root field's statement finds its items and
// returns their expressions, so the whole answer is one round trip. User
// input reaches the statement only as parameters; relation types only as
// registry names; numbers (page sizes) as parameters too.
//
// The keys of the nested parts start with "_" so that they never meet a
// stored property's name; the filler below reads them back in the order
// the plan lists them.

// The stored properties each own field is read from (the id, and a
// relation's type and ends, are always read). A statement projects only the
// properties of the fields its plan wants (not the search and hash
// properties the loader also stores).
var (
	entityFieldKeys = []fieldKeys{
		{domain.FieldKind, []string{"kind"}}, {domain.FieldName, []string{"name"}}, {domain.FieldNameZh, []string{"nameZh"}},
		{domain.FieldAliases, []string{"aliases"}}, {domain.FieldDescription, []string{"description"}},
		{domain.FieldValidFrom, []string{"validFrom"}}, {domain.FieldValidTo, []string{"validTo"}},
		{domain.FieldQuantities, []string{"quantities"}}, {domain.FieldCitations, []string{"citations"}},
		{domain.FieldSynthetic, []string{"synthetic"}}, {domain.FieldRetraction, []string{"retractedAt", "retractedBy", "retractedReason"}},
	}
	relationFieldKeys = []fieldKeys{
		{domain.FieldValidFrom, []string{"validFrom"}}, {domain.FieldValidTo, []string{"validTo"}},
		{domain.FieldConfidence, []string{"confidence"}}, {domain.FieldInferred, []string{"inferred"}},
		{domain.FieldBestGrade, []string{"bestGrade"}}, {domain.FieldContested, []string{"contested"}},
		{domain.FieldRole, []string{"role"}}, {domain.FieldQuantities, []string{"quantities"}},
		{domain.FieldAttributes, []string{"attributes"}}, {domain.FieldNote, []string{"note"}},
		{domain.FieldCitations, []string{"citations"}}, {domain.FieldSynthetic, []string{"synthetic"}},
		{domain.FieldRetraction, []string{"retractedAt", "retractedBy", "retractedReason"}},
		{domain.FieldKnownPeriod, []string{"knownFrom", "knownTo"}},
	}
	// Sources, counter-claims and audit events are small: read whole.
	sourceKeys       = []string{"id", "title", "publisher", "mirrorOf", "url", "document", "published", "type", "grade", "note"}
	counterClaimKeys = []string{"id", "contests", "kind", "by", "date", "statement", "citations"}
	auditKeys        = []string{"id", "at", "actor", "action", "target", "targetType", "reason", "before", "after"}
)

type fieldKeys struct {
	field domain.Fields
	keys  []string
}

// keysOf lists the stored properties of fields f: the id, then each field's.
func keysOf(table []fieldKeys, f domain.Fields) []string {
	out := []string{"id"}
	for _, fk := range table {
		if f&fk.field != 0 {
			out = append(out, fk.keys...)
		}
	}
	return out
}

func projection(keys []string) string {
	return "." + strings.Join(keys, ", .")
}

var (
	sourceProjection       = projection(sourceKeys)
	counterClaimProjection = projection(counterClaimKeys)
	auditProjection        = projection(auditKeys)
)

// wanted is the union of the own fields a plan wants of entities and of
// relations, wherever they stand in it.
type wanted struct{ entity, relation domain.Fields }

func (w *wanted) entityPlan(p *domain.EntityPlan) {
	if p == nil {
		return
	}
	w.entity |= p.Fields
	for i := range p.Relations {
		w.relationPlan(p.Relations[i].Each)
	}
	w.sourcePlan(p.Sources)
	w.counterClaimPlan(p.CounterClaims)
}

func (w *wanted) relationPlan(p *domain.RelationPlan) {
	if p == nil {
		return
	}
	w.relation |= p.Fields
	w.entityPlan(p.From)
	w.entityPlan(p.To)
	w.sourcePlan(p.Sources)
	w.counterClaimPlan(p.CounterClaims)
}

func (w *wanted) sourcePlan(p *domain.SourcePlan) {
	if p == nil {
		return
	}
	for _, c := range p.Claims {
		w.entityPlan(c.Entity)
		w.relationPlan(c.Relation)
	}
}

func (w *wanted) counterClaimPlan(p *domain.CounterClaimPlan) {
	if p != nil {
		w.entityPlan(p.By)
		w.sourcePlan(p.Sources)
	}
}

func (w *wanted) resultPlan(p domain.ResultPlan) {
	w.entityPlan(p.Root)
	w.entityPlan(p.Entities)
	w.relationPlan(p.Relations)
}

// compiler writes the Cypher of plans, collecting the parameters.
type compiler struct {
	params map[string]any
	vars   int
	// the projections of entities and relations: the same everywhere in
	// the statement (see domain.Fields).
	entityProjection, relationProjection string
}

// newCompiler starts a statement with params that reads w's fields.
func newCompiler(params map[string]any, w wanted) *compiler {
	if params == nil {
		params = map[string]any{}
	}
	return &compiler{params: params,
		entityProjection: projection(keysOf(entityFieldKeys, w.entity)), relationProjection: projection(keysOf(relationFieldKeys, w.relation))}
}

// param adds a parameter (named p0, p1, ...: no statement of the store
// uses such names) and returns its reference.
func (c *compiler) param(v any) string {
	for {
		name := "p" + strconv.Itoa(c.vars)
		c.vars++
		if _, taken := c.params[name]; !taken {
			c.params[name] = v
			return "$" + name
		}
	}
}

// fresh returns a variable name not used before in the statement.
func (c *compiler) fresh(prefix string) string {
	c.vars++
	return prefix + "_" + strconv.Itoa(c.vars)
}

// typeLabels is the relationship-type part of a pattern for types, which
// must be registry names (checked by the plan's rules); "" for every type.
func typeLabels(types []string) string {
	if len(types) == 0 {
		return ""
	}
	names := make([]string, 0, len(types))
	for _, t := range types {
		rt, ok := domain.LookupRelationType(t)
		if !ok {
			// Plans are checked before they are compiled; a type that is
			// not in the registry never reaches Cypher.
			panic(fmt.Sprintf("neo4jstore: relation type %q is not in the registry", t))
		}
		names = append(names, rt.Name)
	}
	return ":" + strings.Join(slices.Compact(slices.Sorted(slices.Values(names))), "|")
}

// active is activeClause for relation r at time t, with its own parameters.
func (c *compiler) active(r string, t domain.Time) string {
	if t.AsOf.IsZero() {
		return r + ".retractedAt IS NULL"
	}
	start, end := c.param(t.AsOf.Start()), c.param(t.AsOf.End())
	known := fmt.Sprintf("(%[1]s.knownStart IS NOT NULL AND %[1]s.knownStart <= %[2]s AND %[1]s.knownEnd >= %[3]s)", r, end, start)
	if t.IncludeNotKnown {
		known = "true"
	}
	return fmt.Sprintf("(%[1]s.retractedAt IS NULL AND (%[1]s.fromStart IS NULL OR %[1]s.fromStart <= %[2]s) AND (%[1]s.toEnd IS NULL OR %[1]s.toEnd >= %[3]s) AND %[4]s)",
		r, end, start, known)
}

// entity is the expression of entity node v with what p wants of it.
func (c *compiler) entity(v string, p *domain.EntityPlan) string {
	var b strings.Builder
	b.WriteString(v + " {" + c.entityProjection)
	if p != nil {
		for i := range p.Relations {
			fmt.Fprintf(&b, ", _r%d: %s", i, c.relations(v, &p.Relations[i]))
		}
		if p.Sources != nil {
			b.WriteString(", _s: " + c.sources(v, p.Sources))
		}
		if p.CounterClaims != nil {
			b.WriteString(", _cc: " + c.counterClaims(v+".id", p.CounterClaims))
		}
		for i, n := range p.History {
			fmt.Fprintf(&b, ", _h%d: %s", i, c.history(v+".id", n))
		}
	}
	b.WriteString("}")
	return b.String()
}

// relations is a page of v's relations, one more than asked (the filler
// tells from it whether there is a next page), ordered by id.
func (c *compiler) relations(v string, rp *domain.RelationsPlan) string {
	a := rp.Args
	r := c.fresh("r")
	rel := "[" + r + typeLabels(a.TypeList()) + "]"
	pattern := fmt.Sprintf("(%s)-%s-(:Entity)", v, rel)
	switch a.Direction {
	case domain.Outgoing:
		pattern = fmt.Sprintf("(%s)-%s->(:Entity)", v, rel)
	case domain.Incoming:
		pattern = fmt.Sprintf("(%s)<-%s-(:Entity)", v, rel)
	}
	after := ""
	if a.After != "" {
		after = fmt.Sprintf("%s.id > %s AND ", r, c.param(a.After))
	}
	return fmt.Sprintf("COLLECT { MATCH %s WHERE %s%s WITH %s ORDER BY %s.id LIMIT %s %s }",
		pattern, after, c.active(r, domain.Time{AsOf: a.AsOf}), r, r, c.param(a.First+1), c.relationReturn(r, rp.Each))
}

// relationReturn binds the ends of relationship r and returns its expression.
func (c *compiler) relationReturn(r string, p *domain.RelationPlan) string {
	bind, expr := c.boundRelation(r, p)
	return bind + " RETURN " + expr
}

// boundRelation is the clause that binds the ends of relationship r and
// r's expression, which needs them.
func (c *compiler) boundRelation(r string, p *domain.RelationPlan) (bind, expr string) {
	from, to := c.fresh("rf"), c.fresh("rt")
	return fmt.Sprintf("MATCH (%s)-[%s]->(%s)", from, r, to), c.relation(r, from, to, p)
}

// relation is the expression of relationship r from node from to node to.
func (c *compiler) relation(r, from, to string, p *domain.RelationPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{t: type(%s), f: %s.id, to: %s.id, p: %s {%s}", r, from, to, r, c.relationProjection)
	if p != nil {
		if p.From != nil {
			b.WriteString(", _from: " + c.entity(from, p.From))
		}
		if p.To != nil {
			b.WriteString(", _to: " + c.entity(to, p.To))
		}
		if p.Sources != nil {
			b.WriteString(", _s: " + c.sources(r, p.Sources))
		}
		if p.CounterClaims != nil {
			b.WriteString(", _cc: " + c.counterClaims(r+".id", p.CounterClaims))
		}
		for i, n := range p.History {
			fmt.Fprintf(&b, ", _h%d: %s", i, c.history(r+".id", n))
		}
	}
	b.WriteString("}")
	return b.String()
}

// sources are the stored sources among x's sourceIds (the sources its
// citations, and so its quantities, name).
func (c *compiler) sources(x string, p *domain.SourcePlan) string {
	id, s := c.fresh("sid"), c.fresh("s")
	return fmt.Sprintf("COLLECT { UNWIND %s.sourceIds AS %s MATCH (%s:Source {id: %s}) RETURN %s }", x, id, s, id, c.source(s, p))
}

// source is the expression of source node s.
func (c *compiler) source(s string, p *domain.SourcePlan) string {
	var b strings.Builder
	b.WriteString(s + " {" + sourceProjection)
	if p != nil {
		for i := range p.Claims {
			fmt.Fprintf(&b, ", _c%d: %s", i, c.claims(s, &p.Claims[i]))
		}
		for i, n := range p.History {
			fmt.Fprintf(&b, ", _h%d: %s", i, c.history(s+".id", n))
		}
	}
	b.WriteString("}")
	return b.String()
}

// claims is a page of the entities and relations citing source s, ordered
// by id, one more than asked: {e: entity} or {r: relation} each.
func (c *compiler) claims(s string, cp *domain.ClaimsPlan) string {
	n, r, ce, cr, cid := c.fresh("n"), c.fresh("r"), c.fresh("ce"), c.fresh("cr"), c.fresh("cid")
	after := c.param(cp.Args.After)
	return fmt.Sprintf(`COLLECT { CALL (%[1]s) {
  MATCH (%[2]s:Entity) WHERE %[1]s.id IN %[2]s.sourceIds AND %[2]s.id > %[4]s AND %[2]s.retractedAt IS NULL
  RETURN %[2]s AS %[5]s, null AS %[6]s, %[2]s.id AS %[7]s
  UNION ALL
  MATCH (:Entity)-[%[3]s]->(:Entity) WHERE %[1]s.id IN %[3]s.sourceIds AND %[3]s.id > %[4]s AND %[3]s.retractedAt IS NULL
  RETURN null AS %[5]s, %[3]s AS %[6]s, %[3]s.id AS %[7]s
} WITH %[5]s, %[6]s, %[7]s ORDER BY %[7]s LIMIT %[8]s
CALL (%[5]s, %[6]s) {
  WITH %[5]s, %[6]s WHERE %[5]s IS NOT NULL RETURN {e: %[9]s} AS claim
  UNION ALL
  WITH %[6]s WHERE %[6]s IS NOT NULL %[10]s AS claim
}
RETURN claim }`, s, n, r, after, ce, cr, cid, c.param(cp.Args.First+1),
		c.entity(ce, cp.Entity), c.relationClaim(cr, cp.Relation))
}

// relationClaim binds the ends of a claimed relation and returns {r: relation}.
func (c *compiler) relationClaim(r string, p *domain.RelationPlan) string {
	bind, expr := c.boundRelation(r, p)
	return bind + " RETURN {r: " + expr + "}"
}

// counterClaims are the counter-claims contesting the claim whose id is
// idExpr, oldest first.
func (c *compiler) counterClaims(idExpr string, p *domain.CounterClaimPlan) string {
	cc := c.fresh("cc")
	return fmt.Sprintf("COLLECT { MATCH (%s:CounterClaim {contests: %s}) WITH %s ORDER BY %s.date, %s.id RETURN %s }",
		cc, idExpr, cc, cc, cc, c.counterClaim(cc, p))
}

// counterClaim is the expression of counter-claim node cc.
func (c *compiler) counterClaim(cc string, p *domain.CounterClaimPlan) string {
	var b strings.Builder
	b.WriteString(cc + " {" + counterClaimProjection)
	if p != nil {
		if p.By != nil {
			by := c.fresh("by")
			fmt.Fprintf(&b, ", _by: COLLECT { MATCH (%s:Entity {id: %s.by}) RETURN %s }", by, cc, c.entity(by, p.By))
		}
		if p.Sources != nil {
			b.WriteString(", _s: " + c.sources(cc, p.Sources))
		}
	}
	b.WriteString("}")
	return b.String()
}

// history is the newest n audit events of the claim whose id is idExpr.
func (c *compiler) history(idExpr string, n int) string {
	a := c.fresh("a")
	return fmt.Sprintf("COLLECT { MATCH (%s:AuditEvent {target: %s}) WITH %s ORDER BY %s.at DESC LIMIT %s RETURN %s {%s} }",
		a, idExpr, a, a, c.param(n), a, auditProjection)
}

// filler decodes what a compiled plan returned into a domain.Fetched,
// walking the plan as the compiler did.
type filler struct{ f *domain.Fetched }

func newFiller() *filler { return &filler{f: domain.NewFetched()} }

func asMap(x any, what string) (map[string]any, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: %T, want a map", what, x)
	}
	return m, nil
}

func asList(x any, what string) ([]any, error) {
	if x == nil {
		return nil, nil
	}
	l, ok := x.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %T, want a list", what, x)
	}
	return l, nil
}

func (fl *filler) entity(x any, p *domain.EntityPlan) (*domain.Entity, error) {
	m, err := asMap(x, "entity")
	if err != nil {
		return nil, err
	}
	e, err := decodeEntity(m)
	if err != nil {
		return nil, err
	}
	fl.f.Entities[e.ID] = e
	if p == nil {
		return e, nil
	}
	for i := range p.Relations {
		rp := &p.Relations[i]
		page, err := fl.relationPage(m["_r"+strconv.Itoa(i)], rp)
		if err != nil {
			return nil, fmt.Errorf("entity %s: %w", e.ID, err)
		}
		fl.f.Relations[domain.RelationsKey{Entity: e.ID, RelationsArgs: rp.Args}] = page
	}
	if p.Sources != nil {
		if err := fl.sources(m["_s"], p.Sources, domain.SourceIDs(e.Citations, e.Quantities)); err != nil {
			return nil, fmt.Errorf("entity %s: %w", e.ID, err)
		}
	}
	if err := fl.claimExtras(m, e.ID, p.CounterClaims, p.History); err != nil {
		return nil, fmt.Errorf("entity %s: %w", e.ID, err)
	}
	return e, nil
}

// claimExtras decodes the counter-claims and history of the claim id.
func (fl *filler) claimExtras(m map[string]any, id string, cp *domain.CounterClaimPlan, history []int) error {
	if cp != nil {
		ccs, err := fl.counterClaims(m["_cc"], cp)
		if err != nil {
			return err
		}
		fl.f.CounterClaims[id] = ccs
	}
	for i, n := range history {
		events, err := decodeAuditList(m["_h"+strconv.Itoa(i)])
		if err != nil {
			return err
		}
		fl.f.History[domain.HistoryKey{ID: id, First: n}] = events
	}
	return nil
}

func (fl *filler) relationPage(x any, rp *domain.RelationsPlan) (domain.RelationPage, error) {
	items, err := asList(x, "relations")
	if err != nil {
		return domain.RelationPage{}, err
	}
	page := domain.RelationPage{Relations: make([]domain.Relation, 0, min(len(items), rp.Args.First))}
	for i, it := range items {
		if i == rp.Args.First {
			page.HasNext = true
			break
		}
		rel, err := fl.relation(it, rp.Each)
		if err != nil {
			return page, err
		}
		page.Relations = append(page.Relations, *rel)
	}
	return page, nil
}

func (fl *filler) relation(x any, p *domain.RelationPlan) (*domain.Relation, error) {
	m, err := asMap(x, "relation")
	if err != nil {
		return nil, err
	}
	typ, e1 := prop[string](m, "t")
	from, e2 := prop[string](m, "f")
	to, e3 := prop[string](m, "to")
	props, e4 := prop[map[string]any](m, "p")
	if err := firstErr(e1, e2, e3, e4); err != nil {
		return nil, fmt.Errorf("relation: decode: %w", err)
	}
	r, err := decodeRelation(typ, from, to, props)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return r, nil
	}
	if p.From != nil {
		if _, err := fl.entity(m["_from"], p.From); err != nil {
			return nil, err
		}
	}
	if p.To != nil {
		if _, err := fl.entity(m["_to"], p.To); err != nil {
			return nil, err
		}
	}
	if p.Sources != nil {
		if err := fl.sources(m["_s"], p.Sources, domain.SourceIDs(r.Citations, r.Quantities)); err != nil {
			return nil, fmt.Errorf("relation %s: %w", r.ID, err)
		}
	}
	if err := fl.claimExtras(m, r.ID, p.CounterClaims, p.History); err != nil {
		return nil, fmt.Errorf("relation %s: %w", r.ID, err)
	}
	return r, nil
}

// sources decodes the stored sources among ids; those not stored are
// recorded as asked for and missing.
func (fl *filler) sources(x any, p *domain.SourcePlan, ids []string) error {
	items, err := asList(x, "sources")
	if err != nil {
		return err
	}
	for _, it := range items {
		if _, err := fl.source(it, p); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if _, ok := fl.f.Sources[id]; !ok {
			fl.f.Sources[id] = nil
		}
	}
	return nil
}

func (fl *filler) source(x any, p *domain.SourcePlan) (*domain.Source, error) {
	m, err := asMap(x, "source")
	if err != nil {
		return nil, err
	}
	s, err := decodeSource(m)
	if err != nil {
		return nil, err
	}
	fl.f.Sources[s.ID] = s
	if p == nil {
		return s, nil
	}
	for i := range p.Claims {
		cp := &p.Claims[i]
		items, err := asList(m["_c"+strconv.Itoa(i)], "claims")
		if err != nil {
			return nil, err
		}
		var page domain.ClaimPage
		for j, it := range items {
			if j == cp.Args.First {
				page.HasNext = true
				break
			}
			cm, err := asMap(it, "claim")
			if err != nil {
				return nil, err
			}
			if e, ok := cm["e"]; ok {
				ent, err := fl.entity(e, cp.Entity)
				if err != nil {
					return nil, err
				}
				page.Claims = append(page.Claims, domain.Claim{Entity: ent})
			} else {
				rel, err := fl.relation(cm["r"], cp.Relation)
				if err != nil {
					return nil, err
				}
				page.Claims = append(page.Claims, domain.Claim{Relation: rel})
			}
		}
		fl.f.Claims[domain.ClaimsKey{Source: s.ID, ClaimsArgs: cp.Args}] = page
	}
	for i, n := range p.History {
		events, err := decodeAuditList(m["_h"+strconv.Itoa(i)])
		if err != nil {
			return nil, err
		}
		fl.f.History[domain.HistoryKey{ID: s.ID, First: n}] = events
	}
	return s, nil
}

func (fl *filler) counterClaims(x any, p *domain.CounterClaimPlan) ([]domain.CounterClaim, error) {
	items, err := asList(x, "counter-claims")
	if err != nil {
		return nil, err
	}
	out := make([]domain.CounterClaim, 0, len(items))
	for _, it := range items {
		cc, err := fl.counterClaim(it, p)
		if err != nil {
			return nil, err
		}
		out = append(out, *cc)
	}
	return out, nil
}

func (fl *filler) counterClaim(x any, p *domain.CounterClaimPlan) (*domain.CounterClaim, error) {
	m, err := asMap(x, "counter-claim")
	if err != nil {
		return nil, err
	}
	cc, err := decodeCounterClaim(m)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return cc, nil
	}
	if p.By != nil {
		by, err := asList(m["_by"], "by")
		if err != nil {
			return nil, err
		}
		for _, b := range by {
			if _, err := fl.entity(b, p.By); err != nil {
				return nil, err
			}
		}
		if _, ok := fl.f.Entities[cc.By]; cc.By != "" && !ok {
			fl.f.Entities[cc.By] = nil // named, not stored
		}
	}
	if p.Sources != nil {
		if err := fl.sources(m["_s"], p.Sources, domain.SourceIDs(cc.Citations, nil)); err != nil {
			return nil, fmt.Errorf("counter-claim %s: %w", cc.ID, err)
		}
	}
	return cc, nil
}

func decodeAuditList(x any) ([]domain.AuditEvent, error) {
	items, err := asList(x, "history")
	if err != nil {
		return nil, err
	}
	out := make([]domain.AuditEvent, 0, len(items))
	for _, it := range items {
		m, err := asMap(it, "audit event")
		if err != nil {
			return nil, err
		}
		ev, err := decodeAudit(m)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// decodeAudit decodes an audit event's stored properties.
func decodeAudit(props map[string]any) (domain.AuditEvent, error) {
	d := decoder{props: props}
	ev := domain.AuditEvent{
		ID: d.str("id"), Actor: d.str("actor"), Action: domain.AuditAction(d.str("action")),
		TargetID: d.str("target"), TargetType: d.str("targetType"), Reason: d.str("reason"),
		After: d.str("after"),
	}
	if b := d.str("before"); b != "" { // a CREATE has none
		ev.Before = &b
	}
	at, err := time.Parse(time.RFC3339Nano, d.str("at"))
	if d.err != nil || err != nil {
		return ev, fmt.Errorf("history: decode: %w", errors.Join(d.err, err))
	}
	ev.At = at
	return ev, nil
}
