package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// ParseOrigins checks a CORS allow-list: "*" alone (any origin), or origins
// such as https://tool.example.org (scheme, host and port; no path).
func ParseOrigins(list []string) ([]string, error) {
	var out []string
	for _, o := range list {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			if len(list) > 1 {
				return nil, errors.New("CORS origins: * stands alone")
			}
			return []string{"*"}, nil
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("CORS origin %q is not scheme://host[:port]", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// corsHeaders are what browser scripts of the allowed origins may send and
// read.
const (
	corsAllowHeaders  = "Authorization, Content-Type, X-Request-Id"
	corsExposeHeaders = "X-Request-Id, Retry-After, WWW-Authenticate, Content-Disposition, X-Aidtrace-Truncated, X-Aidtrace-Counts"
)

// cors lets browser-based tools of the allowed origins call the API: it
// answers preflights (OPTIONS with Access-Control-Request-Method) itself,
// before any limit or authentication, and marks every answer to an allowed
// origin (errors too, so the tool can read them). With no origins it does
// nothing: browsers then keep other sites' scripts out, as by default.
func (s *Server) cors(next http.Handler) http.Handler {
	origins := s.cfg.CORSOrigins
	if len(origins) == 0 {
		return next
	}
	any := slices.Equal(origins, []string{"*"})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		allowed := origin != "" && (any || slices.Contains(origins, strings.ToLower(origin)))
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if allowed {
			if any {
				w.Header().Set("Access-Control-Allow-Origin", "*")
			} else {
				w.Header().Set("Access-Control-Allow-Origin", origin)
			}
		}
		if !preflight {
			if allowed {
				w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
			}
			next.ServeHTTP(w, r)
			return
		}
		if !allowed {
			writeError(w, domain.Errorf(domain.EFORBIDDEN, "this origin may not call the API from a browser"))
			return
		}
		w.Header().Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.Header().Set("Access-Control-Allow-Headers", corsAllowHeaders)
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}
