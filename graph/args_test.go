package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// argRules names, for each whole-number argument of the schema, the domain
// rule that owns its default and range. The resolvers and the complexity
// function read the same rules (domain.X.Or, domain.X.Check).
var argRules = map[string]domain.Arg{
	"Query.entities.first":               domain.EntitiesFirst,
	"Query.search.first":                 domain.SearchFirst,
	"Query.responsibilityChain.first":    domain.ChainsFirst,
	"Query.responsibilityChain.maxDepth": domain.ChainDepth,
	"Query.exposure.first":               domain.ExposureFirst,
	"Query.paths.first":                  domain.PathsFirst,
	"Query.paths.maxLength":              domain.PathLength,
	"Query.neighborhood.depth":           domain.HoodDepth,
	"Query.neighborhood.limit":           domain.HoodLimit,
	"Query.sources.first":                domain.SourcesFirst,
	"Entity.relations.first":             domain.RelationsFirst,
	"Entity.history.first":               domain.HistoryFirst,
	"Relation.history.first":             domain.HistoryFirst,
	"Source.history.first":               domain.HistoryFirst,
	"Source.claims.first":                domain.ClaimsFirst,
}

// intArgProblems lists every Int argument of s whose default or documented
// range differs from its domain rule, that has no rule, or whose rule names
// it differently; and every rule whose argument s lacks.
func intArgProblems(s *ast.Schema) []string {
	var problems []string
	seen := map[string]bool{}
	names := make([]string, 0, len(s.Types))
	for name := range s.Types {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, tn := range names {
		t := s.Types[tn]
		if t.BuiltIn {
			continue
		}
		for _, f := range t.Fields {
			for _, a := range f.Arguments {
				if a.Type.Name() != "Int" {
					continue
				}
				coord := tn + "." + f.Name + "." + a.Name
				seen[coord] = true
				rule, ok := argRules[coord]
				if !ok {
					problems = append(problems, coord+": no domain rule owns this argument (add one to domain/args.go and argRules)")
					continue
				}
				if rule.Name != a.Name {
					problems = append(problems, fmt.Sprintf("%s: the rule calls it %q in its errors", coord, rule.Name))
				}
				if a.DefaultValue == nil {
					problems = append(problems, fmt.Sprintf("%s: no default in the schema; the domain's is %d", coord, rule.Default))
				} else if n, err := strconv.Atoi(a.DefaultValue.Raw); err != nil || n != rule.Default {
					problems = append(problems, fmt.Sprintf("%s: the schema's default is %s, the domain's %d", coord, a.DefaultValue.Raw, rule.Default))
				}
				if want := fmt.Sprintf("%d to %d", rule.Min, rule.Max); !strings.Contains(a.Description, want) {
					problems = append(problems, fmt.Sprintf("%s: the description %q does not say %q", coord, a.Description, want))
				}
			}
		}
	}
	for coord := range argRules {
		if !seen[coord] {
			problems = append(problems, coord+": a rule for an argument the schema does not have")
		}
	}
	slices.Sort(problems)
	return problems
}

func loadSchemaFiles(t *testing.T, edit func(name, text string) string) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob("../schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("schema files: %v", err)
	}
	var srcs []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &ast.Source{Name: f, Input: edit(filepath.Base(f), string(b))})
	}
	s, err := gqlparser.LoadSchema(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaDefaultsAreTheDomains: the schema states each whole-number
// argument's default and range as the domain's rule does; a changed default
// on either side, or a new argument without a rule, fails here.
func TestSchemaDefaultsAreTheDomains(t *testing.T) {
	if problems := intArgProblems(loadSchemaFiles(t, func(_, text string) string { return text })); len(problems) > 0 {
		t.Fatalf("the schema and the domain's argument rules disagree:\n%s", strings.Join(problems, "\n"))
	}
	// The check sees drift: a changed default, a changed range and a new argument.
	for _, c := range []struct{ name, old, new, want string }{
		{"default", `"Page size, 1 to 100."
    first: Int = 20`, `"Page size, 1 to 100."
    first: Int = 25`, "Query.entities.first: the schema's default is 25, the domain's 20"},
		{"range", `"Hops, 0 to 3."`, `"Hops, 0 to 4."`, `Query.neighborhood.depth: the description "Hops, 0 to 4." does not say "0 to 3"`},
		{"new argument", `    "Page size, 1 to 100."
    first: Int = 20`, `    "Skip."
    skip: Int = 0
    "Page size, 1 to 100."
    first: Int = 20`, "Query.entities.skip: no domain rule owns this argument"},
	} {
		edited := false
		s := loadSchemaFiles(t, func(name, text string) string {
			if name != "schema.graphqls" || !strings.Contains(text, c.old) {
				return text
			}
			edited = true
			return strings.Replace(text, c.old, c.new, 1)
		})
		if !edited {
			t.Fatalf("%s: the schema no longer has %q to edit", c.name, c.old)
		}
		problems := intArgProblems(s)
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, c.want) }) {
			t.Errorf("%s: want a problem %q, got %q", c.name, c.want, problems)
		}
	}
}
