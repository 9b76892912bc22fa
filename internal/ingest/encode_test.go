package ingest_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
)

// Encode writes every field, and the parser reads back the same dataset.
func TestEncodeRoundTrip(t *testing.T) {
	cite := []domain.Citation{{SourceID: "src:a", Quote: "a quote", Locator: "p. 3"}}
	qty := []domain.Quantity{{Name: "headcount", Value: 120, Unit: "people"}}
	want := domain.Dataset{
		Sources: []domain.Source{{ID: "src:a", Title: "A report", Publisher: "A publisher", URL: "https://example.org/a",
			Published: domain.PartialDate{Year: 2020, Month: 3}, Type: "report", Grade: "A", Note: "a note"}},
		Entities: []domain.Entity{{ID: "county:x", Kind: "county", Name: "X County", NameZh: "某县", Aliases: []string{"X"},
			Description: "a county", ValidFrom: domain.PartialDate{Year: 2010}, ValidTo: domain.PartialDate{Year: 2014, Month: 5, Day: 29},
			Quantities: qty, Citations: cite, Synthetic: true}},
		Relations: []domain.Relation{{ID: "rel:x", Type: "PART_OF", From: "county:x", To: "prefecture:y",
			ValidFrom: domain.PartialDate{Year: 2010}, ValidTo: domain.PartialDate{Year: 2012}, Confidence: "reported", Role: "a role",
			Quantities: qty, Attributes: map[string]string{"k": "v"}, Note: "a note", Citations: cite, Synthetic: true}},
	}
	path := filepath.Join(t.TempDir(), "d.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ingest.Encode(f, &want); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, probs := ingest.ParsePaths([]string{path})
	if len(probs) > 0 {
		t.Fatalf("encoded file does not parse: %v", probs)
	}
	if !reflect.DeepEqual(got.Dataset, want) {
		b, _ := os.ReadFile(path)
		t.Errorf("round trip:\n got %+v\nwant %+v\nfile:\n%s", got.Dataset, want, b)
	}
}
