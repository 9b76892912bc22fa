package server_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

func statsOK() (*domain.Stats, error) { return &domain.Stats{Entities: 7}, nil }

func readyOK(context.Context) error { return nil }

// do sends a request and returns the status, headers and decoded answer.
func do(t *testing.T, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip: the test sees what was sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := io.ReadAll(r)
	var out map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, resp.Header, out
}

// goTypeMarkers are how Go's encoding/json names Go types in its errors.
var goTypeMarkers = []string{"Go value", "Go struct", "interface {}", "map[string]", "json:", "RawParams"}

// Point 10 of issue 12: the HTTP details clients expect.
func TestHTTPAsClientsExpect(t *testing.T) {
	base := serve(t, statsOK, readyOK)
	post := func(ctype, body string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return req
	}
	get := func(rawQuery string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, base+"/graphql?"+rawQuery, nil)
		return req
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"GET with variables that are not JSON", get("query=" + url.QueryEscape(`query($id: ID!) { entity(id: $id) { id } }`) + "&variables=%7Bnope"), 400, domain.EBADINPUT},
		{"GET with variables that are a list", get("query=" + url.QueryEscape(`{ stats { entities } }`) + "&variables=%5B1%5D"), 400, domain.EBADINPUT},
		{"GET without a query", get("variables=%7B%7D"), 400, domain.EBADINPUT},
		{"a body without query", post("application/json", `{"variables": {}}`), 400, domain.EBADINPUT},
		{"query a number", post("application/json", `{"query": 42}`), 400, domain.EBADINPUT},
		{"variables a string", post("application/json", `{"query": "{ stats { entities } }", "variables": "x"}`), 400, domain.EBADINPUT},
		{"operationName a list", post("application/json", `{"query": "{ stats { entities } }", "operationName": ["x"]}`), 400, domain.EBADINPUT},
		{"body not JSON", post("application/json", `{"query": `), 400, domain.EBADINPUT},
		{"no content type", post("", `{"query": "{ stats { entities } }"}`), 415, domain.EBADINPUT},
		{"a document over the token cap", post("application/json", `{"query": "{ `+strings.Repeat("stats { entities } ", 1300)+`}"}`), 200, domain.ELIMIT},
		{"a parse error (application/json)", post("application/json", `{"query": "{"}`), 200, domain.EBADINPUT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, out := do(t, tt.req)
			code, msg := firstError(t, out)
			if status != tt.status || code != tt.code {
				t.Errorf("status %d code %s (%q), want %d %s", status, code, msg, tt.status, tt.code)
			}
			for _, m := range goTypeMarkers {
				if strings.Contains(msg, m) {
					t.Errorf("the message names Go types: %q", msg)
				}
			}
			if _, ok := out["data"]; ok {
				t.Errorf("a request that did not execute has a data entry: %v", out)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff")
			}
		})
	}

	t.Run("a chunked body over the cap gets 413", func(t *testing.T) {
		body := `{"query": "{ stats { entities } }", "variables": {"x": "` + strings.Repeat("x", 2<<20) + `"}}`
		req := post("application/json", "")
		req.Body = io.NopCloser(strings.NewReader(body)) // no length: sent chunked
		req.ContentLength = -1
		status, _, out := do(t, req)
		if code, _ := firstError(t, out); status != 413 || code != domain.ELIMIT {
			t.Errorf("status %d code %s, want 413 LIMIT_EXCEEDED", status, code)
		}
	})

	t.Run("a parse error under application/graphql-response+json: 400, no data", func(t *testing.T) {
		req := post("application/json", `{"query": "{"}`)
		req.Header.Set("Accept", "application/graphql-response+json")
		status, h, out := do(t, req)
		if _, ok := out["data"]; status != 400 || ok || !strings.HasPrefix(h.Get("Content-Type"), "application/graphql-response+json") {
			t.Errorf("status %d, content type %q, body %v", status, h.Get("Content-Type"), out)
		}
	})

	t.Run("nosniff on every answer", func(t *testing.T) {
		for _, path := range []string{"/graphql?query=%7Bstats%7Bentities%7D%7D", "/healthz", "/readyz", "/metrics", "/nowhere"} {
			req, _ := http.NewRequest(http.MethodGet, base+path, nil)
			if _, h, _ := do(t, req); h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", path, h.Get("X-Content-Type-Options"))
			}
		}
	})

	t.Run("GraphQL answers are compressed when the client accepts it", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 200 {
			b.WriteString(" s")
			b.WriteString(strings.Repeat("x", i%10))
			b.WriteString(string(rune('a' + i%26)))
			b.WriteString(strings.Repeat("y", i/26))
			b.WriteString(": stats { entities relations sources }")
		}
		b.WriteString(" }")
		body, _ := json.Marshal(map[string]string{"query": b.String()})
		req := post("application/json", string(body))
		req.Header.Set("Accept-Encoding", "gzip")
		status, h, out := do(t, req)
		if status != 200 || h.Get("Content-Encoding") != "gzip" || out["errors"] != nil || !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
			t.Errorf("status %d, Content-Encoding %q, Vary %q, errors %v", status, h.Get("Content-Encoding"), h.Get("Vary"), out["errors"])
		}
	})
}

// fakeKeys knows one key of each role.
type fakeKeys struct{ domain.KeyService }

func (fakeKeys) Authenticate(_ context.Context, token string) (*domain.Principal, error) {
	for _, r := range []domain.Role{domain.RoleReader, domain.RoleEditor, domain.RoleAdmin} {
		if token == "key-"+string(r) {
			return &domain.Principal{KeyID: "00000000000000" + string(r)[:2], Role: r}, nil
		}
	}
	return nil, domain.Errorf(domain.EUNAUTHENTICATED, "unknown API key")
}

// A 401 says how to authenticate; the scheme is case-insensitive; with
// --require-key, /metrics needs a key as the data does.
func TestAuthenticationOverHTTP(t *testing.T) {
	base := serveWith(t, server.Config{Keys: fakeKeys{}, RequireKeyForReads: true}, statsOK, readyOK)
	req := func(path, auth string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}
	stats := "/graphql?query=" + url.QueryEscape("{ stats { entities } }")
	for _, tt := range []struct {
		name, path, auth string
		status           int
		challenge        string
	}{
		{"no key", stats, "", 401, `Bearer realm="aidtrace"`},
		{"unknown key", stats, "Bearer key-nobody", 401, `Bearer realm="aidtrace", error="invalid_token"`},
		{"another scheme", stats, "Basic a2V5", 401, `Bearer realm="aidtrace"`},
		{"Bearer", stats, "Bearer key-reader", 200, ""},
		{"bearer", stats, "bearer key-reader", 200, ""},
		{"BEARER", stats, "BEARER key-reader", 200, ""},
		{"metrics without a key", "/metrics", "", 401, `Bearer realm="aidtrace"`},
		{"metrics with a key", "/metrics", "Bearer key-reader", 200, ""},
		{"health without a key", "/healthz", "", 200, ""},
	} {
		status, h, out := do(t, req(tt.path, tt.auth))
		if status != tt.status || h.Get("WWW-Authenticate") != tt.challenge {
			t.Errorf("%s: status %d, WWW-Authenticate %q; want %d %q (%v)", tt.name, status, h.Get("WWW-Authenticate"), tt.status, tt.challenge, out)
		}
	}
}
