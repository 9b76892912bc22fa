package main

import (
	"fmt"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// The raw floor: for each shape, the best single statement we could write
// by hand for the answer aidtrace's document gives (the same items, the
// same order and limits), returning only the fields the document selects.
// Each was reviewed with PROFILE against aidtrace's planned statement and
// the alternatives a Neo4j user would try (`aidbench profile`; the review
// is in docs/BENCHMARKS.md). No time filter is asked by the documents, so
// none is written; labels and types are written as literals, as an expert
// writing for this graph would.

// rawStatement is one shape's hand-written statement for a request.
type rawStatement func(vars map[string]any) neo4jstore.Statement

// responsibilityTypes are the types a chain may follow, as a type
// alternative, and split by the way a step runs (see stepClause).
func responsibilityTypes(up bool) (labels string, viaIn, viaOut []string) {
	var all []string
	for _, t := range domain.RelationTypes() {
		switch {
		case t.Responsibility == domain.NoResponsibility:
			continue
		case (t.Responsibility == domain.FromIsResponsible) == up:
			viaIn = append(viaIn, t.Name)
		default:
			viaOut = append(viaOut, t.Name)
		}
		all = append(all, t.Name)
	}
	return strings.Join(all, "|"), viaIn, viaOut
}

// rawEntity: the entity and one page of its relations, in one statement.
func rawEntity(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-entity", Params: map[string]any{"id": str(v, "id")}, Cypher: `
MATCH (n:Entity {id: $id})
RETURN n {.id, .kind, .name, .nameZh, relations: COLLECT {
  MATCH (n)-[r]-(:Entity) WHERE r.retractedAt IS NULL
  WITH r ORDER BY r.id LIMIT 51
  RETURN r {.id, type: type(r), fromId: startNode(r).id, toId: endNode(r).id, .validFrom, .validTo, .confidence}
}} AS entity`}
}

// rawNested2: factory ← transfers ← firm ← licences ← bureau.
func rawNested2(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-nested2", Params: map[string]any{"id": str(v, "id")}, Cypher: `
MATCH (n:Entity {id: $id})
RETURN n {.id, .name, relations: COLLECT {
  MATCH (n)<-[r:TRANSFERS_WORKERS_TO]-(f:Entity) WHERE r.retractedAt IS NULL
  WITH r, f ORDER BY r.id LIMIT 51
  RETURN r {.id, .validFrom, .validTo, .confidence, from: f {.id, .name, relations: COLLECT {
    MATCH (f)<-[l:LICENSES]-(b:Entity) WHERE l.retractedAt IS NULL
    WITH l, b ORDER BY l.id LIMIT 51
    RETURN l {.id, from: b {.id, .name}}
  }}}
}} AS entity`}
}

// rawSearch: the full-text query and the ranking, id, name and kind.
func rawSearch(v map[string]any) neo4jstore.Statement {
	text := str(v, "t")
	levels := map[string]any{}
	for _, k := range domain.Kinds() {
		levels[string(k.Kind)] = k.Level
	}
	return neo4jstore.Statement{Name: "raw-search", Params: map[string]any{
		"query": neo4jstore.LuceneQuery(text), "text": spelling.Normal(text), "levels": levels,
	}, Cypher: `
CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: 200}) YIELD node, score
WHERE node.retractedAt IS NULL
WITH node, score, CASE WHEN $text IN node.matchNames THEN 2
                       WHEN any(x IN node.matchNames WHERE x STARTS WITH $text) THEN 1 ELSE 0 END AS tier
ORDER BY tier DESC, CASE WHEN tier > 0 THEN coalesce($levels[node.kind], 6) ELSE 0 END, score DESC, node.id
LIMIT 10
RETURN node {.id, .name, .kind}, score, tier`}
}

// rawChain: the chains from a root. Down, every maximal chain (at most
// 2,001), shortest first, one branch per length so that LIMIT stops early
// (they fan out), each as its relations' ids, with the distinct relations'
// fields and entities' id and name once (rawChainDistinct). Up, what the chains reach (rawChainReach: they converge, and
// matching them as paths enumerates the same few relations many times).
// The step follows only responsibility types, written as a type
// alternative so that dense nodes expand by type.
func rawChain(up bool) rawStatement {
	if up {
		return rawChainReach(up)
	}
	return rawChainDistinct(up)
}

// rawChainReach: every relation a step can take from an entity within 8
// steps of the root, found level by level (each level's entities expanded
// once, level 8's to tell whether a chain of 8 steps goes further), with
// the relations' fields, and those entities' id, name and kind: what the
// chains are walked over.
func rawChainReach(up bool) rawStatement {
	labels, viaIn, viaOut := responsibilityTypes(up)
	var b strings.Builder
	b.WriteString("\nMATCH (root:Entity {id: $id})\nWITH [root] AS f0")
	var rs, ns []string
	for d := 0; d <= 8; d++ {
		fmt.Fprintf(&b, "\nCALL (f%[1]d) { UNWIND f%[1]d AS a MATCH (a)-[r:%[2]s]-(b) WHERE CASE WHEN ((type(r) IN $viaIn AND endNode(r) = a) OR (type(r) IN $viaOut AND startNode(r) = a)) THEN r.retractedAt IS NULL ELSE false END RETURN collect(r) AS r%[1]d, collect(DISTINCT b) AS f%[3]d }", d, labels, d+1)
		rs, ns = append(rs, fmt.Sprintf("r%d", d)), append(ns, fmt.Sprintf("f%d", d))
	}
	fmt.Fprintf(&b, `
WITH %s AS rs, %s AS ns
RETURN COLLECT { UNWIND rs AS r WITH DISTINCT r RETURN r {.id, type: type(r), fromId: startNode(r).id, toId: endNode(r).id, .validFrom, .validTo, .confidence} } AS rels,
       COLLECT { UNWIND ns AS n WITH DISTINCT n RETURN n {.id, .name, .kind} } AS nodes`, strings.Join(rs, " + "), strings.Join(ns, " + "))
	cypher := b.String()
	return func(v map[string]any) neo4jstore.Statement {
		return neo4jstore.Statement{Name: "raw-chain-reach", Cypher: cypher, Params: map[string]any{"id": str(v, "id"), "viaIn": viaIn, "viaOut": viaOut}}
	}
}

func rawChainUntyped(up bool) rawStatement    { return chainStatement(up, !up, false, false) }
func rawChainByLength(up bool) rawStatement   { return chainStatement(up, true, true, false) }
func rawChainOnePattern(up bool) rawStatement { return chainStatement(up, false, true, false) }
func rawChainDistinct(up bool) rawStatement   { return chainStatement(up, true, true, true) }

// chainStatement matches the chains as paths: by length (one branch per
// length) or in one pattern, with typed steps or not, and returns each
// chain with its entities' and relations' fields (a record each), or
// (distinct) each as its relations' ids with the distinct relations and
// entities once (one record).
func chainStatement(up, byLength, typed, distinct bool) rawStatement {
	labels, viaIn, viaOut := responsibilityTypes(up)
	if !typed {
		labels = ""
	} else {
		labels = ":" + labels
	}
	step := func(r, a string) string {
		return fmt.Sprintf("((type(%[1]s) IN $viaIn AND endNode(%[1]s) = %[2]s) OR (type(%[1]s) IN $viaOut AND startNode(%[1]s) = %[2]s))", r, a)
	}
	ret := `
RETURN [x IN nodes(p) | x {.id, .name}] AS nodes, complete,
       [x IN relationships(p) | x {.id, type: type(x), fromId: startNode(x).id, toId: endNode(x).id, .validFrom, .validTo, .confidence}] AS rels`
	if distinct {
		ret = `
WITH collect({rels: [x IN relationships(p) | x.id], complete: complete}) AS chains, collect(relationships(p)) AS rss, collect(nodes(p)) AS nss
RETURN chains,
       COLLECT { UNWIND rss AS rs UNWIND rs AS r WITH DISTINCT r RETURN r {.id, type: type(r), fromId: startNode(r).id, toId: endNode(r).id, .validFrom, .validTo, .confidence} } AS rels,
       COLLECT { UNWIND nss AS ns UNWIND ns AS n WITH DISTINCT n RETURN n {.id, .name} } AS nodes`
	}
	maximal := fmt.Sprintf(`NOT EXISTS { MATCH (end)-[r2%s]-(x) WHERE %s AND r2.retractedAt IS NULL AND NOT x IN nodes(p) }`, labels, step("r2", "end"))
	noRepeat := "all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])"
	var cypher string
	if !byLength {
		cypher = fmt.Sprintf(`
MATCH (root:Entity {id: $id})
MATCH p = (root) ((a)-[r%s]-(b) WHERE %s AND r.retractedAt IS NULL){1,8} (end)
WHERE %s
WITH p, %s AS complete
WHERE complete OR length(p) = 8
WITH p, complete ORDER BY length(p) LIMIT 2001`, labels, step("r", "a"), noRepeat, maximal) + ret
	} else {
		parts := make([]string, 0, 8)
		for d := 1; d <= 8; d++ {
			parts = append(parts, fmt.Sprintf(`  MATCH p = (root) ((a)-[r%s]-(b) WHERE %s AND r.retractedAt IS NULL){%d} (end)
  WHERE %s
  WITH p, %s AS complete
  WHERE complete OR %d = 8
  RETURN p, complete`, labels, step("r", "a"), d, noRepeat, maximal, d))
		}
		cypher = "\nMATCH (root:Entity {id: $id})\nCALL (root) {\n" + strings.Join(parts, "\n  UNION ALL\n") + "\n}\nWITH p, complete LIMIT 2001" + ret
	}
	return func(v map[string]any) neo4jstore.Statement {
		return neo4jstore.Statement{Name: "raw-chain", Cypher: cypher, Params: map[string]any{"id": str(v, "id"), "viaIn": viaIn, "viaOut": viaOut}}
	}
}

// rawPath: one shortest path of at most 6 hops either way, its entities'
// id and name and its relations' ids, types and ends. The breadth-first
// shortestPath() checks the relationship predicate as it searches.
func rawPath(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-path", Params: map[string]any{"a": str(v, "a"), "b": str(v, "b")}, Cypher: `
MATCH (start:Entity {id: $a}), (end:Entity {id: $b})
MATCH p = shortestPath((start)-[*..6]-(end))
WHERE all(r IN relationships(p) WHERE r.retractedAt IS NULL)
RETURN length(p) AS length, [n IN nodes(p) | n {.id, .name}] AS nodes,
       [x IN relationships(p) | x {.id, type: type(x), fromId: startNode(x).id, toId: endNode(x).id}] AS relations`}
}

// rawNeighborhood: the entities within 2 hops of a county (the start
// first, then by id, at most 500) and the relations among them.
func rawNeighborhood(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-neighborhood", Params: map[string]any{"id": str(v, "id")}, Cypher: `
MATCH (s:Entity {id: $id})
MATCH (s)-[rs*0..2]-(n:Entity)
WHERE all(r IN rs WHERE r.retractedAt IS NULL)
WITH DISTINCT n ORDER BY CASE WHEN n.id = $id THEN 0 ELSE 1 END, n.id LIMIT 501
WITH collect(n) AS found
WITH found[..500] AS ns, size(found) > 500 AS truncated
RETURN truncated, [n IN ns | n {.id, .name, .kind}] AS nodes, COLLECT {
  UNWIND ns AS a
  MATCH (a)-[r]->(b:Entity) WHERE b IN ns AND r.retractedAt IS NULL
  WITH r ORDER BY r.id
  RETURN r {.id, type: type(r), fromId: startNode(r).id, toId: endNode(r).id}
} AS edges`}
}

// Alternatives (see profile.go).

func rawEntityAllProperties(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-entity-all", Params: map[string]any{"id": str(v, "id")}, Cypher: `
MATCH (n:Entity {id: $id})
RETURN n {.id, .kind, .name, .nameZh, relations: COLLECT {
  MATCH (n)-[r]-(:Entity) WHERE r.retractedAt IS NULL
  WITH r ORDER BY r.id LIMIT 51
  RETURN {type: type(r), from: startNode(r).id, to: endNode(r).id, props: properties(r)}
}} AS entity`}
}

func rawPathQPP(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-path-qpp", Params: map[string]any{"a": str(v, "a"), "b": str(v, "b")}, Cypher: `
MATCH (start:Entity {id: $a}), (end:Entity {id: $b})
MATCH p = SHORTEST 1 (start) ((x)-[r]-(y) WHERE r.retractedAt IS NULL){1,6} (end)
RETURN length(p) AS length, [n IN nodes(p) | n {.id, .name}] AS nodes,
       [x IN relationships(p) | x {.id, type: type(x), fromId: startNode(x).id, toId: endNode(x).id}] AS relations`}
}

func rawNeighborhoodIDList(v map[string]any) neo4jstore.Statement {
	return neo4jstore.Statement{Name: "raw-neighborhood-ids", Params: map[string]any{"id": str(v, "id")}, Cypher: `
MATCH (s:Entity {id: $id})
MATCH (s)-[rs*0..2]-(n:Entity)
WHERE all(r IN rs WHERE r.retractedAt IS NULL)
WITH DISTINCT n ORDER BY CASE WHEN n.id = $id THEN 0 ELSE 1 END, n.id LIMIT 501
WITH collect(n) AS found
WITH found[..500] AS ns, size(found) > 500 AS truncated
WITH ns, truncated, [n IN ns | n.id] AS ids
RETURN truncated, [n IN ns | n {.id, .name, .kind}] AS nodes, COLLECT {
  UNWIND ns AS a
  MATCH (a)-[r]->(b:Entity) WHERE b.id IN ids AND r.retractedAt IS NULL
  WITH r ORDER BY r.id
  RETURN r {.id, type: type(r), fromId: startNode(r).id, toId: endNode(r).id}
} AS edges`}
}
