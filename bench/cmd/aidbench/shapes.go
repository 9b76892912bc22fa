package main

import (
	"context"
	"math/rand/v2"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// A shape is one kind of request, asked of each target in its own terms:
// a GraphQL document for aidtrace, an equivalent one for the Neo4j GraphQL
// Library, and for the raw floor the best single statement we could write
// by hand for the same answer (raw.go), run through the Go driver.
type shape struct {
	Name     string
	Nested   bool // a nested query (relations of relations): the 2x target
	Aidtrace string
	Library  string
	// Vars draws the variables of one request.
	Vars func(r *rand.Rand, sz synth.Sizes) map[string]any
	// LibVars, when set, turns the variables into the library's (its
	// full-text search takes a Lucene query, not aidtrace's text).
	LibVars func(map[string]any) map[string]any
	// Raw is the hand-written statement of the floor.
	Raw rawStatement
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
		Raw:  rawEntity,
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
		Raw:  rawNested2,
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
		Raw:     rawSearch,
	},
	{
		Name: "chain_up",
		Aidtrace: `query($id: ID!) { responsibilityChain(id: $id, direction: UP, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { chainUp(id: $id, first: 50) { complete nodes { id name } relations { id type fromId toId validFrom validTo confidence } } }`,
		Vars:    func(r *rand.Rand, sz synth.Sizes) map[string]any { return map[string]any{"id": randomFactory(r, sz)} },
		Raw:     rawChain(true),
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
		Raw: rawPath,
	},
	{
		Name:     "neighborhood",
		Aidtrace: `query($id: ID!) { neighborhood(ids: [$id], depth: 2, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`,
		Library:  `query($id: ID!) { neighborhood(id: $id, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"id": synth.CountyID(r.IntN(sz.Counties))}
		},
		Raw: rawNeighborhood,
	},
	{
		Name: "chain_down",
		Aidtrace: `query($id: ID!) { responsibilityChain(id: $id, direction: DOWN, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`,
		Library: `query($id: ID!) { chainDown(id: $id, first: 50) { complete nodes { id name } relations { id type fromId toId validFrom validTo confidence } } }`,
		Vars: func(r *rand.Rand, sz synth.Sizes) map[string]any {
			return map[string]any{"id": synth.ProvinceID(r.IntN(synth.AidingProvinces))}
		},
		Raw: rawChain(false),
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

func (c *rawClient) run(ctx context.Context, st neo4jstore.Statement) ([]*neo4j.Record, error) {
	return c.read(ctx, st.Cypher, st.Params)
}

func neo4jSessionConfig() neo4j.SessionConfig {
	return neo4j.SessionConfig{DatabaseName: database(), AccessMode: neo4j.AccessModeWrite}
}
