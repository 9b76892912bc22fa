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
	{name: "quantities", desc: `JSON array of figures: [{"name","value","unit"}]`},
	{name: "synthetic", bool: true, desc: "true for generated test data, never real"},
	{name: "citations", desc: `JSON array of sources: [{"source","quote","locator","title","url","grade"}]`},
}

var edgeFields = []field{
	{name: "label", desc: "what tools show: the relation type"},
	{name: "type", desc: "relation type, e.g. PAIRED_WITH, LICENSES"},
	{name: "validFrom", desc: "first date the relation held: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "validTo", desc: "last date the relation held: YYYY, YYYY-MM or YYYY-MM-DD"},
	{name: "confidence", desc: "confirmed, reported or disputed"},
	{name: "role", desc: "role or post, e.g. for LEADS"},
	{name: "quantities", desc: `JSON array of figures: [{"name","value","unit"}]`},
	{name: "attributes", desc: `JSON object of type-specific attributes, e.g. {"subList":"…"}`},
	{name: "note", desc: "note"},
	{name: "synthetic", bool: true, desc: "true for generated test data, never real"},
	{name: "citations", desc: `JSON array of sources: [{"source","quote","locator","title","url","grade"}]`},
}

var sourceColumns = []string{"id", "title", "publisher", "url", "published", "type", "grade", "note"}

var citationColumns = []string{"claim", "claimType", "source", "quote", "locator", "sourceTitle", "sourceUrl", "sourceGrade"}

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

// nodeRow fills row (len(nodeFields)) with e's fields as text, in
// nodeFields order; "" means absent.
func (x *index) nodeRow(e *domain.Entity, j *jsonText, row []string) error {
	aliases, err := j.encode(e.Aliases)
	if err != nil {
		return err
	}
	row[4] = string(aliases)
	qs, err := j.encode(quantities(e.Quantities))
	if err != nil {
		return err
	}
	row[8] = string(qs)
	cs, err := j.encode(x.citations(e.Citations))
	if err != nil {
		return err
	}
	row[10] = string(cs)
	row[0], row[1], row[2], row[3] = label(e), string(e.Kind), e.Name, e.NameZh
	row[5], row[6], row[7] = e.Description, e.ValidFrom.String(), e.ValidTo.String()
	row[9] = strconv.FormatBool(e.Synthetic)
	return nil
}

// edgeRow fills row (len(edgeFields)) with r's fields as text, in
// edgeFields order; "" means absent.
func (x *index) edgeRow(r *domain.Relation, j *jsonText, row []string) error {
	qs, err := j.encode(quantities(r.Quantities))
	if err != nil {
		return err
	}
	row[6] = string(qs)
	attrs, err := j.encode(r.Attributes)
	if err != nil {
		return err
	}
	row[7] = string(attrs)
	cs, err := j.encode(x.citations(r.Citations))
	if err != nil {
		return err
	}
	row[10] = string(cs)
	row[0], row[1], row[2], row[3] = r.Type, r.Type, r.ValidFrom.String(), r.ValidTo.String()
	row[4], row[5], row[8] = string(r.Confidence), r.Role, r.Note
	row[9] = strconv.FormatBool(r.Synthetic)
	return nil
}
