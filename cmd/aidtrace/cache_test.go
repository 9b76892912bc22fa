package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

// Answers that cache (issue 14): validators from the graph's version, 304
// without a database round trip, the answer cache, persisted queries and
// replicas. Round trips are counted by the store's query observer, leaving
// out the two the cache cannot avoid: the version poll and the
// authentication of a key.

const fixture = "../../internal/neo4jstore/testdata/fixture.yaml"

const cacheQuery = `query Embed($id: ID!) { entity(id: $id) { id name relations(first: 5) { edges { node { id type } } } } }`

var cacheVars = map[string]any{"id": "province:testprov"}

// roundTrips counts the store's Cypher round trips, but the version poll
// and key authentication.
type roundTrips struct {
	mu    sync.Mutex
	names map[string]int
	n     atomic.Int64
}

func (c *roundTrips) observe(s *neo4jstore.Store) {
	s.AddQueryObserver(func(name string, _ time.Duration, _ error) {
		if name == "graph-version" || name == "authenticate" {
			return
		}
		c.n.Add(1)
		c.mu.Lock()
		if c.names == nil {
			c.names = map[string]int{}
		}
		c.names[name]++
		c.mu.Unlock()
	})
}

// seen are the round trips so far by query name.
func (c *roundTrips) seen() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.names)
}

// during returns the round trips fn made.
func (c *roundTrips) during(fn func()) int64 {
	before := c.n.Load()
	fn()
	return c.n.Load() - before
}

// exchange is one HTTP request and its answer.
type exchange struct {
	status int
	header http.Header
	body   string
}

// graphQLGet sends the cache query (or doc) with GET.
func graphQLGet(t *testing.T, base, key, doc string, vars map[string]any, header map[string]string) exchange {
	t.Helper()
	q := url.Values{}
	if doc != "" {
		q.Set("query", doc)
	}
	if vars != nil {
		b, _ := json.Marshal(vars)
		q.Set("variables", string(b))
	}
	for k, v := range header {
		if k == "extensions" {
			q.Set("extensions", v)
		}
	}
	return send(t, http.MethodGet, base+"/graphql?"+q.Encode(), key, nil, header)
}

// graphQLPost sends a document with POST.
func graphQLPost(t *testing.T, base, key string, body map[string]any, header map[string]string) exchange {
	t.Helper()
	b, _ := json.Marshal(body)
	if header == nil {
		header = map[string]string{}
	}
	header["Content-Type"] = "application/json"
	return send(t, http.MethodPost, base+"/graphql", key, b, header)
}

func send(t *testing.T, method, u, key string, body []byte, header map[string]string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k != "extensions" {
			req.Header.Set(k, v)
		}
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return exchange{resp.StatusCode, resp.Header, string(b)}
}

func mustETag(t *testing.T, what string, x exchange) string {
	t.Helper()
	if x.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", what, x.status, x.body)
	}
	if strings.Contains(x.body, `"errors"`) {
		t.Fatalf("%s: errors: %s", what, x.body)
	}
	tag := x.header.Get("ETag")
	if tag == "" {
		t.Fatalf("%s: no ETag; headers %v", what, x.header)
	}
	return tag
}

func renameTestprov(t *testing.T, base, editor, name string) {
	t.Helper()
	in := map[string]any{"id": "province:testprov", "kind": "province", "name": name,
		"citations": []map[string]any{{"source": "src:fixture", "quote": "fixture"}}}
	status, errs := gqlAs(t, base, editor, upsertEntity, map[string]any{"in": in, "why": "cache test"}, nil)
	if status != http.StatusOK || len(errs) > 0 {
		t.Fatalf("upsertEntity: %d %+v", status, errs)
	}
}

func TestAnswersRevalidate(t *testing.T) {
	var rt roundTrips
	r := MustServeWith(t, nil, rt.observe, "--load", fixture)
	editor := mustKey(t, "Cache Editor", "editor")
	reader := mustKey(t, "Cache Reader", "reader")

	first := graphQLGet(t, r.URL, "", cacheQuery, cacheVars, nil)
	e1 := mustETag(t, "first GET", first)
	if got, want := first.header.Get("Cache-Control"), "public, max-age=0, must-revalidate"; got != want {
		t.Errorf("Cache-Control %q, want %q", got, want)
	}
	if vary := strings.Join(first.header.Values("Vary"), ","); !strings.Contains(vary, "Authorization") || !strings.Contains(vary, "Accept") {
		t.Errorf("Vary %q: the answer differs by key and media type", vary)
	}

	t.Run("If-None-Match gets 304 without a database round trip, over GET and POST", func(t *testing.T) {
		var x, p exchange
		n := rt.during(func() {
			x = graphQLGet(t, r.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": e1})
			p = graphQLPost(t, r.URL, "", map[string]any{"query": cacheQuery, "variables": cacheVars}, map[string]string{"If-None-Match": `"other", ` + e1})
		})
		if x.status != http.StatusNotModified || p.status != http.StatusNotModified {
			t.Fatalf("statuses GET %d, POST %d, want 304 (body %s)", x.status, p.status, x.body+p.body)
		}
		if x.body != "" || x.header.Get("ETag") != e1 {
			t.Errorf("304: body %q, ETag %q (want %q)", x.body, x.header.Get("ETag"), e1)
		}
		if n != 0 {
			t.Errorf("%d database round trips for two 304s (%v), want 0", n, rt.seen())
		}
		other := graphQLGet(t, r.URL, "", cacheQuery, map[string]any{"id": "prefecture:testpref"}, map[string]string{"If-None-Match": e1})
		if other.status != http.StatusOK {
			t.Errorf("other variables with the first answer's ETag: status %d, want 200", other.status)
		}
	})

	t.Run("a keyed request has its own, private validator", func(t *testing.T) {
		x := graphQLGet(t, r.URL, reader, cacheQuery, cacheVars, map[string]string{"If-None-Match": e1})
		tag := mustETag(t, "reader GET", x)
		if tag == e1 {
			t.Errorf("reader's ETag equals the anonymous one")
		}
		if got := x.header.Get("Cache-Control"); !strings.HasPrefix(got, "private") {
			t.Errorf("keyed Cache-Control %q, want private", got)
		}
	})

	t.Run("a mutation changes the ETag", func(t *testing.T) {
		renameTestprov(t, r.URL, editor, "Testprov Renamed For Cache")
		x := graphQLGet(t, r.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": e1})
		e2 := mustETag(t, "GET after the mutation", x)
		if e2 == e1 || !strings.Contains(x.body, "Testprov Renamed For Cache") {
			t.Fatalf("after the mutation: ETag %s (before %s), body %s", e2, e1, x.body)
		}
		if again := graphQLGet(t, r.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": e2}); again.status != http.StatusNotModified {
			t.Errorf("the new ETag: status %d, want 304", again.status)
		}
	})

	t.Run("mutations and errors carry no validator", func(t *testing.T) {
		in := map[string]any{"id": "province:testprov", "kind": "province", "name": "Testprov",
			"citations": []map[string]any{{"source": "src:fixture", "quote": "fixture"}}}
		m := graphQLPost(t, r.URL, editor, map[string]any{"query": upsertEntity, "variables": map[string]any{"in": in, "why": "cache test"}}, nil)
		if m.status != http.StatusOK || m.header.Get("ETag") != "" || m.header.Get("Cache-Control") != "no-store" {
			t.Errorf("mutation: status %d, ETag %q, Cache-Control %q (want no ETag, no-store)", m.status, m.header.Get("ETag"), m.header.Get("Cache-Control"))
		}
		// Valid, and refused by the database's answer (NOT_FOUND).
		bad := `{ responsibilityChain(id: "county:zz-no-such-county", direction: UP) { totalCount } }`
		for i := range 2 {
			var x exchange
			n := rt.during(func() { x = graphQLGet(t, r.URL, "", bad, nil, map[string]string{"If-None-Match": "*"}) })
			if x.status == http.StatusNotModified || !strings.Contains(x.body, `"NOT_FOUND"`) {
				t.Fatalf("error answer %d: status %d body %s", i, x.status, x.body)
			}
			if x.header.Get("ETag") != "" || x.header.Get("Cache-Control") != "no-store" {
				t.Errorf("error answer %d: ETag %q, Cache-Control %q", i, x.header.Get("ETag"), x.header.Get("Cache-Control"))
			}
			if n == 0 {
				t.Errorf("error answer %d was served without the database: an error was cached", i)
			}
		}
	})

	t.Run("exports and reconciliation GETs revalidate too", func(t *testing.T) {
		for _, path := range []string{"/export/graphml?ids=province:testprov", "/reconcile?queries=" + url.QueryEscape(`{"q0":{"query":"Testprov"}}`)} {
			x := send(t, http.MethodGet, r.URL+path, "", nil, nil)
			tag := mustETag(t, path, x)
			var again exchange
			n := rt.during(func() { again = send(t, http.MethodGet, r.URL+path, "", nil, map[string]string{"If-None-Match": tag}) })
			if again.status != http.StatusNotModified || n != 0 {
				t.Errorf("%s revalidated: status %d with %d round trips, want 304 with none", path, again.status, n)
			}
			renameTestprov(t, r.URL, editor, "Testprov "+path[:8])
			if after := send(t, http.MethodGet, r.URL+path, "", nil, map[string]string{"If-None-Match": tag}); after.status != http.StatusOK || after.header.Get("ETag") == tag {
				t.Errorf("%s after a mutation: status %d, ETag %q (was %q)", path, after.status, after.header.Get("ETag"), tag)
			}
		}
	})
}

func TestAnswerCache(t *testing.T) {
	var rt roundTrips
	r := MustServeWith(t, nil, rt.observe, "--load", fixture)
	editor := mustKey(t, "Cache Editor", "editor")
	reader := mustKey(t, "Cache Reader", "reader")
	post := map[string]any{"query": cacheQuery, "variables": cacheVars}

	var first exchange
	if n := rt.during(func() { first = graphQLGet(t, r.URL, "", cacheQuery, cacheVars, nil) }); n == 0 {
		t.Fatal("the first answer took no round trip: the test cannot tell a cached answer")
	}
	mustETag(t, "first", first)

	t.Run("repeats over GET and POST are served from memory", func(t *testing.T) {
		var g, p exchange
		n := rt.during(func() {
			g = graphQLGet(t, r.URL, "", cacheQuery, cacheVars, nil)
			p = graphQLPost(t, r.URL, "", post, nil)
		})
		if n != 0 {
			t.Errorf("repeats made %d round trips (%v), want 0", n, rt.seen())
		}
		if g.body != first.body || p.body != first.body {
			t.Errorf("cached answers differ:\nfirst %s\nGET   %s\nPOST  %s", first.body, g.body, p.body)
		}
		if g.header.Get("ETag") != first.header.Get("ETag") {
			t.Errorf("cached ETag %q, first %q", g.header.Get("ETag"), first.header.Get("ETag"))
		}
	})

	t.Run("a large answer is kept gzipped too, and served as gzip to those who take it", func(t *testing.T) {
		big := `{ entities(first: 50) { edges { node { id kind name nameZh aliases description relations(first: 20) { edges { node { id type fromId toId validFrom validTo confidence } } } } } } }`
		plain := graphQLGet(t, r.URL, "", big, nil, map[string]string{"Accept-Encoding": "identity"})
		mustETag(t, "big", plain)
		if len(plain.body) < 2048 {
			t.Fatalf("the big answer has %d bytes", len(plain.body))
		}
		var gz, id exchange
		if n := rt.during(func() {
			gz = graphQLGet(t, r.URL, "", big, nil, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
			id = graphQLGet(t, r.URL, "", big, nil, map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
		}); n != 0 {
			t.Errorf("repeats of the big answer made %d round trips", n)
		}
		if gz.header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(gz.header.Get("ETag"), `-z-gzip"`) {
			t.Fatalf("gzip hit: Content-Encoding %q, ETag %q", gz.header.Get("Content-Encoding"), gz.header.Get("ETag"))
		}
		zr, err := gzip.NewReader(strings.NewReader(gz.body))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		if string(unzipped) != plain.body {
			t.Error("the gzipped hit is not the answer")
		}
		if id.header.Get("Content-Encoding") != "" || id.body != plain.body || id.header.Get("ETag") != plain.header.Get("ETag") {
			t.Errorf("identity hit: Content-Encoding %q, ETag %q (want %q), same body %v", id.header.Get("Content-Encoding"), id.header.Get("ETag"), plain.header.Get("ETag"), id.body == plain.body)
		}
		if x := graphQLGet(t, r.URL, "", big, nil, map[string]string{"If-None-Match": gz.header.Get("ETag")}); x.status != http.StatusNotModified {
			t.Errorf("the gzip tag does not revalidate: %d", x.status)
		}
		// A first answer asked gzipped goes out as it is kept (gzipped once).
		other := strings.Replace(big, "first: 50", "first: 45", 1)
		first := graphQLGet(t, r.URL, "", other, nil, map[string]string{"Accept-Encoding": "gzip"})
		again := graphQLGet(t, r.URL, "", other, nil, map[string]string{"Accept-Encoding": "identity"})
		if first.header.Get("Content-Encoding") != "gzip" || first.header.Get("ETag") != strings.TrimSuffix(again.header.Get("ETag"), `"`)+`-z-gzip"` {
			t.Fatalf("first gzip answer: Content-Encoding %q, ETag %q (identity %q)", first.header.Get("Content-Encoding"), first.header.Get("ETag"), again.header.Get("ETag"))
		}
		if zr, err := gzip.NewReader(strings.NewReader(first.body)); err != nil {
			t.Error(err)
		} else if unzipped, _ := io.ReadAll(zr); string(unzipped) != again.body {
			t.Error("the first gzipped answer is not the answer")
		}
	})

	t.Run("never across roles", func(t *testing.T) {
		if n := rt.during(func() { mustETag(t, "reader", graphQLPost(t, r.URL, reader, post, nil)) }); n == 0 {
			t.Error("a reader's request was served the anonymous answer from the cache")
		}
		if n := rt.during(func() { mustETag(t, "editor", graphQLPost(t, r.URL, editor, post, nil)) }); n == 0 {
			t.Error("an editor's request was served another role's answer from the cache")
		}
		if n := rt.during(func() { mustETag(t, "reader again", graphQLPost(t, r.URL, reader, post, nil)) }); n != 0 {
			t.Errorf("the reader's repeat made %d round trips, want 0", n)
		}
	})

	t.Run("never across versions", func(t *testing.T) {
		renameTestprov(t, r.URL, editor, "Testprov Cache Version Two")
		var x exchange
		if n := rt.during(func() { x = graphQLPost(t, r.URL, "", post, nil) }); n == 0 {
			t.Error("after a mutation the old version's answer was served from the cache")
		}
		if !strings.Contains(x.body, "Testprov Cache Version Two") {
			t.Errorf("after the mutation: %s", x.body)
		}
	})

	t.Run("the cache's memory is on /metrics", func(t *testing.T) {
		m := send(t, http.MethodGet, r.URL+"/metrics", "", nil, nil).body
		for _, want := range []string{"aidtrace_answer_cache_bytes ", "aidtrace_answer_cache_entries ", `aidtrace_answer_cache_requests_total{result="hit",route="/graphql"}`} {
			if !strings.Contains(m, want) {
				t.Errorf("/metrics has no %s", want)
			}
		}
		if strings.Contains(m, "aidtrace_answer_cache_bytes 0\n") {
			t.Error("aidtrace_answer_cache_bytes is 0 with answers cached")
		}
	})

	t.Run("off, repeats go to the database but 304s do not", func(t *testing.T) {
		off := MustServeShared(t, nil, rt.observe, "--answer-cache-mb", "0")
		tag := mustETag(t, "cache off", graphQLGet(t, off.URL, "", cacheQuery, cacheVars, nil))
		if n := rt.during(func() { graphQLGet(t, off.URL, "", cacheQuery, cacheVars, nil) }); n == 0 {
			t.Error("with the cache off a repeat made no round trip")
		}
		var x exchange
		if n := rt.during(func() { x = graphQLGet(t, off.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": tag}) }); n != 0 || x.status != http.StatusNotModified {
			t.Errorf("cache off, revalidation: status %d with %d round trips, want 304 with none", x.status, n)
		}
	})
}

func TestETagAfterLoad(t *testing.T) {
	env := map[string]string{"AIDTRACE_VERSION_POLL": "100ms"}
	r := MustServe(t, env, "--load", fixture)
	tag := mustETag(t, "first", graphQLGet(t, r.URL, "", cacheQuery, cacheVars, nil))
	load := func(path string) {
		t.Helper()
		var out, errOut bytes.Buffer
		denv := dbEnv(t)
		m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return denv[k] }}
		if code := m.Run(t.Context(), []string{"load", path}); code != 0 {
			t.Fatalf("load %s: exit %d: %s", path, code, errOut.String())
		}
	}
	revalidate := func() exchange {
		return graphQLGet(t, r.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": tag})
	}

	// Loading the same data again changes nothing: answers stay valid.
	load(fixture)
	time.Sleep(500 * time.Millisecond) // five polls
	if x := revalidate(); x.status != http.StatusNotModified {
		t.Errorf("after a load that changed nothing: status %d, want 304", x.status)
	}

	// A load by another process (the command) that changes the graph: the
	// server sees it at its next poll.
	dir := t.TempDir()
	more := filepath.Join(dir, "more.yaml")
	os.WriteFile(more, []byte(`entities:
  - {id: "county:zz-cache-load", kind: county, name: "ZZ Cache Load", synthetic: true, cite: [{source: "src:fixture", quote: "fixture"}]}
relations:
  - {id: "rel:zz-cache-load", type: PART_OF, from: "county:zz-cache-load", to: "prefecture:testpref", confidence: reported, synthetic: true, cite: [{source: "src:fixture", quote: "fixture"}]}
`), 0o644)
	load(more)
	deadline := time.Now().Add(5 * time.Second)
	for {
		x := revalidate()
		if x.status == http.StatusOK {
			if x.header.Get("ETag") == tag || x.header.Get("ETag") == "" {
				t.Fatalf("after the load: ETag %q (before %q)", x.header.Get("ETag"), tag)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5s after a load the old ETag still gets %d", x.status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReplicaSeesWrites(t *testing.T) {
	const poll = 250 * time.Millisecond
	env := func() map[string]string { return map[string]string{"AIDTRACE_VERSION_POLL": poll.String()} }
	a := MustServe(t, env(), "--load", fixture)
	b := MustServeShared(t, env(), nil)
	// A replica whose poll is too slow to matter here: without the poll it
	// would never learn of the write.
	deaf := MustServeShared(t, map[string]string{"AIDTRACE_VERSION_POLL": "1h"}, nil)
	editor := mustKey(t, "Replica Editor", "editor")

	tagB := mustETag(t, "replica", graphQLGet(t, b.URL, "", cacheQuery, cacheVars, nil))
	tagDeaf := mustETag(t, "deaf replica", graphQLGet(t, deaf.URL, "", cacheQuery, cacheVars, nil))
	if tagA := mustETag(t, "first server", graphQLGet(t, a.URL, "", cacheQuery, cacheVars, nil)); tagA != tagB {
		t.Errorf("two servers of one build on one graph: ETags %s and %s differ (a CDN in front of both would miss)", tagA, tagB)
	}

	renameTestprov(t, a.URL, editor, "Testprov Seen By The Replica")
	wrote := time.Now()
	var seen time.Duration
	for {
		x := graphQLGet(t, b.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": tagB})
		if x.status == http.StatusOK {
			seen = time.Since(wrote)
			if !strings.Contains(x.body, "Testprov Seen By The Replica") {
				t.Fatalf("the replica's new answer: %s", x.body)
			}
			break
		}
		if time.Since(wrote) > poll+5*time.Second {
			t.Fatalf("the replica did not see the write within %s", poll+5*time.Second)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Within the interval, with room for a loaded machine's slow poll.
	if seen > poll+2*time.Second {
		t.Errorf("the replica saw the write after %s (poll interval %s)", seen, poll)
	}
	t.Logf("the replica saw the write after %s (poll interval %s)", seen, poll)
	if x := graphQLGet(t, deaf.URL, "", cacheQuery, cacheVars, map[string]string{"If-None-Match": tagDeaf}); x.status != http.StatusNotModified {
		t.Errorf("a replica that has not polled since: status %d, want 304 (it cannot know)", x.status)
	}
}

func TestPersistedQueries(t *testing.T) {
	var rt roundTrips
	r := MustServeWith(t, nil, rt.observe, "--load", fixture)
	sum := sha256.Sum256([]byte(cacheQuery))
	hash := hex.EncodeToString(sum[:])
	ext := func(h string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": h}}
	}
	extJSON := func(h string) string { b, _ := json.Marshal(ext(h)); return string(b) }
	getByHash := func(h string) exchange {
		return graphQLGet(t, r.URL, "", "", cacheVars, map[string]string{"extensions": extJSON(h)})
	}
	errCode := func(x exchange) (code, reason, msg string) {
		var resp gqlResponse
		json.Unmarshal([]byte(x.body), &resp)
		if len(resp.Errors) == 0 {
			return "", "", ""
		}
		c, _ := resp.Errors[0].Extensions["code"].(string)
		rs, _ := resp.Errors[0].Extensions["reason"].(string)
		return c, rs, resp.Errors[0].Message
	}

	if c, reason, msg := errCode(getByHash(hash)); c != "BAD_USER_INPUT" || reason != "PERSISTED_QUERY_NOT_FOUND" || msg != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: code %q reason %q message %q", c, reason, msg)
	}

	t.Run("a hash that is not the document's is refused, and not kept", func(t *testing.T) {
		wrong := strings.Repeat("ab", 32)
		x := graphQLPost(t, r.URL, "", map[string]any{"query": cacheQuery, "variables": cacheVars, "extensions": ext(wrong)}, nil)
		if c, _, msg := errCode(x); c != "BAD_USER_INPUT" || !strings.Contains(msg, "SHA-256") {
			t.Errorf("mismatch: code %q message %q", c, msg)
		}
		if _, reason, _ := errCode(getByHash(wrong)); reason != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("the refused document was kept under the wrong hash (reason %q)", reason)
		}
		if c, _, _ := errCode(getByHash("ABC")); c != "BAD_USER_INPUT" {
			t.Errorf("a malformed hash: code %q", c)
		}
	})

	t.Run("an invalid document is not kept", func(t *testing.T) {
		bad := `{ entity(id: "x") { noSuchField } }`
		bsum := sha256.Sum256([]byte(bad))
		bh := hex.EncodeToString(bsum[:])
		graphQLPost(t, r.URL, "", map[string]any{"query": bad, "extensions": ext(bh)}, nil)
		if _, reason, _ := errCode(getByHash(bh)); reason != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("a document that failed validation was kept (reason %q)", reason)
		}
	})

	t.Run("round trip: register with the document, then GET by hash", func(t *testing.T) {
		reg := graphQLPost(t, r.URL, "", map[string]any{"query": cacheQuery, "variables": cacheVars, "extensions": ext(hash)}, nil)
		tag := mustETag(t, "register", reg)
		byHash := getByHash(hash)
		if mustETag(t, "GET by hash", byHash) != tag || byHash.body != reg.body {
			t.Errorf("by hash: ETag %q body %s; with the document: ETag %q body %s", byHash.header.Get("ETag"), byHash.body, tag, reg.body)
		}
		u := r.URL + "/graphql?" + url.Values{"extensions": {extJSON(hash)}, "variables": {`{"id":"province:testprov"}`}}.Encode()
		if len(u) > 300 {
			t.Errorf("the embed URL is %d bytes long", len(u))
		}
		var again exchange
		if n := rt.during(func() {
			again = graphQLGet(t, r.URL, "", "", cacheVars, map[string]string{"extensions": extJSON(hash), "If-None-Match": tag})
		}); again.status != http.StatusNotModified || n != 0 {
			t.Errorf("revalidating by hash: status %d with %d round trips, want 304 with none", again.status, n)
		}
	})

	// An embed registers its view after others have asked for it: the
	// answer comes from the cache, and the document must be kept all the
	// same (a client would otherwise never find its hash while the answer
	// stays cached), and a wrong hash refused as when it is not cached.
	t.Run("a document registered while its answer is cached is kept", func(t *testing.T) {
		doc := cacheQuery + "\n# asked first without its hash"
		dsum := sha256.Sum256([]byte(doc))
		dh := hex.EncodeToString(dsum[:])
		plain := graphQLPost(t, r.URL, "", map[string]any{"query": doc, "variables": cacheVars}, nil)
		tag := mustETag(t, "plain", plain)
		if x := graphQLPost(t, r.URL, "", map[string]any{"query": doc, "variables": cacheVars, "extensions": ext(strings.Repeat("cd", 32))}, nil); !strings.Contains(x.body, "SHA-256") {
			t.Errorf("a wrong hash with a cached document: %d %s, want it refused", x.status, x.body)
		}
		var reg exchange
		if n := rt.during(func() {
			reg = graphQLPost(t, r.URL, "", map[string]any{"query": doc, "variables": cacheVars, "extensions": ext(dh)}, nil)
		}); n != 0 || mustETag(t, "register", reg) != tag {
			t.Fatalf("registering: %d round trips, ETag %q, want the cached answer (none, %q)", n, reg.header.Get("ETag"), tag)
		}
		byHash := getByHash(dh)
		if c, reason, _ := errCode(byHash); c != "" || byHash.body != plain.body {
			t.Errorf("GET by hash after registering a cached answer: %s %s; want %s", c, reason, plain.body)
		}
	})
}
