//go:build !fast

package server_test

import (
	"os"
	"testing"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
	"github.com/aidtrace/aidtrace/internal/server"
)

// The full tier (make test, no fast tag) also benchmarks the interop
// endpoints on the real Neo4j; the fast tier (-tags fast) has no test of
// this package that needs it.
func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m)) }

// mustNeo4jInteropServer is an interop server on the test Neo4j, loaded
// with paths.
func mustNeo4jInteropServer(t testing.TB, cfg server.InteropConfig, paths ...string) *interopServer {
	t.Helper()
	s := neo4jtest.MustStore(t)
	if _, err := ingest.Load(t.Context(), s, paths, nil); err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	return startInterop(t, s, cfg)
}
