package domain

import (
	"fmt"
	"net/url"
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
	// MirrorOf names the original publisher when what was read is a
	// mirror, reprint or copy on another site; such a source is grade C.
	MirrorOf string
	URL      string
	// Document is an official document number with where it is published
	// ("Federal Register 2023-16361"); a source needs a URL or a document.
	Document  string
	Published PartialDate
	Type      SourceType
	Grade     Grade
	Note      string
}

// Citation ties a claim to a source with a verbatim quote, and optionally a
// locator (page, section, paragraph) and the date on which the quoted
// passage shows the claim in force.
type Citation struct {
	SourceID string
	Quote    string
	Locator  string
	Attests  PartialDate
}

// Quantity is a number a claim carries: a headcount, an amount, a figure.
// Source, when set, is the cited source that gives this figure (sources
// that disagree each give their own).
type Quantity struct {
	Name   string
	Value  float64
	Unit   string
	Source string
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
	// Inferred: no source states the relation; it joins claims that are
	// stated (its note names them). An inference is never confirmed.
	Inferred bool
	// BestGrade is the best grade among the cited sources. Reads fill it;
	// writes compute it from the sources.
	BestGrade Grade
	// Contested: a counter-claim contests it. Reads fill it.
	Contested  bool
	Role       string
	Quantities []Quantity
	Attributes map[string]string
	Note       string
	Citations  []Citation
	Synthetic  bool
	// Retraction is set when the relation was withdrawn (never by a load).
	Retraction *Retraction
	// Known is the known period as stored with the relation, set by a read
	// that asked for it (FieldKnownPeriod); KnownPeriod returns it instead
	// of working it out from the citations. Nil otherwise.
	Known *Period
}

// Period is a span of partial dates, either end open (zero).
type Period struct{ From, To PartialDate }

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
		c.text(f+".quote", ct.Quote, true, MaxQuoteLen)
		c.text(f+".locator", ct.Locator, false, MaxNameLen)
		c.ownFiles(f+".quote", ct.Quote)
		c.ownFiles(f+".locator", ct.Locator)
	}
}

// ownFileRE matches names of the project's own working files and machine
// paths: a claim cites its source, never a page of ours.
var ownFileRE = regexp.MustCompile(`(?i)(sourced-facts|bottom-of-chain-facts|report-weaponized-development\.txt|aidgen|/work/|/tmp/|/root/|/home/|\.py\b)`)

// ownFiles refuses text that names our own files or machine paths.
func (c *checker) ownFiles(field, s string) {
	if m := ownFileRE.FindString(s); m != "" {
		c.add(field, "names %q: cite the source itself, never our own files or machine paths", m)
	}
}

func (c *checker) quantities(qs []Quantity, cs []Citation) {
	cited := map[string]bool{}
	for _, ct := range cs {
		cited[ct.SourceID] = true
	}
	values := map[string]map[float64]bool{}
	for i, q := range qs {
		f := fmt.Sprintf("quantities[%d]", i)
		c.text(f+".name", q.Name, true, MaxNameLen)
		c.text(f+".unit", q.Unit, false, MaxNameLen)
		if q.Source != "" && !cited[q.Source] {
			c.add(f+".source", "%q is not one of the claim's cited sources", truncate(q.Source, 80))
		}
		if values[q.Name] == nil {
			values[q.Name] = map[float64]bool{}
		}
		values[q.Name][q.Value] = true
	}
	for i, q := range qs {
		if len(values[q.Name]) > 1 && q.Source == "" {
			c.add(fmt.Sprintf("quantities[%d].source", i), "sources give different %s figures: each needs its source", q.Name)
		}
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

// mirrorWordRE finds words that say a source is a copy of another's work.
var mirrorWordRE = regexp.MustCompile(`(?i)\b(mirror|mirrored|reprint|reprinted|copy)\b`)

// ValidSourceURL reports whether s is an absolute http or https address.
func ValidSourceURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// Validate checks the source on its own (not its uses).
func (s *Source) Validate() []FieldError {
	var c checker
	if !ValidSourceID(s.ID) {
		c.add("id", "%q is not a source id (src: followed by lower-case letters, digits, '.', '_' or '-')", truncate(s.ID, 80))
	}
	c.text("title", s.Title, true, MaxNameLen)
	c.text("publisher", s.Publisher, false, MaxNameLen)
	c.text("mirrorOf", s.MirrorOf, false, MaxNameLen)
	c.text("url", s.URL, false, MaxNameLen*4)
	c.text("document", s.Document, false, MaxNameLen)
	c.text("note", s.Note, false, MaxTextLen)
	c.ownFiles("note", s.Note)
	switch {
	case s.URL != "":
		if !ValidSourceURL(s.URL) {
			c.add("url", "%q is not an http(s) address", truncate(s.URL, 80))
		}
	case strings.TrimSpace(s.Document) == "":
		c.add("url", "is required (an http(s) address), unless an official document number is given in document")
	}
	if s.MirrorOf != "" && s.Grade != "C" {
		c.add("grade", "a mirror, reprint or copy (mirrorOf %q) is grade C, not %s", truncate(s.MirrorOf, 80), s.Grade)
	}
	if s.MirrorOf == "" {
		for _, f := range []struct{ name, text string }{{"title", s.Title}, {"publisher", s.Publisher}} {
			if m := mirrorWordRE.FindString(f.text); m != "" {
				c.add(f.name, "says %q: a mirror, reprint or copy names its original publisher in mirrorOf and is grade C", m)
			}
		}
	}
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
	} else if ValidEntityID(e.ID) && !strings.HasPrefix(e.ID, string(e.Kind)+":") {
		c.add("id", "%q does not start with its kind (%s:)", truncate(e.ID, 80), e.Kind)
	}
	c.text("name", e.Name, true, MaxNameLen)
	c.text("nameZh", e.NameZh, false, MaxNameLen)
	c.aliasList(e.Aliases)
	for i, a := range e.Aliases {
		c.text(fmt.Sprintf("aliases[%d]", i), a, true, MaxNameLen)
	}
	c.text("description", e.Description, false, MaxTextLen)
	c.ownFiles("description", e.Description)
	c.dates(e.ValidFrom, e.ValidTo)
	c.quantities(e.Quantities, e.Citations)
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
	c.ownFiles("note", r.Note)
	c.dates(r.ValidFrom, r.ValidTo)
	c.quantities(r.Quantities, r.Citations)
	if r.Inferred {
		if r.Confidence == "confirmed" {
			c.add("confidence", "an inference is never confirmed: use reported")
		}
		if strings.TrimSpace(r.Note) == "" {
			c.add("note", "an inference needs a note naming the claims it joins")
		}
	}
	if r.Confidence == "disputed" && len(r.Citations) < 2 {
		c.add("cite", "a disputed relation cites both sides: at least two citations")
	}
	if ok {
		if len(t.Roles) > 0 && !oneOf(r.Role, t.Roles) {
			c.add("role", "%s needs a role of %s, got %q", r.Type, strings.Join(t.Roles, " or "), truncate(r.Role, 80))
		}
		for k, v := range r.Attributes {
			if !oneOf(k, t.Attributes) {
				if len(t.Attributes) == 0 {
					c.add("attributes."+k, "%s takes no attributes", r.Type)
				} else {
					c.add("attributes."+k, "%s takes only the attributes %s", r.Type, strings.Join(t.Attributes, ", "))
				}
			} else if vs := t.AttributeValues[k]; len(vs) > 0 && !oneOf(v, vs) {
				c.add("attributes."+k, "must be one of %s, got %q", strings.Join(vs, ", "), truncate(v, 80))
			}
			c.text("attributes."+k, v, false, MaxNameLen)
		}
		for _, k := range t.RequiredAttributes {
			if _, has := r.Attributes[k]; !has {
				c.add("attributes."+k, "is required for %s", r.Type)
			}
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

// CounterClaimKind says what a counter-claim does to the claim it contests.
type CounterClaimKind string

// Counter-claim kinds.
var counterClaimKinds = []CounterClaimKind{"denial", "termination", "audit", "correction"}

// CounterClaimKinds returns every counter-claim kind.
func CounterClaimKinds() []CounterClaimKind {
	return append([]CounterClaimKind(nil), counterClaimKinds...)
}

// CounterClaim is a denial, termination, audit or correction: a claim of its
// own, cited, dated and attached to the relation or entity it contests, so
// that a reader sees both sides.
type CounterClaim struct {
	ID        string
	Contests  string // a relation or entity id
	Kind      CounterClaimKind
	By        string // the entity making it, when it is in the graph
	Date      PartialDate
	Statement string
	Citations []Citation
}

var counterClaimIDRE = regexp.MustCompile(`^cc:[a-z0-9][a-z0-9._:-]*$`)

// ValidCounterClaimID reports whether s has the form of a counter-claim id ("cc:...").
func ValidCounterClaimID(s string) bool { return len(s) <= MaxIDLen && counterClaimIDRE.MatchString(s) }

// Validate checks the counter-claim on its own (not its references).
func (cc *CounterClaim) Validate() []FieldError {
	var c checker
	if !ValidCounterClaimID(cc.ID) {
		c.add("id", "%q is not a counter-claim id (cc: followed by lower-case letters, digits, '.', '_' or '-')", truncate(cc.ID, 80))
	}
	if !ValidEntityID(cc.Contests) && !ValidRelationID(cc.Contests) {
		c.add("contests", "%q is not a relation or entity id", truncate(cc.Contests, 80))
	}
	if !oneOf(cc.Kind, counterClaimKinds) {
		c.add("kind", "%q is not one of %s", truncate(string(cc.Kind), 80), list(counterClaimKinds))
	}
	if cc.By != "" && !ValidEntityID(cc.By) {
		c.add("by", "%q is not an entity id", truncate(cc.By, 80))
	}
	if cc.Date.IsZero() {
		c.add("date", "is required")
	}
	c.text("statement", cc.Statement, true, MaxTextLen)
	c.ownFiles("statement", cc.Statement)
	c.citations(cc.Citations)
	return c.errs
}
