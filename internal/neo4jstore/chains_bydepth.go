package neo4jstore

import (
	"fmt"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The chain statements bind p (a maximal chain from $id: one that ends
// where no further step is possible, or at maxDepth; entities never repeat)
// and complete (whether it is maximal). Each step follows only the types of
// $viaIn into an entity and of $viaOut out of it (stepClause), written in
// the pattern as their registry names too (labels), so that dense entities
// (factories, with hundreds of supply and location links) expand only those
// types. maxDepth is a validated int: a quantifier cannot be a parameter.

// chainMatch finds the chains with one {1,maxDepth} pattern, in no order:
// best where chains converge (up from a factory).
func chainMatch(maxDepth int, labels string, t domain.Time) string {
	return fmt.Sprintf(`
MATCH (root:Entity {id: $id})
MATCH p = (root) ((a)-[r%[4]s]-(b) WHERE %[1]s){1,%[2]d} (end)
WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
WITH p, end, NOT EXISTS {
  MATCH (end)-[r2%[4]s]-(x) WHERE %[3]s AND %[5]s AND NOT x IN nodes(p)
} AS complete
WHERE complete OR length(p) = %[2]d`, stepThen(stepClause("r", "a"), activeAt("r", t)), maxDepth, stepClause("r2", "end"), labels, activeAt("r2", t))
}

// chainMatchByDepth finds the same chains as one UNION ALL branch per
// length, shortest first, so that a LIMIT after it stops the search once it
// has enough. That matters where chains fan out: DOWN from an aiding
// province at scale M (100k entities, 1M relations) about 30 ms instead of
// 2.3 s. Where they converge (UP from a factory) each branch re-walks the
// shorter prefixes and it is about 2.5x slower than chainMatch, so it is
// used for DOWN only (docs/BENCHMARKS.md, "Chains down").
func chainMatchByDepth(maxDepth int, labels string, t domain.Time) string {
	parts := make([]string, 0, maxDepth)
	for d := 1; d <= maxDepth; d++ {
		parts = append(parts, fmt.Sprintf(`  MATCH p = (root) ((a)-[r%[5]s]-(b) WHERE %[1]s){%[2]d} (end)
  WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
  WITH p, NOT EXISTS {
    MATCH (end)-[r2%[5]s]-(x) WHERE %[3]s AND %[6]s AND NOT x IN nodes(p)
  } AS complete
  WHERE complete OR %[2]d = %[4]d
  RETURN p, complete`, stepThen(stepClause("r", "a"), activeAt("r", t)), d, stepClause("r2", "end"), maxDepth, labels, activeAt("r2", t)))
	}
	return `
MATCH (root:Entity {id: $id})
CALL (root) {
` + strings.Join(parts, "\n  UNION ALL\n") + `
}`
}
