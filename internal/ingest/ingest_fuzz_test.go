package ingest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aidtrace/aidtrace/internal/ingest"
)

// fuzzDataset is a small valid dataset the fuzzer mutates.
const fuzzDataset = `sources:
  - id: src:report
    title: A report
    publisher: 新华社
    url: https://example.org/a?b=c&d=e
    published: 2010-04-19
    type: press
    grade: B
entities:
  - id: province:beijing
    kind: province
    name: Beijing
    nameZh: 北京市
    aliases: [Peking, 京]
    cite: [{source: src:report, quote: "北京市對口支援和田地區"}]
  - id: county:moyu
    kind: county
    name: Moyu County
    nameZh: 墨玉縣
    validFrom: "2010"
    quantities:
      - {name: workers, value: 1.5e3, unit: people}
    cite:
      - source: src:report
        locator: p. 3
relations:
  - id: rel:paired-with:beijing--moyu
    type: PAIRED_WITH
    from: province:beijing
    to: county:moyu
    validFrom: 2010-03
    validTo: "2014-12-31"
    confidence: confirmed
    role: 对口支援
    note: |
      multi-line
      note
    cite: [{source: src:report, quote: "墨玉縣"}]
`

// fuzzYAML are hostile or odd files: YAML features the format does not use
// (anchors, merge keys, tags, documents), bombs, invalid UTF-8, odd line
// breaks, huge values.
var fuzzYAML = []string{
	"",
	"\n\n\n",
	"---\n...\n",
	"- a\n- b\n",
	"sources: ~\nentities: null\nrelations: []\n",
	"sources: {id: src:x}\n",
	"sources:\n  - just a string\n",
	"nodes: []\n",
	"sources:\n  - id: src:x\n    title: [a, b]\n",
	"entities:\n  - quantities: [{name: n, value: .nan}, {name: m, value: -.inf}, {name: o, value: 1e400}]\n",
	"entities:\n  - &a {id: county:a, kind: county, name: A}\n  - *a\n  - <<: *a\n    id: county:b\n",
	"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nentities: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
	"entities: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
	"entities:\n" + strings.Repeat("  - {id: county:a, kind: county, name: A, cite: [{source: src:x, quote: q}]}\n", 200),
	"entities:\n  - id: !!binary aGVsbG8=\n    kind: !!int 3\n    name: !custom x\n",
	"entities:\n  - id: county:a\n    id: county:b\n",
	"sources:\n  - id: src:a\n---\nsources:\n  - id: src:b\n",
	"\xef\xbb\xbfsources:\n  - id: src:bom\n",
	"sources:\r\n  - id: src:crlf\r\n    title: T\r\n",
	"sources:\r  - id: src:cr\r    title: T\r    grade: Z\r",
	"sources:\u2028  - id: src:ls\u2029    grade: Z\u0085",
	"sources:\n\t- id: src:tab\n",
	"sources:\n  - id: src:nul\x00\n",
	"sources:\n  - id: \"src:\\x00\\uD800\\U0010FFFF\"\n",
	"entities:\n  - name: bad \xff name\n",
	"entities:\n  - name: \xed\xa0\x80\n",
	"entities:\n  - id: \"') MATCH (n) DETACH DELETE n //\"\n    name: \"$param `x`\"\n    kind: \"county` SET n.x = 1 //\"\n",
	"entities:\n  - id: county:a\n    name: 'name:foo* AND NOT bar~2 || (x)'\n",
	"entities:\n  - id: county:" + strings.Repeat("墨", 3000) + "\n    validFrom: " + strings.Repeat("2010", 3000) + "\n",
	"relations:\n  - attributes: {" + strings.Repeat("k", 500) + ": v, subList: [a]}\n",
	"relations:\n  - attributes: [a, b]\n    cite: {source: src:a}\n",
	"relations:\n  - id: rel:x\n    cite:\n      - source:\n          nested: map\n",
	"sources:\n  - id: src:a\n    title: \"unterminated\n",
	"sources:\n  - id: src:a\n    title: 'x'y\n",
	"sources: [\n",
	"? complex key\n: value\n",
	"sources:\n  - ? [a]\n    : b\n",
}

// FuzzParseFile feeds any bytes to the parser and the validator, as Check
// does: no panic, and every problem names the file, has a message and
// points at a line of the file (or none).
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(fuzzDataset))
	for _, s := range fuzzYAML {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("../neo4jstore/testdata/fixture.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		p := &ingest.Parsed{}
		probs := p.ParseFile(file, data)
		probs = append(probs, p.Validate(nil)...)
		p.Unresolved()
		checkProblems(t, data, file, probs)
	})
}

// FuzzCheck runs the whole file path: the bytes are written to a file in a
// directory and checked with Check, as `aidtrace validate` does.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(fuzzDataset), []byte("sources:\n  - id: src:other\n    title: O\n    type: ngo\n    grade: A\n"))
	f.Add([]byte(fuzzYAML[10]), []byte(fuzzYAML[20]))
	f.Add([]byte("entities:\n  - id: county:a\n"), []byte("entities:\n  - id: county:a\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fa, fb := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yml")
		if err := os.WriteFile(fa, a, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fb, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, probs := ingest.Check([]string{dir})
		var pa, pb ingest.Problems
		for _, p := range probs {
			switch p.File {
			case fa:
				pa = append(pa, p)
			case fb:
				pb = append(pb, p)
			default:
				t.Fatalf("problem in a file that was not given: %v", p)
			}
		}
		checkProblems(t, a, fa, pa)
		checkProblems(t, b, fb, pb)
		_ = probs.Error()
	})
}

// maxMessageBytes bounds a problem's message: values are echoed truncated.
const maxMessageBytes = 2000

func checkProblems(t *testing.T, data []byte, file string, probs ingest.Problems) {
	t.Helper()
	lines := yamlLines(data)
	for _, p := range probs {
		if p.File != file {
			t.Fatalf("problem names file %q, want %q: %v", p.File, file, p)
		}
		if strings.TrimSpace(p.Message) == "" {
			t.Fatalf("problem without a message: %#v", p)
		}
		if len(p.Message) > maxMessageBytes {
			t.Fatalf("message of %d bytes: %.300q", len(p.Message), p.Message)
		}
		if !utf8.ValidString(p.Message) {
			t.Fatalf("message is not valid UTF-8: %q", p.Message)
		}
		if p.Line < 0 || p.Line > lines {
			t.Fatalf("problem at line %d of a %d-line file: %v", p.Line, lines, p)
		}
		_ = p.String()
	}
}

// yamlLines counts lines as YAML does: "\r\n", "\r", "\n" and, in YAML 1.1,
// NEL, LS and PS each end a line; a last line without a break counts.
func yamlLines(data []byte) int {
	n := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\r' && bytes.HasPrefix(data[i+1:], []byte("\n")):
			size = 2
			n++
		case r == '\r', r == '\n', r == '\u0085', r == '\u2028', r == '\u2029':
			n++
		}
		i += size
	}
	return n
}
