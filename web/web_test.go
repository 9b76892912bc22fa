package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	h := Handler()
	tests := []struct {
		target, want, csp string
	}{
		{"/", `<div id="cy"`, "frame-ancestors 'self'"},
		{"/?id=prefecture:aksu&mode=up&asOf=2015", `<div id="cy"`, "frame-ancestors 'self'"},
		{"/index.html", `<div id="cy"`, "frame-ancestors 'self'"},
		{"/embed", `<div id="cy"`, ""},                            // framable by any page, file:// included
		{"/embed?id=prefecture:aksu&mode=up", `<div id="cy"`, ""}, // framable by any page, file:// included
		{"/embed/anything", `<div id="cy"`, ""},                   // framable by any page, file:// included
		{"/graphiql", `<div id="graphiql"`, "frame-ancestors 'self'"},
		{"/some/unknown/page", `<div id="cy"`, "frame-ancestors 'self'"}, // SPA fallback
	}
	for _, tt := range tests {
		rec := get(t, h, http.MethodGet, tt.target, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", tt.target, rec.Code)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tt.target, ct)
		}
		if !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s: body lacks %q", tt.target, tt.want)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, tt.csp) || !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: CSP %q, want %q and self-only sources", tt.target, csp, tt.csp)
		}
		if tt.csp == "" && (strings.Contains(csp, "frame-ancestors") || rec.Header().Get("X-Frame-Options") != "") {
			t.Errorf("GET %s: CSP %q, X-Frame-Options %q: the embed must be framable by any page", tt.target, csp, rec.Header().Get("X-Frame-Options"))
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tt.target, cc)
		}
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := Handler()
	for _, target := range []string{"/assets/nothing-here.js", "/missing.png", "/embed.js"} {
		if rec := get(t, h, http.MethodGet, target, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, rec.Code)
		}
	}
	rec := get(t, h, http.MethodPost, "/", nil)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	rec = get(t, h, http.MethodHead, "/", nil)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD / = %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}

// assetRefs returns the /assets/ URLs an HTML page loads.
func assetRefs(t *testing.T, html string) []string {
	t.Helper()
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(html, -1)
	var out []string
	for _, m := range refs {
		out = append(out, m[1])
	}
	return out
}

func TestAssets(t *testing.T) {
	h := Handler()
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	seen := map[string]bool{}
	for _, page := range []string{"/", "/graphiql"} {
		html := get(t, h, http.MethodGet, page, nil).Body.String()
		refs := assetRefs(t, html)
		var js, css int
		for _, ref := range refs {
			switch path.Ext(ref) {
			case ".js":
				js++
			case ".css":
				css++
			}
		}
		if js == 0 || css == 0 {
			t.Errorf("%s loads %d scripts and %d stylesheets from /assets/, want at least one of each: %v", page, js, css, refs)
		}
		for _, ref := range refs {
			if seen[ref] {
				continue
			}
			seen[ref] = true
			rec := get(t, h, http.MethodGet, ref, nil)
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Errorf("GET %s = %d, %d bytes", ref, rec.Code, rec.Body.Len())
				continue
			}
			if want := wantType[path.Ext(ref)]; rec.Header().Get("Content-Type") != want {
				t.Errorf("GET %s: Content-Type %q, want %q", ref, rec.Header().Get("Content-Type"), want)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("GET %s: Cache-Control %q", ref, cc)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: no nosniff", ref)
			}
			// Revalidation by ETag.
			etag := rec.Header().Get("ETag")
			if etag == "" {
				t.Errorf("GET %s: no ETag", ref)
			} else if rec2 := get(t, h, http.MethodGet, ref, map[string]string{"If-None-Match": etag}); rec2.Code != http.StatusNotModified {
				t.Errorf("GET %s with If-None-Match = %d, want 304", ref, rec2.Code)
			}
			// gzip when asked, decoding to the same bytes.
			gz := get(t, h, http.MethodGet, ref, map[string]string{"Accept-Encoding": "br, gzip"})
			if gz.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s with gzip: Content-Encoding %q, Vary %q", ref, gz.Header().Get("Content-Encoding"), gz.Header().Get("Vary"))
				continue
			}
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(plain, rec.Body.Bytes()) {
				t.Errorf("GET %s: gzip body does not decode to the file (%v)", ref, err)
			}
			if gz.Header().Get("ETag") == etag {
				t.Errorf("GET %s: gzip and identity share ETag %s", ref, etag)
			}
		}
	}
	if rec := get(t, h, http.MethodGet, "/favicon.svg", nil); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET /favicon.svg = %d, %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := get(t, h, http.MethodGet, "/assets/x.js", map[string]string{"Accept-Encoding": "gzip;q=0"}); rec.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 was answered with gzip")
	}
}

// Hosts that the bundles name but never load from: XML namespaces, links in
// documentation strings and error messages. Anything else is a finding.
var allowedHosts = map[string]bool{
	"www.w3.org":       true, // SVG, XLink, XML and MathML namespaces
	"react.dev":        true, // React's error-message links
	"yarnpkg.com":      true, // a comment-like message in GraphiQL's dependencies
	"github.com":       true, // GraphiQL's "about" link
	"en.wikipedia.org": true, // a doc link in a number formatter
	"commonmark.org":   true, // markdown-it's spec link
	"codemirror.net":   true, // CodeMirror's manual link
}

// TestNoCDN scans every built file: no page or stylesheet loads anything
// from another origin, and no bundle names a host outside the allow-list.
func TestNoCDN(t *testing.T) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	urlRE := regexp.MustCompile(`(?i)(?:https?:)?//([a-z0-9][a-z0-9.-]*\.[a-z]{2,})(?::\d+)?[/"'\x60)\s]`)
	loadRE := regexp.MustCompile(`(?i)(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import\s+(?:url\()?\s*["']?(?:https?:)?//`)
	cdnRE := regexp.MustCompile(`(?i)unpkg\.com|jsdelivr|cdnjs|googleapis|gstatic|esm\.sh|skypack|cloudflare|fonts\.bunny|//cdn\.`)
	var files int
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		text := string(data)
		ext := path.Ext(p)
		if ext == ".html" || ext == ".css" {
			if m := loadRE.FindString(text); m != "" {
				t.Errorf("%s loads from another origin: %q", p, m)
			}
		}
		if m := cdnRE.FindString(text); m != "" {
			t.Errorf("%s names a CDN: %q", p, m)
		}
		for _, m := range urlRE.FindAllStringSubmatch(text, -1) {
			host := strings.ToLower(m[1])
			if !allowedHosts[host] {
				t.Errorf("%s names host %q (%q): a CDN or other remote resource?", p, host, strings.TrimSpace(m[0]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 4 {
		t.Errorf("dist has %d files: is the build missing? (cd web && npm ci && npm run build)", files)
	}
}
