package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// decoded is a file read back: what a graph tool would see.
type decoded struct {
	nodes     []gotNode
	edges     []gotEdge
	truncated bool
	sources   []string // ids of the sources the file lists, in file order
	meta      map[string]string
	styles    map[string]gotStyle // by node id, in the explorer's coordinates
}

// gotStyle is a node's drawing as a file carries it: the position turned
// back into the explorer's coordinates, the colour as "#rrggbb", and the
// shape in the format's own vocabulary.
type gotStyle struct {
	HasPos bool
	X, Y   float64
	Color  string
	Shape  string
}

// decoders read back each format that carries whole graphs.
var decoders = map[Format]func([]byte) (*decoded, error){
	GraphML: decodeGraphML, GEXF: decodeGEXF, CSV: decodeCSVZip, Cytoscape: decodeCytoscape,
}

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

var (
	nodeFieldNames = []string{"label", "kind", "name", "nameZh", "aliases", "description", "validFrom", "validTo", "quantities", "synthetic", "citations", "counterClaims"}
	edgeFieldNames = []string{"label", "type", "validFrom", "validTo", "confidence", "inferred", "bestGrade", "strength", "contested", "role", "quantities", "attributes", "note", "synthetic", "citations", "counterClaims"}
)

func unmarshalIf(s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("JSON %q: %w", s, err)
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("boolean %q is neither true nor false", s)
}

// nodeFromFields builds a node from field name -> text, the shape GraphML
// data, GEXF attvalues and CSV rows share.
func nodeFromFields(id string, m map[string]string) (gotNode, error) {
	n := gotNode{ID: id, Label: m["label"], Kind: m["kind"], Name: m["name"], NameZh: m["nameZh"],
		Description: m["description"], ValidFrom: m["validFrom"], ValidTo: m["validTo"]}
	for k := range m {
		if !slices.Contains(nodeFieldNames, k) {
			return n, fmt.Errorf("node %s: unexpected field %q", id, k)
		}
	}
	var err error
	if n.Synthetic, err = parseBool(m["synthetic"]); err != nil {
		return n, fmt.Errorf("node %s: synthetic: %w", id, err)
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"aliases", &n.Aliases}, {"quantities", &n.Quantities}, {"citations", &n.Citations}, {"counterClaims", &n.CounterClaims}} {
		if err := unmarshalIf(m[f.name], f.v); err != nil {
			return n, fmt.Errorf("node %s: %s: %w", id, f.name, err)
		}
	}
	return n, nil
}

func edgeFromFields(id, source, target string, m map[string]string) (gotEdge, error) {
	e := gotEdge{ID: id, Source: source, Target: target, Label: m["label"], Type: m["type"],
		ValidFrom: m["validFrom"], ValidTo: m["validTo"], Confidence: m["confidence"], BestGrade: m["bestGrade"],
		Strength: m["strength"], Role: m["role"], Note: m["note"]}
	for k := range m {
		if !slices.Contains(edgeFieldNames, k) {
			return e, fmt.Errorf("edge %s: unexpected field %q", id, k)
		}
	}
	var err error
	for _, b := range []struct {
		name string
		v    *bool
	}{{"synthetic", &e.Synthetic}, {"inferred", &e.Inferred}, {"contested", &e.Contested}} {
		if *b.v, err = parseBool(m[b.name]); err != nil {
			return e, fmt.Errorf("edge %s: %s: %w", id, b.name, err)
		}
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"quantities", &e.Quantities}, {"attributes", &e.Attributes}, {"citations", &e.Citations}, {"counterClaims", &e.CounterClaims}} {
		if err := unmarshalIf(m[f.name], f.v); err != nil {
			return e, fmt.Errorf("edge %s: %s: %w", id, f.name, err)
		}
	}
	return e, nil
}

func sourceIDs(s string) ([]string, error) {
	var srcs []struct {
		ID string `json:"id"`
	}
	if err := unmarshalIf(s, &srcs); err != nil {
		return nil, err
	}
	ids := make([]string, len(srcs))
	for i, s := range srcs {
		ids[i] = s.ID
	}
	return ids, nil
}

// GraphML

type gmlDoc struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID    string `xml:"id,attr"`
		For   string `xml:"for,attr"`
		Name  string `xml:"attr.name,attr"`
		Type  string `xml:"attr.type,attr"`
		YType string `xml:"yfiles.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string    `xml:"edgedefault,attr"`
		Data        []gmlData `xml:"data"`
		Nodes       []struct {
			ID   string    `xml:"id,attr"`
			Data []gmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string    `xml:"id,attr"`
			Source string    `xml:"source,attr"`
			Target string    `xml:"target,attr"`
			Data   []gmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type gmlData struct {
	Key       string `xml:"key,attr"`
	Value     string `xml:",chardata"`
	ShapeNode *struct {
		Geometry struct {
			X      *string `xml:"x,attr"`
			Y      *string `xml:"y,attr"`
			Width  string  `xml:"width,attr"`
			Height string  `xml:"height,attr"`
		} `xml:"Geometry"`
		Fill *struct {
			Color string `xml:"color,attr"`
		} `xml:"Fill"`
		NodeLabel string `xml:"NodeLabel"`
		Shape     *struct {
			Type string `xml:"type,attr"`
		} `xml:"Shape"`
	} `xml:"http://www.yworks.com/xml/graphml ShapeNode"`
	PolyLineEdge *struct {
		EdgeLabel string `xml:"EdgeLabel"`
	} `xml:"http://www.yworks.com/xml/graphml PolyLineEdge"`
}

func decodeGraphML(b []byte) (*decoded, error) {
	var doc gmlDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse GraphML: %w", err)
	}
	if doc.Graph.EdgeDefault != "directed" {
		return nil, fmt.Errorf("edgedefault = %q, want directed", doc.Graph.EdgeDefault)
	}
	type key struct{ scope, name string }
	keys := map[string]key{}
	for _, k := range doc.Keys {
		if _, dup := keys[k.ID]; dup {
			return nil, fmt.Errorf("key %q declared twice", k.ID)
		}
		if k.YType != "" {
			if k.Name != "" || k.Type != "" {
				return nil, fmt.Errorf("yFiles key %q has attr.name or attr.type", k.ID)
			}
			keys[k.ID] = key{k.For, k.YType}
			continue
		}
		wantType := "string"
		if k.Name == "synthetic" || k.Name == "truncated" || k.Name == "inferred" || k.Name == "contested" {
			wantType = "boolean"
		}
		if k.Type != wantType {
			return nil, fmt.Errorf("key %q: attr.type = %q, want %q", k.ID, k.Type, wantType)
		}
		keys[k.ID] = key{k.For, k.Name}
	}
	fields := func(scope string, data []gmlData) (map[string]string, error) {
		m := map[string]string{}
		for _, d := range data {
			k, ok := keys[d.Key]
			if !ok || k.scope != scope {
				return nil, fmt.Errorf("data key %q is not declared for %s", d.Key, scope)
			}
			if _, dup := m[k.name]; dup {
				return nil, fmt.Errorf("data %q twice", k.name)
			}
			if (d.ShapeNode != nil) != (k.name == "nodegraphics") || (d.PolyLineEdge != nil) != (k.name == "edgegraphics") {
				return nil, fmt.Errorf("data %q: yFiles graphics where they do not belong, or missing", k.name)
			}
			m[k.name] = d.Value
		}
		return m, nil
	}
	out := &decoded{meta: map[string]string{}, styles: map[string]gotStyle{}}
	g, err := fields("graph", doc.Graph.Data)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"title", "asOf", "view", "credit"} {
		if v, ok := g[k]; ok {
			out.meta[k] = v
		}
	}
	if out.truncated, err = parseBool(g["truncated"]); err != nil {
		return nil, fmt.Errorf("truncated: %w", err)
	}
	if out.sources, err = sourceIDs(g["sources"]); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	for _, n := range doc.Graph.Nodes {
		m, err := fields("node", n.Data)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.ID, err)
		}
		for _, d := range n.Data {
			if sn := d.ShapeNode; sn != nil {
				var st gotStyle
				if sn.Geometry.Width != "30" || sn.Geometry.Height != "30" {
					return nil, fmt.Errorf("node %s: yEd geometry %sx%s, want 30x30", n.ID, sn.Geometry.Width, sn.Geometry.Height)
				}
				if sn.Geometry.X != nil {
					x, err1 := parseFloat(*sn.Geometry.X)
					y, err2 := parseFloat(*sn.Geometry.Y)
					if err1 != nil || err2 != nil {
						return nil, fmt.Errorf("node %s: yEd geometry x=%q y=%q", n.ID, *sn.Geometry.X, *sn.Geometry.Y)
					}
					st.HasPos, st.X, st.Y = true, x+15, y+15
				}
				if sn.Fill != nil {
					st.Color = strings.ToLower(sn.Fill.Color)
				}
				if sn.Shape != nil {
					st.Shape = sn.Shape.Type
				}
				if sn.NodeLabel != m["label"] {
					return nil, fmt.Errorf("node %s: yEd label %q, label %q", n.ID, sn.NodeLabel, m["label"])
				}
				out.styles[n.ID] = st
			}
		}
		delete(m, "nodegraphics")
		node, err := nodeFromFields(n.ID, m)
		if err != nil {
			return nil, err
		}
		out.nodes = append(out.nodes, node)
	}
	for _, e := range doc.Graph.Edges {
		m, err := fields("edge", e.Data)
		if err != nil {
			return nil, fmt.Errorf("edge %s: %w", e.ID, err)
		}
		for _, d := range e.Data {
			if d.PolyLineEdge != nil && d.PolyLineEdge.EdgeLabel != m["type"] {
				return nil, fmt.Errorf("edge %s: yEd label %q, type %q", e.ID, d.PolyLineEdge.EdgeLabel, m["type"])
			}
		}
		delete(m, "edgegraphics")
		edge, err := edgeFromFields(e.ID, e.Source, e.Target, m)
		if err != nil {
			return nil, err
		}
		out.edges = append(out.edges, edge)
	}
	return out, nil
}

// GEXF

type gexfDoc struct {
	XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
	Version string   `xml:"version,attr"`
	Meta    struct {
		Creator     string `xml:"creator"`
		Description string `xml:"description"`
	} `xml:"meta"`
	Graph struct {
		DefaultEdgeType string `xml:"defaultedgetype,attr"`
		Mode            string `xml:"mode,attr"`
		TimeFormat      string `xml:"timeformat,attr"`
		Attributes      []struct {
			Class     string `xml:"class,attr"`
			Attribute []struct {
				ID      string `xml:"id,attr"`
				Title   string `xml:"title,attr"`
				Type    string `xml:"type,attr"`
				Default string `xml:"default"`
			} `xml:"attribute"`
		} `xml:"attributes"`
		Nodes struct {
			Count int        `xml:"count,attr"`
			Node  []gexfNode `xml:"node"`
		} `xml:"nodes"`
		Edges struct {
			Count int        `xml:"count,attr"`
			Edge  []gexfEdge `xml:"edge"`
		} `xml:"edges"`
	} `xml:"graph"`
}

type gexfNode struct {
	ID        string     `xml:"id,attr"`
	Label     string     `xml:"label,attr"`
	Start     string     `xml:"start,attr"`
	End       string     `xml:"end,attr"`
	AttValues []gexfAttV `xml:"attvalues>attvalue"`
	Color     *struct {
		R int `xml:"r,attr"`
		G int `xml:"g,attr"`
		B int `xml:"b,attr"`
	} `xml:"http://gexf.net/1.3/viz color"`
	Position *struct {
		X string `xml:"x,attr"`
		Y string `xml:"y,attr"`
	} `xml:"http://gexf.net/1.3/viz position"`
	Shape *struct {
		Value string `xml:"value,attr"`
	} `xml:"http://gexf.net/1.3/viz shape"`
}

type gexfEdge struct {
	ID        string     `xml:"id,attr"`
	Source    string     `xml:"source,attr"`
	Target    string     `xml:"target,attr"`
	Label     string     `xml:"label,attr"`
	Kind      string     `xml:"kind,attr"`
	Start     string     `xml:"start,attr"`
	End       string     `xml:"end,attr"`
	AttValues []gexfAttV `xml:"attvalues>attvalue"`
}

type gexfAttV struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

func parseGEXF(b []byte) (*gexfDoc, error) {
	var doc gexfDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse GEXF: %w", err)
	}
	return &doc, nil
}

func decodeGEXF(b []byte) (*decoded, error) {
	doc, err := parseGEXF(b)
	if err != nil {
		return nil, err
	}
	if doc.Version != "1.3" || doc.Graph.DefaultEdgeType != "directed" {
		return nil, fmt.Errorf("version %q, defaultedgetype %q; want 1.3, directed", doc.Version, doc.Graph.DefaultEdgeType)
	}
	titles := map[string]map[string]string{} // class -> id -> title
	defaults := map[string]map[string]string{}
	for _, a := range doc.Graph.Attributes {
		if titles[a.Class] != nil {
			return nil, fmt.Errorf("attributes class=%q declared twice", a.Class)
		}
		titles[a.Class], defaults[a.Class] = map[string]string{}, map[string]string{}
		for _, at := range a.Attribute {
			titles[a.Class][at.ID] = at.Title
			if at.Default != "" {
				defaults[a.Class][at.Title] = at.Default
			}
		}
	}
	// A reader applies the declared defaults, as Gephi does.
	fields := func(class string, avs []gexfAttV) (map[string]string, error) {
		m := map[string]string{}
		for k, v := range defaults[class] {
			m[k] = v
		}
		for _, av := range avs {
			title, ok := titles[class][av.For]
			if !ok {
				return nil, fmt.Errorf("attvalue for %q is not declared in class %s", av.For, class)
			}
			m[title] = av.Value
		}
		return m, nil
	}
	out := &decoded{truncated: strings.Contains(doc.Meta.Description, "truncated"), meta: map[string]string{}, styles: map[string]gotStyle{}}
	for _, l := range strings.Split(doc.Meta.Description, "\n") {
		for _, k := range []string{"title", "as of", "view", "credit"} {
			if v, ok := strings.CutPrefix(l, k+": "); ok {
				out.meta[strings.ReplaceAll(strings.Replace(k, "as of", "asOf", 1), " ", "")] = v
			}
		}
	}
	if doc.Graph.Nodes.Count != len(doc.Graph.Nodes.Node) || doc.Graph.Edges.Count != len(doc.Graph.Edges.Edge) {
		return nil, fmt.Errorf("counts %d/%d do not match %d nodes, %d edges", doc.Graph.Nodes.Count,
			doc.Graph.Edges.Count, len(doc.Graph.Nodes.Node), len(doc.Graph.Edges.Edge))
	}
	for _, n := range doc.Graph.Nodes.Node {
		m, err := fields("node", n.AttValues)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.ID, err)
		}
		m["label"] = n.Label
		if n.Color != nil || n.Position != nil || n.Shape != nil {
			var st gotStyle
			if c := n.Color; c != nil {
				st.Color = fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
			}
			if p := n.Position; p != nil {
				x, err1 := parseFloat(p.X)
				y, err2 := parseFloat(p.Y)
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("node %s: viz:position x=%q y=%q", n.ID, p.X, p.Y)
				}
				st.HasPos, st.X, st.Y = true, x, -y
			}
			if n.Shape != nil {
				st.Shape = n.Shape.Value
			}
			out.styles[n.ID] = st
		}
		node, err := nodeFromFields(n.ID, m)
		if err != nil {
			return nil, err
		}
		out.nodes = append(out.nodes, node)
	}
	for _, e := range doc.Graph.Edges.Edge {
		m, err := fields("edge", e.AttValues)
		if err != nil {
			return nil, fmt.Errorf("edge %s: %w", e.ID, err)
		}
		if e.Kind != m["type"] {
			return nil, fmt.Errorf("edge %s: kind %q, type %q", e.ID, e.Kind, m["type"])
		}
		m["label"] = e.Label
		edge, err := edgeFromFields(e.ID, e.Source, e.Target, m)
		if err != nil {
			return nil, err
		}
		out.edges = append(out.edges, edge)
	}
	return out, nil
}

// CSV

// readCSVFile reads one CSV table: it must start with the BOM and every row
// must have as many cells as the header (encoding/csv checks that when
// FieldsPerRecord is 0).
func readCSVFile(b []byte) ([][]string, error) {
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		return nil, fmt.Errorf("no UTF-8 byte-order mark")
	}
	r := csv.NewReader(bytes.NewReader(b[len(utf8BOM):]))
	r.FieldsPerRecord = 0
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no header")
	}
	return rows, nil
}

// unapostrophe undoes the CSV-injection guard, as a spreadsheet user reads it.
func unapostrophe(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

func rowFields(header, row []string) map[string]string {
	m := map[string]string{}
	for i, h := range header {
		if row[i] != "" {
			m[h] = unapostrophe(row[i])
		}
	}
	return m
}

func nodesFromCSV(rows [][]string) ([]gotNode, error) {
	var out []gotNode
	for _, row := range rows[1:] {
		m := rowFields(rows[0], row)
		id := m["id"]
		delete(m, "id")
		n, err := nodeFromFields(id, m)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func edgesFromCSV(rows [][]string) ([]gotEdge, error) {
	var out []gotEdge
	for _, row := range rows[1:] {
		m := rowFields(rows[0], row)
		id, src, dst := m["id"], m["source"], m["target"]
		delete(m, "id")
		delete(m, "source")
		delete(m, "target")
		e, err := edgeFromFields(id, src, dst, m)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// unzip returns the zip's files by name, and their names in order.
func unzip(b []byte) (map[string][]byte, []string, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, fmt.Errorf("open zip: %w", err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", f.Name, err)
		}
		files[f.Name] = data
		names = append(names, f.Name)
	}
	return files, names, nil
}

func decodeCSVZip(b []byte) (*decoded, error) {
	files, _, err := unzip(b)
	if err != nil {
		return nil, err
	}
	tables := map[string][][]string{}
	for _, name := range []string{"nodes.csv", "edges.csv", "sources.csv", "citations.csv"} {
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("zip has no %s", name)
		}
		if tables[name], err = readCSVFile(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	out := &decoded{truncated: strings.Contains(string(files["README.txt"]), "TRUNCATED")}
	if out.nodes, err = nodesFromCSV(tables["nodes.csv"]); err != nil {
		return nil, err
	}
	if out.edges, err = edgesFromCSV(tables["edges.csv"]); err != nil {
		return nil, err
	}
	for _, row := range tables["sources.csv"][1:] {
		out.sources = append(out.sources, row[0])
	}
	return out, nil
}

// Cytoscape JSON

type cyDoc struct {
	Data struct {
		Title     string           `json:"title"`
		AsOf      string           `json:"asOf"`
		View      string           `json:"view"`
		Credit    string           `json:"credit"`
		Truncated *bool            `json:"truncated"`
		Sources   []map[string]any `json:"sources"`
	} `json:"data"`
	Style    []map[string]any `json:"style"`
	Elements struct {
		Nodes []struct {
			Data     map[string]json.RawMessage `json:"data"`
			Position *struct {
				X *float64 `json:"x"`
				Y *float64 `json:"y"`
			} `json:"position"`
		} `json:"nodes"`
		Edges []struct {
			Data map[string]json.RawMessage `json:"data"`
		} `json:"edges"`
	} `json:"elements"`
}

// cyFields turns Cytoscape data into field name -> text: strings as they
// are, booleans as "true"/"false", arrays and objects as their JSON.
func cyFields(data map[string]json.RawMessage) (map[string]string, error) {
	m := map[string]string{}
	for k, raw := range data {
		switch raw[0] {
		case '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			m[k] = s
		default:
			m[k] = string(raw)
		}
	}
	return m, nil
}

func decodeCytoscape(b []byte) (*decoded, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc cyDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse Cytoscape JSON: %w", err)
	}
	if doc.Data.Truncated == nil {
		return nil, fmt.Errorf("data.truncated missing")
	}
	out := &decoded{truncated: *doc.Data.Truncated, meta: map[string]string{}, styles: map[string]gotStyle{}}
	for k, v := range map[string]string{"title": doc.Data.Title, "asOf": doc.Data.AsOf, "view": doc.Data.View, "credit": doc.Data.Credit} {
		if v != "" {
			out.meta[k] = v
		}
	}
	for _, s := range doc.Data.Sources {
		id, _ := s["id"].(string)
		out.sources = append(out.sources, id)
	}
	for _, n := range doc.Elements.Nodes {
		m, err := cyFields(n.Data)
		if err != nil {
			return nil, err
		}
		id := m["id"]
		delete(m, "id")
		st := gotStyle{Color: m["color"], Shape: m["shape"]}
		delete(m, "color")
		delete(m, "shape")
		if p := n.Position; p != nil {
			if p.X == nil || p.Y == nil {
				return nil, fmt.Errorf("node %s: position without x or y", id)
			}
			st.HasPos, st.X, st.Y = true, *p.X, *p.Y
		}
		if st != (gotStyle{}) {
			out.styles[id] = st
		}
		node, err := nodeFromFields(id, m)
		if err != nil {
			return nil, err
		}
		out.nodes = append(out.nodes, node)
	}
	for _, e := range doc.Elements.Edges {
		m, err := cyFields(e.Data)
		if err != nil {
			return nil, err
		}
		id, src, dst := m["id"], m["source"], m["target"]
		delete(m, "id")
		delete(m, "source")
		delete(m, "target")
		edge, err := edgeFromFields(id, src, dst, m)
		if err != nil {
			return nil, err
		}
		out.edges = append(out.edges, edge)
	}
	return out, nil
}
