package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// docExample marks a worked example in docs/API.md: the GraphQL document
// right after the marker, and the first JSON block after the document, which
// is the answer the server gives on the seed dataset. Readers copy these
// answers into articles; an example that no longer matches the data would
// show them something aidtrace no longer says.
var docExample = regexp.MustCompile("(?s)<!-- example: ([a-z0-9-]+) -->\n```graphql\n(.*?)```.*?```json\n(.*?)```")

// checkDocExamples asks each marked example of docs/API.md and compares the
// answer with the one printed (after canonical formatting); with
// -update-golden it rewrites the printed answers.
func checkDocExamples(t *testing.T, base string) {
	file := filepath.Join("..", "..", "docs", "API.md")
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ms := docExample.FindAllSubmatchIndex(doc, -1)
	if len(ms) < 3 {
		t.Fatalf("%s: %d marked examples, want the investigator's, the journalist's and the partner tool's", file, len(ms))
	}
	var out bytes.Buffer
	last := 0
	for _, m := range ms {
		name, query := string(doc[m[2]:m[3]]), string(doc[m[4]:m[5]])
		printed := doc[m[6]:m[7]]
		raw := postRaw(t, base, query, nil)
		got := canonicalAnswer(t, raw, nil)
		if *updateGolden {
			var ind bytes.Buffer
			if err := json.Indent(&ind, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.Write(doc[last:m[6]])
			out.Write(bytes.TrimSpace(ind.Bytes()))
			out.WriteString("\n")
			last = m[7]
			continue
		}
		if !json.Valid(printed) {
			t.Errorf("%s: example %s: the printed answer is not JSON", file, name)
			continue
		}
		if want := canonicalAnswer(t, printed, nil); !bytes.Equal(got, want) {
			t.Errorf("%s: example %s: the server answers otherwise (rewrite with -update-golden):\n%s", file, name, lineDiff(string(want), string(got)))
		}
	}
	if *updateGolden {
		out.Write(doc[last:])
		if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
