package domain

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseExportQuery(t *testing.T) {
	date := func(s string) PartialDate { return mustExportDate(t, s) }
	tests := []struct {
		query string
		want  ExportQuery
		code  string // error code, "" for none
		msg   string // part of the error message
	}{
		{"", ExportQuery{Depth: 1}, "", ""},
		{"ids=prefecture:aksu,county:moyu&depth=2&types=PART_OF&kinds=county&asOf=2015&limit=10",
			ExportQuery{IDs: []string{"prefecture:aksu", "county:moyu"}, Depth: 2, Types: []string{"PART_OF"}, Kinds: []Kind{"county"}, AsOf: date("2015"), Limit: 10}, "", ""},
		{"ids=&depth=1", ExportQuery{Depth: 1}, "", ""}, // an empty value is not given
		{"chain=county:moyu", ExportQuery{Chain: "county:moyu", Depth: 1}, "", ""},
		{"chain=county:moyu&direction=down&asOf=2019-06", ExportQuery{Chain: "county:moyu", Down: true, Depth: 1, AsOf: date("2019-06")}, "", ""},
		{"chain=county:moyu&direction=UP", ExportQuery{Chain: "county:moyu", Depth: 1}, "", ""},
		{"from=county:moyu&to=province:beijing&types=PAIRED_WITH", ExportQuery{From: "county:moyu", To: "province:beijing", Depth: 1, Types: []string{"PAIRED_WITH"}}, "", ""},

		{"chain=county:moyu&direction=sideways", ExportQuery{}, EBADINPUT, "neither UP nor DOWN"},
		{"chain=county:moyu&direction=", ExportQuery{Chain: "county:moyu", Depth: 1}, "", ""},
		{"ids=county:moyu&ids=county:hotan", ExportQuery{}, EBADINPUT, `"ids" is given 2 times`},
		{"format=gexf", ExportQuery{}, EBADINPUT, `unknown export parameter "format"`},
		{"id=county:moyu", ExportQuery{}, EBADINPUT, `unknown export parameter "id"`},
		{"depth=two", ExportQuery{}, EBADINPUT, "depth"},
		{"depth=9&ids=county:moyu", ExportQuery{}, ELIMIT, "depth"},
		{"limit=0", ExportQuery{}, EBADINPUT, "limit"},
		{"limit=100001", ExportQuery{}, ELIMIT, "limit"},
		{"ids=not an id", ExportQuery{}, EBADINPUT, "ids"},
		{"chain=x", ExportQuery{}, EBADINPUT, "chain"},
		{"types=NO_SUCH", ExportQuery{}, EBADINPUT, "NO_SUCH"},
		{"kinds=kounty", ExportQuery{}, EBADINPUT, "kounty"},
		{"asOf=2010-13", ExportQuery{}, EBADINPUT, "asOf: \"2010-13\": month must be 01 to 12"},
		{"asOf=" + strings.Repeat("2", 30000), ExportQuery{}, EBADINPUT, "is not a date"},
		{"from=county:moyu", ExportQuery{}, EBADINPUT, "both from and to"},
		{"to=county:moyu", ExportQuery{}, EBADINPUT, "both from and to"},
		{"chain=county:moyu&ids=county:hotan", ExportQuery{}, EBADINPUT, "not ids"},
		{"chain=county:moyu&depth=2", ExportQuery{}, EBADINPUT, "not depth"},
		{"chain=county:moyu&from=county:a&to=county:b", ExportQuery{}, EBADINPUT, "chain takes"},
		{"from=county:a&to=county:b&limit=5", ExportQuery{}, EBADINPUT, "not limit"},
		{"from=county:a&to=county:b&direction=UP", ExportQuery{}, EBADINPUT, "not direction"},
		{"direction=DOWN", ExportQuery{}, EBADINPUT, "direction needs chain"},
		{"ids=county:moyu&direction=DOWN", ExportQuery{}, EBADINPUT, "direction needs chain"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseExportQuery(v)
			if tt.code != "" {
				if ErrorCode(err) != tt.code || !strings.Contains(ErrorMessage(err), tt.msg) {
					t.Fatalf("err = %v (%s), want %s containing %q", err, ErrorCode(err), tt.code, tt.msg)
				}
				if m := ErrorMessage(err); strings.Contains(m, "internal error") {
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

func TestExportParamsHaveFlags(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range ExportParams() {
		if p.Name == "" || p.Flag == "" || p.Usage == "" || seen[p.Flag] {
			t.Errorf("param %+v: empty or duplicate", p)
		}
		seen[p.Flag] = true
		// Every parameter is one ParseExportQuery knows.
		if _, err := ParseExportQuery(map[string][]string{p.Name: {""}}); err != nil {
			t.Errorf("ParseExportQuery does not take %s: %v", p.Name, err)
		}
	}
}

// subgraphReads is an in-memory ReadService over a subgraph: enough for
// Exports.Elements.
type subgraphReads struct {
	ReadService
	g *Subgraph
}

func (m subgraphReads) EntitiesByID(_ context.Context, ids []string) (map[string]*Entity, error) {
	out := map[string]*Entity{}
	for i := range m.g.Entities {
		if slices.Contains(ids, m.g.Entities[i].ID) {
			out[m.g.Entities[i].ID] = &m.g.Entities[i]
		}
	}
	return out, nil
}

func (m subgraphReads) Relations(_ context.Context, q RelationQuery) ([]Relation, error) {
	var out []Relation
	for _, r := range m.g.Relations {
		if q.Direction == Outgoing && slices.Contains(q.IDs, r.From) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m subgraphReads) RelationByID(_ context.Context, id string) (*Relation, error) {
	for i := range m.g.Relations {
		if m.g.Relations[i].ID == id {
			return &m.g.Relations[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "no relation %s", id)
}

func (m subgraphReads) SourcesByID(_ context.Context, ids []string) (map[string]*Source, error) {
	out := map[string]*Source{}
	for i := range m.g.Sources {
		if slices.Contains(ids, m.g.Sources[i].ID) {
			out[m.g.Sources[i].ID] = &m.g.Sources[i]
		}
	}
	return out, nil
}

func TestExportElements(t *testing.T) {
	svc := Exports{Read: subgraphReads{g: elementsFixture(t)}}
	type list struct{ nodes, edges []string }
	// Exactly what is listed: county:test-gamma's FUNDS edge and the
	// other relations among these nodes are left out.
	g, err := svc.Elements(t.Context(), []string{"province:test-beta", "prefecture:test-alpha", "county:test-gamma"}, []string{"rel:test-paired"})
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
		l    list
		code string
		msg  string
	}{
		{"unknown node", list{[]string{"county:test-gamma", "county:nowhere"}, nil}, ENOTFOUND, "county:nowhere"},
		{"unknown edge", list{[]string{"county:test-gamma"}, []string{"rel:nowhere"}}, ENOTFOUND, "rel:nowhere"},
		{"edge to an undrawn node", list{[]string{"province:test-beta"}, []string{"rel:test-paired"}}, EBADINPUT, "prefecture:test-alpha, which is not among the nodes"},
		{"edge from an undrawn node", list{[]string{"prefecture:test-alpha"}, []string{"rel:test-paired"}}, EBADINPUT, "province:test-beta, which is not among the nodes"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Elements(t.Context(), tt.l.nodes, tt.l.edges)
			if ErrorCode(err) != tt.code || !strings.Contains(ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v (%s), want %s containing %q", err, ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
}

// elementsFixture: a province paired with a prefecture, a county of it the
// province funds, and the sources they cite.
func elementsFixture(tb testing.TB) *Subgraph {
	return &Subgraph{
		Sources: []Source{
			{ID: "src:test-report", Title: "Test Report", Grade: "B"},
			{ID: "src:test-gazette", Title: "Fictional Gazette", Grade: "A"},
		},
		Entities: []Entity{
			{ID: "province:test-beta", Kind: "province", Citations: []Citation{{SourceID: "src:test-gazette", Quote: "q"}}},
			{ID: "prefecture:test-alpha", Kind: "prefecture", Citations: []Citation{{SourceID: "src:test-report", Quote: "q"}}},
			{ID: "county:test-gamma", Kind: "county", Citations: []Citation{{SourceID: "src:test-report", Quote: "q"}}},
		},
		Relations: []Relation{
			{ID: "rel:test-part-of", Type: "PART_OF", From: "county:test-gamma", To: "prefecture:test-alpha", Citations: []Citation{{SourceID: "src:test-report", Quote: "q"}}},
			{ID: "rel:test-paired", Type: "PAIRED_WITH", From: "province:test-beta", To: "prefecture:test-alpha", Citations: []Citation{{SourceID: "src:test-report", Quote: "q"}}},
			{ID: "rel:test-funds", Type: "FUNDS", From: "province:test-beta", To: "county:test-gamma", Citations: []Citation{{SourceID: "src:test-gazette", Quote: "q"}}},
		},
	}
}

func mustExportDate(tb testing.TB, s string) PartialDate {
	tb.Helper()
	d, err := ParsePartialDate(s)
	if err != nil {
		tb.Fatalf("ParsePartialDate(%q): %v", s, err)
	}
	return d
}
