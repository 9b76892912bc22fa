// Command genregistry writes the entity kinds and relation types of the
// domain registry, the form of a date and the caps of the arguments the
// explorer sets, as JSON for the explorer (web/src/registry.json), so the
// explorer's styles, legend, filters and link checks come from the domain
// instead of a hand-kept copy. Run by `go generate ./web/...`; main_test.go fails when
// the committed file is stale, and the explorer's unit tests fail when a kind
// has no style.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/aidtrace/aidtrace/internal/domain"
)

type kind struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

type relationType struct {
	Name           string   `json:"name"`
	Meaning        string   `json:"meaning"`
	Responsibility string   `json:"responsibility"`
	From           []string `json:"from"`
	To             []string `json:"to"`
}

// limits are the caps of the API arguments the explorer lets a reader set.
type limits struct {
	NeighborhoodDepth int `json:"neighborhoodDepth"`
	NeighborhoodLimit int `json:"neighborhoodLimit"`
}

type registry struct {
	Comment       string         `json:"//"`
	Kinds         []kind         `json:"kinds"`
	RelationTypes []relationType `json:"relationTypes"`
	// PartialDate is the form of a date the API accepts (a regular expression).
	PartialDate string `json:"partialDate"`
	Limits      limits `json:"limits"`
}

func kindNames(ks []domain.Kind) []string {
	out := []string{}
	for _, k := range ks {
		out = append(out, string(k))
	}
	return out
}

// generate returns the JSON document.
func generate() ([]byte, error) {
	r := registry{Comment: "Generated from internal/domain by `go generate ./web/...`; do not edit."}
	for _, k := range domain.Kinds() {
		r.Kinds = append(r.Kinds, kind{string(k.Kind), k.Description})
	}
	for _, t := range domain.RelationTypes() {
		r.RelationTypes = append(r.RelationTypes, relationType{t.Name, t.Meaning, t.Responsibility.String(), kindNames(t.From), kindNames(t.To)})
	}
	r.PartialDate = domain.PartialDatePattern
	r.Limits = limits{NeighborhoodDepth: domain.MaxHoodDepth, NeighborhoodLimit: domain.MaxHoodLimit}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func main() {
	out := flag.String("o", "src/registry.json", "file to write")
	flag.Parse()
	b, err := generate()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genregistry:", err)
		os.Exit(1)
	}
}
