// Package inline lets a query's answer be written out on one goroutine.
//
// gqlgen's generated executor marshals every element of an object list on
// a goroutine of its own and resolves every field that has a resolver on
// another, so that dataloaders can collect the keys of sibling lookups
// before they query. A query's answer needs none of that: the planner
// (graph/plan.go) reads each root field's whole answer in one statement
// before any nested field is resolved, so the nested resolvers only look
// things up in memory, and a goroutine per element or per field is pure
// cost (a 500-entity neighbourhood started about 2,000 of them; profiled,
// goroutine start-up and stack growth were a fifth of the server's CPU).
//
// graph/geninline rewrites the generated executor to call Slice and Field
// instead of gqlgen's concurrent forms. In a query they run the element or
// field on the calling goroutine; in a mutation (whose results the
// fallback loaders serve, batching sibling lookups) they hand over to
// gqlgen's own concurrent forms, unchanged. Root fields stay concurrent:
// each is its own statement.
package inline

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Sequential reports whether ctx's operation is answered from memory
// after its planned statements: a query.
func Sequential(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Query
}

// Slice marshals a list's elements: in order on this goroutine for a
// query, else as graphql.MarshalSliceConcurrently does. Each element gets
// its own field context with its index, as gqlgen gives it, and a panic in
// one element is that element's error and null unless omitPanicHandler.
func Slice(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	if length <= 1 || !Sequential(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	for i := range length {
		ret[i] = element(ctx, i, omitPanicHandler, marshalElement)
	}
	return ret
}

func element(ctx context.Context, i int, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) (m graphql.Marshaler) {
	idx := i
	child := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &idx})
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(child, graphql.Recover(child, r))
				m = graphql.Null
			}
		}()
	}
	return marshalElement(child, i)
}

// Field resolves field i of an object: at once, on this goroutine, for a
// query's field that is not deferred, else by out.ResolveConcurrently
// (which leaves it to out.Dispatch). The result is counted against the
// object as gqlgen counts it: a null in a non-null field, or a required
// null in a nullable one, makes the object null.
func Field(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, oc *graphql.OperationContext,
	deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool,
	resolve func(ctx context.Context) graphql.Marshaler,
) {
	if field.IsDeferred() || !Sequential(ctx) {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	v := now(ctx, oc, recoverFromPanic, resolve)
	out.Values[i] = v
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

func now(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool,
	resolve func(ctx context.Context) graphql.Marshaler,
) (m graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}
