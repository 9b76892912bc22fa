package neo4jstore_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// The graph's version: every change of what reads see advances it in its
// own transaction, nothing else does, and the store tells its observers.
func TestGraphVersion(t *testing.T) {
	s := neo4jtest.MustStore(t)
	ctx := t.Context()
	var mu sync.Mutex
	var told []domain.GraphVersion
	s.AddVersionObserver(func(v domain.GraphVersion) { mu.Lock(); told = append(told, v); mu.Unlock() })
	version := func() domain.GraphVersion {
		t.Helper()
		v, err := s.GraphVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	lastTold := func() domain.GraphVersion {
		mu.Lock()
		defer mu.Unlock()
		if len(told) == 0 {
			return domain.GraphVersion{}
		}
		return told[len(told)-1]
	}

	if v := version(); !v.IsZero() {
		t.Fatalf("an empty database has version %v", v)
	}
	mustLoad(t, s, "testdata/fixture.yaml")
	loaded := version()
	if loaded.Epoch == "" || loaded.N < 1 || lastTold() != loaded {
		t.Fatalf("after the first load: version %v, observers told %v", loaded, lastTold())
	}

	mustLoad(t, s, "testdata/fixture.yaml")
	if v := version(); v != loaded {
		t.Errorf("a load that changed nothing moved the version from %v to %v", loaded, v)
	}

	e := domain.Entity{ID: "county:zz-version", Kind: domain.Kind("county"), Name: "ZZ Version", Citations: cite()}
	if _, err := s.UpsertEntity(ctx, editor, e, "version test"); err != nil {
		t.Fatal(err)
	}
	edited := version()
	if edited.Epoch != loaded.Epoch || edited.N != loaded.N+1 || lastTold() != edited {
		t.Errorf("after a mutation: version %v (before %v), observers told %v", edited, loaded, lastTold())
	}

	// A mutation that fails commits nothing, its version bump included.
	if _, err := s.RetractEntity(ctx, editor, "county:zz-no-such", "version test"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("retract of a missing entity: %v", err)
	}
	if v := version(); v != edited {
		t.Errorf("a failed mutation moved the version from %v to %v", edited, v)
	}

	if _, err := s.RetractEntity(ctx, editor, "county:zz-version", "version test"); err != nil {
		t.Fatal(err)
	}
	retracted := version()
	if retracted.N != edited.N+1 {
		t.Errorf("after a retraction: version %v (before %v)", retracted, edited)
	}

	// A load of one changed row: one batch wrote, one bump.
	dir := t.TempDir()
	more := filepath.Join(dir, "more.yaml")
	os.WriteFile(more, []byte(`entities:
  - {id: "county:zz-version-load", kind: county, name: "ZZ Version Load", synthetic: true, cite: [{source: "src:fixture", quote: "fixture"}]}
`), 0o644)
	mustLoad(t, s, more)
	if v := version(); v.N != retracted.N+1 {
		t.Errorf("after a load of one new entity: version %v (before %v)", v, retracted)
	}

	// Concurrent writers each get their own version; refused ones none.
	before := version()
	errs := concurrently(raceCalls, func(i int) error {
		_, err := s.UpsertEntity(ctx, editor, domain.Entity{ID: "county:zz-version", Kind: "county", Name: "x", Citations: cite()}, "race")
		return err
	})
	for i, err := range errs {
		if domain.ErrorCode(err) != domain.EBADINPUT {
			t.Fatalf("update of a retracted entity %d: %v", i, err)
		}
	}
	if v := version(); v != before {
		t.Errorf("refused mutations moved the version from %v to %v", before, v)
	}
	errs = concurrently(raceCalls, func(i int) error {
		id := "county:zz-version-race-" + string(rune('a'+i))
		_, err := s.UpsertEntity(ctx, editor, domain.Entity{ID: id, Kind: "county", Name: "ZZ Race", Citations: cite()}, "race")
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if v := version(); v.N != before.N+raceCalls {
		t.Errorf("%d concurrent mutations advanced the version from %d to %d", raceCalls, before.N, v.N)
	}
	if n := neo4jtest.MustCount(t, "MATCH (v:GraphVersion) RETURN count(v) AS n", nil); n != 1 {
		t.Errorf("%d version nodes, want 1", n)
	}

	// An emptied database starts a new epoch.
	neo4jtest.MustReset(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	if v := version(); v.Epoch == loaded.Epoch {
		t.Errorf("after emptying the database the epoch %q stayed", v.Epoch)
	}
}
