// Package neo4jtest gives tests a real Neo4j: the one named by NEO4J_URI
// (make test starts one for the whole run), or else a throwaway local one
// started once per test binary. There is no skipping: if Neo4j cannot be had,
// the tests that need it fail.
package neo4jtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/localneo4j"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

var (
	once           sync.Once
	uri            string
	user, password string
	startErr       error
	local          *localneo4j.Server
	tmpDir         string
)

// Main runs the package's tests and stops the local Neo4j, if one was
// started. Use it from TestMain: os.Exit(neo4jtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if local != nil {
		local.Stop()
		os.RemoveAll(tmpDir)
	}
	return code
}

// OwnNeo4jPrefix begins the name of every test that brings its own Neo4j
// (fault, supervision and signal tests): make test runs those beside the
// tests of the shared one, so they must never touch it (URI fails them).
// The Makefile's OWN_NEO4J_TESTS selects them by it.
const OwnNeo4jPrefix = "TestOwnNeo4j"

// URI returns the Bolt URI of the test Neo4j, starting a local one on first
// use. With AIDTRACE_NO_NEO4J set (the fast tier) it fails the test at once,
// even when NEO4J_URI is set: the fast tier must not need a database. A
// test named OwnNeo4jPrefix... fails too: it runs while other tests use the
// shared Neo4j.
func URI(tb testing.TB) string {
	tb.Helper()
	if strings.HasPrefix(tb.Name(), OwnNeo4jPrefix) {
		tb.Fatalf("%s brings its own Neo4j (its name begins with %s) and runs beside the tests of the shared one: "+
			"it must not use the shared one", tb.Name(), OwnNeo4jPrefix)
	}
	if os.Getenv(localneo4j.NoNeo4jEnv) != "" {
		tb.Fatalf("%s is set (make test-fast: no JVM, no Neo4j), but this test needs Neo4j: "+
			"put it in a file marked //go:build !fast so that only make test runs it", localneo4j.NoNeo4jEnv)
	}
	once.Do(func() {
		if uri = os.Getenv("NEO4J_URI"); uri != "" {
			user, password = os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD")
			return
		}
		tmpDir, startErr = os.MkdirTemp("", "aidtrace-test-neo4j-")
		if startErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		local, startErr = localneo4j.Start(ctx, localneo4j.Options{
			Dir: tmpDir, HeapMB: 768, PageCacheMB: 128, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if startErr == nil {
			uri = local.URI()
			user, password = local.Auth()
		}
	})
	if startErr != nil {
		tb.Fatalf("neo4j for tests could not start: %v", startErr)
	}
	return uri
}

// Auth returns the user and password of the test Neo4j (empty: none),
// starting a local one on first use.
func Auth(tb testing.TB) (string, string) {
	tb.Helper()
	URI(tb)
	return user, password
}

// MustStore opens a store on the test Neo4j, empties the database, creates
// the schema, and closes the store when the test ends. Tests that use it
// must not run in parallel with each other.
func MustStore(tb testing.TB) *neo4jstore.Store {
	tb.Helper()
	u := URI(tb)
	ctx := context.Background()
	s, err := neo4jstore.Open(ctx, neo4jstore.Config{
		URI: u, User: user, Password: password,
		Database: database(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	MustReset(tb)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// MustReset deletes every node and relationship.
func MustReset(tb testing.TB) {
	tb.Helper()
	shared = sharedState{} // the database no longer holds what was shared
	MustRun(tb, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS", nil)
}

// sharedState is what the database holds for the tests that share it: the
// name of the state and its fingerprint right after it was filled (zero:
// nothing shared, or unknown).
type sharedState struct{ name, fingerprint string }

var shared sharedState

// MustShare makes the database hold the state called name, which fill
// creates from a clean database with its schema, and lets tests that only
// read it share one fill: when the database still holds name, unchanged
// since it was filled, fill is not run again. MustStore and MustReset
// forget the shared state. When the test ends, the state must be as it
// was: a test that changed it fails (and the next one fills it afresh).
// Tests that write must take their own clean database (MustStore).
func MustShare(tb testing.TB, name string, fill func(testing.TB)) {
	tb.Helper()
	if shared.name != name || shared.fingerprint != fingerprint(tb) {
		MustStore(tb)
		fill(tb)
		shared = sharedState{name, fingerprint(tb)}
	}
	want := shared.fingerprint
	tb.Cleanup(func() {
		if got := fingerprint(tb); got != want {
			shared = sharedState{}
			tb.Errorf("the test changed the shared %s database (%s, was %s): a test that writes must take its own (MustStore)", name, got, want)
		}
	})
}

// fingerprint sums up the database cheaply: the graph's version, which
// every change reads can see advances, and the number of nodes and of
// relationships (API keys and the like, which do not advance the version).
func fingerprint(tb testing.TB) string {
	tb.Helper()
	recs := MustRun(tb, `OPTIONAL MATCH (v:GraphVersion {id: 'graph'})
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN v.epoch AS epoch, v.n AS n, nodes, rels`, nil)
	if len(recs) != 1 {
		tb.Fatalf("fingerprint: %d records", len(recs))
	}
	return fmt.Sprint(recs[0].Values)
}

// MustRun runs one auto-commit query on the test database and returns its records.
func MustRun(tb testing.TB, cypher string, params map[string]any) []*neo4j.Record {
	tb.Helper()
	return MustRunAt(tb, URI(tb), user, password, cypher, params)
}

// MustRunAt is MustRun on another Neo4j (one a test started itself): its
// URI, user and password (empty user: no authentication).
func MustRunAt(tb testing.TB, uri, user, password, cypher string, params map[string]any) []*neo4j.Record {
	tb.Helper()
	ctx := context.Background()
	auth := neo4j.NoAuth()
	if user != "" {
		auth = neo4j.BasicAuth(user, password, "")
	}
	drv, err := neo4j.NewDriverWithContext(uri, auth)
	if err != nil {
		tb.Fatalf("driver: %v", err)
	}
	defer drv.Close(ctx)
	sess := drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: database()})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, cypher, params)
	if err != nil {
		tb.Fatalf("%s: %v", cypher, err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		tb.Fatalf("%s: %v", cypher, err)
	}
	return recs
}

// MustCount runs a query returning one integer column "n".
func MustCount(tb testing.TB, cypher string, params map[string]any) int {
	tb.Helper()
	return count(tb, cypher, MustRun(tb, cypher, params))
}

// MustCountAt is MustCount on another Neo4j (see MustRunAt).
func MustCountAt(tb testing.TB, uri, user, password, cypher string, params map[string]any) int {
	tb.Helper()
	return count(tb, cypher, MustRunAt(tb, uri, user, password, cypher, params))
}

func count(tb testing.TB, cypher string, recs []*neo4j.Record) int {
	tb.Helper()
	if len(recs) != 1 {
		tb.Fatalf("%s: %d records, want 1", cypher, len(recs))
	}
	n, _, err := neo4j.GetRecordValue[int64](recs[0], "n")
	if err != nil {
		tb.Fatalf("%s: %v", cypher, err)
	}
	return int(n)
}

func database() string {
	if d := os.Getenv("NEO4J_DATABASE"); d != "" {
		return d
	}
	return "neo4j"
}
