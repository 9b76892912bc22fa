//go:build !fast

package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/server"
)

// Benchmarks of /reconcile and /supplier-check on the seed dataset, over
// HTTP on loopback (not part of make test):
//
//	go test -run '^$' -bench 'Reconcile|SupplierCheck' -benchtime 5x ./internal/server

// seedNames are names a list would hold: the seeds' firms, factories and
// buyers as named, in capitals with a legal form, with a letter dropped,
// and names that are not in the graph, n in all.
func seedNames(b *testing.B, n int) []string {
	b.Helper()
	p, probs := ingest.ParsePaths([]string{"../../seeds"})
	if len(probs) > 0 {
		b.Fatal(probs)
	}
	var firms []string
	for _, e := range p.Dataset.Entities {
		switch e.Kind {
		case "company", "factory", "buyer", "labour_dispatch_firm", "industrial_park":
			firms = append(firms, e.Name)
		}
	}
	var out []string
	for i := 0; len(out) < n; i++ {
		name := firms[i%len(firms)]
		switch i % 4 {
		case 0:
			out = append(out, name)
		case 1:
			out = append(out, strings.ToUpper(name)+" CO., LTD.")
		case 2:
			if r := []rune(name); len(r) > 6 {
				out = append(out, string(r[:3])+string(r[4:]))
			} else {
				out = append(out, name)
			}
		case 3:
			out = append(out, fmt.Sprintf("Unlisted Trading Company %d", i))
		}
	}
	return out
}

func BenchmarkReconcile(b *testing.B) {
	srv := mustNeo4jInteropServer(b, server.InteropConfig{}, "../../seeds")
	names := seedNames(b, server.MaxReconcileBatch)
	for _, size := range []int{10, server.MaxReconcileBatch} {
		batch := map[string]any{}
		for i := 0; i < size; i++ {
			batch[fmt.Sprintf("q%d", i)] = map[string]any{"query": names[i]}
		}
		body := form("queries", mustJSON(b, batch)).Encode()
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Post(srv.URL+"/reconcile", "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("%v %v", err, resp)
				}
				resp.Body.Close()
			}
		})
	}
}

func BenchmarkSupplierCheck(b *testing.B) {
	srv := mustNeo4jInteropServer(b, server.InteropConfig{}, "../../seeds")
	for _, rows := range []int{100, server.MaxSupplierRows} {
		var csv strings.Builder
		csv.WriteString("name\n")
		for _, n := range seedNames(b, rows) {
			fmt.Fprintf(&csv, "%q\n", n)
		}
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Post(srv.URL+"/supplier-check", "text/csv", strings.NewReader(csv.String()))
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("%v %v", err, resp)
				}
				resp.Body.Close()
			}
		})
	}
}
