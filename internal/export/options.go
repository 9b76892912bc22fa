package export

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Credit is the credit line every export's header carries.
const Credit = "aidtrace: the governance chain of Xinjiang Aid (对口援疆) as an open knowledge graph; every node and edge cites its sources"

// Options say what to write in a file's header and how the nodes were
// drawn. The zero value writes the data and the credit line alone.
type Options struct {
	Meta Meta
	// Styles holds the drawing of nodes by entity id: position, colour,
	// shape. Nodes without an entry are written without one.
	Styles map[string]NodeStyle
	// CounterClaims holds the counter-claims contesting the subgraph's
	// entities and relations, by the id they contest (domain.Exports.CounterClaims).
	CounterClaims map[string][]domain.CounterClaim
}

// Meta is a file's header: what the export shows.
type Meta struct {
	Title string             // e.g. "Moyu County: responsibility chains up"
	AsOf  domain.PartialDate // the date the view shows (zero: all dates)
	View  string             // the address of the view it was exported from (http or https)
}

// NodeStyle is how one node was drawn.
type NodeStyle struct {
	Pos   *Point // centre of the node, Cytoscape.js model coordinates (y grows downwards); nil: none
	Color string // "#rrggbb", lower case; "": none
	Shape string // a Cytoscape.js node shape (see Shapes); "": none
}

// Point is a node position.
type Point struct{ X, Y float64 }

// MaxCoordinate bounds |x| and |y| of a position: far beyond any drawing,
// small enough that every format writes it as a plain decimal.
const MaxCoordinate = 1e7

// MaxMetaLen caps the title and the view address, in characters.
const MaxMetaLen = 2000

// shapes maps the Cytoscape.js node shapes to their nearest yEd ShapeNode
// type and GEXF viz:shape value (GEXF has four shapes, yEd about a dozen).
var shapes = map[string]struct{ yed, gexf string }{
	"ellipse":                {"ellipse", "disc"},
	"triangle":               {"triangle", "triangle"},
	"round-triangle":         {"triangle", "triangle"},
	"rectangle":              {"rectangle", "square"},
	"round-rectangle":        {"roundrectangle", "square"},
	"roundrectangle":         {"roundrectangle", "square"},
	"bottom-round-rectangle": {"roundrectangle", "square"},
	"cut-rectangle":          {"octagon", "square"},
	"barrel":                 {"ellipse", "square"},
	"rhomboid":               {"parallelogram", "square"},
	"right-rhomboid":         {"parallelogram2", "square"},
	"diamond":                {"diamond", "diamond"},
	"round-diamond":          {"diamond", "diamond"},
	"pentagon":               {"hexagon", "disc"},
	"round-pentagon":         {"hexagon", "disc"},
	"hexagon":                {"hexagon", "disc"},
	"round-hexagon":          {"hexagon", "disc"},
	"concave-hexagon":        {"hexagon", "disc"},
	"heptagon":               {"octagon", "disc"},
	"round-heptagon":         {"octagon", "disc"},
	"octagon":                {"octagon", "disc"},
	"round-octagon":          {"octagon", "disc"},
	"star":                   {"star5", "disc"},
	"tag":                    {"trapezoid2", "square"},
	"round-tag":              {"trapezoid2", "square"},
	"vee":                    {"triangle", "triangle"},
}

// Shapes returns the node shapes a NodeStyle may name, sorted.
func Shapes() []string {
	out := make([]string, 0, len(shapes))
	for s := range shapes {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// ParseColor returns c as "#rrggbb" (lower case), from "#rrggbb" or "#rgb".
func ParseColor(c string) (string, error) {
	bad := domain.Errorf(domain.EBADINPUT, "colour %q is not #rrggbb", truncate(c, 40))
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return "", bad
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return "", bad
		}
	}
	c = strings.ToLower(c)
	if len(c) == 4 {
		c = string([]byte{'#', c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	return c, nil
}

// rgb returns the channels of a colour checked by ParseColor.
func rgb(c string) (r, g, b int) {
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

// CheckView checks a view address: an absolute http or https URL.
func CheckView(s string) error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxMetaLen {
		return domain.Errorf(domain.EBADINPUT, "view: not valid UTF-8 or longer than %d characters", MaxMetaLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return domain.Errorf(domain.EBADINPUT, "view: %q is not an http or https address", truncate(s, 80))
	}
	return nil
}

// check validates the options, so that a bad one is an error before
// anything is written.
func (o *Options) check() error {
	if !utf8.ValidString(o.Meta.Title) || utf8.RuneCountInString(o.Meta.Title) > MaxMetaLen {
		return domain.Errorf(domain.EBADINPUT, "title: not valid UTF-8 or longer than %d characters", MaxMetaLen)
	}
	if err := CheckView(o.Meta.View); err != nil {
		return err
	}
	for id, s := range o.Styles {
		if s.Pos != nil {
			for _, v := range []float64{s.Pos.X, s.Pos.Y} {
				if math.IsNaN(v) || math.Abs(v) > MaxCoordinate {
					return domain.Errorf(domain.EBADINPUT, "node %q: a coordinate must be a number within ±%g", truncate(id, 80), MaxCoordinate)
				}
			}
		}
		if s.Color != "" {
			if c, err := ParseColor(s.Color); err != nil || c != s.Color {
				return domain.Errorf(domain.EBADINPUT, "node %q: colour %q is not #rrggbb in lower case", truncate(id, 80), truncate(s.Color, 40))
			}
		}
		if _, ok := shapes[s.Shape]; s.Shape != "" && !ok {
			return domain.Errorf(domain.EBADINPUT, "node %q: unknown shape %q (valid: %s)", truncate(id, 80), truncate(s.Shape, 40), strings.Join(Shapes(), ", "))
		}
	}
	return nil
}

// style returns the drawing of entity id, if any.
func (x *index) style(id string) (NodeStyle, bool) {
	s, ok := x.opt.Styles[id]
	return s, ok && (s.Pos != nil || s.Color != "" || s.Shape != "")
}

// hasStyles reports whether any node of the subgraph has a drawing.
func (x *index) hasStyles() bool {
	for _, e := range x.entities {
		if _, ok := x.style(e.ID); ok {
			return true
		}
	}
	return false
}

// headerLines is the header as "name: value" lines, for formats that have
// only free text for it (GEXF description, the zip's README).
func (x *index) headerLines() []string {
	var out []string
	m := x.opt.Meta
	if m.Title != "" {
		out = append(out, "title: "+m.Title)
	}
	if !m.AsOf.IsZero() {
		out = append(out, "as of: "+m.AsOf.String())
	}
	if m.View != "" {
		out = append(out, "view: "+m.View)
	}
	out = append(out, "credit: "+Credit)
	out = append(out, fmt.Sprintf("contents: %d entities, %d relations, %d sources", len(x.entities), len(x.relations), len(x.sources)))
	if x.truncated {
		out = append(out, "truncated: a limit cut this subgraph short; it is not complete")
	}
	return out
}

// formatCoord writes a coordinate as a plain decimal (no exponent), which
// every XML schema type for numbers accepts.
func formatCoord(v float64) string {
	if v == 0 {
		return "0" // also for -0
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
