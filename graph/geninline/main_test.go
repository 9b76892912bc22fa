package main

import (
	"os"
	"strings"
	"testing"
)

// The committed executor is rewritten: no concurrent form of gqlgen's is
// left in it (check-generated keeps it equal to a fresh generation).
func TestGeneratedExecutorIsRewritten(t *testing.T) {
	src, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rewrites {
		if strings.Contains(string(src), r.from) || !strings.Contains(string(src), r.to) {
			t.Errorf("graph/generated/generated.go: %q is not rewritten to %q: run make generate", r.from, r.to)
		}
	}
	for _, plain := range []string{"return ec.marshalNID2string(ctx, field.Selections, obj.ID)", "return ec.marshalNString2string(ctx, field.Selections, obj.Name)"} {
		if !strings.Contains(string(src), plain) {
			t.Errorf("graph/generated/generated.go: no plain field written as %s: run make generate", plain)
		}
	}
}

// A plain field (a struct field, no resolver, no directive) of a scalar is
// written through its marshaller; an object's, a list's, a non-null
// pointer's and a context marshaller's (a Float's) keep a field context and
// a recover; a field with a resolver keeps gqlgen's machinery.
func TestRewritePlainFields(t *testing.T) {
	field := func(name, get, marshal, typ string) string {
		return "func (ec *executionContext) _T_" + name + "(ctx context.Context, field graphql.CollectedField, obj *model.T) (ret graphql.Marshaler) {\n" +
			"\treturn graphql.ResolveField(\n\t\tctx,\n\t\tec.OperationContext,\n\t\tfield,\n" +
			"\t\tfunc(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {\n\t\t\treturn ec.fieldContext_T_" + name + "(ctx, field)\n\t\t},\n" +
			"\t\tfunc(ctx context.Context) (any, error) {\n\t\t\treturn " + get + ", nil\n\t\t},\n" +
			"\t\tnil,\n" +
			"\t\tfunc(ctx context.Context, selections ast.SelectionSet, v " + typ + ") graphql.Marshaler {\n\t\t\treturn ec." + marshal + "(ctx, selections, v)\n\t\t},\n" +
			"\t\ttrue,\n\t\ttrue,\n\t)\n}\n"
	}
	marshaller := func(name, typ, body string) string {
		return "func (ec *executionContext) " + name + "(ctx context.Context, sel ast.SelectionSet, v " + typ + ") graphql.Marshaler {\n" + body + "}\n"
	}
	src := field("id", "obj.ID", "marshalNID2string", "string") +
		field("kind", "obj.Kind", "marshalNEntityKind2ᚗdomainᚐKind", "domain.Kind") +
		field("from", "obj.From", "marshalNEntity2ᚖmodelᚐEntity", "*model.Entity") +
		field("names", "obj.Names", "marshalNString2ᚕstringᚄ", "[]string") +
		field("date", "obj.Date", "marshalNDate2ᚖDate", "*Date") +
		field("to", "ec.Resolvers.T().To(ctx, obj)", "marshalNID2string", "string") +
		field("score", "obj.Score", "marshalNFloat2float64", "float64") +
		marshaller("marshalNID2string", "string", "\tres := graphql.MarshalString(v)\n\treturn res\n") +
		marshaller("marshalNEntityKind2ᚗdomainᚐKind", "domain.Kind", "\treturn v\n") +
		marshaller("marshalNEntity2ᚖmodelᚐEntity", "*model.Entity", "\treturn ec._Entity(ctx, sel, v)\n") +
		marshaller("marshalNString2ᚕstringᚄ", "[]string", "\tfor i := range v {\n\t\tret[i] = ec.marshalNString2string(ctx, sel, v[i])\n\t}\n") +
		marshaller("marshalNDate2ᚖDate", "*Date", "\treturn v\n") +
		marshaller("marshalNFloat2float64", "float64", "\tres := graphql.MarshalFloatContext(v)\n\treturn graphql.WrapContextMarshaler(ctx, res)\n")
	out, leaves, others := rewritePlain([]byte(src))
	if leaves != 2 || others != 4 {
		t.Errorf("%d leaves and %d others rewritten, want 2 (id, kind) and 4 (from, names, date, score):\n%s", leaves, others, out)
	}
	for _, want := range []string{"return ec.marshalNID2string(ctx, field.Selections, obj.ID)\n}", "return ec.marshalNEntityKind2ᚗdomainᚐKind(ctx, field.Selections, obj.Kind)\n}",
		// the others keep a field context, with the field (a pointer's, a
		// list's) or a pointer to it (a value's) as its result, read once
		// the recover is in place
		"\tfc, err := ec.fieldContext_T_from(ctx, field)\n\tif err != nil {\n\t\treturn graphql.Null\n\t}\n\tctx = graphql.WithFieldContext(ctx, fc)\n" +
			"\tdefer inline.Recover(ctx, ec.OperationContext, &ret)\n\tfc.Result = obj.From\n\treturn ec.marshalNEntity2ᚖmodelᚐEntity(ctx, field.Selections, obj.From)\n}",
		"fc.Result = obj.Names\n", "fc.Result = obj.Date\n", "fc.Result = &obj.Score\n",
		"return ec.marshalNFloat2float64(ctx, field.Selections, obj.Score)\n}"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s", want)
		}
	}
	if strings.Count(string(out), "inline.Recover") != 4 {
		t.Errorf("not every other field recovers:\n%s", out)
	}
	if !strings.Contains(string(out), "ec.Resolvers.T().To(ctx, obj), nil") {
		t.Error("a resolver's field was rewritten")
	}
}

// Rewrite fails, rather than write a half-rewritten executor, when a form
// it knows is missing or one it does not know is left.
func TestRewriteFailsOnUnknownForms(t *testing.T) {
	const head = "package generated\n\nimport (\n\t\"context\"\n)\n\n"
	both := "func f() {\n\tret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, g)\n\tout.ResolveConcurrently(ec.OperationContext, &deferred, i,\n\t\ttrue, true, h)\n}\n" +
		"func o() graphql.Marshaler {\n\tdeferred := graphql.NewDeferredGroup(ctx)\n\t_ = deferred\n\treturn out\n}\n" + plainSample
	out, err := Rewrite([]byte(head + both))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"github.com/aidtrace/aidtrace/graph/inline"`, "inline.Slice(ctx, ec.OperationContext, len(v)", "inline.Field(ctx, out, field, ec.OperationContext, &deferred, i,",
		"deferred := inline.DeferredGroup(ctx, fields)", "return inline.Object(fields, out)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	for name, src := range map[string]string{
		"no slice form":           head + "func f() { out.ResolveConcurrently(ec.OperationContext, &deferred, i, true, true, h) }\n",
		"no field form":           head + "func f() { graphql.MarshalSliceConcurrently(ctx, 1, 0, false, g) }\n",
		"an unknown form is left": head + both + "func k() { graphql.MarshalSliceConcurrently(c, 1, 0, false, g) }\n",
	} {
		if _, err := Rewrite([]byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// plainSample is one plain field of a scalar and its marshaller.
const plainSample = `func (ec *executionContext) _T_id(ctx context.Context, field graphql.CollectedField, obj *model.T) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_T_id(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.ID, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler {
			return ec.marshalNID2string(ctx, selections, v)
		},
		true,
		true,
	)
}
func (ec *executionContext) marshalNID2string(ctx context.Context, sel ast.SelectionSet, v string) graphql.Marshaler {
	return graphql.MarshalString(v)
}
`

// gqlgen's enums are rewritten to write through graphql.MarshalString (the
// committed models are; graph's TestEveryLeafIsWrittenAsJSON checks what
// that buys), and RewriteEnums fails when gqlgen's form is missing or an
// unknown one is left.
func TestRewriteEnums(t *testing.T) {
	committed, err := os.ReadFile("../model/models_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(committed), "strconv.Quote(") || !strings.Contains(string(committed), enumString) {
		t.Error("graph/model/models_gen.go: enums are not rewritten: run make generate")
	}
	const head = "package model\n\nimport (\n\t\"fmt\"\n\t\"io\"\n\t\"strconv\"\n)\n\ntype E string\n\n"
	enum := "func (e E) String() string { return string(e) }\n\nfunc (e E) MarshalGQL(w io.Writer) {\n" + enumQuote + "}\n"
	out, err := RewriteEnums([]byte(head + enum + "var _ = strconv.Itoa\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), gqlImport) || !strings.Contains(string(out), enumString) || strings.Contains(string(out), "fmt.Fprint(") {
		t.Errorf("not rewritten:\n%s", out)
	}
	for name, src := range map[string]string{
		"no enum form":            head,
		"an unknown form is left": head + enum + "func (e E) Q() string { return strconv.Quote(string(e)) }\n",
	} {
		if _, err := RewriteEnums([]byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
