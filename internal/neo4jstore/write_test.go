package neo4jstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// Races run this many tries of this many concurrent calls.
const (
	raceTries = 50
	raceCalls = 8
)

var editor = &domain.Principal{KeyID: "0123456789abcdef", Name: "Test Editor", Role: domain.RoleEditor}

func cite() []domain.Citation {
	return []domain.Citation{{SourceID: "src:fixture", Quote: "synthetic", Locator: "write test"}}
}

// concurrently runs f(0..n-1) at once and returns their errors.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// checkHistory checks the audit trail of id: exactly one CREATE, first,
// with no before; then updates, each starting from what the one before left
// (history order is commit order); the last one's after is what is stored.
func checkHistory(t *testing.T, s *neo4jstore.Store, id string, changes int) {
	t.Helper()
	h, err := s.History(t.Context(), []string{id}, 100)
	if err != nil {
		t.Fatal(err)
	}
	evs := slices.Clone(h[id])
	slices.Reverse(evs) // oldest first
	if len(evs) != changes {
		t.Fatalf("%s: %d audit events, want %d", id, len(evs), changes)
	}
	for i, ev := range evs {
		switch {
		case i == 0 && (ev.Action != domain.AuditCreate || ev.Before != nil):
			t.Errorf("%s: first event %s with before %v, want CREATE with none", id, ev.Action, ev.Before)
		case i > 0 && ev.Action != domain.AuditUpdate:
			t.Errorf("%s: event %d is %s, want UPDATE (one CREATE per claim)", id, i, ev.Action)
		case i > 0 && (ev.Before == nil || !sameJSON(*ev.Before, evs[i-1].After)):
			t.Errorf("%s: event %d starts from\n%v\nbut event %d left\n%s", id, i, ev.Before, i-1, evs[i-1].After)
		}
		if i > 0 && !ev.At.After(evs[i-1].At) {
			t.Errorf("%s: event %d at %s, not after event %d at %s", id, i, ev.At, i-1, evs[i-1].At)
		}
	}
}

func sameJSON(a, b string) bool {
	var x, y map[string]any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	delete(x, "editedAt")
	delete(y, "editedAt")
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// Two concurrent saves of one new relation id with different types must
// not both succeed: an id names one relation, whatever its type (issue 12,
// point 2), and its history starts with one CREATE (point 4).
func TestRacingRelationSavesMakeOneRelation(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	types := []string{"PAIRED_WITH", "SUPERVISES", "PART_OF", "FUNDS", "LOCATED_IN"}
	for try := range raceTries {
		id := fmt.Sprintf("rel:race-%d", try)
		errs := concurrently(raceCalls, func(i int) error {
			r := domain.Relation{ID: id, Type: types[i%len(types)], From: "province:testprov", To: "prefecture:testpref",
				Confidence: "reported", Note: fmt.Sprint("call ", i), Citations: cite()}
			_, err := s.UpsertRelation(context.Background(), editor, r, "race")
			return err
		})
		stored := neo4jtest.MustRun(t, "MATCH ()-[r {id: $id}]->() RETURN type(r) AS type", map[string]any{"id": id})
		if len(stored) != 1 {
			t.Fatalf("try %d: %d relations with id %s, want 1 (errors %v)", try, len(stored), id, errs)
		}
		typ, _ := stored[0].Get("type")
		saved := 0
		for i, err := range errs {
			switch {
			case err == nil && types[i%len(types)] != typ:
				t.Fatalf("try %d: a %s save succeeded, but the relation is a %s", try, types[i%len(types)], typ)
			case err == nil:
				saved++
			case domain.ErrorCode(err) != domain.EBADINPUT:
				t.Fatalf("try %d: %v, want BAD_USER_INPUT", try, err)
			}
		}
		checkHistory(t, s, id, saved)
	}
	// A loaded relation's id is taken too, whatever the type.
	_, err := s.UpsertRelation(t.Context(), editor, domain.Relation{ID: "rel:t3", Type: "FUNDS", From: "province:testprov", To: "prefecture:testpref",
		Confidence: "reported", Citations: cite()}, "")
	if domain.ErrorCode(err) != domain.EBADINPUT {
		t.Errorf("a FUNDS save of the PAIRED_WITH rel:t3: %v, want BAD_USER_INPUT", err)
	}
}

// Concurrent creates of one entity give one CREATE, then updates in commit
// order (issue 12, point 4); concurrent creates with different kinds leave
// one kind, and an entity's kind never changes (point 3).
func TestRacingEntitySavesKeepOneHistory(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	kinds := []domain.Kind{"county", "county", "prefecture", "buyer"}
	for try := range raceTries {
		id := fmt.Sprintf("county:race-%d", try)
		errs := concurrently(raceCalls, func(i int) error {
			e := domain.Entity{ID: id, Kind: kinds[i%len(kinds)], Name: fmt.Sprintf("Race County %d/%d", try, i), Citations: cite()}
			_, err := s.UpsertEntity(context.Background(), editor, e, "race")
			return err
		})
		stored := neo4jtest.MustRun(t, "MATCH (n:Entity {id: $id}) RETURN n.kind AS kind, labels(n) AS labels", map[string]any{"id": id})
		if len(stored) != 1 {
			t.Fatalf("try %d: %d entities", try, len(stored))
		}
		kind, _ := stored[0].Get("kind")
		labels, _ := stored[0].Get("labels")
		if got := fmt.Sprint(labels); got != fmt.Sprintf("[Entity %s]", domain.Kind(kind.(string)).Label()) && got != fmt.Sprintf("[%s Entity]", domain.Kind(kind.(string)).Label()) {
			t.Fatalf("try %d: labels %s for kind %s", try, got, kind)
		}
		saved := 0
		for i, err := range errs {
			switch {
			case err == nil && string(kinds[i%len(kinds)]) != kind:
				t.Fatalf("try %d: a save as %s succeeded, but the entity is a %s", try, kinds[i%len(kinds)], kind)
			case err == nil:
				saved++
			case domain.ErrorCode(err) != domain.EBADINPUT:
				t.Fatalf("try %d: %v, want BAD_USER_INPUT", try, err)
			}
		}
		checkHistory(t, s, id, saved)
	}

	// A province that pairs with a prefecture cannot become a buyer.
	_, err := s.UpsertEntity(t.Context(), editor, domain.Entity{ID: "province:testprov", Kind: "buyer", Name: "Testprov", Citations: cite()}, "")
	if domain.ErrorCode(err) != domain.EBADINPUT {
		t.Errorf("province with PAIRED_WITH saved as a buyer: %v, want BAD_USER_INPUT", err)
	}
	if n := neo4jtest.MustCount(t, "MATCH (n:Province {id: 'province:testprov', kind: 'province'}) RETURN count(n) AS n", nil); n != 1 {
		t.Error("the refused kind change was written")
	}
}

// History lists each target's events newest first.
func TestHistoryOrder(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	for i := range 12 {
		e := domain.Entity{ID: "county:testcounty", Kind: "county", Name: fmt.Sprint("Testcounty ", i), Citations: cite()}
		if _, err := s.UpsertEntity(t.Context(), editor, e, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := s.History(t.Context(), []string{"county:testcounty"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, ev := range h["county:testcounty"] {
		reasons = append(reasons, ev.Reason)
	}
	if !sort.SliceIsSorted(h["county:testcounty"], func(i, j int) bool { return h["county:testcounty"][i].At.After(h["county:testcounty"][j].At) }) || len(reasons) != 12 || reasons[0] != "11" || reasons[11] != "0" {
		t.Errorf("history order (newest first): %v", reasons)
	}
}

// Writes need an editor's or an admin's principal: the service checks, not
// its callers (issue 12, point 9).
func TestWritesNeedAnEditor(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	reader := &domain.Principal{KeyID: "fedcba9876543210", Name: "Test Reader", Role: domain.RoleReader}
	admin := &domain.Principal{KeyID: "00000000000000aa", Name: "Test Admin", Role: domain.RoleAdmin}
	e := domain.Entity{ID: "county:authz", Kind: "county", Name: "Authz County", Citations: cite()}
	r := domain.Relation{ID: "rel:authz", Type: "PART_OF", From: "county:testcounty", To: "prefecture:testpref", Confidence: "reported", Citations: cite()}
	src := domain.Source{ID: "src:authz", Title: "Authz", URL: "https://example.org/authz", Type: "other", Grade: "C"}
	calls := map[string]func(p *domain.Principal) error{
		"UpsertSource":   func(p *domain.Principal) error { _, err := s.UpsertSource(t.Context(), p, src, ""); return err },
		"UpsertEntity":   func(p *domain.Principal) error { _, err := s.UpsertEntity(t.Context(), p, e, ""); return err },
		"UpsertRelation": func(p *domain.Principal) error { _, err := s.UpsertRelation(t.Context(), p, r, ""); return err },
		"RetractEntity": func(p *domain.Principal) error {
			_, err := s.RetractEntity(t.Context(), p, "county:testcounty", "x")
			return err
		},
		"RetractRelation": func(p *domain.Principal) error {
			_, err := s.RetractRelation(t.Context(), p, "rel:t1", "x")
			return err
		},
	}
	for name, call := range calls {
		if err := call(nil); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
			t.Errorf("%s without a principal: %v, want UNAUTHENTICATED", name, err)
		}
		if err := call(reader); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("%s by a reader: %v, want FORBIDDEN", name, err)
		}
	}
	if n := neo4jtest.MustCount(t, "MATCH (a:AuditEvent) RETURN count(a) AS n", nil); n != 0 {
		t.Fatalf("refused writes left %d audit events", n)
	}
	for _, name := range []string{"UpsertSource", "UpsertEntity", "UpsertRelation", "RetractRelation", "RetractEntity"} {
		if err := calls[name](admin); err != nil {
			t.Errorf("%s by an admin: %v", name, err)
		}
	}
	// The public trail names the key's role and id, never its private name.
	h, err := s.History(t.Context(), []string{"county:authz"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := h["county:authz"][0].Actor; got != "admin key 00000000000000aa" {
		t.Errorf("actor %q", got)
	}
	labelled := &domain.Principal{KeyID: "00000000000000bb", Name: "Jane Doe", Label: "J. D.", Role: domain.RoleEditor}
	if got := labelled.Actor(); got != "J. D. (editor)" {
		t.Errorf("labelled actor %q", got)
	}
}

// Relations stored before RelationId nodes existed get them on migration,
// and then hold their id against every other type (issue 12, point 2);
// the loader refuses another type's id too.
func TestRelationIDsAcrossTypes(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	if n := neo4jtest.MustCount(t, "MATCH (k:RelationId) RETURN count(k) AS n", nil); n != 4 {
		t.Errorf("%d RelationId nodes after a load of 4 relations", n)
	}
	// An old database: relations without their nodes, migration not done.
	neo4jtest.MustRun(t, "MATCH (k:RelationId) DELETE k", nil)
	neo4jtest.MustRun(t, "MATCH (m:Migration) DELETE m", nil)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := neo4jtest.MustCount(t, "MATCH (k:RelationId {id: 'rel:t3', type: 'PAIRED_WITH'}) RETURN count(k) AS n", nil); n != 1 {
		t.Fatalf("rel:t3 has %d RelationId nodes after migration", n)
	}
	if _, err := s.UpsertRelation(t.Context(), editor, domain.Relation{ID: "rel:t3", Type: "SUPERVISES", From: "province:testprov", To: "prefecture:testpref",
		Confidence: "reported", Citations: cite()}, ""); domain.ErrorCode(err) != domain.EBADINPUT || !strings.Contains(err.Error(), "is a PAIRED_WITH relation") {
		t.Errorf("a SUPERVISES save of rel:t3: %v", err)
	}
	dir := t.TempDir()
	other := `relations:
  - {id: "rel:t3", type: FUNDS, from: "province:testprov", to: "prefecture:testpref", confidence: reported, cite: [{source: "src:fixture", quote: "x", locator: "x"}]}
`
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(t.Context(), s, []string{dir}, nil); err == nil || !strings.Contains(err.Error(), "another type's relation") {
		t.Errorf("a load of rel:t3 as FUNDS: %v", err)
	}
	if n := neo4jtest.MustCount(t, "MATCH ()-[r {id: 'rel:t3'}]->() RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("rel:t3 stored %d times", n)
	}
}
