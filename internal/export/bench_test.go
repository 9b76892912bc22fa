package export

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// synthSubgraph generates a subgraph of n entities and m relations shaped
// like the real data (kinds, types, dates, citations, Chinese names), with
// names that cannot be mistaken for real ones and synthetic set. It is
// deterministic: the same n and m give the same subgraph.
func synthSubgraph(n, m int) *domain.Subgraph {
	r := rand.New(rand.NewPCG(uint64(n), uint64(m)))
	kinds := []domain.Kind{"province", "prefecture", "county", "bureau", "labour_dispatch_firm", "factory", "company"}
	types := []string{"PAIRED_WITH", "FUNDS", "LICENSES", "TRANSFERS_WORKERS_TO", "OWNS", "SUPPLIES", "PART_OF"}
	confidences := []domain.Confidence{"confirmed", "reported", "disputed"}
	date := func() domain.PartialDate {
		switch r.IntN(4) {
		case 0:
			return domain.PartialDate{}
		case 1:
			return domain.PartialDate{Year: 2005 + r.IntN(15)}
		case 2:
			return domain.PartialDate{Year: 2005 + r.IntN(15), Month: 1 + r.IntN(12)}
		}
		return domain.PartialDate{Year: 2005 + r.IntN(15), Month: 1 + r.IntN(12), Day: 1 + r.IntN(28)}
	}
	g := &domain.Subgraph{Sources: []domain.Source{
		{ID: "src:synth-a", Title: "Synthetic Source A 合成", URL: "https://example.org/a", Grade: "A", Type: "official"},
		{ID: "src:synth-b", Title: "Synthetic Source B", URL: "https://example.org/b?x=1&y=2", Grade: "B", Type: "ngo"},
	}}
	g.Entities = make([]domain.Entity, n)
	for i := range g.Entities {
		g.Entities[i] = domain.Entity{
			ID:          fmt.Sprintf("synth:entity-%06d", i),
			Kind:        kinds[r.IntN(len(kinds))],
			Name:        fmt.Sprintf("Synthetic Entity %06d", i),
			NameZh:      fmt.Sprintf("合成实体%06d", i),
			Aliases:     []string{fmt.Sprintf("Synth-%d", i)},
			Description: "Generated for a benchmark; not a real body.",
			ValidFrom:   date(),
			Synthetic:   true,
			Citations:   []domain.Citation{{SourceID: "src:synth-a", Quote: "对口援疆 (synthetic)", Locator: fmt.Sprintf("p. %d", i%300)}},
		}
	}
	g.Relations = make([]domain.Relation, m)
	for i := range g.Relations {
		from := r.IntN(n)
		to := (from + 1 + r.IntN(n-1)) % n
		rel := domain.Relation{
			ID:         fmt.Sprintf("rel:synth-%07d", i),
			Type:       types[r.IntN(len(types))],
			From:       g.Entities[from].ID,
			To:         g.Entities[to].ID,
			ValidFrom:  date(),
			Confidence: confidences[r.IntN(len(confidences))],
			Synthetic:  true,
			Citations: []domain.Citation{
				{SourceID: "src:synth-b", Quote: "synthetic <quote> & more", Locator: "§1"},
				{SourceID: "src:synth-unlisted"},
			},
		}
		if i%3 == 0 {
			rel.Quantities = []domain.Quantity{{Name: "headcount", Value: float64(r.IntN(1000)), Unit: "people"}}
		}
		if rel.Type == "FUNDS" {
			rel.Attributes = map[string]string{"amount": fmt.Sprintf("%d yuan", r.IntN(1e6))}
		}
		g.Relations[i] = rel
	}
	return g
}

// The benchmarks write 10k entities and 50k relations, the size of a large
// neighbourhood export.
func benchmarkWrite(b *testing.B, f Format) {
	g := synthSubgraph(10_000, 50_000)
	b.ReportAllocs()
	cw := &countWriter{}
	for b.Loop() {
		cw.n = 0
		if err := Write(cw, f, g, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw.n)/1e6, "output-MB")
}

// countWriter is io.Discard that counts, to report the output size.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return io.Discard.Write(p)
}

func BenchmarkWriteGraphML(b *testing.B)   { benchmarkWrite(b, GraphML) }
func BenchmarkWriteGEXF(b *testing.B)      { benchmarkWrite(b, GEXF) }
func BenchmarkWriteCSV(b *testing.B)       { benchmarkWrite(b, CSV) }
func BenchmarkWriteCytoscape(b *testing.B) { benchmarkWrite(b, Cytoscape) }
func BenchmarkWriteFtM(b *testing.B)       { benchmarkWrite(b, FtM) }
