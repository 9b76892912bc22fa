package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/memstore"
	"github.com/aidtrace/aidtrace/internal/server"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// BenchmarkAnswers is the server's own work per answer for make bench's
// shapes (their documents, as in bench/cmd/aidbench/shapes.go) on the
// synthetic graph at scale S, in process: no network, and the in-memory
// store instead of Neo4j, so what it measures is the GraphQL layer, the
// JSON and the HTTP handler around them (plus the in-memory store's
// lookups, remembered after the first request, as Neo4j's work is not
// the server's). The answer cache is off, and the
// compression too (no Accept-Encoding). make bench measures the same
// against Neo4j ("own work / Neo4j time"); this one is for profiling and
// for comparing a change before and after:
//
//	go test ./internal/server -run '^$' -bench Answers -benchtime 2s -cpuprofile cpu.prof
func BenchmarkAnswers(b *testing.B) {
	sz, err := synth.ScaleSizes("S")
	if err != nil {
		b.Fatal(err)
	}
	g, err := synth.New(sz, 1)
	if err != nil {
		b.Fatal(err)
	}
	ds := domain.Dataset{Sources: synth.Sources, Entities: g.Entities()}
	if err := g.Relations(func(r domain.Relation) error { ds.Relations = append(ds.Relations, r); return nil }); err != nil {
		b.Fatal(err)
	}
	store := &memo{Store: memstore.New(&ds), answers: map[string]any{}}
	r := &graph.Resolver{Read: store}
	cfg := server.Config{AnswerCacheBytes: -1}
	cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: r}}
	h := server.New(cfg, generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil },
		slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
	for _, c := range []struct{ name, doc, id string }{
		{"entity", `query($id: ID!) { entity(id: $id) { id kind name nameZh
  relations(first: 50) { edges { node { id type fromId toId validFrom validTo confidence } } } } }`, synth.FactoryID(7)},
		{"nested2", `query($id: ID!) { entity(id: $id) { id name
  relations(direction: IN, types: [TRANSFERS_WORKERS_TO], first: 50) { edges { node { id validFrom validTo confidence
    from { id name relations(direction: IN, types: [LICENSES], first: 50) { edges { node { id from { id name } } } } } } } } } }`, synth.FactoryID(7)},
		{"chain_up", `query($id: ID!) { responsibilityChain(id: $id, direction: UP, maxDepth: 8, first: 50) { truncated
  chains { complete end { id name } hops { upper { id name } lower { id name } relation { id type fromId toId validFrom validTo confidence } } } } }`, synth.FactoryID(7)},
		{"neighborhood", `query($id: ID!) { neighborhood(ids: [$id], depth: 2, limit: 500) { truncated nodes { id name kind } edges { id type fromId toId } } }`, synth.CountyID(7)},
	} {
		store.shape = c.name
		b.Run(c.name, func(b *testing.B) {
			vars, _ := json.Marshal(map[string]string{"id": c.id})
			target := "/graphql?" + url.Values{"query": {c.doc}, "variables": {string(vars)}}.Encode()
			first := httptest.NewRecorder()
			h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, target, nil))
			var resp struct {
				Data   map[string]any
				Errors []any
			}
			if err := json.Unmarshal(first.Body.Bytes(), &resp); first.Code != 200 || err != nil || len(resp.Errors) > 0 || resp.Data[firstField(resp.Data)] == nil {
				b.Fatalf("%d: %.300s", first.Code, first.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
				if w.Code != 200 {
					b.Fatalf("%d", w.Code)
				}
			}
			b.ReportMetric(float64(first.Body.Len()), "bytes/answer")
		})
	}
}

func firstField(m map[string]any) string {
	for k := range m {
		return k
	}
	return ""
}

// memo is the in-memory store with its planned reads remembered, so that
// a benchmark's loop measures the server's work and not the fake store's.
type memo struct {
	*memstore.Store
	answers map[string]any
	// shape names the benchmark's document: the same id asked by another
	// document is another answer.
	shape string
}

type planned[T any] struct {
	v T
	f *domain.Fetched
}

func remember[T any](m *memo, key string, read func() (T, *domain.Fetched, error)) (T, *domain.Fetched, error) {
	if a, ok := m.answers[key].(planned[T]); ok {
		return a.v, a.f, nil
	}
	v, f, err := read()
	if err == nil {
		m.answers[key] = planned[T]{v, f}
	}
	return v, f, err
}

func (m *memo) ReadEntity(ctx context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	return remember(m, m.shape+" "+id, func() (*domain.Entity, *domain.Fetched, error) { return m.Store.ReadEntity(ctx, id, want) })
}

func (m *memo) ReadChains(ctx context.Context, q domain.ChainQuery, want domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	return remember(m, fmt.Sprintf("%s %+v", m.shape, q), func() (*domain.ChainResult, *domain.Fetched, error) { return m.Store.ReadChains(ctx, q, want) })
}

func (m *memo) ReadNeighborhood(ctx context.Context, q domain.SubgraphQuery, want domain.ResultPlan) (*domain.Subgraph, *domain.Fetched, error) {
	return remember(m, fmt.Sprintf("%s %+v", m.shape, q), func() (*domain.Subgraph, *domain.Fetched, error) { return m.Store.ReadNeighborhood(ctx, q, want) })
}
