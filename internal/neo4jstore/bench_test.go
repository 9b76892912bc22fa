package neo4jstore

import (
	"fmt"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

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

// reachRecord is what the chain statement returns UP from a root that n
// chains of hops steps lead from (here n separate branches, each relation
// distinct: the most relations n chains can have). 50 of 8 is the largest
// chain up from a factory at scale M.
func reachRecord(n, hops int) *neo4j.Record {
	root := "county:synth-root"
	rels := []any{}
	kinds := []any{[]any{root, "county"}}
	for c := range n {
		prev := root
		for h := range hops {
			id := fmt.Sprintf("county:synth-%05d", c*hops+h)
			kinds = append(kinds, []any{id, "county"})
			r := benchRelation(c*hops + h)
			r.From, r.To = id, prev // the one further up answers for the one below
			rels = append(rels, map[string]any{"t": r.Type, "f": r.From, "to": r.To,
				"p": project(stored(relationProps(&r, "C")), keysOf(relationFieldKeys, domain.WeighFields))})
			prev = id
		}
	}
	return &neo4j.Record{Keys: []string{"rows", "rels", "nodes", "kinds"}, Values: []any{[]any{}, rels, []any{}, kinds}}
}

// pathsRecord is what the chain statement returns DOWN for n chains of
// hops steps, each naming its first entity and its relations, the
// distinct relations once (here all distinct) and the entities' kinds.
// 2,000 of 4 is a chain down from a province at S.
func pathsRecord(n, hops int) *neo4j.Record {
	var rows, rels, kinds []any
	for c := range n {
		var relIDs []any
		ids := make([]string, hops+1)
		for h := range ids {
			ids[h] = fmt.Sprintf("county:synth-%05d", c*(hops+1)+h)
			kinds = append(kinds, []any{ids[h], "county"})
		}
		for h := range hops {
			r := benchRelation(c*hops + h)
			r.From, r.To = ids[h], ids[h+1]
			relIDs = append(relIDs, r.ID)
			rels = append(rels, map[string]any{"t": r.Type, "f": r.From, "to": r.To,
				"p": project(stored(relationProps(&r, "C")), keysOf(relationFieldKeys, domain.WeighFields))})
		}
		rows = append(rows, map[string]any{"start": ids[0], "rels": relIDs, "complete": true})
	}
	return &neo4j.Record{Keys: []string{"rows", "rels", "nodes", "kinds"}, Values: []any{rows, rels, []any{}, kinds}}
}

// BenchmarkChainAssembly decodes the chain statement's record and builds
// the chains as ReadChains does (up: walk what the chains reach; down:
// the matched paths), then cuts, weighs, sorts and pages them.
func BenchmarkChainAssembly(b *testing.B) {
	for _, c := range []struct {
		n, hops int
		up      bool
	}{{50, 8, true}, {2000, 4, false}} {
		b.Run(fmt.Sprintf("%dx%d", c.n, c.hops), func(b *testing.B) {
			rec := pathsRecord(c.n, c.hops)
			if c.up {
				rec = reachRecord(c.n, c.hops)
			}
			q := domain.ChainQuery{ID: "county:synth-root", Up: c.up, MaxDepth: 8, First: 50}
			b.ReportAllocs()
			for b.Loop() {
				t, err := newFiller().traversal(rec, domain.ResultPlan{})
				if err != nil {
					b.Fatal(err)
				}
				kinds, err := kindsColumn(rec)
				if err != nil {
					b.Fatal(err)
				}
				var found []domain.FoundChain
				if c.up {
					if found, err = walkChains(b.Context(), q, t.rels, kinds); err != nil {
						b.Fatal(err)
					}
				} else if found, err = foundChains(t, kinds); err != nil {
					b.Fatal(err)
				}
				if res := q.Assemble(found); len(res.Chains) != 50 || res.Total != c.n {
					b.Fatal(res.Total, len(res.Chains))
				}
			}
		})
	}
}

func BenchmarkLuceneQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		luceneQuery("ZZ-Test Factory 0001234")
	}
}
