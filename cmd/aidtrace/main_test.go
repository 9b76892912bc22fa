package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

func TestMain(m *testing.M) {
	code := neo4jtest.Main(m)
	stopKillable()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

// running is the real program serving on a free port against the test Neo4j.
type running struct {
	URL    string
	Stderr *syncBuffer
	stop   func() int
}

// MustServe runs `aidtrace serve` with args until the test ends.
func MustServe(t testing.TB, env map[string]string, args ...string) *running {
	t.Helper()
	return MustServeWith(t, env, nil, args...)
}

// MustServeWith is MustServe with a hook that sees the store before serving.
func MustServeWith(t testing.TB, env map[string]string, onStore func(*neo4jstore.Store), args ...string) *running {
	t.Helper()
	neo4jtest.MustStore(t) // a clean database with its schema
	return MustServeShared(t, env, onStore, args...)
}

// MustServeSeeds is MustServeWith on the seed dataset, for tests that only
// read it: the seeds are loaded once and shared by such tests while nothing
// else changes the database (neo4jtest.MustShare); a test that writes
// takes MustServe with --load instead. Go runs a package's tests file by
// file in the order of their names: the tests that share the seeds sit in
// the files that sort first (api*, attack, browser*), so that the seeds
// load once.
func MustServeSeeds(t testing.TB, env map[string]string, onStore func(*neo4jstore.Store), args ...string) *running {
	t.Helper()
	neo4jtest.MustShare(t, "seeds", loadSeeds)
	return MustServeShared(t, env, onStore, args...)
}

// loadSeeds loads seeds/ with the real command.
func loadSeeds(t testing.TB) {
	t.Helper()
	env := dbEnv(t)
	var errOut syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(context.Background(), []string{"load", "../../seeds"}); code != 0 {
		t.Fatalf("load seeds: exit %d:\n%s", code, errOut.String())
	}
}

// MustServeShared is MustServeWith on the database as it is (a second
// server, a replica, beside one that runs).
func MustServeShared(t testing.TB, env map[string]string, onStore func(*neo4jstore.Store), args ...string) *running {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	for k, v := range dbEnv(t) {
		env[k] = v
	}
	if _, ok := env["AIDTRACE_ADDR"]; !ok {
		env["AIDTRACE_ADDR"] = "127.0.0.1:0"
	}
	if _, ok := env["AIDTRACE_RATE_PER_ADDR"]; !ok {
		env["AIDTRACE_RATE_PER_ADDR"] = "0" // tests send bursts from one address
	}
	if _, ok := env["AIDTRACE_VERSION_POLL"]; !ok {
		// Read at start-up only: tests that count round trips see none of
		// the poll's (tests of the poll set their own interval).
		env["AIDTRACE_VERSION_POLL"] = "1h"
	}
	started := make(chan string, 1)
	stderr := &syncBuffer{}
	m := &Main{Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return env[k] },
		Started: func(url string) { started <- url }, OnStore: onStore}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, append([]string{"serve"}, args...)) }()
	r := &running{Stderr: stderr}
	var once sync.Once
	code := -1
	r.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop within 30s")
			}
		})
		return code
	}
	select {
	case r.URL = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d before serving:\n%s", code, stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start:\n%s", stderr)
	}
	t.Cleanup(func() { r.stop() })
	return r
}

// dbEnv is the environment that names the test Neo4j and its credentials.
func dbEnv(t testing.TB) map[string]string {
	t.Helper()
	user, password := neo4jtest.Auth(t)
	return map[string]string{"NEO4J_URI": neo4jtest.URI(t), "NEO4J_USER": user, "NEO4J_PASSWORD": password}
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// post posts a document to url's /graphql and returns the status and the
// body as it came.
func post(t testing.TB, url, query string, vars map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

func postGraphQL(t testing.TB, url, query string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	status, raw := post(t, url, query, vars)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return status, out
}

func TestServeStatsOverHTTP(t *testing.T) {
	r := MustServe(t, nil, "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
	status, resp := postGraphQL(t, r.URL, `{ stats { entities relations sources entitiesByKind { key count } relationsByType { key count } sourcesByGrade { key count } } }`, nil)
	if status != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", status, resp.Errors)
	}
	var got struct {
		Stats struct {
			Entities, Relations, Sources int
			EntitiesByKind               []struct {
				Key   string
				Count int
			}
			SourcesByGrade []struct {
				Key   string
				Count int
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Stats.Entities != 5 || got.Stats.Relations != 4 || got.Stats.Sources != 1 {
		t.Errorf("stats = %+v, want 5 entities, 4 relations, 1 source", got.Stats)
	}
	if len(got.Stats.EntitiesByKind) != 5 || len(got.Stats.SourcesByGrade) != 1 || got.Stats.SourcesByGrade[0].Key != "B" {
		t.Errorf("breakdowns = %+v", got.Stats)
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(r.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	mresp, err := http.Get(r.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metricsText, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, want := range []string{`aidtrace_http_requests_total{method="POST",route="/graphql",status="200"}`,
		`aidtrace_neo4j_query_duration_seconds_count{query="stats"}`, "aidtrace_neo4j_pool_in_use", "go_memstats_heap_inuse_bytes"} {
		if !strings.Contains(string(metricsText), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	hc := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	if code := hc.Run(context.Background(), []string{"healthcheck", "--url", r.URL + "/readyz"}); code != 0 {
		t.Errorf("healthcheck of a ready server: exit %d", code)
	}
	if code := hc.Run(context.Background(), []string{"healthcheck", "--url", "http://127.0.0.1:1/readyz"}); code != 1 {
		t.Errorf("healthcheck of a closed port: exit %d, want 1", code)
	}
	if code := r.stop(); code != 0 {
		t.Errorf("serve exited with %d after cancel:\n%s", code, r.Stderr)
	}
}

func TestReadyzFailsWhenNeo4jIsUnreachable(t *testing.T) {
	// Not the test Neo4j: serve must fail fast and clearly when it cannot
	// reach the configured server.
	env := map[string]string{"NEO4J_URI": "bolt://127.0.0.1:1", "AIDTRACE_ADDR": "127.0.0.1:0"}
	stderr := &syncBuffer{}
	m := &Main{Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if code := m.Run(ctx, []string{"serve", "--connect-timeout", "2s"}); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "did not answer") {
		t.Errorf("stderr does not say the database did not answer:\n%s", stderr)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"defaults", nil, nil, ""},
		{"flag overrides env", map[string]string{"AIDTRACE_ADDR": ":1"}, []string{"--addr", ":2"}, ""},
		{"bad scheme", map[string]string{"NEO4J_URI": "http://x:7474"}, nil, `scheme "http" is not one of`},
		{"bad timeout", map[string]string{"AIDTRACE_QUERY_TIMEOUT": "soon"}, nil, "AIDTRACE_QUERY_TIMEOUT"},
		{"bad level", nil, []string{"--log-level", "loud"}, `log level "loud"`},
		{"bad port", map[string]string{"AIDTRACE_NEO4J_PORT": "70000"}, nil, "out of range"},
		{"bad CORS origin", map[string]string{"AIDTRACE_CORS_ORIGINS": "tool.example.org"}, nil, "AIDTRACE_CORS_ORIGINS"},
		{"CORS origins", map[string]string{"AIDTRACE_CORS_ORIGINS": "https://a.example, http://localhost:5173"}, nil, ""},
		{"bad body timeout", nil, []string{"--body-timeout", "0s"}, "AIDTRACE_BODY_TIMEOUT"},
		{"negative share", map[string]string{"AIDTRACE_MAX_IN_FLIGHT_PER_ADDR": "-1"}, nil, "per address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return tt.env[k] }}
			cfg, _, err := m.parse("serve", tt.args, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				if tt.name == "flag overrides env" && cfg.Addr != ":2" {
					t.Errorf("Addr = %q, want :2", cfg.Addr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigLogHidesSecrets(t *testing.T) {
	c := defaultConfig()
	c.Neo4jURI = "neo4j+s://user:hunter2@db.example:7687"
	c.Neo4jPassword = "hunter2"
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	if strings.Contains(b.String(), "hunter2") {
		t.Errorf("secret in log: %s", b.String())
	}
	if !strings.Contains(b.String(), "db.example") {
		t.Errorf("host missing from log: %s", b.String())
	}
}

func TestValidateCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), []string{"validate", "../../seeds"}); code != 0 {
		t.Fatalf("validate seeds: exit %d\n%s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("stdout %q", out.String())
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("entities:\n  - id: county:x\n    kind: kounty\n    name: X\n    cite: [{source: src:none, quote: q}]\n"), 0o644)
	out.Reset()
	errOut.Reset()
	if code := m.Run(context.Background(), []string{"validate", bad}); code != 1 {
		t.Errorf("validate bad file: exit %d, want 1", code)
	}
	for _, want := range []string{bad + `:3: entities[0] (county:x).kind: unknown kind "kounty"`, bad + `:5: entities[0] (county:x).cite[0].source: unknown source "src:none"`, "2 problem(s)"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}
