package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Chains are read in one of two ways, by how they spread from their root
// (docs/BENCHMARKS.md, "Chains up as a walk of what they reach"):
//
//   - UP from an entity they converge on a few authorities: the statement
//     reads what they reach, level by level (chainReach), and Go walks it
//     (domain.WalkChains). Matching the chains as paths enumerated every
//     path in Neo4j: twice the database hits at scale M.
//   - DOWN from an aiding province they fan out to thousands of chains: the
//     statement matches them as paths, length by length, so that LIMIT
//     stops it once the scan is full (chainMatchByDepth). Reading all they
//     reach costs 5.6x the database hits of that at scale M.
//
// In both, each step follows only the types of $viaIn into an entity and
// of $viaOut out of it (stepClause, behind stepThen), written in the
// pattern as their registry names too (labels), so that dense entities
// (factories, with hundreds of supply and location links) expand only
// those types; and entities never repeat in a chain. maxDepth is a
// validated int: a quantifier cannot be a parameter.

// ChainsReadStatement reads the chains of q (see Store.ReadChains).
func ChainsReadStatement(q domain.ChainQuery, want domain.ResultPlan) Statement {
	viaIn, viaOut := stepTypes(q.Up, q.Types)
	w := wanted{relation: q.Time.RelationFields()}
	w.resultPlan(want)
	params := map[string]any{"id": q.ID, "viaIn": viaIn, "viaOut": viaOut}
	if !q.Up {
		params["limit"] = domain.MaxChainScan + 1
	}
	c := newCompiler(timeParams(params, q.Time), w)
	labels := typeLabels(append(append([]string{}, viaIn...), viaOut...))
	if q.Up {
		return Statement{Name: "chains", Params: c.params, Cypher: c.chainReach(q, labels, want)}
	}
	match := chainMatchByDepth(q.MaxDepth, labels, q.Time) + "\nWITH p, complete LIMIT $limit"
	return Statement{Name: "chains", Params: c.params, Cypher: match + "\nWITH nodes(p) AS ns, relationships(p) AS rs, complete" +
		c.traversalTail([]string{"complete"}, want, true, c.rootTail(want))}
}

// chainReach reads every relation a step can take from an entity within
// q.MaxDepth steps of $id, found level by level (within a level each
// entity is expanded once; one reached at several levels is expanded at
// each, which keeps the statement free of a list of those seen), and the
// kinds of those entities (and what want.Entities wants of them), ending
// as traversals do (distinctItems) with no rows. Level maxDepth's steps
// are read only to tell whether a chain of maxDepth steps could go
// further.
func (c *compiler) chainReach(q domain.ChainQuery, labels string, want domain.ResultPlan) string {
	step := stepThen(stepClause("r", "a"), activeAt("r", q.Time))
	var b strings.Builder
	b.WriteString("\nOPTIONAL MATCH (root:Entity {id: $id})\nWITH [x IN [root] WHERE x IS NOT NULL] AS f0")
	levels, within := make([]string, 0, q.MaxDepth+1), make([]string, 0, q.MaxDepth+1)
	for d := 0; d <= q.MaxDepth; d++ {
		fmt.Fprintf(&b, "\nCALL (f%[1]d) { UNWIND f%[1]d AS a MATCH (a)-[r%[2]s]-(b) WHERE %[3]s RETURN collect(r) AS r%[1]d, collect(DISTINCT b) AS f%[4]d }",
			d, labels, step, d+1)
		levels, within = append(levels, fmt.Sprintf("r%d", d)), append(within, fmt.Sprintf("f%d", d))
	}
	b.WriteString("\nWITH [] AS rows, [" + strings.Join(levels, ", ") + "] AS allRs, [" + strings.Join(within, ", ") + "] AS allNs")
	b.WriteString(c.distinctItems(want, true, c.rootTail(want)))
	return b.String()
}

// chainPaths binds p and complete for the walks from root whose length
// quantifier allows ("{3}"), of which those that can go further are kept
// only at maxDepth.
func chainPaths(quantifier string, maxDepth int, labels string, t domain.Time) string {
	return fmt.Sprintf(`MATCH p = (root) ((a)-[r%[1]s]-(b) WHERE %[2]s)%[3]s (end)
WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
WITH p, NOT EXISTS {
  MATCH (end)-[r2%[1]s]-(x) WHERE %[4]s AND %[5]s AND NOT x IN nodes(p)
} AS complete
WHERE complete OR length(p) = %[6]d`, labels, stepThen(stepClause("r", "a"), activeAt("r", t)), quantifier,
		stepClause("r2", "end"), activeAt("r2", t), maxDepth)
}

// chainMatchByDepth binds p and complete for the chains from $id, one
// UNION ALL branch per length, shortest first, so that a LIMIT after it
// stops the search once it has enough: DOWN from an aiding province at
// scale M (100k entities, 1M relations) about 30 ms instead of 2.3 s for
// one {1,maxDepth} pattern.
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

// ReadChains returns the chains of responsibility from q.ID: the maximal
// ones (ending where no further step is possible, or at maxDepth), at most
// domain.MaxChainScan, shortest first, weighed, filtered by q.MinStrength,
// sorted (domain.SortChains) and paged. Entities never repeat in a chain.
// An UP chain is complete when it ends at a top authority
// (domain.TopAuthorityKinds) with no step further; a DOWN chain when it
// ends at a leaf.
func (s *Store) ReadChains(ctx context.Context, q domain.ChainQuery, want domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	if err := q.Validate(); err != nil {
		return nil, nil, err
	}
	rec, fl, t, err := s.readTraversal(ctx, ChainsReadStatement(q, want), q.ID, want)
	if err != nil {
		return nil, nil, err
	}
	kinds, err := kindsColumn(rec)
	if err != nil {
		return nil, nil, fmt.Errorf("chains: %w", err)
	}
	var found []domain.FoundChain
	if q.Up {
		// The walk gets the time a statement gets (the store's timeout).
		wctx, cancel := context.WithTimeout(ctx, s.timeout)
		found, err = walkChains(wctx, q, t.rels, kinds)
		cancel()
		if err != nil {
			return nil, nil, err
		}
	} else if found, err = foundChains(t, kinds); err != nil {
		return nil, nil, fmt.Errorf("chains: %w", err)
	}
	return q.Assemble(found), fl.f, nil
}

// walkChains enumerates q's walks over rels (domain.WalkChains), each
// entity's steps in the order of their relations' ids.
func walkChains(ctx context.Context, q domain.ChainQuery, rels map[string]*domain.Relation, kinds map[string]domain.Kind) ([]domain.FoundChain, error) {
	steps := make(map[string][]domain.ChainStep, len(kinds))
	ids := make([]string, 0, len(rels))
	for id := range rels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := rels[id]
		for _, at := range [2]string{r.From, r.To} {
			if next, ok := domain.ResponsibilityStep(q.Up, q.Types, r, at); ok {
				steps[at] = append(steps[at], domain.ChainStep{Relation: r, Next: next})
			}
		}
	}
	return domain.WalkChains(ctx, q.ID, q.MaxDepth, func(id string) []domain.ChainStep { return steps[id] },
		func(id string) domain.Kind { return kinds[id] })
}

// foundChains are the chains matched as paths, one row each; kinds are
// their entities' kinds.
func foundChains(t *traversal, kinds map[string]domain.Kind) ([]domain.FoundChain, error) {
	found := make([]domain.FoundChain, len(t.rows))
	for i := range t.rows {
		nodes, relations, err := t.row(i)
		if err != nil {
			return nil, err
		}
		ks := make([]domain.Kind, len(nodes))
		for j, id := range nodes {
			k, ok := kinds[id]
			if !ok {
				return nil, fmt.Errorf("row %d: no kind for %s", i, id)
			}
			ks[j] = k
		}
		maximal, _ := t.rows[i]["complete"].(bool)
		found[i] = domain.FoundChain{Nodes: nodes, Kinds: ks, Relations: relations, Maximal: maximal}
	}
	return found, nil
}

// kindsColumn decodes the kinds of chainReach and of a traversalTail
// that asks for them: [id, kind] pairs.
func kindsColumn(r *neo4j.Record) (map[string]domain.Kind, error) {
	x, err := column(r, "kinds")
	if err != nil {
		return nil, err
	}
	l, err := asList(x, "kinds")
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Kind, len(l))
	for _, p := range l {
		pair, err := asList(p, "kind")
		if err != nil {
			return nil, err
		}
		ss, err := anyStrings(pair)
		if err != nil || len(ss) != 2 {
			return nil, fmt.Errorf("kinds: want [id, kind], got %v", p)
		}
		out[ss[0]] = domain.Kind(ss[1])
	}
	return out, nil
}
