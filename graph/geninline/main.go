// Command geninline rewrites gqlgen's generated executor so that a query's
// answer is written out on one goroutine (package graph/inline says why).
// Run by `go generate ./graph` after gqlgen. It fails, rather than leave
// the file half rewritten, when gqlgen's generated forms are not found.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
)

// rewrites are gqlgen's concurrent forms and their replacements. The
// replacements take the same arguments, plus what they need to run the
// element or field at once (the context, the field set and the field).
var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(ctx, ", "inline.Slice(ctx, "},
	{"out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "inline.Field(ctx, out, field, ec.OperationContext, &deferred, i,"},
}

const importPath = `"github.com/aidtrace/aidtrace/graph/inline"`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: geninline graph/generated/generated.go")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "geninline:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := Rewrite(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// Rewrite returns src with every concurrent form replaced and the inline
// package imported, formatted.
func Rewrite(src []byte) ([]byte, error) {
	for _, r := range rewrites {
		n := bytes.Count(src, []byte(r.from))
		if n == 0 {
			return nil, fmt.Errorf("no %q: has gqlgen's generated code changed? update graph/geninline", r.from)
		}
		src = bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
	}
	for _, left := range []string{"MarshalSliceConcurrently(", ".ResolveConcurrently("} {
		if bytes.Contains(src, []byte(left)) {
			return nil, fmt.Errorf("a %s call is left in a form geninline does not know", left)
		}
	}
	open := []byte("import (\n")
	at := bytes.Index(src, open)
	if at < 0 {
		return nil, fmt.Errorf("no import block")
	}
	at += len(open)
	src = append(src[:at:at], append([]byte("\t"+importPath+"\n"), src[at:]...)...)
	return format.Source(src)
}
