package export

import (
	"slices"
	"strconv"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// field is one attribute every format writes for a node or an edge. The
// tables below are the one place that says which fields exist, in which
// order and of which type, so the formats cannot drift apart.
type field struct {
	name string
	bool bool   // a boolean (else a string)
	desc string // for GraphML <desc> and the CSV README
}

var nodeFields = []field{
	{name: "label", desc: "what tools show: the name, else the Chinese name, else the id"},
	{name: "kind", desc: "entity kind, e.g. province, prefecture, company"},
	{name: "name", desc: "name in English or pinyin"},
	{name: "nameZh", desc: "name in Chinese"},
	{name: "aliases", desc: `JSON array of other names, e.g. ["Aqsu","阿克苏"]`},
	{name: "description", desc: "description"},
	{name: "validFrom", desc: "first date the entity existed: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "validTo", desc: "last date the entity existed: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "quantities", desc: `JSON array of figures: [{"name","value","unit","source"}] (source: the cited source that gives the figure)`},
	{name: "synthetic", bool: true, desc: "true for generated test data, never real"},
	{name: "citations", desc: citationsDesc},
	{name: "counterClaims", desc: counterClaimsDesc},
}

const (
	citationsDesc     = `JSON array of sources: [{"source","quote","locator","attests","title","url","grade"}] (attests: the date the quoted passage shows it in force)`
	counterClaimsDesc = `JSON array of the counter-claims contesting it: [{"id","kind","by","date","statement","citations"}] (kind: denial, termination, audit or correction)`
)

var edgeFields = []field{
	{name: "label", desc: "what tools show: the relation type"},
	{name: "type", desc: "relation type, e.g. PAIRED_WITH, LICENSES"},
	{name: "validFrom", desc: "first date the relation held: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "validTo", desc: "last date the relation held: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "confidence", desc: "confirmed, reported or disputed"},
	{name: "inferred", bool: true, desc: "true when no source states it: it joins claims that are stated (the note names them)"},
	{name: "bestGrade", desc: "the best grade among the cited sources: A official; B established press, NGO or legal; C mirror, forum or blog"},
	{name: "strength", desc: "evidence strength: STRONG (confirmed by an A or B source), MODERATE (an A or B source, but reported, inferred or disputed) or WEAK (grade C alone)"},
	{name: "contested", bool: true, desc: "true when a counter-claim contests it"},
	{name: "role", desc: "role or post, e.g. for LEADS"},
	{name: "quantities", desc: `JSON array of figures: [{"name","value","unit","source"}] (source: the cited source that gives the figure)`},
	{name: "attributes", desc: `JSON object of type-specific attributes, e.g. {"subList":"…"}`},
	{name: "note", desc: "note"},
	{name: "synthetic", bool: true, desc: "true for generated test data, never real"},
	{name: "citations", desc: citationsDesc},
	{name: "counterClaims", desc: counterClaimsDesc},
}

var sourceColumns = []string{"id", "title", "publisher", "mirrorOf", "url", "document", "published", "type", "grade", "note"}

var citationColumns = []string{"claim", "claimType", "source", "quote", "locator", "attests", "sourceTitle", "sourceUrl", "sourceGrade"}

// NodeColumns returns the header of nodes.csv: id, then every node field.
func NodeColumns() []string { return append([]string{"id"}, names(nodeFields)...) }

// EdgeColumns returns the header of edges.csv: id, source, target, then
// every edge field.
func EdgeColumns() []string { return append([]string{"id", "source", "target"}, names(edgeFields)...) }

// SourceColumns returns the header of sources.csv.
func SourceColumns() []string { return slices.Clone(sourceColumns) }

// CitationColumns returns the header of citations.csv. claimType is
// "entity" or "relation"; claim is its id.
func CitationColumns() []string { return slices.Clone(citationColumns) }

func names(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

// rowWriter fills a row of a field table by field name.
type rowWriter struct {
	index map[string]int
	row   []string
	j     *jsonText
	err   error
}

var nodeIndex, edgeIndex = fieldIndex(nodeFields), fieldIndex(edgeFields)

func fieldIndex(fs []field) map[string]int {
	idx := make(map[string]int, len(fs))
	for i, f := range fs {
		idx[f.name] = i
	}
	return idx
}

func (w *rowWriter) set(name, v string) {
	i, ok := w.index[name]
	if !ok {
		panic("export: no field " + name)
	}
	w.row[i] = v
}

func (w *rowWriter) json(name string, v any) {
	if w.err != nil {
		return
	}
	b, err := w.j.encode(v)
	if err != nil {
		w.err = err
		return
	}
	w.set(name, string(b))
}

// nodeRow fills row (len(nodeFields)) with e's fields as text, in
// nodeFields order; "" means absent.
func (x *index) nodeRow(e *domain.Entity, j *jsonText, row []string) error {
	w := rowWriter{index: nodeIndex, row: row, j: j}
	w.set("label", label(e))
	w.set("kind", string(e.Kind))
	w.set("name", e.Name)
	w.set("nameZh", e.NameZh)
	w.json("aliases", e.Aliases)
	w.set("description", e.Description)
	w.set("validFrom", e.ValidFrom.String())
	w.set("validTo", e.ValidTo.String())
	w.json("quantities", quantities(e.Quantities))
	w.set("synthetic", strconv.FormatBool(e.Synthetic))
	w.json("citations", x.citations(e.Citations))
	w.json("counterClaims", x.counterClaims(e.ID))
	return w.err
}

// edgeRow fills row (len(edgeFields)) with r's fields as text, in
// edgeFields order; "" means absent.
func (x *index) edgeRow(r *domain.Relation, j *jsonText, row []string) error {
	w := rowWriter{index: edgeIndex, row: row, j: j}
	w.set("label", r.Type)
	w.set("type", r.Type)
	w.set("validFrom", r.ValidFrom.String())
	w.set("validTo", r.ValidTo.String())
	w.set("confidence", string(r.Confidence))
	w.set("inferred", strconv.FormatBool(r.Inferred))
	best, strength := x.evidence(r)
	w.set("bestGrade", string(best))
	w.set("strength", strength.String())
	w.set("contested", strconv.FormatBool(r.Contested || len(x.opt.CounterClaims[r.ID]) > 0))
	w.set("role", r.Role)
	w.json("quantities", quantities(r.Quantities))
	w.json("attributes", r.Attributes)
	w.set("note", r.Note)
	w.set("synthetic", strconv.FormatBool(r.Synthetic))
	w.json("citations", x.citations(r.Citations))
	w.json("counterClaims", x.counterClaims(r.ID))
	return w.err
}

// evidence is a relation's best source grade (as read, or else from the
// subgraph's sources) and the strength of its evidence.
func (x *index) evidence(r *domain.Relation) (domain.Grade, domain.Strength) {
	best := r.BestGrade
	if best == "" {
		best = domain.BestGrade(r.Citations, func(id string) (domain.Grade, bool) {
			s, ok := x.sourceBy[id]
			if !ok {
				return "", false
			}
			return s.Grade, true
		})
	}
	return best, domain.EvidenceStrength(best, r.Confidence, r.Inferred)
}
