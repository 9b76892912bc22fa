package memstore_test

import (
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/memstore"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// TestSearchPunctuationAlone: a text of punctuation the spelling rules
// normalise away finds nothing (it used to index an empty word list).
func TestSearchPunctuationAlone(t *testing.T) {
	d := &domain.Dataset{
		Sources:  []domain.Source{{ID: "src:test", Title: "Test", URL: "https://example.org", Grade: "A"}},
		Entities: []domain.Entity{{ID: "county:test", Kind: "county", Name: "Test County", Citations: []domain.Citation{{SourceID: "src:test", Quote: "q"}}}},
	}
	s := memstore.New(d).UseSpelling(spelling.Normal, spelling.Variants)
	for _, text := range []string{"。", "—", "·", "“”"} {
		hits, err := s.Search(t.Context(), domain.SearchQuery{Text: text, First: 10})
		if err != nil || len(hits) != 0 {
			t.Errorf("Search(%q) = %v, %v; want no hits", text, hits, err)
		}
	}
	// A word still finds the county: the store is not simply empty.
	hits, err := s.Search(t.Context(), domain.SearchQuery{Text: "test", First: 10})
	if err != nil || len(hits) != 1 || hits[0].Entity.ID != "county:test" {
		t.Errorf("Search(test) = %v, %v; want county:test", hits, err)
	}
}
