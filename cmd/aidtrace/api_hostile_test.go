package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// hostile is one request a hostile or careless client might send, and what
// the server may answer.
type hostile struct {
	name   string
	method string // default POST
	path   string // default /graphql; may carry a query string
	ctype  string // default application/json
	header map[string]string
	body   []byte
	// codes are the error codes the answer may carry. A refusal is an
	// answer with errors (status 200 or 4xx), or a bare 4xx when transport
	// is set (the request never reached GraphQL).
	codes     []string
	transport bool
	// status, when set, is the only acceptable HTTP status.
	status int
	// harmless, when set, also allows a 200 with data and no error, and
	// checks that the data is what a harmless query gives.
	harmless func(t *testing.T, data json.RawMessage)
}

const (
	badInput = "BAD_USER_INPUT"
	limit    = "LIMIT_EXCEEDED"
	notFound = "NOT_FOUND"
	unauth   = "UNAUTHENTICATED"
	// maxMessageLen bounds an error message: input is echoed truncated.
	maxMessageLen = 2048
	// maxAnswerTime bounds how long any hostile request may take.
	maxAnswerTime = 10 * time.Second
)

func gqlBody(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

// noHits checks a search answered an empty list.
func noHits(t *testing.T, data json.RawMessage) {
	t.Helper()
	var out struct{ Search []any }
	if err := json.Unmarshal(data, &out); err != nil || out.Search == nil || len(out.Search) != 0 {
		t.Errorf("want no hits, got %s (%v)", data, err)
	}
}

// someHits checks a search answered a list of at most max hits.
func someHits(max int) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		t.Helper()
		var out struct{ Search []any }
		if err := json.Unmarshal(data, &out); err != nil || out.Search == nil || len(out.Search) > max {
			t.Errorf("want a list of at most %d hits, got %.300s (%v)", max, data, err)
		}
	}
}

// noEntities checks an entities listing answered an empty page.
func noEntities(t *testing.T, data json.RawMessage) {
	t.Helper()
	var out struct{ Entities struct{ Edges []any } }
	if err := json.Unmarshal(data, &out); err != nil || out.Entities.Edges == nil || len(out.Entities.Edges) != 0 {
		t.Errorf("want no entities, got %.300s (%v)", data, err)
	}
}

// pageOf checks an entities listing answered a page of at most n.
func pageOf(n int) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		t.Helper()
		var out struct{ Entities struct{ Edges []any } }
		if err := json.Unmarshal(data, &out); err != nil || out.Entities.Edges == nil || len(out.Entities.Edges) > n {
			t.Errorf("want a page of at most %d entities, got %.300s (%v)", n, data, err)
		}
	}
}

// leakMarkers never appear in an error message: they are Neo4j, Cypher,
// Go or Java internals. (No hostile input below contains them, so an echo
// of the input cannot trip them.)
var leakMarkers = []string{"neo4j", "neo.", "cypher", "goroutine", ".go:", "/work/", "/usr/", "runtime error",
	"panic", "org.", "exception", "bolt", "stack", "internal error", "syntaxerror", "nil pointer"}

// TestHostileInputs sends hostile strings and shapes to the real server on
// the seed dataset: Cypher and Lucene syntax, huge inputs, deep nesting,
// alias flooding, fragment bombs, invalid UTF-8, NUL bytes, very long ids.
// Each is refused with BAD_USER_INPUT or LIMIT_EXCEEDED (or a 4xx before
// GraphQL), or is answered harmlessly; none leaks internals, none takes
// long, and afterwards the data, its indexes and constraints are exactly
// as before.
func TestHostileInputs(t *testing.T) {
	// Rate limits are not under test here: hundreds of requests go out.
	r := MustServeSeeds(t, map[string]string{"AIDTRACE_RATE_PER_ADDR": "0"}, nil)
	editor := map[string]string{"Authorization": "Bearer " + hostileKey(t)}
	before, beforeStats := dataChecksum(t), apiStats(t, r.URL)

	const cypher = `') MATCH (n) DETACH DELETE n //`
	const cypher2 = `"}) MATCH (n) SET n.name = 'x' RETURN n //`
	const lucene = `name:foo* AND NOT bar~2 || (x) && y^3 "z" [a TO b] {c TO d} /re/ \`
	mib := strings.Repeat("a", 1<<20)
	big := strings.Repeat("a", 900_000) // under the 1 MiB body cap
	bigZh := strings.Repeat("墨", 300_000)
	tooLongID := "county:" + strings.Repeat("a", 194) // 201 bytes: the right shape, one too long
	manyIDs := make([]string, 10_000)
	manyKinds := make([]string, 10_000)
	manyTypes := make([]string, 10_000)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprintf("county:c%d", i)
		manyKinds[i] = "county"
		manyTypes[i] = "PAIRED_WITH"
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	// Documents built to size.
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		b.WriteString(" }")
		return b.String()
	}
	nested := func(n int) string { // entity > relations > edges > node > from > relations ...
		return `{ entity(id: "county:moyu") { ` + strings.Repeat(`relations { edges { node { from { `, n) + `id` + strings.Repeat(` } } } }`, n) + ` } }`
	}
	fragmentChain := func(n int) string { // each fragment one level deeper than the last
		var b strings.Builder
		b.WriteString(`{ entity(id: "county:moyu") { ...F0 } }`)
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Entity { relations { edges { node { from { ...F%d } } } } }", i, i+1)
		}
		fmt.Fprintf(&b, " fragment F%d on Entity { id }", n)
		return b.String()
	}
	fragmentBomb := func(n int, leaf string) string { // F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^n leaves
		var b strings.Builder
		b.WriteString("query { ...F0 }")
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
		}
		fmt.Fprintf(&b, " fragment F%d on Query { %s }", n, leaf)
		return b.String()
	}
	conflicting := func(n int) string { // the same alias for different fields
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, ` a%d: entity(id: "county:moyu") { id } a%d: entity(id: "county:hotan") { id }`, i, i)
		}
		b.WriteString(" }")
		return b.String()
	}
	// 150 of the costliest neighbourhoods: far over the complexity limit.
	hoods := strings.TrimPrefix(aliases(150, `neighborhood(ids: ["county:moyu"], depth: 3, limit: 2000) { truncated }`), "{")
	deepList := strings.Repeat("[", 20_000) + `"county:moyu"` + strings.Repeat("]", 20_000)

	cases := []hostile{
		// Cypher syntax wherever a string goes in.
		{name: "cypher as entity id", body: gqlBody(`query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": cypher}), codes: []string{badInput}},
		{name: "cypher in an entity id literal", body: gqlBody(`{ entity(id: "county:x\") MATCH (n) DETACH DELETE n //") { id } }`, nil), codes: []string{badInput}},
		{name: "cypher as node id", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": cypher}), codes: []string{badInput}},
		{name: "cypher as source node id", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "src:x' }) DETACH DELETE n //"}), codes: []string{badInput}},
		{name: "cypher as relation node id", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "rel:x'}]->() DETACH DELETE r //"}), codes: []string{badInput}},
		{name: "cypher as source id", body: gqlBody(`query($id: ID!) { source(id: $id) { id } }`, map[string]any{"id": "src:x' OR 1=1 //"}), codes: []string{badInput}},
		{name: "parameter syntax as id", body: gqlBody(`{ entity(id: "$id") { id } }`, nil), codes: []string{badInput}},
		{name: "parameter syntax in an id", body: gqlBody(`{ entity(id: "county:$param") { id } }`, nil), codes: []string{badInput}},
		{name: "backticks in an id", body: gqlBody("{ entity(id: \"county:`x` DETACH DELETE n\") { id } }", nil), codes: []string{badInput}},
		{name: "backticks as a relation type", body: gqlBody(`query($t: [RelationType!]) { entity(id: "county:moyu") { relations(types: $t) { edges { node { id } } } } }`,
			map[string]any{"t": []string{"PAIRED_WITH`]-() DETACH DELETE n //"}}), codes: []string{badInput}},
		{name: "cypher as a kind", body: gqlBody(`query($k: [EntityKind!]) { search(text: "moyu", kinds: $k) { entity { id } } }`,
			map[string]any{"k": []string{"county`) DETACH DELETE n //"}}), codes: []string{badInput}},
		{name: "cypher as chain root", body: gqlBody(`query($id: ID!) { responsibilityChain(id: $id) { truncated } }`, map[string]any{"id": cypher}), codes: []string{badInput}},
		{name: "cypher as path end", body: gqlBody(`query($id: ID!) { paths(from: "county:moyu", to: $id) { length } }`, map[string]any{"id": cypher2}), codes: []string{badInput}},
		{name: "cypher in neighbourhood ids", body: gqlBody(`query($ids: [ID!]!) { neighborhood(ids: $ids) { truncated } }`, map[string]any{"ids": []string{"county:moyu", cypher}}), codes: []string{badInput}},
		{name: "cypher as search text finds nothing", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": cypher}), harmless: noHits},
		{name: "cypher as search text 2 finds nothing", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": cypher2}), harmless: noHits},
		{name: "index procedure as search text finds nothing", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`,
			map[string]any{"q": `'; CALL db.index.fulltext.drop('entity_text') //`}), harmless: noHits},
		{name: "cypher as filter text finds nothing", body: gqlBody(`query($q: String) { entities(filter: {text: $q}) { edges { node { id } } } }`, map[string]any{"q": cypher}), harmless: noEntities},
		{name: "cypher as a cursor pages harmlessly", body: gqlBody(`query($a: String) { entities(after: $a) { edges { node { id } } } }`, map[string]any{"a": b64(cypher)}), harmless: pageOf(20)},
		{name: "cypher as a cursor of sources", body: gqlBody(`query($a: String) { sources(after: $a) { edges { node { id } } } }`, map[string]any{"a": b64(cypher)}),
			harmless: func(*testing.T, json.RawMessage) {}},

		// Lucene syntax in search text is matched literally.
		{name: "lucene syntax", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": lucene}), harmless: noHits},
		{name: "lucene match-all", body: gqlBody(`{ search(text: "*:*") { entity { id } } }`, nil), harmless: noHits},
		{name: "lucene wildcard alone", body: gqlBody(`{ search(text: "*") { entity { id } } }`, nil), harmless: noHits},
		{name: "lucene wildcards", body: gqlBody(`{ search(text: "a* OR b* OR c*", first: 50) { entity { id } } }`, nil), harmless: someHits(50)},
		{name: "lucene operators only", body: gqlBody(`{ search(text: "AND OR NOT && || TO") { entity { id } } }`, nil), harmless: someHits(10)},
		{name: "lucene field query", body: gqlBody(`{ search(text: "id:county\\:moyu kind:county") { entity { id } } }`, nil), harmless: someHits(10)},
		{name: "lucene fuzzy and boost", body: gqlBody(`{ search(text: "moyu~2^10") { entity { id } } }`, nil), harmless: someHits(10)},
		{name: "lucene regex", body: gqlBody(`{ search(text: "/.*/") { entity { id } } }`, nil), harmless: noHits},
		{name: "lucene unbalanced", body: gqlBody(`{ search(text: "((((moyu \"") { entity { id } } }`, nil), harmless: someHits(10)},
		{name: "lucene escapes", body: gqlBody(`{ search(text: "\\ \\\\ moyu\\") { entity { id } } }`, nil), harmless: someHits(10)},
		{name: "lucene in filter text", body: gqlBody(`query($q: String) { entities(filter: {text: $q}) { edges { node { id } } } }`, map[string]any{"q": lucene}), harmless: noEntities},
		{name: "search of 201 characters", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": strings.Repeat("墨", 201)}), codes: []string{limit}},
		{name: "search of 200 characters", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": strings.Repeat("墨 ", 100)}), harmless: someHits(10)},
		{name: "search of spaces", body: gqlBody(`{ search(text: " \t\n\u3000 ") { entity { id } } }`, nil), codes: []string{badInput}},
		{name: "search first too large", body: gqlBody(`{ search(text: "moyu", first: 2147483647) { entity { id } } }`, nil), codes: []string{limit}},
		{name: "search first negative", body: gqlBody(`{ search(text: "moyu", first: -1) { entity { id } } }`, nil), codes: []string{badInput}},
		{name: "search first overflows Int", body: gqlBody(`{ search(text: "moyu", first: 99999999999999999999) { entity { id } } }`, nil), codes: []string{badInput}},

		// Huge inputs.
		{name: "1 MiB string over the body cap", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": mib}), codes: []string{limit}, transport: true},
		{name: "900 KB entity id", body: gqlBody(`query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": "county:" + big}), codes: []string{badInput}},
		{name: "900 KB Chinese entity id", body: gqlBody(`query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": bigZh}), codes: []string{badInput}},
		{name: "900 KB source node id", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "src:" + big}), codes: []string{badInput}},
		{name: "900 KB relation node id", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "rel:" + big}), codes: []string{badInput}},
		{name: "900 KB source id", body: gqlBody(`query($id: ID!) { source(id: $id) { id } }`, map[string]any{"id": "src:" + big}), codes: []string{badInput}},
		{name: "900 KB date", body: gqlBody(`query($d: PartialDate) { entities(filter: {asOf: $d}) { edges { cursor } } }`, map[string]any{"d": "2010" + big}), codes: []string{badInput}},
		{name: "900 KB date literal", body: gqlBody(`{ entities(filter: {asOf: "`+big+`"}) { edges { cursor } } }`, nil), codes: []string{badInput}},
		{name: "900 KB search text", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": big}), codes: []string{limit}},
		{name: "900 KB filter text", body: gqlBody(`query($q: String) { entities(filter: {text: $q}) { edges { cursor } } }`, map[string]any{"q": bigZh}), codes: []string{limit}},
		{name: "900 KB cursor", body: gqlBody(`query($a: String) { entities(after: $a) { edges { cursor } } }`, map[string]any{"a": big}), codes: []string{badInput}, harmless: pageOf(20)},
		{name: "900 KB field name", body: gqlBody(`{ `+big+` }`, nil), codes: []string{badInput}},
		{name: "900 KB argument name", body: gqlBody(`{ stats(`+big+`: 1) { entities } }`, nil), codes: []string{badInput}},
		{name: "900 KB comment", body: gqlBody("# "+big+"\n{ stats { entities } }", nil), harmless: func(t *testing.T, data json.RawMessage) {
			var out struct{ Stats struct{ Entities int } }
			if json.Unmarshal(data, &out); out.Stats.Entities != beforeStats.Entities {
				t.Errorf("stats under a comment: %s", data)
			}
		}},
		{name: "900 KB operation name", body: []byte(`{"query": "query Q { stats { entities } }", "operationName": "` + big + `"}`), codes: []string{badInput}, transport: true},
		{name: "10k ids", body: gqlBody(`query($ids: [ID!]!) { neighborhood(ids: $ids) { truncated } }`, map[string]any{"ids": manyIDs}), codes: []string{limit}},
		{name: "10k kinds", body: gqlBody(`query($k: [EntityKind!]) { search(text: "moyu", kinds: $k) { entity { id kind } } }`, map[string]any{"k": manyKinds}),
			codes: []string{limit, badInput}, harmless: someHits(10)},
		{name: "10k relation types", body: gqlBody(`query($t: [RelationType!]) { entity(id: "county:moyu") { relations(types: $t) { edges { node { type } } } } }`, map[string]any{"t": manyTypes}),
			codes: []string{limit, badInput}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "10k ids in the document", body: gqlBody(`{ neighborhood(ids: ["`+strings.Join(manyIDs, `", "`)+`"]) { truncated } }`, nil), codes: []string{badInput, limit}},
		{name: "20k nested lists in variables", body: []byte(`{"query": "query($ids: [ID!]!) { neighborhood(ids: $ids) { truncated } }", "variables": {"ids": ` + deepList + `}}`),
			codes: []string{badInput}, transport: true},

		// Deep nesting.
		{name: "nested 13 levels", body: gqlBody(nested(4), nil), codes: []string{limit}},
		{name: "nested 400 levels", body: gqlBody(nested(100), nil), codes: []string{limit, badInput}},
		{name: "nested 2000 levels of one field", body: gqlBody("{ "+strings.Repeat("stats { ", 2000)+"entities"+strings.Repeat(" }", 2000)+" }", nil), codes: []string{badInput, limit}},
		{name: "nested through fragments", body: gqlBody(fragmentChain(50), nil), codes: []string{limit}},
		{name: "nested introspection", body: gqlBody("{ __schema { types { "+strings.Repeat("ofType { ", 1000)+"name"+strings.Repeat(" }", 1000)+" } } }", nil),
			codes: []string{badInput, limit}, harmless: func(*testing.T, json.RawMessage) {}},

		// Alias flooding.
		{name: "10k aliases of stats", body: gqlBody(aliases(10_000, "stats { entities }"), nil), codes: []string{badInput, limit}},
		{name: "10k aliases of search", body: gqlBody(aliases(10_000, `search(text: "moyu", first: 50) { entity { id } }`), nil), codes: []string{badInput, limit}},
		{name: "10k aliases of __typename", body: gqlBody(aliases(10_000, "__typename"), nil), codes: []string{badInput, limit}},
		{name: "250 aliases of search", body: gqlBody(aliases(250, `search(text: "moyu", first: 50) { entity { id } }`), nil), codes: []string{limit}},
		{name: "250 aliases of a neighbourhood", body: gqlBody(aliases(250, `neighborhood(ids: ["county:moyu"], depth: 3, limit: 2000) { truncated }`), nil), codes: []string{limit}},
		// Under the token limit, cheap root fields may be repeated: each
		// costs 2 of the complexity budget (see the report on issue 6).
		{name: "800 aliases of stats", body: gqlBody(aliases(800, `stats { entities }`), nil), codes: []string{limit}, harmless: func(t *testing.T, data json.RawMessage) {
			var out map[string]struct{ Entities int }
			if json.Unmarshal(data, &out); len(out) != 800 || out["a799"].Entities != beforeStats.Entities {
				t.Errorf("800 aliases of stats: %d answers, a799 = %+v", len(out), out["a799"])
			}
		}},
		{name: "350 aliases of search", body: gqlBody(aliases(350, `search(text: "moyu") { entity { id } }`), nil), codes: []string{limit}, harmless: func(t *testing.T, data json.RawMessage) {
			var out map[string][]struct{ Entity struct{ ID string } }
			if json.Unmarshal(data, &out); len(out) != 350 || len(out["a349"]) == 0 || out["a349"][0].Entity.ID != "county:moyu" {
				t.Errorf("350 aliases of search: %d answers, a349 = %+v", len(out), out["a349"])
			}
		}},
		// One ALL_SIMPLE search of 8 hops takes seconds of database time.
		{name: "10 aliases of all simple paths", body: gqlBody(aliases(10, `paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: ALL_SIMPLE, maxLength: 8) { length }`), nil),
			codes: []string{limit}},
		{name: "200 aliases of all simple paths", body: gqlBody(aliases(200, `paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: ALL_SIMPLE, maxLength: 8) { length }`), nil),
			codes: []string{limit}},
		{name: "250 aliases of chains", body: gqlBody(aliases(250, `responsibilityChain(id: "county:moyu", maxDepth: 12, first: 200) { truncated }`), nil),
			codes: []string{limit}, harmless: func(*testing.T, json.RawMessage) {}},

		// A negative size must not buy room for other fields under the
		// complexity limit.
		{name: "negative search size", body: gqlBody(`{ neg: search(text: "moyu", first: -2000000000) { entity { id } } `+hoods, nil), codes: []string{limit}},
		{name: "negative page size", body: gqlBody(`{ neg: entities(first: -2000000000) { edges { node { id } } } `+hoods, nil), codes: []string{limit}},
		{name: "negative sources size", body: gqlBody(`{ neg: sources(first: -2000000000) { edges { node { id } } } `+hoods, nil), codes: []string{limit}},
		{name: "negative relations size", body: gqlBody(`{ neg: entity(id: "county:moyu") { relations(first: -2000000000) { edges { node { id } } } } `+hoods, nil), codes: []string{limit}},
		{name: "negative claims size", body: gqlBody(`{ neg: source(id: "src:ndrc-rrd") { claims(first: -2000000000) { edges { cursor } } } `+hoods, nil), codes: []string{limit}},
		{name: "negative chain size", body: gqlBody(`{ neg: responsibilityChain(id: "county:moyu", first: -2000000000, maxDepth: 2) { truncated } `+hoods, nil), codes: []string{limit}},
		{name: "negative path length", body: gqlBody(`{ neg: paths(from: "county:moyu", to: "party_body:ccp-central-committee", maxLength: -2000000000) { length } `+hoods, nil), codes: []string{limit}},
		{name: "negative neighbourhood limit", body: gqlBody(`{ neg: neighborhood(ids: ["county:moyu"], limit: -2000000000) { truncated } `+hoods, nil), codes: []string{limit}},

		// Fragment bombs.
		{name: "fragment bomb of 2^40 spreads", body: gqlBody(fragmentBomb(40, "stats { entities }"), nil), codes: []string{badInput, limit}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "fragment bomb of 2^40 searches", body: gqlBody(fragmentBomb(40, `search(text: "moyu") { entity { id } }`), nil), codes: []string{badInput, limit}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "fragment cycle", body: gqlBody(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, nil), codes: []string{badInput}},
		{name: "fragment on itself", body: gqlBody(`{ ...A } fragment A on Query { stats { entities } ...A }`, nil), codes: []string{badInput}},
		{name: "100 conflicting aliases", body: gqlBody(conflicting(100), nil), codes: []string{badInput}},
		// Over the token cap: refused as a limit, before parsing it all.
		{name: "250 conflicting aliases", body: gqlBody(conflicting(250), nil), codes: []string{limit}},
		// Under the token cap, but quadratic to validate: refused before validation.
		{name: "4990 copies of __typename", body: gqlBody("{ "+strings.Repeat("__typename ", 4990)+"}", nil), codes: []string{limit}},

		// Invalid UTF-8 and NUL bytes.
		{name: "invalid UTF-8 in the JSON query", body: []byte("{\"query\": \"{ search(text: \\\"\xff\xfe moyu\\\") { entity { id } } }\"}"), codes: []string{badInput}, harmless: someHits(10)},
		{name: "invalid UTF-8 in JSON variables", body: []byte("{\"query\": \"query($id: ID!) { entity(id: $id) { id } }\", \"variables\": {\"id\": \"county:\xc0\xaf\"}}"), codes: []string{badInput}},
		{name: "invalid UTF-8 in a JSON key", body: []byte("{\"query\": \"{ stats { entities } }\", \"\xff\": 1}"), codes: []string{badInput}, transport: true,
			harmless: func(*testing.T, json.RawMessage) {}},
		{name: "lone surrogate in JSON", body: []byte(`{"query": "query($q: String!) { search(text: $q) { entity { id } } }", "variables": {"q": "\ud800"}}`), codes: []string{badInput}, harmless: noHits},
		{name: "lone surrogate in GraphQL", body: gqlBody(`{ search(text: "\uD800\uDFFF\uDC00") { entity { id } } }`, nil), codes: []string{badInput}, harmless: noHits},
		{name: "invalid UTF-8 search over GET", method: "GET", path: "/graphql?query=" + url.QueryEscape("{ search(text: \"\xff moyu\") { entity { id } } }"), codes: []string{badInput}},
		{name: "invalid UTF-8 id over GET", method: "GET", path: "/graphql?query=" + url.QueryEscape("{ entity(id: \"county:\xff\") { id } }"), codes: []string{badInput}},
		{name: "invalid UTF-8 filter over GET", method: "GET", path: "/graphql?query=" + url.QueryEscape("{ entities(filter: {text: \"\xed\xa0\x80\"}) { edges { cursor } } }"), codes: []string{badInput}},
		{name: "invalid UTF-8 outside strings over GET", method: "GET", path: "/graphql?query=" + url.QueryEscape("{ stats \xff { entities } }"), codes: []string{badInput}},
		{name: "invalid UTF-8 in a cursor", body: gqlBody(`query($a: String) { entities(after: $a) { edges { cursor } } }`, map[string]any{"a": b64("county:\xff")}),
			codes: []string{badInput}, harmless: pageOf(20)},
		{name: "invalid UTF-8 in a relations cursor", body: gqlBody(`query($a: String) { entity(id: "county:moyu") { relations(after: $a) { edges { cursor } } } }`, map[string]any{"a": b64("\xff\xfe")}),
			codes: []string{badInput}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "invalid UTF-8 in a sources cursor", body: gqlBody(`query($a: String) { sources(after: $a) { edges { cursor } } }`, map[string]any{"a": b64("src:\xc0")}),
			codes: []string{badInput}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "invalid UTF-8 in a claims cursor", body: gqlBody(`query($a: String) { source(id: "src:ndrc-rrd") { claims(after: $a) { edges { cursor } } } }`, map[string]any{"a": b64("\xff")}),
			codes: []string{badInput}, harmless: func(*testing.T, json.RawMessage) {}},
		{name: "NUL in search text", body: gqlBody(`query($q: String!) { search(text: $q) { entity { id } } }`, map[string]any{"q": "moyu\x00"}), codes: []string{badInput}, harmless: someHits(10)},
		{name: "NUL in an id", body: gqlBody(`query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": "county:moyu\x00"}), codes: []string{badInput}},
		{name: "NUL in filter text", body: gqlBody(`query($q: String) { entities(filter: {text: $q}) { edges { cursor } } }`, map[string]any{"q": "\x00"}), codes: []string{badInput}, harmless: noEntities},
		{name: "NUL in a cursor", body: gqlBody(`query($a: String) { entities(after: $a) { edges { cursor } } }`, map[string]any{"a": b64("\x00\x00")}), codes: []string{badInput}, harmless: pageOf(20)},
		{name: "NUL in the document", body: gqlBody("{ stats \x00 { entities } }", nil), codes: []string{badInput}},
		{name: "NUL in a date", body: gqlBody(`{ entities(filter: {asOf: "2010\u0000"}) { edges { cursor } } }`, nil), codes: []string{badInput}},

		// Very long ids.
		{name: "id one byte too long", body: gqlBody(`query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": tooLongID}), codes: []string{badInput}},
		{name: "source id one byte too long", body: gqlBody(`query($id: ID!) { source(id: $id) { id } }`, map[string]any{"id": "src:" + strings.Repeat("a", 197)}), codes: []string{badInput}},
		{name: "relation id one byte too long", body: gqlBody(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "rel:" + strings.Repeat("a", 197)}), codes: []string{badInput}},
		{name: "50 longest ids", body: gqlBody(`query($ids: [ID!]!) { neighborhood(ids: $ids) { truncated } }`, map[string]any{"ids": longIDs(50)}), codes: []string{notFound}},
		{name: "chain from a missing longest id", body: gqlBody(`query($id: ID!) { responsibilityChain(id: $id) { truncated } }`, map[string]any{"id": longIDs(1)[0]}), codes: []string{notFound}},

		// Writes without a key, with hostile content.
		{name: "mutation without a key", body: gqlBody(`mutation { retractEntity(id: "county:moyu", reason: "x") { id } }`, nil), codes: []string{unauth}},
		{name: "cypher mutation without a key", body: gqlBody(`mutation($n: String!) { upsertEntity(input: {id: "county:x", kind: county, name: $n, citations: [{source: "src:ndrc-rrd", quote: "q"}]}) { id } }`,
			map[string]any{"n": cypher}), codes: []string{unauth}},
		{name: "cypher as a key", header: map[string]string{"Authorization": "Bearer " + cypher}, body: gqlBody(`mutation { retractRelation(id: "rel:x", reason: "x") { id } }`, nil), codes: []string{unauth}},
		{name: "1 KB key", header: map[string]string{"Authorization": "Bearer " + strings.Repeat("k", 1024)}, body: gqlBody(`{ stats { entities } }`, nil), codes: []string{unauth}},
		// GET is for queries: 405 with a code (gqlgen alone writes a bare 406).
		{name: "mutation over GET", method: "GET", path: "/graphql?query=" + url.QueryEscape(`mutation { retractEntity(id: "county:moyu", reason: "x") { id } }`), codes: []string{badInput}, status: 405},

		// Writes with an editor's key, each invalid: refused, nothing written.
		{name: "edit: cypher as entity id", header: editor, body: gqlBody(`mutation($id: ID!) { upsertEntity(input: {id: $id, kind: county, name: "X", citations: [{source: "src:ndrc-rrd", quote: "q"}]}) { id } }`,
			map[string]any{"id": cypher}), codes: []string{badInput}},
		{name: "edit: 900 KB name", header: editor, body: gqlBody(`mutation($n: String!) { upsertEntity(input: {id: "county:hostile", kind: county, name: $n, citations: [{source: "src:ndrc-rrd", quote: "q"}]}) { id } }`,
			map[string]any{"n": bigZh}), codes: []string{badInput, limit}},
		{name: "edit: cypher as cited source", header: editor, body: gqlBody(`mutation($s: ID!) { upsertEntity(input: {id: "county:hostile", kind: county, name: "X", citations: [{source: $s, quote: "q"}]}) { id } }`,
			map[string]any{"s": "src:x') DETACH DELETE n //"}), codes: []string{badInput}},
		{name: "edit: 10k citations of a missing source", header: editor, body: gqlBody(`mutation($c: [CitationInput!]!) { upsertEntity(input: {id: "county:hostile", kind: county, name: "X", citations: $c}) { id } }`,
			map[string]any{"c": slices.Repeat([]map[string]string{{"source": "src:missing", "quote": "q"}}, 10_000)}), codes: []string{badInput, limit}},
		{name: "edit: 900 KB date", header: editor, body: gqlBody(`mutation($d: PartialDate) { upsertEntity(input: {id: "county:hostile", kind: county, name: "X", validFrom: $d, citations: [{source: "src:ndrc-rrd", quote: "q"}]}) { id } }`,
			map[string]any{"d": big}), codes: []string{badInput}},
		{name: "edit: number too large", header: editor, body: []byte(`{"query": "mutation { upsertEntity(input: {id: \"county:hostile\", kind: county, name: \"X\", quantities: [{name: \"n\", value: 1e400}], citations: [{source: \"src:ndrc-rrd\", quote: \"q\"}]}) { id } }"}`),
			codes: []string{badInput}},
		{name: "edit: cypher as relation end", header: editor, body: gqlBody(`mutation($f: ID!) { upsertRelation(input: {id: "rel:hostile", type: PAIRED_WITH, from: $f, to: "county:moyu", confidence: confirmed, citations: [{source: "src:ndrc-rrd", quote: "q"}]}) { id } }`,
			map[string]any{"f": cypher2}), codes: []string{badInput}},
		{name: "edit: cypher as source id", header: editor, body: gqlBody(`mutation { upsertSource(input: {id: "src:x' OR 1=1 //", title: "T", type: ngo, grade: B}) { id } }`, nil), codes: []string{badInput}},
		{name: "edit: retract a cypher id", header: editor, body: gqlBody(`mutation($id: ID!) { retractEntity(id: $id, reason: "hostile") { id } }`, map[string]any{"id": cypher}), codes: []string{badInput}},
		{name: "edit: retract a 900 KB relation id", header: editor, body: gqlBody(`mutation($id: ID!) { retractRelation(id: $id, reason: "hostile") { id } }`, map[string]any{"id": "rel:" + big}), codes: []string{badInput}},
		{name: "edit: retract with a 900 KB reason", header: editor, body: gqlBody(`mutation($r: String!) { retractEntity(id: "county:moyu", reason: $r) { id } }`, map[string]any{"r": bigZh}), codes: []string{badInput, limit}},
		{name: "edit: retract without a reason", header: editor, body: gqlBody(`mutation { retractEntity(id: "county:moyu", reason: " \t ") { id } }`, nil), codes: []string{badInput}},

		// Malformed requests, refused before GraphQL.
		{name: "text/plain body", ctype: "text/plain", body: gqlBody(`{ stats { entities } }`, nil), codes: []string{badInput}, transport: true},
		{name: "body not JSON", body: []byte(`{"query": `), codes: []string{badInput}, transport: true},
		{name: "query a number", body: []byte(`{"query": 42}`), codes: []string{badInput}, transport: true},
		{name: "variables a string", body: []byte(`{"query": "{ stats { entities } }", "variables": "x"}`), codes: []string{badInput}, transport: true},
		{name: "batched queries", body: []byte(`[{"query": "{ stats { entities } }"}, {"query": "{ stats { entities } }"}]`), codes: []string{badInput}, transport: true},
		{name: "empty body", body: []byte{}, codes: []string{badInput}, transport: true},
		{name: "empty query", body: []byte(`{"query": ""}`), codes: []string{badInput}, transport: true},
		{name: "PUT", method: "PUT", body: gqlBody(`{ stats { entities } }`, nil), codes: []string{badInput}, transport: true},
		{name: "100 KB header", header: map[string]string{"X-Junk": strings.Repeat("j", 100<<10)}, body: gqlBody(`{ stats { entities } }`, nil), codes: []string{badInput}, transport: true},

		// The export endpoint takes the same ids, types and dates.
		{name: "export: cypher ids", method: "GET", path: "/export/graphml?ids=" + url.QueryEscape(cypher), codes: []string{badInput}},
		{name: "export: backtick type", method: "GET", path: "/export/graphml?ids=county:moyu&types=" + url.QueryEscape("PAIRED_WITH`]-() DETACH DELETE n //"), codes: []string{badInput}},
		{name: "export: cypher kind", method: "GET", path: "/export/graphml?ids=county:moyu&kinds=" + url.QueryEscape("county`) DETACH DELETE n //"), codes: []string{badInput}},
		{name: "export: cypher chain", method: "GET", path: "/export/cytoscape?chain=" + url.QueryEscape(cypher), codes: []string{badInput}},
		{name: "export: cypher format", method: "GET", path: "/export/" + url.PathEscape(cypher), codes: []string{badInput}},
		{name: "export: 30 KB date", method: "GET", path: "/export/graphml?asOf=" + strings.Repeat("2", 30_000), codes: []string{badInput}},
		{name: "export: huge limit", method: "GET", path: "/export/graphml?limit=99999999999999999999", codes: []string{badInput, limit}},
		{name: "export: negative depth", method: "GET", path: "/export/graphml?ids=county:moyu&depth=-1", codes: []string{badInput}},
		{name: "export: invalid UTF-8 id", method: "GET", path: "/export/graphml?ids=county:%FF", codes: []string{badInput}},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkHostile(t, r.URL, tc)
		})
	}

	// The server still answers, with the same data, and nothing changed.
	if got := apiStats(t, r.URL); !cmp.Equal(beforeStats, got) {
		t.Errorf("stats changed (-before +after):\n%s", cmp.Diff(beforeStats, got))
	}
	if after := dataChecksum(t); after != before {
		t.Errorf("the data changed: checksum %s before, %s after", before, after)
	}
	resp, err := http.Get(r.URL + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the hostile requests: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

func checkHostile(t *testing.T, base string, tc hostile) {
	t.Helper()
	method, path, ctype := tc.method, tc.path, tc.ctype
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/graphql"
	}
	if ctype == "" {
		ctype = "application/json"
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range tc.header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 2 * maxAnswerTime}).Do(req)
	if err != nil {
		t.Fatalf("request failed: %v", err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	if took > maxAnswerTime {
		t.Errorf("answered in %s (at most %s)", took, maxAnswerTime)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d: %.500s", resp.StatusCode, raw)
	}
	if tc.status != 0 && resp.StatusCode != tc.status {
		t.Errorf("status %d, want %d: %.500s", resp.StatusCode, tc.status, raw)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		if tc.transport && resp.StatusCode >= 400 && resp.StatusCode < 500 {
			checkNoLeak(t, string(raw))
			return // refused by the HTTP layer with a plain-text answer
		}
		t.Fatalf("status %d, answer is not JSON (%v): %.500s", resp.StatusCode, err, raw)
	}
	for _, e := range out.Errors {
		code, _ := e.Extensions["code"].(string)
		checkNoLeak(t, e.Message)
		if len(e.Message) > maxMessageLen {
			t.Errorf("a message of %d bytes (at most %d): %.200s...", len(e.Message), maxMessageLen, e.Message)
		}
		if !slices.Contains(tc.codes, code) {
			t.Errorf("code %q (message %.300q), want one of %v", code, e.Message, tc.codes)
		}
	}
	hasData := len(out.Data) > 0 && string(out.Data) != "null"
	switch {
	case len(out.Errors) > 0:
		if resp.StatusCode != http.StatusOK && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
			t.Errorf("refused with status %d", resp.StatusCode)
		}
	case resp.StatusCode >= 400 && tc.transport:
		// A bare 4xx before GraphQL.
	case resp.StatusCode == http.StatusOK && hasData && tc.harmless != nil:
		tc.harmless(t, out.Data)
	default:
		t.Errorf("status %d with no error, want one of %v: %.500s", resp.StatusCode, tc.codes, raw)
	}
	t.Logf("status %d in %s: %.200s", resp.StatusCode, took.Round(time.Millisecond), raw)
}

// hostileKey creates an editor's API key with the real command.
func hostileKey(t *testing.T) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := dbEnv(t)
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(t.Context(), []string{"keys", "--name", "hostile", "--role", "editor", "create"}); code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errOut.String())
	}
	// The seeds are shared with other tests: the key goes when the test ends.
	t.Cleanup(func() { neo4jtest.MustRun(t, "MATCH (k:ApiKey {name: 'hostile'}) DETACH DELETE k", nil) })
	return strings.TrimSpace(out.String())
}

// checkNoLeak fails when a message shows internals. (Data may hold any text.)
func checkNoLeak(t *testing.T, msg string) {
	t.Helper()
	lower := strings.ToLower(msg)
	for _, m := range leakMarkers {
		if strings.Contains(lower, m) {
			t.Errorf("a message shows %q: %.500s", m, msg)
		}
	}
}

// longIDs returns n well-formed entity ids of the longest length allowed.
func longIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		s := fmt.Sprintf("county:%d-", i)
		out[i] = s + strings.Repeat("z", 200-len(s))
	}
	return out
}

type statsOut struct {
	Entities, Relations, Sources                    int
	EntitiesByKind, RelationsByType, SourcesByGrade []struct {
		Key   string
		Count int
	}
}

func apiStats(t *testing.T, base string) statsOut {
	t.Helper()
	var out struct{ Stats statsOut }
	mustGQL(t, base, `{ stats { entities relations sources entitiesByKind { key count } relationsByType { key count } sourcesByGrade { key count } } }`, nil, &out)
	if out.Stats.Entities == 0 || out.Stats.Relations == 0 || out.Stats.Sources == 0 {
		t.Fatalf("empty stats: %+v", out.Stats)
	}
	return out.Stats
}

// dataChecksum hashes every node with its labels and properties, every
// relationship with its ends, type and properties, and the names of the
// indexes and constraints: any change to the database changes it.
func dataChecksum(t *testing.T) string {
	t.Helper()
	var lines []string
	for _, q := range []string{
		`MATCH (n) RETURN [labels(n), properties(n)] AS x`,
		`MATCH (a)-[r]->(b) RETURN [coalesce(a.id, elementId(a)), type(r), coalesce(b.id, elementId(b)), properties(r)] AS x`,
		`SHOW INDEXES YIELD name, type, labelsOrTypes, properties RETURN [name, type, labelsOrTypes, properties] AS x`,
		`SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN [name, type, labelsOrTypes, properties] AS x`,
	} {
		recs := neo4jtest.MustRun(t, q, nil)
		if len(recs) == 0 {
			t.Fatalf("%s: nothing", q)
		}
		for _, rec := range recs {
			x, _ := rec.Get("x")
			lines = append(lines, fmt.Sprint(x)) // fmt sorts map keys
		}
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l)
		h.Write([]byte{0})
	}
	t.Logf("checksum over %d nodes, relationships, indexes and constraints", len(lines))
	return hex.EncodeToString(h.Sum(nil))
}
