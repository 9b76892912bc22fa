package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/export/exporttest"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// gql posts a query and decodes data into out (when not nil). It returns
// the HTTP status and the errors.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func gql(t *testing.T, base, query string, vars map[string]any, out any) (int, []gqlError) {
	t.Helper()
	status, resp := postGraphQL(t, base, query, vars)
	errs := make([]gqlError, len(resp.Errors))
	for i, e := range resp.Errors {
		errs[i] = gqlError{Message: e.Message, Extensions: e.Extensions}
	}
	if out != nil && len(resp.Data) > 0 && string(resp.Data) != "null" {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			t.Fatalf("decode data: %v\n%s", err, resp.Data)
		}
	}
	return status, errs
}

func mustGQL(t *testing.T, base, query string, vars map[string]any, out any) {
	t.Helper()
	status, errs := gql(t, base, query, vars, out)
	if status != http.StatusOK || len(errs) > 0 {
		t.Fatalf("status %d, errors %+v\nquery: %s", status, errs, query)
	}
}

type entityRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type citationOut struct {
	Quote   *string `json:"quote"`
	Locator *string `json:"locator"`
	Source  struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Grade string `json:"grade"`
	} `json:"source"`
}

type relationOut struct {
	ID         string        `json:"id"`
	Type       string        `json:"type"`
	FromID     string        `json:"fromId"`
	ToID       string        `json:"toId"`
	ValidFrom  *string       `json:"validFrom"`
	ValidTo    *string       `json:"validTo"`
	Confidence string        `json:"confidence"`
	Citations  []citationOut `json:"citations"`
}

type chainsOut struct {
	ResponsibilityChain struct {
		Root      entityRef `json:"root"`
		Truncated bool      `json:"truncated"`
		Chains    []struct {
			Complete bool      `json:"complete"`
			End      entityRef `json:"end"`
			Hops     []struct {
				Relation relationOut `json:"relation"`
				Upper    entityRef   `json:"upper"`
				Lower    entityRef   `json:"lower"`
			} `json:"hops"`
		} `json:"chains"`
	} `json:"responsibilityChain"`
}

const chainQuery = `query($id: ID!, $dir: ChainDirection, $asOf: PartialDate, $first: Int) {
  responsibilityChain(id: $id, direction: $dir, asOf: $asOf, maxDepth: 10, first: $first) {
    root { id name } truncated
    chains { complete end { id name }
      hops { upper { id } lower { id }
        relation { id type fromId toId validFrom validTo confidence
          citations { quote locator source { id title grade } } } } }
  }
}`

// checkChains asserts that chains are connected from the root, every hop is
// cited with a resolvable source, and returns the set of end ids.
func checkChains(t *testing.T, c chainsOut, root string) map[string]bool {
	t.Helper()
	ends := map[string]bool{}
	rc := c.ResponsibilityChain
	if rc.Root.ID != root {
		t.Fatalf("root = %q, want %q", rc.Root.ID, root)
	}
	if len(rc.Chains) == 0 {
		t.Fatalf("no chains from %s", root)
	}
	for i, ch := range rc.Chains {
		at := root
		for j, h := range ch.Hops {
			near := h.Lower.ID
			far := h.Upper.ID
			if near != at && far != at {
				t.Fatalf("chain %d hop %d does not continue from %s: %+v", i, j, at, h)
			}
			if near != at {
				near, far = far, near
			}
			r := h.Relation
			if !(r.FromID == h.Upper.ID && r.ToID == h.Lower.ID) && !(r.FromID == h.Lower.ID && r.ToID == h.Upper.ID) {
				t.Errorf("chain %d hop %d: relation %s %s->%s does not join %s and %s", i, j, r.ID, r.FromID, r.ToID, h.Upper.ID, h.Lower.ID)
			}
			if len(r.Citations) == 0 {
				t.Errorf("hop %s has no citation", r.ID)
			}
			for _, c := range r.Citations {
				if c.Source.ID == "" || c.Source.Title == "" || c.Source.Grade == "" {
					t.Errorf("hop %s: citation without a resolved source: %+v", r.ID, c)
				}
				if c.Quote == nil && c.Locator == nil {
					t.Errorf("hop %s: citation with neither quote nor locator", r.ID)
				}
			}
			at = far
		}
		if ch.End.ID != at {
			t.Errorf("chain %d ends at %s, but its last hop reaches %s", i, ch.End.ID, at)
		}
		ends[ch.End.ID] = true
	}
	return ends
}

// TestAPI runs the API over HTTP against the real Neo4j with the seed
// dataset loaded, as a client that did not write the server would.
func TestAPI(t *testing.T) {
	r := MustServeSeeds(t, nil, nil)
	base := r.URL

	t.Run("chain up from a county reaches the Central Committee, every hop cited", func(t *testing.T) {
		var out chainsOut
		mustGQL(t, base, chainQuery, map[string]any{"id": "county:moyu", "dir": "UP", "first": 200}, &out)
		ends := checkChains(t, out, "county:moyu")
		reached := false
		for _, ch := range out.ResponsibilityChain.Chains {
			for _, h := range ch.Hops {
				if h.Upper.ID == "party_body:ccp-central-committee" {
					reached = true
				}
			}
		}
		if !reached {
			t.Errorf("no chain from county:moyu passes the CCP Central Committee; ends: %v", ends)
		}
	})

	t.Run("chain up from a firm reaches the Central Committee", func(t *testing.T) {
		var out chainsOut
		mustGQL(t, base, chainQuery, map[string]any{"id": "company:camel-group-xinjiang-battery", "first": 200}, &out)
		checkChains(t, out, "company:camel-group-xinjiang-battery")
		found := false
		for _, ch := range out.ResponsibilityChain.Chains {
			if len(ch.Hops) > 0 && ch.Hops[0].Relation.Type == "TRANSFERS_WORKERS_TO" && ch.Hops[0].Upper.ID == "county:toksun" {
				for _, h := range ch.Hops {
					if h.Upper.ID == "party_body:ccp-central-committee" {
						found = true
					}
				}
			}
		}
		if !found {
			t.Error("no chain firm <- Toksun County (TRANSFERS_WORKERS_TO) ... <- CCP Central Committee")
		}
	})

	t.Run("chain down from a province reaches its paired counties", func(t *testing.T) {
		var out chainsOut
		mustGQL(t, base, chainQuery, map[string]any{"id": "province:beijing", "dir": "DOWN", "first": 200}, &out)
		checkChains(t, out, "province:beijing")
		lowers := map[string]bool{}
		for _, ch := range out.ResponsibilityChain.Chains {
			for _, h := range ch.Hops {
				lowers[h.Lower.ID] = true
				if h.Relation.Type == "PART_OF" && h.Relation.ToID != h.Upper.ID {
					t.Errorf("PART_OF hop %s: upper %s should be the whole (to-end)", h.Relation.ID, h.Upper.ID)
				}
			}
		}
		for _, want := range []string{"county:moyu", "county:lop", "xpcc_division:14th"} {
			if !lowers[want] {
				t.Errorf("DOWN from Beijing misses %s", want)
			}
		}
		// Hotan Prefecture is shared by three provinces: Beijing answers for
		// its own counties, not for the prefecture.
		if lowers["prefecture:hotan"] {
			t.Error("DOWN from Beijing reaches prefecture:hotan, which Beijing shares with Tianjin and Anhui")
		}
	})

	t.Run("asOf excludes relations outside their dates", func(t *testing.T) {
		// The 2010 pairing (validFrom 2010) is not in force in 2005.
		has := func(asOf string) bool {
			var out chainsOut
			vars := map[string]any{"id": "county:moyu", "first": 200}
			if asOf != "" {
				vars["asOf"] = asOf
			}
			mustGQL(t, base, chainQuery, vars, &out)
			for _, ch := range out.ResponsibilityChain.Chains {
				for _, h := range ch.Hops {
					if h.Relation.Type == "PAIRED_WITH" && h.Upper.ID == "province:beijing" {
						return true
					}
				}
			}
			return false
		}
		if !has("") || !has("2015") {
			t.Fatal("Beijing's pairing with Moyu is missing without asOf or as of 2015")
		}
		if has("2005") {
			t.Error("as of 2005 the chain still uses the 2010 pairing")
		}
		var rels struct {
			Entity struct {
				Relations struct {
					Edges []struct{ Node relationOut } `json:"edges"`
				} `json:"relations"`
			} `json:"entity"`
		}
		q := `query($asOf: PartialDate) { entity(id: "county:moyu") { relations(direction: IN, types: [PAIRED_WITH], asOf: $asOf) { edges { node { id validFrom } } } } }`
		mustGQL(t, base, q, map[string]any{"asOf": "2005"}, &rels)
		if n := len(rels.Entity.Relations.Edges); n != 0 {
			t.Errorf("as of 2005, %d PAIRED_WITH relations at Moyu, want 0", n)
		}
		mustGQL(t, base, q, map[string]any{"asOf": "2010-03"}, &rels)
		if n := len(rels.Entity.Relations.Edges); n == 0 {
			t.Error("as of 2010-03 (inside the year 2010), the 2010 pairing should be active")
		}
	})

	t.Run("shortest and k-shortest paths", func(t *testing.T) {
		var out struct {
			Paths []struct {
				Length    int           `json:"length"`
				Nodes     []entityRef   `json:"nodes"`
				Relations []relationOut `json:"relations"`
			} `json:"paths"`
		}
		q := `query($mode: PathMode, $first: Int) { paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: $mode, first: $first) { length nodes { id } relations { id fromId toId } } }`
		mustGQL(t, base, q, map[string]any{"mode": "SHORTEST"}, &out)
		if len(out.Paths) != 1 {
			t.Fatalf("SHORTEST gave %d paths", len(out.Paths))
		}
		shortest := out.Paths[0].Length
		mustGQL(t, base, q, map[string]any{"mode": "K_SHORTEST", "first": 3}, &out)
		if len(out.Paths) != 3 {
			t.Fatalf("K_SHORTEST 3 gave %d paths", len(out.Paths))
		}
		seen := map[string]bool{}
		for i, p := range out.Paths {
			if p.Length < shortest || (i > 0 && p.Length < out.Paths[i-1].Length) {
				t.Errorf("path %d has length %d (shortest %d): not in order", i, p.Length, shortest)
			}
			if p.Nodes[0].ID != "county:moyu" || p.Nodes[len(p.Nodes)-1].ID != "party_body:ccp-central-committee" || len(p.Nodes) != p.Length+1 {
				t.Errorf("path %d: bad ends or length: %+v", i, p)
			}
			for j, rel := range p.Relations {
				a, b := p.Nodes[j].ID, p.Nodes[j+1].ID
				if !(rel.FromID == a && rel.ToID == b) && !(rel.FromID == b && rel.ToID == a) {
					t.Errorf("path %d step %d: relation %s does not join %s and %s", i, j, rel.ID, a, b)
				}
			}
			key := fmt.Sprint(p.Relations)
			if seen[key] {
				t.Errorf("path %d repeats another", i)
			}
			seen[key] = true
		}
	})

	t.Run("search in English, pinyin and Chinese", func(t *testing.T) {
		for _, tc := range []struct{ text, want, match string }{
			{"Aksu Prefecture", "prefecture:aksu", "EXACT"},
			{"aksu pref", "prefecture:aksu", "PREFIX"},
			{"Shache", "county:shache", ""},
			{"阿克苏", "prefecture:aksu", ""},
			{"阿克苏地区", "prefecture:aksu", "EXACT"},
		} {
			var out struct {
				Search []struct {
					Match  string    `json:"match"`
					Entity entityRef `json:"entity"`
				} `json:"search"`
			}
			mustGQL(t, base, `query($t: String!) { search(text: $t, first: 5) { match entity { id name } } }`, map[string]any{"t": tc.text}, &out)
			if len(out.Search) == 0 || out.Search[0].Entity.ID != tc.want {
				t.Errorf("search %q: first hit %+v, want %s", tc.text, out.Search, tc.want)
				continue
			}
			if tc.match != "" && out.Search[0].Match != tc.match {
				t.Errorf("search %q: match %s, want %s", tc.text, out.Search[0].Match, tc.match)
			}
		}
		// Lucene syntax is matched literally, never interpreted or an error.
		for _, hostile := range []string{`*`, `"unterminated`, `Aksu OR *:*`, `(((`, `\`, `name:Aksu~2^9`, `AND`, `阿克苏 && ||`} {
			status, errs := gql(t, base, `query($t: String!) { search(text: $t) { entity { id } } }`, map[string]any{"t": hostile}, nil)
			if status != http.StatusOK || len(errs) > 0 {
				t.Errorf("search %q: status %d errors %+v", hostile, status, errs)
			}
		}
	})

	t.Run("neighborhood shaped for graph libraries", func(t *testing.T) {
		var out struct {
			Neighborhood struct {
				Truncated bool          `json:"truncated"`
				Nodes     []entityRef   `json:"nodes"`
				Edges     []relationOut `json:"edges"`
			} `json:"neighborhood"`
		}
		mustGQL(t, base, `{ neighborhood(ids: ["prefecture:aksu"], depth: 1) { truncated nodes { id } edges { id fromId toId } } }`, nil, &out)
		ids := map[string]bool{}
		for _, n := range out.Neighborhood.Nodes {
			ids[n.ID] = true
		}
		if !ids["prefecture:aksu"] || !ids["province:zhejiang"] {
			t.Errorf("neighbourhood of Aksu lacks itself or Zhejiang: %v", ids)
		}
		for _, e := range out.Neighborhood.Edges {
			if !ids[e.FromID] || !ids[e.ToID] {
				t.Errorf("edge %s joins a node outside the result", e.ID)
			}
		}
		mustGQL(t, base, `{ neighborhood(ids: ["prefecture:aksu"], depth: 2, limit: 3) { truncated nodes { id } edges { id fromId toId } } }`, nil, &out)
		if !out.Neighborhood.Truncated || len(out.Neighborhood.Nodes) != 3 {
			t.Errorf("limit 3: truncated=%v nodes=%d", out.Neighborhood.Truncated, len(out.Neighborhood.Nodes))
		}
	})

	t.Run("paginated listing, sources and claims", func(t *testing.T) {
		seen := map[string]bool{}
		after := ""
		pages := 0
		for {
			var out struct {
				Entities struct {
					Edges []struct {
						Cursor string    `json:"cursor"`
						Node   entityRef `json:"node"`
					} `json:"edges"`
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"entities"`
			}
			vars := map[string]any{}
			if after != "" {
				vars["after"] = after
			}
			mustGQL(t, base, `query($after: String) { entities(filter: {kinds: [county, prefecture]}, first: 7, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, vars, &out)
			for _, e := range out.Entities.Edges {
				if seen[e.Node.ID] {
					t.Fatalf("entity %s on two pages", e.Node.ID)
				}
				seen[e.Node.ID] = true
			}
			pages++
			if !out.Entities.PageInfo.HasNextPage {
				break
			}
			after = out.Entities.PageInfo.EndCursor
			if pages > 100 {
				t.Fatal("pagination does not end")
			}
		}
		var st struct {
			Stats struct {
				EntitiesByKind []struct {
					Key   string
					Count int
				}
			}
		}
		mustGQL(t, base, `{ stats { entitiesByKind { key count } } }`, nil, &st)
		want := 0
		for _, c := range st.Stats.EntitiesByKind {
			if c.Key == "county" || c.Key == "prefecture" {
				want += c.Count
			}
		}
		if len(seen) != want || pages < 2 {
			t.Errorf("paged through %d counties and prefectures in %d pages, stats say %d", len(seen), pages, want)
		}

		var src struct {
			Source struct {
				ID     string `json:"id"`
				Grade  string `json:"grade"`
				Claims struct {
					Edges []struct {
						Node struct {
							Typename string `json:"__typename"`
							ID       string `json:"id"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"claims"`
			} `json:"source"`
		}
		mustGQL(t, base, `{ source(id: "src:urm-weaponized-development") { id grade claims(first: 100) { edges { node { __typename ... on Entity { id } ... on Relation { id } } } } } }`, nil, &src)
		kinds := map[string]int{}
		for _, e := range src.Source.Claims.Edges {
			kinds[e.Node.Typename]++
		}
		if kinds["Entity"] == 0 || kinds["Relation"] == 0 {
			t.Errorf("the primary report supports %v; want both entities and relations", kinds)
		}
		var node struct {
			Node struct {
				Typename string `json:"__typename"`
			} `json:"node"`
		}
		for id, want := range map[string]string{"prefecture:aksu": "Entity", "src:urm-weaponized-development": "Source", "rel:paired-with:zhejiang--aksu": "Relation"} {
			mustGQL(t, base, `query($id: ID!) { node(id: $id) { __typename } }`, map[string]any{"id": id}, &node)
			if node.Node.Typename != want {
				t.Errorf("node(%s) is a %s, want %s", id, node.Node.Typename, want)
			}
		}
	})

	t.Run("error codes", func(t *testing.T) {
		for _, tc := range []struct {
			name, query, code string
			status            int
		}{
			{"not found", `{ entity(id: "county:no-such-place") { id } }`, "NOT_FOUND", 200},
			{"bad id", `{ entity(id: "Robert'); DROP TABLE") { id } }`, "BAD_USER_INPUT", 200},
			{"bad date", `{ responsibilityChain(id: "county:moyu", asOf: "2010-13") { truncated } }`, "BAD_USER_INPUT", 200},
			{"bad cursor", `{ entities(after: "%%%") { edges { cursor } } }`, "BAD_USER_INPUT", 200},
			{"non-responsibility type in a chain", `{ responsibilityChain(id: "county:moyu", types: [LOCATED_IN]) { truncated } }`, "BAD_USER_INPUT", 200},
			{"unknown field", `{ nosuch }`, "BAD_USER_INPUT", 200},
			{"syntax", `{ entity(id: `, "BAD_USER_INPUT", 200},
			{"first too large", `{ entities(first: 101) { edges { cursor } } }`, "LIMIT_EXCEEDED", 200},
			{"maxDepth too large", `{ responsibilityChain(id: "county:moyu", maxDepth: 13) { truncated } }`, "LIMIT_EXCEEDED", 200},
			{"maxLength too large", `{ paths(from: "county:moyu", to: "prefecture:aksu", maxLength: 9) { length } }`, "LIMIT_EXCEEDED", 200},
			{"K too large", `{ paths(from: "county:moyu", to: "prefecture:aksu", mode: K_SHORTEST, first: 51) { length } }`, "LIMIT_EXCEEDED", 200},
			{"neighbourhood limit too large", `{ neighborhood(ids: ["prefecture:aksu"], limit: 2001) { truncated } }`, "LIMIT_EXCEEDED", 200},
			{"neighbourhood depth too large", `{ neighborhood(ids: ["prefecture:aksu"], depth: 4) { truncated } }`, "LIMIT_EXCEEDED", 200},
			{"search text too long", `{ search(text: "` + strings.Repeat("a", 201) + `") { score } }`, "LIMIT_EXCEEDED", 200},
			{"root field repeated under aliases", "{ " + strings.Repeat("a: stats { entities } ", 1) + aliases(700, "stats { entities }") + " }", "LIMIT_EXCEEDED", 200},
			{"complexity", `{ entities(first: 100) { edges { node { relations(first: 100) { edges { node { from { name } } } } } } } }`, "LIMIT_EXCEEDED", 200},
			{"depth", `{ entity(id: "prefecture:aksu") { relations { edges { node { from { relations { edges { node { to { relations { edges { node { from { id } } } } } } } } } } } } } }`, "LIMIT_EXCEEDED", 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, errs := gql(t, base, tc.query, nil, nil)
				if status != tc.status {
					t.Errorf("status %d, want %d", status, tc.status)
				}
				if len(errs) == 0 {
					t.Fatal("no error")
				}
				if got := errs[0].Extensions["code"]; got != tc.code {
					t.Errorf("code %v, want %s (message %q)", got, tc.code, errs[0].Message)
				}
				for _, e := range errs {
					for _, leak := range []string{"neo4j", "Neo.", "cypher", "MATCH", "goroutine", ".go:"} {
						if strings.Contains(e.Message, leak) {
							t.Errorf("message leaks internals (%q): %s", leak, e.Message)
						}
					}
				}
			})
		}
	})

	t.Run("chain answers and exports are compressed", func(t *testing.T) {
		fetch := func(method, path, body, encoding string) (int, *http.Response) {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if encoding != "" {
				req.Header.Set("Accept-Encoding", encoding)
			}
			resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return len(b), resp
		}
		chain := string(gqlBody(chainQuery, map[string]any{"id": "county:moyu", "dir": "UP", "first": 200}))
		plain, resp := fetch(http.MethodPost, "/graphql", chain, "")
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("compressed without Accept-Encoding: %q", resp.Header.Get("Content-Encoding"))
		}
		zipped, resp := fetch(http.MethodPost, "/graphql", chain, "gzip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || zipped*5 > plain {
			t.Errorf("chain answer: status %d, Content-Encoding %q, %d bytes gzipped of %d", resp.StatusCode, resp.Header.Get("Content-Encoding"), zipped, plain)
		}
		t.Logf("chains up from county:moyu: %d bytes, %d gzipped", plain, zipped)
		plain, _ = fetch(http.MethodGet, "/export/graphml?ids=county:moyu&depth=2", "", "")
		zipped, resp = fetch(http.MethodGet, "/export/graphml?ids=county:moyu&depth=2", "", "gzip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || zipped >= plain {
			t.Errorf("GraphML export: status %d, Content-Encoding %q, %d bytes gzipped of %d", resp.StatusCode, resp.Header.Get("Content-Encoding"), zipped, plain)
		}
		t.Logf("GraphML export around county:moyu: %d bytes, %d gzipped", plain, zipped)
	})

	t.Run("GraphQL over HTTP", func(t *testing.T) {
		// GET for queries.
		resp, err := http.Get(base + "/graphql?query=" + url.QueryEscape(`{ stats { entities } }`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"entities"`) {
			t.Errorf("GET: %d %s", resp.StatusCode, body)
		}
		// The GraphQL-over-HTTP media type, and 400 for a request error with it.
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ nosuch }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
			t.Errorf("graphql-response+json: status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// Request body cap.
		big := `{"query":"{ stats { entities } }","variables":{"x":"` + strings.Repeat("x", 2<<20) + `"}}`
		resp, err = http.Post(base+"/graphql", "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB body: status %d, want 413", resp.StatusCode)
		}
		// Token limit: a huge document is refused before parsing it all.
		huge := "{ " + strings.Repeat("stats { entities } ", 3000) + "}"
		status, errs := gql(t, base, huge, nil, nil)
		if status != 200 || code(errs) != "LIMIT_EXCEEDED" {
			t.Errorf("a %d-token document: status %d, %+v; want 200 LIMIT_EXCEEDED", 3000*5, status, errs)
		}
		// Field suggestions are off.
		_, errs = gql(t, base, `{ stat { entities } }`, nil, nil)
		if len(errs) == 0 || strings.Contains(errs[0].Message, "Did you mean") {
			t.Errorf("suggestion given: %+v", errs)
		}
		// Introspection on by default.
		var intro struct {
			Schema struct {
				QueryType struct{ Name string } `json:"queryType"`
			} `json:"__schema"`
		}
		mustGQL(t, base, `{ __schema { queryType { name } } }`, nil, &intro)
		if intro.Schema.QueryType.Name != "Query" {
			t.Errorf("introspection: %+v", intro)
		}
	})
}

func TestIntrospectionCanBeTurnedOff(t *testing.T) {
	r := MustServeSeeds(t, map[string]string{"AIDTRACE_INTROSPECTION": "false"}, nil)
	_, errs := gql(t, r.URL, `{ __schema { queryType { name } } }`, nil, nil)
	if len(errs) == 0 {
		t.Error("introspection answered with AIDTRACE_INTROSPECTION=false")
	}
	mustGQL(t, r.URL, `{ stats { entities } }`, nil, nil)
}

// TestExports fetches each export format over HTTP and parses it back.
func TestExports(t *testing.T) {
	r := MustServeSeeds(t, nil, nil)
	var hood struct {
		Neighborhood struct {
			Nodes []entityRef   `json:"nodes"`
			Edges []relationOut `json:"edges"`
		} `json:"neighborhood"`
	}
	mustGQL(t, r.URL, `{ neighborhood(ids: ["prefecture:aksu"], depth: 1, limit: 2000) { nodes { id } edges { id } } }`, nil, &hood)
	wantNodes, wantEdges := len(hood.Neighborhood.Nodes), len(hood.Neighborhood.Edges)

	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(r.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	t.Run("graphml", func(t *testing.T) {
		resp, body := get("/export/graphml?ids=prefecture:aksu&depth=1")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphml+xml") {
			t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var doc struct {
			Graph struct {
				Nodes []struct {
					ID string `xml:"id,attr"`
				} `xml:"node"`
				Edges []struct {
					ID string `xml:"id,attr"`
				} `xml:"edge"`
			} `xml:"graph"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("not XML: %v", err)
		}
		if len(doc.Graph.Nodes) != wantNodes || len(doc.Graph.Edges) != wantEdges {
			t.Errorf("graphml: %d nodes %d edges, GraphQL says %d and %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), wantNodes, wantEdges)
		}
		if !strings.Contains(string(body), "阿克苏地区") {
			t.Error("Chinese name lost")
		}
	})

	t.Run("gexf of a chain", func(t *testing.T) {
		resp, body := get("/export/gexf?chain=county:moyu&direction=UP")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var doc struct {
			Graph struct {
				Nodes struct {
					Node []struct {
						ID string `xml:"id,attr"`
					} `xml:"node"`
				} `xml:"nodes"`
				Edges struct {
					Edge []struct {
						Label string `xml:"label,attr"`
					} `xml:"edge"`
				} `xml:"edges"`
			} `xml:"graph"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("not XML: %v", err)
		}
		ids := map[string]bool{}
		for _, n := range doc.Graph.Nodes.Node {
			ids[n.ID] = true
		}
		if !ids["county:moyu"] || !ids["party_body:ccp-central-committee"] || len(doc.Graph.Edges.Edge) == 0 {
			t.Errorf("chain export lacks its root, the Central Committee or edges: %d nodes, %d edges", len(ids), len(doc.Graph.Edges.Edge))
		}
	})

	t.Run("csv zip", func(t *testing.T) {
		resp, body := get("/export/csv?ids=prefecture:aksu")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]int{}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".csv") {
				continue
			}
			rc, _ := f.Open()
			recs, err := csv.NewReader(rc).ReadAll()
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			rows[f.Name] = len(recs) - 1
		}
		if rows["nodes.csv"] != wantNodes || rows["edges.csv"] != wantEdges || rows["sources.csv"] == 0 {
			t.Errorf("csv rows %v; want %d nodes, %d edges, some sources", rows, wantNodes, wantEdges)
		}
	})

	t.Run("cytoscape json of paths", func(t *testing.T) {
		resp, body := get("/export/cytoscape?from=county:moyu&to=party_body:ccp-central-committee")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var doc struct {
			Elements struct {
				Nodes []struct{ Data map[string]any } `json:"nodes"`
				Edges []struct{ Data map[string]any } `json:"edges"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Elements.Nodes) < 2 || len(doc.Elements.Edges) < 1 {
			t.Errorf("paths export: %d nodes %d edges", len(doc.Elements.Nodes), len(doc.Elements.Edges))
		}
		for _, e := range doc.Elements.Edges {
			if e.Data["source"] == nil || e.Data["target"] == nil || e.Data["citations"] == nil {
				t.Errorf("edge without source, target or citations: %v", e.Data)
			}
		}
	})

	t.Run("command line", func(t *testing.T) {
		out := t.TempDir() + "/aksu.gexf"
		env := dbEnv(t)
		var stderr bytes.Buffer
		m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(t.Context(), []string{"export", "--format", "gexf", "--ids", "prefecture:aksu", "--depth", "1", "--out", out}); code != 0 {
			t.Fatalf("export: exit %d\n%s", code, stderr.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "<node "); n != wantNodes {
			t.Errorf("CLI export has %d nodes, want %d", n, wantNodes)
		}
	})

	t.Run("ftm of the whole seed graph", func(t *testing.T) {
		resp, body := get("/export/ftm")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("status %d type %q: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var stats struct {
			Stats struct{ Entities, Relations int } `json:"stats"`
		}
		mustGQL(t, r.URL, `{ stats { entities relations } }`, nil, &stats)
		rep := exporttest.CheckFtM(t, body)[0]
		for _, e := range rep.Errors {
			t.Errorf("followthemoney: line %d (%s): %s", e.Line, e.ID, e.Problem)
		}
		if want := stats.Stats.Entities + stats.Stats.Relations; rep.Entities != want {
			t.Errorf("followthemoney read %d entities, want %d entities and relations", rep.Entities, want)
		}
		t.Logf("FtM schemata of the seed graph: %v", rep.Schemata)
	})

	t.Run("element list", func(t *testing.T) {
		// What the explorer draws for a chain, less one edge, with positions
		// and colours: each format must hold exactly that.
		resp, body := get("/export/cytoscape?chain=county:moyu&direction=UP")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var chain struct {
			Elements struct {
				Nodes []struct{ Data struct{ ID string } } `json:"nodes"`
				Edges []struct{ Data struct{ ID string } } `json:"edges"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(body, &chain); err != nil {
			t.Fatal(err)
		}
		type node struct {
			ID    string  `json:"id"`
			X     float64 `json:"x"`
			Y     float64 `json:"y"`
			Color string  `json:"color"`
		}
		type edge struct {
			ID string `json:"id"`
		}
		var list struct {
			Nodes  []node `json:"nodes"`
			Edges  []edge `json:"edges"`
			Title  string `json:"title"`
			AsOf   string `json:"asOf"`
			View   string `json:"view"`
			Entity string `json:"entity"`
			Mode   string `json:"mode"`
		}
		for i, n := range chain.Elements.Nodes {
			list.Nodes = append(list.Nodes, node{ID: n.Data.ID, X: float64(i * 40), Y: float64(-i * 25), Color: "#1b9e77"})
		}
		for _, e := range chain.Elements.Edges[1:] {
			list.Edges = append(list.Edges, edge{ID: e.Data.ID})
		}
		if len(list.Nodes) < 3 || len(list.Edges) < 2 {
			t.Fatalf("the chain is too small to test with: %d nodes, %d edges", len(list.Nodes), len(list.Edges))
		}
		list.Title, list.AsOf, list.View, list.Entity, list.Mode = "Moyu up", "2019", r.URL+"/?mode=up&id=county:moyu", "county:moyu", "chain-up"
		reqBody, _ := json.Marshal(list)
		post := func(format string) ([]byte, string) {
			t.Helper()
			resp, err := http.Post(r.URL+"/export/"+format, "application/json", bytes.NewReader(reqBody))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("POST %s: %d %s", format, resp.StatusCode, b)
			}
			return b, resp.Header.Get("Content-Disposition")
		}
		wantNodes := map[string]node{}
		for _, n := range list.Nodes {
			wantNodes[n.ID] = n
		}
		wantEdges := map[string]bool{}
		for _, e := range list.Edges {
			wantEdges[e.ID] = true
		}
		b, disp := post("graphml")
		if want := `attachment; filename=aidtrace_county-moyu_chain-up_2019.graphml`; disp != want {
			t.Errorf("Content-Disposition %q, want %q", disp, want)
		}
		gml := exporttest.ReadNetworkX(t, "graphml", b)
		b, _ = post("gexf")
		gexf := exporttest.ReadNetworkX(t, "gexf", b)
		for name, g := range map[string]*exporttest.NetworkX{"graphml": gml, "gexf": gexf} {
			if len(g.Nodes) != len(wantNodes) || len(g.Edges) != len(wantEdges) {
				t.Errorf("%s: %d nodes, %d edges; drawn %d, %d", name, len(g.Nodes), len(g.Edges), len(wantNodes), len(wantEdges))
			}
			for id := range g.Nodes {
				if _, ok := wantNodes[id]; !ok {
					t.Errorf("%s: node %s was not drawn", name, id)
				}
			}
			for _, e := range g.Edges {
				if !wantEdges[e.Key] {
					t.Errorf("%s: edge %s was not drawn", name, e.Key)
				}
			}
		}
		for id, n := range wantNodes {
			if x := gml.Nodes[id]["x"]; x != fmt.Sprint(n.X-15) {
				t.Errorf("graphml: node %s at x=%v, drawn at %v (yEd: the corner)", id, x, n.X)
			}
			viz, _ := gexf.Nodes[id]["viz"].(map[string]any)
			pos, _ := viz["position"].(map[string]any)
			if pos == nil || pos["x"] != n.X || pos["y"] != -n.Y {
				t.Errorf("gexf: node %s at %v, drawn at %v, %v", id, pos, n.X, n.Y)
			}
		}
		if gml.Graph["title"] != "Moyu up" || gml.Graph["asOf"] != "2019" || gml.Graph["view"] != list.View {
			t.Errorf("graphml header %v", gml.Graph)
		}
		b, _ = post("cytoscape")
		cy := exporttest.ReadCytoscape(t, b)
		if len(cy.Problems) > 0 || len(cy.Nodes) != len(wantNodes) || len(cy.Edges) != len(wantEdges) {
			t.Errorf("cytoscape: %d nodes, %d edges, problems %q", len(cy.Nodes), len(cy.Edges), cy.Problems)
		}
		for id, n := range cy.Nodes {
			if w := wantNodes[id]; n.Position["x"] != w.X || n.Position["y"] != w.Y || n.Color != "rgb(27,158,119)" {
				t.Errorf("cytoscape: node %s at %v in %s, drawn at %v, %v in %s", id, n.Position, n.Color, w.X, w.Y, w.Color)
			}
		}
		b, _ = post("csv-edges")
		rows := strings.Count(string(b), "\n") - 1
		if rows != len(wantEdges) {
			t.Errorf("csv-edges: %d rows, drawn %d edges", rows, len(wantEdges))
		}
	})

	t.Run("command line parameters", func(t *testing.T) {
		user, password := neo4jtest.Auth(t)
		env := map[string]string{"NEO4J_URI": neo4jtest.URI(t), "NEO4J_USER": user, "NEO4J_PASSWORD": password}
		run := func(args ...string) (int, string, string) {
			var stdout, stderr bytes.Buffer
			m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
			code := m.Run(t.Context(), append([]string{"export"}, args...))
			return code, stdout.String(), stderr.String()
		}
		// The same parameters and checks as /export: a direction that is
		// neither UP nor DOWN was read as UP before.
		for _, args := range [][]string{
			{"--format", "cytoscape", "--chain", "county:moyu", "--direction", "sideways"},
			{"--format", "cytoscape", "--ids", "county:moyu", "--ids", "county:hotan"},
			{"--format", "cytoscape", "--ids", "county:moyu", "--direction", "DOWN"},
		} {
			if code, _, stderr := run(args...); code == 0 {
				t.Errorf("export %q succeeded; stderr %s", args, stderr)
			}
		}
		code, up, stderr := run("--format", "cytoscape", "--chain", "county:moyu", "--direction", "up")
		if code != 0 || !strings.Contains(up, `"party_body:ccp-central-committee"`) {
			t.Errorf("chain up: exit %d, %s", code, stderr)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for path, want := range map[string]int{
			"/export/pdf?ids=prefecture:aksu":                     400,
			"/export/graphml?ids=county:no-such":                  404,
			"/export/graphml?ids=prefecture:aksu&asOf=2010-13":    400,
			"/export/graphml?ids=prefecture:aksu&depth=9":         400,
			"/export/graphml?from=county:moyu":                    400,
			"/export/graphml?ids=prefecture:aksu&colour=red":      400,
			"/export/graphml?ids=prefecture:aksu&ids=county:moyu": 400,
		} {
			resp, body := get(path)
			if resp.StatusCode != want || !strings.Contains(string(body), `"code"`) {
				t.Errorf("GET %s: %d %s, want %d with a code", path, resp.StatusCode, body, want)
			}
		}
	})
}

// aliases repeats a field under n aliases.
func aliases(n int, field string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

// TestNoNPlusOne counts Cypher round trips for nested queries of every root
// shape: one statement per root field, whatever the nesting and however
// many results there are. The fallback loaders' batch window is 1µs, so a
// field the planner missed would show as more round trips, never as a
// lucky batch.
func TestNoNPlusOne(t *testing.T) {
	var queries atomic.Int64
	var names sync.Map
	r := MustServeSeeds(t, map[string]string{"AIDTRACE_BATCH_WAIT": "1us"}, func(s *neo4jstore.Store) {
		s.AddQueryObserver(func(name string, _ time.Duration, _ error) {
			queries.Add(1)
			n, _ := names.LoadOrStore(name, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		})
	})
	const (
		rel  = `relations(first: $n) { edges { node { type from { name } to { name } citations { source { title } } } } }`
		cite = `citations { source { grade } }`
		// everything a relation can nest: ends, sources of citations and
		// quantities, counter-claims and who makes them, history
		relAll = `relations(first: $n) { edges { node { from { name ` + cite + ` } to { name counterClaims { by { name } } }
  citations { source { title claims(first: 2) { edges { node { ... on Entity { name } ... on Relation { from { name } } } } } } }
  quantities { source { title } } counterClaims { by { name } citations { source { grade } } } history { at } } } }`
	)
	for _, c := range []struct {
		name         string
		query        string
		small, large int
		// roots is the number of root fields: one statement each.
		roots int
		// vars are more variables, as a client may send them.
		vars map[string]any
	}{
		// entities, their relations, the relations' ends, all cited sources
		{"entities", `query($n: Int) { entities(first: $n) { edges { node { id ` + strings.Replace(rel, "$n", "10", 1) + ` ` + cite + ` } } } }`, 5, 100, 1, nil},
		// the entity, its relations with everything they nest, its own counter-claims, quantities' sources, history
		{"entity", `query($n: Int) { entity(id: "prefecture:aksu") { id ` + relAll + ` ` + cite + ` quantities { source { id } } counterClaims { id } history { at } } }`, 2, 60, 1, nil},
		{"node, entity", `query($n: Int) { node(id: "prefecture:aksu") { ... on Entity { ` + rel + ` } } }`, 2, 60, 1, nil},
		// relations of relations of relations
		{"node, relation", `query($n: Int) { node(id: "rel:part-of:aksu--xinjiang") { ... on Relation { to { relations(first: $n) { edges { node { from { relations(first: 3) { edges { node { to { name } } } } } } } } } } } }`, 2, 60, 1, nil},
		{"node, source", `query($n: Int) { node(id: "src:urm-weaponized-development") { ... on Source { claims(first: $n) { edges { node { ... on Entity { ` + strings.Replace(rel, "$n", "3", 1) + ` } ... on Relation { from { name } to { name } } } } } } } }`, 2, 60, 1, nil},
		{"node, counter-claim", `query($n: Int) { node(id: "cc:taekwang-third-party-audit") { ... on CounterClaim { by { ` + rel + ` } citations { source { claims(first: $n) { edges { node { ... on Relation { from { name } } } } } } } } } }`, 2, 30, 1, nil},
		// the same with argument forms gqlgen coerces: one enum value for
		// a list, an Int sent as a JSON string
		{"counties, coerced arguments", `query($n: Int, $t: [RelationType!], $f: Int) { entities(filter: {kinds: [county]}, first: $n) { edges { node { id relations(types: $t, first: $f) { edges { node { from { name } to { name } } } } } } } }`, 3, 30, 1,
			map[string]any{"t": "PART_OF", "f": "10"}},
		{"counties, one type as a literal", `query($n: Int) { entities(filter: {kinds: [county]}, first: $n) { edges { node { id relations(types: PART_OF, first: 5) { edges { node { to { name } } } } } } } }`, 3, 30, 1, nil},
		// the search, relations, ends, sources
		{"search", `query($n: Int) { search(text: "Aksu", first: $n) { entity { ` + strings.Replace(rel, "$n", "10", 1) + ` ` + cite + ` } } }`, 1, 20, 1, nil},
		// chains up and down: the root, hop entities with nested selections, hop relations
		{"chain", `query($n: Int) { responsibilityChain(id: "county:moyu", first: $n) { root { name } chains { end { name } hops { upper { name ` + cite + ` } lower { name } relation { citations { source { title } } counterClaims { id } } } } } }`, 1, 50, 1, nil},
		{"chain down", `query($n: Int) { responsibilityChain(id: "province:zhejiang", direction: DOWN, first: $n) { chains { end { name relations(first: 2) { edges { node { id } } } } hops { upper { id } lower { id } relation { from { name } } } } } }`, 1, 30, 1, nil},
		// exposure: root, link targets, step ends, relations with counter-claims
		{"exposure", `query($n: Int) { exposure(id: "buyer:nike", first: $n) { root { name } links { target { name ` + cite + ` } steps { start { name } end { name } relation { from { name } counterClaims { by { name } } citations { source { title } } } } } } }`, 1, 11, 1, nil},
		// the paths, their nodes, the relations' ends and sources
		{"paths", `query($n: Int) { paths(from: "county:moyu", to: "prefecture:aksu", mode: K_SHORTEST, maxLength: 4, first: $n) { nodes { name ` + cite + ` } relations { from { name } citations { source { title } } } } }`, 1, 10, 1, nil},
		{"paths, both ways", `query($n: Int) { paths(from: "factory:qingdao-taekwang-shoes", to: "party_body:ccp-central-committee", mode: K_SHORTEST, maxLength: 8, first: $n, responsibilityOnly: true) { nodes { name } relations { counterClaims { id } } } }`, 1, 7, 1, nil},
		// the listing, the claims of every listed source, the claimed relations' from-ends
		{"sources", `query($n: Int) { sources(first: $n) { edges { node { id history { at } claims(first: 5) { edges { node { ... on Entity { name } ... on Relation { type from { name } } } } } } } } }`, 2, 60, 1, nil},
		// the source, its claims, the claims' history (entities and relations)
		{"source", `query($n: Int) { source(id: "src:urm-weaponized-development") { title claims(first: $n) { edges { node { ... on Entity { id history { at } } ... on Relation { id history { at } } } } } } }`, 2, 60, 1, nil},
		// the neighbourhood (nodes and edges), the nodes' relations, their ends, sources
		{"neighborhood", `query($n: Int) { neighborhood(ids: ["prefecture:aksu"], depth: 2, limit: $n) { nodes { name ` + cite + ` relations(first: 3) { edges { node { to { name } } } } } edges { from { name } ` + cite + ` } } }`, 3, 150, 1, nil},
		// two root fields: two statements
		{"two roots", `query($n: Int) { a: entity(id: "county:moyu") { ` + rel + ` } b: responsibilityChain(id: "county:moyu", first: $n) { chains { end { name } } } }`, 1, 50, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			count := func(n int) (int64, string, int) {
				queries.Store(0)
				names.Clear()
				var data json.RawMessage
				vars := map[string]any{"n": n}
				maps.Copy(vars, c.vars)
				mustGQL(t, r.URL, c.query, vars, &data)
				var seen []string
				names.Range(func(k, v any) bool {
					seen = append(seen, fmt.Sprintf("%s×%d", k, v.(*atomic.Int64).Load()))
					return true
				})
				sort.Strings(seen)
				return queries.Load(), strings.Join(seen, " "), len(data)
			}
			small, sn, sbytes := count(c.small)
			large, ln, lbytes := count(c.large)
			if lbytes < 2*sbytes {
				t.Errorf("first %d answered %d bytes, first %d %d: the larger query must return more to show anything", c.small, sbytes, c.large, lbytes)
			}
			if small != int64(c.roots) || large != int64(c.roots) {
				t.Errorf("round trips: %d for first %d (%s), %d for %d (%s); want %d for both (one per root field)",
					small, c.small, sn, large, c.large, ln, c.roots)
			}
		})
	}
}
