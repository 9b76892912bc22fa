package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/memstore"
	"github.com/aidtrace/aidtrace/internal/server"
)

// The GraphQL layer through gqlgen's in-process client, over the whole
// HTTP handler (error presenter, limits), on the seeds in the in-memory
// store. Answers are compared with the store's own plain reads, so the
// test checks that the API translates and plans them faithfully.

var (
	seedsOnce sync.Once
	seeds     *domain.Dataset
)

// mustSeedStore is a fresh in-memory store holding the seeds (parsed and
// checked once per test binary).
func mustSeedStore(t testing.TB) *memstore.Store {
	t.Helper()
	seedsOnce.Do(func() {
		p, probs := ingest.Check([]string{"../../seeds"})
		if len(probs) == 0 {
			seeds = &p.Dataset
		}
	})
	if seeds == nil {
		t.Fatal("the seeds do not check: run aidtrace validate seeds")
	}
	return memstore.New(seeds)
}

// gqlClient serves the API on read (and write, when it is a WriteService
// too) in process.
func gqlClient(t testing.TB, read domain.ReadService, cfg server.Config) *client.Client {
	t.Helper()
	r := &graph.Resolver{Read: read}
	if w, ok := read.(domain.WriteService); ok {
		r.Write = w
	}
	cfg.Extensions = []graphql.HandlerExtension{graph.Loaders{R: r}}
	srv := server.New(cfg, generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return client.New(srv.Handler(), client.Path("/graphql"))
}

// gqlError is one error of an answer.
type gqlError struct {
	Message    string
	Path       []any
	Extensions struct{ Code string }
}

// query runs q and returns the decoded data and errors.
func query(t *testing.T, c *client.Client, q string, data any) []gqlError {
	t.Helper()
	raw, err := c.RawPost(q)
	if err != nil {
		// An answer other than 200 (503 for UNAVAILABLE) comes back as
		// the error "http <status>: <body>".
		_, body, ok := strings.Cut(err.Error(), ": ")
		raw = &client.Response{}
		if !ok || !strings.HasPrefix(err.Error(), "http ") || json.Unmarshal([]byte(body), raw) != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var errs []gqlError
	if len(raw.Errors) > 0 {
		if err := json.Unmarshal(raw.Errors, &errs); err != nil {
			t.Fatalf("%s: errors: %v", q, err)
		}
	}
	b, err := json.Marshal(raw.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, data); err != nil {
		t.Fatalf("%s: data: %v\n%s", q, err, b)
	}
	return errs
}

func mustQuery(t *testing.T, c *client.Client, q string, data any) {
	t.Helper()
	if errs := query(t, c, q, data); len(errs) > 0 {
		t.Fatalf("%s: errors %+v", q, errs)
	}
}

type idOnly struct{ ID string }

// plannedQuery is mustQuery that also fails when the query left any read
// to the fallback loaders (every read is planned into one statement).
func plannedQuery(t *testing.T, s *memstore.Store, c *client.Client, q string, data any) {
	t.Helper()
	before := s.PlainReads.Load()
	mustQuery(t, c, q, data)
	if n := s.PlainReads.Load() - before; n != 0 {
		t.Errorf("%s: left %d batch reads to the loaders", q, n)
	}
}

func TestGraphQLRootFieldsOnTheSeeds(t *testing.T) {
	ctx := context.Background()
	s := mustSeedStore(t)
	c := gqlClient(t, s, server.Config{})

	t.Run("entity with nested relations and sources", func(t *testing.T) {
		var got struct {
			Entity struct {
				ID, Name  string
				Citations []struct{ Source struct{ ID, Grade string } }
				Relations struct {
					Edges []struct {
						Node struct {
							ID   string
							From struct{ ID, Name string }
							To   idOnly
						}
					}
					PageInfo struct{ HasNextPage bool }
				}
			}
		}
		plannedQuery(t, s, c, `{ entity(id: "buyer:nike") { id name citations { source { id grade } }
			relations(first: 3, direction: IN) { edges { node { id from { id name } to { id } } } pageInfo { hasNextPage } } } }`, &got)
		e, _ := s.Entity(ctx, "buyer:nike")
		if got.Entity.ID != e.ID || got.Entity.Name != e.Name || len(got.Entity.Citations) != len(e.Citations) {
			t.Errorf("entity %+v, want %s %q with %d citations", got.Entity, e.ID, e.Name, len(e.Citations))
		}
		for i, ct := range got.Entity.Citations {
			src, _ := s.SourcesByID(ctx, []string{e.Citations[i].SourceID})
			if ct.Source.ID != e.Citations[i].SourceID || ct.Source.Grade != string(src[ct.Source.ID].Grade) {
				t.Errorf("citation %d: %+v", i, ct.Source)
			}
		}
		want, _ := s.RelationPages(ctx, domain.RelationQuery{IDs: []string{"buyer:nike"}, Direction: domain.Incoming}, 3, "")
		page := want["buyer:nike"]
		if len(got.Entity.Relations.Edges) != len(page.Relations) || got.Entity.Relations.PageInfo.HasNextPage != page.HasNext || len(page.Relations) == 0 {
			t.Fatalf("relations %+v, want %+v", got.Entity.Relations, page)
		}
		for i, ed := range got.Entity.Relations.Edges {
			r := page.Relations[i]
			from, _ := s.Entity(ctx, r.From)
			if ed.Node.ID != r.ID || ed.Node.From.ID != r.From || ed.Node.From.Name != from.Name || ed.Node.To.ID != "buyer:nike" {
				t.Errorf("relation %d: %+v, want %s %s->%s", i, ed.Node, r.ID, r.From, r.To)
			}
		}
	})

	t.Run("node, source and its claims", func(t *testing.T) {
		ss, _, _ := s.Sources(ctx, "A", 1, "")
		if len(ss) != 1 {
			t.Fatal("no grade-A source in the seeds")
		}
		var got struct {
			Node struct {
				ID, Grade string
				Claims    struct {
					Edges []struct {
						Node struct {
							ID       string
							Typename string `json:"__typename"`
						}
					}
				}
			}
			Source struct{ Title string }
		}
		plannedQuery(t, s, c, fmt.Sprintf(`{ node(id: %q) { ... on Source { id grade claims(first: 5) { edges { node { __typename ... on Entity { id } ... on Relation { id } } } } } }
			source(id: %[1]q) { title } }`, ss[0].ID), &got)
		claims, _ := s.ClaimPages(ctx, []string{ss[0].ID}, 5, "")
		if got.Node.ID != ss[0].ID || got.Node.Grade != "A" || got.Source.Title != ss[0].Title {
			t.Errorf("source %+v %+v, want %+v", got.Node, got.Source, ss[0])
		}
		want := claims[ss[0].ID].Claims
		if len(got.Node.Claims.Edges) != len(want) || len(want) == 0 {
			t.Fatalf("%d claims, want %d", len(got.Node.Claims.Edges), len(want))
		}
		for i, ed := range got.Node.Claims.Edges {
			typ := "Relation"
			if want[i].Entity != nil {
				typ = "Entity"
			}
			if ed.Node.ID != want[i].ID() || ed.Node.Typename != typ {
				t.Errorf("claim %d: %+v, want %s %s", i, ed.Node, typ, want[i].ID())
			}
		}
	})

	t.Run("entities, sources, stats, relationTypes", func(t *testing.T) {
		var got struct {
			Entities struct {
				Edges    []struct{ Node struct{ ID, Kind string } }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
			Sources       struct{ Edges []struct{ Node idOnly } }
			Stats         struct{ Entities, Relations, Sources int }
			RelationTypes []struct{ Name string }
		}
		plannedQuery(t, s, c, `{ entities(filter: {kinds: [factory]}, first: 4) { edges { node { id kind } } pageInfo { hasNextPage endCursor } }
			sources(grade: B, first: 3) { edges { node { id } } } stats { entities relations sources } relationTypes { name } }`, &got)
		es, more, _ := s.Entities(ctx, domain.EntityFilter{Kinds: []domain.Kind{"factory"}}, 4, "")
		if len(got.Entities.Edges) != len(es) || got.Entities.PageInfo.HasNextPage != more || len(es) == 0 {
			t.Fatalf("entities %+v, want %d (more %v)", got.Entities, len(es), more)
		}
		for i, ed := range got.Entities.Edges {
			if ed.Node.ID != es[i].ID || ed.Node.Kind != "factory" {
				t.Errorf("entity %d: %+v, want %s", i, ed.Node, es[i].ID)
			}
		}
		// The next page starts after the last.
		var next struct {
			Entities struct{ Edges []struct{ Node idOnly } }
		}
		plannedQuery(t, s, c, fmt.Sprintf(`{ entities(filter: {kinds: [factory]}, first: 1, after: %q) { edges { node { id } } } }`, got.Entities.PageInfo.EndCursor), &next)
		es2, _, _ := s.Entities(ctx, domain.EntityFilter{Kinds: []domain.Kind{"factory"}}, 1, es[len(es)-1].ID)
		if len(next.Entities.Edges) != 1 || next.Entities.Edges[0].Node.ID != es2[0].ID {
			t.Errorf("next page %+v, want %s", next.Entities.Edges, es2[0].ID)
		}
		srcs, _, _ := s.Sources(ctx, "B", 3, "")
		for i, ed := range got.Sources.Edges {
			if ed.Node.ID != srcs[i].ID {
				t.Errorf("source %d: %s, want %s", i, ed.Node.ID, srcs[i].ID)
			}
		}
		st, _ := s.Stats(ctx)
		if got.Stats.Entities != st.Entities || got.Stats.Relations != st.Relations || got.Stats.Sources != st.Sources || st.Entities == 0 {
			t.Errorf("stats %+v, want %+v", got.Stats, st)
		}
		if len(got.RelationTypes) != len(domain.RelationTypes()) {
			t.Errorf("%d relation types, want %d", len(got.RelationTypes), len(domain.RelationTypes()))
		}
	})

	t.Run("search", func(t *testing.T) {
		var got struct {
			Search []struct {
				Entity idOnly
				Match  string
			}
		}
		plannedQuery(t, s, c, `{ search(text: "Nike", first: 3) { entity { id } match } }`, &got)
		if len(got.Search) == 0 || got.Search[0].Entity.ID != "buyer:nike" || got.Search[0].Match != "EXACT" {
			t.Errorf("search Nike: %+v", got.Search)
		}
	})

	t.Run("responsibility chain up", func(t *testing.T) {
		const root = "factory:qingdao-taekwang-shoes"
		var got struct {
			ResponsibilityChain struct {
				Root       idOnly
				TotalCount int
				Chains     []struct {
					Hops []struct {
						Relation     struct{ ID, Type, Strength string }
						Upper, Lower idOnly
					}
					End      idOnly
					Complete bool
					Strength string
				}
			}
		}
		plannedQuery(t, s, c, `{ responsibilityChain(id: "`+root+`", direction: UP, first: 5) { root { id } totalCount
			chains { hops { relation { id type strength } upper { id } lower { id } } end { id } complete strength } } }`, &got)
		want, err := s.Chains(ctx, domain.ChainQuery{ID: root, Up: true, MaxDepth: 8, First: 5})
		if err != nil {
			t.Fatal(err)
		}
		res := got.ResponsibilityChain
		if res.Root.ID != root || res.TotalCount != want.Total || len(res.Chains) != len(want.Chains) || want.Total == 0 {
			t.Fatalf("chains: root %s, total %d, %d on the page; want %d, %d", res.Root.ID, res.TotalCount, len(res.Chains), want.Total, len(want.Chains))
		}
		for i, ch := range res.Chains {
			w := want.Chains[i]
			if ch.End.ID != w.End || ch.Complete != w.Complete || ch.Strength != w.Strength.String() || len(ch.Hops) != len(w.Hops) {
				t.Errorf("chain %d: %+v, want %+v", i, ch, w)
				continue
			}
			lower := root
			for j, h := range ch.Hops {
				// Each hop starts where the one before ended, going up.
				if h.Relation.ID != w.Hops[j].Relation.ID || h.Lower.ID != lower || h.Upper.ID != w.Hops[j].Upper {
					t.Errorf("chain %d hop %d: %+v", i, j, h)
				}
				lower = h.Upper.ID
			}
		}
	})

	t.Run("exposure and paths", func(t *testing.T) {
		var got struct {
			Exposure struct {
				TotalCount int
				Links      []struct {
					Target idOnly
					Reason string
					Steps  []struct {
						Relation   idOnly
						Start, End idOnly
					}
				}
			}
		}
		plannedQuery(t, s, c, `{ exposure(id: "buyer:nike", first: 3) { totalCount links { target { id } reason steps { relation { id } start { id } end { id } } } } }`, &got)
		want, _ := s.Exposure(ctx, domain.ExposureQuery{ID: "buyer:nike", First: 3})
		if got.Exposure.TotalCount != want.Total || len(got.Exposure.Links) != len(want.Links) || want.Total == 0 {
			t.Fatalf("exposure: %d links of %d, want %d of %d", len(got.Exposure.Links), got.Exposure.TotalCount, len(want.Links), want.Total)
		}
		for i, l := range got.Exposure.Links {
			w := want.Links[i]
			if l.Target.ID != w.Target || l.Reason != string(w.Reason) || len(l.Steps) != len(w.Steps) || l.Steps[0].Start.ID != "buyer:nike" {
				t.Errorf("link %d: %+v, want %+v", i, l, w)
			}
		}
		// A path from the buyer to the first link's target, through any relation.
		target := want.Links[0].Target
		var paths struct {
			Paths []struct {
				Length    int
				Nodes     []idOnly
				Relations []struct {
					ID       string
					From, To idOnly
				}
			}
		}
		plannedQuery(t, s, c, fmt.Sprintf(`{ paths(from: "buyer:nike", to: %q, maxLength: 8) { length nodes { id } relations { id from { id } to { id } } } }`, target), &paths)
		wp, _ := s.Paths(ctx, domain.PathQuery{From: "buyer:nike", To: target, Mode: domain.PathShortest, MaxLength: 8, First: 5, Direction: domain.PathAny})
		if len(paths.Paths) != 1 || len(wp) != 1 || paths.Paths[0].Length != len(wp[0].Relations) {
			t.Fatalf("paths %+v, want %+v", paths.Paths, wp)
		}
		p := paths.Paths[0]
		if p.Nodes[0].ID != "buyer:nike" || p.Nodes[len(p.Nodes)-1].ID != target || len(p.Nodes) != p.Length+1 {
			t.Errorf("path nodes %+v", p.Nodes)
		}
		for i, r := range p.Relations {
			// Relation i joins node i and node i+1, either way.
			ends := []string{r.From.ID, r.To.ID}
			if !slices.Contains(ends, p.Nodes[i].ID) || !slices.Contains(ends, p.Nodes[i+1].ID) {
				t.Errorf("relation %d %s does not join %s and %s", i, r.ID, p.Nodes[i].ID, p.Nodes[i+1].ID)
			}
		}
	})

	t.Run("neighborhood", func(t *testing.T) {
		var got struct {
			Neighborhood struct {
				Nodes []idOnly
				Edges []struct {
					ID       string
					From, To idOnly
				}
				Truncated bool
			}
		}
		plannedQuery(t, s, c, `{ neighborhood(ids: ["buyer:nike"], depth: 1, limit: 50) { nodes { id } edges { id from { id } to { id } } truncated } }`, &got)
		want, _ := s.Neighborhood(ctx, domain.SubgraphQuery{IDs: []string{"buyer:nike"}, Depth: 1, Limit: 50})
		n := got.Neighborhood
		if len(n.Nodes) != len(want.Entities) || len(n.Edges) != len(want.Relations) || n.Truncated != want.Truncated || len(n.Edges) == 0 {
			t.Fatalf("neighbourhood: %d nodes, %d edges; want %d, %d", len(n.Nodes), len(n.Edges), len(want.Entities), len(want.Relations))
		}
		in := map[string]bool{}
		for _, e := range n.Nodes {
			in[e.ID] = true
		}
		for _, e := range n.Edges {
			if !in[e.From.ID] || !in[e.To.ID] {
				t.Errorf("edge %s joins %s and %s, not both among the nodes", e.ID, e.From.ID, e.To.ID)
			}
		}
	})
}

func TestGraphQLArgumentErrors(t *testing.T) {
	s := mustSeedStore(t)
	c := gqlClient(t, s, server.Config{})
	for _, tc := range []struct{ name, query, code string }{
		{"malformed entity id", `{ entity(id: "not an id") { id } }`, domain.EBADINPUT},
		{"unknown entity", `{ entity(id: "county:no-such-county") { id } }`, domain.ENOTFOUND},
		{"unknown source", `{ source(id: "src:no-such-source") { id } }`, domain.ENOTFOUND},
		{"page too large", `{ entities(first: 1000) { edges { node { id } } } }`, domain.ELIMIT},
		{"page of zero", `{ entities(first: 0) { edges { node { id } } } }`, domain.EBADINPUT},
		{"nested page too large", `{ entity(id: "buyer:nike") { relations(first: 101) { edges { node { id } } } } }`, domain.ELIMIT},
		{"empty search", `{ search(text: "  ") { entity { id } } }`, domain.EBADINPUT},
		{"chain too deep", `{ responsibilityChain(id: "buyer:nike", maxDepth: 99) { totalCount } }`, domain.ELIMIT},
		{"chain over a context type", `{ responsibilityChain(id: "buyer:nike", types: [LOCATED_IN]) { totalCount } }`, domain.EBADINPUT},
		{"chain of an unknown root", `{ responsibilityChain(id: "county:no-such-county") { totalCount } }`, domain.ENOTFOUND},
		{"path to itself", `{ paths(from: "buyer:nike", to: "buyer:nike") { length } }`, domain.EBADINPUT},
		{"path too long", `{ paths(from: "buyer:nike", to: "province:zhejiang", maxLength: 20) { length } }`, domain.ELIMIT},
		{"path to an unknown end", `{ paths(from: "buyer:nike", to: "county:no-such-county") { length } }`, domain.ENOTFOUND},
		{"neighbourhood too deep", `{ neighborhood(ids: ["buyer:nike"], depth: 9) { truncated } }`, domain.ELIMIT},
		{"neighbourhood of an unknown entity", `{ neighborhood(ids: ["county:no-such-county"]) { truncated } }`, domain.ENOTFOUND},
		{"exposure page too large", `{ exposure(id: "buyer:nike", first: 1000) { totalCount } }`, domain.ELIMIT},
		{"bad cursor", `{ entities(after: "%%%") { edges { node { id } } } }`, domain.EBADINPUT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := query(t, c, tc.query, &map[string]any{})
			if len(errs) == 0 {
				t.Fatalf("no error, want %s", tc.code)
			}
			if errs[0].Extensions.Code != tc.code {
				t.Errorf("code %q (%s), want %s", errs[0].Extensions.Code, errs[0].Message, tc.code)
			}
		})
	}
}

func TestGraphQLComplexityLimit(t *testing.T) {
	s := mustSeedStore(t)
	c := gqlClient(t, s, server.Config{MaxComplexity: 500})
	const heavy = `{ entities(first: 100) { edges { node { id relations(first: 100) { edges { node { id } } } } } } }`
	errs := query(t, c, heavy, &map[string]any{})
	if len(errs) == 0 || errs[0].Extensions.Code != domain.ELIMIT {
		t.Fatalf("over the complexity cap: %+v, want %s", errs, domain.ELIMIT)
	}
	if n := s.Reads.Load(); n != 0 {
		t.Errorf("a refused query read the store %d times", n)
	}
	// The same shape, small enough, passes.
	mustQuery(t, c, `{ entities(first: 2) { edges { node { id relations(first: 2) { edges { node { id } } } } } } }`, &map[string]any{})
}

// failing answers every planned entity read with an error that names the
// database's address: it must never reach a client.
type failing struct {
	*memstore.Store
	err error
}

func (f failing) ReadEntity(context.Context, string, *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	return nil, nil, f.err
}

func TestGraphQLErrorsNeverLeakInternals(t *testing.T) {
	secret := errors.New("neo4j: connect bolt://db.internal:7687 as neo4j/hunter2 failed")
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"internal", fmt.Errorf("read entity: %w", secret), domain.EINTERNAL},
		{"unavailable", domain.Errorf(domain.EUNAVAILABLE, "the database did not answer in time"), domain.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := gqlClient(t, failing{mustSeedStore(t), tc.err}, server.Config{})
			errs := query(t, c, `{ entity(id: "buyer:nike") { id } }`, &map[string]any{})
			if len(errs) != 1 || errs[0].Extensions.Code != tc.code {
				t.Fatalf("errors %+v, want one %s", errs, tc.code)
			}
			if m := errs[0].Message; strings.Contains(m, "bolt://") || strings.Contains(m, "hunter2") {
				t.Errorf("the message leaks the cause: %q", m)
			}
		})
	}
}

// A request whose context has ended before its operation runs (the client
// went away, or its time ran out) gets gqlgen's nothing: the answer is a
// timeout error with its code, not a panic in the transport.
func TestEndedRequestIsATimeout(t *testing.T) {
	r := &graph.Resolver{Read: mustSeedStore(t)}
	srv := server.New(server.Config{Extensions: []graphql.HandlerExtension{graph.Loaders{R: r}}}, generated.NewExecutableSchema(r.Config()),
		func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ entity(id: \"county:moyu\") { id } }"}`)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		var got struct {
			Data   any
			Errors []gqlError
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %d %q: %v", accept, w.Code, w.Body, err)
		}
		wantStatus := http.StatusOK
		if accept != "application/json" {
			wantStatus = http.StatusUnprocessableEntity
		}
		if w.Code != wantStatus || got.Data != nil || len(got.Errors) != 1 || got.Errors[0].Extensions.Code != domain.ETIMEOUT {
			t.Errorf("%s: %d %s", accept, w.Code, w.Body)
		}
	}
}
