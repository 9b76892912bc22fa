package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
)

// costDocs are documents of the shapes whose validation grows fastest,
// each sized to cost just under MaxValidationCost: what the guard lets
// through at worst.
func costDocs() map[string]string {
	rep := func(n int, s string) string { return strings.Repeat(s+" ", n) }
	fragments := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "...F%d ", i)
		}
		b.WriteString("}")
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Query { __typename stats { entities } }", i)
		}
		return b.String()
	}
	return map[string]string{
		"one name":         "{ " + rep(98, "__typename") + " }",
		"one name, args":   "{ " + rep(69, `entity(id: "a:b") { id }`) + " }",
		"one name, nested": "{ " + rep(48, "stats { entities relations sources }") + " }",
		"fragments":        fragments(43),
		"fragment spreads": "{ " + rep(56, "...F") + " } fragment F on Query { " + rep(56, "__typename") + " }",
		"distinct aliases": "{ " + func() string {
			var b strings.Builder
			for i := range 1600 {
				fmt.Fprintf(&b, "a%d: __typename ", i)
			}
			return b.String()
		}() + " }",
	}
}

func TestCostDocsAreUnderTheCap(t *testing.T) {
	for name, q := range costDocs() {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 5000)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := validationCost(doc, MaxValidationCost)
		t.Logf("%s: cost %d", name, c)
		if c > MaxValidationCost || c < MaxValidationCost/5 && name != "distinct aliases" {
			t.Errorf("%s: cost %d, want just under %d", name, c, MaxValidationCost)
		}
	}
}

// BenchmarkValidationAtCap is how long gqlparser takes to validate the
// costliest documents the guard lets through (docs/BENCHMARKS.md).
func BenchmarkValidationAtCap(b *testing.B) {
	schema := generated.NewExecutableSchema((&graph.Resolver{}).Config()).Schema()
	for name, q := range costDocs() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 5000)
				if err != nil {
					b.Fatal(err)
				}
				if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 { // nil: the default rules, as gqlgen's executor uses
					b.Fatal(errs)
				}
			}
		})
	}
}

// BenchmarkGuardRefusesFieldFlood is what refusing 4,990 copies of
// __typename costs: a parse and the estimate, stopped at the cap.
func BenchmarkGuardRefusesFieldFlood(b *testing.B) {
	q := "{ " + strings.Repeat("__typename ", 4990) + "}"
	for b.Loop() {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 5000)
		if err != nil {
			b.Fatal(err)
		}
		if validationCost(doc, MaxValidationCost) <= MaxValidationCost {
			b.Fatal("not refused")
		}
	}
}
