package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const codeDepthLimit = "DEPTH_LIMIT_EXCEEDED"

func init() {
	// Both limits reject the request before it runs: a request error, so
	// 422 (application/json) or 400 (application/graphql-response+json).
	errcode.RegisterErrorType(codeDepthLimit, errcode.KindProtocol)
	errcode.RegisterErrorType("COMPLEXITY_LIMIT_EXCEEDED", errcode.KindProtocol)
}

// depthLimit rejects operations nested deeper than Max fields. Introspection
// fields are not counted: tools' introspection queries are deep by nature
// and cheap. It also rejects operations of more than MaxSelections
// selections once their fragments are expanded (0: no cap), before
// gqlgen's complexity walk, which expands every fragment spread anew: 40
// fragments each spreading the next twice would cost it 2^40 steps.
type depthLimit struct{ Max, MaxSelections int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	sh := selectionShape(rc.Doc, rc.Operation.SelectionSet, map[string]*shape{})
	if d.MaxSelections > 0 && sh.selections > d.MaxSelections {
		err := gqlerror.Errorf("the operation has more than %d selections once its fragments are expanded", d.MaxSelections)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	if sh.depth > d.Max {
		err := gqlerror.Errorf("the operation is %d fields deep; at most %d are allowed", sh.depth, d.Max)
		errcode.Set(err, codeDepthLimit)
		return err
	}
	return nil
}

// shape measures a selection set: its depth in fields (introspection not
// counted) and its selections once fragments are expanded (capped).
type shape struct{ depth, selections int }

const maxSelections = 1 << 40

// selectionShape walks each fragment once: memo holds the shape of the
// fragments walked (nil while one is being walked).
func selectionShape(doc *ast.QueryDocument, set ast.SelectionSet, memo map[string]*shape) shape {
	var out shape
	for _, sel := range set {
		var sh shape
		switch s := sel.(type) {
		case *ast.Field:
			sh = selectionShape(doc, s.SelectionSet, memo)
			if strings.HasPrefix(s.Name, "__") {
				sh.depth = 0
			} else {
				sh.depth++
			}
		case *ast.InlineFragment:
			sh = selectionShape(doc, s.SelectionSet, memo)
		case *ast.FragmentSpread:
			m, ok := memo[s.Name]
			if !ok {
				if f := doc.Fragments.ForName(s.Name); f != nil {
					memo[s.Name] = nil
					v := selectionShape(doc, f.SelectionSet, memo)
					m = &v
					memo[s.Name] = m
				}
			}
			// Validation has already rejected fragment cycles; nil keeps
			// this function safe if it is ever called before it.
			if m != nil {
				sh = *m
			}
		}
		out.depth = max(out.depth, sh.depth)
		out.selections = min(out.selections+sh.selections+1, maxSelections)
	}
	return out
}
