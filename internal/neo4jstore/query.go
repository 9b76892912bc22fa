package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func kindStrings(ks []domain.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// Entities lists entities by id, keyset-paginated (the id constraint's
// index gives the order).
func (s *Store) Entities(ctx context.Context, f domain.EntityFilter, first int, after string) ([]domain.Entity, bool, error) {
	if err := f.ValidateList(first); err != nil {
		return nil, false, err
	}
	recs, err := s.read(ctx, "entities", `
MATCH (n:Entity)
WHERE n.id > $after
  AND (size($kinds) = 0 OR n.kind IN $kinds)
  AND ($text = '' OR toLower(n.name) CONTAINS $text OR toLower(coalesce(n.nameZh, '')) CONTAINS $text
       OR toLower(coalesce(n.aliasText, '')) CONTAINS $text)
  AND `+entityActiveClause("n")+`
RETURN n ORDER BY n.id LIMIT $limit`, asOfParams(map[string]any{
		"after": after, "kinds": kindStrings(f.Kinds), "text": strings.ToLower(strings.TrimSpace(f.Text)), "limit": first + 1,
	}, f.AsOf))
	if err != nil {
		return nil, false, err
	}
	out := make([]domain.Entity, 0, len(recs))
	for _, r := range recs {
		n, _, err := neo4j.GetRecordValue[dbtype.Node](r, "n")
		if err != nil {
			return nil, false, fmt.Errorf("entities: decode: %w", err)
		}
		e, err := decodeEntity(n.Props)
		if err != nil {
			return nil, false, err
		}
		out = append(out, *e)
	}
	if len(out) > first {
		return out[:first], true, nil
	}
	return out, false, nil
}

// luceneSpecial are the characters Lucene's query parser treats as syntax.
const luceneSpecial = `+-&|!(){}[]^"~*?:\/`

// escapeLucene makes s a literal term for Lucene's query parser.
func escapeLucene(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(luceneSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxSearchTerms bounds the Lucene query (BooleanQuery has a clause limit).
const maxSearchTerms = 16

// luceneQuery builds "(t1 AND t2) OR (t1 AND t2*)": every word must match,
// and the last may be a prefix. Words are escaped, so user text is never
// syntax. Words with no letter or digit are dropped (the analyzer would
// drop them anyway and Lucene rejects an empty query).
func luceneQuery(text string) string {
	var terms []string
	for _, w := range strings.Fields(text) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		// Lower-case so the words are not taken as AND/OR/NOT operators.
		terms = append(terms, escapeLucene(strings.ToLower(w)))
		if len(terms) == maxSearchTerms {
			break
		}
	}
	if len(terms) == 0 {
		return ""
	}
	all := strings.Join(terms, " AND ")
	prefixed := append(append([]string{}, terms[:len(terms)-1]...), terms[len(terms)-1]+"*")
	return "(" + all + ") OR (" + strings.Join(prefixed, " AND ") + ")"
}

// Search runs the full-text index, then ranks exact matches of a name,
// Chinese name or alias first, then prefix matches, then by relevance.
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	lq := luceneQuery(q.Text)
	if lq == "" {
		return []domain.SearchHit{}, nil
	}
	st := SearchStatement(q, lq)
	recs, err := s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil {
		return nil, err
	}
	out := make([]domain.SearchHit, 0, len(recs))
	for _, r := range recs {
		n, _, e1 := neo4j.GetRecordValue[dbtype.Node](r, "node")
		score, _, e2 := neo4j.GetRecordValue[float64](r, "score")
		tier, _, e3 := neo4j.GetRecordValue[int64](r, "tier")
		if err := firstErr(e1, e2, e3); err != nil {
			return nil, fmt.Errorf("search: decode: %w", err)
		}
		e, err := decodeEntity(n.Props)
		if err != nil {
			return nil, err
		}
		out = append(out, searchHit(e, tier, score))
	}
	return out, nil
}

// searchHit scores a hit of searchMatch so that the score follows the order
// the statement returns hits in: the match tier, then (for exact and prefix
// matches) the higher-level body, then relevance.
func searchHit(e *domain.Entity, tier int64, score float64) domain.SearchHit {
	m := domain.MatchText
	switch tier {
	case 2:
		m = domain.MatchExact
	case 1:
		m = domain.MatchPrefix
	}
	rank := float64(tier) * 1000
	if tier > 0 {
		rank += float64(6-e.Kind.Level()) * 100
	}
	return domain.SearchHit{Entity: *e, Score: rank + min(score, 99.99), Match: m}
}

func directionPattern(d domain.Direction) (string, error) {
	switch d {
	case domain.Outgoing:
		return "(a:Entity {id: id})-[r]->(b:Entity)", nil
	case domain.Incoming:
		return "(a:Entity {id: id})<-[r]-(b:Entity)", nil
	case domain.Both, "":
		return "(a:Entity {id: id})-[r]-(b:Entity)", nil
	}
	return "", domain.Errorf(domain.EBADINPUT, "unknown direction %q", d)
}

// RelationPages returns a page of relations for each entity, in one query.
func (s *Store) RelationPages(ctx context.Context, q domain.RelationQuery, first int, after string) (map[string]domain.RelationPage, error) {
	if err := domain.CheckTypes(q.Types); err != nil {
		return nil, err
	}
	if err := domain.RelationsFirst.Check(first); err != nil {
		return nil, err
	}
	pattern, err := directionPattern(q.Direction)
	if err != nil {
		return nil, err
	}
	st := relationPagesStatement(q, pattern, first, after)
	recs, err := s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.RelationPage, len(q.IDs))
	for _, r := range recs {
		owner, _, err := neo4j.GetRecordValue[string](r, "owner")
		if err != nil {
			return nil, fmt.Errorf("relation pages: decode: %w", err)
		}
		rel, err := decodeRelationRecord(r)
		if err != nil {
			return nil, err
		}
		p := out[owner]
		if len(p.Relations) == first {
			p.HasNext = true
		} else {
			p.Relations = append(p.Relations, *rel)
		}
		out[owner] = p
	}
	return out, nil
}

// stepTypes splits responsibility-bearing types by the way a step runs.
// Moving up from x over r: r is incoming to x when its from-end is
// responsible, outgoing when its to-end is. Moving down is the reverse.
func stepTypes(up bool, only []string) (viaIn, viaOut []string) {
	want := map[string]bool{}
	for _, t := range only {
		want[t] = true
	}
	for _, t := range domain.RelationTypes() {
		if len(only) > 0 && !want[t.Name] {
			continue
		}
		switch {
		case t.Responsibility == domain.FromIsResponsible && up, t.Responsibility == domain.ToIsResponsible && !up:
			viaIn = append(viaIn, t.Name)
		case t.Responsibility == domain.ToIsResponsible && up, t.Responsibility == domain.FromIsResponsible && !up:
			viaOut = append(viaOut, t.Name)
		}
	}
	return nonNil(viaIn), nonNil(viaOut)
}

// stepClause says that r leads from node a one step the chain's way.
func stepClause(r, a string) string {
	return fmt.Sprintf("((type(%[1]s) IN $viaIn AND endNode(%[1]s) = %[2]s) OR (type(%[1]s) IN $viaOut AND startNode(%[1]s) = %[2]s))", r, a)
}

// stepThen is the predicate of a quantified step: step, a test of the
// relationship's type and direction that reads no property, and only then
// active, a test of its properties (activeAt). Written as a conjunction,
// Cypher's planner splits the two and orders the parts its own way, which
// changes with the text around them: the chain up at scale M read every
// expanded relationship's retractedAt before testing its direction, 1.9x
// the database hits of the expansion with the parts the other way and 30 %
// more time (docs/BENCHMARKS.md, "The planner's order of a step's tests").
// A CASE is one predicate, evaluated as written; in a WHERE it keeps
// exactly the same rows (false and null drop a row alike).
func stepThen(step, active string) string {
	return "CASE WHEN " + step + " THEN " + active + " ELSE false END"
}

func anyStrings(xs []any) ([]string, error) {
	out := make([]string, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("id %d: %T, want string", i, x)
		}
		out[i] = s
	}
	return out, nil
}

// Neighborhood returns the entities within q.Depth hops of q.IDs and the
// relations among them, in two round trips (nodes, then edges).
func (s *Store) Neighborhood(ctx context.Context, q domain.SubgraphQuery) (*domain.Subgraph, error) {
	if err := q.Validate(domain.MaxExportLimit); err != nil {
		return nil, err
	}
	st := NeighborhoodNodesStatement(q)
	recs, err := s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil {
		return nil, err
	}
	g := &domain.Subgraph{Entities: []domain.Entity{}, Relations: []domain.Relation{}, Sources: []domain.Source{}}
	for _, r := range recs {
		n, _, err := neo4j.GetRecordValue[dbtype.Node](r, "n")
		if err != nil {
			return nil, fmt.Errorf("neighborhood: decode: %w", err)
		}
		e, err := decodeEntity(n.Props)
		if err != nil {
			return nil, err
		}
		g.Entities = append(g.Entities, *e)
	}
	if len(g.Entities) > q.Limit {
		g.Entities, g.Truncated = g.Entities[:q.Limit], true
	}
	if len(g.Entities) == 0 && len(q.IDs) > 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "none of the entities %q exists", q.IDs)
	}
	ids := make([]string, len(g.Entities))
	for i, e := range g.Entities {
		ids[i] = e.ID
	}
	st = NeighborhoodEdgesStatement(ids, q.Types, q.Time)
	recs, err = s.read(ctx, st.Name, st.Cypher, st.Params)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		rel, err := decodeRelationRecord(r)
		if err != nil {
			return nil, err
		}
		g.Relations = append(g.Relations, *rel)
	}
	return g, nil
}

// Sources lists sources by id, keyset-paginated.
func (s *Store) Sources(ctx context.Context, grade domain.Grade, first int, after string) ([]domain.Source, bool, error) {
	if err := domain.SourcesFirst.Check(first); err != nil {
		return nil, false, err
	}
	recs, err := s.read(ctx, "sources", `
MATCH (s:Source) WHERE s.id > $after AND ($grade = '' OR s.grade = $grade)
RETURN properties(s) AS props ORDER BY s.id LIMIT $limit`,
		map[string]any{"after": after, "grade": string(grade), "limit": first + 1})
	if err != nil {
		return nil, false, err
	}
	out := make([]domain.Source, 0, len(recs))
	for _, r := range recs {
		props, _, err := neo4j.GetRecordValue[map[string]any](r, "props")
		if err != nil {
			return nil, false, fmt.Errorf("sources: decode: %w", err)
		}
		src, err := decodeSource(props)
		if err != nil {
			return nil, false, err
		}
		out = append(out, *src)
	}
	if len(out) > first {
		return out[:first], true, nil
	}
	return out, false, nil
}

// ClaimPages lists, for each source, the entities and relations citing it,
// by id, in one round trip.
func (s *Store) ClaimPages(ctx context.Context, sourceIDs []string, first int, after string) (map[string]domain.ClaimPage, error) {
	if err := domain.ClaimsFirst.Check(first); err != nil {
		return nil, err
	}
	out := make(map[string]domain.ClaimPage, len(sourceIDs))
	if len(sourceIDs) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, "claims", `
UNWIND $ids AS sid
CALL (sid) {
  CALL (sid) {
    MATCH (n:Entity) WHERE sid IN n.sourceIds AND n.id > $after AND n.retractedAt IS NULL
    RETURN n.id AS id, properties(n) AS props, null AS type, null AS from, null AS to
    UNION ALL
    MATCH (a:Entity)-[r]->(b:Entity) WHERE sid IN r.sourceIds AND r.id > $after AND r.retractedAt IS NULL
    RETURN r.id AS id, properties(r) AS props, type(r) AS type, a.id AS from, b.id AS to
  }
  RETURN id, props, type, from, to ORDER BY id LIMIT $limit
}
RETURN sid, id, props, type, from, to`,
		map[string]any{"ids": sourceIDs, "after": after, "limit": first + 1})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		sid, _, e0 := neo4j.GetRecordValue[string](r, "sid")
		props, _, e1 := neo4j.GetRecordValue[map[string]any](r, "props")
		_, isEntity, e2 := neo4j.GetRecordValue[string](r, "type") // null type: an entity
		if err := firstErr(e0, e1, e2); err != nil {
			return nil, fmt.Errorf("claims: decode: %w", err)
		}
		page := out[sid]
		if isEntity {
			e, err := decodeEntity(props)
			if err != nil {
				return nil, err
			}
			page.Claims = append(page.Claims, domain.Claim{Entity: e})
		} else {
			rel, err := decodeRelationRecord(r)
			if err != nil {
				return nil, err
			}
			page.Claims = append(page.Claims, domain.Claim{Relation: rel})
		}
		out[sid] = page
	}
	for sid, page := range out {
		if len(page.Claims) > first {
			page.Claims, page.HasNext = page.Claims[:first], true
			out[sid] = page
		}
	}
	return out, nil
}

var _ domain.ReadService = (*Store)(nil)

// aidingPartyClause says entity n is a party of the pairing programme: it
// aids a recipient (PAIRED_WITH) or is a front-line headquarters.
func aidingPartyClause(n string) string {
	return fmt.Sprintf("(%[1]s.kind = 'frontline_hq' OR EXISTS { (%[1]s)-[pw:PAIRED_WITH]->() WHERE pw.retractedAt IS NULL })", n)
}

func exposureParams(q domain.ExposureQuery) map[string]any {
	viaIn, viaOut := stepTypes(true, nil)
	return timeParams(map[string]any{
		"id": q.ID, "backward": domain.ExposureTypes.Backward, "forward": domain.ExposureTypes.Forward,
		"viaIn": viaIn, "viaOut": viaOut, "limit": domain.MaxExposureScan + 1,
	}, q.Time)
}

// exposureMatch binds the links of an exposure: p1 (the supply steps from
// the entity to a site, ExposureSupplyDepth at most, none for the entity
// itself), q (from the site: responsibility up to the first aiding party
// reached; or the designation of the site by a list; or a transfer of
// workers to the site, from its origin or organiser), t (the target) and
// reason. Steps are written as patterns of registry types.
func exposureMatch(t domain.Time) string {
	viaIn, viaOut := stepTypes(true, nil)
	supply := typeLabels(append(append([]string{}, domain.ExposureTypes.Backward...), domain.ExposureTypes.Forward...))
	return fmt.Sprintf(`
MATCH (root:Entity {id: $id}) WHERE root.retractedAt IS NULL
MATCH p1 = (root) ((x)-[s%[8]s]-(y) WHERE %[1]s){0,%[2]d} (site)
WHERE all(i IN range(0, size(nodes(p1)) - 2) WHERE NOT nodes(p1)[i] IN nodes(p1)[i+1..])
WITH DISTINCT p1, site
CALL (p1, site) {
  MATCH q = (site) ((a)-[r%[9]s]-(b) WHERE %[3]s){1,%[4]d} (t)
  WHERE %[5]s
    AND none(n IN nodes(q)[1..-1] WHERE %[6]s)
    AND all(i IN range(0, size(nodes(q)) - 2) WHERE NOT nodes(q)[i] IN nodes(q)[i+1..])
    AND none(n IN nodes(q)[1..] WHERE n IN nodes(p1))
  RETURN q, t, 'AIDING_PARTY' AS reason
  UNION
  MATCH q = (site)<-[d:DESIGNATED]-(t:Entity) WHERE %[7]s
  RETURN q, t, 'DESIGNATION' AS reason
  UNION
  MATCH q = (site)<-[w:TRANSFERS_WORKERS_TO]-(t:Entity) WHERE %[10]s AND NOT t IN nodes(p1)
  RETURN q, t, 'LABOUR_TRANSFER' AS reason
}
WITH p1, q, t, reason`,
		stepThen("((type(s) IN $backward AND endNode(s) = x) OR (type(s) IN $forward AND startNode(s) = x))", activeAt("s", t)), domain.ExposureSupplyDepth,
		stepThen(stepClause("r", "a"), activeAt("r", t)), domain.ExposureChainDepth,
		aidingPartyClause("t"), aidingPartyClause("n"), activeAt("d", t), supply, typeLabels(append(viaIn, viaOut...)),
		activeAt("w", t))
}
