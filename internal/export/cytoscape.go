package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// cyNode is the data of a Cytoscape.js node. Field names match nodeFields.
type cyNode struct {
	ID            string             `json:"id"`
	Label         string             `json:"label"`
	Kind          string             `json:"kind,omitempty"`
	Name          string             `json:"name,omitempty"`
	NameZh        string             `json:"nameZh,omitempty"`
	Aliases       []string           `json:"aliases,omitempty"`
	Description   string             `json:"description,omitempty"`
	ValidFrom     string             `json:"validFrom,omitempty"`
	ValidTo       string             `json:"validTo,omitempty"`
	Quantities    []quantityJSON     `json:"quantities,omitempty"`
	Synthetic     bool               `json:"synthetic"`
	Citations     []citationJSON     `json:"citations,omitempty"`
	CounterClaims []counterClaimJSON `json:"counterClaims,omitempty"`
	Color         string             `json:"color,omitempty"`
	Shape         string             `json:"shape,omitempty"`
}

// cyEdge is the data of a Cytoscape.js edge. Field names match edgeFields.
type cyEdge struct {
	ID            string             `json:"id"`
	Source        string             `json:"source"`
	Target        string             `json:"target"`
	Label         string             `json:"label"`
	Type          string             `json:"type"`
	ValidFrom     string             `json:"validFrom,omitempty"`
	ValidTo       string             `json:"validTo,omitempty"`
	Confidence    string             `json:"confidence,omitempty"`
	Inferred      bool               `json:"inferred"`
	BestGrade     string             `json:"bestGrade,omitempty"`
	Strength      string             `json:"strength"`
	Contested     bool               `json:"contested"`
	Role          string             `json:"role,omitempty"`
	Quantities    []quantityJSON     `json:"quantities,omitempty"`
	Attributes    map[string]string  `json:"attributes,omitempty"`
	Note          string             `json:"note,omitempty"`
	Synthetic     bool               `json:"synthetic"`
	Citations     []citationJSON     `json:"citations,omitempty"`
	CounterClaims []counterClaimJSON `json:"counterClaims,omitempty"`
}

type cyGraphData struct {
	Title     string       `json:"title,omitempty"`
	AsOf      string       `json:"asOf,omitempty"`
	View      string       `json:"view,omitempty"`
	Credit    string       `json:"credit"`
	Truncated bool         `json:"truncated"`
	Sources   []sourceJSON `json:"sources"`
}

type cyPosition struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// cyStyle is the style sheet written with drawn nodes: it draws each node
// with the colour and shape in its data, as the explorer drew it.
const cyStyle = `[{"selector":"node","style":{"label":"data(label)"}},` +
	`{"selector":"node[color]","style":{"background-color":"data(color)"}},` +
	`{"selector":"node[shape]","style":{"shape":"data(shape)"}},` +
	`{"selector":"edge","style":{"label":"data(label)","curve-style":"bezier","target-arrow-shape":"triangle"}}]`

// writeCytoscape writes Cytoscape.js JSON:
//
//	{"data":{"credit":…,"truncated":false,"sources":[…]},
//	 "elements":{"nodes":[{"data":{"id":…},"position":{"x":…,"y":…}}],"edges":[{"data":{"id":…,"source":…,"target":…}}]},
//	 "style":[…]}
//
// which cy.json() and Cytoscape desktop (File > Import > Network from File,
// .cyjs) read. Multi-valued fields are native JSON arrays and objects here.
// "position" and "style" are written only for drawn nodes.
func writeCytoscape(w io.Writer, x *index) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	// Encode ends each value with a newline, which puts one element per
	// line: readable, and diffs line up with elements.
	put := func(s string) error {
		_, err := bw.WriteString(s)
		return err
	}
	if err := put(`{"data":`); err != nil {
		return err
	}
	m := x.opt.Meta
	if err := enc.Encode(cyGraphData{Title: m.Title, AsOf: m.AsOf.String(), View: m.View, Credit: Credit,
		Truncated: x.truncated, Sources: x.sourcesJSON()}); err != nil {
		return fmt.Errorf("encode graph data: %w", err)
	}
	if err := put(`,"elements":{"nodes":[` + "\n"); err != nil {
		return err
	}
	for i, e := range x.entities {
		if i > 0 {
			if err := put(","); err != nil {
				return err
			}
		}
		n := cyNode{
			ID: e.ID, Label: label(e), Kind: string(e.Kind), Name: e.Name, NameZh: e.NameZh,
			Aliases: e.Aliases, Description: e.Description,
			ValidFrom: e.ValidFrom.String(), ValidTo: e.ValidTo.String(),
			Quantities: quantities(e.Quantities), Synthetic: e.Synthetic, Citations: x.citations(e.Citations),
			CounterClaims: x.counterClaims(e.ID),
		}
		var pos *cyPosition
		if st, ok := x.style(e.ID); ok {
			n.Color, n.Shape = st.Color, st.Shape
			if st.Pos != nil {
				pos = &cyPosition{X: st.Pos.X, Y: st.Pos.Y}
			}
		}
		if err := enc.Encode(struct {
			Data     cyNode      `json:"data"`
			Position *cyPosition `json:"position,omitempty"`
		}{n, pos}); err != nil {
			return fmt.Errorf("encode entity %q: %w", e.ID, err)
		}
	}
	if err := put(`],"edges":[` + "\n"); err != nil {
		return err
	}
	for i, r := range x.relations {
		if i > 0 {
			if err := put(","); err != nil {
				return err
			}
		}
		best, strength := x.evidence(r)
		ccs := x.counterClaims(r.ID)
		d := cyEdge{
			ID: r.ID, Source: r.From, Target: r.To, Label: r.Type, Type: r.Type,
			ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(),
			Confidence: string(r.Confidence), Inferred: r.Inferred, BestGrade: string(best), Strength: strength.String(),
			Contested: r.Contested || len(ccs) > 0, Role: r.Role, Quantities: quantities(r.Quantities),
			Attributes: r.Attributes, Note: r.Note, Synthetic: r.Synthetic, Citations: x.citations(r.Citations),
			CounterClaims: ccs,
		}
		if err := enc.Encode(struct {
			Data cyEdge `json:"data"`
		}{d}); err != nil {
			return fmt.Errorf("encode relation %q: %w", r.ID, err)
		}
	}
	end := "]}}\n"
	if x.hasStyles() {
		end = "]},\n\"style\":" + cyStyle + "}\n"
	}
	if err := put(end); err != nil {
		return err
	}
	return bw.Flush()
}
