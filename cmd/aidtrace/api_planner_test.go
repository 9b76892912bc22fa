package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

// The planner's answers are pinned by golden files: testdata/planner holds
// GraphQL documents covering every root field and every nesting the schema
// allows, and next to each the answer the server gave on the seed dataset
// before the planner existed (recorded with -update-golden from the
// level-by-level prefetch, commit f664291). The planner must give the same
// answers, byte for byte after canonical formatting.
var (
	updateGolden = flag.Bool("update-golden", false, "rewrite testdata/planner/*.json from the server's answers")
	goldenURL    = flag.String("golden-url", "", "ask this running server (seed dataset loaded) instead of starting one")
)

// goldenDoc is one document of testdata/planner.
type goldenDoc struct {
	Name  string
	Query string
	Vars  map[string]any
	// Unordered names top-level fields whose lists the API orders only
	// partly (paths of equal length): they are compared as multisets.
	Unordered []string
}

var fragmentRef = regexp.MustCompile(`\.\.\.([A-Z][A-Za-z]*)\b`)

// goldenDocs reads the documents; fragments.graphql holds the fragments a
// document may spread (only those it uses are appended, as GraphQL wants).
func goldenDocs(t testing.TB) []goldenDoc {
	t.Helper()
	dir := filepath.Join("testdata", "planner")
	frags := map[string]string{}
	raw, err := os.ReadFile(filepath.Join(dir, "fragments.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "fragment" {
			frags[f[1]] = line
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.graphql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no documents in %s: %v", dir, err)
	}
	var out []goldenDoc
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := goldenDoc{Name: strings.TrimSuffix(filepath.Base(f), ".graphql"), Query: string(raw)}
		for _, line := range strings.Split(d.Query, "\n") {
			if v, ok := strings.CutPrefix(line, "# vars:"); ok {
				if err := json.Unmarshal([]byte(v), &d.Vars); err != nil {
					t.Fatalf("%s: vars: %v", f, err)
				}
			}
			if v, ok := strings.CutPrefix(line, "# unordered:"); ok {
				for _, k := range strings.Split(v, ",") {
					d.Unordered = append(d.Unordered, strings.TrimSpace(k))
				}
			}
		}
		used := map[string]bool{}
		for _, m := range fragmentRef.FindAllStringSubmatch(d.Query, -1) {
			used[m[1]] = true
		}
		names := make([]string, 0, len(used))
		for n := range used {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if frags[n] == "" {
				t.Fatalf("%s: unknown fragment %s", f, n)
			}
			d.Query += "\n" + frags[n]
		}
		out = append(out, d)
	}
	return out
}

// canonicalAnswer formats a GraphQL response for comparison: indented, map
// keys sorted (encoding/json does), errors sorted (root fields resolve
// concurrently, so their errors come in any order), unordered lists sorted.
func canonicalAnswer(t testing.TB, raw []byte, unordered []string) []byte {
	t.Helper()
	var resp map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, raw)
	}
	sortByJSON := func(xs []any) {
		keys := make([]string, len(xs))
		for i, x := range xs {
			b, _ := json.Marshal(x)
			keys[i] = string(b)
		}
		sort.Sort(byKeys{keys, xs})
	}
	if errs, ok := resp["errors"].([]any); ok {
		sortByJSON(errs)
	}
	if data, ok := resp["data"].(map[string]any); ok {
		for _, k := range unordered {
			if xs, ok := data[k].([]any); ok {
				sortByJSON(xs)
			}
		}
	}
	out, err := json.MarshalIndent(resp, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

type byKeys struct {
	keys []string
	xs   []any
}

func (b byKeys) Len() int           { return len(b.keys) }
func (b byKeys) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKeys) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.xs[i], b.xs[j] = b.xs[j], b.xs[i]
}

// postRaw posts a document and returns the response body as it came.
func postRaw(t testing.TB, base, query string, vars map[string]any) []byte {
	t.Helper()
	status, raw := post(t, base, query, vars)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, raw)
	}
	return raw
}

// goldenLimits lets the documents nest deeper than the default limits allow
// (the limits are tested elsewhere; here the plan is).
func goldenLimits() map[string]string {
	return map[string]string{"AIDTRACE_MAX_DEPTH": "20", "AIDTRACE_MAX_COMPLEXITY": "1000000"}
}

// TestPlannerGolden asks every document of testdata/planner and compares
// the answer with the one recorded before the planner.
func TestPlannerGolden(t *testing.T) {
	base := *goldenURL
	var mu sync.Mutex
	var statements []string
	if base == "" {
		// Deep documents: relations of relations of relations.
		base = MustServeSeeds(t, goldenLimits(), func(s *neo4jstore.Store) {
			s.AddQueryObserver(func(name string, _ time.Duration, _ error) {
				mu.Lock()
				statements = append(statements, name)
				mu.Unlock()
			})
		}).URL
	}
	t.Run("fields alone", func(t *testing.T) { checkFieldsAlone(t, base) })
	t.Run("API guide examples", func(t *testing.T) { checkDocExamples(t, base) })
	t.Run("root fields apart", func(t *testing.T) {
		// Root fields resolve concurrently, each reading the fields its
		// plan wants of the same entity (county:moyu): each must find its
		// own reads (a nested field once found another root's).
		const doc = `{
  a: entity(id: "county:moyu") { relations(first: 20) { edges { node { to { name } } } } }
  b: responsibilityChain(id: "county:moyu") { root { id } chains { end { id } hops { upper { id } lower { id } } } }
  c: neighborhood(ids: ["county:moyu"], depth: 1) { nodes { id } }
  d: search(text: "Moyu") { entity { id } }
}`
		for range 30 {
			var got struct {
				A struct {
					Relations struct {
						Edges []struct {
							Node struct{ To struct{ Name string } }
						}
					}
				}
			}
			mustGQL(t, base, doc, nil, &got)
			if len(got.A.Relations.Edges) == 0 {
				t.Fatal("no relations")
			}
			for _, e := range got.A.Relations.Edges {
				if e.Node.To.Name == "" {
					t.Fatalf("a relation's end without its name: %+v", got.A)
				}
			}
		}
	})
	for _, d := range goldenDocs(t) {
		t.Run(d.Name, func(t *testing.T) {
			mu.Lock()
			statements = nil
			mu.Unlock()
			got := canonicalAnswer(t, postRaw(t, base, d.Query, d.Vars), d.Unordered)
			if *goldenURL == "" {
				mu.Lock()
				checkPlannedStatements(t, d.Query, statements)
				mu.Unlock()
			}
			file := filepath.Join("testdata", "planner", d.Name+".json")
			if *updateGolden {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (record with -update-golden)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("answer differs from %s:\n%s", file, lineDiff(string(want), string(got)))
			}
		})
	}
}

// checkFieldsAlone asks, for each field of Entity and Relation (listed by
// introspection), a document that selects only it (and the id), and
// compares the answer with the same field in the answer that selects
// every field: a plan that fetches too few of an item's own properties for
// a field gives another answer. Items are reached as a root field's
// answer, as relation ends, through a traversal (whose rules read fields
// of their own) and as a neighbourhood. (That every field is read at all
// is what the golden answers show: they select every field.)
func checkFieldsAlone(t *testing.T, base string) {
	var intro struct {
		Schema struct {
			Types []struct {
				Name   string
				Fields []struct {
					Name string
					Args []struct{ Name string }
					Type introType
				}
			}
		} `json:"__schema"`
	}
	mustGQL(t, base, `{ __schema { types { name fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`, nil, &intro)
	fields := map[string][]string{} // type -> selections of one field
	leaves := map[string][]string{} // type -> its leaf fields
	for _, ty := range intro.Schema.Types {
		for _, f := range ty.Fields {
			if len(f.Args) == 0 && f.Type.leaf() {
				leaves[ty.Name] = append(leaves[ty.Name], f.Name)
			}
		}
	}
	for _, ty := range intro.Schema.Types {
		if ty.Name != "Entity" && ty.Name != "Relation" {
			continue
		}
		for _, f := range ty.Fields {
			sel := f.Name
			switch {
			case f.Name == "inForce":
				sel = `inForce(on: "2019")`
			case len(f.Args) > 0 && !f.Type.leaf():
				continue // relations, history: planned pages, covered by the goldens
			case !f.Type.leaf():
				sub := leaves[f.Type.named()]
				if len(sub) == 0 {
					continue // ends and counter-claims: nested items
				}
				sel += " { " + strings.Join(sub, " ") + " }"
			}
			fields[ty.Name] = append(fields[ty.Name], sel)
		}
	}
	if len(fields["Entity"]) < 10 || len(fields["Relation"]) < 20 {
		t.Fatalf("introspection found too few fields: %v", fields)
	}
	// Each document has a %s where the selection goes; items is the path
	// from data to the list of items.
	docs := map[string][]struct {
		name, doc string
		items     func(any) []any
	}{
		"Entity": {
			{"listing", `{ entities(first: 100) { edges { node { id %s } } } }`, func(d any) []any { return dig(d, "entities", "edges", "*", "node") }},
			{"relation ends", `{ entity(id: "prefecture:aksu") { relations(first: 50) { edges { node { from { id %[1]s } } } } } }`, func(d any) []any { return dig(d, "entity", "relations", "edges", "*", "node", "from") }},
			{"chain entities", `{ responsibilityChain(id: "factory:qingdao-taekwang-shoes") { chains { hops { upper { id %s } } } } }`, func(d any) []any { return dig(d, "responsibilityChain", "chains", "*", "hops", "*", "upper") }},
		},
		"Relation": {
			{"a page", `{ entity(id: "factory:qingdao-taekwang-shoes") { relations(first: 50) { edges { node { id %s } } } } }`, func(d any) []any { return dig(d, "entity", "relations", "edges", "*", "node") }},
			{"chain hops", `{ responsibilityChain(id: "county:moyu", asOf: "2019", includeNotKnown: true) { chains { hops { relation { id %s } } } } }`, func(d any) []any { return dig(d, "responsibilityChain", "chains", "*", "hops", "*", "relation") }},
			{"exposure steps", `{ exposure(id: "buyer:nike") { links { steps { relation { id %s } } } } }`, func(d any) []any { return dig(d, "exposure", "links", "*", "steps", "*", "relation") }},
			{"path relations", `{ paths(from: "county:moyu", to: "prefecture:aksu", mode: ALL_SHORTEST, maxLength: 4) { relations { id %s } } }`, func(d any) []any { return dig(d, "paths", "*", "relations") }},
			{"neighbourhood edges", `{ neighborhood(ids: ["prefecture:hotan"]) { edges { id %s } } }`, func(d any) []any { return dig(d, "neighborhood", "edges") }},
		},
	}
	for typ, sels := range fields {
		for _, d := range docs[typ] {
			var all any
			mustGQL(t, base, fmt.Sprintf(d.doc, strings.Join(sels, " ")), nil, &all)
			full := map[string]map[string]any{}
			for _, it := range d.items(all) {
				m := it.(map[string]any)
				full[m["id"].(string)] = m
			}
			if len(full) == 0 {
				t.Fatalf("%s %s: no items", typ, d.name)
			}
			for _, sel := range sels {
				var one any
				mustGQL(t, base, fmt.Sprintf(d.doc, sel), nil, &one)
				name, _, _ := strings.Cut(sel, " ")
				name, _, _ = strings.Cut(name, "(")
				for _, it := range d.items(one) {
					m := it.(map[string]any)
					want := full[m["id"].(string)][name]
					if !reflect.DeepEqual(m[name], want) {
						t.Errorf("%s %s, %s alone: %v for %s, with every field %v", typ, d.name, name, m[name], m["id"], want)
					}
				}
			}
		}
	}
}

// introType is a field's type as introspection gives it.
type introType struct {
	Kind, Name string
	OfType     *introType
}

func (it introType) named() string {
	for t := &it; t != nil; t = t.OfType {
		if t.Name != "" {
			return t.Name
		}
	}
	return ""
}

func (it introType) leaf() bool {
	for t := &it; t != nil; t = t.OfType {
		if t.Name != "" {
			return t.Kind == "SCALAR" || t.Kind == "ENUM"
		}
	}
	return false
}

// dig follows keys from x; "*" flattens a list, as does reaching a list
// at the end.
func dig(x any, keys ...string) []any {
	cur := []any{x}
	for _, k := range keys {
		var next []any
		for _, c := range cur {
			switch {
			case k == "*":
				l, _ := c.([]any)
				next = append(next, l...)
			default:
				m, _ := c.(map[string]any)
				if v, ok := m[k]; ok && v != nil {
					next = append(next, v)
				}
			}
		}
		cur = next
	}
	var out []any
	for _, c := range cur {
		if l, ok := c.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, c)
		}
	}
	return out
}

// plannedStatements are the statements of the planned reads (and of stats,
// which has its own): the fallback loaders' lookups are not among them.
var plannedStatements = map[string]bool{
	"entity": true, "relation": true, "source": true, "counter-claim": true, "entities": true, "sources": true,
	"search": true, "chains": true, "exposure": true, "paths": true, "neighborhood": true, "stats": true,
}

// checkPlannedStatements fails unless the statements an answer took are
// planned reads, at most one per root field of the document.
func checkPlannedStatements(t *testing.T, query string, statements []string) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || len(doc.Operations) != 1 {
		t.Fatalf("parse: %v", err)
	}
	roots := 0
	for _, sel := range doc.Operations[0].SelectionSet {
		if f, ok := sel.(*ast.Field); ok && f.Name != "__typename" {
			roots++
		}
	}
	if len(statements) > roots {
		t.Errorf("%d statements for %d root fields: %v", len(statements), roots, statements)
	}
	for _, name := range statements {
		if !plannedStatements[name] {
			t.Errorf("statement %q is not a planned read (all: %v)", name, statements)
		}
	}
}

// lineDiff shows the first lines where want and got differ, with context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(0, i-3)
	for j := from; j < i; j++ {
		fmt.Fprintf(&b, "  %s\n", w[j])
	}
	for j := i; j < min(len(w), i+8); j++ {
		fmt.Fprintf(&b, "- %s\n", w[j])
	}
	for j := i; j < min(len(g), i+8); j++ {
		fmt.Fprintf(&b, "+ %s\n", g[j])
	}
	fmt.Fprintf(&b, "(want %d lines, got %d)", len(w), len(g))
	return b.String()
}
