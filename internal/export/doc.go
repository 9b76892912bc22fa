// Package export writes subgraphs in the formats graph tools read.
//
// It is pure: it takes a *domain.Subgraph and an io.Writer, touches no
// database and keeps no state. Every writer streams (nothing but the sorted
// index of the subgraph is held in memory) and is deterministic: entities,
// relations and sources are written sorted by id, so two exports of the same
// data are byte-for-byte equal and diff cleanly.
//
// # Formats
//
//	format         file            content type                              read by
//	graphml        .graphml        application/graphml+xml; charset=utf-8   yEd, Gephi, Cytoscape desktop, NetworkX, igraph
//	gexf           .gexf           application/gexf+xml; charset=utf-8      Gephi, sigma.js/graphology, NetworkX
//	cytoscape      .cyjs           application/json                         Cytoscape.js, Cytoscape desktop
//	csv            _csv.zip        application/zip                          spreadsheets, Flourish, Kumu, pandas
//	csv-nodes      _nodes.csv      text/csv; charset=utf-8                  the zip's tables one by one
//	csv-edges      _edges.csv
//	csv-sources    _sources.csv
//	csv-citations  _citations.csv
//	ftm            .ftm.json       application/x-ndjson                     Aleph, OpenSanctions tools, followthemoney
//
// Write writes any of them. Its Options add a header (title, as-of date,
// the view's address, and always the Credit line) and the drawing of each
// node (position, colour, shape) where the format has a place for them:
// GraphML graph data and yEd graphics, the GEXF meta description and viz
// elements, Cytoscape JSON top-level data, node positions and a style
// sheet, and the zip's README.txt.
//
// Which subgraph to export is the domain's to say: domain.ParseExportQuery
// is the one reading of export parameters (HTTP and command line) and
// domain.Exports reads the subgraph a query or an element list asks for.
// Here, DecodeElementList reads an explicit list of nodes and edges (the
// body of POST /export/{format}, with how the view draws them), Describe
// and FileName name the file.
//
// # Fields
//
// Every node carries: id, label, kind, name, nameZh, aliases, description,
// validFrom, validTo, quantities, synthetic, citations, counterClaims.
// Every edge carries: id, source, target, type (also its label), validFrom,
// validTo, confidence, inferred, bestGrade, strength, contested, role,
// quantities, attributes, note, synthetic, citations, counterClaims. The
// label of a node is its name, else its Chinese name, else its id.
// bestGrade is the relation's as read, else the best grade among its cited
// sources in the subgraph; strength is domain.EvidenceStrength of it.
//
// Dates are written as the data gives them: "2010", "2010-03" or
// "2010-03-15" (a partial date is an interval: "2010" means the whole year).
//
// Multi-valued fields are JSON in every format, so that one parser reads
// them all and nothing is lost to a separator that also occurs in the data:
//
//	aliases        ["Aqsu","阿克苏"]
//	quantities     [{"name":"headcount","value":120,"unit":"people","source":"src:x"}]   (NaN and ±Inf as the strings "NaN", "+Inf", "-Inf")
//	attributes     {"amount":"5 million yuan"}                           (keys sorted)
//	citations      [{"source":"src:x","quote":"…","locator":"p. 4","attests":"2019","title":"…","url":"…","grade":"B"}]
//	counterClaims  [{"id":"cc:x","kind":"denial","by":"buyer:x","date":"2021-03","statement":"…","citations":[…]}]
//
// A citation always has its source id, and its quote, locator and attests
// date when the data has them; title, url and grade are copied from the
// subgraph's Sources when the cited source is among them. Counter-claims
// come from Options.CounterClaims (domain.Exports.CounterClaims reads them). JSON is written without HTML
// escaping, so Chinese text and "<&>" appear as themselves. In GraphML and
// GEXF the JSON is one string attribute; in the Cytoscape JSON the fields are
// native JSON arrays and objects.
//
// Empty strings and empty lists are left out (GraphML <data>, GEXF
// <attvalue>, Cytoscape data keys) or written as empty cells (CSV): absent
// means empty. The boolean flags (synthetic, inferred, contested) are always
// written.
//
// # GraphML
//
// GraphML 1.0 with the attributes extension: every attribute is declared
// by a <key> with attr.name and attr.type, key ids are "g_", "n_" and "e_"
// plus the name, edges are directed, and the graph carries its header
// (g_truncated, g_title, g_asOf, g_view, g_credit) and g_sources (the
// subgraph's sources as JSON). The "label" keys are what Gephi shows as
// labels and what yEd's Properties Mapper can map to labels. When nodes are
// drawn (Options.Styles), the file also carries yEd's graphics, as yEd
// writes them: the namespace http://www.yworks.com/xml/graphml, keys with
// yfiles.type="nodegraphics" and "edgegraphics", a y:ShapeNode per drawn
// node (y:Geometry of 30×30 whose x and y are the top-left corner, y:Fill,
// y:NodeLabel, y:Shape) and a y:PolyLineEdge with an arrow and the type as
// label per edge. GraphML ids must be XML name tokens: an id with spaces or
// punctuation other than ".-_:" is an error (domain ids never have them).
//
// # GEXF
//
// GEXF 1.3 (namespace http://gexf.net/1.3). The meta description holds
// the header as "name: value" lines. Drawn nodes get viz:color, viz:position
// (with y negated: GEXF tools draw y upwards, the explorer downwards) and
// viz:shape (disc, square, triangle or diamond, the nearest to the drawn
// shape). Edges are directed, the
// edge label and kind are the relation type (Gephi keeps parallel edges of
// different kinds apart instead of merging them), and attributes are declared
// in <attributes class="node"> and <attributes class="edge"> with the field
// names as ids. When any node or edge is dated, the graph is
// mode="dynamic" timeformat="date" and each dated element gets start and
// end: start is the first day validFrom can mean and end the last day
// validTo can mean ("2010" → 2010-01-01, validTo "2014-02" → 2014-02-28),
// which is the reading domain.ActiveOn uses; an element whose start would
// fall after its end gets neither. The dates as given stay in validFrom and
// validTo. With no dates at all, the graph is mode="static".
//
// # CSV
//
// The csv format is a zip of README.txt (with the header), nodes.csv,
// edges.csv, sources.csv and citations.csv (one row per citation of a node
// or an edge, with the cited source's title, url and grade: the long form
// spreadsheets pivot on); csv-nodes, csv-edges, csv-sources and
// csv-citations are the same tables one by one. The columns are
// NodeColumns, EdgeColumns, SourceColumns and CitationColumns.
//
// Each CSV is UTF-8 with a byte-order mark and LF line ends. The mark is
// there because Excel, the tool most readers will double-click into, reads a
// CSV without one in the local ANSI code page and shows Chinese as mojibake;
// Google Sheets, LibreOffice, Flourish and Kumu ignore it, and pandas drops it
// with encoding="utf-8-sig". LF rather than CRLF because Go's CSV writer
// drops a bare carriage return inside a field when writing CRLF, and every
// spreadsheet reads LF.
//
// A cell that begins with "=", "+", "-", "@", a tab or a carriage return is
// written with a leading apostrophe, so that a spreadsheet shows it as text
// instead of running it as a formula (CSV injection). This is the only change
// the CSV makes to the data; the other formats keep every string as it is.
//
// # FollowTheMoney
//
// One FtM entity a line ({"id","schema","properties"}): each entity, then
// each relation as a link entity (FtMSchemaOf, FtMLinkOf; docs/API.md lists
// the mapping and why). Ids are FtMID of ours, so they are the same in
// every export. Sources are not entities of their own (FtM's Document is a
// file, with a required fileName): each claim carries its sources' urls
// and publishers (sourceUrl, publisher) and one summary line per citation
// with the quote, locator, source title, publisher, date, grade and id.
//
// # XML text
//
// XML 1.0 cannot carry most control characters, not even escaped. They,
// U+FFFE, U+FFFF and invalid UTF-8 bytes are replaced with U+FFFD (the
// replacement character) in GraphML and GEXF, so a reader sees that
// something was there. Tab, newline and carriage return are kept: as
// character references inside attribute values (which a parser would
// otherwise normalise to spaces) and for every carriage return, literally in
// element content.
//
// # Errors
//
// A subgraph with an empty or duplicate id, or a relation whose source or
// target is not among its entities, is refused with an error wrapping
// ErrInvalidSubgraph before anything is written: a graph tool would drop or
// invent the missing node silently. Write errors are returned wrapped.
package export
