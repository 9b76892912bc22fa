package synth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func mustGenerate(tb testing.TB, scale string, seed uint64) *domain.Dataset {
	tb.Helper()
	sz, err := ScaleSizes(scale)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := Generate(sz, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// The S dataset passes the same validation as the seed files.
func TestScaleSValidates(t *testing.T) {
	d := mustGenerate(t, "S", 1)
	if errs := d.Validate(nil); len(errs) > 0 {
		for _, e := range errs[:min(len(errs), 20)] {
			t.Error(e)
		}
		t.Fatalf("%d validation errors", len(errs))
	}
	sz, _ := ScaleSizes("S")
	if got, want := len(d.Entities), sz.Entities(); got != want {
		t.Errorf("entities: got %d, want %d", got, want)
	}
	if got, want := len(d.Relations), sz.Relations(); got != want {
		t.Errorf("relations: got %d, want %d", got, want)
	}
	// The target: about 10k nodes and 50k relations.
	if n := len(d.Entities); n < 9000 || n > 11000 {
		t.Errorf("S has %d entities, want about 10k", n)
	}
	if n := len(d.Relations); n < 45000 || n > 55000 {
		t.Errorf("S has %d relations, want about 50k", n)
	}
}

// Every item is synthetic, cites only the synthetic sources (at an address
// that cannot be real) and has a name that says it is not real.
func TestEverythingMarkedSynthetic(t *testing.T) {
	d := mustGenerate(t, "XS", 7)
	synthetic := map[string]bool{}
	for _, s := range d.Sources {
		synthetic[s.ID] = true
		if !strings.HasPrefix(s.ID, SourceID) || s.Note != "generated test data" || !strings.Contains(s.URL, ".invalid/") {
			t.Errorf("source %+v does not say it is synthetic", s)
		}
	}
	if len(d.Sources) != 2 || !synthetic[SourceID] || !synthetic[SourceBID] {
		t.Fatalf("sources: %+v", d.Sources)
	}
	for _, e := range d.Entities {
		if !e.Synthetic {
			t.Errorf("%s: not synthetic", e.ID)
		}
		if !strings.HasPrefix(e.Name, "Synthetic ") && !strings.HasPrefix(e.Name, "ZZ-Test ") {
			t.Errorf("%s: name %q could be mistaken for a real one", e.ID, e.Name)
		}
		if !strings.Contains(e.ID, ":synth-") {
			t.Errorf("%s: id does not say synth", e.ID)
		}
		if len(e.Citations) != 1 || e.Citations[0].SourceID != SourceID {
			t.Errorf("%s: citations %+v", e.ID, e.Citations)
		}
	}
	transfers := 0
	for _, r := range d.Relations {
		if !r.Synthetic || len(r.Citations) == 0 {
			t.Errorf("%s: synthetic %v, citations %+v", r.ID, r.Synthetic, r.Citations)
		}
		for _, c := range r.Citations {
			if !synthetic[c.SourceID] {
				t.Errorf("%s cites %s", r.ID, c.SourceID)
			}
		}
		if r.Type == "TRANSFERS_WORKERS_TO" {
			transfers++
			if r.ValidFrom.IsZero() || r.ValidTo.IsZero() || len(r.Quantities) != 1 || r.Quantities[0].Name != "headcount" {
				t.Errorf("%s: transfer without dates or headcount: %+v", r.ID, r)
			}
		}
	}
	if transfers == 0 {
		t.Error("no transfers")
	}
}

func TestDeterministic(t *testing.T) {
	a, b := mustGenerate(t, "XS", 42), mustGenerate(t, "XS", 42)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different data (-first +second):\n%s", diff)
	}
	c := mustGenerate(t, "XS", 43)
	if cmp.Equal(a.Relations, c.Relations) {
		t.Error("different seeds gave the same relations")
	}
}

// Chunks gives the same items as Generate, in the same order, each chunk
// referring only to what came before it.
func TestChunksMatchGenerate(t *testing.T) {
	sz, _ := ScaleSizes("XS")
	want, err := Generate(sz, 3)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(sz, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := &domain.Dataset{}
	kinds := map[string]domain.Known{}
	for _, src := range Sources {
		kinds[src.ID] = domain.Known{Kind: domain.KindSource, Grade: src.Grade}
	}
	err = g.Chunks(37, func(d *domain.Dataset) error {
		if n := len(d.Entities) + len(d.Relations); n > 37 {
			t.Errorf("chunk of %d items", n)
		}
		known := func(id string) (domain.Known, bool) { k, ok := kinds[id]; return k, ok }
		if errs := d.Validate(known); len(errs) > 0 {
			t.Errorf("chunk does not validate on its own: %v", errs[0])
		}
		for _, e := range d.Entities {
			kinds[e.ID] = domain.Known{Kind: e.Kind}
		}
		got.Sources = append(got.Sources, d.Sources...)
		got.Entities = append(got.Entities, d.Entities...)
		got.Relations = append(got.Relations, d.Relations...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("chunks differ from Generate (-want +got):\n%s", diff)
	}
}

func TestScaleSizes(t *testing.T) {
	for _, tc := range []struct {
		name           string
		minNodes, maxN int
		minRels, maxR  int
	}{
		{"S", 9_000, 11_000, 45_000, 55_000},
		{"M", 90_000, 110_000, 900_000, 1_100_000},
	} {
		sz, err := ScaleSizes(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if n, r := sz.Entities(), sz.Relations(); n < tc.minNodes || n > tc.maxN || r < tc.minRels || r > tc.maxR {
			t.Errorf("%s: %d entities, %d relations", tc.name, n, r)
		}
	}
	if _, err := ScaleSizes("XXL"); err == nil {
		t.Error("unknown scale accepted")
	}
}

func BenchmarkGenerateS(b *testing.B) {
	sz, _ := ScaleSizes("S")
	for b.Loop() {
		if _, err := Generate(sz, 1); err != nil {
			b.Fatal(err)
		}
	}
}
