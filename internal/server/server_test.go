package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

// statsOnly answers Stats with whatever the test wants, to drive the error
// paths of the HTTP layer. (The database paths are tested against a real
// Neo4j in cmd/aidtrace and internal/neo4jstore.)
type statsOnly struct {
	domain.ReadService
	stats func() (*domain.Stats, error)
}

func (s statsOnly) Stats(context.Context) (*domain.Stats, error) { return s.stats() }

func serve(t *testing.T, stats func() (*domain.Stats, error), ready func(context.Context) error) string {
	t.Helper()
	return serveWith(t, server.Config{}, stats, ready)
}

func serveWith(t *testing.T, cfg server.Config, stats func() (*domain.Stats, error), ready func(context.Context) error) string {
	t.Helper()
	r := &graph.Resolver{Read: statsOnly{stats: stats}}
	cfg.Addr, cfg.Introspection = "127.0.0.1:0", true
	if cfg.MaxDepth == 0 {
		cfg.MaxDepth = 3
	}
	cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: r}}
	srv := server.New(cfg, generated.NewExecutableSchema(r.Config()), ready, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv.URL()
}

func post(t *testing.T, base, query string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func firstError(t *testing.T, out map[string]any) (code, message string) {
	t.Helper()
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no errors in %v", out)
	}
	e := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	code, _ = ext["code"].(string)
	message, _ = e["message"].(string)
	return code, message
}

func TestErrorsNeverLeakInternals(t *testing.T) {
	tests := []struct {
		name     string
		stats    func() (*domain.Stats, error)
		code     string
		message  string
		mustHide string
	}{
		{"panic", func() (*domain.Stats, error) { panic("secret panic detail at store.go:42") },
			domain.EINTERNAL, "internal error", "secret"},
		{"plain error", func() (*domain.Stats, error) {
			return nil, errors.New("neo4j: Neo.ClientError.Statement.SyntaxError near MATCH (n:Secret)")
		}, domain.EINTERNAL, "internal error", "Secret"},
		{"wrapped app error keeps its code", func() (*domain.Stats, error) {
			return nil, errors.Join(domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable; try again"), errors.New("dial tcp 10.0.0.1:7687"))
		}, domain.EUNAVAILABLE, "the database is unavailable; try again", "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, tt.stats, func(context.Context) error { return nil })
			_, out := post(t, base, `{ stats { entities } }`)
			code, msg := firstError(t, out)
			if code != tt.code || msg != tt.message {
				t.Errorf("code %q message %q, want %q %q", code, msg, tt.code, tt.message)
			}
			raw, _ := json.Marshal(out)
			if strings.Contains(string(raw), tt.mustHide) {
				t.Errorf("response leaks %q: %s", tt.mustHide, raw)
			}
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	down := errors.New("neo4j down")
	ready := down
	base := serve(t, func() (*domain.Stats, error) { return &domain.Stats{}, nil }, func(context.Context) error { return ready })
	get := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/healthz"); got != 200 {
		t.Errorf("/healthz with the database down = %d, want 200", got)
	}
	if got := get("/readyz"); got != 503 {
		t.Errorf("/readyz with the database down = %d, want 503", got)
	}
	ready = nil
	if got := get("/readyz"); got != 200 {
		t.Errorf("/readyz with the database up = %d, want 200", got)
	}
}

func TestDepthLimitCountsFragments(t *testing.T) {
	base := serve(t, func() (*domain.Stats, error) { return &domain.Stats{}, nil }, func(context.Context) error { return nil })
	// Three levels are allowed (MaxDepth 3 above): stats > entitiesByKind > key.
	if status, out := post(t, base, `{ stats { entitiesByKind { key } } }`); status != 200 || out["errors"] != nil {
		t.Fatalf("depth 3 refused: %d %v", status, out)
	}
	q := `query { ...A } fragment A on Query { entity(id: "a:b") { ...B } } fragment B on Entity { relations { edges { node { id } } } }`
	status, out := post(t, base, q)
	code, msg := firstError(t, out)
	if status != 200 || code != domain.ELIMIT || !strings.Contains(msg, "5 fields deep") {
		t.Errorf("depth through fragments: status %d code %s message %q", status, code, msg)
	}
	// Introspection is deep by nature and not counted.
	if status, out := post(t, base, `{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`); status != 200 || out["errors"] != nil {
		t.Errorf("introspection refused by the depth limit: %d %v", status, out)
	}
}

// Past MaxInFlight, requests are shed at once with 503 UNAVAILABLE.
func TestOverloadIsShed(t *testing.T) {
	release := make(chan struct{})
	base := serveWith(t, server.Config{MaxInFlight: 2}, func() (*domain.Stats, error) {
		<-release
		return &domain.Stats{}, nil
	}, func(context.Context) error { return nil })
	type res struct {
		status int
		code   string
	}
	results := make(chan res, 10)
	for i := 0; i < 10; i++ {
		go func() {
			status, out := post(t, base, `{ stats { entities } }`)
			c := ""
			if out["errors"] != nil {
				c, _ = firstError(t, out)
			}
			results <- res{status, c}
		}()
	}
	// Eight of ten cannot get a slot; they are answered without waiting.
	shed := 0
	for i := 0; i < 8; i++ {
		r := <-results
		if r.status != 503 || r.code != domain.EUNAVAILABLE {
			t.Errorf("while full: status %d code %q, want 503 UNAVAILABLE", r.status, r.code)
		}
		shed++
	}
	close(release)
	for i := 0; i < 2; i++ {
		if r := <-results; r.status != 200 {
			t.Errorf("admitted request: status %d", r.status)
		}
	}
	if shed != 8 {
		t.Errorf("%d shed", shed)
	}
}
