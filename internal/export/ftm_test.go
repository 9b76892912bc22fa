package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/export/exporttest"
)

// ftmLine is one entity of an FtM export, read back.
type ftmLine struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

func readFtM(tb testing.TB, b []byte) map[string]ftmLine {
	tb.Helper()
	out := map[string]ftmLine{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l ftmLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			tb.Fatalf("line %q: %v", sc.Text(), err)
		}
		if _, dup := out[l.ID]; dup {
			tb.Fatalf("id %s twice", l.ID)
		}
		out[l.ID] = l
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// registrySubgraph holds one entity of every kind and, for every relation
// type, one relation for every pair of kinds the registry allows: every
// mapping the FtM export can make.
func registrySubgraph() *domain.Subgraph {
	g := &domain.Subgraph{Sources: []domain.Source{{ID: "src:s", Title: "S", Publisher: "P", URL: "https://example.org/s", Grade: "B", Type: "ngo"}}}
	cite := []domain.Citation{{SourceID: "src:s", Quote: "q", Locator: "p. 1"}}
	var kinds []domain.Kind
	for _, k := range domain.Kinds() {
		kinds = append(kinds, k.Kind)
		g.Entities = append(g.Entities, domain.Entity{ID: string(k.Kind) + ":x", Kind: k.Kind, Name: "Fictional " + k.Label,
			ValidFrom: domain.PartialDate{Year: 2001}, ValidTo: domain.PartialDate{Year: 2020, Month: 6}, Citations: cite})
	}
	for _, t := range domain.RelationTypes() {
		from, to := t.From, t.To
		if from == nil {
			from = kinds
		}
		if to == nil {
			to = kinds
		}
		for _, a := range from {
			for _, b := range to {
				if a == b {
					continue // a relation cannot join an entity to itself
				}
				r := domain.Relation{ID: fmt.Sprintf("rel:%s.%s.%s", strings.ToLower(t.Name), a, b), Type: t.Name,
					From: string(a) + ":x", To: string(b) + ":x", ValidFrom: domain.PartialDate{Year: 2010, Month: 3},
					Confidence: "reported", Role: "", Citations: cite}
				for _, attr := range t.Attributes {
					r.Attributes = map[string]string{attr: "value of " + attr}
				}
				g.Relations = append(g.Relations, r)
			}
		}
	}
	return g
}

// TestFtMMappingCoversRegistry makes every kind and relation type a
// decision: a new one fails here until it is given its FtM schema (and
// docs/API.md says why).
func TestFtMMappingCoversRegistry(t *testing.T) {
	for _, k := range domain.Kinds() {
		if _, ok := ftmKinds[k.Kind]; !ok {
			t.Errorf("kind %s has no FtM schema in ftmKinds", k.Kind)
		}
	}
	for k := range ftmKinds {
		if !k.Valid() {
			t.Errorf("ftmKinds maps %s, which is not a kind", k)
		}
	}
	for _, rt := range domain.RelationTypes() {
		if _, ok := ftmTypes[rt.Name]; !ok {
			t.Errorf("relation type %s has no FtM link in ftmTypes", rt.Name)
		}
	}
	for name, l := range ftmTypes {
		if _, ok := domain.LookupRelationType(name); !ok {
			t.Errorf("ftmTypes maps %s, which is not a relation type", name)
		}
		if _, ok := ftmRanges[l.schema]; !ok {
			t.Errorf("%s becomes %s, whose ranges are not in ftmRanges", name, l.schema)
		}
	}
	for _, s := range ftmKinds {
		if _, ok := ftmIsA[s]; !ok {
			t.Errorf("schema %s is not in ftmIsA", s)
		}
	}
}

var ftmIDRE = regexp.MustCompile(`^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$`)

func TestFtMID(t *testing.T) {
	tests := map[string]string{
		"county:aksu-city":                   "aidtrace-county.aksu-city",
		"xpcc_division:1st":                  "aidtrace-xpccUdivision.1st",
		"rel:part-of:a--b":                   "aidtrace-rel.part-of.a--b",
		"src:v1.2":                           "aidtrace-src.v1D2",
		"county:x-":                          "aidtrace-county.x-Z",
		"county:x:":                          "aidtrace-county.x.Z",
		"county:x.":                          "aidtrace-county.xD",
		"statistic:a_b.c":                    "aidtrace-statistic.aUbDc",
		"county:" + strings.Repeat("a", 200): "aidtrace-X",
	}
	seen := map[string]string{}
	for id, want := range tests {
		got := FtMID(id)
		if strings.HasSuffix(want, "-X") {
			if !strings.HasPrefix(got, "aidtrace-X") || len(got) != len("aidtrace-X")+40 {
				t.Errorf("FtMID(long id) = %q, want aidtrace-X and a SHA-1", got)
			}
		} else if got != want {
			t.Errorf("FtMID(%q) = %q, want %q", id, got, want)
		}
		if !ftmIDRE.MatchString(got) || len(got) > 200 {
			t.Errorf("FtMID(%q) = %q is not an FtM id", id, got)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("FtMID(%q) = FtMID(%q) = %q", id, other, got)
		}
		seen[got] = id
	}
	// Ids that differ only where an escape could collide stay apart.
	pairs := [][2]string{{"county:a.b", "county:a:b"}, {"county:a_b", "county:aUb"}, {"county:a-", "county:a-z"}, {"county:a:", "county:a.z"}}
	for _, p := range pairs {
		if FtMID(p[0]) == FtMID(p[1]) {
			t.Errorf("FtMID(%q) = FtMID(%q)", p[0], p[1])
		}
	}
}

func TestFtMValidatesWithFollowTheMoney(t *testing.T) {
	cases := map[string]*domain.Subgraph{
		"fixture":   testSubgraph(t),
		"registry":  registrySubgraph(),
		"synthetic": synthSubgraph(200, 1000),
		"empty":     {},
	}
	var names []string
	var exports [][]byte
	for name, g := range cases {
		names = append(names, name)
		exports = append(exports, MustWrite(t, FtM, g))
	}
	reports := exporttest.CheckFtM(t, exports...)
	for i, name := range names {
		g, r := cases[name], reports[i]
		t.Run(name, func(t *testing.T) {
			for _, e := range r.Errors {
				t.Errorf("line %d (%s): %s", e.Line, e.ID, e.Problem)
			}
			if want := len(g.Entities) + len(g.Relations); r.Entities != want {
				t.Errorf("followthemoney read %d entities, want %d", r.Entities, want)
			}
		})
	}
}

// TestFtMCheckRejectsBroken guards the guard: each case breaks a valid
// export in one way, and the followthemoney check must say so.
func TestFtMCheckRejectsBroken(t *testing.T) {
	valid := string(MustWrite(t, FtM, testSubgraph(t)))
	tests := []struct{ name, old, new string }{
		{"unknown property", `"properties":{`, `"properties":{"colour":["red"],`},
		{"bad date", `"startDate":["2010-03"]`, `"startDate":["March 2010"]`},
		{"dangling reference", `"object":["aidtrace-prefecture.test-alpha"]`, `"object":["aidtrace-prefecture.nowhere"]`},
		{"reference out of range", `"asset":["aidtrace-company.test-epsilon"]`, `"asset":["aidtrace-county.test-gamma"]`},
		{"abstract schema", `"schema":"PublicBody"`, `"schema":"Thing"`},
		{"unknown schema", `"schema":"PublicBody"`, `"schema":"Ministry"`},
		{"bad id", `"id":"aidtrace-county.test-gamma"`, `"id":"aidtrace:county"`},
		{"required missing", `"object":["aidtrace-prefecture.test-alpha"],`, ``},
		{"reverse property", `"properties":{`, `"properties":{"ownershipOwner":["aidtrace-rel.test-owns"],`},
		{"not a list", `"recordId":["rel:test-owns"]`, `"recordId":"rel:test-owns"`},
	}
	exports := [][]byte{[]byte(valid)}
	for _, tt := range tests {
		if !strings.Contains(valid, tt.old) {
			t.Fatalf("%s: the export does not contain %s", tt.name, tt.old)
		}
		exports = append(exports, []byte(strings.Replace(valid, tt.old, tt.new, 1)))
	}
	reports := exporttest.CheckFtM(t, exports...)
	if len(reports[0].Errors) > 0 {
		t.Fatalf("the valid export fails: %+v", reports[0].Errors)
	}
	for i, tt := range tests {
		if len(reports[i+1].Errors) == 0 {
			t.Errorf("%s: the followthemoney check accepted it", tt.name)
		}
	}
}

// TestFtMContent reads the fixture's FtM export back: schemata, ends,
// dates, names and the evidence.
func TestFtMContent(t *testing.T) {
	got := readFtM(t, MustWrite(t, FtM, testSubgraph(t)))
	want := map[string]string{
		"aidtrace-province.test-beta":    "PublicBody",
		"aidtrace-prefecture.test-alpha": "PublicBody",
		"aidtrace-county.test-gamma":     "PublicBody",
		"aidtrace-company.test-delta":    "Company",
		"aidtrace-company.test-epsilon":  "Company",
		"aidtrace-rel.test-part-of":      "Membership",
		"aidtrace-rel.test-paired":       "UnknownLink",
		"aidtrace-rel.test-funds":        "Payment",
		"aidtrace-rel.test-owns":         "Ownership",
	}
	if len(got) != len(want) {
		t.Errorf("%d entities, want %d", len(got), len(want))
	}
	for id, schema := range want {
		if got[id].Schema != schema {
			t.Errorf("%s: schema %q, want %q", id, got[id].Schema, schema)
		}
	}
	props := func(id, p string) []string { return got[id].Properties[p] }
	check := func(id, p string, want ...string) {
		t.Helper()
		if g := props(id, p); !slices.Equal(g, want) {
			t.Errorf("%s.%s = %q, want %q", id, p, g, want)
		}
	}
	check("aidtrace-prefecture.test-alpha", "name", "Test Prefecture Alpha", aksuZh)
	check("aidtrace-prefecture.test-alpha", "alias", "Alpha-Aqsu (fake)", "阿克苏")
	check("aidtrace-prefecture.test-alpha", "incorporationDate", "2010")
	check("aidtrace-prefecture.test-alpha", "sourceUrl", "https://example.org/report?a=1&b=2")
	check("aidtrace-prefecture.test-alpha", "publisher", "Example NGO (fictional)")
	check("aidtrace-prefecture.test-alpha", "summary",
		"“"+aksuZh+" is paired” (p. 4) — Test Report: 测试报告 <draft> & notes; Example NGO (fictional); 2021-06; grade B; https://example.org/report?a=1&b=2 [aidtrace source src:test-report]",
		"(para 9) — [aidtrace source src:test-unlisted]")
	check("aidtrace-county.test-gamma", "dissolutionDate", "2014-02")
	check("aidtrace-company.test-delta", "name", "测试公司")
	check("aidtrace-company.test-epsilon", "name", "company:test-epsilon")
	check("aidtrace-rel.test-paired", "subject", "aidtrace-province.test-beta")
	check("aidtrace-rel.test-paired", "object", "aidtrace-prefecture.test-alpha")
	check("aidtrace-rel.test-paired", "startDate", "2010-03")
	check("aidtrace-rel.test-paired", "endDate", "2014")
	check("aidtrace-rel.test-paired", "role", "lead aiding party")
	check("aidtrace-rel.test-paired", "recordId", "rel:test-paired")
	check("aidtrace-rel.test-paired", "description",
		"aidtrace relation rel:test-paired: province:test-beta PAIRED_WITH prefecture:test-alpha; confidence confirmed; evidence STRONG, best source grade B",
		duikouZh+" pairing (fictional)", "cadres: 120 people (source src:test-report)", "budget: 1500000000 yuan")
	check("aidtrace-rel.test-paired", "summary",
		"“"+duikouZh+"” (§2) [in force 2012] — Test Report: 测试报告 <draft> & notes; Example NGO (fictional); 2021-06; grade B; https://example.org/report?a=1&b=2 [aidtrace source src:test-report]",
		"“unlisted source” — [aidtrace source src:test-unlisted]")
	if d := props("aidtrace-rel.test-funds", "description"); !strings.Contains(d[0], "; evidence MODERATE, best source grade A; inferred") {
		t.Errorf("an inferred relation's description %q does not say so", d[0])
	}
	if d := props("aidtrace-rel.test-part-of", "description"); !strings.HasSuffix(d[0], "; contested") {
		t.Errorf("a contested relation's description %q does not say so", d[0])
	}
	check("aidtrace-rel.test-part-of", "member", "aidtrace-county.test-gamma")
	check("aidtrace-rel.test-part-of", "organization", "aidtrace-prefecture.test-alpha")
	check("aidtrace-rel.test-part-of", "role", "part of")
	check("aidtrace-rel.test-funds", "payer", "aidtrace-province.test-beta")
	check("aidtrace-rel.test-funds", "beneficiary", "aidtrace-county.test-gamma")
	check("aidtrace-rel.test-owns", "owner", "aidtrace-company.test-delta")
	check("aidtrace-rel.test-owns", "asset", "aidtrace-company.test-epsilon")
	check("aidtrace-rel.test-owns", "endDate", "2014-02")
	if d := props("aidtrace-rel.test-funds", "description"); !slices.Contains(d, "amount: 5 million yuan") {
		t.Errorf("FUNDS description %q lacks the amount", d)
	}
	if n := props("aidtrace-company.test-delta", "notes"); !slices.Contains(n, "synthetic test data, not real") {
		t.Errorf("synthetic entity's notes %q do not say so", n)
	}
}

// TestFtMCounterClaims: counter-claims are kept as text on what they
// contest, with their sources.
func TestFtMCounterClaims(t *testing.T) {
	got := readFtM(t, write(t, FtM, testSubgraph(t), &Options{CounterClaims: fixtureClaims(t)}))
	d := got["aidtrace-rel.test-paired"].Properties["description"]
	want := "contested by counter-claim cc:test-denial (denial, 2015, by province:test-beta): Fictional denial <&> " + duikouZh +
		" “we deny” [in force 2015-01] — Fictional Gazette; Gazette No. 7 (fictional); grade A; https://example.org/gazette [aidtrace source src:test-gazette]"
	if !slices.Contains(d, want) || !strings.HasSuffix(d[0], "; contested") {
		t.Errorf("description %q lacks %q or the contested flag", d, want)
	}
	if n := got["aidtrace-county.test-gamma"].Properties["notes"]; !slices.ContainsFunc(n, func(s string) bool {
		return strings.HasPrefix(s, "contested by counter-claim cc:test-audit (audit, 2016-04): Fictional audit “audited” (p. 2)")
	}) {
		t.Errorf("notes %q lack the audit", n)
	}
}

// TestFtMSchemata pins the schema each kind and relation type becomes, as
// docs/API.md lists it, with the fallback to UnknownLink when FtM's ranges
// refuse the ends.
func TestFtMSchemata(t *testing.T) {
	kinds := map[domain.Kind]string{"party_body": "Organization", "county": "PublicBody", "factory": "Company",
		"person": "Person", "event": "Event", "programme": "Project", "sector": "Note", "no_such_kind": "LegalEntity"}
	for k, want := range kinds {
		if got := FtMSchemaOf(k); got != want {
			t.Errorf("FtMSchemaOf(%s) = %s, want %s", k, got, want)
		}
	}
	links := []struct {
		typ      string
		from, to domain.Kind
		want     string
	}{
		{"OWNS", "company", "factory", "Ownership"},
		{"LEADS", "person", "state_body", "Directorship"},
		{"LEADS", "person", "programme", "UnknownLink"}, // a Project is not an Organization
		{"FUNDS", "province", "county", "Payment"},
		{"FUNDS", "province", "programme", "UnknownLink"},
		{"PART_OF", "county", "prefecture", "Membership"},
		{"PART_OF", "programme", "programme", "UnknownLink"},
		{"PARTICIPATED_IN", "province", "programme", "ProjectParticipant"},
		{"PARTICIPATED_IN", "province", "event", "UnknownLink"},
		{"DIRECTS", "party_body", "state_body", "Control"},
		{"SUBORDINATE_TO", "bureau", "county", "Control"},
		{"DESIGNATED", "designation_list", "company", "Sanction"},
		{"PAIRED_WITH", "province", "prefecture", "UnknownLink"},
		{"NO_SUCH_TYPE", "company", "company", "UnknownLink"},
	}
	for _, l := range links {
		if got, _, _ := FtMLinkOf(l.typ, l.from, l.to); got != l.want {
			t.Errorf("FtMLinkOf(%s, %s, %s) = %s, want %s", l.typ, l.from, l.to, got, l.want)
		}
	}
	// A subordinate body is the controlled end.
	if _, from, to := FtMLinkOf("SUBORDINATE_TO", "bureau", "county"); from != "controlled" || to != "controller" {
		t.Errorf("SUBORDINATE_TO: from is %s, to is %s; want controlled, controller", from, to)
	}
}
