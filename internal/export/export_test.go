package export

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// MustWrite writes g in format f and fails the test on an error.
func MustWrite(tb testing.TB, f Format, g *domain.Subgraph) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, g, nil); err != nil {
		tb.Fatalf("Write(%s): %v", f, err)
	}
	return buf.Bytes()
}

// diffSlices describes how two slices of structs differ, field by field,
// with strings quoted so that invisible characters show ("" when equal).
func diffSlices(want, got any) string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	var b strings.Builder
	if wv.Len() != gv.Len() {
		fmt.Fprintf(&b, "length: want %d, got %d\n", wv.Len(), gv.Len())
	}
	for i := 0; i < min(wv.Len(), gv.Len()); i++ {
		w, g := wv.Index(i), gv.Index(i)
		for f := 0; f < w.NumField(); f++ {
			if !reflect.DeepEqual(w.Field(f).Interface(), g.Field(f).Interface()) {
				fmt.Fprintf(&b, "[%d].%s:\n\twant %#v\n\tgot  %#v\n", i, w.Type().Field(f).Name, w.Field(f).Interface(), g.Field(f).Interface())
			}
		}
	}
	return b.String()
}

func TestRoundTrip(t *testing.T) {
	g := testSubgraph(t)
	tests := []struct {
		format Format
		decode func([]byte) (*decoded, error)
		text   string // the hostile name as the format carries it
	}{
		{GraphML, decodeGraphML, hostileXML},
		{GEXF, decodeGEXF, hostileXML},
		{CSV, decodeCSVZip, hostile},
		{Cytoscape, decodeCytoscape, hostileJSON},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			b := write(t, tt.format, g, &Options{CounterClaims: fixtureClaims(t)})
			got, err := tt.decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffSlices(wantNodes(tt.text, true), got.nodes); d != "" {
				t.Errorf("nodes (want, got):\n%s", d)
			}
			if d := diffSlices(wantEdges(tt.text, true), got.edges); d != "" {
				t.Errorf("edges (want, got):\n%s", d)
			}
			if !got.truncated {
				t.Errorf("truncated flag lost")
			}
			// GEXF has no place for a source list; the citations carry them.
			if tt.format != GEXF {
				if want := []string{"src:test-gazette", "src:test-report"}; !slices.Equal(got.sources, want) {
					t.Errorf("sources = %q, want %q", got.sources, want)
				}
			}
			// The Chinese strings must appear as UTF-8 bytes, not as
			// character references or \u escapes, wherever text is stored
			// uncompressed (the zip deflates it).
			if tt.format != CSV {
				for _, s := range []string{aksuZh, duikouZh} {
					if !bytes.Contains(b, []byte(s)) {
						t.Errorf("output does not contain %q byte for byte", s)
					}
				}
			}
		})
	}
}

func TestRoundTripEmpty(t *testing.T) {
	for f, decode := range decoders {
		t.Run(string(f), func(t *testing.T) {
			got, err := decode(MustWrite(t, f, &domain.Subgraph{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.nodes) != 0 || len(got.edges) != 0 || got.truncated {
				t.Errorf("empty subgraph read back as %d nodes, %d edges, truncated %v", len(got.nodes), len(got.edges), got.truncated)
			}
		})
	}
}

// TestDeterministic writes the fixture and a shuffled copy: the bytes must
// not depend on the input order, nor on map iteration.
func TestDeterministic(t *testing.T) {
	g := testSubgraph(t)
	r := rand.New(rand.NewPCG(1, 2))
	shuffled := testSubgraph(t)
	r.Shuffle(len(shuffled.Entities), func(i, j int) {
		shuffled.Entities[i], shuffled.Entities[j] = shuffled.Entities[j], shuffled.Entities[i]
	})
	r.Shuffle(len(shuffled.Relations), func(i, j int) {
		shuffled.Relations[i], shuffled.Relations[j] = shuffled.Relations[j], shuffled.Relations[i]
	})
	r.Shuffle(len(shuffled.Sources), func(i, j int) {
		shuffled.Sources[i], shuffled.Sources[j] = shuffled.Sources[j], shuffled.Sources[i]
	})
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			a := MustWrite(t, f, g)
			for range 5 { // map order differs between runs
				if b := MustWrite(t, f, shuffled); !bytes.Equal(a, b) {
					t.Fatalf("two exports of the same subgraph differ")
				}
			}
		})
	}
}

func TestWriteDoesNotModifyInput(t *testing.T) {
	g := testSubgraph(t)
	before := testSubgraph(t)
	for _, f := range Formats() {
		MustWrite(t, f, g)
	}
	if !reflect.DeepEqual(g, before) {
		t.Errorf("writing changed the subgraph (it must sort a copy)")
	}
}

func TestInvalidSubgraph(t *testing.T) {
	ok := func() *domain.Subgraph {
		return &domain.Subgraph{
			Entities:  []domain.Entity{{ID: "county:a"}, {ID: "county:b"}},
			Relations: []domain.Relation{{ID: "rel:x", From: "county:a", To: "county:b"}},
		}
	}
	tests := []struct {
		name   string
		change func(*domain.Subgraph) *domain.Subgraph
		want   string
	}{
		{"nil subgraph", func(*domain.Subgraph) *domain.Subgraph { return nil }, "nil subgraph"},
		{"entity without id", func(g *domain.Subgraph) *domain.Subgraph { g.Entities[0].ID = ""; return g }, "has no id"},
		{"duplicate entity", func(g *domain.Subgraph) *domain.Subgraph { g.Entities[1].ID = "county:a"; return g }, `duplicate entity id "county:a"`},
		{"relation without id", func(g *domain.Subgraph) *domain.Subgraph { g.Relations[0].ID = ""; return g }, "has no id"},
		{"relation id of an entity", func(g *domain.Subgraph) *domain.Subgraph { g.Relations[0].ID = "county:a"; return g }, `duplicate id "county:a"`},
		{"dangling source", func(g *domain.Subgraph) *domain.Subgraph { g.Relations[0].From = "county:zz"; return g }, `source "county:zz" is not among the entities`},
		{"dangling target", func(g *domain.Subgraph) *domain.Subgraph { g.Relations[0].To = "rel:x"; return g }, `target "rel:x" is not among the entities`},
		{"duplicate source", func(g *domain.Subgraph) *domain.Subgraph {
			g.Sources = []domain.Source{{ID: "src:s"}, {ID: "src:s"}}
			return g
		}, `duplicate source id "src:s"`},
	}
	for _, tt := range tests {
		for _, f := range Formats() {
			t.Run(tt.name+"/"+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				err := Write(&buf, f, tt.change(ok()), nil)
				if !errors.Is(err, ErrInvalidSubgraph) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want ErrInvalidSubgraph containing %q", err, tt.want)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes before refusing", buf.Len())
				}
			})
		}
	}
}

func TestGraphMLRefusesNonTokenIDs(t *testing.T) {
	for _, id := range []string{"county:a b", "county:<a>", "county:a/b", "county:a\x00"} {
		g := &domain.Subgraph{Entities: []domain.Entity{{ID: id}}}
		if err := Write(&bytes.Buffer{}, GraphML, g, nil); !errors.Is(err, ErrInvalidSubgraph) {
			t.Errorf("WriteGraphML with id %q: err = %v, want ErrInvalidSubgraph", id, err)
		}
		// The other formats carry any string.
		for _, f := range []Format{GEXF, CSV, Cytoscape, FtM} {
			if err := Write(&bytes.Buffer{}, f, g, nil); err != nil {
				t.Errorf("Write(%s) with id %q: %v", f, id, err)
			}
		}
	}
	g := &domain.Subgraph{Entities: []domain.Entity{{ID: "county:aksu-city.v2_x"}, {ID: "county:阿克苏"}}}
	if err := Write(&bytes.Buffer{}, GraphML, g, nil); err != nil {
		t.Errorf("WriteGraphML with valid name tokens: %v", err)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"graphml", GraphML, false},
		{"GEXF", GEXF, false},
		{" csv ", CSV, false},
		{"cytoscape", Cytoscape, false},
		{"json", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EBADINPUT {
				t.Errorf("ParseFormat(%q): code %s, want %s", tt.in, code, domain.EBADINPUT)
			}
			for _, f := range Formats() {
				if !strings.Contains(err.Error(), string(f)) {
					t.Errorf("ParseFormat(%q) error %q does not list %q", tt.in, err, f)
				}
			}
		}
	}
	if err := Write(&bytes.Buffer{}, "pdf", &domain.Subgraph{}, nil); domain.ErrorCode(err) != domain.EBADINPUT {
		t.Errorf("Write(pdf) = %v, want a BAD_USER_INPUT error", err)
	}
}

func TestFormatMetadata(t *testing.T) {
	tests := []struct {
		f           Format
		contentType string
		ext         string
	}{
		{GraphML, "application/graphml+xml; charset=utf-8", ".graphml"},
		{GEXF, "application/gexf+xml; charset=utf-8", ".gexf"},
		{Cytoscape, "application/json", ".cyjs"},
		{CSV, "application/zip", "_csv.zip"},
		{CSVNodes, "text/csv; charset=utf-8", "_nodes.csv"},
		{CSVEdges, "text/csv; charset=utf-8", "_edges.csv"},
		{CSVSources, "text/csv; charset=utf-8", "_sources.csv"},
		{CSVCitations, "text/csv; charset=utf-8", "_citations.csv"},
		{FtM, "application/x-ndjson", ".ftm.json"},
	}
	if got := len(Formats()); got != len(tests) {
		t.Fatalf("%d formats, %d tested", got, len(tests))
	}
	for _, tt := range tests {
		if got := tt.f.ContentType(); got != tt.contentType {
			t.Errorf("%s.ContentType() = %q, want %q", tt.f, got, tt.contentType)
		}
		if got := tt.f.Extension(); got != tt.ext {
			t.Errorf("%s.Extension() = %q, want %q", tt.f, got, tt.ext)
		}
	}
	fs := Formats()
	fs[0] = "changed"
	if Formats()[0] != GraphML {
		t.Errorf("Formats returns the package's own slice")
	}
}

func TestEscapeXML(t *testing.T) {
	tests := []struct {
		name, in      string
		content, attr string // as element content, as an attribute value
	}{
		{"plain", "Aksu", "Aksu", "Aksu"},
		{"chinese", aksuZh + duikouZh, aksuZh + duikouZh, aksuZh + duikouZh},
		{"markup", `a&b<c>d"e'f`, `a&amp;b&lt;c&gt;d"e'f`, `a&amp;b&lt;c&gt;d&quot;e'f`},
		{"CDATA end", "]]>", "]]&gt;", "]]&gt;"},
		{"whitespace", "a\tb\nc\rd", "a\tb\nc&#xD;d", "a&#x9;b&#xA;c&#xD;d"},
		{"C0 controls", "a\x00b\x01c\x1fd\x7fe", "a\uFFFDb\uFFFDc\uFFFDd\x7fe", "a\uFFFDb\uFFFDc\uFFFDd\x7fe"}, // XML 1.0 allows DEL
		{"non-characters", "a\uFFFEb\uFFFFc", "a\uFFFDb\uFFFDc", "a\uFFFDb\uFFFDc"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD", "a\uFFFDb\uFFFD"},
		{"replacement char kept", "a\uFFFDb", "a\uFFFDb", "a\uFFFDb"},
		{"astral", "𝕏", "𝕏", "𝕏"},
		{"entity-looking text", "&amp;", "&amp;amp;", "&amp;amp;"},
	}
	escape := func(in string, attr bool) string {
		var buf bytes.Buffer
		xw := newXMLWriter(&buf)
		if attr {
			xw.attrValue(in)
		} else {
			xw.content(in)
		}
		if err := xw.flush(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for _, tt := range tests {
		if got := escape(tt.in, false); got != tt.content {
			t.Errorf("%s: content(%q) = %q, want %q", tt.name, tt.in, got, tt.content)
		}
		if got := escape(tt.in, true); got != tt.attr {
			t.Errorf("%s: attrValue(%q) = %q, want %q", tt.name, tt.in, got, tt.attr)
		}
	}
}

func TestFieldTables(t *testing.T) {
	// The decoders in the tests name fields independently of the writers;
	// the row builders index the tables by position. Both must agree.
	if got := names(nodeFields); !slices.Equal(got, nodeFieldNames) {
		t.Errorf("node fields = %q, want %q", got, nodeFieldNames)
	}
	if got := names(edgeFields); !slices.Equal(got, edgeFieldNames) {
		t.Errorf("edge fields = %q, want %q", got, edgeFieldNames)
	}
	if got, want := NodeColumns(), append([]string{"id"}, nodeFieldNames...); !slices.Equal(got, want) {
		t.Errorf("NodeColumns() = %q, want %q", got, want)
	}
	if got, want := EdgeColumns(), append([]string{"id", "source", "target"}, edgeFieldNames...); !slices.Equal(got, want) {
		t.Errorf("EdgeColumns() = %q, want %q", got, want)
	}
}

func TestGEXFTime(t *testing.T) {
	doc, err := parseGEXF(MustWrite(t, GEXF, testSubgraph(t)))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Graph.Mode != "dynamic" || doc.Graph.TimeFormat != "date" {
		t.Errorf("mode %q timeformat %q, want dynamic date", doc.Graph.Mode, doc.Graph.TimeFormat)
	}
	// Partial dates become the widest span they can mean.
	want := map[string][2]string{
		"prefecture:test-alpha": {"2010-01-01", ""},           // from 2010
		"county:test-gamma":     {"", "2014-02-28"},           // to 2014-02
		"province:test-beta":    {"", ""},                     // undated
		"rel:test-paired":       {"2010-03-01", "2014-12-31"}, // 2010-03 .. 2014
		"rel:test-funds":        {"2012-02-29", ""},           // a day stays a day
		"rel:test-owns":         {"", "2014-02-28"},
		"rel:test-part-of":      {"", ""},
	}
	got := map[string][2]string{}
	for _, n := range doc.Graph.Nodes.Node {
		got[n.ID] = [2]string{n.Start, n.End}
	}
	for _, e := range doc.Graph.Edges.Edge {
		got[e.ID] = [2]string{e.Start, e.End}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: start, end = %q, want %q", id, got[id], w)
		}
	}

	// Without dates, a static graph and no spans.
	g := testSubgraph(t)
	for i := range g.Entities {
		g.Entities[i].ValidFrom, g.Entities[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	for i := range g.Relations {
		g.Relations[i].ValidFrom, g.Relations[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	b := MustWrite(t, GEXF, g)
	if doc, err = parseGEXF(b); err != nil {
		t.Fatal(err)
	}
	if doc.Graph.Mode != "static" || doc.Graph.TimeFormat != "" || bytes.Contains(b, []byte("start=")) {
		t.Errorf("undated graph: mode %q timeformat %q; want static with no spans", doc.Graph.Mode, doc.Graph.TimeFormat)
	}

	// An inverted span (invalid data) gets no start or end, never start > end.
	g = &domain.Subgraph{Entities: []domain.Entity{{ID: "county:x", ValidFrom: mustDate(t, "2015"), ValidTo: mustDate(t, "2012")}}}
	if doc, err = parseGEXF(MustWrite(t, GEXF, g)); err != nil {
		t.Fatal(err)
	}
	if n := doc.Graph.Nodes.Node[0]; n.Start != "" || n.End != "" {
		t.Errorf("inverted span written as %q..%q", n.Start, n.End)
	}
}

func TestEdgeLabelAndKind(t *testing.T) {
	doc, err := parseGEXF(MustWrite(t, GEXF, testSubgraph(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range doc.Graph.Edges.Edge {
		if e.Label == "" || e.Label != e.Kind {
			t.Errorf("edge %s: label %q, kind %q; want both the relation type", e.ID, e.Label, e.Kind)
		}
	}
}

func TestQuantityNotFinite(t *testing.T) {
	g := &domain.Subgraph{Entities: []domain.Entity{{ID: "statistic:x", Quantities: []domain.Quantity{
		{Name: "a", Value: math.NaN()}, {Name: "b", Value: math.Inf(1)}, {Name: "c", Value: math.Inf(-1)}, {Name: "d", Value: -0.5},
	}}}}
	want := []gotQuantity{{Name: "a", Value: "NaN"}, {Name: "b", Value: "+Inf"}, {Name: "c", Value: "-Inf"}, {Name: "d", Value: -0.5}}
	for f, decode := range decoders {
		got, err := decode(MustWrite(t, f, g))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d := diffSlices(want, got.nodes[0].Quantities); d != "" {
			t.Errorf("%s quantities:\n%s", f, d)
		}
	}
}

// failWriter fails once more than n bytes have been written.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteErrorsAreReturned(t *testing.T) {
	g := testSubgraph(t)
	for _, f := range Formats() {
		size := len(MustWrite(t, f, g))
		for _, n := range []int{0, 100, size / 2, size - 1} {
			if err := Write(&failWriter{n: n}, f, g, nil); !errors.Is(err, errDiskFull) {
				t.Errorf("%s failing after %d bytes: err = %v, want it to wrap the write error", f, n, err)
			}
		}
	}
}
