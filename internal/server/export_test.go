package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

// graphStore is an in-memory ReadService over one subgraph: what the
// export handler reads (its database paths are tested against a real
// Neo4j in cmd/aidtrace). gate, when set, holds every read until closed.
type graphStore struct {
	domain.ReadService
	g      *domain.Subgraph
	gate   chan struct{}
	reads  atomic.Int64
	claims map[string][]domain.CounterClaim
}

func (s *graphStore) wait(ctx context.Context) error {
	s.reads.Add(1)
	if s.gate == nil {
		return nil
	}
	select {
	case <-s.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *graphStore) Neighborhood(ctx context.Context, q domain.SubgraphQuery) (*domain.Subgraph, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	// A fresh Subgraph each time (Exports fills in Sources); the entities
	// and relations are shared, read only.
	out := &domain.Subgraph{Entities: s.g.Entities, Relations: s.g.Relations}
	if len(out.Entities) > q.Limit {
		// Relations among the kept entities only, as the store does.
		out.Entities, out.Truncated = out.Entities[:q.Limit], true
		keep := map[string]bool{}
		for _, e := range out.Entities {
			keep[e.ID] = true
		}
		out.Relations = nil
		for _, r := range s.g.Relations {
			if keep[r.From] && keep[r.To] {
				out.Relations = append(out.Relations, r)
			}
		}
	}
	return out, nil
}

func (s *graphStore) EntitiesByID(ctx context.Context, ids []string) (map[string]*domain.Entity, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	out := map[string]*domain.Entity{}
	for i := range s.g.Entities {
		if slices.Contains(ids, s.g.Entities[i].ID) {
			out[s.g.Entities[i].ID] = &s.g.Entities[i]
		}
	}
	return out, nil
}

func (s *graphStore) Relations(_ context.Context, q domain.RelationQuery) ([]domain.Relation, error) {
	var out []domain.Relation
	for _, r := range s.g.Relations {
		if slices.Contains(q.IDs, r.From) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *graphStore) CounterClaims(_ context.Context, ids []string) (map[string][]domain.CounterClaim, error) {
	out := map[string][]domain.CounterClaim{}
	for _, id := range ids {
		if cc, ok := s.claims[id]; ok {
			out[id] = cc
		}
	}
	return out, nil
}

func (s *graphStore) SourcesByID(_ context.Context, ids []string) (map[string]*domain.Source, error) {
	out := map[string]*domain.Source{}
	for i := range s.g.Sources {
		if slices.Contains(ids, s.g.Sources[i].ID) {
			out[s.g.Sources[i].ID] = &s.g.Sources[i]
		}
	}
	return out, nil
}

// synthGraph has n fictional entities and m relations between them.
func synthGraph(n, m int) *domain.Subgraph {
	g := &domain.Subgraph{Sources: []domain.Source{{ID: "src:synth", Title: "Synthetic source", URL: "https://example.org/s", Grade: "B", Type: "ngo"}}}
	cite := []domain.Citation{{SourceID: "src:synth", Quote: "synthetic quote, not a real one", Locator: "p. 1"}}
	for i := range n {
		g.Entities = append(g.Entities, domain.Entity{ID: fmt.Sprintf("county:synth-%06d", i), Kind: "county",
			Name: fmt.Sprintf("Synthetic County %06d", i), NameZh: "合成县", Synthetic: true, Citations: cite})
	}
	for i := range m {
		g.Relations = append(g.Relations, domain.Relation{ID: fmt.Sprintf("rel:synth-%07d", i), Type: "PART_OF",
			From: g.Entities[i%n].ID, To: g.Entities[(i*7+1)%n].ID, Confidence: "reported",
			ValidFrom: domain.PartialDate{Year: 2010 + i%10}, Synthetic: true, Citations: cite})
	}
	return g
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

var fixedNow = func() time.Time { return time.Date(2025, 11, 30, 23, 59, 0, 0, time.FixedZone("x", -3600)) }

// exportServer serves the export handler alone; asKey makes every request
// carry an API key's principal.
func exportServer(t *testing.T, svc domain.ReadService, cfg server.ExportConfig, asKey bool) string {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	h := server.ExportHandler(svc, quietLog, cfg)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asKey {
			r = r.WithContext(domain.WithPrincipal(r.Context(), &domain.Principal{KeyID: "k1", Name: "test", Role: domain.RoleEditor}))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

type answer struct {
	status int
	header http.Header
	body   []byte
	code   string
	msg    string
}

func doExport(t *testing.T, method, url, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if a.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && resp.StatusCode != 200 {
		var e struct {
			Errors []struct {
				Message    string            `json:"message"`
				Extensions map[string]string `json:"extensions"`
			} `json:"errors"`
		}
		if json.Unmarshal(a.body, &e) == nil && len(e.Errors) > 0 {
			a.code, a.msg = e.Errors[0].Extensions["code"], e.Errors[0].Message
		}
	}
	return a
}

func filename(t *testing.T, h http.Header) string {
	t.Helper()
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", h.Get("Content-Disposition"), err)
	}
	return params["filename"]
}

func TestExportGET(t *testing.T) {
	store := &graphStore{g: synthGraph(30, 60)}
	base := exportServer(t, store, server.ExportConfig{}, false)
	tests := []struct {
		path, contentType, file string
	}{
		{"/export/graphml", "application/graphml+xml; charset=utf-8", "aidtrace_all_whole-graph_2025-12-01.graphml"},
		{"/export/gexf?ids=county:synth-000001&asOf=2015", "application/gexf+xml; charset=utf-8", "aidtrace_county-synth-000001_neighbourhood-depth-1_2015.gexf"},
		{"/export/csv?ids=county:synth-000001", "application/zip", "aidtrace_county-synth-000001_neighbourhood-depth-1_2025-12-01_csv.zip"},
		{"/export/csv-edges", "text/csv; charset=utf-8", "aidtrace_all_whole-graph_2025-12-01_edges.csv"},
		{"/export/nodes.csv", "text/csv; charset=utf-8", "aidtrace_all_whole-graph_2025-12-01_nodes.csv"},
		{"/export/ftm", "application/x-ndjson", "aidtrace_all_whole-graph_2025-12-01.ftm.json"},
		{"/export/cytoscape", "application/json", "aidtrace_all_whole-graph_2025-12-01.cyjs"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a := doExport(t, "GET", base+tt.path, "", "")
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			if got := a.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := filename(t, a.header); got != tt.file {
				t.Errorf("file name %q, want %q", got, tt.file)
			}
			if got := a.header.Get("X-Aidtrace-Counts"); got != "entities=30 relations=60 sources=1" {
				t.Errorf("X-Aidtrace-Counts %q", got)
			}
			if len(a.body) == 0 {
				t.Errorf("empty body")
			}
		})
	}
	// The header carries the title the query gives.
	a := doExport(t, "GET", base+"/export/cytoscape?ids=county:synth-000001&depth=2", "", "")
	var doc struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Data["title"] != "Neighbourhood of county:synth-000001, depth 2" || !strings.HasPrefix(fmt.Sprint(doc.Data["credit"]), "aidtrace") {
		t.Errorf("header %v", doc.Data)
	}
	// HEAD answers the headers alone.
	if a := doExport(t, "HEAD", base+"/export/graphml", "", ""); a.status != 200 || len(a.body) != 0 || filename(t, a.header) == "" {
		t.Errorf("HEAD: status %d, %d bytes", a.status, len(a.body))
	}
}

func TestExportPOSTElementList(t *testing.T) {
	store := &graphStore{g: synthGraph(30, 60), claims: map[string][]domain.CounterClaim{
		"rel:synth-0000000": {{ID: "cc:synth", Contests: "rel:synth-0000000", Kind: "denial", Date: domain.PartialDate{Year: 2020},
			Statement: "A synthetic denial", Citations: []domain.Citation{{SourceID: "src:synth", Quote: "no"}}}},
	}}
	base := exportServer(t, store, server.ExportConfig{}, false)
	// rel:synth-0000000 joins 000000 -> 000001; rel:synth-0000030 the same;
	// drawn: one of them, and a third node with no edge drawn.
	body := `{"nodes":[{"id":"county:synth-000000","x":10,"y":20,"color":"#ff0000","shape":"diamond"},
		{"id":"county:synth-000001","x":-5.5,"y":0},{"id":"county:synth-000008"}],
		"edges":[{"id":"rel:synth-0000000"}],
		"title":"Drawn","asOf":"2012-05","view":"https://example.org/?id=county:synth-000000","entity":"county:synth-000000","mode":"chain-up"}`
	a := doExport(t, "POST", base+"/export/cytoscape", "application/json", body)
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if got, want := filename(t, a.header), "aidtrace_county-synth-000000_chain-up_2012-05.cyjs"; got != want {
		t.Errorf("file name %q, want %q", got, want)
	}
	var doc struct {
		Data     map[string]any `json:"data"`
		Elements struct {
			Nodes []struct {
				Data     map[string]any     `json:"data"`
				Position map[string]float64 `json:"position"`
			} `json:"nodes"`
			Edges []struct {
				Data map[string]any `json:"data"`
			} `json:"edges"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, n := range doc.Elements.Nodes {
		nodes = append(nodes, n.Data["id"].(string))
		if n.Data["id"] == "county:synth-000000" && (n.Position["x"] != 10 || n.Position["y"] != 20 || n.Data["color"] != "#ff0000" || n.Data["shape"] != "diamond") {
			t.Errorf("drawing of county:synth-000000: %v %v", n.Position, n.Data)
		}
	}
	if want := []string{"county:synth-000000", "county:synth-000001", "county:synth-000008"}; !slices.Equal(nodes, want) {
		t.Errorf("nodes %q, want %q", nodes, want)
	}
	if len(doc.Elements.Edges) != 1 || doc.Elements.Edges[0].Data["id"] != "rel:synth-0000000" {
		t.Fatalf("edges %v, want rel:synth-0000000 alone", doc.Elements.Edges)
	}
	// The counter-claim contesting the edge comes with it.
	e := doc.Elements.Edges[0].Data
	if ccs, _ := e["counterClaims"].([]any); len(ccs) != 1 || e["contested"] != true || e["strength"] != "MODERATE" {
		t.Errorf("edge %v: want its counter-claim, contested, MODERATE", e)
	}
	for k, v := range map[string]string{"title": "Drawn", "asOf": "2012-05", "view": "https://example.org/?id=county:synth-000000"} {
		if doc.Data[k] != v {
			t.Errorf("header %s = %v, want %q", k, doc.Data[k], v)
		}
	}
}

func TestExportRefusals(t *testing.T) {
	store := &graphStore{g: synthGraph(30, 60)}
	base := exportServer(t, store, server.ExportConfig{MaxEntities: 10}, false)
	list := `{"nodes":[{"id":"county:synth-000000"}]}`
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		code, msg                             string
	}{
		{"unknown format", "GET", "/export/pdf", "", "", 400, domain.EBADINPUT, "unknown export format"},
		{"unknown parameter", "GET", "/export/graphml?id=county:synth-000001", "", "", 400, domain.EBADINPUT, `unknown export parameter "id"`},
		{"repeated parameter", "GET", "/export/graphml?asOf=2010&asOf=2012", "", "", 400, domain.EBADINPUT, "given 2 times"},
		{"bad direction", "GET", "/export/graphml?chain=county:synth-000001&direction=LEFT", "", "", 400, domain.EBADINPUT, "direction"},
		{"method", "PUT", "/export/graphml", "", "", 405, domain.EBADINPUT, "POST"},
		{"POST with a query", "POST", "/export/graphml?ids=county:synth-000001", "application/json", list, 400, domain.EBADINPUT, "in the JSON body"},
		{"POST not JSON", "POST", "/export/graphml", "text/plain", list, 400, domain.EBADINPUT, "application/json"},
		{"POST unknown id", "POST", "/export/graphml", "application/json", `{"nodes":[{"id":"county:nowhere"}]}`, 404, domain.ENOTFOUND, "county:nowhere"},
		{"POST bad body", "POST", "/export/graphml", "application/json", `{"nodes":[{"id":"county:synth-000000","x":"1","y":2}]}`, 400, domain.EBADINPUT, "must be a number"},
		// The cap without a key: 30 entities, capped at 10.
		{"whole graph over the cap", "GET", "/export/graphml", "", "", 400, domain.ELIMIT, "more than 10 entities"},
		{"limit over the cap", "GET", "/export/graphml?limit=11", "", "", 400, domain.ELIMIT, "at most 10"},
		{"neighbourhood over the cap", "GET", "/export/graphml?ids=county:synth-000001&depth=3", "", "", 400, domain.ELIMIT, "more than 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := doExport(t, tt.method, base+tt.path, tt.contentType, tt.body)
			if a.status != tt.status || a.code != tt.code || !strings.Contains(a.msg, tt.msg) {
				t.Errorf("%d %s %q, want %d %s containing %q", a.status, a.code, a.msg, tt.status, tt.code, tt.msg)
			}
			if a.header.Get("Content-Disposition") != "" {
				t.Errorf("an error answer names a file")
			}
		})
	}
	// Within the cap: a sample of 5 is served, marked truncated.
	if a := doExport(t, "GET", base+"/export/graphml?limit=5", "", ""); a.status != 200 || a.header.Get("X-Aidtrace-Truncated") != "true" {
		t.Errorf("limit=5: status %d, truncated %q", a.status, a.header.Get("X-Aidtrace-Truncated"))
	}
	// A key lifts the cap.
	keyed := exportServer(t, store, server.ExportConfig{MaxEntities: 10}, true)
	if a := doExport(t, "GET", keyed+"/export/graphml", "", ""); a.status != 200 || a.header.Get("X-Aidtrace-Counts") != "entities=30 relations=60 sources=1" {
		t.Errorf("with a key: status %d, counts %q: %s", a.status, a.header.Get("X-Aidtrace-Counts"), a.body)
	}
}

// Exports beyond MaxConcurrent are refused at once, and each export holds
// one of the server's in-flight slots while it runs.
func TestExportConcurrencyLimits(t *testing.T) {
	store := &graphStore{g: synthGraph(30, 60), gate: make(chan struct{})}
	base := exportServer(t, store, server.ExportConfig{MaxConcurrent: 1}, false)
	done := make(chan answer)
	go func() { done <- doExport(t, "GET", base+"/export/graphml", "", "") }()
	for store.reads.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	a := doExport(t, "GET", base+"/export/gexf", "", "")
	if a.status != 503 || a.code != domain.EUNAVAILABLE || a.header.Get("Retry-After") == "" {
		t.Errorf("second export: %d %s, Retry-After %q; want 503 UNAVAILABLE with Retry-After", a.status, a.code, a.header.Get("Retry-After"))
	}
	close(store.gate)
	if first := <-done; first.status != 200 {
		t.Errorf("first export: %d", first.status)
	}
	if a := doExport(t, "GET", base+"/export/gexf", "", ""); a.status != 200 {
		t.Errorf("after the first: %d", a.status)
	}

	// The in-flight limit: with one slot, a running export leaves none
	// for a GraphQL request.
	store = &graphStore{g: synthGraph(30, 60), gate: make(chan struct{})}
	r := &graph.Resolver{Read: store}
	srv := server.New(server.Config{Addr: "127.0.0.1:0", MaxInFlight: 1, Extensions: []graphql.HandlerExtension{graph.Loaders{R: r}}},
		generated.NewExecutableSchema(r.Config()), func(context.Context) error { return nil }, quietLog)
	srv.HandleAPI("/export/", server.ExportHandler(store, quietLog, server.ExportConfig{}))
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	go func() { done <- doExport(t, "GET", srv.URL()+"/export/graphml", "", "") }()
	for store.reads.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	a = doExport(t, "POST", srv.URL()+"/graphql", "application/json", `{"query":"{ __typename }"}`)
	if a.status != 503 {
		t.Errorf("GraphQL during an export with one slot: %d, want 503", a.status)
	}
	close(store.gate)
	<-done
}

// peakHeap runs f and returns the largest heap in use, sampled every
// millisecond, above what was in use before.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// TestExportMemoryBounded runs four exports of a 10,000-entity,
// 50,000-relation graph at once (the subgraph shared, as the database
// would hand it over) and measures the heap: it must stay below one file's
// size. Streamed, it is about 10 MB above the graph for four 30 MB files;
// buffered, as before, 170 MB.
func TestExportMemoryBounded(t *testing.T) {
	store := &graphStore{g: synthGraph(10_000, 50_000)}
	base := exportServer(t, store, server.ExportConfig{}, true)
	old := debug.SetGCPercent(10) // garbage would otherwise hide the signal
	defer debug.SetGCPercent(old)
	var size atomic.Int64
	peak := peakHeap(func() {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				resp, err := http.Get(base + "/export/graphml")
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				n, _ := io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				size.Store(n)
			})
		}
		wg.Wait()
	})
	t.Logf("4 concurrent GraphML exports of %.1f MB each: peak heap %.1f MB above the graph", float64(size.Load())/1e6, float64(peak)/1e6)
	if size.Load() < 20e6 {
		t.Fatalf("the export is %d bytes: too small to tell streaming from buffering", size.Load())
	}
	if peak > uint64(size.Load()) {
		t.Errorf("peak heap %.1f MB for 4 exports of %.1f MB: the exports are held in memory", float64(peak)/1e6, float64(size.Load())/1e6)
	}
}
