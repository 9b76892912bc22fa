// Package inproc benchmarks aidtrace's GraphQL layer in one process, on a
// ReadService that answers from memory: what aidtrace adds on top of the
// database for each request shape (planning, resolvers, JSON), with no
// Neo4j and no network. Run: cd bench && go test -run '^$' -bench . -count 6 ./inproc
package inproc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// memory answers the reads the benchmarked documents make, from a synthetic
// dataset held in memory. Other methods are not used (the embedded nil
// interface would panic).
type memory struct {
	domain.ReadService
	entities map[string]*domain.Entity
	rels     map[string][]domain.Relation // by entity id, both directions
	chain    *domain.ChainResult
	hood     *domain.Subgraph
}

func newMemory(tb testing.TB) *memory {
	tb.Helper()
	sz, _ := synth.ScaleSizes("XS")
	d, err := synth.Generate(sz, 1)
	if err != nil {
		tb.Fatal(err)
	}
	m := &memory{entities: map[string]*domain.Entity{}, rels: map[string][]domain.Relation{}}
	for i := range d.Entities {
		m.entities[d.Entities[i].ID] = &d.Entities[i]
	}
	for _, r := range d.Relations {
		m.rels[r.From] = append(m.rels[r.From], r)
		m.rels[r.To] = append(m.rels[r.To], r)
	}
	// 50 chains of 8 hops: the largest answer chain_up gives at scale M.
	res := &domain.ChainResult{Root: synth.FactoryID(0), Truncated: true}
	rel := d.Relations[len(d.Relations)-1]
	ids := []string{synth.FactoryID(0), synth.FirmID(0), synth.BureauID(0), synth.CountyID(0), synth.ProvinceID(0), synth.DepartmentID, synth.GroupID, synth.StateID, synth.PartyID}
	for range 50 {
		c := domain.Chain{End: synth.PartyID, Complete: true}
		for h := 0; h < 8; h++ {
			c.Hops = append(c.Hops, domain.Hop{Relation: rel, Lower: ids[h], Upper: ids[h+1]})
		}
		res.Chains = append(res.Chains, c)
	}
	m.chain = res
	// A neighbourhood of 500 entities and the relations among them (the
	// neighborhood shape's answer at M: 500 entities, about 1,000 edges).
	g := &domain.Subgraph{}
	in := map[string]bool{}
	for i := range d.Entities {
		if len(g.Entities) == 500 {
			break
		}
		g.Entities = append(g.Entities, d.Entities[i])
		in[d.Entities[i].ID] = true
	}
	for _, r := range d.Relations {
		if in[r.From] && in[r.To] {
			g.Relations = append(g.Relations, r)
		}
	}
	m.hood = g
	return m
}

// ReadNeighborhood answers the prepared neighbourhood.
func (m *memory) ReadNeighborhood(context.Context, domain.SubgraphQuery, domain.ResultPlan) (*domain.Subgraph, *domain.Fetched, error) {
	return m.hood, domain.NewFetched(), nil
}

// ReadEntity answers the entity and the pages of relations its plan asks
// for (the entity document plans one page, no ends).
func (m *memory) ReadEntity(_ context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	e, ok := m.entities[id]
	if !ok {
		return nil, nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	got := domain.NewFetched()
	got.Entities[id] = e
	for _, p := range want.Relations {
		rs := m.rels[id]
		n := p.Args.First
		got.Relations[domain.RelationsKey{Entity: id, RelationsArgs: p.Args}] = domain.RelationPage{Relations: rs[:min(n, len(rs))], HasNext: len(rs) > n}
	}
	return e, got, nil
}

// ReadChains answers the prepared chains and every entity they name.
func (m *memory) ReadChains(context.Context, domain.ChainQuery, domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	got := domain.NewFetched()
	for _, c := range m.chain.Chains {
		for _, h := range c.Hops {
			got.Entities[h.Upper], got.Entities[h.Lower] = m.entities[h.Upper], m.entities[h.Lower]
		}
	}
	got.Entities[m.chain.Root] = m.entities[m.chain.Root]
	return m.chain, got, nil
}

// newHandler is the API's handler as internal/server serves it (the HTTP
// layer, the GraphQL transport, the resolvers, the per-request dataloaders,
// JSON), with the answer cache off and no compression asked for.
func newHandler(tb testing.TB, wait time.Duration) http.Handler {
	r := &graph.Resolver{Read: newMemory(tb), BatchWait: wait}
	cfg := server.Config{AnswerCacheBytes: -1, Extensions: []graphql.HandlerExtension{graph.Loaders{R: r}}}
	return server.New(cfg, generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil },
		slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
}

func benchmarkDoc(b *testing.B, wait time.Duration, doc, vars string) {
	h := newHandler(b, wait)
	body := fmt.Sprintf(`{"query":%q,"variables":%s}`, doc, vars)
	run := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := run(); w.Code != 200 || strings.Contains(w.Body.String(), `"errors"`) {
		b.Fatalf("%d %s", w.Code, w.Body.String())
	}
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}

const entityDoc = `query($id: ID!) { entity(id: $id) { id kind name nameZh
  relations(first: 50) { edges { node { id type fromId toId validFrom validTo confidence } } } } }`

const chainDoc = `query($id: ID!) { responsibilityChain(id: $id, direction: UP, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`

// Each root field reads its answer in one planned read (graph/plan.go), so
// the dataloaders' batch window does not enter these documents.
func BenchmarkEntity(b *testing.B) {
	benchmarkDoc(b, 0, entityDoc, fmt.Sprintf(`{"id":%q}`, synth.FactoryID(0)))
}

const hoodDoc = `query($id: ID!) { neighborhood(ids: [$id], depth: 2, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`

func BenchmarkNeighborhood500(b *testing.B) {
	benchmarkDoc(b, 0, hoodDoc, fmt.Sprintf(`{"id":%q}`, synth.CountyID(0)))
}

func BenchmarkChain50x8(b *testing.B) {
	benchmarkDoc(b, 0, chainDoc, fmt.Sprintf(`{"id":%q}`, synth.FactoryID(0)))
}
