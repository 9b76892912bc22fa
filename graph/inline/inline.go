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
//
// It also writes a plain field (a struct field of the model, with no
// resolver and no directive) without most of gqlgen's per-field machinery
// (closures, the field middleware, the value boxed and unboxed): that
// machinery was most of the cost of a neighbourhood's 7,000 ids, names and
// types. A scalar's or an enum's is its marshaller's answer: such a
// marshaller needs no field context and cannot fail. Every other plain
// field (an object, a list, a non-null pointer, whose null is an error on
// the field's path, a Float, which reports NaN there) keeps its field
// context and a recover (Recover). Nothing is lost by it: none of
// internal/server's extensions intercepts fields (the only middleware a
// plain field could have; TestNoExtensionInterceptsFields).
package inline

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Sequential reports whether oc's operation is answered from memory after
// its planned statements: a query.
func Sequential(oc *graphql.OperationContext) bool {
	return oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Query
}

// Slice marshals a list's elements: in order on this goroutine for a
// query, else as graphql.MarshalSliceConcurrently does. Each element gets
// its own field context with its index, as gqlgen gives it, and a panic in
// one element is that element's error and null unless omitPanicHandler.
func Slice(ctx context.Context, oc *graphql.OperationContext, length int, workerLimit int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	if length <= 1 || !Sequential(oc) {
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
	if field.IsDeferred() || !Sequential(oc) {
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
		defer Recover(ctx, oc, &m)
	}
	return resolve(ctx)
}

// Recover is deferred by a field run at once (Field) and by a plain field
// that geninline writes with its field context (an object, a list, a
// non-null pointer, a Float): a panic while the field is resolved or
// written is the field's error and null, as in gqlgen's ResolveField. ctx
// is the field's context.
func Recover(ctx context.Context, oc *graphql.OperationContext, ret *graphql.Marshaler) {
	if r := recover(); r != nil {
		oc.Error(ctx, oc.Recover(ctx, r))
		*ret = graphql.Null
	}
}

// DeferredGroup is the group an object's deferred fields go to. The
// schema declares no @defer, so no field is ever deferred and the group
// stays empty: it is built (with the object's path, which takes walking
// the context up to the root) only when a field is.
func DeferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}

// Object returns an object's fields as gqlgen's FieldSet writes them, byte
// for byte: {"alias":value,...}, a repeated alias written once. (The
// FieldSet's own writer makes a map and copies every field to the heap,
// per object.) fields are out's fields, in order.
func Object(fields []graphql.CollectedField, out *graphql.FieldSet) graphql.Marshaler {
	return object{fields, out.Values}
}

type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

var (
	openBrace  = []byte{'{'}
	closeBrace = []byte{'}'}
	comma      = []byte{','}
	quoteColon = []byte{'"', ':'}
	quote      = []byte{'"'}
)

func (o object) MarshalGQL(w io.Writer) {
	w.Write(openBrace)
	first := true
	for i := range o.fields {
		alias := o.fields[i].Alias
		if written(o.fields[:i], alias) {
			continue
		}
		if !first {
			w.Write(comma)
		}
		first = false
		// Aliases are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): nothing in
		// them needs escaping.
		w.Write(quote)
		io.WriteString(w, alias)
		w.Write(quoteColon)
		o.values[i].MarshalGQL(w)
	}
	w.Write(closeBrace)
}

func written(before []graphql.CollectedField, alias string) bool {
	for i := range before {
		if before[i].Alias == alias {
			return true
		}
	}
	return false
}
