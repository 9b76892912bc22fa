package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// checkRules walks the schema from the planned root fields and reports
// every field of a type they reach that the rules neither plan nor declare
// computed, every declared field the schema lacks, and rules for types no
// planned field reaches.
func checkRules(s *ast.Schema, tables []declared) []string {
	var problems []string
	byType := map[string]declared{}
	for _, d := range tables {
		if byType[d.typeName()] != nil {
			problems = append(problems, fmt.Sprintf("two rules tables for %s", d.typeName()))
		}
		byType[d.typeName()] = d
	}
	seen := map[string]bool{}
	var visit func(typ string)
	visit = func(typ string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		def := s.Types[typ]
		switch {
		case def == nil:
			problems = append(problems, fmt.Sprintf("type %s is not in the schema", typ))
			return
		case def.Kind == ast.Union || def.Kind == ast.Interface:
			for _, p := range s.GetPossibleTypes(def) {
				visit(p.Name)
			}
			return
		case def.Kind != ast.Object:
			return // scalars and enums: nothing to fetch
		}
		d := byType[typ]
		if d == nil {
			problems = append(problems, fmt.Sprintf("type %s is reached by planned fields but has no rules", typ))
			return
		}
		planned, computed := d.fieldNames()
		kind := map[string]string{}
		for _, f := range planned {
			kind[f] = "planned"
		}
		for _, f := range computed {
			if kind[f] != "" {
				problems = append(problems, fmt.Sprintf("%s.%s is declared both planned and computed", typ, f))
			}
			kind[f] = "computed"
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			switch kind[f.Name] {
			case "":
				problems = append(problems, fmt.Sprintf("%s.%s is neither planned nor declared computed", typ, f.Name))
			case "computed":
				if typ == s.Query.Name {
					continue // served by its own resolver, not planned
				}
				fallthrough
			default:
				visit(f.Type.Name())
			}
		}
		for name := range kind {
			if def.Fields.ForName(name) == nil {
				problems = append(problems, fmt.Sprintf("%s.%s is declared but not in the schema", typ, name))
			}
		}
	}
	visit(s.Query.Name)
	for name := range byType {
		if !seen[name] {
			problems = append(problems, fmt.Sprintf("rules for %s, which no planned field reaches", name))
		}
	}
	sort.Strings(problems)
	return problems
}

// TestPlanRulesCoverSchema: every field of every type reachable from the
// planned root fields of the executable schema is planned or declared
// computed in Go from its parent, and nothing else is declared.
func TestPlanRulesCoverSchema(t *testing.T) {
	if problems := checkRules(executable.Schema(), planRules); len(problems) > 0 {
		t.Errorf("the plan rules do not match the schema:\n%s", strings.Join(problems, "\n"))
	}
	// satisfiedBy is what the generated executor collects fields by.
	for typ, want := range map[string][]string{"Entity": {"Entity", "Node", "Claim"}, "Relation": {"Relation", "Node", "Claim"}, "Source": {"Source", "Node"}} {
		got := append([]string(nil), satisfiedBy[typ]...)
		sort.Strings(got)
		sort.Strings(want)
		if !cmp.Equal(got, want) {
			t.Errorf("satisfiedBy[%s] = %v, want %v", typ, got, want)
		}
	}
}

// TestPlanRulesCatchRenames: the check fails when a field is renamed or
// added in the schema files without the rules following.
func TestPlanRulesCatchRenames(t *testing.T) {
	load := func(edit func(name, text string) string) *ast.Schema { return loadSchemaFiles(t, edit) }
	if problems := checkRules(load(func(_, text string) string { return text }), planRules); len(problems) > 0 {
		t.Fatalf("the schema files disagree with the rules:\n%s", strings.Join(problems, "\n"))
	}
	for _, c := range []struct {
		name, file, old, new string
		want                 []string
	}{
		{"rename a planned field", "entity.graphqls", "  relations(\n", "  links(\n",
			[]string{"Entity.links is neither planned nor declared computed", "Entity.relations is declared but not in the schema",
				"rules for RelationConnection, which no planned field reaches", "rules for RelationEdge, which no planned field reaches"}},
		{"rename a computed field", "trace.graphqls", "  weakestHop: Int!", "  weakest: Int!",
			[]string{"Chain.weakest is neither planned nor declared computed", "Chain.weakestHop is declared but not in the schema"}},
		{"add a field", "entity.graphqls", "  synthetic: Boolean!\n", "  synthetic: Boolean!\n  mentions: [Source!]!\n",
			[]string{"Entity.mentions is neither planned nor declared computed", "Relation.mentions is neither planned nor declared computed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := load(func(name, text string) string {
				if name != c.file {
					return text
				}
				if !strings.Contains(text, c.old) {
					t.Fatalf("%s has no %q", name, c.old)
				}
				return strings.ReplaceAll(text, c.old, c.new)
			})
			if diff := cmp.Diff(c.want, checkRules(s, planRules)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// planSpy is a ReadService that records the plans it is given and answers
// NOT_FOUND (so that nothing nested resolves).
type planSpy struct {
	domain.ReadService
	entity *domain.EntityPlan
	result domain.ResultPlan
}

func (s *planSpy) ReadEntity(_ context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	s.entity = want
	return nil, nil, errNotFound(id)
}

func (s *planSpy) ReadChains(_ context.Context, q domain.ChainQuery, want domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	s.result = want
	return nil, nil, errNotFound(q.ID)
}

func mustArgs(t *testing.T, dir domain.Direction, types []string, first int, after string) domain.RelationsArgs {
	t.Helper()
	a, err := domain.NewRelationsArgs(dir, types, domain.PartialDate{}, first, after)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPlanner checks the plans the planner makes of selections, without a
// database: what the store is asked for, not how it answers.
func TestPlanner(t *testing.T) {
	spy := &planSpy{}
	r := &Resolver{Read: spy, Write: nil}
	srv := handler.New(generated.NewExecutableSchema(r.Config()))
	srv.AddTransport(transport.POST{})
	srv.Use(Loaders{R: r})
	c := client.New(srv)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		want  *domain.EntityPlan
	}{
		{"own fields: what each computed field reads", `{ entity(id: "county:x") { relations { edges { node { strength inForce(on: "2019") note } } } } }`, nil,
			&domain.EntityPlan{Relations: []domain.RelationsPlan{{Args: mustArgs(t, domain.Both, nil, 50, ""),
				Each: &domain.RelationPlan{Fields: domain.StrengthFields | domain.KnownPeriodFields | domain.FieldNote}}}}},
		{"own fields only", `{ entity(id: "county:x") { id name retraction { at } } }`, nil, &domain.EntityPlan{Fields: domain.FieldName | domain.FieldRetraction}},
		{"aliases with equal arguments are one page; others are not",
			`{ entity(id: "county:x") { a: relations(first: 5) { edges { node { from { id } } } } b: relations(first: 5) { edges { node { to { id } } } } c: relations(direction: OUT, first: 5) { pageInfo { hasNextPage } } } }`, nil,
			&domain.EntityPlan{Relations: []domain.RelationsPlan{
				{Args: mustArgs(t, domain.Both, nil, 5, ""), Each: &domain.RelationPlan{From: &domain.EntityPlan{}, To: &domain.EntityPlan{}}},
				{Args: mustArgs(t, domain.Outgoing, nil, 5, ""), Each: &domain.RelationPlan{}},
			}}},
		{"fragments, directives, coerced variables",
			`query($t: [RelationType!], $f: Int, $yes: Boolean!) { entity(id: "county:x") { ... on Node { ... E } relations(types: $t, first: $f) @include(if: $yes) { edges { node { id } } } citations @skip(if: $yes) { source { id } } } } fragment E on Entity { quantities { source { title } } counterClaims { by { name } } }`,
			map[string]any{"t": "PART_OF", "f": "7", "yes": true},
			&domain.EntityPlan{Fields: domain.FieldQuantities, Relations: []domain.RelationsPlan{{Args: mustArgs(t, domain.Both, []string{"PART_OF"}, 7, ""), Each: &domain.RelationPlan{}}},
				Sources: &domain.SourcePlan{}, CounterClaims: &domain.CounterClaimPlan{By: &domain.EntityPlan{Fields: domain.FieldName}}}},
		{"invalid arguments are left to the resolver; history needs a write service",
			`{ entity(id: "county:x") { relations(first: 0) { edges { node { id } } } history { at } x: relations(after: "!") { pageInfo { endCursor } } } }`, nil,
			&domain.EntityPlan{}},
		{"relations of relations, sources' claims",
			`{ entity(id: "county:x") { relations(first: 2) { edges { node { from { relations(first: 3) { edges { node { id } } } } to { id } citations { source { claims(first: 4) { edges { node { ... on Relation { from { id } } } } } } } } } } } }`, nil,
			&domain.EntityPlan{Relations: []domain.RelationsPlan{{Args: mustArgs(t, domain.Both, nil, 2, ""), Each: &domain.RelationPlan{
				Fields: domain.FieldCitations,
				From:   &domain.EntityPlan{Relations: []domain.RelationsPlan{{Args: mustArgs(t, domain.Both, nil, 3, ""), Each: &domain.RelationPlan{}}}},
				To:     &domain.EntityPlan{},
				Sources: &domain.SourcePlan{Claims: []domain.ClaimsPlan{{Args: domain.ClaimsArgs{First: 4}, Entity: &domain.EntityPlan{},
					Relation: &domain.RelationPlan{From: &domain.EntityPlan{}}}}},
			}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spy.entity = nil
			var out any
			var opts []client.Option
			for k, v := range tc.vars {
				opts = append(opts, client.Var(k, v))
			}
			_ = c.Post(tc.query, &out, opts...) // NOT_FOUND by design
			if diff := cmp.Diff(tc.want, spy.entity); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("chains: entities only when an entity field is selected", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  domain.ResultPlan
		}{
			{`{ responsibilityChain(id: "county:x") { totalCount chains { complete hops { inForce relation { id } } } } }`,
				domain.ResultPlan{Relations: &domain.RelationPlan{}}},
			{`{ responsibilityChain(id: "county:x") { root { id } chains { end { id } hops { relation { counterClaims { id } } } } } }`,
				domain.ResultPlan{Root: &domain.EntityPlan{}, Entities: &domain.EntityPlan{}, Relations: &domain.RelationPlan{CounterClaims: &domain.CounterClaimPlan{}}}},
			{`{ responsibilityChain(id: "county:x") { chains { hops { upper { relations(first: 1) { pageInfo { hasNextPage } } } lower { id } } } } }`,
				domain.ResultPlan{Entities: &domain.EntityPlan{Relations: []domain.RelationsPlan{{Args: mustArgs(t, domain.Both, nil, 1, ""), Each: &domain.RelationPlan{}}}}}},
		} {
			spy.result = domain.ResultPlan{}
			var out any
			_ = c.Post(tc.query, &out)
			if diff := cmp.Diff(tc.want, spy.result); diff != "" {
				t.Errorf("%s: plan (-want +got):\n%s", tc.query, diff)
			}
		}
	})
}
