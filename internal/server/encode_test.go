package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/aidtrace/aidtrace/graph"
)

// encodeAnswer writes what json.Marshal writes, byte for byte, whichever
// way it takes: answers keep their bytes (and their validators) as before.
// (Data is compact JSON, as gqlgen's writers write it: json.Marshal would
// also compact data that is not, and refuse data that is not JSON, which
// the executor does not write: graph's TestEveryLeafIsWrittenAsJSON.)
func TestEncodeAnswerIsJSONMarshal(t *testing.T) {
	yes := true
	for name, r := range map[string]*graphql.Response{
		"data":                  {Data: json.RawMessage(`{"entity":{"id":"county:moyu","name":"Moyu","n":[1,2.5,null,true]}}`)},
		"non-ASCII":             {Data: json.RawMessage(`{"name":"墨玉县 — Qaraqash","q":"\"\\\n\u0001"}`)},
		"HTML characters":       {Data: json.RawMessage(`{"note":"a < b && c > d"}`)},
		"line separator":        {Data: json.RawMessage("{\"note\":\"a\u2028b\u2029c\"}")},
		"null data":             {Data: json.RawMessage(`null`)},
		"no data":               {Errors: gqlerror.List{gqlerror.Errorf("no")}},
		"data and errors":       {Data: json.RawMessage(`{"a":null}`), Errors: gqlerror.List{gqlerror.Errorf("no")}},
		"extensions":            {Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		"an incremental answer": {Data: json.RawMessage(`{"a":1}`), Label: "l", HasNext: &yes},
		// what graphql.MarshalString writes for control characters and
		// invalid UTF-8
		"escaped": {Data: json.RawMessage("{\"type\":\"A\\u0007\\u0001\xff\"}")},
	} {
		want, wantErr := json.Marshal(r)
		got, err := encodeAnswer(r)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s (%v)\nwant %s (%v)", name, got, err, want, wantErr)
		}
	}
}

// Data alone takes the short way, and every character json.Marshal would
// escape sends an answer the long way.
func TestEncodeAnswerTakesTheShortWay(t *testing.T) {
	r := &graphql.Response{Data: json.RawMessage(`{"a":"b"}`)}
	if htmlEscaped(r.Data) {
		t.Fatal("plain data counted as escaped")
	}
	got, _ := encodeAnswer(r)
	if string(got) != `{"data":{"a":"b"}}` {
		t.Errorf("%s", got)
	}
	for _, s := range []string{"<", ">", "&", "\u2028", "\u2029"} {
		if !htmlEscaped([]byte(`"` + s + `"`)) {
			t.Errorf("%q not seen", s)
		}
	}
}

// No extension the program serves with intercepts fields: graph/inline
// writes plain fields without the field middleware, which an interceptor
// would silently miss. (The fuzz target's own interceptor stops every root
// field before any object exists, so it misses nothing.)
func TestNoExtensionInterceptsFields(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Introspection = true
	cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: &graph.Resolver{}}} // as cmd/aidtrace serves
	exts := extensions(cfg, newPersistedQueries(1<<20, nil), lru.New[*ast.QueryDocument](10))
	if len(exts) < 6 {
		t.Fatalf("%d extensions", len(exts))
	}
	for _, e := range exts {
		if _, ok := e.(graphql.FieldInterceptor); ok {
			t.Errorf("%T intercepts fields", e)
		}
	}
	if _, ok := any(unresolved{}).(graphql.FieldInterceptor); !ok {
		t.Error("the check cannot see an interceptor")
	}
}
