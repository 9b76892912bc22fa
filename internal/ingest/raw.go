package ingest

import (
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
}

type rawQuantity struct {
	Name  string  `yaml:"name"`
	Value float64 `yaml:"value"`
	Unit  string  `yaml:"unit,omitempty"`
}

type rawSource struct {
	ID        string `yaml:"id"`
	Title     string `yaml:"title"`
	Publisher string `yaml:"publisher,omitempty"`
	URL       string `yaml:"url,omitempty"`
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

var (
	sourceFields   = yamlFields(rawSource{})
	entityFields   = yamlFields(rawEntity{})
	relationFields = yamlFields(rawRelation{})
)

func date(field, s string, errs *[]domain.FieldError) domain.PartialDate {
	d, err := domain.ParsePartialDate(strings.TrimSpace(s))
	if err != nil {
		*errs = append(*errs, domain.FieldError{Field: field, Message: err.Error()})
	}
	return d
}

func citations(rs []rawCitation) []domain.Citation {
	out := make([]domain.Citation, len(rs))
	for i, c := range rs {
		out[i] = domain.Citation{SourceID: strings.TrimSpace(c.Source), Quote: strings.TrimSpace(c.Quote), Locator: strings.TrimSpace(c.Locator)}
	}
	return out
}

func quantities(rs []rawQuantity) []domain.Quantity {
	out := make([]domain.Quantity, len(rs))
	for i, q := range rs {
		out[i] = domain.Quantity(q)
	}
	return out
}

func (r rawSource) toDomain() (domain.Source, []domain.FieldError) {
	var errs []domain.FieldError
	return domain.Source{
		ID: r.ID, Title: strings.TrimSpace(r.Title), Publisher: strings.TrimSpace(r.Publisher),
		URL: strings.TrimSpace(r.URL), Published: date("published", r.Published, &errs),
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
		Quantities: quantities(r.Quantities), Citations: citations(r.Cite), Synthetic: r.Synthetic,
	}, errs
}

func (r rawRelation) toDomain() (domain.Relation, []domain.FieldError) {
	var errs []domain.FieldError
	return domain.Relation{
		ID: r.ID, Type: r.Type, From: r.From, To: r.To,
		ValidFrom: date("validFrom", r.ValidFrom, &errs), ValidTo: date("validTo", r.ValidTo, &errs),
		Confidence: domain.Confidence(r.Confidence), Role: strings.TrimSpace(r.Role),
		Quantities: quantities(r.Quantities), Attributes: r.Attributes, Note: strings.TrimSpace(r.Note),
		Citations: citations(r.Cite), Synthetic: r.Synthetic,
	}, errs
}
