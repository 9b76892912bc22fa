package export

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func TestCSVZipLayout(t *testing.T) {
	files, names, err := unzip(MustWrite(t, CSV, testSubgraph(t)))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"README.txt", "nodes.csv", "edges.csv", "sources.csv", "citations.csv"}; !slices.Equal(names, want) {
		t.Errorf("zip entries = %q, want %q", names, want)
	}
	headers := map[string][]string{
		"nodes.csv":     NodeColumns(),
		"edges.csv":     EdgeColumns(),
		"sources.csv":   SourceColumns(),
		"citations.csv": CitationColumns(),
	}
	rowsWant := map[string]int{"nodes.csv": 5, "edges.csv": 4, "sources.csv": 2, "citations.csv": 11}
	for name, header := range headers {
		rows, err := readCSVFile(files[name]) // checks the BOM and equal column counts
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(rows[0], header) {
			t.Errorf("%s header = %q, want %q", name, rows[0], header)
		}
		if got := len(rows) - 1; got != rowsWant[name] {
			t.Errorf("%s has %d rows, want %d", name, got, rowsWant[name])
		}
		// Every documented column is explained in the README.
		for _, col := range header {
			if !strings.Contains(string(files["README.txt"]), col) {
				t.Errorf("README.txt does not mention column %s.%s", name, col)
			}
		}
	}

	// citations.csv joins claims to sources, with the source's details.
	rows, _ := readCSVFile(files["citations.csv"])
	want := []string{"prefecture:test-alpha", "entity", "src:test-report", aksuZh + " is paired", "p. 4", "",
		"Test Report: 测试报告 <draft> & notes", "https://example.org/report?a=1&b=2", "B"}
	if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) }) {
		t.Errorf("citations.csv has no row %q", want)
	}
	unlisted := []string{"rel:test-paired", "relation", "src:test-unlisted", "unlisted source", "", "", "", "", ""}
	attested := []string{"rel:test-paired", "relation", "src:test-report", duikouZh, "§2", "2012",
		"Test Report: 测试报告 <draft> & notes", "https://example.org/report?a=1&b=2", "B"}
	for _, want := range [][]string{unlisted, attested} {
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) }) {
			t.Errorf("citations.csv has no row %q", want)
		}
	}
	rows, _ = readCSVFile(files["sources.csv"])
	if want := []string{"src:test-report", "Test Report: 测试报告 <draft> & notes", "Example NGO (fictional)", "",
		"https://example.org/report?a=1&b=2", "", "2021-06", "ngo", "B", ""}; !slices.Equal(rows[2], want) {
		t.Errorf("sources.csv row = %q, want %q", rows[2], want)
	}
	if want := []string{"src:test-gazette", "Fictional Gazette", "", "", "https://example.org/gazette", "Gazette No. 7 (fictional)",
		"", "official", "A", ""}; !slices.Equal(rows[1], want) {
		t.Errorf("sources.csv row = %q, want %q", rows[1], want)
	}
}

func TestCSVSingleTables(t *testing.T) {
	g := testSubgraph(t)
	var nodes, edges bytes.Buffer
	if err := Write(&nodes, CSVNodes, g, nil); err != nil {
		t.Fatal(err)
	}
	if err := Write(&edges, CSVEdges, g, nil); err != nil {
		t.Fatal(err)
	}
	// The single tables are the zip's tables, byte for byte.
	files, _, err := unzip(MustWrite(t, CSV, g))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(nodes.Bytes(), files["nodes.csv"]) || !bytes.Equal(edges.Bytes(), files["edges.csv"]) {
		t.Errorf("WriteCSVNodes/WriteCSVEdges differ from the zip's nodes.csv/edges.csv")
	}
	rows, err := readCSVFile(nodes.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := nodesFromCSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSlices(wantNodes(hostile, false), got); d != "" {
		t.Errorf("nodes:\n%s", d)
	}
	if !bytes.Contains(nodes.Bytes(), []byte(aksuZh)) || !bytes.Contains(edges.Bytes(), []byte(duikouZh)) {
		t.Errorf("Chinese text is not in the CSV byte for byte")
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	g := &domain.Subgraph{Entities: []domain.Entity{
		{ID: "company:a", Name: "=HYPERLINK(\"http://evil.example\",\"x\")"},
		{ID: "company:b", Name: "+1+1", Description: "-2", NameZh: "@SUM(A1)"},
		{ID: "company:c", Name: "\tx", Description: "\rx"},
		{ID: "company:d", Name: "a=b", Description: "1-2"}, // only a leading character starts a formula
	}}
	var buf bytes.Buffer
	if err := Write(&buf, CSVNodes, g, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := readCSVFile(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	tests := []struct {
		row  int
		col  string
		want string
	}{
		{1, "name", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{1, "label", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{2, "name", "'+1+1"},
		{2, "description", "'-2"},
		{2, "nameZh", "'@SUM(A1)"},
		{3, "name", "'\tx"},
		{3, "description", "'\rx"},
		{4, "name", "a=b"},
		{4, "description", "1-2"},
	}
	for _, tt := range tests {
		if got := rows[tt.row][col(tt.col)]; got != tt.want {
			t.Errorf("row %d %s = %q, want %q", tt.row, tt.col, got, tt.want)
		}
	}
}
