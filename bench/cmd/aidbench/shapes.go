package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// A shape is one kind of request, asked of each target in its own terms:
// a GraphQL document for aidtrace, an equivalent one for the Neo4j GraphQL
// Library, and for the raw floor the Cypher round trips aidtrace makes for
// that document (the same statements internal/neo4jstore runs, in the same
// order, without GraphQL, HTTP or decoding into domain types).
type shape struct {
	Name   string
	Nested bool // a nested query (relations of relations): the 2x target
	// RawOnly shapes measure a proposed statement through the driver only.
	RawOnly  bool
	Aidtrace string
	Library  string
	// Vars draws the variables of one request.
	Vars func(r *rand.Rand, sz synth.Sizes) map[string]any
	// LibVars, when set, turns the variables into the library's (its
	// full-text search takes a Lucene query, not aidtrace's text).
	LibVars func(map[string]any) map[string]any
	// Raw runs the floor for vars.
	Raw func(ctx context.Context, c *rawClient, vars map[string]any) error
}

func str(v map[string]any, k string) string { s, _ := v[k].(string); return s }

func randomFactory(r *rand.Rand, sz synth.Sizes) string {
	return synth.FactoryID(r.IntN(sz.Factories()))
}

var shapes = []shape{
	{
		Name: "entity", Nested: true,
		Aidtrace: `query($id: ID!) { entity(id: $id) { id kind name nameZh
  relations(first: 50) { edges { node { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { entities(where: {id: {eq: $id}}) { id kind name nameZh
  outLocatedInConnection { edges { properties { id validFrom validTo confidence } node { id } } }
  outSuppliesConnection { edges { properties { id validFrom validTo confidence } node { id } } }
  inTransfersWorkersToConnection { edges { properties { id validFrom validTo confidence } node { id } } } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			if _, err := c.entities(ctx, []string{str(v, "id")}); err != nil {
				return err
			}
			_, err := c.relationPages(ctx, []string{str(v, "id")}, domain.Both, nil)
			return err
		},
	},
	{
		Name: "nested2", Nested: true,
		Aidtrace: `query($id: ID!) { entity(id: $id) { id name
  relations(direction: IN, types: [TRANSFERS_WORKERS_TO], first: 50) { edges { node { id validFrom validTo confidence
    from { id name relations(direction: IN, types: [LICENSES], first: 50) { edges { node { id from { id name } } } } } } } } } }`,
		Library: `query($id: ID!) { entities(where: {id: {eq: $id}}) { id name
  inTransfersWorkersToConnection { edges { properties { id validFrom validTo confidence }
    node { id name inLicensesConnection { edges { properties { id } node { id name } } } } } } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			if _, err := c.entities(ctx, []string{str(v, "id")}); err != nil {
				return err
			}
			firms, err := c.relationPages(ctx, []string{str(v, "id")}, domain.Incoming, []string{"TRANSFERS_WORKERS_TO"})
			if err != nil {
				return err
			}
			if _, err := c.entities(ctx, firms); err != nil {
				return err
			}
			bureaus, err := c.relationPages(ctx, firms, domain.Incoming, []string{"LICENSES"})
			if err != nil {
				return err
			}
			_, err = c.entities(ctx, bureaus)
			return err
		},
	},
	{
		Name:     "search",
		Aidtrace: `query($t: String!) { search(text: $t, first: 10) { score match entity { id name kind } } }`,
		Library:  `query($t: String!) { searchEntities(phrase: $t, first: 10) { edges { score node { id name kind } } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"t": synth.FactoryName(r.IntN(sz.Factories()))}
		},
		// The same Lucene query aidtrace runs: every word must match. The
		// library passes the phrase to Lucene as it is, where words are ORed.
		LibVars: func(v map[string]any) map[string]any { return map[string]any{"t": luceneQuery(str(v, "t"))} },
		Raw:     func(ctx context.Context, c *rawClient, v map[string]any) error { return c.search(ctx, str(v, "t")) },
	},
	{
		Name: "chain_up",
		Aidtrace: `query($id: ID!) { responsibilityChain(id: $id, direction: UP, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { chainUp(id: $id, first: 50) { complete nodes { id name } relations { id type fromId toId validFrom validTo confidence } } }`,
		Vars:    func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chains(ctx, str(v, "id"), true)
		},
	},
	{
		Name: "chain_up_bydepth", RawOnly: true,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chainsByDepth(ctx, str(v, "id"), true)
		},
	},
	{
		Name:     "path",
		Aidtrace: `query($a: ID!, $b: ID!) { paths(from: $a, to: $b, mode: SHORTEST, maxLength: 6) { length nodes { id name } relations { id type fromId toId } } }`,
		Library:  `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length nodes { id name } relations { id type fromId toId } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			a := r.IntN(sz.Factories())
			b := (a + 1 + r.IntN(sz.Factories()-1)) % sz.Factories()
			return map[string]any{"a": synth.FactoryID(a), "b": synth.FactoryID(b)}
		},
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.path(ctx, str(v, "a"), str(v, "b"))
		},
	},
	{
		Name:     "neighborhood",
		Aidtrace: `query($id: ID!) { neighborhood(ids: [$id], depth: 2, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`,
		Library:  `query($id: ID!) { neighborhood(id: $id, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"id": synth.CountyID(r.IntN(sz.Counties))}
		},
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.neighborhood(ctx, str(v, "id"))
		},
	},
	{
		Name: "chain_down",
		Aidtrace: `query($id: ID!) { responsibilityChain(id: $id, direction: DOWN, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { chainDown(id: $id, first: 50) { complete nodes { id name } relations { id type fromId toId validFrom validTo confidence } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"id": synth.ProvinceID(r.IntN(synth.AidingProvinces))}
		},
		// Store.Chains runs the by-length statement downwards.
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chainsByDepth(ctx, str(v, "id"), false)
		},
	},
	{
		// The single {1,8} pattern downwards, as Store.Chains ran it before
		// commit ebfa69e: it enumerates every path before LIMIT.
		Name: "chain_down_onepattern", RawOnly: true,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"id": synth.ProvinceID(r.IntN(synth.AidingProvinces))}
		},
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chains(ctx, str(v, "id"), false)
		},
	},
}

// rawClient runs Cypher the way internal/neo4jstore does: a session per
// statement, a managed read transaction, every record collected.
type rawClient struct {
	drv neo4j.DriverWithContext
	db  string
}

func (c *rawClient) read(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	sess := c.drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: c.db, AccessMode: neo4j.AccessModeRead})
	defer sess.Close(context.Background())
	out, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		return res.Collect(ctx)
	})
	if err != nil {
		return nil, err
	}
	return out.([]*neo4j.Record), nil
}

// The statements below are copies of internal/neo4jstore's (read.go,
// query.go, chains_bydepth.go) with the arguments the benchmark uses; keep
// them in step.

// activeClause is neo4jstore.activeClause; with no asOf it is always true
// but stays in the statement, as in the store.
func activeClause(v string) string {
	return fmt.Sprintf("($asOfStart IS NULL OR ((%[1]s.fromStart IS NULL OR %[1]s.fromStart <= $asOfEnd) AND (%[1]s.toEnd IS NULL OR %[1]s.toEnd >= $asOfStart)))", v)
}

func noAsOf(p map[string]any) map[string]any {
	p["asOfStart"], p["asOfEnd"] = nil, nil
	return p
}

func (c *rawClient) entities(ctx context.Context, ids []string) (int, error) {
	recs, err := c.read(ctx, "UNWIND $ids AS id\nMATCH (n:Entity {id: id})\nRETURN n", map[string]any{"ids": ids})
	return len(recs), err
}

// relationPages returns the ids of the other ends (for the next level).
func (c *rawClient) relationPages(ctx context.Context, ids []string, dir domain.Direction, types []string) ([]string, error) {
	pattern := "(a:Entity {id: id})-[r]-(b:Entity)"
	switch dir {
	case domain.Outgoing:
		pattern = "(a:Entity {id: id})-[r]->(b:Entity)"
	case domain.Incoming:
		pattern = "(a:Entity {id: id})<-[r]-(b:Entity)"
	}
	if types == nil {
		types = []string{}
	}
	recs, err := c.read(ctx, `
UNWIND $ids AS id
CALL (id) {
  MATCH `+pattern+`
  WHERE r.id > $after AND (size($types) = 0 OR type(r) IN $types) AND `+activeClause("r")+`
  RETURN r ORDER BY r.id LIMIT $limit
}
RETURN id AS owner, type(r) AS type, startNode(r).id AS from, endNode(r).id AS to, properties(r) AS props`,
		noAsOf(map[string]any{"ids": ids, "types": types, "after": "", "limit": 51}))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var others []string
	for _, r := range recs {
		owner, _, _ := neo4j.GetRecordValue[string](r, "owner")
		from, _, _ := neo4j.GetRecordValue[string](r, "from")
		to, _, _ := neo4j.GetRecordValue[string](r, "to")
		other := from
		if other == owner {
			other = to
		}
		if !seen[other] {
			seen[other] = true
			others = append(others, other)
		}
	}
	return others, nil
}

// luceneQuery is neo4jstore.luceneQuery.
func luceneQuery(text string) string {
	const special = `+-&|!(){}[]^"~*?:\/`
	var terms []string
	for _, w := range strings.Fields(text) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(w) {
			if strings.ContainsRune(special, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		terms = append(terms, b.String())
		if len(terms) == 16 {
			break
		}
	}
	all := strings.Join(terms, " AND ")
	prefixed := append(append([]string{}, terms[:len(terms)-1]...), terms[len(terms)-1]+"*")
	return "(" + all + ") OR (" + strings.Join(prefixed, " AND ") + ")"
}

func (c *rawClient) search(ctx context.Context, text string) error {
	_, err := c.read(ctx, `
CALL db.index.fulltext.queryNodes($index, $query, {limit: $candidates}) YIELD node, score
WHERE size($kinds) = 0 OR node.kind IN $kinds
WITH node, score, [x IN [node.name, node.nameZh] + coalesce(node.aliases, []) WHERE x IS NOT NULL | toLower(x)] AS names
WITH node, score,
     CASE WHEN $text IN names THEN 2
          WHEN any(x IN names WHERE x STARTS WITH $text) THEN 1
          ELSE 0 END AS tier
RETURN node, score, tier
ORDER BY tier DESC, score DESC, node.id
LIMIT $first`, map[string]any{
		"index": "entity_names", "query": luceneQuery(text), "candidates": 200, "kinds": []string{},
		"text": strings.ToLower(strings.TrimSpace(text)), "first": 10,
	})
	return err
}

// stepTypes is neo4jstore.stepTypes over the whole registry.
func stepTypes(up bool) (viaIn, viaOut []string) {
	viaIn, viaOut = []string{}, []string{}
	for _, t := range domain.RelationTypes() {
		switch {
		case t.Responsibility == domain.FromIsResponsible && up, t.Responsibility == domain.ToIsResponsible && !up:
			viaIn = append(viaIn, t.Name)
		case t.Responsibility == domain.ToIsResponsible && up, t.Responsibility == domain.FromIsResponsible && !up:
			viaOut = append(viaOut, t.Name)
		}
	}
	return viaIn, viaOut
}

func stepClause(r, a string) string {
	return fmt.Sprintf("((type(%[1]s) IN $viaIn AND endNode(%[1]s) = %[2]s) OR (type(%[1]s) IN $viaOut AND startNode(%[1]s) = %[2]s))", r, a)
}

// chainCypher is the statement of neo4jstore.Chains for maxDepth.
func chainCypher(maxDepth int) string {
	return fmt.Sprintf(`
MATCH (root:Entity {id: $id})
MATCH p = (root) ((a)-[r]-(b) WHERE %s AND %s){1,%d} (end)
WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
WITH p, end, NOT EXISTS {
  MATCH (end)-[r2]-(x) WHERE %s AND %s AND NOT x IN nodes(p)
} AS complete
WHERE complete OR length(p) = %d
WITH p, complete ORDER BY length(p)
RETURN [n IN nodes(p) | n.id] AS ids,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels,
       complete
LIMIT $limit`, stepClause("r", "a"), activeClause("r"), maxDepth, stepClause("r2", "end"), activeClause("r2"), maxDepth)
}

// idsOf collects the distinct entity ids of the records' "ids" lists.
func idsOf(recs []*neo4j.Record) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range recs {
		ids, _, _ := neo4j.GetRecordValue[[]any](r, "ids")
		for _, x := range ids {
			if s, ok := x.(string); ok && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// chains is the chain statement, then one batch of the entities the hops
// name (aidtrace's dataloader does the same for upper, lower and end).
func (c *rawClient) chains(ctx context.Context, id string, up bool) error {
	viaIn, viaOut := stepTypes(up)
	recs, err := c.read(ctx, chainCypher(8), noAsOf(map[string]any{"id": id, "viaIn": viaIn, "viaOut": viaOut, "limit": 51}))
	if err != nil {
		return err
	}
	_, err = c.entities(ctx, idsOf(recs))
	return err
}

// chainCypherByDepth is a proposed form of the chain statement with the
// same answer: one UNION ALL branch per length, shortest first, so LIMIT
// stops the search once it has enough chains instead of enumerating every
// path up to maxDepth and sorting them (see docs/BENCHMARKS.md).
func chainCypherByDepth(maxDepth int) string {
	var parts []string
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
}
RETURN [n IN nodes(p) | n.id] AS ids,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels,
       complete
LIMIT $limit`
}

func (c *rawClient) chainsByDepth(ctx context.Context, id string, up bool) error {
	viaIn, viaOut := stepTypes(up)
	recs, err := c.read(ctx, chainCypherByDepth(8), noAsOf(map[string]any{"id": id, "viaIn": viaIn, "viaOut": viaOut, "limit": 51}))
	if err != nil {
		return err
	}
	_, err = c.entities(ctx, idsOf(recs))
	return err
}

const pathCypher = `
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = SHORTEST 1 (a)(()-[r]-() WHERE (size($types) = 0 OR type(r) IN $types) AND ($asOfStart IS NULL OR ((r.fromStart IS NULL OR r.fromStart <= $asOfEnd) AND (r.toEnd IS NULL OR r.toEnd >= $asOfStart)))){1,6}(b)
WITH p ORDER BY length(p) LIMIT $first
RETURN [n IN nodes(p) | n.id] AS ids,
       [x IN relationships(p) | {type: type(x), from: startNode(x).id, to: endNode(x).id, props: properties(x)}] AS rels`

func (c *rawClient) path(ctx context.Context, from, to string) error {
	recs, err := c.read(ctx, pathCypher, noAsOf(map[string]any{"from": from, "to": to, "types": []string{}, "first": 5}))
	if err != nil {
		return err
	}
	_, err = c.entities(ctx, idsOf(recs))
	return err
}

func (c *rawClient) neighborhood(ctx context.Context, id string) error {
	recs, err := c.read(ctx, fmt.Sprintf(`
MATCH (s:Entity) WHERE s.id IN $ids
MATCH (s)-[rs*0..%d]-(n:Entity)
WHERE all(r IN rs WHERE (size($types) = 0 OR type(r) IN $types) AND %s)
  AND (n.id IN $ids OR size($kinds) = 0 OR n.kind IN $kinds)
WITH DISTINCT n
ORDER BY CASE WHEN n.id IN $ids THEN 0 ELSE 1 END, n.id
LIMIT $limit
RETURN n`, 2, activeClause("r")), noAsOf(map[string]any{"ids": []string{id}, "types": []string{}, "kinds": []string{}, "limit": 501}))
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(recs))
	for _, r := range recs[:min(len(recs), 500)] {
		n, _, err := neo4j.GetRecordValue[neo4j.Node](r, "n")
		if err != nil {
			return err
		}
		s, _ := n.Props["id"].(string)
		ids = append(ids, s)
	}
	_, err = c.read(ctx, `
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids AND (size($types) = 0 OR type(r) IN $types) AND `+activeClause("r")+`
RETURN type(r) AS type, a.id AS from, b.id AS to, properties(r) AS props
ORDER BY props.id`, noAsOf(map[string]any{"ids": ids, "types": []string{}}))
	return err
}

func neo4jSessionConfig() neo4j.SessionConfig {
	return neo4j.SessionConfig{DatabaseName: database(), AccessMode: neo4j.AccessModeWrite}
}
