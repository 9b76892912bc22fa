package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// cyNode is the data of a Cytoscape.js node. Field names match nodeFields.
type cyNode struct {
	ID          string         `json:"id"`
	Label       string         `json:"label"`
	Kind        string         `json:"kind,omitempty"`
	Name        string         `json:"name,omitempty"`
	NameZh      string         `json:"nameZh,omitempty"`
	Aliases     []string       `json:"aliases,omitempty"`
	Description string         `json:"description,omitempty"`
	ValidFrom   string         `json:"validFrom,omitempty"`
	ValidTo     string         `json:"validTo,omitempty"`
	Quantities  []quantityJSON `json:"quantities,omitempty"`
	Synthetic   bool           `json:"synthetic"`
	Citations   []citationJSON `json:"citations,omitempty"`
}

// cyEdge is the data of a Cytoscape.js edge. Field names match edgeFields.
type cyEdge struct {
	ID         string            `json:"id"`
	Source     string            `json:"source"`
	Target     string            `json:"target"`
	Label      string            `json:"label"`
	Type       string            `json:"type"`
	ValidFrom  string            `json:"validFrom,omitempty"`
	ValidTo    string            `json:"validTo,omitempty"`
	Confidence string            `json:"confidence,omitempty"`
	Role       string            `json:"role,omitempty"`
	Quantities []quantityJSON    `json:"quantities,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Note       string            `json:"note,omitempty"`
	Synthetic  bool              `json:"synthetic"`
	Citations  []citationJSON    `json:"citations,omitempty"`
}

type cyGraphData struct {
	Truncated bool         `json:"truncated"`
	Sources   []sourceJSON `json:"sources"`
}

// WriteCytoscapeJSON writes g as Cytoscape.js JSON:
//
//	{"data":{"truncated":false,"sources":[…]},
//	 "elements":{"nodes":[{"data":{"id":…}}],"edges":[{"data":{"id":…,"source":…,"target":…}}]}}
//
// which cy.json() and Cytoscape desktop (File > Import > Network from File,
// .cyjs) read. Multi-valued fields are native JSON arrays and objects here.
func WriteCytoscapeJSON(w io.Writer, g *domain.Subgraph) error {
	x, err := newIndex(g)
	if err != nil {
		return wrap(err, "cytoscape")
	}
	return wrap(writeCytoscape(w, x), "cytoscape")
}

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
	if err := enc.Encode(cyGraphData{Truncated: x.truncated, Sources: x.sourcesJSON()}); err != nil {
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
		}
		if err := enc.Encode(struct {
			Data cyNode `json:"data"`
		}{n}); err != nil {
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
		d := cyEdge{
			ID: r.ID, Source: r.From, Target: r.To, Label: r.Type, Type: r.Type,
			ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(),
			Confidence: string(r.Confidence), Role: r.Role, Quantities: quantities(r.Quantities),
			Attributes: r.Attributes, Note: r.Note, Synthetic: r.Synthetic, Citations: x.citations(r.Citations),
		}
		if err := enc.Encode(struct {
			Data cyEdge `json:"data"`
		}{d}); err != nil {
			return fmt.Errorf("encode relation %q: %w", r.ID, err)
		}
	}
	if err := put("]}}\n"); err != nil {
		return err
	}
	return bw.Flush()
}
