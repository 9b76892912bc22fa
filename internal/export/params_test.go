package export

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func TestParseQuery(t *testing.T) {
	date := func(s string) domain.PartialDate { return mustDate(t, s) }
	tests := []struct {
		query string
		want  Query
		code  string // error code, "" for none
		msg   string // part of the error message
	}{
		{"", Query{Depth: 1}, "", ""},
		{"ids=prefecture:aksu,county:moyu&depth=2&types=PART_OF&kinds=county&asOf=2015&limit=10",
			Query{IDs: []string{"prefecture:aksu", "county:moyu"}, Depth: 2, Types: []string{"PART_OF"}, Kinds: []domain.Kind{"county"}, AsOf: date("2015"), Limit: 10}, "", ""},
		{"ids=&depth=1", Query{Depth: 1}, "", ""}, // an empty value is not given
		{"chain=county:moyu", Query{Chain: "county:moyu", Depth: 1}, "", ""},
		{"chain=county:moyu&direction=down&asOf=2019-06", Query{Chain: "county:moyu", Down: true, Depth: 1, AsOf: date("2019-06")}, "", ""},
		{"chain=county:moyu&direction=UP", Query{Chain: "county:moyu", Depth: 1}, "", ""},
		{"from=county:moyu&to=province:beijing&types=PAIRED_WITH", Query{From: "county:moyu", To: "province:beijing", Depth: 1, Types: []string{"PAIRED_WITH"}}, "", ""},

		{"chain=county:moyu&direction=sideways", Query{}, domain.EBADINPUT, "neither UP nor DOWN"},
		{"chain=county:moyu&direction=", Query{Chain: "county:moyu", Depth: 1}, "", ""},
		{"ids=county:moyu&ids=county:hotan", Query{}, domain.EBADINPUT, `"ids" is given 2 times`},
		{"format=gexf", Query{}, domain.EBADINPUT, `unknown export parameter "format"`},
		{"id=county:moyu", Query{}, domain.EBADINPUT, `unknown export parameter "id"`},
		{"depth=two", Query{}, domain.EBADINPUT, "depth"},
		{"depth=9&ids=county:moyu", Query{}, domain.ELIMIT, "depth"},
		{"limit=0", Query{}, domain.EBADINPUT, "limit"},
		{"limit=100001", Query{}, domain.ELIMIT, "limit"},
		{"ids=not an id", Query{}, domain.EBADINPUT, "ids"},
		{"chain=x", Query{}, domain.EBADINPUT, "chain"},
		{"types=NO_SUCH", Query{}, domain.EBADINPUT, "NO_SUCH"},
		{"kinds=kounty", Query{}, domain.EBADINPUT, "kounty"},
		{"asOf=2010-13", Query{}, domain.EBADINPUT, "asOf: \"2010-13\": month must be 01 to 12"},
		{"asOf=" + strings.Repeat("2", 30000), Query{}, domain.EBADINPUT, "is not a date"},
		{"from=county:moyu", Query{}, domain.EBADINPUT, "both from and to"},
		{"to=county:moyu", Query{}, domain.EBADINPUT, "both from and to"},
		{"chain=county:moyu&ids=county:hotan", Query{}, domain.EBADINPUT, "not ids"},
		{"chain=county:moyu&depth=2", Query{}, domain.EBADINPUT, "not depth"},
		{"chain=county:moyu&from=county:a&to=county:b", Query{}, domain.EBADINPUT, "chain takes"},
		{"from=county:a&to=county:b&limit=5", Query{}, domain.EBADINPUT, "not limit"},
		{"from=county:a&to=county:b&direction=UP", Query{}, domain.EBADINPUT, "not direction"},
		{"direction=DOWN", Query{}, domain.EBADINPUT, "direction needs chain"},
		{"ids=county:moyu&direction=DOWN", Query{}, domain.EBADINPUT, "direction needs chain"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseQuery(v)
			if tt.code != "" {
				if domain.ErrorCode(err) != tt.code || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
					t.Fatalf("err = %v (%s), want %s containing %q", err, domain.ErrorCode(err), tt.code, tt.msg)
				}
				if m := domain.ErrorMessage(err); strings.Contains(m, "internal error") {
					t.Errorf("message %q hides the cause", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParamsHaveFlags(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Params() {
		if p.Name == "" || p.Flag == "" || p.Usage == "" || seen[p.Flag] {
			t.Errorf("param %+v: empty or duplicate", p)
		}
		seen[p.Flag] = true
		// Every parameter is one ParseQuery knows.
		if _, err := ParseQuery(map[string][]string{p.Name: {""}}); err != nil {
			t.Errorf("ParseQuery does not take %s: %v", p.Name, err)
		}
	}
}

func TestDescribeAndFileName(t *testing.T) {
	tests := []struct {
		q                   Query
		entity, mode, title string
	}{
		{Query{Chain: "county:moyu"}, "county:moyu", "chain-up", "Responsibility chains up from county:moyu"},
		{Query{Chain: "county:moyu", Down: true}, "county:moyu", "chain-down", "Responsibility chains down from county:moyu"},
		{Query{From: "county:a", To: "province:b"}, "county:a_to_province:b", "paths", "Shortest paths from county:a to province:b"},
		{Query{IDs: []string{"prefecture:aksu"}, Depth: 2}, "prefecture:aksu", "neighbourhood-depth-2", "Neighbourhood of prefecture:aksu, depth 2"},
		{Query{IDs: []string{"a:b", "c:d", "e:f"}, Depth: 1}, "a:b_and_2_more", "neighbourhood-depth-1", "Neighbourhood of a:b, c:d, e:f, depth 1"},
		{Query{Depth: 1}, "all", "whole-graph", "The whole graph"},
	}
	for _, tt := range tests {
		e, m, title := tt.q.Describe()
		if e != tt.entity || m != tt.mode || title != tt.title {
			t.Errorf("%+v.Describe() = %q, %q, %q; want %q, %q, %q", tt.q, e, m, title, tt.entity, tt.mode, tt.title)
		}
	}
	names := []struct {
		entity, mode, date string
		f                  Format
		want               string
	}{
		{"county:moyu", "chain-up", "2019-06", GraphML, "aidtrace_county-moyu_chain-up_2019-06.graphml"},
		{"party_body:ccp-central-committee", "chain-down", "2024-01-31", CSV, "aidtrace_party-body-ccp-central-committee_chain-down_2024-01-31_csv.zip"},
		{"county:a_to_province:b", "paths", "2020", FtM, "aidtrace_county-a-to-province-b_paths_2020.ftm.json"},
		{"all", "whole-graph", "2025-11-30", CSVEdges, "aidtrace_all_whole-graph_2025-11-30_edges.csv"},
		{`"bad\name/..`, "", "", Cytoscape, "aidtrace_bad-name.cyjs"},
	}
	for _, n := range names {
		if got := FileName(n.entity, n.mode, n.date, n.f); got != n.want {
			t.Errorf("FileName(%q, %q, %q, %s) = %q, want %q", n.entity, n.mode, n.date, n.f, got, n.want)
		}
	}
}

func TestDecodeElementList(t *testing.T) {
	good := `{"nodes":[{"id":"county:moyu","x":1.5,"y":-2,"color":"#1B9E77","shape":"diamond"},{"id":"prefecture:hotan"}],
		"edges":[{"id":"rel:part-of:moyu--hotan"}],"title":"Moyu","asOf":"2019-06","view":"https://example.org/?id=county:moyu",
		"entity":"county:moyu","mode":"chain-up"}`
	l, err := DecodeElementList([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	opt := l.Options()
	if s := opt.Styles["county:moyu"]; s.Pos == nil || *s.Pos != (Point{1.5, -2}) || s.Color != "#1b9e77" || s.Shape != "diamond" {
		t.Errorf("style of county:moyu = %+v", s)
	}
	if s := opt.Styles["prefecture:hotan"]; s.Pos != nil || s.Color != "" || s.Shape != "" {
		t.Errorf("style of prefecture:hotan = %+v, want none", s)
	}
	if opt.Meta.Title != "Moyu" || opt.Meta.AsOf.String() != "2019-06" || opt.Meta.View != "https://example.org/?id=county:moyu" {
		t.Errorf("meta = %+v", opt.Meta)
	}
	if e, m := l.Describe(); e != "county:moyu" || m != "chain-up" {
		t.Errorf("Describe() = %q, %q", e, m)
	}
	if e, m := (&ElementList{}).Describe(); e != "view" || m != "view" {
		t.Errorf("empty Describe() = %q, %q", e, m)
	}

	many := func(n int, item string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.ReplaceAll(item, "N", "n"+strconv.Itoa(i))
		}
		return strings.Join(parts, ",")
	}
	bad := []struct {
		name, body, code, msg string
	}{
		{"not JSON", `{"nodes":`, domain.EBADINPUT, "cut short"},
		{"syntax", `{"nodes":[}`, domain.EBADINPUT, "not valid JSON"},
		{"two values", `{"nodes":[{"id":"county:a"}]} {}`, domain.EBADINPUT, "more than one"},
		{"unknown field", `{"nodes":[{"id":"county:a"}],"colour":"red"}`, domain.EBADINPUT, `unknown field "colour"`},
		{"unknown node field", `{"nodes":[{"id":"county:a","label":"A"}]}`, domain.EBADINPUT, `unknown field "label"`},
		{"wrong type", `{"nodes":[{"id":"county:a","x":"1"}]}`, domain.EBADINPUT, "nodes.x must be a number"},
		{"wrong type list", `{"nodes":{"id":"county:a"}}`, domain.EBADINPUT, "nodes must be a list"},
		{"no nodes", `{"nodes":[]}`, domain.EBADINPUT, "nothing to export"},
		{"bad node id", `{"nodes":[{"id":"county moyu"}]}`, domain.EBADINPUT, "nodes[0].id"},
		{"duplicate node", `{"nodes":[{"id":"county:a"},{"id":"county:a"}]}`, domain.EBADINPUT, "listed twice"},
		{"x without y", `{"nodes":[{"id":"county:a","x":1}]}`, domain.EBADINPUT, "both x and y"},
		{"far away", `{"nodes":[{"id":"county:a","x":1e9,"y":0}]}`, domain.EBADINPUT, "within"},
		{"bad colour", `{"nodes":[{"id":"county:a","color":"teal"}]}`, domain.EBADINPUT, "nodes[0].color"},
		{"bad shape", `{"nodes":[{"id":"county:a","shape":"blob"}]}`, domain.EBADINPUT, "unknown shape"},
		{"bad edge id", `{"nodes":[{"id":"county:a"}],"edges":[{"id":"county:a"}]}`, domain.EBADINPUT, "edges[0].id"},
		{"duplicate edge", `{"nodes":[{"id":"county:a"}],"edges":[{"id":"rel:x"},{"id":"rel:x"}]}`, domain.EBADINPUT, "listed twice"},
		{"bad asOf", `{"nodes":[{"id":"county:a"}],"asOf":"2019-13"}`, domain.EBADINPUT, "month must be"},
		{"bad view", `{"nodes":[{"id":"county:a"}],"view":"javascript:alert(1)"}`, domain.EBADINPUT, "view"},
		{"bad entity", `{"nodes":[{"id":"county:a"}],"entity":"moyu"}`, domain.EBADINPUT, "entity"},
		{"bad mode", `{"nodes":[{"id":"county:a"}],"mode":"Chain Up"}`, domain.EBADINPUT, "mode"},
		{"long title", `{"nodes":[{"id":"county:a"}],"title":"` + strings.Repeat("t", MaxMetaLen+1) + `"}`, domain.EBADINPUT, "title"},
		{"too many nodes", `{"nodes":[` + many(MaxElementNodes+1, `{"id":"county:N"}`) + `]}`, domain.ELIMIT, "at most"},
		{"too many edges", `{"nodes":[{"id":"county:a"}],"edges":[` + many(MaxElementEdges+1, `{"id":"rel:N"}`) + `]}`, domain.ELIMIT, "at most"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeElementList([]byte(tt.body))
			if domain.ErrorCode(err) != tt.code || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v (%s), want %s containing %q", err, domain.ErrorCode(err), tt.code, tt.msg)
			}
			// No Go type names reach a client, nor a hidden cause.
			if m := domain.ErrorMessage(err); strings.Contains(m, "float64") || strings.Contains(m, "ElementNode") || strings.Contains(m, "json:") || strings.Contains(m, "internal error") {
				t.Errorf("message %q names Go internals", m)
			}
		})
	}
}

// memStore is an in-memory ReadService over a subgraph: enough for
// GatherElements.
type memStore struct {
	domain.ReadService
	g *domain.Subgraph
}

func (m memStore) EntitiesByID(_ context.Context, ids []string) (map[string]*domain.Entity, error) {
	out := map[string]*domain.Entity{}
	for i := range m.g.Entities {
		if slices.Contains(ids, m.g.Entities[i].ID) {
			out[m.g.Entities[i].ID] = &m.g.Entities[i]
		}
	}
	return out, nil
}

func (m memStore) Relations(_ context.Context, q domain.RelationQuery) ([]domain.Relation, error) {
	var out []domain.Relation
	for _, r := range m.g.Relations {
		if q.Direction == domain.Outgoing && slices.Contains(q.IDs, r.From) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m memStore) RelationByID(_ context.Context, id string) (*domain.Relation, error) {
	for i := range m.g.Relations {
		if m.g.Relations[i].ID == id {
			return &m.g.Relations[i], nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "no relation %s", id)
}

func (m memStore) SourcesByID(_ context.Context, ids []string) (map[string]*domain.Source, error) {
	out := map[string]*domain.Source{}
	for i := range m.g.Sources {
		if slices.Contains(ids, m.g.Sources[i].ID) {
			out[m.g.Sources[i].ID] = &m.g.Sources[i]
		}
	}
	return out, nil
}

func TestGatherElements(t *testing.T) {
	svc := memStore{g: testSubgraph(t)}
	list := func(nodes []string, edges ...string) *ElementList {
		l := &ElementList{}
		for _, n := range nodes {
			l.Nodes = append(l.Nodes, ElementNode{ID: n})
		}
		for _, e := range edges {
			l.Edges = append(l.Edges, ElementEdge{ID: e})
		}
		return l
	}
	// Exactly what is listed: county:test-gamma's FUNDS edge and the
	// other relations among these nodes are left out.
	g, err := GatherElements(t.Context(), svc, list([]string{"province:test-beta", "prefecture:test-alpha", "county:test-gamma"}, "rel:test-paired"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range g.Entities {
		ids = append(ids, e.ID)
	}
	if want := []string{"province:test-beta", "prefecture:test-alpha", "county:test-gamma"}; !slices.Equal(ids, want) {
		t.Errorf("entities %q, want %q", ids, want)
	}
	if len(g.Relations) != 1 || g.Relations[0].ID != "rel:test-paired" {
		t.Errorf("relations %+v, want rel:test-paired only", g.Relations)
	}
	var srcs []string
	for _, s := range g.Sources {
		srcs = append(srcs, s.ID)
	}
	if want := []string{"src:test-gazette", "src:test-report"}; !slices.Equal(srcs, want) {
		t.Errorf("sources %q, want %q", srcs, want)
	}

	errs := []struct {
		name string
		l    *ElementList
		code string
		msg  string
	}{
		{"unknown node", list([]string{"county:test-gamma", "county:nowhere"}), domain.ENOTFOUND, "county:nowhere"},
		{"unknown edge", list([]string{"county:test-gamma"}, "rel:nowhere"), domain.ENOTFOUND, "rel:nowhere"},
		{"edge to an undrawn node", list([]string{"province:test-beta"}, "rel:test-paired"), domain.EBADINPUT, "prefecture:test-alpha, which is not among the nodes"},
		{"edge from an undrawn node", list([]string{"prefecture:test-alpha"}, "rel:test-paired"), domain.EBADINPUT, "province:test-beta, which is not among the nodes"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := GatherElements(t.Context(), svc, tt.l)
			if domain.ErrorCode(err) != tt.code || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v (%s), want %s containing %q", err, domain.ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
}

func TestOptionsRefusedBeforeWriting(t *testing.T) {
	nan := 0.0
	nan /= nan
	bad := []*Options{
		{Meta: Meta{View: "ftp://example.org/x"}},
		{Meta: Meta{Title: "\xff"}},
		{Styles: map[string]NodeStyle{"county:test-gamma": {Pos: &Point{X: nan}}}},
		{Styles: map[string]NodeStyle{"county:test-gamma": {Color: "#ABCDEF"}}}, // not normalised
		{Styles: map[string]NodeStyle{"county:test-gamma": {Shape: "blob"}}},
	}
	for i, opt := range bad {
		var b strings.Builder
		err := Write(&b, GraphML, testSubgraph(t), opt)
		if domain.ErrorCode(err) != domain.EBADINPUT || b.Len() != 0 {
			t.Errorf("case %d: err = %v, %d bytes written; want BAD_USER_INPUT and nothing", i, err, b.Len())
		}
	}
}
