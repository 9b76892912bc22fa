package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/export"
)

// ExportConfig holds the export endpoint's limits.
type ExportConfig struct {
	// MaxEntities caps the entities of a neighbourhood or whole-graph
	// export for a request without an API key (a key lifts it to
	// domain.MaxExportLimit). Default 20000.
	MaxEntities int
	// MaxConcurrent caps the exports served at once, on top of the
	// server's in-flight limit (each export holds one of those slots too);
	// past it an export is refused at once with 503 UNAVAILABLE. Default 4.
	MaxConcurrent int
	// Now gives the date in file names when there is no as-of date.
	// Default time.Now.
	Now func() time.Time
}

// Defaults for ExportConfig.
const (
	DefaultExportMaxEntities   = 20000
	DefaultExportMaxConcurrent = 4
)

// ExportHandler serves /export/{format} (see docs/API.md, "Exports"):
//
//	GET  /export/{format}?ids=…|chain=…|from=…&to=…   a query (domain.ParseExportQuery)
//	POST /export/{format}  {"nodes":[…],"edges":[…],…}  exactly these elements (export.ElementList)
//
// The file is streamed as it is written: memory stays at the subgraph read
// from the database, whatever the file's size.
func ExportHandler(svc domain.ReadService, log *slog.Logger, cfg ExportConfig) http.Handler {
	if cfg.MaxEntities == 0 {
		cfg.MaxEntities = DefaultExportMaxEntities
	}
	if cfg.MaxConcurrent == 0 {
		cfg.MaxConcurrent = DefaultExportMaxConcurrent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	running := make(chan struct{}, cfg.MaxConcurrent)
	exports := domain.Exports{Read: svc}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			if code := domain.ErrorCode(err); code == domain.EINTERNAL || code == domain.EUNAVAILABLE {
				log.Error("export", "path", r.URL.Path, "err", err)
			}
			writeError(w, err)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, HEAD, POST")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("use GET with parameters, or POST an element list", domain.EBADINPUT))
			return
		}
		f, err := export.ParseFormat(strings.TrimPrefix(r.URL.Path, "/export/"))
		if err != nil {
			fail(err)
			return
		}

		// Parse everything before taking an export slot or touching the
		// database: a bad request costs nothing.
		var (
			q            domain.ExportQuery
			list         *export.ElementList
			entity, mode string
			opt          *export.Options
		)
		if r.Method == http.MethodPost {
			if list, err = readElementList(r); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					writeJSON(w, http.StatusRequestEntityTooLarge, errorBody(fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit), domain.ELIMIT))
					return
				}
				fail(err)
				return
			}
			entity, mode = list.Describe()
			opt = list.Options()
		} else {
			if q, err = domain.ParseExportQuery(r.URL.Query()); err != nil {
				fail(err)
				return
			}
			var title string
			entity, mode, title = export.Describe(q)
			opt = &export.Options{Meta: export.Meta{Title: title, AsOf: q.AsOf}}
		}
		cap := cfg.MaxEntities
		if domain.PrincipalFrom(r.Context()) != nil {
			cap = domain.MaxExportLimit
		}
		limited := list == nil && q.Chain == "" && q.From == ""
		if limited && q.Limit > cap {
			fail(domain.Errorf(domain.ELIMIT, "limit may be at most %d without an API key", cap))
			return
		}

		select {
		case running <- struct{}{}:
			defer func() { <-running }()
		default:
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusServiceUnavailable, errorBody(fmt.Sprintf("%d exports are being written; retry shortly", cfg.MaxConcurrent), domain.EUNAVAILABLE))
			return
		}

		var g *domain.Subgraph
		if list != nil {
			nodes, edges := list.IDs()
			g, err = exports.Elements(r.Context(), nodes, edges)
		} else {
			asked := q.Limit
			if limited && asked == 0 {
				q.Limit = cap
			}
			g, err = exports.Subgraph(r.Context(), q)
			if err == nil && limited && asked == 0 && g.Truncated {
				err = domain.Errorf(domain.ELIMIT, "this export has more than %d entities, the cap without an API key: narrow it (ids, depth, types, kinds, asOf), ask for a sample with limit=N, or use a key", cap)
			}
		}
		if err == nil {
			opt.CounterClaims, err = exports.CounterClaims(r.Context(), g)
		}
		if err != nil {
			fail(err)
			return
		}

		date := opt.Meta.AsOf.String()
		if date == "" {
			date = cfg.Now().UTC().Format("2006-01-02")
		}
		h := w.Header()
		h.Set("Content-Type", f.ContentType())
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": export.FileName(entity, mode, date, f)}))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Aidtrace-Truncated", strconv.FormatBool(g.Truncated))
		h.Set("X-Aidtrace-Counts", fmt.Sprintf("entities=%d relations=%d sources=%d", len(g.Entities), len(g.Relations), len(g.Sources)))
		if r.Method == http.MethodHead {
			return
		}
		cw := &countingWriter{w: w}
		if err := export.Write(cw, f, g, opt); err != nil {
			if cw.n == 0 {
				// Refused before the first byte: still a clean error answer.
				for _, k := range []string{"Content-Disposition", "X-Aidtrace-Truncated", "X-Aidtrace-Counts"} {
					h.Del(k)
				}
				fail(err)
				return
			}
			// Half a file is out; the client sees the connection cut.
			log.Warn("export cut short", "path", r.URL.Path, "bytes", cw.n, "err", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// readElementList reads a POST body. The server's body cap applies (a
// *http.MaxBytesError past it).
func readElementList(r *http.Request) (*export.ElementList, error) {
	if r.URL.RawQuery != "" {
		return nil, domain.Errorf(domain.EBADINPUT, "a POST export takes its parameters in the JSON body, not in the address")
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return nil, domain.Errorf(domain.EBADINPUT, "send the element list as application/json")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, err
		}
		return nil, domain.Errorf(domain.EBADINPUT, "the request body could not be read")
	}
	return export.DecodeElementList(body)
}

func errorBody(message, code string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}}}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
