package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Reasons (extensions.reason) of the documents refused before validation.
const (
	codeTokenLimit      = "TOKEN_LIMIT_EXCEEDED"
	codeValidationLimit = "VALIDATION_LIMIT_EXCEEDED"
)

func init() {
	errcode.RegisterErrorType(codeTokenLimit, errcode.KindProtocol)
	errcode.RegisterErrorType(codeValidationLimit, errcode.KindProtocol)
}

// MaxValidationCost bounds validationCost. Documents just under it take
// gqlparser about a millisecond to validate, whatever their shape
// (BenchmarkValidationAtCap: 0.35 to 1.1 ms on a loaded 2-core machine). Ordinary documents cost their
// number of fields (GraphiQL's introspection query: 259); fields that
// share one response name cost the square of their number (100 copies of
// one field: 5 050).
const MaxValidationCost = 5_000

// documentGuard parses a document that is not in the query cache and
// refuses it, before gqlgen validates it, when it has more tokens than the
// cap (LIMIT_EXCEEDED, reason TOKEN_LIMIT_EXCEEDED) or would cost the
// validator more than MaxValidationCost (reason VALIDATION_LIMIT_EXCEEDED).
// Validation is the one step whose cost grows faster than the document:
// 4,990 copies of __typename, under the token cap, took 2 seconds of CPU.
// A cached document was validated already; parsing the others twice costs
// microseconds.
type documentGuard struct {
	cache     graphql.Cache[*ast.QueryDocument]
	maxTokens int
	maxCost   int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentGuard{}

func (documentGuard) ExtensionName() string                   { return "DocumentGuard" }
func (documentGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (g documentGuard) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, ok := g.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, g.maxTokens)
	if err != nil {
		var gerr *gqlerror.Error
		if e, ok := err.(*gqlerror.Error); ok {
			gerr = e
		} else {
			gerr = gqlerror.Wrap(err)
		}
		// gqlparser says so only in its message.
		if strings.HasPrefix(gerr.Message, "exceeded token limit") {
			e := gqlerror.Errorf("the document has more than %d tokens", g.maxTokens)
			errcode.Set(e, codeTokenLimit)
			return e
		}
		errcode.Set(gerr, errcode.ParseFailed)
		return gerr
	}
	if cost := validationCost(doc, g.maxCost); cost > g.maxCost {
		e := gqlerror.Errorf("the document is too costly to validate (more than %d field comparisons): give fields that repeat a response name aliases of their own", g.maxCost)
		errcode.Set(e, codeValidationLimit)
		return e
	}
	return nil
}

// validationCost estimates, in field visits and comparisons, what gqlparser's
// validation of doc costs: mostly the OverlappingFieldsCanBeMerged rule,
// which compares every pair of fields that share a response name in a
// selection set (with the fields its fragments bring in), and, when both
// have selection sets, their sub-selections in turn. It walks the document
// as the validator does (each operation with the fragments it reaches, then
// each fragment) and stops counting once the cost passes budget, so its own
// work is bounded by the budget and the document's size.
func validationCost(doc *ast.QueryDocument, budget int) int {
	c := costCounter{frags: map[string]*ast.FragmentDefinition{}, budget: budget}
	for _, f := range doc.Fragments {
		if _, ok := c.frags[f.Name]; !ok {
			c.frags[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		c.walk(op.SelectionSet, map[string]bool{})
	}
	for _, f := range doc.Fragments {
		c.walk(f.SelectionSet, map[string]bool{})
	}
	return c.cost
}

type costCounter struct {
	frags        map[string]*ast.FragmentDefinition
	budget, cost int
}

func (c *costCounter) over() bool { return c.cost > c.budget }

// walk visits every selection set under set, entering each fragment once
// (visited), and adds what comparing the fields of each costs.
func (c *costCounter) walk(set ast.SelectionSet, visited map[string]bool) {
	if c.over() {
		return
	}
	c.within([]ast.SelectionSet{set})
	for _, sel := range set {
		if c.over() {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			c.walk(s.SelectionSet, visited)
		case *ast.InlineFragment:
			c.walk(s.SelectionSet, visited)
		case *ast.FragmentSpread:
			if f := c.frags[s.Name]; f != nil && !visited[s.Name] {
				visited[s.Name] = true
				c.walk(f.SelectionSet, visited)
			}
		}
	}
}

// within adds the cost of comparing the fields of sets, taken together:
// one per field collected, one per pair of fields with the same response
// name, and the same again for the merged sub-selections of such pairs.
func (c *costCounter) within(sets []ast.SelectionSet) {
	groups := map[string][]*ast.Field{}
	seen := map[string]bool{}
	var collect func(ast.SelectionSet)
	collect = func(set ast.SelectionSet) {
		for _, sel := range set {
			if c.over() {
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				c.cost++
				name := s.Alias
				if name == "" {
					name = s.Name
				}
				c.cost += len(groups[name]) // a comparison with each earlier one
				groups[name] = append(groups[name], s)
			case *ast.InlineFragment:
				collect(s.SelectionSet)
			case *ast.FragmentSpread:
				if f := c.frags[s.Name]; f != nil && !seen[s.Name] {
					// The validator compares each pair of fragments
					// brought into one set.
					c.cost += 2 * len(seen)
					seen[s.Name] = true
					collect(f.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		collect(set)
	}
	for _, fs := range groups {
		if len(fs) < 2 || c.over() {
			continue
		}
		var subs []ast.SelectionSet
		for _, f := range fs {
			if len(f.SelectionSet) > 0 {
				subs = append(subs, f.SelectionSet)
			}
		}
		if len(subs) > 1 {
			c.within(subs)
		}
	}
}
