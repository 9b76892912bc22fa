package neo4jstore

import (
	"fmt"
	"strings"
)

// chainCypherByDepth is the statement of Chains with the same parameters,
// columns and answer, written as one UNION ALL branch per chain length,
// shortest first. The single {1,maxDepth} pattern of Chains must enumerate
// and sort every path before LIMIT applies; here the branches are pulled in
// order and LIMIT stops the search once it has $limit chains. That matters
// where chains fan out: DOWN from an aiding province at scale M (100k
// entities, 1M relations) it takes about 30 ms instead of 2.3 s. Where they
// converge (UP from a factory) each branch re-walks the shorter prefixes and
// it is about 2.5x slower than the single pattern, so Chains should use it
// for DOWN only (docs/BENCHMARKS.md, "Chains down"). maxDepth is a
// validated int: a quantifier cannot be a parameter.
func chainCypherByDepth(maxDepth int) string {
	return chainMatchByDepth(maxDepth) + `
RETURN [n IN nodes(p) | n.id] AS ids, ` + relationMaps + ` AS rels, complete, [n IN nodes(p) | n.kind] AS kinds
LIMIT $limit`
}

// chainMatchByDepth binds the rows of chainCypherByDepth: p and complete,
// shortest first.
func chainMatchByDepth(maxDepth int) string {
	parts := make([]string, 0, maxDepth)
	for d := 1; d <= maxDepth; d++ {
		parts = append(parts, fmt.Sprintf(`  MATCH p = (root) ((a)-[r]-(b) WHERE %s AND %s){%d} (end)
  WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
  WITH p, NOT EXISTS {
    MATCH (end)-[r2]-(x) WHERE %s AND %s AND NOT x IN nodes(p)
  } AS complete
  WHERE complete OR %d = %d
  RETURN p, complete`, stepClause("r", "a"), activeClause("r"), d, stepClause("r2", "end"), activeClause("r2"), d, maxDepth))
	}
	return `
MATCH (root:Entity {id: $id})
CALL (root) {
` + strings.Join(parts, "\n  UNION ALL\n") + `
}`
}
