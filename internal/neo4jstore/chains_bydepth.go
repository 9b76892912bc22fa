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

// chainPaths binds p and complete for the walks from root whose length
// quantifier allows ("{1,8}", "{3}"), of which those that can go further
// are kept only at maxDepth.
func chainPaths(quantifier string, maxDepth int, labels string, t domain.Time) string {
	return fmt.Sprintf(`MATCH p = (root) ((a)-[r%[1]s]-(b) WHERE %[2]s)%[3]s (end)
WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
WITH p, NOT EXISTS {
  MATCH (end)-[r2%[1]s]-(x) WHERE %[4]s AND %[5]s AND NOT x IN nodes(p)
} AS complete
WHERE complete OR length(p) = %[6]d`, labels, stepThen(stepClause("r", "a"), activeAt("r", t)), quantifier,
		stepClause("r2", "end"), activeAt("r2", t), maxDepth)
}

// chainMatch finds the chains with one {1,maxDepth} pattern, in no order:
// best where chains converge (up from a factory).
func chainMatch(maxDepth int, labels string, t domain.Time) string {
	return "\nMATCH (root:Entity {id: $id})\n" + chainPaths(fmt.Sprintf("{1,%d}", maxDepth), maxDepth, labels, t)
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
		part := chainPaths(fmt.Sprintf("{%d}", d), maxDepth, labels, t) + "\nRETURN p, complete"
		parts = append(parts, "  "+strings.ReplaceAll(part, "\n", "\n  "))
	}
	return `
MATCH (root:Entity {id: $id})
CALL (root) {
` + strings.Join(parts, "\n  UNION ALL\n") + `
}`
}
