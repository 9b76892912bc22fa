package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Format is an export format.
type Format string

// The formats. Their names are what clients ask for (see ParseFormat).
const (
	GraphML      Format = "graphml"
	GEXF         Format = "gexf"
	Cytoscape    Format = "cytoscape"
	CSV          Format = "csv" // a zip of README.txt and the four tables
	CSVNodes     Format = "csv-nodes"
	CSVEdges     Format = "csv-edges"
	CSVSources   Format = "csv-sources"
	CSVCitations Format = "csv-citations"
	FtM          Format = "ftm" // FollowTheMoney entities, one JSON object a line
)

// ErrInvalidSubgraph is wrapped by the errors for subgraphs no graph tool
// could read faithfully: empty or duplicate ids, relations whose ends are not
// among the entities.
var ErrInvalidSubgraph = errors.New("invalid subgraph")

var formats = []Format{GraphML, GEXF, Cytoscape, CSV, CSVNodes, CSVEdges, CSVSources, CSVCitations, FtM}

// aliases are older names still accepted: the single tables were served
// as /export/nodes.csv and /export/edges.csv.
var aliases = map[string]Format{"nodes.csv": CSVNodes, "edges.csv": CSVEdges}

// Formats returns every format, in a stable order.
func Formats() []Format { return slices.Clone(formats) }

// ParseFormat returns the format named s (case-insensitive). An unknown name
// is a BAD_USER_INPUT error whose message lists the valid ones, since it
// usually comes straight from a client's query string.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if f := Format(name); slices.Contains(formats, f) {
		return f, nil
	}
	if f, ok := aliases[name]; ok {
		return f, nil
	}
	return "", unknownFormat(s)
}

func unknownFormat(s string) error {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return domain.Errorf(domain.EBADINPUT, "unknown export format %q: valid formats are %s", truncate(s, 80), strings.Join(names, ", "))
}

// truncate shortens s to n runes for an error message, valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ContentType is the media type to serve the format with.
func (f Format) ContentType() string {
	switch f {
	case GraphML:
		return "application/graphml+xml; charset=utf-8"
	case GEXF:
		return "application/gexf+xml; charset=utf-8"
	case CSV:
		return "application/zip"
	case CSVNodes, CSVEdges, CSVSources, CSVCitations:
		return "text/csv; charset=utf-8"
	case Cytoscape:
		// RFC 8259: JSON is always UTF-8 and the type has no charset parameter.
		return "application/json"
	case FtM:
		// One JSON value a line (NDJSON), as followthemoney's tools read it.
		return "application/x-ndjson"
	}
	return "application/octet-stream"
}

// Extension is the file name ending for the format, with its dot.
// Cytoscape desktop recognises ".cyjs" as Cytoscape.js JSON; ".ftm.json" is
// the ending followthemoney's command-line tools and Aleph's docs use. The
// zip of tables ends in "_csv.zip" so that its name says what is inside.
func (f Format) Extension() string {
	switch f {
	case GraphML:
		return ".graphml"
	case GEXF:
		return ".gexf"
	case CSV:
		return "_csv.zip"
	case CSVNodes:
		return "_nodes.csv"
	case CSVEdges:
		return "_edges.csv"
	case CSVSources:
		return "_sources.csv"
	case CSVCitations:
		return "_citations.csv"
	case Cytoscape:
		return ".cyjs"
	case FtM:
		return ".ftm.json"
	}
	return ""
}

// HasLayout reports whether the format can carry node positions and
// colours (Options.Styles).
func (f Format) HasLayout() bool { return f == GraphML || f == GEXF || f == Cytoscape }

// Write writes g to w in format f. opt (nil for none) adds a header and the
// drawing of each node where the format has a place for them. Nothing is
// written when g is invalid; after that, only a write error can stop it
// half-way.
func Write(w io.Writer, f Format, g *domain.Subgraph, opt *Options) error {
	if opt == nil {
		opt = &Options{}
	}
	if err := opt.check(); err != nil {
		return wrap(err, string(f))
	}
	if !slices.Contains(formats, f) {
		return unknownFormat(string(f))
	}
	x, err := newIndex(g)
	if err != nil {
		return wrap(err, string(f))
	}
	x.opt = opt
	switch f {
	case GraphML:
		err = writeGraphML(w, x)
	case GEXF:
		err = writeGEXF(w, x)
	case Cytoscape:
		err = writeCytoscape(w, x)
	case CSV:
		err = writeCSVZip(w, x)
	case CSVNodes:
		err = writeTable(w, x.writeNodes)
	case CSVEdges:
		err = writeTable(w, x.writeEdges)
	case CSVSources:
		err = writeTable(w, x.writeSources)
	case CSVCitations:
		err = writeTable(w, x.writeCitations)
	case FtM:
		err = writeFtM(w, x)
	}
	return wrap(err, string(f))
}

// index is a subgraph sorted by id, checked and with its sources by id: what
// every writer walks. The entities, relations and sources are pointers into
// the caller's subgraph, which is never modified.
type index struct {
	entities  []*domain.Entity
	relations []*domain.Relation
	sources   []*domain.Source
	sourceBy  map[string]*domain.Source
	truncated bool
	opt       *Options
}

// newIndex sorts and checks g. Checking before writing means a bad subgraph
// produces an error, not half a file.
func newIndex(g *domain.Subgraph) (*index, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil subgraph", ErrInvalidSubgraph)
	}
	x := &index{
		entities:  make([]*domain.Entity, len(g.Entities)),
		relations: make([]*domain.Relation, len(g.Relations)),
		sources:   make([]*domain.Source, len(g.Sources)),
		sourceBy:  make(map[string]*domain.Source, len(g.Sources)),
		truncated: g.Truncated,
	}
	for i := range g.Entities {
		x.entities[i] = &g.Entities[i]
	}
	for i := range g.Relations {
		x.relations[i] = &g.Relations[i]
	}
	for i := range g.Sources {
		x.sources[i] = &g.Sources[i]
	}
	slices.SortFunc(x.entities, func(a, b *domain.Entity) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(x.relations, func(a, b *domain.Relation) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(x.sources, func(a, b *domain.Source) int { return strings.Compare(a.ID, b.ID) })

	// Node and edge ids share one namespace in Cytoscape.js, so they must
	// differ from each other too (domain ids do: "rel:" is reserved).
	entityIDs := make(map[string]bool, len(x.entities))
	for _, e := range x.entities {
		if e.ID == "" {
			return nil, fmt.Errorf("%w: an entity has no id", ErrInvalidSubgraph)
		}
		if entityIDs[e.ID] {
			return nil, fmt.Errorf("%w: duplicate entity id %q", ErrInvalidSubgraph, e.ID)
		}
		entityIDs[e.ID] = true
	}
	relationIDs := make(map[string]bool, len(x.relations))
	for _, r := range x.relations {
		switch {
		case r.ID == "":
			return nil, fmt.Errorf("%w: a relation from %q to %q has no id", ErrInvalidSubgraph, r.From, r.To)
		case relationIDs[r.ID] || entityIDs[r.ID]:
			return nil, fmt.Errorf("%w: duplicate id %q (relation)", ErrInvalidSubgraph, r.ID)
		case !entityIDs[r.From]:
			return nil, fmt.Errorf("%w: relation %q: source %q is not among the entities", ErrInvalidSubgraph, r.ID, r.From)
		case !entityIDs[r.To]:
			return nil, fmt.Errorf("%w: relation %q: target %q is not among the entities", ErrInvalidSubgraph, r.ID, r.To)
		}
		relationIDs[r.ID] = true
	}
	for _, s := range x.sources {
		if _, dup := x.sourceBy[s.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate source id %q", ErrInvalidSubgraph, s.ID)
		}
		x.sourceBy[s.ID] = s
	}
	return x, nil
}

// hasDates reports whether any node or edge has a date.
func (x *index) hasDates() bool {
	for _, e := range x.entities {
		if !e.ValidFrom.IsZero() || !e.ValidTo.IsZero() {
			return true
		}
	}
	for _, r := range x.relations {
		if !r.ValidFrom.IsZero() || !r.ValidTo.IsZero() {
			return true
		}
	}
	return false
}

// label is what a tool shows for an entity.
func label(e *domain.Entity) string {
	switch {
	case e.Name != "":
		return e.Name
	case e.NameZh != "":
		return e.NameZh
	}
	return e.ID
}

// interval is the span a claim valid from..to covers, as dates: the first
// day from can mean and the last day to can mean (each "" when unknown), as
// domain.ActiveOn reads partial dates. ok is false when the span is empty
// (start after end), which only invalid data can give.
func interval(from, to domain.PartialDate) (start, end string, ok bool) {
	start, end = from.Start(), to.End()
	if start != "" && end != "" && start > end {
		return "", "", false
	}
	return start, end, true
}

// citationJSON is how a citation is written.
type citationJSON struct {
	Source  string `json:"source"`
	Quote   string `json:"quote,omitempty"`
	Locator string `json:"locator,omitempty"`
	Attests string `json:"attests,omitempty"`
	Title   string `json:"title,omitempty"`
	URL     string `json:"url,omitempty"`
	Grade   string `json:"grade,omitempty"`
}

// quantityJSON is how a quantity is written.
type quantityJSON struct {
	Name   string    `json:"name"`
	Value  jsonFloat `json:"value"`
	Unit   string    `json:"unit,omitempty"`
	Source string    `json:"source,omitempty"`
}

// counterClaimJSON is how a counter-claim is written.
type counterClaimJSON struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	By        string         `json:"by,omitempty"`
	Date      string         `json:"date,omitempty"`
	Statement string         `json:"statement"`
	Citations []citationJSON `json:"citations,omitempty"`
}

// jsonFloat is a float64 that JSON can always carry: encoding/json refuses
// NaN and infinities, and an export must not fail on one odd figure.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// sourceJSON is how a source is written (GraphML g_sources, Cytoscape data).
type sourceJSON struct {
	ID        string `json:"id"`
	Title     string `json:"title,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	MirrorOf  string `json:"mirrorOf,omitempty"`
	URL       string `json:"url,omitempty"`
	Document  string `json:"document,omitempty"`
	Published string `json:"published,omitempty"`
	Type      string `json:"type,omitempty"`
	Grade     string `json:"grade,omitempty"`
	Note      string `json:"note,omitempty"`
}

func (x *index) citations(cs []domain.Citation) []citationJSON {
	if len(cs) == 0 {
		return nil
	}
	out := make([]citationJSON, len(cs))
	for i, c := range cs {
		out[i] = citationJSON{Source: c.SourceID, Quote: c.Quote, Locator: c.Locator, Attests: c.Attests.String()}
		if s, ok := x.sourceBy[c.SourceID]; ok {
			out[i].Title, out[i].URL, out[i].Grade = s.Title, s.URL, string(s.Grade)
		}
	}
	return out
}

// counterClaimIDs returns the contested ids, sorted.
func (x *index) counterClaimIDs() []string {
	ids := make([]string, 0, len(x.opt.CounterClaims))
	for id := range x.opt.CounterClaims {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// counterClaims returns the counter-claims contesting claim id.
func (x *index) counterClaims(id string) []counterClaimJSON {
	ccs := x.opt.CounterClaims[id]
	if len(ccs) == 0 {
		return nil
	}
	out := make([]counterClaimJSON, len(ccs))
	for i, c := range ccs {
		out[i] = counterClaimJSON{ID: c.ID, Kind: string(c.Kind), By: c.By, Date: c.Date.String(), Statement: c.Statement, Citations: x.citations(c.Citations)}
	}
	return out
}

func quantities(qs []domain.Quantity) []quantityJSON {
	if len(qs) == 0 {
		return nil
	}
	out := make([]quantityJSON, len(qs))
	for i, q := range qs {
		out[i] = quantityJSON{Name: q.Name, Value: jsonFloat(q.Value), Unit: q.Unit, Source: q.Source}
	}
	return out
}

func (x *index) sourcesJSON() []sourceJSON {
	out := make([]sourceJSON, len(x.sources))
	for i, s := range x.sources {
		out[i] = sourceJSON{ID: s.ID, Title: s.Title, Publisher: s.Publisher, MirrorOf: s.MirrorOf, URL: s.URL, Document: s.Document,
			Published: s.Published.String(), Type: string(s.Type), Grade: string(s.Grade), Note: s.Note}
	}
	return out
}

// jsonText encodes values as compact JSON without HTML escaping (so "<&>"
// and Chinese stay readable inside XML attributes and CSV cells), reusing
// one buffer.
type jsonText struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONText() *jsonText {
	j := &jsonText{}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

// encode returns v as JSON, or "" for nil slices and empty maps (absent
// means empty). The result is only valid until the next call.
func (j *jsonText) encode(v any) ([]byte, error) {
	if isEmpty(v) {
		return nil, nil
	}
	j.buf.Reset()
	if err := j.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	b := j.buf.Bytes()
	return b[:len(b)-1], nil // Encode ends with a newline
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case []string:
		return len(v) == 0
	case []citationJSON:
		return len(v) == 0
	case []quantityJSON:
		return len(v) == 0
	case []counterClaimJSON:
		return len(v) == 0
	case map[string]string:
		return len(v) == 0
	}
	return false
}

// wrap adds the format to a write error.
func wrap(err error, format string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("export %s: %w", format, err)
}
