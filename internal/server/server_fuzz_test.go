package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// unresolved answers every field with NOT_FOUND before its resolver runs:
// the fuzz target exercises what happens to a request before and around
// the resolvers (transport, parsing, validation, limits, complexity, the
// error presenter), with no database and no service behind them. (The
// server's own extensions may not intercept fields, graph/inline: this one
// stops every root field, so no plain field is ever reached.)
type unresolved struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = unresolved{}

func (unresolved) ExtensionName() string                   { return "Unresolved" }
func (unresolved) Validate(graphql.ExecutableSchema) error { return nil }
func (unresolved) InterceptField(context.Context, graphql.Resolver) (any, error) {
	return nil, domain.Errorf(domain.ENOTFOUND, "not resolved in this test")
}

// fuzzDocs are documents the fuzzer starts from: ordinary queries, and the
// shapes a hostile client sends.
var fuzzDocs = []string{
	`{ stats { entities relations sources } }`,
	`{ entity(id: "county:moyu") { id name relations(first: 5) { edges { node { id from { id } } } } } }`,
	`query Q($id: ID!, $d: PartialDate) { responsibilityChain(id: $id, asOf: $d) { chains { hops { upper { id } } } } }`,
	`{ search(text: "墨玉 moyu*", kinds: [county], first: 50) { entity { id } score match } }`,
	`{ paths(from: "county:moyu", to: "province:beijing", mode: ALL_SIMPLE, maxLength: 8) { length } }`,
	`{ neighborhood(ids: ["a:b"], depth: 3, limit: 2000) { nodes { id } edges { id } } }`,
	`{ node(id: "src:x") { id ... on Source { title claims { edges { cursor } } } } }`,
	`mutation { retractEntity(id: "county:moyu", reason: "x") { id } }`,
	`{ __schema { types { name fields { name type { ofType { ofType { name } } } } } } }`,
	`{ __type(name: "Entity") { ...T } } fragment T on __Type { name fields { type { ...R } } } fragment R on __Type { name ofType { name } }`,
	`query { ...F0 } fragment F0 on Query { ...F1 ...F1 } fragment F1 on Query { ...F2 ...F2 } fragment F2 on Query { stats { entities } }`,
	`query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
	`{ a: stats { entities } a: search(text: "x") { score } }`,
	`{ entity(id: "') MATCH (n) DETACH DELETE n //") { id } }`,
	`{ search(text: "name:foo* AND NOT bar~2 || (x) && y^3") { score } }`,
	`{ entities(first: -2147483648, after: "\u0000") { edges { cursor } } }`,
	`{ search(text: "\uD800") { score } }`,
	`{ ` + strings.Repeat("a", 3000) + ` }`,
	`{ ` + strings.Repeat("stats { ", 200) + strings.Repeat("} ", 200) + `}`,
	`{ entity(id: "a:b") { ` + strings.Repeat(`relations { edges { node { from { `, 4) + `id` + strings.Repeat(` } } } }`, 4) + ` } }`,
	`subscription { stats { entities } }`,
	`query A { stats { entities } } query B { stats { sources } }`,
	`{ stats { entities } } # ` + strings.Repeat("注", 1000),
	"{ stats \xff { entities } }",
	`"""block""" query { stats { entities } }`,
	`{ stats @skip(if: true) { entities } stats @include(if: $x) { sources } }`,
	``,
}

var fuzzVars = []string{``, `null`, `{}`, `{"id": "county:moyu", "d": "2015"}`, `{"id": 5}`, `{"id": ["x"]}`, `{"d": "2010-13"}`,
	`{"id": "\ud800"}`, `{"x": true}`, `[1, 2]`, `"x"`, `{"id": "` + strings.Repeat("z", 5000) + `"}`}

// allowedCodes are the codes a request may earn when no resolver runs.
var allowedCodes = []string{domain.EBADINPUT, domain.ELIMIT, domain.ENOTFOUND}

// FuzzGraphQLRequest posts any document with any variables: the server
// never panics and answers promptly with JSON whose every error has a code
// from allowedCodes and a bounded message.
func FuzzGraphQLRequest(f *testing.F) {
	for i, d := range fuzzDocs {
		f.Add(d, fuzzVars[i%len(fuzzVars)], "")
	}
	// A fragment bomb: 2^40 selections once expanded.
	var bomb strings.Builder
	bomb.WriteString("query { ...F0 }")
	for i := range 40 {
		fmt.Fprintf(&bomb, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	bomb.WriteString(" fragment F40 on Query { __typename }")
	f.Add(bomb.String(), ``, "")
	f.Add(fuzzDocs[0], `{}`, "Q")
	f.Add(fuzzDocs[21], ``, "B")
	f.Add(fuzzDocs[21], ``, strings.Repeat("C", 3000))

	r := &graph.Resolver{}
	s := New(Config{Extensions: []graphql.HandlerExtension{unresolved{}}}, generated.NewExecutableSchema(r.Config()),
		func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := s.http.Handler

	f.Fuzz(func(t *testing.T, query, vars, operation string) {
		var body bytes.Buffer
		q, _ := json.Marshal(query)
		op, _ := json.Marshal(operation)
		if !json.Valid([]byte(vars)) {
			vars = "null"
		}
		fmt.Fprintf(&body, `{"query": %s, "variables": %s, "operationName": %s}`, q, vars, op)
		req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("answered in %s", took)
		}
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
		}
		var out struct {
			Data   json.RawMessage
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, not JSON (%v): %.500s", rec.Code, err, rec.Body)
		}
		for _, e := range out.Errors {
			code, _ := e.Extensions["code"].(string)
			if !slices.Contains(allowedCodes, code) {
				t.Fatalf("code %q, message %q", code, e.Message)
			}
			if len(e.Message) > maxMessageLen+len("…") {
				t.Fatalf("message of %d bytes", len(e.Message))
			}
			for _, m := range []string{"Go value", "Go struct", "interface {}", "map[string]"} {
				if strings.Contains(e.Message, m) {
					t.Fatalf("a message names Go types: %q", e.Message)
				}
			}
		}
		if len(out.Errors) == 0 && rec.Code != http.StatusOK {
			t.Fatalf("status %d without an error: %.500s", rec.Code, rec.Body)
		}
	})
}
