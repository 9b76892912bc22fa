package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Answers that cache. A read answer depends on the graph's version and on
// the request's identity (the document and variables, or the URL; the
// caller's role; the media type asked for), and on nothing else: the same
// identity at the same version is the same answer. So its validator (the
// ETag) is a hash of the two, known before the answer is computed: a
// client (a browser, a CDN) that holds it gets 304 Not Modified without a
// database round trip, and a bounded in-memory cache keyed the same way
// serves repeats. Nothing but successful answers is cached or validated.

// answers validates and keeps read answers.
type answers struct {
	versions *Versions
	store    *byteLRU[*answer] // nil: validators only
	// maxEntry is the largest answer kept: an eighth of the cap, so a few
	// large exports cannot push out every small answer.
	maxEntry int64
	salt     string
	m        *Metrics
}

// answer is one cached answer.
type answer struct {
	v      domain.GraphVersion
	header http.Header // the handler's own headers (not the guards')
	body   []byte
	// gz is the body gzipped once when it is kept, for the many clients
	// that accept gzip: a hit then costs no compression (nil for small or
	// compressed bodies, which the compression layer passes as they are).
	gz []byte
}

func newAnswers(versions *Versions, maxBytes int64, salt string, m *Metrics) *answers {
	if versions == nil {
		return nil
	}
	a := &answers{versions: versions, salt: salt, m: m, maxEntry: maxBytes / 8}
	m.answerCacheMax.Set(float64(max(maxBytes, 0)))
	if maxBytes > 0 {
		a.store = newLRU(maxBytes, func(_ string, e *answer) int64 {
			n := int64(len(e.body)) + int64(len(e.gz)) + int64(len(e.v.Epoch)) + 64
			for k, vs := range e.header {
				n += int64(len(k)) + 16
				for _, v := range vs {
					n += int64(len(v)) + 16
				}
			}
			return n
		}, func(bytes int64, entries int) {
			m.answerCacheBytes.Set(float64(bytes))
			m.answerCacheEntries.Set(float64(entries))
		})
		// Every answer of an older version is dead: free its memory now.
		versions.OnChange(func(domain.GraphVersion) { a.store.Purge() })
	}
	return a
}

// exchange is one read request the cache has identified.
type exchange struct {
	a     *answers
	route string
	key   string // the identity: the cache key, without the version
	etag  string // the validator: identity and version
	v     domain.GraphVersion
	keyed bool // the request carried a key: answers are private
}

// begin identifies a read request: the route, then what else its answer
// depends on (parts), with the caller's role. It returns nil when the
// graph's version is not known now: then the answer goes uncached, with no
// validator.
func (a *answers) begin(r *http.Request, route string, parts ...string) *exchange {
	if a == nil {
		return nil
	}
	v, ok := a.versions.Current()
	if !ok {
		a.count(route, "unversioned")
		return nil
	}
	role := "anonymous"
	p := domain.PrincipalFrom(r.Context())
	if p != nil {
		role = "role:" + string(p.Role)
	}
	h := sha256.New()
	var n [8]byte
	for _, s := range append([]string{a.salt, route, role}, parts...) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	key := h.Sum(nil)
	tag := sha256.Sum256(append(key, v.String()...))
	return &exchange{a: a, route: route, key: string(key), v: v, keyed: p != nil,
		etag: `"` + base64.RawURLEncoding.EncodeToString(tag[:18]) + `"`}
}

func (a *answers) count(route, result string) {
	a.m.answerCache.WithLabelValues(route, result).Inc()
}

// matched returns the entity tag of If-None-Match that names this answer
// ("" when none does). The compression layer suffixes the tags of the
// answers it compresses (-z-gzip, -z-zstd): those name the same answer.
// "*" matches nothing: the tag vouches for an answer known to be good,
// and "*" would skip an answer that may be an error.
func (x *exchange) matched(r *http.Request) string {
	vals := r.Header.Values("If-None-Match")
	if len(vals) == 0 {
		return ""
	}
	want := x.etag[1 : len(x.etag)-1]
	for _, part := range strings.Split(strings.Join(vals, ","), ",") {
		t := strings.TrimSpace(part)
		// If-None-Match compares weakly: W/ is no difference.
		t = strings.TrimPrefix(t, "W/")
		if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
			continue
		}
		opaque := t[1 : len(t)-1]
		for _, suffix := range []string{"-z-gzip", "-z-zstd"} {
			opaque = strings.TrimSuffix(opaque, suffix)
		}
		if opaque == want {
			return t
		}
	}
	return ""
}

// validators sets the answer's ETag and Cache-Control: a browser or a CDN
// may keep it but must revalidate before each use (max-age=0,
// must-revalidate), which costs a 304 while the graph is unchanged.
// Answers to a keyed request are private: a shared cache must not hand
// them to others.
func (x *exchange) validators(h http.Header, etag string) {
	h.Set("ETag", etag)
	if x.keyed {
		h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	} else {
		h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	}
	// The answer differs by role; GraphQL answers by media type too.
	vary := "Authorization"
	if x.route == "/graphql" {
		vary = "Accept, Authorization"
	}
	h.Add("Vary", vary)
}

// notModified answers 304 when the client holds this answer already.
func (x *exchange) notModified(w http.ResponseWriter, r *http.Request) bool {
	tag := x.matched(r)
	if tag == "" {
		return false
	}
	x.validators(w.Header(), tag)
	w.Header().Del("Content-Type")
	w.WriteHeader(http.StatusNotModified)
	x.a.count(x.route, "not_modified")
	return true
}

// serveCached writes the cached answer, when there is one of this version.
func (x *exchange) serveCached(w http.ResponseWriter, r *http.Request) bool {
	if x.a.store == nil {
		return false
	}
	e, ok := x.a.store.Get(x.key)
	if !ok {
		return false
	}
	if e.v != x.v {
		x.a.store.Remove(x.key)
		return false
	}
	h := w.Header()
	for k, vs := range e.header {
		h[k] = slices.Clone(vs)
	}
	x.write(w, r, e.body, e.gz)
	x.a.count(x.route, "hit")
	return true
}

// write answers 200 with body and its validators, or with gz (body
// gzipped; nil: none) when the client takes gzip. Already encoded, gz is
// passed by the compression layer as it is; its tag is suffixed as that
// layer suffixes the tags of what it compresses, so either way one
// representation has one tag.
func (x *exchange) write(w http.ResponseWriter, r *http.Request, body, gz []byte) {
	h := w.Header()
	if gz != nil && r.Method != http.MethodHead && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = gz
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		x.validators(h, x.etag[:len(x.etag)-1]+`-z-gzip"`)
	} else {
		x.validators(h, x.etag)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// acceptsGzip reports whether an Accept-Encoding value accepts gzip (not
// with q=0).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !ok {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}

// gzipMinSize is the smallest body kept gzipped too, as the compression
// layer compresses (gzhttp.DefaultMinSize).
const gzipMinSize = 1024

// gzipped is body gzipped, when that is worth keeping: not for small
// bodies, nor for formats that are compressed already (zip).
func gzipped(body []byte, contentType string) []byte {
	if len(body) < gzipMinSize || strings.Contains(contentType, "zip") || strings.HasPrefix(contentType, "image/") {
		return nil
	}
	var b bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&b)
	_, err := zw.Write(body)
	if err == nil {
		err = zw.Close()
	}
	zw.Reset(io.Discard) // hold no answer while pooled
	if err != nil {
		return nil
	}
	return b.Bytes()
}

// gzipWriters are reused: a writer's tables are some hundreds of KiB, and
// making one took longer than answering a small query (about 0.3 ms).
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// keep stores a successful answer (its headers and body) of contentType,
// and returns the body gzipped as it is kept (nil: not kept gzipped).
func (x *exchange) keep(header http.Header, body []byte, contentType string) []byte {
	if x.a.store == nil {
		return nil
	}
	if int64(len(body)) > x.a.maxEntry {
		x.a.count(x.route, "too_large")
		return nil
	}
	gz := gzipped(body, contentType)
	if !x.a.store.Add(x.key, &answer{v: x.v, header: header, body: body, gz: gz}) {
		x.a.count(x.route, "too_large")
		return nil
	}
	x.a.count(x.route, "stored")
	return gz
}

// cacheGET validates and caches the GET (and HEAD) answers of a read-only
// endpoint (exports, reconciliation). Their answer depends on the URL (path
// and query), on the scheme and host asked for (links in it) and on the
// role; errors are neither cached nor validated. Other methods pass.
func (s *Server) cacheGET(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		// An export without an as-of date is named after the day it is
		// made (Content-Disposition): its answer lasts the day.
		day := ""
		if route == "/export" {
			day = time.Now().UTC().Format(time.DateOnly)
		}
		x := s.answers.begin(r, route, scheme, r.Host, r.URL.Path, r.URL.RawQuery, day)
		if x == nil {
			next.ServeHTTP(w, r)
			return
		}
		if x.notModified(w, r) || x.serveCached(w, r) {
			return
		}
		t := &teeWriter{ResponseWriter: w, x: x, before: w.Header().Clone(), limit: x.a.maxEntry}
		next.ServeHTTP(t, r)
		switch {
		case t.status != http.StatusOK && t.status != 0:
			x.a.count(route, "error")
		case r.Method == http.MethodGet && !t.overflow:
			x.keep(t.own, t.buf.Bytes(), t.own.Get("Content-Type"))
		case t.overflow:
			x.a.count(route, "too_large")
		}
	})
}

// teeWriter passes an answer through and keeps a copy (up to limit bytes)
// with the headers the handler set; a 200 gets the validators, anything
// else Cache-Control: no-store.
type teeWriter struct {
	http.ResponseWriter
	x        *exchange
	before   http.Header
	own      http.Header
	status   int
	buf      bytes.Buffer
	limit    int64
	overflow bool
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status != 0 {
		return
	}
	t.status = code
	h := t.Header()
	if code == http.StatusOK {
		t.own = http.Header{}
		for k, vs := range h {
			if !slices.Equal(t.before[k], vs) {
				t.own[k] = slices.Clone(vs)
			}
		}
		t.x.validators(h, t.x.etag)
	} else {
		h.Set("Cache-Control", "no-store")
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	if !t.overflow {
		if int64(t.buf.Len()+len(b)) > t.limit {
			t.overflow = true
			t.buf = bytes.Buffer{}
		} else {
			t.buf.Write(b)
		}
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
