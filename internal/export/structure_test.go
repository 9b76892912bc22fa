package export

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Structural checks of GraphML and GEXF, written for aidtrace from the
// formats' specifications: the GraphML Primer and specification
// (graphml.graphdrawing.org: structure, the attributes extension, the
// "yfiles.type" keys of yEd's extension) and the GEXF 1.3 primer and its
// RELAX NG grammar (gexf.net: meta, graph, attributes, nodes, edges,
// dynamics, the viz module). They check what those documents require of a
// file and what aidtrace relies on; networkx reading the same files is the
// other, independent check (readers_test.go).

// xelem is an XML element read generically.
type xelem struct {
	name  xml.Name
	attrs map[string]string // "local" for unqualified attributes, "space local" otherwise
	kids  []*xelem
	text  string
}

func (e *xelem) is(space, local string) bool { return e.name.Space == space && e.name.Local == local }

func parseXMLTree(b []byte) (*xelem, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xelem
	var root *xelem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xelem{name: t.Name, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				k := a.Name.Local
				if a.Name.Space != "" {
					k = a.Name.Space + " " + k
				}
				e.attrs[k] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			} else if root != nil {
				return nil, fmt.Errorf("two root elements")
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, fmt.Errorf("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// onlyAttrs fails on an attribute outside allowed.
func onlyAttrs(e *xelem, allowed ...string) error {
	for k := range e.attrs {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("<%s> has attribute %q, which its definition does not allow", e.name.Local, k)
		}
	}
	return nil
}

func oneOf(e *xelem, attr string, required bool, values ...string) error {
	v, ok := e.attrs[attr]
	switch {
	case !ok && required:
		return fmt.Errorf("<%s> lacks %s", e.name.Local, attr)
	case ok && !slices.Contains(values, v):
		return fmt.Errorf("<%s %s=%q>: not one of %s", e.name.Local, attr, v, strings.Join(values, ", "))
	}
	return nil
}

var nmtokenRE = regexp.MustCompile(`^[\pL\pN\pM._:\-\x{B7}]+$`)

const (
	graphmlNS = "http://graphml.graphdrawing.org/xmlns"
	xsiNS     = "http://www.w3.org/2001/XMLSchema-instance"
)

// checkGraphML checks a GraphML document's structure (GraphML 1.0 with
// the attributes extension, and yEd's yfiles.type keys and graphics).
func checkGraphML(b []byte) error {
	root, err := parseXMLTree(b)
	if err != nil {
		return err
	}
	if !root.is(graphmlNS, "graphml") {
		return fmt.Errorf("root is %v, not graphml in %s", root.name, graphmlNS)
	}
	if err := onlyAttrs(root, xsiNS+" schemaLocation"); err != nil {
		return err
	}
	type key struct{ scope, name, typ, yfiles string }
	keys := map[string]key{}
	nodes := map[string]bool{}
	edgeIDs := map[string]bool{}
	// data checks a <data> child of an element of the given scope.
	data := func(d *xelem, scope string) error {
		if err := onlyAttrs(d, "key", "id"); err != nil {
			return err
		}
		k, ok := keys[d.attrs["key"]]
		if !ok {
			return fmt.Errorf("<data key=%q>: no such key", d.attrs["key"])
		}
		if k.scope != scope && k.scope != "all" {
			return fmt.Errorf("<data key=%q> on a %s, but the key is for %s", d.attrs["key"], scope, k.scope)
		}
		if k.yfiles != "" {
			return checkYFiles(d, k.yfiles)
		}
		if len(d.kids) > 0 {
			return fmt.Errorf("<data key=%q> holds elements, not a %s", d.attrs["key"], k.typ)
		}
		switch k.typ {
		case "boolean":
			if d.text != "true" && d.text != "false" {
				return fmt.Errorf("<data key=%q>: %q is not a boolean", d.attrs["key"], d.text)
			}
		case "int", "long":
			if _, err := strconv.ParseInt(d.text, 10, 64); err != nil {
				return fmt.Errorf("<data key=%q>: %q is not an integer", d.attrs["key"], d.text)
			}
		case "float", "double":
			if _, err := strconv.ParseFloat(d.text, 64); err != nil {
				return fmt.Errorf("<data key=%q>: %q is not a number", d.attrs["key"], d.text)
			}
		}
		return nil
	}
	desc := func(e *xelem, i int) bool { return i == 0 && e.is(graphmlNS, "desc") }
	sawGraph := false
	for i, c := range root.kids {
		switch {
		case desc(c, i):
		case c.is(graphmlNS, "key"):
			if sawGraph {
				return fmt.Errorf("<key %s> after a <graph>: keys come first", c.attrs["id"])
			}
			if err := onlyAttrs(c, "id", "for", "attr.name", "attr.type", "yfiles.type"); err != nil {
				return err
			}
			id := c.attrs["id"]
			if !nmtokenRE.MatchString(id) {
				return fmt.Errorf("<key id=%q>: not a name token", id)
			}
			if _, dup := keys[id]; dup {
				return fmt.Errorf("key %q declared twice", id)
			}
			if err := oneOf(c, "for", false, "all", "graphml", "graph", "node", "edge", "hyperedge", "port", "endpoint"); err != nil {
				return err
			}
			k := key{scope: c.attrs["for"], name: c.attrs["attr.name"], typ: c.attrs["attr.type"], yfiles: c.attrs["yfiles.type"]}
			if k.scope == "" {
				k.scope = "all"
			}
			if k.yfiles != "" {
				if k.name != "" || k.typ != "" {
					return fmt.Errorf("yFiles key %q also has attr.name or attr.type", id)
				}
			} else if err := oneOf(c, "attr.type", false, "boolean", "int", "long", "float", "double", "string"); err != nil {
				return err
			}
			if k.typ == "" {
				k.typ = "string"
			}
			for j, kc := range c.kids {
				if !(j == 0 && kc.is(graphmlNS, "desc")) && !kc.is(graphmlNS, "default") {
					return fmt.Errorf("<key %s> holds <%s>", id, kc.name.Local)
				}
			}
			keys[id] = k
		case c.is(graphmlNS, "graph"):
			sawGraph = true
			if err := onlyAttrs(c, "id", "edgedefault"); err != nil {
				return err
			}
			if err := oneOf(c, "edgedefault", true, "directed", "undirected"); err != nil {
				return err
			}
			// Nodes first, so that edges may name nodes declared after them.
			for _, n := range c.kids {
				if !n.is(graphmlNS, "node") {
					continue
				}
				if err := onlyAttrs(n, "id"); err != nil {
					return err
				}
				id, ok := n.attrs["id"]
				if !ok || !nmtokenRE.MatchString(id) {
					return fmt.Errorf("<node id=%q>: missing or not a name token", id)
				}
				if nodes[id] {
					return fmt.Errorf("node %q twice", id)
				}
				nodes[id] = true
				for j, d := range n.kids {
					switch {
					case desc(d, j):
					case d.is(graphmlNS, "data"):
						if err := data(d, "node"); err != nil {
							return fmt.Errorf("node %s: %w", id, err)
						}
					default:
						return fmt.Errorf("node %s holds <%s>", id, d.name.Local)
					}
				}
			}
			for j, e := range c.kids {
				switch {
				case desc(e, j), e.is(graphmlNS, "node"):
				case e.is(graphmlNS, "data"):
					if err := data(e, "graph"); err != nil {
						return err
					}
				case e.is(graphmlNS, "edge"):
					if err := onlyAttrs(e, "id", "source", "target", "directed"); err != nil {
						return err
					}
					id := e.attrs["id"]
					if id != "" {
						if !nmtokenRE.MatchString(id) || edgeIDs[id] || nodes[id] {
							return fmt.Errorf("<edge id=%q>: not a name token, or not unique", id)
						}
						edgeIDs[id] = true
					}
					for _, end := range []string{"source", "target"} {
						if !nodes[e.attrs[end]] {
							return fmt.Errorf("edge %s: %s %q is not a node", id, end, e.attrs[end])
						}
					}
					if err := oneOf(e, "directed", false, "true", "false"); err != nil {
						return err
					}
					for k, d := range e.kids {
						switch {
						case desc(d, k):
						case d.is(graphmlNS, "data"):
							if err := data(d, "edge"); err != nil {
								return fmt.Errorf("edge %s: %w", id, err)
							}
						default:
							return fmt.Errorf("edge %s holds <%s>", id, d.name.Local)
						}
					}
				default:
					return fmt.Errorf("<graph> holds <%s>", e.name.Local)
				}
			}
		case c.is(graphmlNS, "data"):
			if err := data(c, "graphml"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("<graphml> holds %v", c.name)
		}
	}
	if !sawGraph {
		return fmt.Errorf("no <graph>")
	}
	return nil
}

// yEd's node shapes (y:Shape type) and what a yEd graphics <data> holds.
var yedShapes = []string{"rectangle", "roundrectangle", "ellipse", "parallelogram", "parallelogram2", "hexagon",
	"octagon", "triangle", "trapezoid", "trapezoid2", "diamond", "rectangle3d", "star5", "star6", "star8",
	"fatarrow", "fatarrow2"}

var yColorRE = regexp.MustCompile(`^#[0-9A-F]{6}$`)

func checkYFiles(d *xelem, typ string) error {
	if len(d.kids) != 1 || strings.TrimSpace(d.text) != "" {
		return fmt.Errorf("yFiles %s data must hold one element", typ)
	}
	g := d.kids[0]
	number := func(e *xelem, attrs ...string) error {
		for _, a := range attrs {
			if v, ok := e.attrs[a]; ok {
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					return fmt.Errorf("y:%s %s=%q is not a number", e.name.Local, a, v)
				}
			}
		}
		return nil
	}
	switch {
	case typ == "nodegraphics" && g.is(yNS, "ShapeNode"):
		for _, c := range g.kids {
			switch {
			case c.is(yNS, "Geometry"):
				if err := onlyAttrs(c, "x", "y", "width", "height"); err != nil {
					return err
				}
				if _, ok := c.attrs["x"]; ok != (c.attrs["y"] != "") {
					return fmt.Errorf("y:Geometry has x or y without the other")
				}
				if err := number(c, "x", "y", "width", "height"); err != nil {
					return err
				}
			case c.is(yNS, "Fill"):
				if !yColorRE.MatchString(c.attrs["color"]) {
					return fmt.Errorf("y:Fill color %q is not #RRGGBB", c.attrs["color"])
				}
				if err := oneOf(c, "transparent", false, "true", "false"); err != nil {
					return err
				}
			case c.is(yNS, "NodeLabel"):
			case c.is(yNS, "Shape"):
				if err := oneOf(c, "type", true, yedShapes...); err != nil {
					return err
				}
			default:
				return fmt.Errorf("y:ShapeNode holds %v", c.name)
			}
		}
	case typ == "edgegraphics" && g.is(yNS, "PolyLineEdge"):
		for _, c := range g.kids {
			if !c.is(yNS, "Arrows") && !c.is(yNS, "EdgeLabel") {
				return fmt.Errorf("y:PolyLineEdge holds %v", c.name)
			}
		}
	default:
		return fmt.Errorf("yFiles %s data holds %v", typ, g.name)
	}
	return nil
}

const gexfNS = "http://gexf.net/1.3"

var gexfDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// checkGEXF checks a GEXF 1.3 document's structure (core, dynamics, viz).
func checkGEXF(b []byte) error {
	root, err := parseXMLTree(b)
	if err != nil {
		return err
	}
	if !root.is(gexfNS, "gexf") {
		return fmt.Errorf("root is %v, not gexf in %s", root.name, gexfNS)
	}
	if err := onlyAttrs(root, "version", "variant"); err != nil {
		return err
	}
	if err := oneOf(root, "version", true, "1.3"); err != nil {
		return err
	}
	kids := root.kids
	if len(kids) > 0 && kids[0].is(gexfNS, "meta") {
		m := kids[0]
		if err := onlyAttrs(m, "lastmodifieddate"); err != nil {
			return err
		}
		if v, ok := m.attrs["lastmodifieddate"]; ok && !gexfDateRE.MatchString(v) {
			return fmt.Errorf("lastmodifieddate %q is not a date", v)
		}
		seen := map[string]bool{}
		for _, c := range m.kids {
			if c.name.Space != gexfNS || !slices.Contains([]string{"creator", "keywords", "description"}, c.name.Local) || seen[c.name.Local] || len(c.kids) > 0 {
				return fmt.Errorf("<meta> holds %v (meta has at most one each of creator, keywords, description, text only)", c.name)
			}
			seen[c.name.Local] = true
		}
		kids = kids[1:]
	}
	if len(kids) != 1 || !kids[0].is(gexfNS, "graph") {
		return fmt.Errorf("gexf must hold one <graph> after an optional <meta>")
	}
	g := kids[0]
	if err := onlyAttrs(g, "defaultedgetype", "idtype", "mode", "timeformat", "timerepresentation", "start", "end"); err != nil {
		return err
	}
	for _, c := range []struct {
		attr   string
		values []string
	}{
		{"defaultedgetype", []string{"directed", "undirected", "mutual"}},
		{"idtype", []string{"integer", "string"}},
		{"mode", []string{"static", "dynamic"}},
		{"timeformat", []string{"integer", "double", "date", "dateTime"}},
	} {
		if err := oneOf(g, c.attr, false, c.values...); err != nil {
			return err
		}
	}
	dynamic := g.attrs["mode"] == "dynamic"
	if dynamic && g.attrs["timeformat"] != "date" {
		return fmt.Errorf("aidtrace writes dates: a dynamic graph must have timeformat date")
	}
	types := map[string]map[string]string{"node": {}, "edge": {}} // class -> attribute id -> type
	i := 0
	for ; i < len(g.kids) && g.kids[i].is(gexfNS, "attributes"); i++ {
		a := g.kids[i]
		if err := onlyAttrs(a, "class", "mode", "start", "end"); err != nil {
			return err
		}
		if err := oneOf(a, "class", true, "node", "edge"); err != nil {
			return err
		}
		for _, at := range a.kids {
			if !at.is(gexfNS, "attribute") {
				return fmt.Errorf("<attributes> holds %v", at.name)
			}
			if err := onlyAttrs(at, "id", "title", "type"); err != nil {
				return err
			}
			if at.attrs["id"] == "" || at.attrs["title"] == "" {
				return fmt.Errorf("<attribute> needs id and title")
			}
			if err := oneOf(at, "type", true, "integer", "long", "double", "float", "boolean", "liststring", "string", "anyURI"); err != nil {
				return err
			}
			if _, dup := types[a.attrs["class"]][at.attrs["id"]]; dup {
				return fmt.Errorf("attribute %q declared twice", at.attrs["id"])
			}
			types[a.attrs["class"]][at.attrs["id"]] = at.attrs["type"]
			for _, d := range at.kids {
				if !d.is(gexfNS, "default") && !d.is(gexfNS, "options") {
					return fmt.Errorf("<attribute> holds %v", d.name)
				}
				if d.is(gexfNS, "default") && at.attrs["type"] == "boolean" && d.text != "true" && d.text != "false" {
					return fmt.Errorf("boolean default %q", d.text)
				}
			}
		}
	}
	if len(g.kids) != i+2 || !g.kids[i].is(gexfNS, "nodes") || !g.kids[i+1].is(gexfNS, "edges") {
		return fmt.Errorf("<graph> must hold <attributes>*, then <nodes>, then <edges>")
	}
	span := func(e *xelem) error {
		start, hasStart := e.attrs["start"]
		end, hasEnd := e.attrs["end"]
		if (hasStart || hasEnd) && !dynamic {
			return fmt.Errorf("<%s %s> has start or end in a static graph", e.name.Local, e.attrs["id"])
		}
		for _, v := range []string{start, end} {
			if v != "" && !gexfDateRE.MatchString(v) {
				return fmt.Errorf("<%s %s>: %q is not a date", e.name.Local, e.attrs["id"], v)
			}
		}
		if hasStart && hasEnd && start > end {
			return fmt.Errorf("<%s %s>: start %s after end %s", e.name.Local, e.attrs["id"], start, end)
		}
		return nil
	}
	attvalues := func(e *xelem, class string) error {
		if err := onlyAttrs(e); err != nil {
			return err
		}
		for _, av := range e.kids {
			if !av.is(gexfNS, "attvalue") {
				return fmt.Errorf("<attvalues> holds %v", av.name)
			}
			if err := onlyAttrs(av, "for", "value", "start", "end"); err != nil {
				return err
			}
			typ, ok := types[class][av.attrs["for"]]
			if !ok {
				return fmt.Errorf("<attvalue for=%q>: no such %s attribute", av.attrs["for"], class)
			}
			v, ok := av.attrs["value"]
			if !ok {
				return fmt.Errorf("<attvalue for=%q> has no value", av.attrs["for"])
			}
			if typ == "boolean" && v != "true" && v != "false" {
				return fmt.Errorf("<attvalue for=%q>: %q is not a boolean", av.attrs["for"], v)
			}
		}
		return nil
	}
	count := func(e *xelem) error {
		if c, ok := e.attrs["count"]; ok && c != strconv.Itoa(len(e.kids)) {
			return fmt.Errorf("<%s count=%s> holds %d", e.name.Local, c, len(e.kids))
		}
		return nil
	}
	nodes := map[string]bool{}
	ns := g.kids[i]
	if err := onlyAttrs(ns, "count"); err != nil {
		return err
	}
	if err := count(ns); err != nil {
		return err
	}
	for _, n := range ns.kids {
		if !n.is(gexfNS, "node") {
			return fmt.Errorf("<nodes> holds %v", n.name)
		}
		if err := onlyAttrs(n, "id", "label", "start", "end", "pid"); err != nil {
			return err
		}
		id := n.attrs["id"]
		if id == "" || nodes[id] {
			return fmt.Errorf("node id %q empty or not unique", id)
		}
		nodes[id] = true
		if err := span(n); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, c := range n.kids {
			key := c.name.Space + " " + c.name.Local
			if seen[key] {
				return fmt.Errorf("node %s holds two %v", id, c.name)
			}
			seen[key] = true
			switch {
			case c.is(gexfNS, "attvalues"):
				if err := attvalues(c, "node"); err != nil {
					return fmt.Errorf("node %s: %w", id, err)
				}
			case c.name.Space == vizNS:
				if err := checkViz(c); err != nil {
					return fmt.Errorf("node %s: %w", id, err)
				}
			default:
				return fmt.Errorf("node %s holds %v", id, c.name)
			}
		}
	}
	es := g.kids[i+1]
	if err := onlyAttrs(es, "count"); err != nil {
		return err
	}
	if err := count(es); err != nil {
		return err
	}
	edges := map[string]bool{}
	for _, e := range es.kids {
		if !e.is(gexfNS, "edge") {
			return fmt.Errorf("<edges> holds %v", e.name)
		}
		if err := onlyAttrs(e, "id", "source", "target", "label", "kind", "type", "weight", "start", "end"); err != nil {
			return err
		}
		id := e.attrs["id"]
		if id == "" || edges[id] {
			return fmt.Errorf("edge id %q empty or not unique", id)
		}
		edges[id] = true
		for _, end := range []string{"source", "target"} {
			if !nodes[e.attrs[end]] {
				return fmt.Errorf("edge %s: %s %q is not a node", id, end, e.attrs[end])
			}
		}
		if err := oneOf(e, "type", false, "directed", "undirected", "mutual"); err != nil {
			return err
		}
		if err := span(e); err != nil {
			return err
		}
		for _, c := range e.kids {
			if !c.is(gexfNS, "attvalues") {
				return fmt.Errorf("edge %s holds %v", id, c.name)
			}
			if err := attvalues(c, "edge"); err != nil {
				return fmt.Errorf("edge %s: %w", id, err)
			}
		}
	}
	return nil
}

// checkViz checks a node's element of the GEXF viz module.
func checkViz(c *xelem) error {
	float := func(attr string, required bool, min float64) error {
		v, ok := c.attrs[attr]
		if !ok {
			if required {
				return fmt.Errorf("viz:%s lacks %s", c.name.Local, attr)
			}
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || strings.ContainsAny(v, "eE") || f < min {
			return fmt.Errorf("viz:%s %s=%q is not a plain decimal of at least %g", c.name.Local, attr, v, min)
		}
		return nil
	}
	inf := -1e308
	switch c.name.Local {
	case "color":
		if err := onlyAttrs(c, "r", "g", "b", "a"); err != nil {
			return err
		}
		for _, ch := range []string{"r", "g", "b"} {
			n, err := strconv.Atoi(c.attrs[ch])
			if err != nil || n < 0 || n > 255 {
				return fmt.Errorf("viz:color %s=%q is not 0..255", ch, c.attrs[ch])
			}
		}
		if a, ok := c.attrs["a"]; ok {
			if f, err := strconv.ParseFloat(a, 64); err != nil || f < 0 || f > 1 {
				return fmt.Errorf("viz:color a=%q is not 0..1", a)
			}
		}
	case "position":
		if err := onlyAttrs(c, "x", "y", "z"); err != nil {
			return err
		}
		for _, a := range []string{"x", "y"} {
			if err := float(a, true, inf); err != nil {
				return err
			}
		}
		return float("z", false, inf)
	case "size":
		if err := onlyAttrs(c, "value"); err != nil {
			return err
		}
		return float("value", true, 0)
	case "shape":
		if err := onlyAttrs(c, "value", "uri"); err != nil {
			return err
		}
		return oneOf(c, "value", true, "disc", "square", "triangle", "diamond", "image")
	default:
		return fmt.Errorf("no viz:%s for nodes", c.name.Local)
	}
	return nil
}

// structureCases are the exports every structural check must pass.
func structureCases(tb testing.TB) map[string]struct {
	g   *domain.Subgraph
	opt *Options
} {
	cases := readerCases(tb)
	undated := testSubgraph(tb)
	for i := range undated.Relations {
		undated.Relations[i].ValidFrom, undated.Relations[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	for i := range undated.Entities {
		undated.Entities[i].ValidFrom, undated.Entities[i].ValidTo = domain.PartialDate{}, domain.PartialDate{}
	}
	cases["undated"] = struct {
		g   *domain.Subgraph
		opt *Options
	}{undated, styledOptions(tb)}
	return cases
}

func TestGraphMLStructure(t *testing.T) {
	for name, c := range structureCases(t) {
		t.Run(name, func(t *testing.T) {
			if err := checkGraphML(write(t, GraphML, c.g, c.opt)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestGEXFStructure(t *testing.T) {
	for name, c := range structureCases(t) {
		t.Run(name, func(t *testing.T) {
			if err := checkGEXF(write(t, GEXF, c.g, c.opt)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestStructureChecksRejectBrokenFiles guards the guard: each case breaks
// a valid export in one way its specification forbids.
func TestStructureChecksRejectBrokenFiles(t *testing.T) {
	g := testSubgraph(t)
	graphml := string(write(t, GraphML, g, styledOptions(t)))
	gexf := string(write(t, GEXF, g, styledOptions(t)))
	tests := []struct {
		name, doc, old, new string
		check               func([]byte) error
	}{
		{"graphml dangling edge", graphml, `target="county:test-gamma"`, `target="county:nowhere"`, checkGraphML},
		{"graphml undeclared key", graphml, `<data key="n_kind">`, `<data key="n_nokey">`, checkGraphML},
		{"graphml key for the wrong scope", graphml, `<data key="n_kind">`, `<data key="e_type">`, checkGraphML},
		{"graphml bad attr.type", graphml, `attr.type="boolean"`, `attr.type="bool"`, checkGraphML},
		{"graphml bad boolean", graphml, `<data key="n_synthetic">false</data>`, `<data key="n_synthetic">no</data>`, checkGraphML},
		{"graphml duplicate node", graphml, `<node id="county:test-gamma">`, `<node id="company:test-delta">`, checkGraphML},
		{"graphml no edgedefault", graphml, ` edgedefault="directed"`, ``, checkGraphML},
		{"graphml key after graph", graphml, "  </graph>\n", "  </graph>\n  <key id=\"late\" for=\"node\"/>\n", checkGraphML},
		{"graphml unknown yEd shape", graphml, `<y:Shape type="diamond"/>`, `<y:Shape type="blob"/>`, checkGraphML},
		{"graphml yEd colour", graphml, `<y:Fill color="#1B9E77"`, `<y:Fill color="teal"`, checkGraphML},
		{"graphml yEd x without y", graphml, ` y="-55.25"`, ``, checkGraphML},
		{"gexf bad version", gexf, `version="1.3"`, `version="1.2"`, checkGEXF},
		{"gexf bad date", gexf, `start="2010-03-01"`, `start="2010-03"`, checkGEXF},
		{"gexf attvalue without value", gexf, `<attvalue for="kind" value="county"/>`, `<attvalue for="kind"/>`, checkGEXF},
		{"gexf undeclared attvalue", gexf, `<attvalue for="kind" value="county"/>`, `<attvalue for="sort" value="county"/>`, checkGEXF},
		{"gexf unknown attribute", gexf, `<gexf xmlns="http://gexf.net/1.3"`, `<gexf xmlns="http://gexf.net/1.3" color="red"`, checkGEXF},
		{"gexf dangling edge", gexf, `target="county:test-gamma"`, `target="county:nowhere"`, checkGEXF},
		{"gexf wrong count", gexf, `<nodes count="5">`, `<nodes count="6">`, checkGEXF},
		{"gexf start after end", gexf, `start="2010-03-01" end="2014-12-31"`, `start="2015-03-01" end="2014-12-31"`, checkGEXF},
		{"gexf viz colour out of range", gexf, `<viz:color r="27"`, `<viz:color r="270"`, checkGEXF},
		{"gexf viz unknown shape", gexf, `<viz:shape value="diamond"/>`, `<viz:shape value="star"/>`, checkGEXF},
		{"gexf viz position without y", gexf, ` y="40.25"`, ``, checkGEXF},
		{"gexf viz position exponent", gexf, `y="-1000000"`, `y="-1e6"`, checkGEXF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.doc, tt.old) {
				t.Fatalf("the export does not contain %q", tt.old)
			}
			if err := tt.check([]byte(tt.doc)); err != nil {
				t.Fatalf("the valid export fails: %v", err)
			}
			if err := tt.check([]byte(strings.Replace(tt.doc, tt.old, tt.new, 1))); err == nil {
				t.Errorf("the check accepted a broken file")
			}
		})
	}
}
