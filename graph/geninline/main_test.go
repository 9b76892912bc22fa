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
}

// Rewrite fails, rather than write a half-rewritten executor, when a form
// it knows is missing or one it does not know is left.
func TestRewriteFailsOnUnknownForms(t *testing.T) {
	const head = "package generated\n\nimport (\n\t\"context\"\n)\n\n"
	both := "func f() {\n\tret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, g)\n\tout.ResolveConcurrently(ec.OperationContext, &deferred, i,\n\t\ttrue, true, h)\n}\n"
	out, err := Rewrite([]byte(head + both))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"github.com/aidtrace/aidtrace/graph/inline"`, "inline.Slice(ctx, len(v)", "inline.Field(ctx, out, field, ec.OperationContext, &deferred, i,"} {
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
