// Package web serves the explorer page and GraphiQL, built by `npm run build`
// into dist/ and embedded in the binary (commit dist/ like generated code).
//
//	/            the explorer (its state is in the query string)
//	/embed       the same app with minimal chrome, for iframes in articles
//	/graphiql    GraphiQL, bundled from npm, pointed at /graphql
//	/assets/...  hashed JS and CSS: cached for a year, immutable
//
// Unknown paths without a file extension get the explorer (SPA fallback);
// unknown asset-like paths get 404. Nothing is loaded from another origin:
// the Content-Security-Policy says so to the browser too.
//
//go:generate go run ./internal/genregistry -o src/registry.json
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Content-Security-Policy of the pages: everything from this origin only.
// Styles may be inline: Cytoscape.js and GraphiQL set style attributes and
// elements at run time. Scripts, fetches, images and fonts may not be.
const (
	cspBase = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
		"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
	cspExplorer = cspBase + "; frame-ancestors 'self'"
	// The embed may be framed by any article, also one opened from a file
	// (file://) or a sandboxed preview: CSP's "frame-ancestors *" matches
	// network schemes only, so the embed sets no frame-ancestors at all (and
	// no X-Frame-Options).
	cspEmbed    = cspBase
	cspGraphiQL = cspBase + "; frame-ancestors 'self'"
)

// file is one embedded file, with its gzip form made on first request.
type file struct {
	name   string
	data   []byte
	etag   string
	gzOnce sync.Once
	gz     []byte
	gzippy bool // worth compressing
}

func (f *file) gzipped() []byte {
	f.gzOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(f.data)
		zw.Close()
		if b.Len() < len(f.data) {
			f.gz = b.Bytes()
		}
	})
	return f.gz
}

type handler struct {
	files    map[string]*file // by path without the leading slash
	index    *file
	graphiql *file
}

// Handler serves the explorer, the embed mode, GraphiQL and their assets.
// Mount it at "/" (more specific routes such as /graphql win in a ServeMux).
func Handler() http.Handler {
	h, err := newHandler(dist)
	if err != nil {
		panic("web: " + err.Error()) // the embedded build is broken: a programming error
	}
	return h
}

func newHandler(root fs.FS) (*handler, error) {
	sub, err := fs.Sub(root, "dist")
	if err != nil {
		return nil, err
	}
	h := &handler{files: map[string]*file{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		h.files[p] = &file{
			name:   p,
			data:   data,
			etag:   `"` + hex.EncodeToString(sum[:12]) + `"`,
			gzippy: ext == ".js" || ext == ".css" || ext == ".html" || ext == ".svg" || ext == ".json" || ext == ".map",
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	h.index, h.graphiql = h.files["index.html"], h.files["graphiql.html"]
	if h.index == nil || h.graphiql == nil {
		return nil, fs.ErrNotExist
	}
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	switch {
	case p == "/graphiql" || p == "/graphiql.html":
		h.page(w, r, h.graphiql, cspGraphiQL)
	case p == "/embed" || strings.HasPrefix(p, "/embed/"):
		h.page(w, r, h.index, cspEmbed)
	case strings.HasPrefix(p, "/assets/"):
		f := h.files[strings.TrimPrefix(p, "/")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		// Names carry a content hash: a new build gets new names.
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.serve(w, r, f)
	case p == "/" || p == "/index.html":
		h.page(w, r, h.index, cspExplorer)
	default:
		if f := h.files[strings.TrimPrefix(p, "/")]; f != nil && !strings.HasSuffix(p, ".html") {
			hdr.Set("Cache-Control", "public, max-age=3600")
			h.serve(w, r, f)
			return
		}
		if path.Ext(p) != "" {
			http.NotFound(w, r) // a missing file, not a page
			return
		}
		h.page(w, r, h.index, cspExplorer) // SPA fallback
	}
}

// page serves an HTML entry point: revalidated on every load so a new build
// is picked up at once.
func (h *handler) page(w http.ResponseWriter, r *http.Request, f *file, csp string) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", csp)
	hdr.Set("Cache-Control", "no-cache")
	h.serve(w, r, f)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, f *file) {
	hdr := w.Header()
	if ct := contentType(f.name); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	data, etag := f.data, f.etag
	if f.gzippy {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if gz := f.gzipped(); gz != nil {
				data, etag = gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
				hdr.Set("Content-Encoding", "gzip")
			}
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(data))
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json", ".map":
		return "application/json"
	case ".woff2":
		return "font/woff2"
	case ".ico":
		return "image/x-icon"
	}
	return "" // ServeContent sniffs
}

// acceptsGzip reports whether the request accepts gzip (with q > 0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		if v, ok := strings.CutPrefix(params, "q="); ok {
			q, err := strconv.ParseFloat(v, 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}
