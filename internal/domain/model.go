package domain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// SourceType is the kind of publication a source is.
type SourceType string

// Source types.
var sourceTypes = []SourceType{"official", "press", "ngo", "academic", "legal", "other"}

// Grade is a source's reliability grade: A official; B established press,
// NGO or legal; C mirror, forum or blog (use only with corroboration).
type Grade string

var grades = []Grade{"A", "B", "C"}

// Confidence says how firmly a relation is established.
type Confidence string

var confidences = []Confidence{"confirmed", "reported", "disputed"}

// Source is a publication that someone read.
type Source struct {
	ID        string
	Title     string
	Publisher string
	URL       string
	Published PartialDate
	Type      SourceType
	Grade     Grade
	Note      string
}

// Citation ties a claim (entity or relation) to a source with a short quote
// or a locator (page, section, paragraph).
type Citation struct {
	SourceID string
	Quote    string
	Locator  string
}

// Quantity is a number a claim carries: a headcount, an amount, a figure.
type Quantity struct {
	Name  string
	Value float64
	Unit  string
}

// Entity is a node of the graph.
type Entity struct {
	ID          string
	Kind        Kind
	Name        string
	NameZh      string
	Aliases     []string
	Description string
	ValidFrom   PartialDate
	ValidTo     PartialDate
	Quantities  []Quantity
	Citations   []Citation
	Synthetic   bool
	// Retraction is set when the entity was withdrawn (never by a load).
	Retraction *Retraction
}

// Relation is a typed, dated, cited edge between two entities.
type Relation struct {
	ID         string
	Type       string
	From, To   string
	ValidFrom  PartialDate
	ValidTo    PartialDate
	Confidence Confidence
	Role       string
	Quantities []Quantity
	Attributes map[string]string
	Note       string
	Citations  []Citation
	Synthetic  bool
	// Retraction is set when the relation was withdrawn (never by a load).
	Retraction *Retraction
}

// FieldError is one problem with one field of one item. Field is a path
// such as "cite[1].quote".
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Limits on text sizes: long enough for real names and quotes, short enough
// that a mistake (a pasted page) is caught.
const (
	MaxIDLen    = 200
	MaxNameLen  = 300
	MaxTextLen  = 4000
	MaxQuoteLen = 1000
)

var (
	entityIDRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*:[a-z0-9][a-z0-9._:-]*$`)
	sourceIDRE   = regexp.MustCompile(`^src:[a-z0-9][a-z0-9._:-]*$`)
	relationIDRE = regexp.MustCompile(`^rel:[a-z0-9][a-z0-9._:-]*$`)
)

// ValidEntityID reports whether s has the form of an entity id ("county:aksu-city").
func ValidEntityID(s string) bool {
	return len(s) <= MaxIDLen && entityIDRE.MatchString(s) && !strings.HasPrefix(s, "src:") && !strings.HasPrefix(s, "rel:")
}

// ValidSourceID reports whether s has the form of a source id ("src:...").
func ValidSourceID(s string) bool { return len(s) <= MaxIDLen && sourceIDRE.MatchString(s) }

// ValidRelationID reports whether s has the form of a relation id ("rel:...").
func ValidRelationID(s string) bool { return len(s) <= MaxIDLen && relationIDRE.MatchString(s) }

type checker struct{ errs []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) text(field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		c.add(field, "is required")
	case !utf8.ValidString(s):
		c.add(field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		c.add(field, "is longer than %d characters", max)
	}
}

func (c *checker) citations(cs []Citation) {
	c.citationList(cs)
	if len(cs) == 0 {
		c.add("cite", "at least one citation is required")
	}
	for i, ct := range cs {
		f := fmt.Sprintf("cite[%d]", i)
		if !ValidSourceID(ct.SourceID) {
			c.add(f+".source", "%q is not a source id (src:...)", truncate(ct.SourceID, 80))
		}
		if strings.TrimSpace(ct.Quote) == "" && strings.TrimSpace(ct.Locator) == "" {
			c.add(f, "needs a quote or a locator")
		}
		c.text(f+".quote", ct.Quote, false, MaxQuoteLen)
		c.text(f+".locator", ct.Locator, false, MaxNameLen)
	}
}

func (c *checker) quantities(qs []Quantity) {
	for i, q := range qs {
		f := fmt.Sprintf("quantities[%d]", i)
		c.text(f+".name", q.Name, true, MaxNameLen)
		c.text(f+".unit", q.Unit, false, MaxNameLen)
	}
}

func (c *checker) dates(from, to PartialDate) {
	if !from.IsZero() && !to.IsZero() && from.Start() > to.End() {
		c.add("validTo", "%s is before validFrom %s", to, from)
	}
}

func oneOf[T ~string](v T, allowed []T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func list[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// Validate checks the source on its own (not its uses).
func (s *Source) Validate() []FieldError {
	var c checker
	if !ValidSourceID(s.ID) {
		c.add("id", "%q is not a source id (src: followed by lower-case letters, digits, '.', '_' or '-')", truncate(s.ID, 80))
	}
	c.text("title", s.Title, true, MaxNameLen)
	c.text("publisher", s.Publisher, false, MaxNameLen)
	c.text("url", s.URL, false, MaxNameLen*4)
	c.text("note", s.Note, false, MaxTextLen)
	if !oneOf(s.Type, sourceTypes) {
		c.add("type", "%q is not one of %s", truncate(string(s.Type), 80), list(sourceTypes))
	}
	if !oneOf(s.Grade, grades) {
		c.add("grade", "%q is not one of %s", truncate(string(s.Grade), 80), list(grades))
	}
	return c.errs
}

// Validate checks the entity on its own (not its references).
func (e *Entity) Validate() []FieldError {
	var c checker
	if !ValidEntityID(e.ID) {
		c.add("id", "%q is not an entity id (kind:slug, lower-case letters, digits, '.', '_' or '-')", truncate(e.ID, 80))
	}
	if !e.Kind.Valid() {
		c.add("kind", "unknown kind %q", truncate(string(e.Kind), 80))
	}
	c.text("name", e.Name, true, MaxNameLen)
	c.text("nameZh", e.NameZh, false, MaxNameLen)
	c.aliasList(e.Aliases)
	for i, a := range e.Aliases {
		c.text(fmt.Sprintf("aliases[%d]", i), a, true, MaxNameLen)
	}
	c.text("description", e.Description, false, MaxTextLen)
	c.dates(e.ValidFrom, e.ValidTo)
	c.quantities(e.Quantities)
	c.citations(e.Citations)
	return c.errs
}

// Validate checks the relation on its own: its type, confidence, dates,
// attributes and citations. Endpoint kinds need the entities: see Dataset.
func (r *Relation) Validate() []FieldError {
	var c checker
	if !ValidRelationID(r.ID) {
		c.add("id", "%q is not a relation id (rel: followed by lower-case letters, digits, '.', '_' or '-')", truncate(r.ID, 80))
	}
	t, ok := LookupRelationType(r.Type)
	if !ok {
		c.add("type", "unknown relation type %q", truncate(r.Type, 80))
	}
	c.relationIDType(r.ID, r.Type)
	if !ValidEntityID(r.From) {
		c.add("from", "%q is not an entity id", truncate(r.From, 80))
	}
	if !ValidEntityID(r.To) {
		c.add("to", "%q is not an entity id", truncate(r.To, 80))
	}
	if r.From != "" && r.From == r.To {
		c.add("to", "a relation cannot join %q to itself", truncate(r.From, 80))
	}
	if !oneOf(r.Confidence, confidences) {
		c.add("confidence", "%q is not one of %s", truncate(string(r.Confidence), 80), list(confidences))
	}
	c.text("role", r.Role, false, MaxNameLen)
	c.text("note", r.Note, false, MaxTextLen)
	c.dates(r.ValidFrom, r.ValidTo)
	c.quantities(r.Quantities)
	if ok {
		for k, v := range r.Attributes {
			if !oneOf(k, t.Attributes) {
				if len(t.Attributes) == 0 {
					c.add("attributes."+k, "%s takes no attributes", r.Type)
				} else {
					c.add("attributes."+k, "%s takes only the attributes %s", r.Type, strings.Join(t.Attributes, ", "))
				}
			}
			c.text("attributes."+k, v, false, MaxNameLen)
		}
	}
	c.citations(r.Citations)
	return c.errs
}

// CheckEndpoints checks that a relation's endpoint kinds are allowed by its
// type. from and to are the kinds of the entities the relation joins.
func (r *Relation) CheckEndpoints(from, to Kind) []FieldError {
	t, ok := LookupRelationType(r.Type)
	if !ok {
		return nil
	}
	var c checker
	if !t.AllowsFrom(from) {
		c.add("from", "%s cannot start at a %s (%s)", r.Type, from, r.From)
	}
	if !t.AllowsTo(to) {
		c.add("to", "%s cannot end at a %s (%s)", r.Type, to, r.To)
	}
	return c.errs
}
