package neo4jstore_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// A quantified step's property tests (retraction, dates) belong inside its
// CASE (stepThen); outside one, in an expansion's predicate, they are a
// part the planner split off and may test before the direction, as in
// "... AND all(anon_7 IN relationships(p) WHERE anon_7.retractedAt IS NULL)".
var (
	caseExpr  = regexp.MustCompile(`(?s)\bCASE\b.*?\bEND\b`)
	splitStep = regexp.MustCompile(`\w+\.(retractedAt|fromStart|toEnd|knownStart|knownEnd)\b`)
)

// TestStepsTestDirectionBeforeProperties asks Neo4j how it plans every
// statement with a quantified step (chains up and down, with and without a
// date; exposure; responsibility-only paths) and checks that
// no expansion tests a relationship's properties as a predicate of its
// own: stepThen keeps them behind the type and direction tests, which read
// nothing. Split, the planner orders the parts as it likes, and has read
// every expanded relationship's properties first (docs/BENCHMARKS.md,
// "The planner's order of a step's tests").
func TestStepsTestDirectionBeforeProperties(t *testing.T) {
	neo4jtest.MustStore(t) // the schema the statements are planned against
	day := domain.PartialDate{Year: 2019, Month: 6}
	want := domain.ResultPlan{Root: &domain.EntityPlan{}, Entities: &domain.EntityPlan{}, Relations: &domain.RelationPlan{}}
	sts := []neo4jstore.Statement{
		neo4jstore.ChainsReadStatement(domain.ChainQuery{ID: "x", Up: true, MaxDepth: 8, First: 5}, want),
		neo4jstore.ChainsReadStatement(domain.ChainQuery{ID: "x", Up: true, MaxDepth: 8, First: 5, Time: domain.Time{AsOf: day}}, want),
		neo4jstore.ChainsReadStatement(domain.ChainQuery{ID: "x", MaxDepth: 8, First: 5}, want),
		neo4jstore.ChainsReadStatement(domain.ChainQuery{ID: "x", MaxDepth: 8, First: 5, Time: domain.Time{AsOf: day}}, want),
		neo4jstore.ExposureReadStatement(domain.ExposureQuery{ID: "x", First: 5}, want),
		neo4jstore.ExposureReadStatement(domain.ExposureQuery{ID: "x", First: 5, Time: domain.Time{AsOf: day}}, want),
	}
	// Paths by their one expansion (ALL_SIMPLE): the shortest modes plan a
	// StatefulShortestPath, whose plan does not show its predicates. They
	// are written by the same pathMatch.
	for _, dir := range []domain.PathDirection{domain.PathForward, domain.PathAny} {
		sts = append(sts, neo4jstore.PathsReadStatement(domain.PathQuery{From: "x", To: "y", Mode: domain.PathAllSimple, Direction: dir,
			MaxLength: 6, First: 3, ResponsibilityOnly: true}, want))
	}
	user, password := neo4jtest.Auth(t)
	drv, err := neo4j.NewDriverWithContext(neo4jtest.URI(t), neo4j.BasicAuth(user, password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(t.Context())
	// A quantified step is planned as an expansion that carries its
	// predicate; a chain's level-by-level step (ChainsReadStatement) as an
	// Expand(All) and a Filter over it, the filter that shows its CASE.
	// (Other filters test single relations, whose conjunctions are theirs.)
	expansions := regexp.MustCompile(`Expand|Repeat|Trail`)
	// PROFILE, not EXPLAIN: the driver (v5.28) hands back an EXPLAIN plan's
	// children as copies of the last one. Nothing matches the ids given.
	for i, st := range sts {
		res, err := neo4j.ExecuteQuery(t.Context(), drv, "PROFILE "+st.Cypher, st.Params, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatalf("statement %d (%s): %v", i, st.Name, err)
		}
		seen := 0 // expansions of the quantified step itself: its CASE in the plan
		var walk func(p neo4j.ProfiledPlan)
		walk = func(p neo4j.ProfiledPlan) {
			details, _ := p.Arguments()["Details"].(string)
			if expansions.MatchString(p.Operator()) || (strings.HasPrefix(p.Operator(), "Filter") && caseExpr.MatchString(details)) {
				if m := splitStep.FindString(caseExpr.ReplaceAllString(details, "CASE…END")); m != "" {
					t.Errorf("statement %d (%s): %s tests a property as a predicate of its own (%q):\n%s", i, st.Name, p.Operator(), m, details)
				}
				if caseExpr.MatchString(details) {
					seen++
				}
			}
			for _, c := range p.Children() {
				walk(c)
			}
		}
		walk(res.Summary.Profile())
		if seen == 0 {
			t.Errorf("statement %d (%s): no expansion of a quantified step (with its CASE) in its plan", i, st.Name)
		}
	}
}
