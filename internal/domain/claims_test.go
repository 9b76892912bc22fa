package domain

import (
	"strings"
	"testing"
)

// The list rules of issue 12, point 11: caps on aliases and citations, no
// citation twice, and a relation id that names another type is refused.
func TestClaimListRules(t *testing.T) {
	cite := func(n int) []Citation {
		cs := make([]Citation, n)
		for i := range cs {
			cs[i] = Citation{SourceID: "src:x", Quote: "x", Locator: "p. " + strings.Repeat("i", i+1)}
		}
		return cs
	}
	entity := func(aliases int, cs []Citation) *Entity {
		e := &Entity{ID: "county:x", Kind: "county", Name: "X", Citations: cs}
		for i := range aliases {
			e.Aliases = append(e.Aliases, "X"+strings.Repeat("x", i))
		}
		return e
	}
	relation := func(id, typ string, cs []Citation) *Relation {
		return &Relation{ID: id, Type: typ, From: "province:a", To: "county:b", Confidence: "reported", Citations: cs}
	}
	tests := []struct {
		name string
		errs []FieldError
		want string // "" for none
	}{
		{"50 aliases", entity(MaxAliases, cite(1)).Validate(), ""},
		{"51 aliases", entity(MaxAliases+1, cite(1)).Validate(), "aliases: at most 50 aliases"},
		{"50 citations", entity(0, cite(MaxCitations)).Validate(), ""},
		{"51 citations", entity(0, cite(MaxCitations+1)).Validate(), "cite: at most 50 citations"},
		{"a citation twice", entity(0, append(cite(2), cite(2)[1])).Validate(), "cite[2]: repeats cite[1]"},
		{"one source at two places", entity(0, cite(2)).Validate(), ""},
		{"id names its own type", relation("rel:paired-with:a--b", "PAIRED_WITH", cite(1)).Validate(), ""},
		{"id names another type", relation("rel:funds:a--b", "PAIRED_WITH", cite(1)).Validate(), `id: "rel:funds:a--b" names a FUNDS relation, but its type is PAIRED_WITH`},
		{"id names no type", relation("rel:t3", "PAIRED_WITH", cite(1)).Validate(), ""},
		{"relation citation twice", relation("rel:x", "PAIRED_WITH", append(cite(1), cite(1)...)).Validate(), "cite[1]: repeats cite[0]"},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range tt.errs {
			got = append(got, e.Error())
		}
		joined := strings.Join(got, "; ")
		if tt.want == "" && len(got) > 0 || tt.want != "" && !strings.Contains(joined, tt.want) {
			t.Errorf("%s: errors %q, want %q", tt.name, joined, tt.want)
		}
	}
}
