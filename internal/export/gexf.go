package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// vizNS is the GEXF 1.3 visualisation namespace.
const vizNS = "http://gexf.net/1.3/viz"

func writeGEXF(w io.Writer, x *index) error {
	xw := newXMLWriter(w)
	j := newJSONText()
	dynamic := x.hasDates()
	viz := x.hasStyles()

	// No xsi:schemaLocation: the RELAX NG grammar, which is normative for
	// GEXF, allows no attributes it does not name. No lastmodifieddate
	// either: it would make two exports of the same data differ.
	xw.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	xw.raw(`<gexf xmlns="http://gexf.net/1.3"`)
	if viz {
		xw.raw(` xmlns:viz="` + vizNS + `"`)
	}
	xw.raw(` version="1.3">` + "\n")
	xw.raw("  <meta>\n    <creator>aidtrace</creator>\n    <description>")
	xw.content(strings.Join(x.headerLines(), "\n"))
	xw.raw("</description>\n  </meta>\n")
	if dynamic {
		xw.raw(`  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">` + "\n")
	} else {
		xw.raw(`  <graph defaultedgetype="directed" mode="static">` + "\n")
	}

	// The label is an XML attribute of nodes and edges, not an attvalue.
	declare := func(class string, fs []field) {
		xw.raw(`    <attributes class="` + class + `">` + "\n")
		for _, f := range fs[1:] {
			xw.raw("      <attribute")
			xw.attr("id", f.name)
			xw.attr("title", f.name)
			if f.bool {
				xw.attr("type", "boolean")
				xw.raw("><default>false</default></attribute>\n")
			} else {
				xw.attr("type", "string")
				xw.raw("/>\n")
			}
		}
		xw.raw("    </attributes>\n")
	}
	declare("node", nodeFields)
	declare("edge", edgeFields)

	nodeOpen := attvalueOpen(nodeFields)
	row := make([]string, len(nodeFields))
	xw.raw(`    <nodes count="` + strconv.Itoa(len(x.entities)) + `">` + "\n")
	for _, e := range x.entities {
		if err := x.nodeRow(e, j, row); err != nil {
			return err
		}
		xw.raw("      <node")
		xw.attr("id", e.ID)
		xw.attr("label", row[0])
		if dynamic {
			writeSpan(xw, e.ValidFrom, e.ValidTo)
		}
		xw.raw(">\n")
		writeAttvalues(xw, nodeOpen, row)
		if s, ok := x.style(e.ID); ok {
			writeViz(xw, s)
		}
		xw.raw("      </node>\n")
	}
	xw.raw("    </nodes>\n")

	edgeOpen := attvalueOpen(edgeFields)
	row = make([]string, len(edgeFields))
	xw.raw(`    <edges count="` + strconv.Itoa(len(x.relations)) + `">` + "\n")
	for _, r := range x.relations {
		if err := x.edgeRow(r, j, row); err != nil {
			return err
		}
		xw.raw("      <edge")
		xw.attr("id", r.ID)
		xw.attr("source", r.From)
		xw.attr("target", r.To)
		xw.attr("label", r.Type)
		// Gephi merges parallel edges of one kind on import; typed kinds
		// keep a PAIRED_WITH and a FUNDS between the same two places apart.
		xw.attr("kind", r.Type)
		if dynamic {
			writeSpan(xw, r.ValidFrom, r.ValidTo)
		}
		xw.raw(">\n")
		writeAttvalues(xw, edgeOpen, row)
		xw.raw("      </edge>\n")
	}
	xw.raw("    </edges>\n  </graph>\n</gexf>\n")
	return xw.flush()
}

// writeViz writes a node's drawing. GEXF tools (Gephi, sigma.js) draw y
// upwards, the explorer downwards: y is negated so that the picture is the
// same.
func writeViz(xw *xmlWriter, s NodeStyle) {
	if s.Color != "" {
		r, g, b := rgb(s.Color)
		xw.raw(fmt.Sprintf(`        <viz:color r="%d" g="%d" b="%d"/>`+"\n", r, g, b))
	}
	if s.Pos != nil {
		xw.raw(`        <viz:position x="` + formatCoord(s.Pos.X) + `" y="` + formatCoord(-s.Pos.Y) + `" z="0"/>` + "\n")
	}
	if s.Shape != "" {
		xw.raw(`        <viz:shape value="` + shapes[s.Shape].gexf + `"/>` + "\n")
	}
}

// writeSpan writes the start and end attributes of a dated element.
func writeSpan(xw *xmlWriter, from, to domain.PartialDate) {
	start, end, ok := interval(from, to)
	if !ok {
		return
	}
	if start != "" {
		xw.attr("start", start)
	}
	if end != "" {
		xw.attr("end", end)
	}
}

// attvalueOpen returns the start of each field's <attvalue>; the label
// (field 0) has none.
func attvalueOpen(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs[1:] {
		out[i+1] = `          <attvalue for="` + f.name + `" value="`
	}
	return out
}

func writeAttvalues(xw *xmlWriter, open, row []string) {
	xw.raw("        <attvalues>\n")
	for i, v := range row {
		if i == 0 || v == "" {
			continue
		}
		xw.raw(open[i])
		xw.attrValue(v)
		xw.raw("\"/>\n")
	}
	xw.raw("        </attvalues>\n")
}
