package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Metrics are the server's Prometheus metrics, in a registry of their own
// (so tests can run several servers in one process).
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	inFlight      prometheus.Gauge
	gqlErrors     *prometheus.CounterVec
	queryDuration *prometheus.HistogramVec
	queryErrors   *prometheus.CounterVec
	rejected      *prometheus.CounterVec
	// The answer cache and the persisted queries.
	answerCache        *prometheus.CounterVec
	answerCacheBytes   prometheus.Gauge
	answerCacheEntries prometheus.Gauge
	answerCacheMax     prometheus.Gauge
	persistedBytes     prometheus.Gauge
	persistedEntries   prometheus.Gauge
	persistedQueries   *prometheus.CounterVec
	graphVersion       prometheus.Gauge
}

// NewMetrics registers the metrics, with Go runtime and process metrics
// (memory, goroutines, file descriptors).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aidtrace_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_http_in_flight_requests", Help: "Requests being served.",
		}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_graphql_errors_total", Help: "GraphQL errors by extensions.code.",
		}, []string{"code"}),
		queryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aidtrace_neo4j_query_duration_seconds", Help: "Cypher round trips by query name.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
		}, []string{"query"}),
		queryErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_neo4j_query_errors_total", Help: "Failed Cypher round trips by query name and code.",
		}, []string{"query", "code"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_rejected_requests_total", Help: "Requests refused before any work, by reason.",
		}, []string{"reason"}),
		answerCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_answer_cache_requests_total",
			Help: "Read requests by route and what the answer cache did: not_modified (304), hit, stored, too_large, error (not cached), unversioned (the graph's version was unknown).",
		}, []string{"route", "result"}),
		answerCacheBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_answer_cache_bytes", Help: "Memory held by cached answers (bodies, headers and bookkeeping), bytes.",
		}),
		answerCacheEntries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_answer_cache_entries", Help: "Answers in the answer cache.",
		}),
		answerCacheMax: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_answer_cache_max_bytes", Help: "The answer cache's cap, bytes (0: off).",
		}),
		persistedBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_persisted_queries_bytes", Help: "Memory held by persisted query documents, bytes.",
		}),
		persistedEntries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_persisted_queries_entries", Help: "Persisted query documents held.",
		}),
		persistedQueries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrace_persisted_queries_total", Help: "Requests naming a persisted query, by result: found, not_found, registered, mismatch.",
		}, []string{"result"}),
		graphVersion: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidtrace_graph_version", Help: "The graph version answers are validated against (its count within the epoch).",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.gqlErrors, m.queryDuration, m.queryErrors, m.rejected,
		m.answerCache, m.answerCacheBytes, m.answerCacheEntries, m.answerCacheMax,
		m.persistedBytes, m.persistedEntries, m.persistedQueries, m.graphVersion,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveQuery records one Cypher round trip (give it to the store).
func (m *Metrics) ObserveQuery(name string, took time.Duration, err error) {
	m.queryDuration.WithLabelValues(name).Observe(took.Seconds())
	if err != nil {
		m.queryErrors.WithLabelValues(name, domain.ErrorCode(err)).Inc()
	}
}

// ObservePool exports the database connection pool's use and size.
func (m *Metrics) ObservePool(inUse func() int64, size int) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aidtrace_neo4j_pool_in_use", Help: "Database sessions (pooled connections) in use."},
			func() float64 { return float64(inUse()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aidtrace_neo4j_pool_size", Help: "Size of the database connection pool."},
			func() float64 { return float64(size) }))
}

func (m *Metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

func route(path string) string {
	switch {
	case path == "/graphql", path == "/healthz", path == "/readyz", path == "/metrics":
		return path
	case strings.HasPrefix(path, "/export/"):
		return "/export"
	}
	return "other"
}

// reqState is what the layers of one request tell each other.
type reqState struct {
	unavailable atomic.Bool // an UNAVAILABLE error was presented
}

type reqStateKey struct{}

func stateOf(ctx context.Context) *reqState {
	s, _ := ctx.Value(reqStateKey{}).(*reqState)
	return s
}

// statusWriter records the status, and turns a 200 whose GraphQL answer
// holds an UNAVAILABLE error into 503 with Retry-After, so load balancers
// and clients see the database outage at the HTTP level too.
type statusWriter struct {
	http.ResponseWriter
	state  *reqState
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code == http.StatusOK && w.state.unavailable.Load() {
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "2")
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// observe gives each request an id (X-Request-Id, kept from the client when
// sane), logs it with its status and duration, and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		// No answer is ever to be read as another type than it says.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		st := &reqState{}
		ctx := context.WithValue(domain.WithRequestID(r.Context(), id), reqStateKey{}, st)
		sw := &statusWriter{ResponseWriter: w, state: st}
		rt := route(r.URL.Path)
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(began)
		s.metrics.requests.WithLabelValues(rt, r.Method, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(rt).Observe(took.Seconds())
		level := slog.LevelInfo
		if rt == "/healthz" || rt == "/readyz" || rt == "/metrics" {
			level = slog.LevelDebug
		}
		// Formatting the line costs a few allocations per request: only
		// when it is written (a server at warn writes none).
		if s.log.Enabled(ctx, level) {
			s.log.Log(ctx, level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"took", took.Round(time.Microsecond).String(), "remote", r.RemoteAddr)
		}
	})
}

// LogHandler wraps a slog handler so that records logged with a request's
// context carry its request_id.
func LogHandler(h slog.Handler) slog.Handler { return ctxHandler{h} }

type ctxHandler struct{ slog.Handler }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := domain.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h ctxHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ctxHandler{h.Handler.WithAttrs(as)}
}
func (h ctxHandler) WithGroup(name string) slog.Handler { return ctxHandler{h.Handler.WithGroup(name)} }
