package export

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func TestDescribeAndFileName(t *testing.T) {
	tests := []struct {
		q                   domain.ExportQuery
		entity, mode, title string
	}{
		{domain.ExportQuery{Chain: "county:moyu"}, "county:moyu", "chain-up", "Responsibility chains up from county:moyu"},
		{domain.ExportQuery{Chain: "county:moyu", Down: true}, "county:moyu", "chain-down", "Responsibility chains down from county:moyu"},
		{domain.ExportQuery{From: "county:a", To: "province:b"}, "county:a_to_province:b", "paths", "Shortest paths from county:a to province:b"},
		{domain.ExportQuery{IDs: []string{"prefecture:aksu"}, Depth: 2}, "prefecture:aksu", "neighbourhood-depth-2", "Neighbourhood of prefecture:aksu, depth 2"},
		{domain.ExportQuery{IDs: []string{"a:b", "c:d", "e:f"}, Depth: 1}, "a:b_and_2_more", "neighbourhood-depth-1", "Neighbourhood of a:b, c:d, e:f, depth 1"},
		{domain.ExportQuery{Depth: 1}, "all", "whole-graph", "The whole graph"},
	}
	for _, tt := range tests {
		e, m, title := Describe(tt.q)
		if e != tt.entity || m != tt.mode || title != tt.title {
			t.Errorf("Describe(%+v) = %q, %q, %q; want %q, %q, %q", tt.q, e, m, title, tt.entity, tt.mode, tt.title)
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
