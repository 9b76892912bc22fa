package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/memstore"
	"github.com/aidtrace/aidtrace/internal/server"
)

// setups counts the operations gqlgen sets up (parse, validation, limits).
type setups struct{ n atomic.Int64 }

func (*setups) ExtensionName() string                   { return "CountSetups" }
func (*setups) Validate(graphql.ExecutableSchema) error { return nil }
func (s *setups) MutateOperationParameters(context.Context, *graphql.RawParams) *gqlerror.Error {
	s.n.Add(1)
	return nil
}

// viewHandler serves the API on store with validators and the answer cache.
func viewHandler(t testing.TB, store *memstore.Store, vs *server.Versions, cfg server.Config, count *setups) http.Handler {
	t.Helper()
	r := &graph.Resolver{Read: store}
	cfg.Versions, cfg.AnswerCacheBytes, cfg.CacheSalt = vs, 64<<20, "build"
	cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: r}, count}
	return server.New(cfg, generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil },
		slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
}

const viewDoc = `query View($id: ID!) { entity(id: $id) { id name relations(first: 5) { edges { node { type to { id name } } } } } }`

func viewGET(h http.Handler, inm string) *httptest.ResponseRecorder {
	target := "/graphql?" + url.Values{"query": {viewDoc}, "variables": {`{"id":"county:moyu"}`}}.Encode()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestRepeatsSkipTheOperationSetUp: a held validator gets 304, and a
// repeat is served from the cache, without the document being parsed,
// validated and counted again (the request as sent names the answer), by
// GET and by POST alike.
func TestRepeatsSkipTheOperationSetUp(t *testing.T) {
	store := mustSeedStore(t)
	vs := server.NewVersions(store.GraphVersion, time.Hour, nil)
	vs.Poll(context.Background())
	count := &setups{}
	h := viewHandler(t, store, vs, server.Config{}, count)

	first := viewGET(h, "")
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || count.n.Load() != 1 {
		t.Fatalf("first request: %d, ETag %q, %d set-ups: %s", first.Code, etag, count.n.Load(), first.Body)
	}
	if w := viewGET(h, etag); w.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", w.Code)
	}
	if w := viewGET(h, ""); w.Code != 200 || w.Body.String() != first.Body.String() {
		t.Errorf("repeat: %d %s", w.Code, w.Body)
	}
	post := httptest.NewRequest(http.MethodPost, "/graphql",
		strings.NewReader(`{"variables":{"id":"county:moyu"},"query":`+string(must(json.Marshal(viewDoc)))+`}`))
	post.Header.Set("Content-Type", "application/json")
	post.Header.Set("If-None-Match", etag)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post)
	if w.Code != http.StatusNotModified {
		t.Errorf("revalidation by POST: %d, want 304: %s", w.Code, w.Body)
	}
	if n := count.n.Load(); n != 1 {
		t.Errorf("%d operations set up for one answer and three repeats, want 1", n)
	}
}

// TestValidatorsCoverTheLimits: a validator given under one set of limits
// does not stand for the document on a server whose limits refuse it (a
// restart with other settings, another replica): there it is checked and
// refused, not answered 304.
func TestValidatorsCoverTheLimits(t *testing.T) {
	store := mustSeedStore(t)
	vs := server.NewVersions(store.GraphVersion, time.Hour, nil)
	vs.Poll(context.Background())
	etag := viewGET(viewHandler(t, store, vs, server.Config{}, &setups{}), "").Header().Get("ETag")
	if etag == "" {
		t.Fatal("no validator")
	}
	same := viewHandler(t, store, vs, server.Config{}, &setups{})
	if w := viewGET(same, etag); w.Code != http.StatusNotModified {
		t.Fatalf("a server with the same settings: %d, want 304", w.Code)
	}
	for name, cfg := range map[string]server.Config{
		"complexity": {MaxComplexity: 5},
		"depth":      {MaxDepth: 2},
	} {
		w := viewGET(viewHandler(t, store, vs, cfg, &setups{}), etag)
		if w.Code == http.StatusNotModified || !strings.Contains(w.Body.String(), `"errors"`) {
			t.Errorf("a lower %s limit: %d %s, want the document refused", name, w.Code, w.Body)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
