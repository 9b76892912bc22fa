package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/graph/scalars"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// hostile are strings no valid answer holds but the database can: control
// characters, quotes and backslashes, invalid UTF-8, runes outside the Basic
// Multilingual Plane, HTML's and JavaScript's special characters.
var hostile = []string{"", "LOCATED_IN", "a\"b\\c/", "\x00\a\b\t\n\v\f\r\x1b\x1f\x7f", "\xff\xfe\xc3", "𝄞 \U0010FFFF",
	"\u2028\u2029<>&'", "名称 e\u0301"}

// The transport sends the executor's bytes without checking them
// (internal/server's encodeAnswer), so every way the executor writes a
// leaf must write JSON whatever value it is given. Every leaf marshaller of
// the generated executor is read here, and what it writes with must be
// tested here: a new one fails this test until it is checked and added.
// gqlgen's own enums are rewritten by graph/geninline to write through
// graphql.MarshalString. JSON is what json.Valid accepts: a string's
// invalid UTF-8 is written as it is, as every string field's always was
// (Neo4j cannot hold one: its strings are Unicode).
func TestEveryLeafIsWrittenAsJSON(t *testing.T) {
	ctx := context.Background()
	strs := func(f func(string) graphql.Marshaler) func() []graphql.Marshaler {
		return func() (ms []graphql.Marshaler) {
			for _, s := range hostile {
				ms = append(ms, f(s))
			}
			return ms
		}
	}
	leaves := map[string]func() []graphql.Marshaler{
		"graphql.MarshalString": strs(graphql.MarshalString),
		"graphql.MarshalID":     strs(graphql.MarshalID),
		"graphql.MarshalInt": func() []graphql.Marshaler {
			return []graphql.Marshaler{graphql.MarshalInt(0), graphql.MarshalInt(math.MinInt), graphql.MarshalInt(math.MaxInt)}
		},
		"graphql.MarshalBoolean": func() []graphql.Marshaler {
			return []graphql.Marshaler{graphql.MarshalBoolean(true), graphql.MarshalBoolean(false)}
		},
		"graphql.MarshalFloatContext": func() (ms []graphql.Marshaler) {
			for _, f := range []float64{0, math.Copysign(0, -1), 1e-7, 1e21, -math.MaxFloat64, math.SmallestNonzeroFloat64, 3.25} {
				ms = append(ms, graphql.WrapContextMarshaler(ctx, graphql.MarshalFloatContext(f)))
			}
			return ms
		},
		"scalars.MarshalPartialDate": func() (ms []graphql.Marshaler) {
			for _, d := range []domain.PartialDate{{}, {Year: 1}, {Year: -5, Month: 13, Day: 99}, {Year: 2015, Month: 2, Day: 30}, {Year: math.MaxInt}} {
				ms = append(ms, scalars.MarshalPartialDate(d))
			}
			return ms
		},
	}
	enums := map[string]func(string) graphql.Marshaler{
		"ChainDirection": func(s string) graphql.Marshaler { return model.ChainDirection(s) },
		"MatchKind":      func(s string) graphql.Marshaler { return model.MatchKind(s) },
		"PathMode":       func(s string) graphql.Marshaler { return model.PathMode(s) },
		"RelationType":   func(s string) graphql.Marshaler { return model.RelationType(s) },
		"Responsibility": func(s string) graphql.Marshaler { return model.Responsibility(s) },
		"Strength":       func(s string) graphql.Marshaler { return model.Strength(s) },
	}
	for name, f := range enums {
		leaves["model."+name] = strs(f)
	}

	executor, err := os.ReadFile("generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	models, err := os.ReadFile("model/models_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	// Every enum gqlgen generates must be tested, used or not.
	for _, m := range regexp.MustCompile(`(?m)^func \(e \*?(\w+)\) MarshalGQL\(`).FindAllSubmatch(models, -1) {
		if _, ok := leaves["model."+string(m[1])]; !ok {
			t.Errorf("gqlgen generates the enum %s: check it writes JSON for every value and add it to this test", m[1])
		}
	}
	// Every marshaller of the executor that writes a leaf (one that
	// marshals no object and no list) must write it with a function tested
	// here, or be a tested type that writes itself (it returns v).
	marshaller := regexp.MustCompile(`(?ms)^func \(ec \*executionContext\) (marshal[^(\s]+)\(ctx context\.Context, sel ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{\n(.*?)^\}\n`)
	call := regexp.MustCompile(`\b(\w+)\.(Marshal\w*)\(`)
	itself := regexp.MustCompile(`(?m)^\treturn \*?v$|WrapContextMarshaler\(ctx, \*?v\)`)
	n := 0
	for _, m := range marshaller.FindAllSubmatch(executor, -1) {
		name, typ, body := string(m[1]), strings.TrimPrefix(string(m[2]), "*"), string(m[3])
		if strings.Contains(body, "ec._") || strings.Contains(body, "ec.marshal") || strings.Contains(body, "inline.Slice") {
			continue // an object's or a list's: it writes through other marshallers
		}
		n++
		known := false
		for _, c := range call.FindAllStringSubmatch(body, -1) {
			if c[2] == "Marshaler" {
				continue
			}
			known = true
			if _, ok := leaves[c[1]+"."+c[2]]; !ok {
				t.Errorf("%s writes with %s.%s: check it writes JSON for every value and add it to this test", name, c[1], c[2])
			}
		}
		if itself.MatchString(body) {
			known = true
			if _, ok := leaves[typ]; !ok {
				t.Errorf("%s returns the %s it is given, which writes itself: check it writes JSON for every value and add it to this test", name, typ)
			}
		}
		if !known {
			t.Errorf("%s writes a leaf in a form this test does not know:\n%s", name, body)
		}
	}
	if n < 20 {
		t.Fatalf("found only %d leaf marshallers: has the generated code's form changed?", n)
	}
	for name, values := range leaves {
		for _, m := range values() {
			var b bytes.Buffer
			m.MarshalGQL(&b)
			if !json.Valid(b.Bytes()) {
				t.Errorf("%s writes %q: not JSON", name, b.Bytes())
			}
		}
	}
}
