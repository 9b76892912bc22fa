package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m)) }

// base is a valid dataset; cases append to it. Its sources and entities
// are referred to by the cases.
const base = `sources:
  - id: src:report
    title: A report
    url: https://example.org/report
    published: "2020-05"
    type: ngo
    grade: B
  - id: src:forum
    title: A forum thread
    url: https://forum.example.org/t/1
    type: other
    grade: C
entities:
  - id: province:zhejiang
    kind: province
    name: Zhejiang
    nameZh: 浙江
    cite: [{source: src:report, quote: "Zhejiang"}]
  - id: prefecture:aksu
    kind: prefecture
    name: Aksu
    cite: [{source: src:report, quote: "Aksu"}]
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// markedLine returns the 1-based line holding the "# <-" marker.
func markedLine(t *testing.T, s string) int {
	t.Helper()
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "# <-") {
			return i + 1
		}
	}
	t.Fatal("no # <- marker in case")
	return 0
}

type badCase struct {
	name    string
	content string // whole file; the line with "# <-" is where the problem must be reported
	field   string // expected field (substring)
	message string // expected message (substring)
}

var badCases = []badCase{
	{"yaml syntax", base + "relations:\n  - id: rel:x\n    type: \"PAIRED_WITH   # <-\n", "", "found unexpected end of stream"},
	{"top level list", "- id: src:x   # <-\n", "", "expected a mapping with the keys sources, entities, relations and counterClaims"},
	{"unknown section", base + "nodes: []   # <-\n", "nodes", "unknown section"},
	{"section not a list", base + "relations: {id: rel:x}   # <-\n", "relations", "expected a list"},
	{"item not a mapping", base + "relations:\n  - just a string   # <-\n", "relations[0]", "expected a mapping"},
	{"unknown field", base + `  - id: county:aksu-city
    kind: county
    nmae: Aksu City   # <-
    name: Aksu City
    cite: [{source: src:report, quote: "Aksu City"}]
`, "entities[2].nmae", "unknown field"},
	{"unknown kind", base + `  - id: county:aksu-city
    kind: kounty   # <-
    name: Aksu City
    cite: [{source: src:report, quote: "Aksu City"}]
`, "entities[2] (county:aksu-city).kind", `unknown kind "kounty"`},
	{"missing name", base + `  - id: county:aksu-city   # <-
    kind: county
    cite: [{source: src:report, quote: "Aksu City"}]
`, "entities[2] (county:aksu-city).name", "is required"},
	{"bad entity id", base + `  - id: Aksu City   # <-
    kind: county
    name: Aksu City
    cite: [{source: src:report, quote: "Aksu City"}]
`, "entities[2] (Aksu City).id", "is not an entity id"},
	{"no citation", base + `  - id: county:aksu-city   # <-
    kind: county
    name: Aksu City
`, "entities[2] (county:aksu-city).cite", "at least one citation is required"},
	{"citation without a quote", base + `  - id: county:aksu-city
    kind: county
    name: Aksu City
    cite:
      - source: src:report   # <-
        locator: p. 4
`, "cite[0].quote", "is required"},
	{"unknown source", base + `  - id: county:aksu-city
    kind: county
    name: Aksu City
    cite:
      - source: src:nowhere   # <-
        quote: Aksu City
`, "cite[0].source", `unknown source "src:nowhere"`},
	{"bad date", base + `  - id: event:forum
    kind: event
    name: Forum
    validFrom: 2010-13   # <-
    cite: [{source: src:report, quote: "forum"}]
`, "validFrom", "month must be 01 to 12"},
	{"validTo before validFrom", base + `  - id: event:forum
    kind: event
    name: Forum
    validFrom: "2014"
    validTo: "2010"   # <-
    cite: [{source: src:report, quote: "forum"}]
`, "validTo", "is before validFrom"},
	{"unknown relation type", base + `relations:
  - id: rel:x
    type: HELPS   # <-
    from: province:zhejiang
    to: prefecture:aksu
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "relations[0] (rel:x).type", `unknown relation type "HELPS"`},
	{"dangling to", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:hotan   # <-
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "relations[0] (rel:x).to", `unknown entity "prefecture:hotan"`},
	{"endpoint kind not allowed", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: prefecture:aksu   # <-
    to: province:zhejiang
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "relations[0] (rel:x).from", "PAIRED_WITH cannot start at a prefecture"},
	{"duplicate id", base + `  - id: prefecture:aksu   # <-
    kind: prefecture
    name: Aksu again
    cite: [{source: src:report, quote: "Aksu"}]
`, "entities[2] (prefecture:aksu).id", `duplicate id "prefecture:aksu" (first defined at entities[1])`},
	{"bad confidence", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: certain   # <-
    cite: [{source: src:report, quote: "x"}]
`, "confidence", `"certain" is not one of confirmed, reported, disputed`},
	{"bad grade", strings.Replace(base, "grade: B", "grade: D   # <-", 1), "sources[0] (src:report).grade", `"D" is not one of A, B, C`},
	{"bad source type", strings.Replace(base, "type: ngo", "type: blog   # <-", 1), "sources[0] (src:report).type", `"blog" is not one of official`},
	{"attribute not allowed", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: confirmed
    attributes:
      subList: "(ii)"   # <-
    cite: [{source: src:report, quote: "x"}]
`, "attributes.subList", "PAIRED_WITH takes no attributes"},
	{"quantity not a number", base + `  - id: statistic:x
    kind: statistic
    name: Transfers
    quantities:
      - name: transfers
        value: many   # <-
    cite: [{source: src:report, quote: "x"}]
`, "entities[2]", "cannot unmarshal !!str `many` into float64"},
	// The sourcing rules (seeds/README.md, Format).
	{"source without an address", base + `  - id: county:x
    kind: county
    name: X
    cite: [{source: src:nourl, quote: "x"}]
sources:
  - id: src:nourl   # <-
    title: Somewhere
    type: press
    grade: B
`, "sources[2] (src:nourl).url", "is required"},
	{"source address not http", base + `  - id: county:x
    kind: county
    name: X
    cite: [{source: src:ftp, quote: "x"}]
sources:
  - id: src:ftp
    title: Somewhere
    url: ftp.example.org/file   # <-
    type: press
    grade: B
`, "url", "is not an http(s) address"},
	{"mirror not grade C", base + `  - id: county:x
    kind: county
    name: X
    cite: [{source: src:copy, quote: "x"}]
sources:
  - id: src:copy
    title: Xinhua report (copy)
    publisher: some-mirror.example
    mirrorOf: Xinhua
    url: https://some-mirror.example/1
    type: press
    grade: A   # <-
`, "grade", "a mirror, reprint or copy (mirrorOf \"Xinhua\") is grade C"},
	{"mirror without its original", base + `  - id: county:x
    kind: county
    name: X
    cite: [{source: src:copy, quote: "x"}]
sources:
  - id: src:copy
    title: Xinhua report (mirror)   # <-
    url: https://some-mirror.example/1
    type: press
    grade: C
`, "title", "names its original publisher in mirrorOf"},
	{"citation naming our fact sheet", base + `  - id: county:x
    kind: county
    name: X
    cite:
      - source: src:report
        quote: "X County"
        locator: "sourced-facts.md §1, row X"   # <-
`, "cite[0].locator", "never our own files"},
	{"note naming a machine path", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: confirmed
    note: "Generated from /tmp/aidgen/pairing.py"   # <-
    cite: [{source: src:report, quote: "x"}]
`, "note", "never our own files or machine paths"},
	{"confirmed on grade C alone", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: confirmed   # <-
    cite: [{source: src:forum, quote: "x"}]
`, "confidence", "confirmed needs at least one cited source of grade A or B"},
	{"inference confirmed", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    inferred: true
    confidence: confirmed   # <-
    note: joins rel:a and rel:b
    cite: [{source: src:report, quote: "x"}]
`, "confidence", "an inference is never confirmed"},
	{"inference without a note", base + `relations:
  - id: rel:x   # <-
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    inferred: true
    confidence: reported
    cite: [{source: src:report, quote: "x"}]
`, "note", "an inference needs a note"},
	{"disputed with one side", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: disputed
    cite: [{source: src:report, quote: "x"}]   # <-
`, "cite", "at least two citations"},
	{"attests after publication", base + `relations:
  - id: rel:x
    type: PAIRED_WITH
    from: province:zhejiang
    to: prefecture:aksu
    confidence: confirmed
    cite:
      - source: src:report
        quote: "x"
        attests: "2021"   # <-
`, "cite[0].attests", "after the source was published"},
	{"conflicting figures without sources", base + `relations:
  - id: rel:x
    type: TRANSFERS_WORKERS_TO
    from: prefecture:aksu
    to: province:zhejiang
    role: origin
    confidence: confirmed
    quantities:
      - {name: headcount_approx, value: 700}   # <-
      - {name: headcount_approx, value: 600, source: src:report}
    cite: [{source: src:report, quote: "x"}]
`, "quantities[0].source", "each needs its source"},
	{"figure from an uncited source", base + `relations:
  - id: rel:x
    type: TRANSFERS_WORKERS_TO
    from: prefecture:aksu
    to: province:zhejiang
    role: origin
    confidence: confirmed
    quantities:
      - {name: headcount, value: 700, source: src:forum}   # <-
    cite: [{source: src:report, quote: "x"}]
`, "quantities[0].source", "is not one of the claim's cited sources"},
	{"transfer without its role", base + `relations:
  - id: rel:x
    type: TRANSFERS_WORKERS_TO
    from: prefecture:aksu
    to: province:zhejiang
    role: helper   # <-
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "role", "needs a role of origin or organiser"},
	{"supply link without its strength", base + `  - id: factory:f
    kind: factory
    name: F
    cite: [{source: src:report, quote: "F"}]
  - id: buyer:b
    kind: buyer
    name: B
    cite: [{source: src:report, quote: "B"}]
relations:
  - id: rel:x   # <-
    type: SUPPLIES
    from: factory:f
    to: buyer:b
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "attributes.link", "is required for SUPPLIES"},
	{"id prefix not the kind", base + `  - id: company:f   # <-
    kind: factory
    name: F
    cite: [{source: src:report, quote: "F"}]
`, "entities[2] (company:f).id", "does not start with its kind"},
	{"counter-claim of nothing", base + `counterClaims:
  - id: cc:x
    contests: rel:nothing   # <-
    kind: denial
    date: "2020"
    statement: A denial.
    cite: [{source: src:report, quote: "we deny"}]
`, "counterClaims[0] (cc:x).contests", "unknown relation or entity"},
	{"counter-claim of an unknown kind", base + `counterClaims:
  - id: cc:x
    contests: prefecture:aksu
    kind: rumour   # <-
    date: "2020"
    statement: A rumour.
    cite: [{source: src:report, quote: "we deny"}]
`, "kind", "is not one of denial, termination, audit, correction"},
	{"relation to itself", base + `relations:
  - id: rel:x
    type: PART_OF
    from: prefecture:aksu
    to: prefecture:aksu   # <-
    confidence: confirmed
    cite: [{source: src:report, quote: "x"}]
`, "relations[0] (rel:x).to", "cannot join"},
	{"invalid utf-8", base + "  - id: county:x\n    kind: county\n    name: bad \xff name   # <-\n    cite: [{source: src:report, quote: \"x\"}]\n", "", "invalid UTF-8 at column 15"},
	{"quote too long", base + `  - id: county:x
    kind: county
    name: X
    cite: [{source: src:report, quote: "` + strings.Repeat("q", 1200) + `"}]   # <-
`, "cite[0].quote", "is longer than 1000 characters"},
}

// Each malformed input is reported at its file, line and field, and (with
// a database) nothing at all is written.
func TestMalformedInputs(t *testing.T) {
	store := neo4jtest.MustStore(t)
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "data.yaml", tc.content)
			want := markedLine(t, tc.content)

			_, probs := ingest.Check([]string{dir})
			if len(probs) == 0 {
				t.Fatal("Check found no problem")
			}
			found := false
			for _, p := range probs {
				if p.File == file && p.Line == want && strings.Contains(p.Field, tc.field) && strings.Contains(p.Message, tc.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a problem at %s:%d field %q message %q; got:\n%v", file, want, tc.field, tc.message, probs)
			}

			_, err := ingest.Load(t.Context(), store, []string{dir}, nil)
			if err == nil {
				t.Fatal("Load succeeded on bad input")
			}
			if n := neo4jtest.MustCount(t, "MATCH (n) RETURN count(n) AS n", nil); n != 0 {
				t.Errorf("Load wrote %d nodes despite the problem", n)
			}
		})
	}
	if len(badCases) < 20 {
		t.Errorf("only %d malformed cases", len(badCases))
	}
}

// All problems come out in one run, across files.
func TestAllProblemsInOneRun(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", base)
	writeFile(t, dir, "b.yaml", `entities:
  - id: county:one
    kind: kounty
    name: One
    cite: [{source: src:report, quote: "x"}]
relations:
  - id: rel:y
    type: PAIRED_WITH
    from: province:zhejiang
    to: county:missing
    confidence: sure
    cite: [{source: src:gone, quote: "x"}]
`)
	_, probs := ingest.Check([]string{dir})
	want := []string{`unknown kind "kounty"`, `unknown entity "county:missing"`, `"sure" is not one of`, `unknown source "src:gone"`}
	for _, w := range want {
		found := false
		for _, p := range probs {
			if strings.Contains(p.Message, w) && strings.HasSuffix(p.File, "b.yaml") {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q in:\n%v", w, probs)
		}
	}
}

// The real seed dataset validates.
func TestSeedsValidate(t *testing.T) {
	p, probs := ingest.Check([]string{"../../seeds"})
	if len(probs) > 0 {
		t.Fatalf("seeds/ has problems:\n%v", probs)
	}
	if len(p.Dataset.Entities) == 0 || len(p.Dataset.Relations) == 0 || len(p.Dataset.Sources) == 0 {
		t.Fatalf("seeds/ is empty: %d sources, %d entities, %d relations",
			len(p.Dataset.Sources), len(p.Dataset.Entities), len(p.Dataset.Relations))
	}
	for _, e := range p.Dataset.Entities {
		if e.Synthetic {
			t.Errorf("seed entity %s is marked synthetic: synthetic data never mixes into seeds", e.ID)
		}
	}
}

// The generated sections of seeds/README.md (kinds, relation types, figures,
// sources) match the registry and the files: `make generate` rewrites them.
func TestSeedsREADMEUpToDate(t *testing.T) {
	p, probs := ingest.Check([]string{"../../seeds"})
	if len(probs) > 0 {
		t.Fatal("seeds/ has problems: TestSeedsValidate lists them")
	}
	old, err := os.ReadFile("../../seeds/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kinds", "types", "figures", "sources"} {
		if !strings.Contains(string(old), "<!-- generated:"+name+" -->") {
			t.Errorf("seeds/README.md lacks the generated section %q", name)
		}
	}
	got, err := ingest.RenderREADME(string(old), p)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(old) {
		t.Error("seeds/README.md is stale: run `make generate` and commit it")
	}
}
