package export

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// FollowTheMoney (FtM) is the data model of Aleph, OpenSanctions and
// followthemoney's tools: entities of a schema (Company, Person, …) with
// multi-valued properties, and links (Ownership, Directorship, …) that are
// entities too, with startDate and endDate. The tables below map our kinds
// and relation types onto it; docs/API.md explains each choice.

// FtMSchemaOf returns the FtM schema an entity of kind k becomes.
// An unknown kind becomes LegalEntity, FtM's most general party.
func FtMSchemaOf(k domain.Kind) string {
	if s, ok := ftmKinds[k]; ok {
		return s
	}
	return "LegalEntity"
}

var ftmKinds = map[domain.Kind]string{
	// Organs of the party: FtM's PublicBody is "a public body, such as a
	// ministry, department or state company"; a party organ is neither, so
	// it is an Organization.
	"party_body": "Organization",
	// The state, and places as the governments that act for them: they
	// pair, fund, direct and transfer workers, which only a LegalEntity can
	// do in FtM (a Territory is a place, not a party to a link).
	"state_body":    "PublicBody",
	"leading_group": "PublicBody",
	"department":    "PublicBody",
	"bureau":        "PublicBody",
	"frontline_hq":  "PublicBody",
	"province":      "PublicBody",
	"region":        "PublicBody",
	"city":          "PublicBody",
	"district":      "PublicBody",
	"prefecture":    "PublicBody",
	"county":        "PublicBody",
	"xpcc":          "PublicBody",
	"xpcc_division": "PublicBody",
	"xpcc_regiment": "PublicBody",
	// Firms. A factory is a site, for which FtM has no schema; as a Company
	// it can be owned (an Asset) and be a party to links.
	"company":              "Company",
	"labour_dispatch_firm": "Company",
	"factory":              "Company",
	"buyer":                "Company",
	// Neither firms nor public bodies.
	"school":          "Organization",
	"association":     "Organization",
	"industrial_park": "Organization",
	"training_centre": "Organization",
	"cadre_batch":     "Organization",
	"person":          "Person",
	"event":           "Event",
	"statement":       "Event", // a dated public statement: FtM has no schema for what was said
	"programme":       "Project",
	// No FtM schema: a list, a figure, a sector. Note is a Thing with a
	// name and text, which links (UnknownLink) can name.
	"designation_list": "Note",
	"statistic":        "Note",
	"sector":           "Note",
}

// ftmLink is how a relation type becomes an FtM link: its schema and the
// properties that name the from- and the to-entity.
type ftmLink struct {
	schema, from, to string
}

// FtMLinkOf returns the FtM schema a relation of type t from an entity of
// kind from to one of kind to becomes, and the properties naming its ends.
// A type whose schema cannot take these two ends (FtM types each end, e.g.
// Ownership's asset must be an Asset) becomes an UnknownLink.
func FtMLinkOf(t string, from, to domain.Kind) (schema, fromProp, toProp string) {
	l := ftmLinkOf(t, from, to)
	return l.schema, l.from, l.to
}

var unknownLink = ftmLink{"UnknownLink", "subject", "object"}

var ftmTypes = map[string]ftmLink{
	"DIRECTS":              {"Control", "controller", "controlled"},
	"MANAGES":              {"Control", "controller", "controlled"},
	"SUPERVISES":           {"Control", "controller", "controlled"},
	"OPERATES":             {"Control", "controller", "controlled"},
	"SUBORDINATE_TO":       {"Control", "controlled", "controller"}, // the to-body controls the from-body
	"OWNS":                 {"Ownership", "owner", "asset"},
	"PART_OF":              {"Membership", "member", "organization"},
	"LEADS":                {"Directorship", "director", "organization"},
	"FUNDS":                {"Payment", "payer", "beneficiary"},
	"PARTICIPATED_IN":      {"ProjectParticipant", "participant", "project"},
	"DESIGNATED":           {"Sanction", "", "entity"}, // the list is the programme, not an entity of the link
	"COORDINATES":          unknownLink,
	"PAIRED_WITH":          unknownLink,
	"ESTABLISHED":          unknownLink,
	"DEPLOYED":             unknownLink,
	"ASSIGNED_TO":          unknownLink,
	"LICENSES":             unknownLink,
	"RECRUITS_FROM":        unknownLink,
	"TRANSFERS_WORKERS_TO": unknownLink,
	"LABOUR_FLOW_TO":       unknownLink,
	"LOCATED_IN":           unknownLink,
	"SUPPLIES":             unknownLink,
	"CONVENED":             unknownLink,
	"STATED":               unknownLink,
	"MADE_AT":              unknownLink,
	"ABOUT":                unknownLink,
	"IN_SECTOR":            unknownLink,
	"ADOPTED":              unknownLink,
}

// ftmRanges is the schema each end of a link must be (FtM's property
// ranges), and ftmIsA what each schema we write is (its ancestors).
var ftmRanges = map[string][2]string{
	"UnknownLink":        {"Thing", "Thing"},
	"Control":            {"LegalEntity", "LegalEntity"},
	"Ownership":          {"LegalEntity", "Asset"},
	"Membership":         {"LegalEntity", "Organization"},
	"Directorship":       {"LegalEntity", "Organization"},
	"Payment":            {"LegalEntity", "LegalEntity"},
	"ProjectParticipant": {"LegalEntity", "Project"},
	"Sanction":           {"Thing", "Thing"},
}

var ftmIsA = map[string][]string{
	"LegalEntity":  {"LegalEntity", "Thing"},
	"Organization": {"Organization", "LegalEntity", "Thing"},
	"PublicBody":   {"PublicBody", "Organization", "LegalEntity", "Thing"},
	"Company":      {"Company", "Organization", "LegalEntity", "Asset", "Value", "Thing"},
	"Person":       {"Person", "LegalEntity", "Thing"},
	"Event":        {"Event", "Analyzable", "Thing", "Interval"},
	"Project":      {"Project", "Thing", "Value", "Interval"},
	"Note":         {"Note", "Analyzable", "Thing"},
}

func ftmLinkOf(t string, from, to domain.Kind) ftmLink {
	l, ok := ftmTypes[t]
	if !ok {
		return unknownLink
	}
	r := ftmRanges[l.schema]
	if !slices.Contains(ftmIsA[FtMSchemaOf(from)], r[0]) || !slices.Contains(ftmIsA[FtMSchemaOf(to)], r[1]) {
		return unknownLink
	}
	return l
}

// interest schemata have role and status (FtM's Interest).
var ftmInterest = map[string]bool{"UnknownLink": true, "Control": true, "Ownership": true,
	"Membership": true, "Directorship": true, "ProjectParticipant": true}

// FtMID returns the FtM id of one of our ids: "aidtrace-" and the id with
// ':' as '.', '.' as 'D' and '_' as 'U' (FtM ids are letters, digits, '.'
// and '-'; ours are lower case, so the upper-case escapes cannot collide),
// and a final 'Z' when it would end in '.' or '-' (an FtM id ends in a
// letter or digit). The same id always gives the same FtM id, and two ids
// never give one. An id too long for FtM's 200 characters becomes
// "aidtrace-X" and its SHA-1.
func FtMID(id string) string {
	var b strings.Builder
	b.WriteString("aidtrace-")
	for _, r := range id {
		switch {
		case r == ':':
			b.WriteByte('.')
		case r == '.':
			b.WriteByte('D')
		case r == '_':
			b.WriteByte('U')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			// Not an id the domain allows: hash it rather than guess.
			return ftmHashID(id)
		}
	}
	s := b.String()
	if last := s[len(s)-1]; last == '.' || last == '-' {
		s += "Z"
	}
	if len(s) > 200 {
		return ftmHashID(id)
	}
	return s
}

func ftmHashID(id string) string {
	sum := sha1.Sum([]byte(id))
	return "aidtrace-X" + hex.EncodeToString(sum[:])
}

// ftmEntity is one line of the export.
type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// add appends the non-empty values to property p, once each.
func (e *ftmEntity) add(p string, vs ...string) {
	for _, v := range vs {
		v = ftmClean(v)
		if strings.TrimSpace(v) == "" || slices.Contains(e.Properties[p], v) {
			continue
		}
		e.Properties[p] = append(e.Properties[p], v)
	}
}

// ftmClean drops the control characters FtM's cleaning would drop (all but
// tab, newline and carriage return), so that what we write is what FtM keeps.
func ftmClean(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		return r
	}, s)
}

func writeFtM(w io.Writer, x *index) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	kindOf := make(map[string]domain.Kind, len(x.entities))
	labelOf := make(map[string]string, len(x.entities))
	for _, e := range x.entities {
		kindOf[e.ID], labelOf[e.ID] = e.Kind, label(e)
	}
	for _, e := range x.entities {
		if err := enc.Encode(x.ftmEntity(e)); err != nil {
			return fmt.Errorf("encode entity %q: %w", e.ID, err)
		}
	}
	for _, r := range x.relations {
		if err := enc.Encode(x.ftmLink(r, kindOf, labelOf)); err != nil {
			return fmt.Errorf("encode relation %q: %w", r.ID, err)
		}
	}
	return bw.Flush()
}

func (x *index) ftmEntity(e *domain.Entity) *ftmEntity {
	schema := FtMSchemaOf(e.Kind)
	f := &ftmEntity{ID: FtMID(e.ID), Schema: schema, Properties: map[string][]string{}}
	f.add("name", e.Name, e.NameZh)
	if len(f.Properties["name"]) == 0 {
		f.add("name", label(e))
	}
	f.add("alias", e.Aliases...)
	f.add("description", e.Description)
	f.add("keywords", string(e.Kind))
	notes := []string{fmt.Sprintf("aidtrace entity %s (kind %s)", e.ID, e.Kind)}
	from, to := e.ValidFrom.String(), e.ValidTo.String()
	switch {
	case schema == "Event" || schema == "Project":
		f.add("startDate", from)
		f.add("endDate", to)
	case slices.Contains(ftmIsA[schema], "LegalEntity") && schema != "Person":
		f.add("incorporationDate", from)
		f.add("dissolutionDate", to)
	case from != "" || to != "":
		notes = append(notes, "existed "+span(from, to))
	}
	notes = append(notes, quantityLines(e.Quantities)...)
	notes = append(notes, x.counterClaimLines(e.ID)...)
	if e.Synthetic {
		notes = append(notes, "synthetic test data, not real")
	}
	f.add("notes", notes...)
	x.ftmEvidence(f, e.Citations)
	return f
}

func (x *index) ftmLink(r *domain.Relation, kindOf map[string]domain.Kind, labelOf map[string]string) *ftmEntity {
	l := ftmLinkOf(r.Type, kindOf[r.From], kindOf[r.To])
	f := &ftmEntity{ID: FtMID(r.ID), Schema: l.schema, Properties: map[string][]string{}}
	if l.from != "" {
		f.add(l.from, FtMID(r.From))
	}
	f.add(l.to, FtMID(r.To))
	f.add("startDate", r.ValidFrom.String())
	f.add("endDate", r.ValidTo.String())
	f.add("recordId", r.ID)
	phrase := strings.ToLower(strings.ReplaceAll(r.Type, "_", " "))
	switch {
	case l.schema == "Control":
		f.add("controlType", phrase)
	case l.schema == "Sanction":
		f.add("program", labelOf[r.From])
		f.add("reason", r.Attributes["subList"])
	case l.schema == "Payment":
		f.add("purpose", r.Role)
	}
	if ftmInterest[l.schema] {
		role := r.Role
		if role == "" {
			role = phrase
		}
		f.add("role", role)
	}
	best, strength := x.evidence(r)
	head := fmt.Sprintf("aidtrace relation %s: %s %s %s; confidence %s; evidence %s", r.ID, r.From, r.Type, r.To, r.Confidence, strength)
	if best != "" {
		head += ", best source grade " + string(best)
	}
	if r.Inferred {
		head += "; inferred: no source states it, it joins stated claims"
	}
	if r.Contested || len(x.opt.CounterClaims[r.ID]) > 0 {
		head += "; contested"
	}
	if r.Synthetic {
		head += "; synthetic test data, not real"
	}
	desc := []string{head, r.Note}
	desc = append(desc, x.counterClaimLines(r.ID)...)
	desc = append(desc, quantityLines(r.Quantities)...)
	keys := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		desc = append(desc, k+": "+r.Attributes[k])
	}
	f.add("description", desc...)
	x.ftmEvidence(f, r.Citations)
	return f
}

// counterClaimLines are the counter-claims contesting id, one line each
// with their sources.
func (x *index) counterClaimLines(id string) []string {
	var out []string
	for _, cc := range x.opt.CounterClaims[id] {
		l := "contested by counter-claim " + cc.ID + " (" + string(cc.Kind)
		if !cc.Date.IsZero() {
			l += ", " + cc.Date.String()
		}
		if cc.By != "" {
			l += ", by " + cc.By
		}
		l += "): " + cc.Statement
		for _, c := range cc.Citations {
			l += " " + x.citationLine(c)
		}
		out = append(out, l)
	}
	return out
}

// ftmEvidence keeps the citations: each as one summary line with its quote
// and source, and the sources' addresses and publishers in sourceUrl and
// publisher.
func (x *index) ftmEvidence(f *ftmEntity, cs []domain.Citation) {
	for _, c := range cs {
		f.add("summary", x.citationLine(c))
		if s, ok := x.sourceBy[c.SourceID]; ok {
			if isWebURL(s.URL) {
				f.add("sourceUrl", s.URL)
			}
			f.add("publisher", s.Publisher)
		}
	}
}

// citationLine is a citation as text: the quote, locator and date it
// attests, then the source's title, publisher, date, grade and address.
func (x *index) citationLine(c domain.Citation) string {
	var b strings.Builder
	if c.Quote != "" {
		b.WriteString("“" + c.Quote + "”")
	}
	if c.Locator != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("(" + c.Locator + ")")
	}
	if !c.Attests.IsZero() {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[in force " + c.Attests.String() + "]")
	}
	if b.Len() > 0 {
		b.WriteString(" — ")
	}
	s, ok := x.sourceBy[c.SourceID]
	if ok {
		var parts []string
		mirror := ""
		if s.MirrorOf != "" {
			mirror = "copy of " + s.MirrorOf
		}
		for _, p := range []string{s.Title, s.Publisher, mirror, s.Published.String(), s.Document} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		if s.Grade != "" {
			parts = append(parts, "grade "+string(s.Grade))
		}
		if s.URL != "" {
			parts = append(parts, s.URL)
		}
		b.WriteString(strings.Join(parts, "; ") + " ")
	}
	b.WriteString("[aidtrace source " + c.SourceID + "]")
	return b.String()
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func span(from, to string) string {
	switch {
	case from != "" && to != "":
		return "from " + from + " to " + to
	case from != "":
		return "from " + from
	}
	return "until " + to
}

func quantityLines(qs []domain.Quantity) []string {
	out := make([]string, 0, len(qs))
	for _, q := range qs {
		v := strconv.FormatFloat(q.Value, 'f', -1, 64)
		if q.Unit != "" {
			v += " " + q.Unit
		}
		if q.Source != "" {
			v += " (source " + q.Source + ")"
		}
		out = append(out, q.Name+": "+v)
	}
	return out
}
