package main

import (
	"context"
	"math/rand/v2"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
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
		LibVars: func(v map[string]any) map[string]any { return map[string]any{"t": neo4jstore.LuceneQuery(str(v, "t"))} },
		Raw:     func(ctx context.Context, c *rawClient, v map[string]any) error { return c.search(ctx, str(v, "t")) },
	},
	{
		Name: "chain_up",
		Aidtrace: `query($id: ID!) { responsibilityChain(id: $id, direction: UP, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { chainUp(id: $id, first: 50) { complete nodes { id name } relations { id type fromId toId validFrom validTo confidence } } }`,
		Vars:    func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chains(ctx, str(v, "id"), true, false)
		},
	},
	{
		Name: "chain_up_bydepth", RawOnly: true,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw: func(ctx context.Context, c *rawClient, v map[string]any) error {
			return c.chains(ctx, str(v, "id"), true, true)
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
			return c.chains(ctx, str(v, "id"), false, true)
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
			return c.chains(ctx, str(v, "id"), false, false)
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

// The raw floor runs the store's own statements (neo4jstore's Statement
// builders), so it measures exactly the Cypher aidtrace sends.

func (c *rawClient) run(ctx context.Context, st neo4jstore.Statement) ([]*neo4j.Record, error) {
	return c.read(ctx, st.Cypher, st.Params)
}

func (c *rawClient) entities(ctx context.Context, ids []string) (int, error) {
	recs, err := c.run(ctx, neo4jstore.EntitiesByIDStatement(ids))
	return len(recs), err
}

// relationPages returns the ids of the other ends (for the next level).
func (c *rawClient) relationPages(ctx context.Context, ids []string, dir domain.Direction, types []string) ([]string, error) {
	st, err := neo4jstore.RelationPagesStatement(domain.RelationQuery{IDs: ids, Direction: dir, Types: types}, 50, "")
	if err != nil {
		return nil, err
	}
	recs, err := c.run(ctx, st)
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

func (c *rawClient) search(ctx context.Context, text string) error {
	_, err := c.run(ctx, neo4jstore.SearchStatement(domain.SearchQuery{Text: text, First: 10}, neo4jstore.LuceneQuery(text)))
	return err
}

// chainQuery is the chain the aidtrace document asks for.
func chainQuery(id string, up bool) domain.ChainQuery {
	return domain.ChainQuery{ID: id, Up: up, MaxDepth: 8, First: 50}
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

// chains runs a chain statement, then one batch of the entities the hops
// name (aidtrace's dataloader does the same for upper, lower and end).
// byLength picks the statement's form (the store uses it going down).
func (c *rawClient) chains(ctx context.Context, id string, up, byLength bool) error {
	recs, err := c.run(ctx, neo4jstore.ChainStatement(chainQuery(id, up), byLength))
	if err != nil {
		return err
	}
	_, err = c.entities(ctx, idsOf(recs))
	return err
}

func (c *rawClient) path(ctx context.Context, from, to string) error {
	recs, err := c.run(ctx, neo4jstore.PathStatement(domain.PathQuery{From: from, To: to, Mode: domain.PathShortest, MaxLength: 6, First: 5}))
	if err != nil {
		return err
	}
	_, err = c.entities(ctx, idsOf(recs))
	return err
}

func (c *rawClient) neighborhood(ctx context.Context, id string) error {
	recs, err := c.run(ctx, neo4jstore.NeighborhoodNodesStatement(domain.SubgraphQuery{IDs: []string{id}, Depth: 2, Limit: 500}))
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
	_, err = c.run(ctx, neo4jstore.NeighborhoodEdgesStatement(ids, nil, domain.Time{}))
	return err
}

func neo4jSessionConfig() neo4j.SessionConfig {
	return neo4j.SessionConfig{DatabaseName: database(), AccessMode: neo4j.AccessModeWrite}
}
