package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed web/src/registry.json must be what the domain registry says
// now: a kind or relation type added to internal/domain fails here until the
// file is regenerated, and then fails the explorer's unit tests until the
// kind has a style.
func TestRegistryJSONUpToDate(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../src/registry.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("web/src/registry.json is stale: run `go generate ./web/...` and commit it")
	}
}
