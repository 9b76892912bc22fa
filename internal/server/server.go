// Package server is aidtrace's HTTP face, with the limits every request
// gets. It serves /graphql, /metrics, /healthz and /readyz itself, and
// makes the /export, /reconcile and /supplier-check handlers that
// cmd/aidtrace mounts (with the explorer at /).
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/klauspost/compress/gzhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Config holds the server's settings.
type Config struct {
	Addr          string // listen address, e.g. ":8080" or "127.0.0.1:0"
	Introspection bool   // allow schema introspection
	// The defaults of the fields below are DefaultConfig's.
	MaxBodyBytes   int64         // request body cap
	RequestTimeout time.Duration // per request
	MaxComplexity  int           // sum of field costs per operation
	MaxDepth       int           // field nesting per operation
	MaxTokens      int           // lexer tokens per document
	// Extensions are added to the GraphQL handler (e.g. per-request
	// dataloaders). They should not intercept fields: plain fields are
	// written without the field middleware (graph/inline).
	Extensions []graphql.HandlerExtension
	// Metrics, when set, are served at /metrics and fed by every request.
	Metrics *Metrics
	// Keys authenticates API keys; nil: every key is refused.
	Keys domain.KeyService
	// RequireKeyForReads refuses anonymous requests (writes always need a key).
	RequireKeyForReads bool
	// RatePerAddr and RatePerKey are requests per second (bursts of twice
	// that) for each client address and each key; 0 disables the limit.
	RatePerAddr, RatePerKey float64
	// MaxInFlight caps data requests served at once; past it requests are
	// shed at once with 503 UNAVAILABLE instead of queueing (memory stays
	// bounded under overload).
	MaxInFlight int
	// MaxInFlightPerAddr caps the requests one client address has in
	// flight (its fair share of MaxInFlight); past it that address gets 429
	// LIMIT_EXCEEDED. 0: no cap.
	MaxInFlightPerAddr int
	// BodyTimeout bounds the time a request body may take to arrive; it is
	// read whole (up to MaxBodyBytes) before the request takes an in-flight
	// slot, so slow senders hold no slot.
	BodyTimeout time.Duration
	// CORSOrigins are the origins whose browser scripts may call the API
	// (see ParseOrigins); none: CORS is off.
	CORSOrigins []string
	// Versions, when set, is the graph's version: read answers (GraphQL
	// queries, GET exports and reconciliation) then carry validators
	// (ETag), matching If-None-Match gets 304, and repeats are served from
	// the answer cache. Nil: answers carry no validators.
	Versions *Versions
	// AnswerCacheBytes caps the answer cache's memory (with Versions);
	// 0 means the default, negative turns the cache off (the validators
	// stay).
	AnswerCacheBytes int64
	// PersistedQueryBytes caps the persisted query documents kept; 0 means
	// the default, negative turns persisted queries off.
	PersistedQueryBytes int64
	// CacheSalt goes into every validator: a new build (whose answers may
	// differ for the same graph) invalidates what clients hold.
	CacheSalt string
	// Live reports whether the process can still serve (/healthz): nil
	// means always. Readiness (ready, /readyz) is about the database now;
	// liveness fails only when the server cannot recover by itself.
	Live func() error
}

// Server serves the API over HTTP.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ln      net.Listener
	http    *http.Server
	mux     *http.ServeMux
	metrics *Metrics
	perAddr *limiters
	perKey  *limiters
	slots   chan struct{}
	gzip    func(http.Handler) http.HandlerFunc
	answers *answers // nil: no validators, no cache
	// inFlight counts each client address's requests in flight.
	mu       sync.Mutex
	inFlight map[string]int
}

// DefaultConfig is the one table of the server's defaults: New fills each
// zero field of its Config from it, and the command line's defaults are
// read from it.
func DefaultConfig() Config {
	return Config{
		MaxBodyBytes:        1 << 20,
		RequestTimeout:      30 * time.Second,
		MaxComplexity:       20000,
		MaxDepth:            12,
		MaxTokens:           5000,
		MaxInFlight:         64,
		BodyTimeout:         10 * time.Second,
		AnswerCacheBytes:    64 << 20,
		PersistedQueryBytes: 8 << 20,
	}
}

// withDefaults is c with each zero field of DefaultConfig's taken from it.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.MaxBodyBytes, d.MaxBodyBytes)
	orDefault(&c.RequestTimeout, d.RequestTimeout)
	orDefault(&c.MaxComplexity, d.MaxComplexity)
	orDefault(&c.MaxDepth, d.MaxDepth)
	orDefault(&c.MaxTokens, d.MaxTokens)
	orDefault(&c.MaxInFlight, d.MaxInFlight)
	orDefault(&c.BodyTimeout, d.BodyTimeout)
	orDefault(&c.AnswerCacheBytes, d.AnswerCacheBytes)
	orDefault(&c.PersistedQueryBytes, d.PersistedQueryBytes)
	return c
}

// orDefault sets *v to def when *v is zero.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// New builds the server. ready reports whether the database answers (/readyz).
func New(cfg Config, schema graphql.ExecutableSchema, ready func(context.Context) error, log *slog.Logger) *Server {
	cfg = cfg.withDefaults()
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	// Both encodings are well supported; the wrapper skips small answers
	// and formats that are compressed already (zip). An ETag gets a suffix
	// per encoding, as RFC 9110 wants.
	gz, err := gzhttp.NewWrapper(gzhttp.SuffixETag("-z"))
	if err != nil {
		panic(err) // fixed options: a programming error
	}
	s := &Server{cfg: cfg, log: log, mux: http.NewServeMux(), metrics: cfg.Metrics,
		perAddr: newLimiters(cfg.RatePerAddr), perKey: newLimiters(cfg.RatePerKey),
		slots: make(chan struct{}, cfg.MaxInFlight), gzip: gz, inFlight: map[string]int{}}
	// A held validator answers 304 (and a kept answer is served) before the
	// document is checked again: the settings that decide whether a
	// document is accepted go into every validator, so that one given
	// under other limits never stands for a document they would refuse.
	salt := fmt.Sprintf("%s|tokens=%d|depth=%d|complexity=%d|introspection=%t|validation=%d",
		cfg.CacheSalt, cfg.MaxTokens, cfg.MaxDepth, cfg.MaxComplexity, cfg.Introspection, MaxValidationCost)
	s.answers = newAnswers(cfg.Versions, cfg.AnswerCacheBytes, salt, cfg.Metrics)
	if cfg.Versions != nil {
		cfg.Versions.OnChange(func(v domain.GraphVersion) { cfg.Metrics.graphVersion.Set(float64(v.N)) })
	}
	s.mux.Handle("/graphql", s.api(newGraphQLHandler(cfg, schema, log, s.answers)))
	metrics := cfg.Metrics.handler()
	if cfg.RequireKeyForReads {
		// The same rule as the data: any valid key.
		metrics = s.authenticate(metrics)
	}
	s.mux.Handle("/metrics", metrics)
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Live != nil {
			if err := cfg.Live(); err != nil {
				log.Error("not live", "err", err)
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "failed", "reason": domain.ErrorMessage(err)})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			log.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": domain.ErrorMessage(err)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.http = &http.Server{
		Handler:           s.observe(s.mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handle adds a handler to the server's mux (before Open), unguarded.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleAPI adds a data endpoint with the API's guards: CORS,
// authentication, rate limits, body cap, deadline and compression.
func (s *Server) HandleAPI(pattern string, h http.Handler) { s.mux.Handle(pattern, s.api(h)) }

// HandleReadAPI adds a read-only data endpoint with the API's guards whose
// GET answers are validated and cached under route (see answers.go).
func (s *Server) HandleReadAPI(pattern, route string, h http.Handler) {
	s.mux.Handle(pattern, s.api(s.cacheGET(route, h)))
}

// api wraps a data endpoint in its guards, cheapest refusal first. The body
// is read before a slot is taken: a slow sender holds a socket, never a
// slot.
func (s *Server) api(h http.Handler) http.Handler {
	return s.cors(s.rateLimit(s.readBody(s.shed(s.authenticate(s.rateLimitKeys(s.limits(s.gzip(h))))))))
}

// shed serves a request only when its address is under its fair share of
// slots (MaxInFlightPerAddr; else 429 LIMIT_EXCEEDED) and one of
// MaxInFlight slots is free, waiting at most 50ms for one; otherwise it
// answers 503 UNAVAILABLE at once. Overload then costs a short answer per
// request, not a goroutine and a buffer queued for each, and one address
// cannot take every slot.
func (s *Server) shed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if max := s.cfg.MaxInFlightPerAddr; max > 0 {
			host := clientHost(r)
			s.mu.Lock()
			if s.inFlight[host] >= max {
				s.mu.Unlock()
				s.metrics.rejected.WithLabelValues("in_flight_address").Inc()
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []map[string]any{{
					"message":    fmt.Sprintf("this address has %d requests in flight already; wait for their answers", max),
					"extensions": map[string]string{"code": domain.ELIMIT},
				}}})
				return
			}
			s.inFlight[host]++
			s.mu.Unlock()
			defer func() {
				s.mu.Lock()
				if s.inFlight[host]--; s.inFlight[host] == 0 {
					delete(s.inFlight, host)
				}
				s.mu.Unlock()
			}()
		}
		select {
		case s.slots <- struct{}{}:
		default:
			t := time.NewTimer(50 * time.Millisecond)
			select {
			case s.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				s.metrics.rejected.WithLabelValues("overload").Inc()
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": []map[string]any{{
					"message":    "the server is at capacity; retry shortly",
					"extensions": map[string]string{"code": domain.EUNAVAILABLE},
				}}})
				return
			}
		}
		defer func() { <-s.slots }()
		next.ServeHTTP(w, r)
	})
}

// Open starts listening and serving in the background.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server", "err", err)
		}
	}()
	s.log.Info("serving", "addr", ln.Addr().String())
	return nil
}

// Addr is the address the server listens on (after Open).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's base URL on the loopback interface (after Open).
func (s *Server) URL() string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return "http://127.0.0.1:" + port
}

// Close stops accepting and waits for in-flight requests until ctx ends.
func (s *Server) Close(ctx context.Context) error { return s.http.Shutdown(ctx) }

// limits gives every request a deadline (readBody has capped the body).
func (s *Server) limits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// readBody reads a request's body whole, up to MaxBodyBytes, within
// BodyTimeout, and hands the rest of the chain a body in memory. A body
// over the cap, whether announced by Content-Length or chunked, gets 413
// LIMIT_EXCEEDED; one that does not arrive in time gets 408 and the
// connection is closed.
func (s *Server) readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			s.metrics.rejected.WithLabelValues("body_size").Inc()
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"errors": []map[string]any{{
				"message":    fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes),
				"extensions": map[string]string{"code": domain.ELIMIT},
			}}})
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			tooLarge()
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
		body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
		_ = rc.SetReadDeadline(time.Time{})
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.metrics.rejected.WithLabelValues("body_timeout").Inc()
			w.Header().Set("Connection", "close")
			writeJSON(w, http.StatusRequestTimeout, map[string]any{"errors": []map[string]any{{
				"message":    fmt.Sprintf("the request body did not arrive within %s", s.cfg.BodyTimeout),
				"extensions": map[string]string{"code": domain.ELIMIT},
			}}})
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			writeError(w, domain.Errorf(domain.EBADINPUT, "the request body could not be read"))
			return
		case int64(len(body)) > s.cfg.MaxBodyBytes:
			tooLarge()
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// clientHost is the request's client address without its port.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newGraphQLHandler(cfg Config, schema graphql.ExecutableSchema, log *slog.Logger, ans *answers) http.Handler {
	h := handler.New(schema)
	persisted := newPersistedQueries(cfg.PersistedQueryBytes, cfg.Metrics)
	h.AddTransport(graphqlHTTP{answers: ans, persisted: persisted})
	cache := lru.New[*ast.QueryDocument](1000)
	h.SetQueryCache(cache)
	h.SetParserTokenLimit(cfg.MaxTokens)
	h.SetDisableSuggestion(true)
	for _, e := range extensions(cfg, persisted, cache) {
		h.Use(e)
	}
	h.SetErrorPresenter(errorPresenter(log, cfg.Metrics))
	h.SetRecoverFunc(recoverFunc(log))
	return h
}

// extensions are the GraphQL handler's extensions, in order. None of the
// server's own intercepts fields: plain fields are written without the
// field middleware (graph/inline), so an interceptor would not see them
// (TestNoExtensionInterceptsFields).
func extensions(cfg Config, persisted *persistedQueries, cache *lru.LRU[*ast.QueryDocument]) []graphql.HandlerExtension {
	// First: the document guard and the parser need the document a
	// persisted query's hash stands for.
	exts := []graphql.HandlerExtension{
		persistedLookup{persisted},
		documentGuard{cache: cache, maxTokens: cfg.MaxTokens, maxCost: MaxValidationCost},
	}
	if cfg.Introspection {
		exts = append(exts, extension.Introspection{})
	}
	exts = append(exts, depthLimit{Max: cfg.MaxDepth, MaxSelections: cfg.MaxComplexity}, extension.FixedComplexityLimit(cfg.MaxComplexity))
	exts = append(exts, cfg.Extensions...)
	// Last: only a document that passed validation and every limit is kept.
	return append(exts, persistedRegister{persisted})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Handler is the server's whole HTTP handler, for in-process tests that
// need no socket (gqlgen's client.New(srv.Handler(), client.Path("/graphql"))).
func (s *Server) Handler() http.Handler { return s.http.Handler }
