package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/server"
)

// BenchmarkRevalidate is the server's own cost of one published view's
// requests, in process (no network, no database: the in-memory store):
// uncached (the answer computed), cached (from the answer cache) and
// revalidated (If-None-Match: 304). make bench measures the same over HTTP
// against Neo4j (docs/BENCHMARKS.md, "Answers that cache"); this one is
// for profiling the path a 304 takes (go test -bench Revalidate
// -cpuprofile).
func BenchmarkRevalidate(b *testing.B) {
	store := mustSeedStore(b)
	vs := server.NewVersions(store.GraphVersion, time.Hour, nil)
	vs.Poll(context.Background())
	r := &graph.Resolver{Read: store}
	const doc = `query View($id: ID!) { entity(id: $id) { id name kind relations(first: 20) { edges { node { type to { id name } from { id name } } } } } }`
	target := "/graphql?" + url.Values{"query": {doc}, "variables": {`{"id":"county:moyu"}`}}.Encode()
	for _, c := range []struct {
		name      string
		cacheMB   int64
		etag      bool
		wantCode  int
		wantBytes bool
	}{
		{"uncached", -1, false, http.StatusOK, true},
		{"cached", 64, false, http.StatusOK, true},
		{"revalidated", 64, true, http.StatusNotModified, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := server.Config{Versions: vs, AnswerCacheBytes: c.cacheMB << 20}
			cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: r}}
			h := server.New(cfg, generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil },
				slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
			first := httptest.NewRecorder()
			h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, target, nil))
			etag := first.Header().Get("ETag")
			if first.Code != 200 || etag == "" {
				b.Fatalf("first request: %d, ETag %q: %s", first.Code, etag, first.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				if c.etag {
					req.Header.Set("If-None-Match", etag)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != c.wantCode || (w.Body.Len() > 0) != c.wantBytes {
					b.Fatalf("%d with %d bytes", w.Code, w.Body.Len())
				}
			}
		})
	}
}
