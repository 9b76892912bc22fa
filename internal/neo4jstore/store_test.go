package neo4jstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m)) }

func mustLoad(t *testing.T, s *neo4jstore.Store, paths ...string) *domain.LoadSummary {
	t.Helper()
	sum, err := ingest.Load(t.Context(), s, paths, nil)
	if err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	return sum
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	s := neo4jtest.MustStore(t)
	first := mustLoad(t, s, "testdata/fixture.yaml")
	if got, want := total(first.Created), 10; got != want {
		t.Fatalf("first load created %d, want %d: %+v", got, want, first)
	}
	statsBefore, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	second := mustLoad(t, s, "testdata/fixture.yaml")
	if total(second.Created) != 0 || total(second.Updated) != 0 || total(second.Unchanged) != 10 {
		t.Errorf("second load: created %v updated %v unchanged %v; want 0, 0, 10", second.Created, second.Updated, second.Unchanged)
	}
	statsAfter, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(statsBefore, statsAfter); diff != "" {
		t.Errorf("stats changed on reload (-before +after):\n%s", diff)
	}
	want := &domain.Stats{
		Entities: 5, Relations: 4, Sources: 1,
		EntitiesByKind: []domain.Count{{Key: "county", Count: 1}, {Key: "leading_group", Count: 1},
			{Key: "party_body", Count: 1}, {Key: "prefecture", Count: 1}, {Key: "province", Count: 1}},
		RelationsByType: []domain.Count{{Key: "COORDINATES", Count: 1}, {Key: "DIRECTS", Count: 1},
			{Key: "PAIRED_WITH", Count: 1}, {Key: "PART_OF", Count: 1}},
		SourcesByGrade: []domain.Count{{Key: "B", Count: 1}},
	}
	if diff := cmp.Diff(want, statsAfter); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestLoadUpdatesChangedClaims(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	data, err := os.ReadFile("testdata/fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(
		`name: "Testcounty"`, `name: "Testcounty Renamed"`,
		// the relation moves to another end: the old edge must go
		`from: "county:testcounty", to: "prefecture:testpref"`, `from: "county:testcounty", to: "province:testprov"`,
		`type: PART_OF`, `type: PART_OF`,
	).Replace(string(data))
	p := filepath.Join(t.TempDir(), "changed.yaml")
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := mustLoad(t, s, p)
	if sum.Updated["county"] != 1 || sum.Created["PART_OF"] != 1 || total(sum.Unchanged) != 8 {
		t.Errorf("summary: created %v updated %v unchanged %v", sum.Created, sum.Updated, sum.Unchanged)
	}
	if n := neo4jtest.MustCount(t, "MATCH (n:Entity:County {id: 'county:testcounty', name: 'Testcounty Renamed'}) RETURN count(n) AS n", nil); n != 1 {
		t.Errorf("renamed county: found %d", n)
	}
	if n := neo4jtest.MustCount(t, "MATCH ()-[r:PART_OF {id: 'rel:t4'}]->() RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("rel:t4 exists %d times, want once", n)
	}
	if n := neo4jtest.MustCount(t, "MATCH (:Entity {id: 'county:testcounty'})-[r:PART_OF]->(:Entity {id: 'province:testprov'}) RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("moved relation: found %d", n)
	}
}

func TestRelationsRoundTrip(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	got, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{"prefecture:testpref"}, Direction: domain.Incoming, Types: []string{"PAIRED_WITH"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Relation{{
		ID: "rel:t3", Type: "PAIRED_WITH", From: "province:testprov", To: "prefecture:testpref",
		ValidFrom: domain.PartialDate{Year: 2010}, ValidTo: domain.PartialDate{Year: 2014, Month: 6},
		Confidence: "confirmed", BestGrade: "B", Quantities: []domain.Quantity{{Name: "amount", Value: 1.5, Unit: "bn yuan"}},
		Citations: []domain.Citation{{SourceID: "src:fixture", Quote: "paired", Locator: "p. 1"}}, Synthetic: true,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("relations (-want +got):\n%s", diff)
	}

	asOf := func(s string) domain.PartialDate {
		d, err := domain.ParsePartialDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tt := range []struct {
		asOf string
		want int
	}{{"2009", 0}, {"2010-03", 1}, {"2014-06-30", 1}, {"2014-07", 0}} {
		rels, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{"prefecture:testpref"}, Direction: domain.Incoming, Types: []string{"PAIRED_WITH"}, Time: domain.Time{AsOf: asOf(tt.asOf)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rels) != tt.want {
			t.Errorf("as of %s: %d relations, want %d", tt.asOf, len(rels), tt.want)
		}
	}

	if _, err := s.Relations(t.Context(), domain.RelationQuery{IDs: []string{"x:y"}, Types: []string{"DROP"}}); domain.ErrorCode(err) != domain.EBADINPUT {
		t.Errorf("unknown type: error %v, want BAD_USER_INPUT", err)
	}
	e, err := s.Entity(t.Context(), "prefecture:testpref")
	if err != nil || e.NameZh != "测试州" {
		t.Errorf("Entity: %+v, %v", e, err)
	}
	if _, err := s.Entity(t.Context(), "prefecture:none"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("missing entity: error %v, want NOT_FOUND", err)
	}
}

// A relation naming an entity that is in neither the files nor the store is
// refused before anything is written; one naming a stored entity loads.
func TestLoadResolvesStoredIDs(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	dir := t.TempDir()
	extra := `relations:
  - {id: "rel:t9", type: PART_OF, from: "prefecture:testpref", to: "province:testprov", confidence: reported, cite: [{source: "src:fixture", quote: "x"}]}
`
	if err := os.WriteFile(filepath.Join(dir, "extra.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := mustLoad(t, s, dir)
	if sum.Created["PART_OF"] != 1 {
		t.Errorf("created %v", sum.Created)
	}
	bad := strings.Replace(extra, `to: "province:testprov"`, `to: "province:nowhere"`, 1)
	bad = strings.Replace(bad, "rel:t9", "rel:t10", 1)
	if err := os.WriteFile(filepath.Join(dir, "extra.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ingest.Load(t.Context(), s, []string{dir}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown entity "province:nowhere"`) {
		t.Errorf("load with dangling id: %v", err)
	}
	if n := neo4jtest.MustCount(t, "MATCH ()-[r {id: 'rel:t10'}]->() RETURN count(r) AS n", nil); n != 0 {
		t.Errorf("rel:t10 was written")
	}
}

// LoadRelations, the bulk path bench/ measures, keeps a relation an editor
// changed and counts it as kept, as Load does. Its summary once had no Kept
// map, and the first kept row panicked (issue 15).
func TestLoadRelationsKeepsEditedRelations(t *testing.T) {
	s := neo4jtest.MustStore(t)
	mustLoad(t, s, "testdata/fixture.yaml")
	p, probs := ingest.ParsePaths([]string{"testdata/fixture.yaml"})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var rel domain.Relation
	for _, r := range p.Dataset.Relations {
		if r.ID == "rel:t3" {
			rel = r
		}
	}
	edited := rel
	edited.Note = "changed by an editor"
	if _, err := s.UpsertRelation(t.Context(), editor, edited, "test"); err != nil {
		t.Fatal(err)
	}
	sum, err := s.LoadRelations(t.Context(), []domain.Relation{rel}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Kept[rel.Type]; got != 1 {
		t.Errorf("kept %v, want 1 %s (created %v, updated %v, unchanged %v)", sum.Kept, rel.Type, sum.Created, sum.Updated, sum.Unchanged)
	}
	if n := neo4jtest.MustCount(t, "MATCH ()-[r {id: 'rel:t3', note: 'changed by an editor'}]->() RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("the editor's change is gone: %d relations with the edited note", n)
	}
}
