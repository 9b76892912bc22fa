package ingest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The raw* types are the file format (see seeds/README.md), read by the
// parser and written by Encode. Dates stay strings here so that a bad one
// is reported with its field, not as a YAML type error.

type rawCitation struct {
	Source  string `yaml:"source"`
	Quote   string `yaml:"quote,omitempty"`
	Locator string `yaml:"locator,omitempty"`
	Attests string `yaml:"attests,omitempty"`
}

type rawQuantity struct {
	Name   string  `yaml:"name"`
	Value  float64 `yaml:"value"`
	Unit   string  `yaml:"unit,omitempty"`
	Source string  `yaml:"source,omitempty"`
}

type rawSource struct {
	ID        string `yaml:"id"`
	Title     string `yaml:"title"`
	Publisher string `yaml:"publisher,omitempty"`
	MirrorOf  string `yaml:"mirrorOf,omitempty"`
	URL       string `yaml:"url,omitempty"`
	Document  string `yaml:"document,omitempty"`
	Published string `yaml:"published,omitempty"`
	Type      string `yaml:"type"`
	Grade     string `yaml:"grade"`
	Note      string `yaml:"note,omitempty"`
}

type rawEntity struct {
	ID          string        `yaml:"id"`
	Kind        string        `yaml:"kind"`
	Name        string        `yaml:"name"`
	NameZh      string        `yaml:"nameZh,omitempty"`
	Aliases     []string      `yaml:"aliases,omitempty"`
	Description string        `yaml:"description,omitempty"`
	ValidFrom   string        `yaml:"validFrom,omitempty"`
	ValidTo     string        `yaml:"validTo,omitempty"`
	Quantities  []rawQuantity `yaml:"quantities,omitempty"`
	Cite        []rawCitation `yaml:"cite"`
	Synthetic   bool          `yaml:"synthetic,omitempty"`
}

type rawRelation struct {
	ID         string            `yaml:"id"`
	Type       string            `yaml:"type"`
	From       string            `yaml:"from"`
	To         string            `yaml:"to"`
	ValidFrom  string            `yaml:"validFrom,omitempty"`
	ValidTo    string            `yaml:"validTo,omitempty"`
	Confidence string            `yaml:"confidence"`
	Inferred   bool              `yaml:"inferred,omitempty"`
	Role       string            `yaml:"role,omitempty"`
	Quantities []rawQuantity     `yaml:"quantities,omitempty"`
	Attributes map[string]string `yaml:"attributes,omitempty"`
	Note       string            `yaml:"note,omitempty"`
	Cite       []rawCitation     `yaml:"cite"`
	Synthetic  bool              `yaml:"synthetic,omitempty"`
}

func yamlFields(v any) map[string]bool {
	t := reflect.TypeOf(v)
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		out[name] = true
	}
	return out
}

type rawCounterClaim struct {
	ID        string        `yaml:"id"`
	Contests  string        `yaml:"contests"`
	Kind      string        `yaml:"kind"`
	By        string        `yaml:"by,omitempty"`
	Date      string        `yaml:"date"`
	Statement string        `yaml:"statement"`
	Cite      []rawCitation `yaml:"cite"`
}

var (
	sourceFields       = yamlFields(rawSource{})
	entityFields       = yamlFields(rawEntity{})
	relationFields     = yamlFields(rawRelation{})
	counterClaimFields = yamlFields(rawCounterClaim{})
)

func date(field, s string, errs *[]domain.FieldError) domain.PartialDate {
	d, err := domain.ParsePartialDate(strings.TrimSpace(s))
	if err != nil {
		*errs = append(*errs, domain.FieldError{Field: field, Message: err.Error()})
	}
	return d
}

func citations(rs []rawCitation, errs *[]domain.FieldError) []domain.Citation {
	out := make([]domain.Citation, len(rs))
	for i, c := range rs {
		out[i] = domain.Citation{SourceID: strings.TrimSpace(c.Source), Quote: strings.TrimSpace(c.Quote), Locator: strings.TrimSpace(c.Locator),
			Attests: date(fmt.Sprintf("cite[%d].attests", i), c.Attests, errs)}
	}
	return out
}

func quantities(rs []rawQuantity) []domain.Quantity {
	out := make([]domain.Quantity, len(rs))
	for i, q := range rs {
		out[i] = domain.Quantity{Name: q.Name, Value: q.Value, Unit: q.Unit, Source: strings.TrimSpace(q.Source)}
	}
	return out
}

func (r rawSource) toDomain() (domain.Source, []domain.FieldError) {
	var errs []domain.FieldError
	return domain.Source{
		ID: r.ID, Title: strings.TrimSpace(r.Title), Publisher: strings.TrimSpace(r.Publisher), MirrorOf: strings.TrimSpace(r.MirrorOf),
		URL: strings.TrimSpace(r.URL), Document: strings.TrimSpace(r.Document), Published: date("published", r.Published, &errs),
		Type: domain.SourceType(r.Type), Grade: domain.Grade(r.Grade), Note: strings.TrimSpace(r.Note),
	}, errs
}

func (r rawEntity) toDomain() (domain.Entity, []domain.FieldError) {
	var errs []domain.FieldError
	aliases := make([]string, len(r.Aliases))
	for i, a := range r.Aliases {
		aliases[i] = strings.TrimSpace(a)
	}
	return domain.Entity{
		ID: r.ID, Kind: domain.Kind(r.Kind), Name: strings.TrimSpace(r.Name), NameZh: strings.TrimSpace(r.NameZh),
		Aliases: aliases, Description: strings.TrimSpace(r.Description),
		ValidFrom: date("validFrom", r.ValidFrom, &errs), ValidTo: date("validTo", r.ValidTo, &errs),
		Quantities: quantities(r.Quantities), Citations: citations(r.Cite, &errs), Synthetic: r.Synthetic,
	}, errs
}

func (r rawRelation) toDomain() (domain.Relation, []domain.FieldError) {
	var errs []domain.FieldError
	return domain.Relation{
		ID: r.ID, Type: r.Type, From: r.From, To: r.To,
		ValidFrom: date("validFrom", r.ValidFrom, &errs), ValidTo: date("validTo", r.ValidTo, &errs),
		Confidence: domain.Confidence(r.Confidence), Inferred: r.Inferred, Role: strings.TrimSpace(r.Role),
		Quantities: quantities(r.Quantities), Attributes: r.Attributes, Note: strings.TrimSpace(r.Note),
		Citations: citations(r.Cite, &errs), Synthetic: r.Synthetic,
	}, errs
}

func (r rawCounterClaim) toDomain() (domain.CounterClaim, []domain.FieldError) {
	var errs []domain.FieldError
	return domain.CounterClaim{
		ID: r.ID, Contests: strings.TrimSpace(r.Contests), Kind: domain.CounterClaimKind(r.Kind), By: strings.TrimSpace(r.By),
		Date: date("date", r.Date, &errs), Statement: strings.TrimSpace(r.Statement), Citations: citations(r.Cite, &errs),
	}, errs
}
