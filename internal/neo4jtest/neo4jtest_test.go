package neo4jtest

import (
	"os"
	"regexp"
	"testing"
)

// TestMakefileSelectsOwnNeo4jTests: make test runs the tests named
// OwnNeo4jPrefix... beside the shared Neo4j's tests (OWN_NEO4J_TESTS) and
// skips them in the shared group; a different pattern there would run them
// twice, or never, or beside the tests whose database they must not touch.
func TestMakefileSelectsOwnNeo4jTests(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^OWN_NEO4J_TESTS := (.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no OWN_NEO4J_TESTS")
	}
	if got, want := string(m[1]), "^"+OwnNeo4jPrefix; got != want {
		t.Errorf("OWN_NEO4J_TESTS = %q, want %q", got, want)
	}
}

// TestOwnNeo4jTestsCannotUseTheSharedOne: URI fails a test named
// OwnNeo4jPrefix..., before it could start or reach any Neo4j.
func TestOwnNeo4jTestsCannotUseTheSharedOne(t *testing.T) {
	ft := &fakeTB{TB: t, name: OwnNeo4jPrefix + "Example"}
	func() {
		defer func() { recover() }()
		URI(ft)
	}()
	if !ft.failed {
		t.Error("URI let a test named " + OwnNeo4jPrefix + "... use the shared Neo4j")
	}
}

// fakeTB records a fatal failure instead of ending the test.
type fakeTB struct {
	testing.TB
	name   string
	failed bool
}

func (f *fakeTB) Name() string { return f.name }
func (f *fakeTB) Helper()      {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
