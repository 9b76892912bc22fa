//go:build !fast

package server_test

import (
	"os"
	"testing"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
	"github.com/aidtrace/aidtrace/internal/server"
)

// The full tier (make test, no fast tag) runs the interop tests on the
// real Neo4j (the fast tier runs them on the in-memory store) and
// benchmarks the interop endpoints there.
func TestMain(m *testing.M) {
	interopStore = func(t testing.TB, paths ...string) readStore { return mustNeo4jStore(t, paths...) }
	os.Exit(neo4jtest.Main(m))
}

// mustNeo4jStore is the test Neo4j, emptied and loaded with paths.
func mustNeo4jStore(t testing.TB, paths ...string) *neo4jstore.Store {
	t.Helper()
	s := neo4jtest.MustStore(t)
	if _, err := ingest.Load(t.Context(), s, paths, nil); err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	return s
}

// mustNeo4jInteropServer is an interop server on the test Neo4j, loaded
// with paths.
func mustNeo4jInteropServer(t testing.TB, cfg server.InteropConfig, paths ...string) *interopServer {
	t.Helper()
	return startInterop(t, mustNeo4jStore(t, paths...), cfg)
}
