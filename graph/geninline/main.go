// Command geninline rewrites gqlgen's generated executor so that a query's
// answer is written out on one goroutine (package graph/inline says why),
// and gqlgen's generated enums so that they write JSON whatever value they
// hold (the transport sends the executor's bytes as they are: see
// internal/server's encodeAnswer). Run by `go generate ./graph` after
// gqlgen. It fails, rather than leave a file half rewritten, when gqlgen's
// generated forms are not found.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strings"
)

// form is one of gqlgen's generated forms and its replacement.
type form struct{ from, to string }

// replace replaces every one of forms in src. It fails when a form is not
// found, or when one of left (what the forms should have replaced) is still
// there: gqlgen's generated code has changed.
func replace(src []byte, forms []form, left ...string) ([]byte, error) {
	for _, f := range forms {
		if !bytes.Contains(src, []byte(f.from)) {
			return nil, fmt.Errorf("no %q: has gqlgen's generated code changed? update graph/geninline", f.from)
		}
		src = bytes.ReplaceAll(src, []byte(f.from), []byte(f.to))
	}
	for _, l := range left {
		if bytes.Contains(src, []byte(l)) {
			return nil, fmt.Errorf("a %q is left in a form geninline does not know", l)
		}
	}
	return src, nil
}

// rewrites are gqlgen's concurrent forms and their replacements. The
// replacements take the same arguments, plus what they need to run the
// element or field at once (the context, the field set and the field).
var rewrites = []form{
	{"graphql.MarshalSliceConcurrently(ctx, ", "inline.Slice(ctx, ec.OperationContext, "},
	{"out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "inline.Field(ctx, out, field, ec.OperationContext, &deferred, i,"},
	{"deferred := graphql.NewDeferredGroup(ctx)\n", "deferred := inline.DeferredGroup(ctx, fields)\n"},
	{"\n\treturn out\n}\n", "\n\treturn inline.Object(fields, out)\n}\n"},
}

const importPath = `"github.com/aidtrace/aidtrace/graph/inline"`

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: geninline graph/generated/generated.go graph/model/models_gen.go")
		os.Exit(2)
	}
	for i, fn := range []func([]byte) ([]byte, error){Rewrite, RewriteEnums} {
		if err := rewrite(os.Args[1+i], fn); err != nil {
			fmt.Fprintln(os.Stderr, "geninline:", err)
			os.Exit(1)
		}
	}
}

func rewrite(path string, fn func([]byte) ([]byte, error)) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := fn(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// enumQuote is how gqlgen's generated enums write themselves: strconv.Quote
// writes Go, not JSON, for a value that holds a control character, an
// invalid byte or a rune outside the Basic Multilingual Plane (a relation
// type is read from the database). graphql.MarshalString writes the same
// bytes for every enum name, and JSON for every other string.
const (
	enumQuote  = "\t_, _ = fmt.Fprint(w, strconv.Quote(e.String()))\n"
	enumString = "\tgraphql.MarshalString(e.String()).MarshalGQL(w)\n"
	gqlImport  = `"github.com/99designs/gqlgen/graphql"`
)

// RewriteEnums returns gqlgen's generated models with every enum written by
// graphql.MarshalString, formatted.
func RewriteEnums(src []byte) ([]byte, error) {
	src, err := replace(src, []form{{enumQuote, enumString}}, "strconv.Quote(")
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(src, []byte(gqlImport)) {
		if src, err = addImport(src, gqlImport); err != nil {
			return nil, err
		}
	}
	return format.Source(src)
}

// addImport adds path to src's import block.
func addImport(src []byte, path string) ([]byte, error) {
	open := []byte("import (\n")
	at := bytes.Index(src, open)
	if at < 0 {
		return nil, fmt.Errorf("no import block")
	}
	at += len(open)
	return append(src[:at:at], append([]byte("\t"+path+"\n"), src[at:]...)...), nil
}

// Rewrite returns src with every concurrent form replaced and the inline
// package imported, formatted.
func Rewrite(src []byte) ([]byte, error) {
	src, err := replace(src, rewrites, "MarshalSliceConcurrently(", ".ResolveConcurrently(", "NewDeferredGroup(", "\treturn out\n")
	if err != nil {
		return nil, err
	}
	src, leaves, others := rewritePlain(src)
	if leaves+others == 0 {
		return nil, fmt.Errorf("no plain field found: has gqlgen's generated code changed? update graph/geninline")
	}
	if src, err = addImport(src, importPath); err != nil {
		return nil, err
	}
	return format.Source(src)
}

// plainField is gqlgen's function for a field read from a struct field of
// the model, with no resolver and no directive (the middleware argument is
// nil). Groups: head, field context function, Go field, value type,
// marshaller, whether it recovers from a panic.
var plainField = regexp.MustCompile(`(?m)^(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
	`\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
	`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
	`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn obj\.(\w+), nil\n\t\t\},\n` +
	`\t\tnil,\n` +
	`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{\n\t\t\treturn ec\.(marshal[^(\s]+)\(ctx, selections, v\)\n\t\t\},\n` +
	`\t\t(true|false),\n\t\t(?:true|false),\n\t\)\n\}\n`)

// marshaller finds a marshaller's body.
var marshaller = regexp.MustCompile(`(?ms)^func \(ec \*executionContext\) (marshal[^(\s]+)\(ctx context\.Context, sel ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{\n(.*?)^\}\n`)

// rewritePlain rewrites every plain field, and returns how many it wrote
// straight through their marshaller (leaves) and how many with a field
// context of their own (the others).
//
// A leaf's marshaller writes a scalar or an enum: it marshals no object (no
// ec._ call), no list (no ec.marshal call), is not a non-null one of a
// pointer (whose nil is an error reported on the field's path, which needs
// the field's context) and is not a context marshaller (a Float's: NaN or
// an infinity is an error reported on the field's path when it is
// written). A leaf is written as its marshaller's answer.
//
// Every other plain field (an object, a list, a non-null pointer, a Float)
// gets what gqlgen's ResolveField gives it, its field context and a
// recover, without the closures, the field middleware (which none of
// internal/server's extensions has) and the value boxed twice (a hop's
// relation is a struct of some 300 bytes): the field context's Result is
// the field itself, or a pointer to it when it is a value, as gqlgen's list
// elements have it (nothing reads it).
func rewritePlain(src []byte) ([]byte, int, int) {
	leaf := map[string]bool{}
	for _, m := range marshaller.FindAllSubmatch(src, -1) {
		name, typ, body := string(m[1]), string(m[2]), m[3]
		nonNullPointer := bytes.HasPrefix([]byte(name), []byte("marshalN")) && bytes.HasPrefix([]byte(typ), []byte("*"))
		leaf[name] = !nonNullPointer && !bytes.Contains(body, []byte("ec._")) && !bytes.Contains(body, []byte("ec.marshal")) &&
			!bytes.Contains(body, []byte("inline.Slice")) && !bytes.Contains(body, []byte("ContextMarshaler"))
	}
	leaves, others := 0, 0
	out := plainField.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := plainField.FindSubmatch(fn)
		head, fieldContext, goField, typ, marshal, recovers := m[1], m[2], m[3], string(m[4]), m[5], string(m[6]) == "true"
		if leaf[string(marshal)] {
			leaves++
			return fmt.Appendf(nil, "%s\treturn ec.%s(ctx, field.Selections, obj.%s)\n}\n", head, marshal, goField)
		}
		others++
		result := "&obj." + string(goField)
		if strings.HasPrefix(typ, "*") || strings.HasPrefix(typ, "[]") || strings.HasPrefix(typ, "map[") {
			result = "obj." + string(goField)
		}
		var b bytes.Buffer
		// The field is read after the recover is in place, as gqlgen's
		// resolver reads it: a panic there is the field's.
		fmt.Fprintf(&b, "%s\tfc, err := ec.%s(ctx, field)\n\tif err != nil {\n\t\treturn graphql.Null\n\t}\n", head, fieldContext)
		b.WriteString("\tctx = graphql.WithFieldContext(ctx, fc)\n")
		if recovers {
			b.WriteString("\tdefer inline.Recover(ctx, ec.OperationContext, &ret)\n")
		}
		fmt.Fprintf(&b, "\tfc.Result = %s\n\treturn ec.%s(ctx, field.Selections, obj.%s)\n}\n", result, marshal, goField)
		return b.Bytes()
	})
	return out, leaves, others
}
