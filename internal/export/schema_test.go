package export

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The schemas in testdata/xsd are the published GraphML 1.0 and GEXF 1.3
// ones (see testdata/xsd/README.md). xmllint checks the exports against
// them; the test fails, never skips, when xmllint is missing, because a
// skipped validation looks like a passed one.

// MustXMLLint returns the path of xmllint.
func MustXMLLint(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		tb.Fatalf("xmllint is not on PATH: install it with `apt-get install libxml2-utils` (Debian/Ubuntu); it validates exports against the GraphML and GEXF schemas")
	}
	return path
}

// xmllint validates file with the given schema flag (--schema or --relaxng).
func xmllint(tb testing.TB, flag, schema, file string) error {
	tb.Helper()
	out, err := exec.Command(MustXMLLint(tb), "--noout", "--nonet", flag, schema, file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint %s %s: %v\n%s", flag, filepath.Base(schema), err, out)
	}
	return nil
}

func writeTemp(tb testing.TB, name string, b []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// validationCases are the subgraphs every XML export must validate for.
func validationCases(tb testing.TB) map[string]*domain.Subgraph {
	undated := testSubgraph(tb)
	for i := range undated.Relations {
		undated.Relations[i].ValidFrom, undated.Relations[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	for i := range undated.Entities {
		undated.Entities[i].ValidFrom, undated.Entities[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	return map[string]*domain.Subgraph{
		"fixture":   testSubgraph(tb),
		"undated":   undated,
		"empty":     {},
		"synthetic": synthSubgraph(200, 1000),
	}
}

func TestGraphMLValidatesAgainstXSD(t *testing.T) {
	schema := filepath.Join("testdata", "xsd", "graphml-1.0", "graphml.xsd")
	for name, g := range validationCases(t) {
		t.Run(name, func(t *testing.T) {
			file := writeTemp(t, name+".graphml", MustWrite(t, GraphML, g))
			if err := xmllint(t, "--schema", schema, file); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestGEXFValidatesAgainstSchemas(t *testing.T) {
	schemas := []struct{ flag, path string }{
		{"--relaxng", filepath.Join("testdata", "xsd", "gexf-1.3", "gexf.rng")},
		{"--schema", filepath.Join("testdata", "xsd", "gexf-1.3", "gexf.xsd")},
	}
	for name, g := range validationCases(t) {
		t.Run(name, func(t *testing.T) {
			file := writeTemp(t, name+".gexf", MustWrite(t, GEXF, g))
			for _, s := range schemas {
				if err := xmllint(t, s.flag, s.path, file); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestSchemasRejectBrokenFiles guards the guard: if the schemas (or the way
// xmllint is called) accepted anything, the validation tests would be
// worthless. Each case breaks a valid export in one way the schema forbids.
func TestSchemasRejectBrokenFiles(t *testing.T) {
	graphml := string(MustWrite(t, GraphML, testSubgraph(t)))
	gexf := string(MustWrite(t, GEXF, testSubgraph(t)))
	tests := []struct {
		name, doc, old, new, flag, schema string
	}{
		{"graphml dangling edge", graphml, `target="county:test-gamma"`, `target="county:nowhere"`,
			"--schema", "graphml-1.0/graphml.xsd"},
		{"graphml undeclared key", graphml, `<data key="n_kind">`, `<data key="n_nokey">`,
			"--schema", "graphml-1.0/graphml.xsd"},
		{"graphml bad attr.type", graphml, `attr.type="boolean"`, `attr.type="bool"`,
			"--schema", "graphml-1.0/graphml.xsd"},
		{"gexf bad version (rng)", gexf, `version="1.3"`, `version="1.2"`,
			"--relaxng", "gexf-1.3/gexf.rng"},
		{"gexf bad version (xsd)", gexf, `version="1.3"`, `version="1.2"`,
			"--schema", "gexf-1.3/gexf.xsd"},
		{"gexf bad date (rng)", gexf, `start="2010-03-01"`, `start="2010-03"`,
			"--relaxng", "gexf-1.3/gexf.rng"},
		{"gexf bad date (xsd)", gexf, `start="2010-03-01"`, `start="2010-03"`,
			"--schema", "gexf-1.3/gexf.xsd"},
		{"gexf attvalue without value (rng)", gexf, `<attvalue for="kind" value="county"/>`, `<attvalue for="kind"/>`,
			"--relaxng", "gexf-1.3/gexf.rng"},
		{"gexf attvalue without value (xsd)", gexf, `<attvalue for="kind" value="county"/>`, `<attvalue for="kind"/>`,
			"--schema", "gexf-1.3/gexf.xsd"},
		{"gexf unknown attribute (rng)", gexf, `<gexf xmlns="http://gexf.net/1.3"`, `<gexf xmlns="http://gexf.net/1.3" color="red"`,
			"--relaxng", "gexf-1.3/gexf.rng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.doc, tt.old) {
				t.Fatalf("the export does not contain %q", tt.old)
			}
			file := writeTemp(t, "broken.xml", []byte(strings.Replace(tt.doc, tt.old, tt.new, 1)))
			if err := xmllint(t, tt.flag, filepath.Join("testdata", "xsd", tt.schema), file); err == nil {
				t.Errorf("%s accepted a broken file", tt.schema)
			}
		})
	}
}
