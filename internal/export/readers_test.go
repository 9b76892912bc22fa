package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/export/exporttest"
)

// The tests here read the exports with the libraries their readers use,
// installed from their registries at test time (see package exporttest):
// networkx for GraphML and GEXF, Cytoscape.js for its JSON. What each
// library reads must be what aidtrace wrote.

// styledOptions draws three of the fixture's nodes: one with everything,
// one with a position only, one with a colour only; the others not at all.
func styledOptions(tb testing.TB) *Options {
	return &Options{
		Meta: Meta{Title: "Fixture: " + duikouZh + " <view> & more", AsOf: mustDate(tb, "2012-06"), View: "https://example.org/?mode=up&id=county:test-gamma"},
		Styles: map[string]NodeStyle{
			"county:test-gamma":     {Pos: &Point{X: 120.5, Y: -40.25}, Color: "#1b9e77", Shape: "diamond"},
			"prefecture:test-alpha": {Pos: &Point{X: -300, Y: 1e6}},
			"province:test-beta":    {Color: "#d95f02", Shape: "round-rectangle"},
		},
		CounterClaims: fixtureClaims(tb),
	}
}

// fieldText turns a value a library read into the text our decoders take:
// strings as they are, booleans as true/false, anything else as JSON.
func fieldText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func fieldTexts(m map[string]any, drop ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = fieldText(v)
		}
	}
	return out
}

func sortedNodes(ns []gotNode) []gotNode {
	slices.SortFunc(ns, func(a, b gotNode) int { return cmpString(a.ID, b.ID) })
	return ns
}

func sortedEdges(es []gotEdge) []gotEdge {
	slices.SortFunc(es, func(a, b gotEdge) int { return cmpString(a.ID, b.ID) })
	return es
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func readerCases(tb testing.TB) map[string]struct {
	g   *domain.Subgraph
	opt *Options
} {
	type c = struct {
		g   *domain.Subgraph
		opt *Options
	}
	return map[string]c{
		"fixture":   {testSubgraph(tb), nil},
		"styled":    {testSubgraph(tb), styledOptions(tb)},
		"empty":     {&domain.Subgraph{}, nil},
		"synthetic": {synthSubgraph(200, 1000), nil},
	}
}

func write(tb testing.TB, f Format, g *domain.Subgraph, opt *Options) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, g, opt); err != nil {
		tb.Fatalf("Write(%s): %v", f, err)
	}
	return b.Bytes()
}

// checkIDs compares the node and edge ids a library read with the subgraph's.
func checkIDs(t *testing.T, g *domain.Subgraph, nodes []string, edges [][3]string) {
	t.Helper()
	var wantNodes []string
	for _, e := range g.Entities {
		wantNodes = append(wantNodes, e.ID)
	}
	var wantEdges [][3]string
	for _, r := range g.Relations {
		wantEdges = append(wantEdges, [3]string{r.ID, r.From, r.To})
	}
	slices.Sort(wantNodes)
	slices.Sort(nodes)
	slices.SortFunc(wantEdges, func(a, b [3]string) int { return cmpString(a[0], b[0]) })
	slices.SortFunc(edges, func(a, b [3]string) int { return cmpString(a[0], b[0]) })
	if !slices.Equal(nodes, wantNodes) {
		t.Errorf("nodes read: %d, want %d (first difference in %.200q)", len(nodes), len(wantNodes), nodes)
	}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("edges read: %d, want %d", len(edges), len(wantEdges))
	}
}

func checkMeta(t *testing.T, opt *Options, got map[string]any) {
	t.Helper()
	want := map[string]any{"credit": Credit}
	if opt != nil {
		want["title"], want["asOf"], want["view"] = opt.Meta.Title, opt.Meta.AsOf.String(), opt.Meta.View
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("header %s = %#v, want %#v", k, got[k], v)
		}
	}
}

func TestNetworkXReadsGraphML(t *testing.T) {
	for name, c := range readerCases(t) {
		t.Run(name, func(t *testing.T) {
			nx := exporttest.ReadNetworkX(t, "graphml", write(t, GraphML, c.g, c.opt))
			if !nx.Directed {
				t.Errorf("networkx read an undirected graph")
			}
			var nodes []string
			var gotNodes []gotNode
			for id, attrs := range nx.Nodes {
				nodes = append(nodes, id)
				n, err := nodeFromFields(id, fieldTexts(attrs, "x", "y", "shape_type"))
				if err != nil {
					t.Fatal(err)
				}
				gotNodes = append(gotNodes, n)
				st, styled := styleOf(c.opt, id)
				// networkx sets x and y to None for a geometry without them.
				if ok := attrs["x"] != nil; ok != (styled && st.Pos != nil) {
					t.Errorf("node %s: yEd position read: %v, drawn: %v", id, ok, styled && st.Pos != nil)
				}
				if styled && st.Pos != nil {
					if x, y := attrs["x"], attrs["y"]; x != formatCoord(st.Pos.X-15) || y != formatCoord(st.Pos.Y-15) {
						t.Errorf("node %s: yEd x, y = %v, %v; want the top-left corner of %v", id, x, y, *st.Pos)
					}
				}
				if want := shapes[st.Shape].yed; attrs["shape_type"] != nil && attrs["shape_type"] != want || attrs["shape_type"] == nil && want != "" {
					t.Errorf("node %s: yEd shape %v, want %q", id, attrs["shape_type"], want)
				}
			}
			var edges [][3]string
			var gotEdges []gotEdge
			for _, e := range nx.Edges {
				edges = append(edges, [3]string{e.Key, e.Source, e.Target})
				ge, err := edgeFromFields(e.Key, e.Source, e.Target, fieldTexts(e.Data))
				if err != nil {
					t.Fatal(err)
				}
				gotEdges = append(gotEdges, ge)
			}
			checkIDs(t, c.g, nodes, edges)
			checkMeta(t, c.opt, nx.Graph)
			if name == "fixture" || name == "styled" {
				if d := diffSlices(wantNodes(hostileXML, name == "styled"), sortedNodes(gotNodes)); d != "" {
					t.Errorf("nodes (want, got):\n%s", d)
				}
				if d := diffSlices(wantEdges(hostileXML, name == "styled"), sortedEdges(gotEdges)); d != "" {
					t.Errorf("edges (want, got):\n%s", d)
				}
			}
		})
	}
}

func TestNetworkXReadsGEXF(t *testing.T) {
	for name, c := range readerCases(t) {
		t.Run(name, func(t *testing.T) {
			nx := exporttest.ReadNetworkX(t, "gexf", write(t, GEXF, c.g, c.opt))
			if !nx.Directed {
				t.Errorf("networkx read an undirected graph")
			}
			entity := map[string]*domain.Entity{}
			for i := range c.g.Entities {
				entity[c.g.Entities[i].ID] = &c.g.Entities[i]
			}
			var nodes []string
			var gotNodes []gotNode
			for id, attrs := range nx.Nodes {
				nodes = append(nodes, id)
				n, err := nodeFromFields(id, fieldTexts(attrs, "viz", "start", "end"))
				if err != nil {
					t.Fatal(err)
				}
				gotNodes = append(gotNodes, n)
				if e := entity[id]; e != nil {
					start, end, _ := interval(e.ValidFrom, e.ValidTo)
					if fieldText(attrs["start"]) != start && !(start == "" && attrs["start"] == nil) ||
						fieldText(attrs["end"]) != end && !(end == "" && attrs["end"] == nil) {
						t.Errorf("node %s: start %v, end %v; want %q, %q", id, attrs["start"], attrs["end"], start, end)
					}
				}
				st, styled := styleOf(c.opt, id)
				viz, _ := attrs["viz"].(map[string]any)
				if (viz != nil) != styled {
					t.Errorf("node %s: viz read: %v, drawn: %v", id, viz != nil, styled)
					continue
				}
				if !styled {
					continue
				}
				pos, _ := viz["position"].(map[string]any)
				if (pos != nil) != (st.Pos != nil) || pos != nil && (pos["x"] != st.Pos.X || pos["y"] != -st.Pos.Y) {
					t.Errorf("node %s: viz position %v, want %v with y negated", id, pos, st.Pos)
				}
				col, _ := viz["color"].(map[string]any)
				if st.Color != "" {
					r, g, b := rgb(st.Color)
					if col == nil || col["r"] != float64(r) || col["g"] != float64(g) || col["b"] != float64(b) {
						t.Errorf("node %s: viz colour %v, want %s", id, col, st.Color)
					}
				} else if col != nil {
					t.Errorf("node %s: viz colour %v, none drawn", id, col)
				}
			}
			var edges [][3]string
			var gotEdges []gotEdge
			for _, e := range nx.Edges {
				edges = append(edges, [3]string{e.Key, e.Source, e.Target})
				ge, err := edgeFromFields(e.Key, e.Source, e.Target, fieldTexts(e.Data, "id", "start", "end"))
				if err != nil {
					t.Fatal(err)
				}
				gotEdges = append(gotEdges, ge)
			}
			checkIDs(t, c.g, nodes, edges)
			if name == "fixture" || name == "styled" {
				if d := diffSlices(wantNodes(hostileXML, name == "styled"), sortedNodes(gotNodes)); d != "" {
					t.Errorf("nodes (want, got):\n%s", d)
				}
				if d := diffSlices(wantEdges(hostileXML, name == "styled"), sortedEdges(gotEdges)); d != "" {
					t.Errorf("edges (want, got):\n%s", d)
				}
			}
		})
	}
}

func TestCytoscapeJSLoads(t *testing.T) {
	for name, c := range readerCases(t) {
		t.Run(name, func(t *testing.T) {
			cy := exporttest.ReadCytoscape(t, write(t, Cytoscape, c.g, c.opt))
			for _, p := range cy.Problems {
				t.Errorf("Cytoscape.js: %s", p)
			}
			checkMeta(t, c.opt, cy.Data)
			var nodes []string
			var gotNodes []gotNode
			for id, n := range cy.Nodes {
				nodes = append(nodes, id)
				m := fieldTexts(n.Data, "id", "color", "shape")
				gn, err := nodeFromFields(id, m)
				if err != nil {
					t.Fatal(err)
				}
				gotNodes = append(gotNodes, gn)
				st, styled := styleOf(c.opt, id)
				if styled && st.Pos != nil && (n.Position["x"] != st.Pos.X || n.Position["y"] != st.Pos.Y) {
					t.Errorf("node %s: position %v, want %v", id, n.Position, *st.Pos)
				}
				if styled && st.Color != "" {
					r, g, b := rgb(st.Color)
					if want := fmt.Sprintf("rgb(%d,%d,%d)", r, g, b); n.Color != want {
						t.Errorf("node %s: drawn in %s, want %s", id, n.Color, want)
					}
				}
				if styled && st.Shape != "" && n.Shape != st.Shape {
					t.Errorf("node %s: drawn as %s, want %s", id, n.Shape, st.Shape)
				}
			}
			var edges [][3]string
			var gotEdges []gotEdge
			for _, e := range cy.Edges {
				m := fieldTexts(e.Data)
				edges = append(edges, [3]string{m["id"], e.Source, e.Target})
				ge, err := edgeFromFields(m["id"], m["source"], m["target"], fieldTexts(e.Data, "id", "source", "target"))
				if err != nil {
					t.Fatal(err)
				}
				gotEdges = append(gotEdges, ge)
			}
			checkIDs(t, c.g, nodes, edges)
			if name == "fixture" || name == "styled" {
				if d := diffSlices(wantNodes(hostileJSON, name == "styled"), sortedNodes(gotNodes)); d != "" {
					t.Errorf("nodes (want, got):\n%s", d)
				}
				if d := diffSlices(wantEdges(hostileJSON, name == "styled"), sortedEdges(gotEdges)); d != "" {
					t.Errorf("edges (want, got):\n%s", d)
				}
			}
		})
	}
}

// TestCytoscapeJSReportsProblems guards the guard: a dangling edge must
// show as a problem, not pass unseen.
func TestCytoscapeJSReportsProblems(t *testing.T) {
	b := write(t, Cytoscape, testSubgraph(t), nil)
	broken := bytes.Replace(b, []byte(`"target":"county:test-gamma"`), []byte(`"target":"county:nowhere"`), 1)
	if bytes.Equal(b, broken) {
		t.Fatal("the export has no edge to county:test-gamma")
	}
	if cy := exporttest.ReadCytoscape(t, broken); len(cy.Problems) == 0 {
		t.Errorf("Cytoscape.js loaded a dangling edge without a warning; it kept %d edges", len(cy.Edges))
	}
}

func styleOf(opt *Options, id string) (NodeStyle, bool) {
	if opt == nil {
		return NodeStyle{}, false
	}
	s, ok := opt.Styles[id]
	return s, ok
}
