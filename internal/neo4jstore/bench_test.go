package neo4jstore

import (
	"fmt"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// In-process hot paths of the store, with no database: building the rows a
// load writes, decoding the properties Neo4j returns, assembling chains.
// Run: go test -run '^$' -bench . -count 6 ./internal/neo4jstore (benchstat-comparable).

func benchRelation(i int) domain.Relation {
	return domain.Relation{
		ID: fmt.Sprintf("rel:synth:transfers-workers-to:%08d", i), Type: "TRANSFERS_WORKERS_TO",
		From: "labour_dispatch_firm:synth-0000001", To: "factory:synth-0000001",
		ValidFrom: domain.PartialDate{Year: 2018, Month: 3}, ValidTo: domain.PartialDate{Year: 2019, Month: 7},
		Confidence: "reported", Synthetic: true,
		Quantities: []domain.Quantity{{Name: "headcount", Value: 120, Unit: "people"}},
		Citations:  []domain.Citation{{SourceID: "src:synthetic", Locator: "generated test data"}},
	}
}

// BenchmarkRelationProps is the Go side of loading one relation: its
// properties, JSON fields and content hash.
func BenchmarkRelationProps(b *testing.B) {
	r := benchRelation(1)
	b.ReportAllocs()
	for b.Loop() {
		relationProps(&r, "C")
	}
}

func BenchmarkEntityProps(b *testing.B) {
	e := domain.Entity{ID: "factory:synth-0000001", Kind: "factory", Name: "ZZ-Test Factory 0000001", NameZh: "合成测试工厂0000001",
		Synthetic: true, Citations: []domain.Citation{{SourceID: "src:synthetic", Locator: "generated test data"}}}
	b.ReportAllocs()
	for b.Loop() {
		entityProps(&e)
	}
}

// stored turns props into what the driver returns: strings stay, lists
// become []any.
func stored(props map[string]any) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		if l, ok := v.([]string); ok {
			xs := make([]any, len(l))
			for i, s := range l {
				xs[i] = s
			}
			out[k] = xs
			continue
		}
		out[k] = v
	}
	return out
}

func BenchmarkDecodeEntity(b *testing.B) {
	e := domain.Entity{ID: "factory:synth-0000001", Kind: "factory", Name: "ZZ-Test Factory 0000001", NameZh: "合成测试工厂0000001",
		Aliases: []string{"ZZ Test 1"}, Synthetic: true, Citations: []domain.Citation{{SourceID: "src:synthetic", Locator: "generated test data"}}}
	props := stored(entityProps(&e))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeEntity(props); err != nil {
			b.Fatal(err)
		}
	}
}

// chainRecords is what one chain query returns at scale M for a factory:
// 50 chains of 8 hops, as the ids and relation maps the statement builds.
func chainRecords() (ids [][]any, rels [][]any) {
	for c := range 50 {
		var is, rs []any
		for h := range 9 {
			is = append(is, fmt.Sprintf("county:synth-%05d", c*9+h))
		}
		for h := range 8 {
			r := benchRelation(c*8 + h)
			rs = append(rs, map[string]any{"type": r.Type, "from": r.From, "to": r.To, "props": stored(relationProps(&r, "C"))})
		}
		ids, rels = append(ids, is), append(rels, rs)
	}
	return ids, rels
}

// BenchmarkChainAssembly decodes and assembles 50 chains of 8 hops the way
// Store.Chains does after its query, and sorts them.
func BenchmarkChainAssembly(b *testing.B) {
	ids, rels := chainRecords()
	b.ReportAllocs()
	for b.Loop() {
		var chains []domain.Chain
		for i := range ids {
			nodes, err := anyStrings(ids[i])
			if err != nil {
				b.Fatal(err)
			}
			relations, err := decodeRelationMaps(rels[i])
			if err != nil {
				b.Fatal(err)
			}
			c := domain.Chain{End: nodes[len(nodes)-1], Complete: true}
			for j, rel := range relations {
				c.Hops = append(c.Hops, domain.Hop{Relation: rel, Upper: nodes[j+1], Lower: nodes[j]})
			}
			c.Weigh()
			chains = append(chains, c)
		}
		domain.SortChains(chains)
	}
}

func BenchmarkLuceneQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		luceneQuery("ZZ-Test Factory 0001234")
	}
}
