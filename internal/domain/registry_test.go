package domain

import (
	"regexp"
	"testing"
)

// The registry is data other code trusts: labels and types reach Cypher
// from it, so each must be a safe identifier, and every kind it names must exist.
func TestRegistryIsSound(t *testing.T) {
	ident := regexp.MustCompile(`^[A-Z][A-Za-z]*$`)
	typeIdent := regexp.MustCompile(`^[A-Z][A-Z_]*$`)
	labels := map[string]bool{}
	for _, k := range Kinds() {
		if !ident.MatchString(k.Label) {
			t.Errorf("kind %s: label %q is not a plain identifier", k.Kind, k.Label)
		}
		if labels[k.Label] || k.Label == "Entity" || k.Label == "Source" {
			t.Errorf("kind %s: label %q is used twice or reserved", k.Kind, k.Label)
		}
		labels[k.Label] = true
		if k.Description == "" {
			t.Errorf("kind %s has no description", k.Kind)
		}
	}
	for _, rt := range RelationTypes() {
		if !typeIdent.MatchString(rt.Name) {
			t.Errorf("type %q is not a plain identifier", rt.Name)
		}
		if rt.Meaning == "" {
			t.Errorf("type %s has no meaning", rt.Name)
		}
		for _, k := range append(append([]Kind{}, rt.From...), rt.To...) {
			if !k.Valid() {
				t.Errorf("type %s names unknown kind %q", rt.Name, k)
			}
		}
	}
	if len(ResponsibilityTypes()) == 0 {
		t.Error("no responsibility-bearing types")
	}
}

func TestEndpointRules(t *testing.T) {
	tests := []struct {
		typ      string
		from, to Kind
		ok       bool
	}{
		{"PAIRED_WITH", "province", "county", true},
		{"PAIRED_WITH", "county", "province", false},
		{"LICENSES", "bureau", "labour_dispatch_firm", true},
		{"LICENSES", "province", "labour_dispatch_firm", false},
		{"PART_OF", "county", "prefecture", true},
		{"LOCATED_IN", "factory", "person", false},
	}
	for _, tt := range tests {
		r := Relation{Type: tt.typ, From: "a:x", To: "b:y"}
		errs := r.CheckEndpoints(tt.from, tt.to)
		if (len(errs) == 0) != tt.ok {
			t.Errorf("%s %s->%s: errors %v, want ok=%v", tt.typ, tt.from, tt.to, errs, tt.ok)
		}
	}
}
