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
// and cheap.
type depthLimit struct{ Max int }

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
	if depth := selectionDepth(rc.Doc, rc.Operation.SelectionSet, map[string]bool{}); depth > d.Max {
		err := gqlerror.Errorf("the operation is %d fields deep; at most %d are allowed", depth, d.Max)
		errcode.Set(err, codeDepthLimit)
		return err
	}
	return nil
}

func selectionDepth(doc *ast.QueryDocument, set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(doc, s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(doc, s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			// Validation has already rejected fragment cycles; the guard
			// keeps this function safe if it is ever called before it.
			if visiting[s.Name] {
				continue
			}
			if f := doc.Fragments.ForName(s.Name); f != nil {
				visiting[s.Name] = true
				d = selectionDepth(doc, f.SelectionSet, visiting)
				delete(visiting, s.Name)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
