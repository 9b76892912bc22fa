package inline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/graph/inline"
)

func text(m graphql.Marshaler) string {
	var b bytes.Buffer
	m.MarshalGQL(&b)
	return b.String()
}

// quiet turns a panic into an error, as graphql.DefaultRecover does,
// without printing its stack.
func quiet(context.Context, any) error { return errors.New("internal system error") }

func operation(op ast.Operation) context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, quiet)
	return graphql.WithOperationContext(ctx, &graphql.OperationContext{
		Operation:   &ast.OperationDefinition{Operation: op},
		RecoverFunc: quiet,
	})
}

// overlap runs two units of work through run and reports whether the
// first one saw the second one start before it ended (it waits for it a
// while): true when they ran at once, false when one after the other.
func overlap(t *testing.T, run func(work func(i int) graphql.Marshaler)) (bool, []int) {
	t.Helper()
	second := make(chan struct{})
	var mu sync.Mutex
	var order []int
	saw := false
	run(func(i int) graphql.Marshaler {
		mu.Lock()
		order = append(order, i)
		mu.Unlock()
		if i == 1 {
			close(second)
			return graphql.MarshalString("b")
		}
		select {
		case <-second:
			saw = true
		case <-time.After(300 * time.Millisecond):
		}
		return graphql.MarshalString("a")
	})
	return saw, order
}

// A query's list elements are marshalled in order on the caller's
// goroutine; a mutation's at once, as gqlgen does (its loaders batch them).
func TestSliceRunsAQueryInOrder(t *testing.T) {
	for _, c := range []struct {
		op   ast.Operation
		want bool
	}{{ast.Query, false}, {ast.Mutation, true}} {
		ctx := operation(c.op)
		saw, order := overlap(t, func(work func(int) graphql.Marshaler) {
			got := inline.Slice(ctx, graphql.GetOperationContext(ctx), 2, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
				if fc := graphql.GetFieldContext(ctx); fc == nil || fc.Index == nil || *fc.Index != i {
					t.Errorf("%s: element %d has no field context with its index", c.op, i)
				}
				return work(i)
			})
			if text(got) != `["a","b"]` {
				t.Errorf("%s: %v", c.op, got)
			}
		})
		if saw != c.want {
			t.Errorf("%s: elements ran at once = %v, want %v", c.op, saw, c.want)
		}
		if c.op == ast.Query && (len(order) != 2 || order[0] != 0) {
			t.Errorf("query: elements ran in order %v", order)
		}
	}
}

// A panic in one element is that element's error and null, the others
// are kept, as in gqlgen's concurrent form.
func TestSliceKeepsPanicsToTheirElement(t *testing.T) {
	for _, op := range []ast.Operation{ast.Query, ast.Mutation} {
		ctx := operation(op)
		got := inline.Slice(ctx, graphql.GetOperationContext(ctx), 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			if i == 1 {
				panic("boom")
			}
			return graphql.MarshalInt(i)
		})
		if text(got) != `[0,null,2]` {
			t.Errorf("%s: %v", op, got)
		}
		if errs := graphql.GetErrors(ctx); len(errs) != 1 || errs[0].Path.String() != "[1]" {
			t.Errorf("%s: errors %v", op, errs)
		}
	}
}

// A query's resolver field runs at once, on the caller's goroutine; a
// mutation's is left to Dispatch, which runs sibling fields at once.
func TestFieldRunsAQueryAtOnce(t *testing.T) {
	fields := []graphql.CollectedField{{Field: &ast.Field{Name: "a", Alias: "a"}}, {Field: &ast.Field{Name: "b", Alias: "b"}}}
	for _, c := range []struct {
		op   ast.Operation
		want bool
	}{{ast.Query, false}, {ast.Mutation, true}} {
		ctx := operation(c.op)
		oc := graphql.GetOperationContext(ctx)
		out := graphql.NewFieldSet(fields)
		saw, _ := overlap(t, func(work func(int) graphql.Marshaler) {
			deferred := graphql.NewDeferredGroup(ctx)
			for i, f := range fields {
				inline.Field(ctx, out, f, oc, &deferred, i, true, true, func(context.Context) graphql.Marshaler { return work(i) })
			}
			out.Dispatch(ctx)
		})
		if saw != c.want {
			t.Errorf("%s: fields ran at once = %v, want %v", c.op, saw, c.want)
		}
		if text(graphql.Array(out.Values)) != `["a","b"]` || out.Invalids != 0 {
			t.Errorf("%s: values %v, invalids %d", c.op, out.Values, out.Invalids)
		}
	}
}

// A null in a non-null field, or a required null in a nullable one,
// counts against the object, as gqlgen counts it; a panic is the field's
// error and null.
func TestFieldCountsInvalids(t *testing.T) {
	ctx := operation(ast.Query)
	oc := graphql.GetOperationContext(ctx)
	f := graphql.CollectedField{Field: &ast.Field{Name: "a", Alias: "a"}}
	for _, c := range []struct {
		name    string
		nonNull bool
		resolve func(context.Context) graphql.Marshaler
		want    uint32
	}{
		{"non-null null", true, func(context.Context) graphql.Marshaler { return graphql.Null }, 1},
		{"nullable null", false, func(context.Context) graphql.Marshaler { return graphql.Null }, 0},
		{"nullable required null", false, func(context.Context) graphql.Marshaler { return graphql.RequiredNull }, 1},
		{"non-null panic", true, func(context.Context) graphql.Marshaler { panic("boom") }, 1},
		{"value", true, func(context.Context) graphql.Marshaler { return graphql.MarshalString("x") }, 0},
	} {
		out := graphql.NewFieldSet([]graphql.CollectedField{f})
		deferred := graphql.NewDeferredGroup(ctx)
		inline.Field(ctx, out, f, oc, &deferred, 0, true, c.nonNull, c.resolve)
		if out.Invalids != c.want {
			t.Errorf("%s: invalids %d, want %d", c.name, out.Invalids, c.want)
		}
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 {
		t.Errorf("the panic gave errors %v", errs)
	}
}

// Object writes what gqlgen's FieldSet writes, a repeated alias once.
func TestObjectIsTheFieldSetsJSON(t *testing.T) {
	f := func(alias string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Name: "n", Alias: alias}}
	}
	for name, fields := range map[string][]graphql.CollectedField{
		"none":     {},
		"one":      {f("id")},
		"several":  {f("id"), f("name"), f("__typename"), f("a1")},
		"repeated": {f("id"), f("name"), f("id")},
	} {
		out := graphql.NewFieldSet(fields)
		for i := range fields {
			out.Values[i] = graphql.MarshalString(fmt.Sprintf("v%d\n\"<", i))
		}
		if got, want := text(inline.Object(fields, out)), text(out); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

// No field is deferred (the schema has no @defer): the group is empty and
// costs nothing; a deferred field gets gqlgen's own group.
func TestDeferredGroup(t *testing.T) {
	ctx := operation(ast.Query)
	plain := []graphql.CollectedField{{Field: &ast.Field{Name: "a", Alias: "a"}}}
	if g := inline.DeferredGroup(ctx, plain); g.FieldSet != nil || len(g.Defers) != 0 {
		t.Errorf("a group for fields that are not deferred: %+v", g)
	}
	deferred := []graphql.CollectedField{{Field: &ast.Field{Name: "a", Alias: "a"}, Deferrables: []*graphql.Deferrable{{Label: "l"}}}}
	if g := inline.DeferredGroup(ctx, deferred); g.FieldSet == nil || g.Defers == nil {
		t.Errorf("no group for a deferred field: %+v", g)
	}
}

// A panic while a plain field is written (Recover deferred with its
// context) is that field's error, on its path, and its value is null.
func TestRecoverKeepsAPanicToItsField(t *testing.T) {
	ctx := operation(ast.Query)
	oc := graphql.GetOperationContext(ctx)
	write := func(ctx context.Context) (ret graphql.Marshaler) {
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "upper"}}})
		defer inline.Recover(ctx, oc, &ret)
		panic("boom")
	}
	if got := write(ctx); got != graphql.Null {
		t.Errorf("got %v, want null", got)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || errs[0].Path.String() != "upper" || errs[0].Message != "internal system error" {
		t.Errorf("errors %v", errs)
	}
}
