package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"
)

// BenchmarkSeedQueries measures the API over HTTP on the seed dataset, one
// client at a time, and reports p50 and p99 latency per query shape:
//
//	make bench-api
//
// (The load and scale benchmarks, with raw Cypher and the Neo4j GraphQL
// Library side by side, are `make bench`.)
func BenchmarkSeedQueries(b *testing.B) {
	r := MustServe(b, map[string]string{"AIDTRACE_LOG_LEVEL": "warn"}, "--load", "../../seeds")
	shapes := []struct{ name, query string }{
		{"chain-up-county", `{ responsibilityChain(id: "county:moyu", direction: UP, first: 50) { truncated chains { complete end { id } hops { upper { id name } lower { id name } relation { id type validFrom confidence citations { quote source { id title grade } } } } } } }`},
		{"chain-down-province", `{ responsibilityChain(id: "province:beijing", direction: DOWN, first: 50) { chains { end { id } hops { upper { id } lower { id } relation { id type } } } } }`},
		{"shortest-path", `{ paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: SHORTEST) { length nodes { id name } relations { id type } } }`},
		{"k-shortest-paths", `{ paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: K_SHORTEST, first: 5) { length nodes { id } relations { id type } } }`},
		{"neighborhood-depth-2", `{ neighborhood(ids: ["prefecture:aksu"], depth: 2, limit: 500) { truncated nodes { id kind name nameZh } edges { id type fromId toId validFrom confidence } } }`},
		{"entity-with-relations", `{ entity(id: "prefecture:aksu") { id name relations(first: 50) { edges { node { type from { name } to { name } citations { source { title } } } } } } }`},
		{"search", `{ search(text: "Aksu", first: 10) { match entity { id name } } }`},
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, sh := range shapes {
		body, _ := json.Marshal(map[string]string{"query": sh.query})
		b.Run(sh.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				began := time.Now()
				resp, err := client.Post(r.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(began))
				if resp.StatusCode != 200 || bytes.Contains(raw, []byte(`"errors"`)) {
					b.Fatalf("status %d: %s", resp.StatusCode, raw)
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}
