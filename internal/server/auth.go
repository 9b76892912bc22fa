package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// authenticate reads "Authorization: Bearer <key>" (the scheme in any
// case, as RFC 9110 says). A bad key is refused at once (401): a client
// that sends a key means to use it. Without a key the request is
// anonymous, which reads allow unless RequireKeyForReads is set; the write
// service checks roles itself (domain.Authorize). Every 401 says how to
// authenticate (WWW-Authenticate).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			if s.cfg.RequireKeyForReads {
				w.Header().Set("WWW-Authenticate", `Bearer realm="aidtrace"`)
				writeError(w, domain.Errorf(domain.EUNAUTHENTICATED, "this server needs an API key for every request: send 'Authorization: Bearer <key>'"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "Bearer") || s.cfg.Keys == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aidtrace"`)
			writeError(w, domain.Errorf(domain.EUNAUTHENTICATED, "send the key as 'Authorization: Bearer <key>'"))
			return
		}
		p, err := s.cfg.Keys.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
				s.log.ErrorContext(r.Context(), "authenticate", "err", err)
			} else {
				w.Header().Set("WWW-Authenticate", `Bearer realm="aidtrace", error="invalid_token"`)
			}
			writeError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(domain.WithPrincipal(r.Context(), p)))
	})
}

// limiters hands out one token bucket per client (address or key) and
// forgets clients idle for ten minutes, so the map cannot grow without bound.
type limiters struct {
	mu      sync.Mutex
	perSec  rate.Limit
	burst   int
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiters(perSec float64) *limiters {
	if perSec <= 0 {
		return nil
	}
	return &limiters{perSec: rate.Limit(perSec), burst: max(1, int(2*perSec)), clients: map[string]*client{}}
}

// allow takes a token for key; when none is left it says how long to wait.
func (l *limiters) allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		c = &client{lim: rate.NewLimiter(l.perSec, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimit refuses requests over the per-address rate with 429 and
// LIMIT_EXCEEDED before any work (even authentication) is done.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.perAddr.allow(clientHost(r), time.Now()); !ok {
			s.tooMany(w, "address", wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimitKeys does the same per API key (a key may be used from many
// addresses).
func (s *Server) rateLimitKeys(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := domain.PrincipalFrom(r.Context()); p != nil {
			if ok, wait := s.perKey.allow(p.KeyID, time.Now()); !ok {
				s.tooMany(w, "key", wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) tooMany(w http.ResponseWriter, what string, wait time.Duration) {
	s.metrics.rejected.WithLabelValues("rate_" + what).Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []map[string]any{{
		"message":    "too many requests from this " + what + "; retry after the Retry-After seconds",
		"extensions": map[string]string{"code": domain.ELIMIT},
	}}})
}
