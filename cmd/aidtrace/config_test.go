package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// docDefaults reads the settings tables of a document: for each row naming
// environment variables in its first column, the variables and the
// defaults in the column headed "default" (several variables in one row
// list their defaults in the same order).
func docDefaults(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([^`]*)`")
	out := map[string]string{}
	col := -1
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			col = -1
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if i := indexOf(cells, "default"); i >= 0 {
			col = i
			continue
		}
		if col < 0 || col >= len(cells) {
			continue
		}
		var vars []string
		for _, m := range code.FindAllStringSubmatch(cells[0], -1) {
			if strings.HasPrefix(m[1], "AIDTRACE_") || strings.HasPrefix(m[1], "NEO4J_") {
				vars = append(vars, m[1])
			}
		}
		if len(vars) == 0 {
			continue
		}
		var defs []string
		for _, m := range code.FindAllStringSubmatch(cells[col], -1) {
			defs = append(defs, m[1])
		}
		for i, v := range vars {
			switch {
			case i < len(defs):
				out[v] = defs[i]
			default: // "(empty)", "*(empty: off)*" or nothing
				out[v] = ""
			}
		}
	}
	return out
}

func indexOf(cells []string, s string) int {
	for i, c := range cells {
		if c == s {
			return i
		}
	}
	return -1
}

// TestDocumentedDefaultsAreTheDefaults: every setting is in the README's
// and the operations guide's tables, and the default they state is the
// program's: setting a variable to its documented default changes nothing.
// A default changed in the code (or in server.DefaultConfig,
// neo4jstore.DefaultConfig) and not in the documents fails here.
func TestDocumentedDefaultsAreTheDefaults(t *testing.T) {
	for _, doc := range []string{"../../README.md", "../../docs/OPERATIONS.md"} {
		defs := docDefaults(t, doc)
		for _, v := range envVars {
			d, ok := defs[v.name]
			if !ok {
				t.Errorf("%s: no row for %s", doc, v.name)
				continue
			}
			c := defaultConfig()
			if err := v.set(&c, d); d != "" && err != nil {
				t.Errorf("%s: %s's default %q does not parse: %v", doc, v.name, d, err)
				continue
			}
			if !reflect.DeepEqual(c, defaultConfig()) {
				t.Errorf("%s: %s's default is documented as %q, which is not the program's", doc, v.name, d)
			}
		}
		for name := range defs {
			if !known(name) {
				t.Errorf("%s documents %s, which the program does not read", doc, name)
			}
		}
	}
	// The check sees a drift.
	c := defaultConfig()
	for _, v := range envVars {
		if v.name == "AIDTRACE_MAX_DEPTH" {
			v.set(&c, "13")
		}
	}
	if reflect.DeepEqual(c, defaultConfig()) {
		t.Error("setting AIDTRACE_MAX_DEPTH to 13 changed nothing: the comparison cannot see a drift")
	}
}

func known(name string) bool {
	for _, v := range envVars {
		if v.name == name {
			return true
		}
	}
	return false
}
