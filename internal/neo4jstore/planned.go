package neo4jstore

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The planned reads: each read of the API with everything its plan wants
// of the results, as one statement (plan.go compiles the plans). The
// statement builders are exported so that bench/ can run and PROFILE
// exactly what the store sends.

// EntityReadStatement reads entity id (column x).
func EntityReadStatement(id string, want *domain.EntityPlan) Statement {
	w := wanted{}
	w.entityPlan(want)
	c := newCompiler(map[string]any{"id": id}, w)
	return Statement{Name: "entity", Params: c.params,
		Cypher: "MATCH (v:Entity {id: $id})\nRETURN " + c.entity("v", want) + " AS x"}
}

// ReadEntity implements domain.PlannedReads.
func (s *Store) ReadEntity(ctx context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	fl := newFiller()
	x, err := s.readOne(ctx, EntityReadStatement(id, want))
	if err != nil {
		return nil, nil, err
	}
	if x == nil {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	e, err := fl.entity(x, want)
	return e, fl.f, err
}

// readOne runs st and returns column x of its one record (nil for none).
func (s *Store) readOne(ctx context.Context, st Statement) (any, error) {
	recs, err := s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return column(recs[0], "x")
}

// column returns the value of a record's column; a missing one is a bug
// of the statement, not a null.
func column(r *neo4j.Record, key string) (any, error) {
	x, ok := r.Get(key)
	if !ok {
		return nil, fmt.Errorf("decode: no column %q", key)
	}
	return x, nil
}

// readAll runs st and returns its records.
func (s *Store) readAll(ctx context.Context, st Statement) ([]*neo4j.Record, error) {
	return s.read(ctx, st.Name, st.Cypher, st.Params)
}

// RelationReadStatement reads relation id whatever its type (one index
// seek per registered type; types come from the registry).
func RelationReadStatement(id string, want *domain.RelationPlan) Statement {
	parts := make([]string, 0, len(domain.RelationTypes()))
	for _, t := range domain.RelationTypes() {
		parts = append(parts, "MATCH (:Entity)-[r:"+t.Name+" {id: $id}]->(:Entity) RETURN r")
	}
	w := wanted{}
	w.relationPlan(want)
	c := newCompiler(map[string]any{"id": id}, w)
	bind, expr := c.boundRelation("r", want)
	return Statement{Name: "relation", Params: c.params, Cypher: "CALL () { " + strings.Join(parts, " UNION ALL ") + " }\nWITH r LIMIT 1\n" +
		bind + "\nRETURN " + expr + " AS x"}
}

// ReadRelation implements domain.PlannedReads.
func (s *Store) ReadRelation(ctx context.Context, id string, want *domain.RelationPlan) (*domain.Relation, *domain.Fetched, error) {
	fl := newFiller()
	x, err := s.readOne(ctx, RelationReadStatement(id, want))
	if err != nil {
		return nil, nil, err
	}
	if x == nil {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
	}
	r, err := fl.relation(x, want)
	return r, fl.f, err
}

// SourceReadStatement reads source id.
func SourceReadStatement(id string, want *domain.SourcePlan) Statement {
	w := wanted{}
	w.sourcePlan(want)
	c := newCompiler(map[string]any{"id": id}, w)
	return Statement{Name: "source", Params: c.params,
		Cypher: "MATCH (s:Source {id: $id})\nRETURN " + c.source("s", want) + " AS x"}
}

// ReadSource implements domain.PlannedReads.
func (s *Store) ReadSource(ctx context.Context, id string, want *domain.SourcePlan) (*domain.Source, *domain.Fetched, error) {
	fl := newFiller()
	x, err := s.readOne(ctx, SourceReadStatement(id, want))
	if err != nil {
		return nil, nil, err
	}
	if x == nil {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no source with id %q", id)
	}
	src, err := fl.source(x, want)
	return src, fl.f, err
}

// CounterClaimReadStatement reads counter-claim id.
func CounterClaimReadStatement(id string, want *domain.CounterClaimPlan) Statement {
	w := wanted{}
	w.counterClaimPlan(want)
	c := newCompiler(map[string]any{"id": id}, w)
	return Statement{Name: "counter-claim", Params: c.params,
		Cypher: "MATCH (c:CounterClaim {id: $id})\nRETURN " + c.counterClaim("c", want) + " AS x"}
}

// ReadCounterClaim implements domain.PlannedReads.
func (s *Store) ReadCounterClaim(ctx context.Context, id string, want *domain.CounterClaimPlan) (*domain.CounterClaim, *domain.Fetched, error) {
	fl := newFiller()
	x, err := s.readOne(ctx, CounterClaimReadStatement(id, want))
	if err != nil {
		return nil, nil, err
	}
	if x == nil {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no counter-claim with id %q", id)
	}
	cc, err := fl.counterClaim(x, want)
	return cc, fl.f, err
}

// EntitiesReadStatement lists entities by id, keyset-paginated (the id
// constraint's index gives the order), first+1 of them.
func EntitiesReadStatement(f domain.EntityFilter, first int, after string, want *domain.EntityPlan) Statement {
	w := wanted{}
	w.entityPlan(want)
	c := newCompiler(asOfParams(map[string]any{
		"after": after, "kinds": kindStrings(f.Kinds), "text": strings.ToLower(strings.TrimSpace(f.Text)), "limit": first + 1,
	}, f.AsOf), w)
	return Statement{Name: "entities", Params: c.params, Cypher: `
MATCH (n:Entity)
WHERE n.id > $after
  AND (size($kinds) = 0 OR n.kind IN $kinds)
  AND ($text = '' OR toLower(n.name) CONTAINS $text OR toLower(coalesce(n.nameZh, '')) CONTAINS $text
       OR toLower(coalesce(n.aliasText, '')) CONTAINS $text)
  AND ` + entityActiveClause("n") + `
WITH n ORDER BY n.id LIMIT $limit
RETURN ` + c.entity("n", want) + " AS x"}
}

// ReadEntities implements domain.PlannedReads.
func (s *Store) ReadEntities(ctx context.Context, f domain.EntityFilter, first int, after string, want *domain.EntityPlan) ([]domain.Entity, bool, *domain.Fetched, error) {
	if err := f.ValidateList(first); err != nil {
		return nil, false, nil, err
	}
	recs, err := s.readAll(ctx, EntitiesReadStatement(f, first, after, want))
	if err != nil {
		return nil, false, nil, err
	}
	fl := newFiller()
	out := make([]domain.Entity, 0, len(recs))
	for i, r := range recs {
		if i == first {
			return out, true, fl.f, nil
		}
		x, err := column(r, "x")
		if err != nil {
			return nil, false, nil, err
		}
		e, err := fl.entity(x, want)
		if err != nil {
			return nil, false, nil, err
		}
		out = append(out, *e)
	}
	return out, false, fl.f, nil
}

// SourcesReadStatement lists sources by id, keyset-paginated, first+1.
func SourcesReadStatement(grade domain.Grade, first int, after string, want *domain.SourcePlan) Statement {
	w := wanted{}
	w.sourcePlan(want)
	c := newCompiler(map[string]any{"after": after, "grade": string(grade), "limit": first + 1}, w)
	return Statement{Name: "sources", Params: c.params, Cypher: `
MATCH (s:Source) WHERE s.id > $after AND ($grade = '' OR s.grade = $grade)
WITH s ORDER BY s.id LIMIT $limit
RETURN ` + c.source("s", want) + " AS x"}
}

// ReadSources implements domain.PlannedReads.
func (s *Store) ReadSources(ctx context.Context, grade domain.Grade, first int, after string, want *domain.SourcePlan) ([]domain.Source, bool, *domain.Fetched, error) {
	if err := domain.SourcesFirst.Check(first); err != nil {
		return nil, false, nil, err
	}
	recs, err := s.readAll(ctx, SourcesReadStatement(grade, first, after, want))
	if err != nil {
		return nil, false, nil, err
	}
	fl := newFiller()
	out := make([]domain.Source, 0, len(recs))
	for i, r := range recs {
		if i == first {
			return out, true, fl.f, nil
		}
		x, err := column(r, "x")
		if err != nil {
			return nil, false, nil, err
		}
		src, err := fl.source(x, want)
		if err != nil {
			return nil, false, nil, err
		}
		out = append(out, *src)
	}
	return out, false, fl.f, nil
}

// SearchReadStatement runs the full-text query lq (from LuceneQuery) and
// ranks exact and prefix matches first.
func SearchReadStatement(q domain.SearchQuery, lq string, want *domain.EntityPlan) Statement {
	w := wanted{}
	w.entityPlan(want)
	c := newCompiler(searchParams(q, lq), w)
	return Statement{Name: "search", Params: c.params, Cypher: searchMatch() + "\nRETURN " + c.entity("node", want) + " AS x, score, tier"}
}

// ReadSearch implements domain.PlannedReads.
func (s *Store) ReadSearch(ctx context.Context, q domain.SearchQuery, want *domain.EntityPlan) ([]domain.SearchHit, *domain.Fetched, error) {
	if err := q.Validate(); err != nil {
		return nil, nil, err
	}
	fl := newFiller()
	lq := luceneQuery(q.Text)
	if lq == "" {
		return []domain.SearchHit{}, fl.f, nil
	}
	recs, err := s.readAll(ctx, SearchReadStatement(q, lq, want))
	if err != nil {
		return nil, nil, err
	}
	out := make([]domain.SearchHit, 0, len(recs))
	for _, r := range recs {
		x, e0 := column(r, "x")
		score, _, e1 := neo4j.GetRecordValue[float64](r, "score")
		tier, _, e2 := neo4j.GetRecordValue[int64](r, "tier")
		if err := firstErr(e0, e1, e2); err != nil {
			return nil, nil, fmt.Errorf("search: decode: %w", err)
		}
		e, err := fl.entity(x, want)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, searchHit(e, tier, score))
	}
	return out, fl.f, nil
}

// Traversals (chains, exposure, paths) end with traversalTail: the rows
// found, each naming its first entity and its relations by id, then every
// distinct relation once (with what the plan wants of it, its ends' ids
// always) and, when the plan wants them, every distinct entity once. A
// row's entities are read off its relations' ends (traversal.row): naming
// them in each row read two properties per entity per row, a fifth of the
// database hits of 2,001 chains down from an aiding province at scale M
// (docs/BENCHMARKS.md, "Chains down: each entity read once").

// traversalTail ends a statement whose rows bind ns (the row's entities in
// order), rs (its relationships in order) and the columns extra names.
// Its one record has rows ([{start, rels, extra...}]), rels, nodes (empty
// unless want.Entities), with kinds the [id, kind] pairs of the distinct
// entities (kindsColumn), and the columns of final, which sees none of
// the earlier variables but rows, rels and nodes.
func (c *compiler) traversalTail(extra []string, want domain.ResultPlan, kinds bool, final string) string {
	cols := ""
	for _, e := range extra {
		cols += ", " + e + ": " + e
	}
	return "\nWITH collect({start: head(ns).id, rels: [x IN rs | x.id]" + cols + "}) AS rows, collect(ns) AS allNs, collect(rs) AS allRs" +
		c.distinctItems(want, kinds, final)
}

// distinctItems follows a WITH of rows, allRs and allNs (lists of lists
// of relationships and of entities): every distinct relation once as
// rels, with what want.Relations wants of it; every distinct entity once
// as nodes when want.Entities wants them (else []) and, with kinds, their
// [id, kind] pairs as kinds, which final returns too; then final, which
// sees rows, rels, nodes and kinds only. Traversals (traversalTail) and
// chains up (chainReach) end this way.
func (c *compiler) distinctItems(want domain.ResultPlan, kinds bool, final string) string {
	var collects []string
	if want.Entities != nil {
		collects = append(collects, "collect("+c.entity("n", want.Entities)+") AS nodes")
	}
	if kinds {
		collects = append(collects, "collect([n.id, n.kind]) AS kinds")
		final += ", kinds"
	}
	// A constant beside collect() would be a grouping key: no entity, no row.
	nodes := "WITH rows, rels, [] AS nodes"
	if len(collects) > 0 {
		nodes = fmt.Sprintf(`CALL (allNs) {
  UNWIND allNs AS ns1 UNWIND ns1 AS n WITH DISTINCT n
  RETURN %s
}`, strings.Join(collects, ", "))
		if want.Entities == nil {
			nodes += "\nWITH rows, rels, [] AS nodes, kinds"
		}
	}
	bind, expr := c.boundRelation("r", want.Relations)
	return fmt.Sprintf(`
CALL (allRs) {
  UNWIND allRs AS rs1 UNWIND rs1 AS r WITH DISTINCT r
  %s
  RETURN collect(%s) AS rels
}
%s
%s`, bind, expr, nodes, final)
}

// traversal is the decoded record of a traversalTail.
type traversal struct {
	rows []map[string]any
	rels map[string]*domain.Relation
}

func (fl *filler) traversal(r *neo4j.Record, want domain.ResultPlan) (*traversal, error) {
	t := &traversal{rels: map[string]*domain.Relation{}}
	get := func(k string) []any {
		x, _ := r.Get(k)
		l, _ := x.([]any)
		return l
	}
	for _, x := range get("rels") {
		rel, err := fl.relation(x, want.Relations)
		if err != nil {
			return nil, err
		}
		t.rels[rel.ID] = rel
	}
	for _, x := range get("nodes") {
		if _, err := fl.entity(x, want.Entities); err != nil {
			return nil, err
		}
	}
	for _, x := range get("rows") {
		m, err := asMap(x, "row")
		if err != nil {
			return nil, err
		}
		t.rows = append(t.rows, m)
	}
	return t, nil
}

// row decodes row i: its entity ids (its start, then each relation's
// other end) and its relations.
func (t *traversal) row(i int) (ids []string, rels []domain.Relation, err error) {
	m := t.rows[i]
	start, ok := m["start"].(string)
	if !ok {
		return nil, nil, fmt.Errorf("row %d: start: %T, want string", i, m["start"])
	}
	relList, err := asList(m["rels"], "rels")
	if err != nil {
		return nil, nil, err
	}
	ids, rels = make([]string, 1, len(relList)+1), make([]domain.Relation, len(relList))
	ids[0] = start
	for j, x := range relList {
		id, _ := x.(string)
		rel := t.rels[id]
		if rel == nil {
			return nil, nil, fmt.Errorf("row %d: relation %v not returned", i, x)
		}
		rels[j] = *rel
		switch at := ids[j]; at {
		case rel.From:
			ids = append(ids, rel.To)
		case rel.To:
			ids = append(ids, rel.From)
		default:
			return nil, nil, fmt.Errorf("row %d: relation %s does not touch %s", i, id, at)
		}
	}
	return ids, rels, nil
}

// readTraversal runs st, a traversal from id ending in a rootTail, and
// decodes its one record: the root (NOT_FOUND when there is none) and the
// traversal.
func (s *Store) readTraversal(ctx context.Context, st Statement, id string, want domain.ResultPlan) (*neo4j.Record, *filler, *traversal, error) {
	recs, err := s.readAll(ctx, st)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(recs) != 1 {
		return nil, nil, nil, fmt.Errorf("%s: %d records", st.Name, len(recs))
	}
	fl := newFiller()
	if err := fl.fillRoot(recs[0], id, want); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", st.Name, err)
	}
	t, err := fl.traversal(recs[0], want)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", st.Name, err)
	}
	return recs[0], fl, t, nil
}

// rootTail is the final part of a traversal that starts at $id: whether
// the root exists and what want.Root wants of it.
func (c *compiler) rootTail(want domain.ResultPlan) string {
	root := "null"
	if want.Root != nil {
		root = c.entity("root_", want.Root)
	}
	return `OPTIONAL MATCH (root_:Entity {id: $id})
RETURN rows, rels, nodes, root_ IS NOT NULL AS found, ` + root + ` AS root`
}

// fillRoot decodes the root of a rootTail; NOT_FOUND when it does not exist.
func (fl *filler) fillRoot(r *neo4j.Record, id string, want domain.ResultPlan) error {
	found, _, err := neo4j.GetRecordValue[bool](r, "found")
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if !found {
		return domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	if want.Root != nil {
		x, err := column(r, "root")
		if err != nil {
			return err
		}
		if _, err := fl.entity(x, want.Root); err != nil {
			return err
		}
	}
	return nil
}

// whole wants every own field of the relations of a traversal (and
// nothing more): what the plain reads return, for exports.
var whole = domain.ResultPlan{Relations: &domain.RelationPlan{Fields: domain.AllFields}}

// Chains is ReadChains of whole relations.
func (s *Store) Chains(ctx context.Context, q domain.ChainQuery) (*domain.ChainResult, error) {
	res, _, err := s.ReadChains(ctx, q, whole)
	return res, err
}

// ExposureReadStatement finds the links of q (see ExposureStatement).
func ExposureReadStatement(q domain.ExposureQuery, want domain.ResultPlan) Statement {
	w := wanted{relation: q.Time.RelationFields()}
	w.resultPlan(want)
	c := newCompiler(exposureParams(q), w)
	return Statement{Name: "exposure", Params: c.params, Cypher: exposureMatch(q.Time) + `
LIMIT $limit
WITH nodes(p1) + nodes(q)[1..] AS ns, relationships(p1) + relationships(q) AS rs, t.id AS target, reason` +
		c.traversalTail([]string{"target", "reason"}, want, false, c.rootTail(want))}
}

// ReadExposure finds how an entity is linked to the pairing programme and
// to designation lists: each link weighed, strongest and shortest first.
func (s *Store) ReadExposure(ctx context.Context, q domain.ExposureQuery, want domain.ResultPlan) (*domain.Exposure, *domain.Fetched, error) {
	if err := q.Validate(); err != nil {
		return nil, nil, err
	}
	_, fl, t, err := s.readTraversal(ctx, ExposureReadStatement(q, want), q.ID, want)
	if err != nil {
		return nil, nil, err
	}
	res := &domain.Exposure{Root: q.ID, Links: []domain.ExposureLink{}}
	seen := map[string]bool{}
	for i := range t.rows {
		nodes, relations, err := t.row(i)
		if err != nil {
			return nil, nil, fmt.Errorf("exposure: %w", err)
		}
		target, _ := t.rows[i]["target"].(string)
		reason, _ := t.rows[i]["reason"].(string)
		if !domain.Consistent(relations) {
			continue
		}
		l := domain.ExposureLink{Target: target, Reason: domain.ExposureReason(reason)}
		var key strings.Builder
		for i, rel := range relations {
			l.Steps = append(l.Steps, domain.Step{Relation: rel, Start: nodes[i], End: nodes[i+1], InForce: q.Time.Status(&rel)})
			key.WriteString(rel.ID + "|")
		}
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		l.Weigh()
		res.Links = append(res.Links, l)
	}
	res.Truncated = len(t.rows) > domain.MaxExposureScan
	domain.SortExposure(res.Links)
	res.Total = len(res.Links)
	if len(res.Links) > q.First {
		res.Links = res.Links[:q.First]
	}
	return res, fl.f, nil
}

// Exposure is ReadExposure of whole relations.
func (s *Store) Exposure(ctx context.Context, q domain.ExposureQuery) (*domain.Exposure, error) {
	res, _, err := s.ReadExposure(ctx, q, whole)
	return res, err
}

// PathsReadStatement finds paths between q.From and q.To. A
// responsibility-only path in ANY direction is a path down or a path up
// (each one way throughout): both are searched, down first.
func PathsReadStatement(q domain.PathQuery, want domain.ResultPlan) Statement {
	params := timeParams(map[string]any{}, q.Time)
	var match string
	if q.ResponsibilityOnly && (q.Direction == domain.PathAny || q.Direction == "") {
		down, up := q, q
		down.Direction, up.Direction = domain.PathForward, domain.PathBackward
		match = "\nCALL () {" + pathMatch(down, params, "Down") + "\n  RETURN p\n  UNION ALL" + pathMatch(up, params, "Up") + "\n  RETURN p\n}"
	} else {
		match = pathMatch(q, params, "")
	}
	// Path.Strength reads the relations' strength.
	w := wanted{relation: domain.StrengthFields}
	w.resultPlan(want)
	c := newCompiler(params, w)
	from, to := "$from", "$to"
	if _, ok := params["fromDown"]; ok {
		from, to = "$fromDown", "$toDown"
	}
	return Statement{Name: "paths", Params: c.params, Cypher: match + "\nWITH nodes(p) AS ns, relationships(p) AS rs" +
		c.traversalTail(nil, want, false, fmt.Sprintf(`RETURN rows, rels, nodes, EXISTS { (:Entity {id: %s}) } AS foundFrom, EXISTS { (:Entity {id: %s}) } AS foundTo`, from, to))}
}

// ReadPaths finds paths between two entities.
func (s *Store) ReadPaths(ctx context.Context, q domain.PathQuery, want domain.ResultPlan) ([]domain.Path, *domain.Fetched, error) {
	if err := q.Validate(); err != nil {
		return nil, nil, err
	}
	recs, err := s.readAll(ctx, PathsReadStatement(q, want))
	if err != nil {
		return nil, nil, err
	}
	if len(recs) != 1 {
		return nil, nil, fmt.Errorf("paths: %d records", len(recs))
	}
	fl := newFiller()
	t, err := fl.traversal(recs[0], want)
	if err != nil {
		return nil, nil, fmt.Errorf("paths: %w", err)
	}
	out := make([]domain.Path, 0, len(t.rows))
	for i := range t.rows {
		nodes, relations, err := t.row(i)
		if err != nil {
			return nil, nil, fmt.Errorf("paths: %w", err)
		}
		out = append(out, domain.Path{Nodes: nodes, Relations: relations})
	}
	if q.ResponsibilityOnly && (q.Direction == domain.PathAny || q.Direction == "") {
		sort.SliceStable(out, func(i, j int) bool { return len(out[i].Relations) < len(out[j].Relations) })
		if q.Mode == domain.PathShortest && len(out) > 1 {
			out = out[:1]
		}
		if len(out) > q.First {
			out = out[:q.First]
		}
	}
	if len(out) == 0 {
		for _, end := range []struct{ col, id string }{{"foundFrom", q.From}, {"foundTo", q.To}} {
			found, _, err := neo4j.GetRecordValue[bool](recs[0], end.col)
			if err != nil {
				return nil, nil, fmt.Errorf("paths: decode: %w", err)
			}
			if !found {
				return nil, nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", end.id)
			}
		}
	}
	return out, fl.f, nil
}

// Paths is ReadPaths of whole relations.
func (s *Store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	out, _, err := s.ReadPaths(ctx, q, whole)
	return out, err
}

// NeighborhoodReadStatement finds the entities within q.Depth hops of
// q.IDs, at most q.Limit (truncated says the limit cut), and the relations
// among them, ordered by id.
func NeighborhoodReadStatement(q domain.SubgraphQuery, want domain.ResultPlan) Statement {
	w := wanted{}
	w.resultPlan(want)
	c := newCompiler(neighborhoodParams(q), w)
	c.params["cap"] = q.Limit
	bind, expr := c.boundRelation("r", want.Relations)
	return Statement{Name: "neighborhood", Params: c.params, Cypher: neighborhoodMatch(q) + `
WITH collect(n) AS found
WITH found[..$cap] AS ns, size(found) > $cap AS truncated
CALL (ns) {
  UNWIND ns AS n
  RETURN collect(` + c.entity("n", want.Entities) + `) AS nodes
}
CALL (ns) {
  UNWIND ns AS a
  MATCH (a)-[r` + typeLabels(q.Types) + `]->(b:Entity) WHERE b IN ns AND ` + activeAt("r", q.Time) + `
  WITH r ORDER BY r.id
  ` + bind + `
  RETURN collect(` + expr + `) AS edges
}
RETURN nodes, edges, truncated`}
}

// ReadNeighborhood returns the entities within q.Depth hops of q.IDs and
// the relations among them.
func (s *Store) ReadNeighborhood(ctx context.Context, q domain.SubgraphQuery, want domain.ResultPlan) (*domain.Subgraph, *domain.Fetched, error) {
	if err := q.ValidateNeighborhood(); err != nil {
		return nil, nil, err
	}
	recs, err := s.readAll(ctx, NeighborhoodReadStatement(q, want))
	if err != nil {
		return nil, nil, err
	}
	if len(recs) != 1 {
		return nil, nil, fmt.Errorf("neighborhood: %d records", len(recs))
	}
	fl := newFiller()
	g := &domain.Subgraph{Entities: []domain.Entity{}, Relations: []domain.Relation{}, Sources: []domain.Source{}}
	r := recs[0]
	nodes, e1 := column(r, "nodes")
	edges, e2 := column(r, "edges")
	truncated, _, e3 := neo4j.GetRecordValue[bool](r, "truncated")
	if err := firstErr(e1, e2, e3); err != nil {
		return nil, nil, fmt.Errorf("neighborhood: %w", err)
	}
	g.Truncated = truncated
	ns, e1 := asList(nodes, "nodes")
	es, e2 := asList(edges, "edges")
	if err := firstErr(e1, e2); err != nil {
		return nil, nil, fmt.Errorf("neighborhood: %w", err)
	}
	g.Entities, g.Relations = make([]domain.Entity, 0, len(ns)), make([]domain.Relation, 0, len(es))
	for _, x := range ns {
		e, err := fl.entity(x, want.Entities)
		if err != nil {
			return nil, nil, err
		}
		g.Entities = append(g.Entities, *e)
	}
	for _, x := range es {
		rel, err := fl.relation(x, want.Relations)
		if err != nil {
			return nil, nil, err
		}
		g.Relations = append(g.Relations, *rel)
	}
	if len(g.Entities) == 0 && len(q.IDs) > 0 {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "none of the entities %q exists", q.IDs)
	}
	return g, fl.f, nil
}
