package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/export"
)

// ExportHandler serves /export/{format}: graphml, gexf, csv (a zip),
// cytoscape, and nodes.csv / edges.csv (single tables). Query parameters:
//
//	ids=a,b&depth=1   the neighbourhood of a and b (no ids: the whole graph)
//	chain=id&direction=UP|DOWN   the responsibility chains from id
//	from=a&to=b       the shortest paths between a and b
//	asOf=2015         only relations active then
//	types=A,B         only these relation types
//	kinds=k1,k2       only these entity kinds (neighbourhoods)
//	limit=N           at most N entities
func ExportHandler(svc domain.ReadService, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError := func(w http.ResponseWriter, err error) {
			if code := domain.ErrorCode(err); code == domain.EINTERNAL || code == domain.EUNAVAILABLE {
				log.Error("export", "url", r.URL.String(), "err", err)
			}
			writeError(w, err)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, domain.Errorf(domain.EBADINPUT, "use GET"))
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/export/")
		q, err := exportQuery(r)
		if err != nil {
			writeError(w, err)
			return
		}
		var write func(*bytes.Buffer, *domain.Subgraph) error
		var contentType, filename string
		switch name {
		case "nodes.csv":
			write = func(b *bytes.Buffer, g *domain.Subgraph) error { return export.WriteCSVNodes(b, g) }
			contentType, filename = export.CSVTableContentType, "aidtrace-nodes.csv"
		case "edges.csv":
			write = func(b *bytes.Buffer, g *domain.Subgraph) error { return export.WriteCSVEdges(b, g) }
			contentType, filename = export.CSVTableContentType, "aidtrace-edges.csv"
		default:
			f, err := export.ParseFormat(name)
			if err != nil {
				writeError(w, err)
				return
			}
			write = func(b *bytes.Buffer, g *domain.Subgraph) error { return export.Write(b, f, g) }
			contentType, filename = f.ContentType(), "aidtrace"+f.Extension()
		}
		g, err := export.Gather(r.Context(), svc, q)
		if err != nil {
			writeError(w, err)
			return
		}
		// Written to memory first, so a failure is an error response and
		// never half a file.
		var buf bytes.Buffer
		if err := write(&buf, g); err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
		w.Header().Set("X-Aidtrace-Truncated", strconv.FormatBool(g.Truncated))
		w.Header().Set("X-Aidtrace-Counts", fmt.Sprintf("entities=%d relations=%d sources=%d", len(g.Entities), len(g.Relations), len(g.Sources)))
		w.Write(buf.Bytes())
	})
}

func exportQuery(r *http.Request) (export.Query, error) {
	v := r.URL.Query()
	q := export.Query{IDs: export.SplitList(v.Get("ids")), Types: export.SplitList(v.Get("types")), Chain: v.Get("chain"), From: v.Get("from"), To: v.Get("to")}
	for _, k := range export.SplitList(v.Get("kinds")) {
		q.Kinds = append(q.Kinds, domain.Kind(k))
	}
	q.Depth = 1
	if s := v.Get("depth"); s != "" {
		d, err := strconv.Atoi(s)
		if err != nil {
			return q, domain.Errorf(domain.EBADINPUT, "depth: %q is not a number", s)
		}
		q.Depth = d
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, domain.Errorf(domain.EBADINPUT, "limit: %q is not a number", s)
		}
		q.Limit = n
	}
	if s := v.Get("asOf"); s != "" {
		d, err := domain.ParsePartialDate(s)
		if err != nil {
			return q, domain.Errorf(domain.EBADINPUT, "asOf: %v", err)
		}
		q.AsOf = d
	}
	switch strings.ToUpper(v.Get("direction")) {
	case "", "UP":
	case "DOWN":
		q.Down = true
	default:
		return q, domain.Errorf(domain.EBADINPUT, "direction must be UP or DOWN")
	}
	if (q.From == "") != (q.To == "") {
		return q, domain.Errorf(domain.EBADINPUT, "give both from and to")
	}
	return q, nil
}
