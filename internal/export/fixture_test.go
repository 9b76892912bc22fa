package export

import (
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The fixture is obviously fictional ("test-", "Fake", example.org) apart
// from the two Chinese strings the brief names, which are common nouns
// (a place name and the programme's name), not claims.

const (
	aksuZh   = "阿克苏地区"
	duikouZh = "对口援疆"
)

// hostile is a name no writer may break on: markup characters, every kind
// of control character XML 1.0 forbids, the two non-characters, an invalid
// UTF-8 byte, and the whitespace XML keeps only when it is escaped.
const hostile = "Fake & <Co> \"Q\" 'S'\x00\x01\x08\x0b\x0c\x1f\uFFFE\uFFFF\xff end\ttab\nnl\rcr"

// hostileXML is hostile as an XML reader must see it: the forbidden
// characters and the invalid byte replaced with U+FFFD, everything else kept.
const hostileXML = "Fake & <Co> \"Q\" 'S'\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD end\ttab\nnl\rcr"

// hostileJSON is hostile as a JSON reader sees it: encoding/json keeps
// control characters (escaped) and non-characters, and replaces the invalid
// byte with U+FFFD.
const hostileJSON = "Fake & <Co> \"Q\" 'S'\x00\x01\x08\x0b\x0c\x1f\uFFFE\uFFFF\uFFFD end\ttab\nnl\rcr"

func mustDate(tb testing.TB, s string) domain.PartialDate {
	tb.Helper()
	d, err := domain.ParsePartialDate(s)
	if err != nil {
		tb.Fatalf("ParsePartialDate(%q): %v", s, err)
	}
	return d
}

// testSubgraph returns the fixture. Items are deliberately out of id order.
func testSubgraph(tb testing.TB) *domain.Subgraph {
	tb.Helper()
	return &domain.Subgraph{
		Truncated: true,
		Sources: []domain.Source{
			{ID: "src:test-report", Title: "Test Report: 测试报告 <draft> & notes", Publisher: "Example NGO (fictional)",
				URL: "https://example.org/report?a=1&b=2", Published: mustDate(tb, "2021-06"), Type: "ngo", Grade: "B"},
			{ID: "src:test-gazette", Title: "Fictional Gazette", URL: "https://example.org/gazette", Document: "Gazette No. 7 (fictional)", Type: "official", Grade: "A"},
		},
		Entities: []domain.Entity{
			{ID: "province:test-beta", Kind: "province", Name: "Test Province Beta", NameZh: "测试省",
				Aliases:   []string{"Beta Sheng (fake)"},
				Citations: []domain.Citation{{SourceID: "src:test-gazette", Quote: duikouZh, Locator: "art. 1"}}},
			{ID: "prefecture:test-alpha", Kind: "prefecture", Name: "Test Prefecture Alpha", NameZh: aksuZh,
				Aliases:     []string{"Alpha-Aqsu (fake)", "阿克苏"},
				Description: "Fictional prefecture used only by tests; " + duikouZh + " partner.",
				ValidFrom:   mustDate(tb, "2010"),
				Quantities:  []domain.Quantity{{Name: "population", Value: 2.5e6, Unit: "people"}},
				Citations: []domain.Citation{
					{SourceID: "src:test-report", Quote: aksuZh + " is paired", Locator: "p. 4"},
					{SourceID: "src:test-unlisted", Locator: "para 9"},
				}},
			{ID: "county:test-gamma", Kind: "county", Name: hostile, Description: "line one\nline two",
				ValidTo:   mustDate(tb, "2014-02"),
				Citations: []domain.Citation{{SourceID: "src:test-report", Quote: `He said "no" & <left>`}}},
			{ID: "company:test-epsilon", Kind: "company", Synthetic: true,
				Citations: []domain.Citation{{SourceID: "src:test-gazette", Locator: "annex"}}},
			{ID: "company:test-delta", Kind: "company", NameZh: "测试公司", Synthetic: true,
				Citations: []domain.Citation{{SourceID: "src:test-gazette"}}},
		},
		Relations: []domain.Relation{
			{ID: "rel:test-part-of", Type: "PART_OF", From: "county:test-gamma", To: "prefecture:test-alpha",
				Confidence: "disputed", Contested: true, Note: "hostile note: " + hostile,
				Citations: []domain.Citation{{SourceID: "src:test-report", Locator: "p. 9"}}},
			{ID: "rel:test-paired", Type: "PAIRED_WITH", From: "province:test-beta", To: "prefecture:test-alpha",
				ValidFrom: mustDate(tb, "2010-03"), ValidTo: mustDate(tb, "2014"),
				Confidence: "confirmed", Role: "lead aiding party",
				Quantities: []domain.Quantity{{Name: "cadres", Value: 120, Unit: "people", Source: "src:test-report"}, {Name: "budget", Value: 1.5e9, Unit: "yuan"}},
				Note:       duikouZh + " pairing (fictional)",
				Citations: []domain.Citation{
					{SourceID: "src:test-report", Quote: duikouZh, Locator: "§2", Attests: mustDate(tb, "2012")},
					{SourceID: "src:test-unlisted", Quote: "unlisted source"},
				}},
			{ID: "rel:test-funds", Type: "FUNDS", From: "province:test-beta", To: "county:test-gamma",
				ValidFrom: mustDate(tb, "2012-02-29"), Confidence: "reported", Inferred: true,
				Attributes: map[string]string{"zz": "<&>", "amount": "5 million yuan"},
				Citations:  []domain.Citation{{SourceID: "src:test-gazette", Quote: "funds", Locator: "p. 1"}}},
			{ID: "rel:test-owns", Type: "OWNS", From: "company:test-delta", To: "company:test-epsilon",
				ValidTo: mustDate(tb, "2014-02"), Confidence: "reported", BestGrade: "A", Synthetic: true,
				Citations: []domain.Citation{{SourceID: "src:test-gazette"}}},
		},
	}
}

// fixtureClaims are counter-claims contesting an entity and a relation of
// the fixture.
func fixtureClaims(tb testing.TB) map[string][]domain.CounterClaim {
	return map[string][]domain.CounterClaim{
		"rel:test-paired": {{ID: "cc:test-denial", Contests: "rel:test-paired", Kind: "denial", By: "province:test-beta",
			Date: mustDate(tb, "2015"), Statement: "Fictional denial <&> " + duikouZh,
			Citations: []domain.Citation{{SourceID: "src:test-gazette", Quote: "we deny", Attests: mustDate(tb, "2015-01")}}}},
		"county:test-gamma": {{ID: "cc:test-audit", Contests: "county:test-gamma", Kind: "audit",
			Date: mustDate(tb, "2016-04"), Statement: "Fictional audit",
			Citations: []domain.Citation{{SourceID: "src:test-report", Quote: "audited", Locator: "p. 2"}}}},
	}
}

// gotNode and gotEdge are what a reader of any format gets back. Every
// decoder below fills them from its format independently of the writers.
type gotNode struct {
	ID, Label, Kind, Name, NameZh, Description, ValidFrom, ValidTo string
	Aliases                                                        []string
	Quantities                                                     []gotQuantity
	Synthetic                                                      bool
	Citations                                                      []gotCitation
	CounterClaims                                                  []gotCounterClaim
}

type gotEdge struct {
	ID, Source, Target, Label, Type, ValidFrom, ValidTo, Confidence string
	Inferred                                                        bool
	BestGrade, Strength                                             string
	Contested                                                       bool
	Role, Note                                                      string
	Quantities                                                      []gotQuantity
	Attributes                                                      map[string]string
	Synthetic                                                       bool
	Citations                                                       []gotCitation
	CounterClaims                                                   []gotCounterClaim
}

type gotQuantity struct {
	Name   string `json:"name"`
	Value  any    `json:"value"` // float64, or "NaN"/"+Inf"/"-Inf"
	Unit   string `json:"unit"`
	Source string `json:"source"`
}

type gotCounterClaim struct {
	ID        string        `json:"id"`
	Kind      string        `json:"kind"`
	By        string        `json:"by"`
	Date      string        `json:"date"`
	Statement string        `json:"statement"`
	Citations []gotCitation `json:"citations"`
}

type gotCitation struct {
	Source  string `json:"source"`
	Quote   string `json:"quote"`
	Locator string `json:"locator"`
	Attests string `json:"attests"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Grade   string `json:"grade"`
}

var (
	citeReport = func(quote, locator string) gotCitation {
		return gotCitation{Source: "src:test-report", Quote: quote, Locator: locator,
			Title: "Test Report: 测试报告 <draft> & notes", URL: "https://example.org/report?a=1&b=2", Grade: "B"}
	}
	citeGazette = func(quote, locator string) gotCitation {
		return gotCitation{Source: "src:test-gazette", Quote: quote, Locator: locator,
			Title: "Fictional Gazette", URL: "https://example.org/gazette", Grade: "A"}
	}
)

// wantNodes is the fixture's entities as every format must give them back,
// sorted by id; text is the hostile name as the format carries it.
func wantNodes(text string, claims bool) []gotNode {
	out := []gotNode{
		{ID: "company:test-delta", Label: "测试公司", Kind: "company", NameZh: "测试公司", Synthetic: true,
			Citations: []gotCitation{citeGazette("", "")}},
		{ID: "company:test-epsilon", Label: "company:test-epsilon", Kind: "company", Synthetic: true,
			Citations: []gotCitation{citeGazette("", "annex")}},
		{ID: "county:test-gamma", Label: text, Kind: "county", Name: text, Description: "line one\nline two",
			ValidTo:   "2014-02",
			Citations: []gotCitation{citeReport(`He said "no" & <left>`, "")}},
		{ID: "prefecture:test-alpha", Label: "Test Prefecture Alpha", Kind: "prefecture", Name: "Test Prefecture Alpha",
			NameZh: aksuZh, Aliases: []string{"Alpha-Aqsu (fake)", "阿克苏"},
			Description: "Fictional prefecture used only by tests; " + duikouZh + " partner.",
			ValidFrom:   "2010",
			Quantities:  []gotQuantity{{Name: "population", Value: 2.5e6, Unit: "people"}},
			Citations: []gotCitation{
				citeReport(aksuZh+" is paired", "p. 4"),
				{Source: "src:test-unlisted", Locator: "para 9"},
			}},
		{ID: "province:test-beta", Label: "Test Province Beta", Kind: "province", Name: "Test Province Beta",
			NameZh: "测试省", Aliases: []string{"Beta Sheng (fake)"},
			Citations: []gotCitation{citeGazette(duikouZh, "art. 1")}},
	}
	if claims {
		c := citeReport("audited", "p. 2")
		out[2].CounterClaims = []gotCounterClaim{{ID: "cc:test-audit", Kind: "audit", Date: "2016-04", Statement: "Fictional audit", Citations: []gotCitation{c}}}
	}
	return out
}

func wantEdges(text string, claims bool) []gotEdge {
	paired := citeReport(duikouZh, "§2")
	paired.Attests = "2012"
	out := []gotEdge{
		{ID: "rel:test-funds", Source: "province:test-beta", Target: "county:test-gamma", Label: "FUNDS", Type: "FUNDS",
			ValidFrom: "2012-02-29", Confidence: "reported", Inferred: true, BestGrade: "A", Strength: "MODERATE",
			Attributes: map[string]string{"amount": "5 million yuan", "zz": "<&>"},
			Citations:  []gotCitation{citeGazette("funds", "p. 1")}},
		{ID: "rel:test-owns", Source: "company:test-delta", Target: "company:test-epsilon", Label: "OWNS", Type: "OWNS",
			ValidTo: "2014-02", Confidence: "reported", BestGrade: "A", Strength: "MODERATE", Synthetic: true,
			Citations: []gotCitation{citeGazette("", "")}},
		{ID: "rel:test-paired", Source: "province:test-beta", Target: "prefecture:test-alpha", Label: "PAIRED_WITH", Type: "PAIRED_WITH",
			ValidFrom: "2010-03", ValidTo: "2014", Confidence: "confirmed", BestGrade: "B", Strength: "STRONG", Role: "lead aiding party",
			Quantities: []gotQuantity{{Name: "cadres", Value: 120.0, Unit: "people", Source: "src:test-report"}, {Name: "budget", Value: 1.5e9, Unit: "yuan"}},
			Note:       duikouZh + " pairing (fictional)",
			Citations: []gotCitation{
				paired,
				{Source: "src:test-unlisted", Quote: "unlisted source"},
			}},
		{ID: "rel:test-part-of", Source: "county:test-gamma", Target: "prefecture:test-alpha", Label: "PART_OF", Type: "PART_OF",
			Confidence: "disputed", BestGrade: "B", Strength: "MODERATE", Contested: true, Note: "hostile note: " + text,
			Citations: []gotCitation{citeReport("", "p. 9")}},
	}
	if claims {
		c := citeGazette("we deny", "")
		c.Attests = "2015-01"
		out[2].Contested = true
		out[2].CounterClaims = []gotCounterClaim{{ID: "cc:test-denial", Kind: "denial", By: "province:test-beta", Date: "2015",
			Statement: "Fictional denial <&> " + duikouZh, Citations: []gotCitation{c}}}
	}
	return out
}
