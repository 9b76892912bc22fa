package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

func runSynth(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code = m.Run(context.Background(), append([]string{"synth"}, args...))
	return code, out.String(), errb.String()
}

// synth --out writes files the loader's own validation accepts.
func TestSynthOutValidates(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runSynth(t, nil, "--scale", "XS", "--seed", "3", "--out", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, probs := ingest.Check([]string{dir})
	if len(probs) > 0 {
		t.Fatalf("written files do not validate: %v", probs)
	}
	if n := len(p.Dataset.Relations); n == 0 {
		t.Fatal("no relations written")
	}
	for _, e := range p.Dataset.Entities {
		if !e.Synthetic {
			t.Fatalf("%s is not marked synthetic", e.ID)
		}
	}
}

func TestSynthRefusesSeeds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seeds", "x")
	code, _, stderr := runSynth(t, nil, "--scale", "XS", "--out", dir)
	if code == 0 || !strings.Contains(stderr, "never goes into seeds") {
		t.Fatalf("exit %d, stderr %q: want a refusal", code, stderr)
	}
}

// synth --load loads through the store; a second load changes nothing.
func TestSynthLoad(t *testing.T) {
	neo4jtest.MustStore(t) // empties the database
	env := dbEnv(t)
	for i, want := range []string{"unchanged 0", "created 0, updated 0"} {
		code, stdout, stderr := runSynth(t, env, "--scale", "XS", "--load")
		if code != 0 {
			t.Fatalf("load %d: exit %d: %s", i, code, stderr)
		}
		if !strings.Contains(stdout, want) {
			t.Errorf("load %d: output %q does not say %q", i, stdout, want)
		}
	}
	if n := neo4jtest.MustCount(t, "MATCH (n:Entity) WHERE n.synthetic RETURN count(n) AS n", nil); n == 0 {
		t.Error("no synthetic entities stored")
	}
}
