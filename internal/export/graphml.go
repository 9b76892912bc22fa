package export

import (
	"fmt"
	"io"
	"strconv"
	"unicode"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// WriteGraphML writes g as GraphML 1.0 (see the package documentation).
func WriteGraphML(w io.Writer, g *domain.Subgraph) error {
	x, err := newIndex(g)
	if err != nil {
		return wrap(err, "graphml")
	}
	// GraphML types node and edge ids as XML name tokens; a tool would
	// reject the whole file for one bad id, so refuse it here instead.
	for _, e := range x.entities {
		if !isNMToken(e.ID) {
			return wrap(fmt.Errorf("%w: entity id %q is not an XML name token", ErrInvalidSubgraph, e.ID), "graphml")
		}
	}
	for _, r := range x.relations {
		if !isNMToken(r.ID) {
			return wrap(fmt.Errorf("%w: relation id %q is not an XML name token", ErrInvalidSubgraph, r.ID), "graphml")
		}
	}
	return wrap(writeGraphML(w, x), "graphml")
}

func writeGraphML(w io.Writer, x *index) error {
	xw := newXMLWriter(w)
	j := newJSONText()

	xw.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	xw.raw(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
		` xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	key := func(id, scope, name string, boolean bool, desc string) {
		typ := "string"
		if boolean {
			typ = "boolean"
		}
		xw.raw(`  <key`)
		xw.attr("id", id)
		xw.attr("for", scope)
		xw.attr("attr.name", name)
		xw.attr("attr.type", typ)
		xw.raw("><desc>")
		xw.content(desc)
		xw.raw("</desc></key>\n")
	}
	key("g_truncated", "graph", "truncated", true, "true when a limit cut the subgraph short")
	key("g_sources", "graph", "sources", false, `JSON array of the sources cited: [{"id","title","publisher","url","published","type","grade","note"}]`)
	for _, f := range nodeFields {
		key("n_"+f.name, "node", f.name, f.bool, f.desc)
	}
	for _, f := range edgeFields {
		key("e_"+f.name, "edge", f.name, f.bool, f.desc)
	}

	xw.raw(`  <graph id="aidtrace" edgedefault="directed">` + "\n")
	xw.raw(`    <data key="g_truncated">` + strconv.FormatBool(x.truncated) + "</data>\n")
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
		xw.raw("    </edge>\n")
	}
	xw.raw("  </graph>\n</graphml>\n")
	return xw.flush()
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
