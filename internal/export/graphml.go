package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// yEd's GraphML extension: its namespace and the schema that extends
// GraphML's with it (what yEd itself writes in xsi:schemaLocation).
const (
	yNS       = "http://www.yworks.com/xml/graphml"
	ySchema   = "http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"
	yNodeSize = 30.0 // width and height of a node in yEd
)

// graphKeys are the graph's own data: the header.
var graphKeys = []struct{ name, typ, desc string }{
	{"truncated", "boolean", "true when a limit cut the subgraph short"},
	{"title", "string", "what the export shows"},
	{"asOf", "string", "the date the view shows: YYYY, YYYY-MM or YYYY-MM-DD"},
	{"view", "string", "the address of the view this was exported from"},
	{"credit", "string", "credit line"},
	{"sources", "string", `JSON array of the sources cited: [{"id","title","publisher","url","published","type","grade","note"}]`},
}

func writeGraphML(w io.Writer, x *index) error {
	// GraphML types node and edge ids as XML name tokens; a tool would
	// reject the whole file for one bad id, so refuse it here instead.
	for _, e := range x.entities {
		if !isNMToken(e.ID) {
			return fmt.Errorf("%w: entity id %q is not an XML name token", ErrInvalidSubgraph, e.ID)
		}
	}
	for _, r := range x.relations {
		if !isNMToken(r.ID) {
			return fmt.Errorf("%w: relation id %q is not an XML name token", ErrInvalidSubgraph, r.ID)
		}
	}
	xw := newXMLWriter(w)
	j := newJSONText()
	yed := x.hasStyles()

	xw.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	xw.raw(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`)
	if yed {
		xw.raw(` xmlns:y="` + yNS + `" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns ` + ySchema + `">` + "\n")
	} else {
		xw.raw(` xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	}
	key := func(id, scope, name, typ, desc string) {
		xw.raw(`  <key`)
		xw.attr("id", id)
		xw.attr("for", scope)
		xw.attr("attr.name", name)
		xw.attr("attr.type", typ)
		xw.raw("><desc>")
		xw.content(desc)
		xw.raw("</desc></key>\n")
	}
	boolType := func(b bool) string {
		if b {
			return "boolean"
		}
		return "string"
	}
	for _, k := range graphKeys {
		key("g_"+k.name, "graph", k.name, k.typ, k.desc)
	}
	for _, f := range nodeFields {
		key("n_"+f.name, "node", f.name, boolType(f.bool), f.desc)
	}
	for _, f := range edgeFields {
		key("e_"+f.name, "edge", f.name, boolType(f.bool), f.desc)
	}
	if yed {
		// yFiles keys carry no attr.name: yEd reads their content as
		// graphics, other tools ignore it.
		xw.raw(`  <key id="n_graphics" for="node" yfiles.type="nodegraphics"/>` + "\n")
		xw.raw(`  <key id="e_graphics" for="edge" yfiles.type="edgegraphics"/>` + "\n")
	}

	xw.raw(`  <graph id="aidtrace" edgedefault="directed">` + "\n")
	graphData := func(name, v string) {
		if v == "" {
			return
		}
		xw.raw(`    <data key="g_` + name + `">`)
		xw.content(v)
		xw.raw("</data>\n")
	}
	m := x.opt.Meta
	graphData("truncated", strconv.FormatBool(x.truncated))
	graphData("title", m.Title)
	graphData("asOf", m.AsOf.String())
	graphData("view", m.View)
	graphData("credit", Credit)
	if len(x.sources) > 0 {
		b, err := j.encode(x.sourcesJSON())
		if err != nil {
			return err
		}
		xw.raw(`    <data key="g_sources">`)
		xw.contentBytes(b)
		xw.raw("</data>\n")
	}

	nodeOpen := dataOpen("n_", nodeFields)
	row := make([]string, len(nodeFields))
	for _, e := range x.entities {
		if err := x.nodeRow(e, j, row); err != nil {
			return err
		}
		xw.raw("    <node")
		xw.attr("id", e.ID)
		xw.raw(">\n")
		writeData(xw, nodeOpen, row)
		if s, ok := x.style(e.ID); ok && yed {
			writeShapeNode(xw, s, row[0])
		}
		xw.raw("    </node>\n")
	}

	edgeOpen := dataOpen("e_", edgeFields)
	row = make([]string, len(edgeFields))
	for _, r := range x.relations {
		if err := x.edgeRow(r, j, row); err != nil {
			return err
		}
		xw.raw("    <edge")
		xw.attr("id", r.ID)
		xw.attr("source", r.From)
		xw.attr("target", r.To)
		xw.raw(">\n")
		writeData(xw, edgeOpen, row)
		if yed {
			xw.raw(`      <data key="e_graphics"><y:PolyLineEdge><y:Arrows source="none" target="standard"/><y:EdgeLabel>`)
			xw.content(r.Type)
			xw.raw("</y:EdgeLabel></y:PolyLineEdge></data>\n")
		}
		xw.raw("    </edge>\n")
	}
	xw.raw("  </graph>\n</graphml>\n")
	return xw.flush()
}

// writeShapeNode writes a node's drawing as yEd reads it. yEd's Geometry is
// the node's bounding box, so its x and y are the top-left corner.
func writeShapeNode(xw *xmlWriter, s NodeStyle, label string) {
	size := formatCoord(yNodeSize)
	xw.raw(`      <data key="n_graphics"><y:ShapeNode><y:Geometry height="` + size + `" width="` + size + `"`)
	if s.Pos != nil {
		xw.attr("x", formatCoord(s.Pos.X-yNodeSize/2))
		xw.attr("y", formatCoord(s.Pos.Y-yNodeSize/2))
	}
	xw.raw("/>")
	if s.Color != "" {
		xw.raw(`<y:Fill color="` + strings.ToUpper(s.Color) + `" transparent="false"/>`)
	}
	xw.raw(`<y:NodeLabel>`)
	xw.content(label)
	xw.raw(`</y:NodeLabel>`)
	if s.Shape != "" {
		xw.raw(`<y:Shape type="` + shapes[s.Shape].yed + `"/>`)
	}
	xw.raw("</y:ShapeNode></data>\n")
}

// dataOpen returns the opening <data> tag of each field.
func dataOpen(prefix string, fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = `      <data key="` + prefix + f.name + `">`
	}
	return out
}

func writeData(xw *xmlWriter, open, row []string) {
	for i, v := range row {
		if v == "" {
			continue
		}
		xw.raw(open[i])
		xw.content(v)
		xw.raw("</data>\n")
	}
}

// isNMToken reports whether s is an XML 1.0 name token. It accepts the ASCII
// name characters and, beyond ASCII, letters, digits and marks: a slight
// superset of the production for exotic scripts, exact for the ASCII ids the
// domain uses.
func isNMToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '.', r == '-', r == '_', r == ':', r == 0xB7:
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return false
		}
	}
	return true
}
