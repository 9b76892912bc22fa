package neo4jstore

import (
	"fmt"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// Statement is one Cypher statement with its parameters, exactly as the
// store runs it. The builders here and in planned.go write the statements
// of the API's root fields and loaders once, for two callers: the store
// runs them, and bench/ profiles and runs them through the driver. They
// expect queries that passed their domain Validate. The store's other reads
// (the interop and export lookups in read.go and query.go, stats, the graph
// version, the loader's id checks, keys and history) are written next to
// the method that runs them: nothing else runs them.
type Statement struct {
	Name   string
	Cypher string
	Params map[string]any
}

// EntitiesByIDStatement fetches entities by id.
func EntitiesByIDStatement(ids []string) Statement {
	return Statement{Name: "entities-by-id", Cypher: `
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n`, Params: map[string]any{"ids": ids}}
}

// relationPagesStatement pages the relations of each of q.IDs (the
// fallback loaders' query: reads plan their pages).
func relationPagesStatement(q domain.RelationQuery, pattern string, first int, after string) Statement {
	return Statement{Name: "relation-pages", Cypher: `
UNWIND $ids AS id
CALL (id) {
  MATCH ` + pattern + `
  WHERE r.id > $after AND (size($types) = 0 OR type(r) IN $types) AND ` + activeClause("r") + `
  RETURN r ORDER BY r.id LIMIT $limit
}
RETURN id AS owner, type(r) AS type, startNode(r).id AS from, endNode(r).id AS to, properties(r) AS props`,
		Params: timeParams(map[string]any{"ids": q.IDs, "types": nonNil(q.Types), "after": after, "limit": first + 1}, q.Time)}
}

// SearchStatement runs the full-text query lq (from LuceneQuery) and ranks
// exact and prefix matches first.
func SearchStatement(q domain.SearchQuery, lq string) Statement {
	return Statement{Name: "search", Cypher: searchMatch() + "\nRETURN node, score, tier", Params: searchParams(q, lq)}
}

// searchMatch binds the rows of SearchStatement, best first: node, score, tier.
func searchMatch() string {
	return `
CALL db.index.fulltext.queryNodes($index, $query, {limit: $candidates}) YIELD node, score
WHERE (size($kinds) = 0 OR node.kind IN $kinds) AND node.retractedAt IS NULL
WITH node, score, coalesce(node.matchNames, []) AS names
WITH node, score,
     CASE WHEN $text IN names THEN 2
          WHEN any(x IN names WHERE x STARTS WITH $text) THEN 1
          ELSE 0 END AS tier
ORDER BY tier DESC, CASE WHEN tier > 0 THEN coalesce($levels[node.kind], 6) ELSE 0 END, score DESC, node.id
LIMIT $first`
}

func searchParams(q domain.SearchQuery, lq string) map[string]any {
	return map[string]any{
		"index": FulltextIndex, "query": lq, "candidates": 200, "kinds": kindStrings(q.Kinds),
		"text": spelling.Normal(q.Text), "first": q.First, "levels": kindLevels(),
	}
}

// kindLevels maps each kind to its level (domain.KindInfo.Level): exact and
// prefix matches of higher-level bodies rank first.
func kindLevels() map[string]any {
	out := map[string]any{}
	for _, k := range domain.Kinds() {
		out[string(k.Kind)] = k.Level
	}
	return out
}

// LuceneQuery is the escaped full-text query for user text ("" when the
// text has no word to search for).
func LuceneQuery(text string) string { return luceneQuery(text) }

// pathMatch binds the paths of q: p, shortest first, at most
// q.First. It adds its parameters to params, their names ending in
// suffix (so that two directions can share a statement); the time
// parameters (timeParams) are the caller's.
func pathMatch(q domain.PathQuery, params map[string]any, suffix string) string {
	arrow := map[domain.PathDirection][2]string{domain.PathForward: {"-", "->"}, domain.PathBackward: {"<-", "-"}}[q.Direction]
	if arrow[0] == "" {
		arrow = [2]string{"-", "-"}
	}
	n := func(name string) string { return "$" + name + suffix }
	params["from"+suffix], params["to"+suffix], params["first"+suffix] = q.From, q.To, q.First
	// Types reach the pattern as registry names: expanding only them is
	// what makes dense entities cheap.
	labels := typeLabels(q.Types)
	where := activeAt("r", q.Time)
	if q.ResponsibilityOnly {
		// Each step runs the way responsibility does: FORWARD (down) from
		// an entity to what it answers for, BACKWARD (up) the reverse. ANY
		// is both, each path one way throughout (Store.ReadPaths).
		viaIn, viaOut := stepTypes(q.Direction == domain.PathBackward, q.Types)
		arrow = [2]string{"-", "-"}
		labels = typeLabels(append(append([]string{}, viaIn...), viaOut...))
		where = stepThen(fmt.Sprintf("((type(r) IN %[1]s AND endNode(r) = a) OR (type(r) IN %[2]s AND startNode(r) = a))", n("viaIn"), n("viaOut")), where)
		params["viaIn"+suffix], params["viaOut"+suffix] = viaIn, viaOut
	}
	step := fmt.Sprintf("((a)%s[r%s]%s(b) WHERE %s){1,%d}", arrow[0], labels, arrow[1], where, q.MaxLength)
	var match string
	switch {
	case !q.ResponsibilityOnly && (q.Mode == domain.PathShortest || q.Mode == domain.PathAllShortest):
		// The breadth-first shortestPath() applies a predicate on every
		// relationship while it searches: measured at a quarter of the
		// database hits of SHORTEST with a quantified path pattern
		// (docs/BENCHMARKS.md, "The floor, statement by statement"). A
		// responsibility step depends on the way it is walked, which it
		// cannot express.
		fn := "shortestPath"
		if q.Mode == domain.PathAllShortest {
			fn = "allShortestPaths"
		}
		match = fmt.Sprintf("MATCH p = %s((start)%s[%s*1..%d]%s(end))\nWHERE all(r IN relationships(p) WHERE %s)",
			fn, arrow[0], labels, q.MaxLength, arrow[1], where)
	case q.Mode == domain.PathShortest:
		match = "MATCH p = SHORTEST 1 (start)" + step + "(end)"
	case q.Mode == domain.PathAllShortest:
		match = "MATCH p = ALL SHORTEST (start)" + step + "(end)"
	case q.Mode == domain.PathKShortest:
		match = fmt.Sprintf("MATCH p = SHORTEST %d (start)%s(end)", q.First, step)
	case q.Mode == domain.PathAllSimple:
		match = "MATCH p = (start)" + step + "(end)\nWHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])"
	}
	return fmt.Sprintf(`
MATCH (start:Entity {id: %s}), (end:Entity {id: %s})
%s
WITH p ORDER BY length(p) LIMIT %s`, n("from"), n("to"), match, n("first"))
}

// NeighborhoodNodesStatement finds the entities within q.Depth hops of
// q.IDs (the whole graph when q.IDs is empty), at most q.Limit+1.
func NeighborhoodNodesStatement(q domain.SubgraphQuery) Statement {
	return Statement{Name: "neighborhood-nodes", Cypher: neighborhoodMatch(q) + "\nRETURN n", Params: neighborhoodParams(q)}
}

// neighborhoodMatch binds the rows of NeighborhoodNodesStatement: n, start
// entities first, then by id.
func neighborhoodMatch(q domain.SubgraphQuery) string {
	if len(q.IDs) == 0 {
		// The whole graph, in id order.
		return `
MATCH (n:Entity) WHERE n.id > '' AND n.retractedAt IS NULL AND (size($kinds) = 0 OR n.kind IN $kinds)
WITH n ORDER BY n.id LIMIT $limit`
	}
	// Depth is a validated int (a variable-length bound cannot be a
	// parameter); types are registry names. DISTINCT end nodes let the
	// planner prune the expansion.
	return fmt.Sprintf(`
MATCH (s:Entity) WHERE s.id IN $ids AND s.retractedAt IS NULL
MATCH (s)-[rs%s*0..%d]-(n:Entity)
WHERE all(r IN rs WHERE %s)
  AND (n.id IN $ids OR size($kinds) = 0 OR n.kind IN $kinds)
WITH DISTINCT n
ORDER BY CASE WHEN n.id IN $ids THEN 0 ELSE 1 END, n.id
LIMIT $limit`, typeLabels(q.Types), q.Depth, activeAt("r", q.Time))
}

func neighborhoodParams(q domain.SubgraphQuery) map[string]any {
	return timeParams(map[string]any{
		"ids": q.IDs, "types": nonNil(q.Types), "kinds": kindStrings(q.Kinds), "limit": q.Limit + 1,
	}, q.Time)
}

// NeighborhoodEdgesStatement finds the relations among ids.
func NeighborhoodEdgesStatement(ids, types []string, t domain.Time) Statement {
	return Statement{Name: "neighborhood-edges", Cypher: `
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids AND (size($types) = 0 OR type(r) IN $types) AND ` + activeClause("r") + `
RETURN type(r) AS type, a.id AS from, b.id AS to, properties(r) AS props
ORDER BY props.id`, Params: timeParams(map[string]any{"ids": ids, "types": nonNil(types)}, t)}
}
