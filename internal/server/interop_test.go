package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/memstore"
	"github.com/aidtrace/aidtrace/internal/server"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// The reconciliation and supplier-check tests run against the in-memory
// store (internal/memstore): they test the HTTP layer's matching and
// answers, not Neo4j, whose search and traversals internal/neo4jstore's
// tests check. The benchmarks measure them on the real Neo4j
// (interop_neo4j_test.go).

// syncBuffer is a log sink the tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// interopServer is a server on a store loaded with the test's files, with
// /reconcile and /supplier-check mounted as cmd/aidtrace mounts them.
type interopServer struct {
	URL   string
	Store readStore
	Log   *syncBuffer
}

// readStore is what the interop servers read: the in-memory store, or the
// test Neo4j for the benchmarks.
type readStore interface {
	domain.ReadService
	Ping(context.Context) error
}

// mustMemStore parses and validates the files (seeds or fixtures) with
// ingest, as a load does, and holds them in a fresh in-memory store.
func mustMemStore(t testing.TB, paths ...string) *memstore.Store {
	t.Helper()
	p, probs := ingest.Check(paths)
	if len(probs) > 0 {
		t.Fatalf("check %v: %v", paths, probs)
	}
	return memstore.New(&p.Dataset).UseSpelling(spelling.Normal, spelling.Variants)
}

// interopStore holds the files of an interop test: the in-memory store in
// the fast tier; the full tier (interop_neo4j_test.go) loads them into the
// test Neo4j instead, so that the candidates come from the store's real
// search there.
var interopStore = func(t testing.TB, paths ...string) readStore { return mustMemStore(t, paths...) }

func mustInteropServer(t testing.TB, cfg server.InteropConfig, paths ...string) *interopServer {
	t.Helper()
	return startInterop(t, interopStore(t, paths...), cfg)
}

func startInterop(t testing.TB, s readStore, cfg server.InteropConfig) *interopServer {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &graph.Resolver{Read: s}
	srv := server.New(server.Config{Addr: "127.0.0.1:0", Extensions: []graphql.HandlerExtension{graph.Loaders{R: r}}},
		generated.NewExecutableSchema(r.Config()), s.Ping, log)
	rh := server.ReconcileHandler(s, cfg, log)
	srv.HandleAPI("/reconcile", rh)
	srv.HandleAPI("/reconcile/", rh)
	srv.HandleAPI("/supplier-check", server.SupplierCheckHandler(s, cfg, log))
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return &interopServer{URL: srv.URL(), Store: s, Log: logs}
}

// call makes a request and decodes a JSON answer into out (when not nil).
func call(t *testing.T, method, u string, body io.Reader, contentType string, out any) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %v\n%s", method, u, resp.StatusCode, err, truncate(string(data), 500))
		}
	}
	return resp
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// errorCode is the extensions.code of a coded error answer.
func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	var out struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) == 0 {
		t.Fatalf("status %d: not a coded error answer", resp.StatusCode)
	}
	return out.Errors[0].Extensions.Code
}

func form(vals ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(vals); i += 2 {
		v.Set(vals[i], vals[i+1])
	}
	return v
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
