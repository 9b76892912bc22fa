package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// errorPresenter is the one place where errors become GraphQL errors: an
// application error keeps its message and code; anything else is logged and
// shown as "internal error" with code INTERNAL.
func errorPresenter(log *slog.Logger, m *Metrics) graphql.ErrorPresenterFunc {
	present := presenter(log)
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := present(ctx, err)
		gerr.Message = boundMessage(gerr.Message)
		code, _ := gerr.Extensions["code"].(string)
		m.gqlErrors.WithLabelValues(code).Inc()
		if st := stateOf(ctx); st != nil && code == domain.EUNAVAILABLE {
			st.unavailable.Store(true)
		}
		return gerr
	}
}

// maxMessageLen bounds the message a client sees: some quote the request
// whole (gqlparser's "Cannot query field", gqlgen's "body:" of a JSON body
// it cannot decode), and a request may be 1 MiB.
const maxMessageLen = 1000

func boundMessage(msg string) string {
	if len(msg) <= maxMessageLen {
		return msg
	}
	cut := maxMessageLen
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var app *domain.Error
		if errors.As(err, &app) {
			gerr.Message = app.Message
			setCode(gerr, app.Code)
			if app.Code == domain.EUNAVAILABLE || app.Code == domain.EINTERNAL {
				log.WarnContext(ctx, "graphql", "code", app.Code, "path", gerr.Path.String(), "err", err)
			}
			return gerr
		}
		var own *gqlerror.Error
		if errors.As(err, &own) && own.Err == nil {
			// Errors of the request itself (parse, validation, limits) from
			// gqlparser and gqlgen: safe to show, given our codes. The HTTP
			// status was already chosen from the original code.
			if reason, _ := gerr.Extensions["code"].(string); reason != "" {
				if code, ok := requestErrorCodes[reason]; ok {
					setCode(gerr, code)
					gerr.Extensions["reason"] = reason
				}
			} else {
				setCode(gerr, domain.EBADINPUT)
			}
			return gerr
		}
		log.ErrorContext(ctx, "graphql internal error", "path", gerr.Path.String(), "err", err)
		gerr.Message = "internal error"
		setCode(gerr, domain.EINTERNAL)
		return gerr
	}
}

// requestErrorCodes maps gqlgen's codes to ours; the original stays in
// extensions.reason for tools that know it.
var requestErrorCodes = map[string]string{
	"GRAPHQL_PARSE_FAILED":      domain.EBADINPUT,
	"GRAPHQL_VALIDATION_FAILED": domain.EBADINPUT,
	"COMPLEXITY_LIMIT_EXCEEDED": domain.ELIMIT,
	codeDepthLimit:              domain.ELIMIT,
	"PERSISTED_QUERY_NOT_FOUND": domain.EBADINPUT,
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// recoverFunc turns a panic in a resolver into an internal error.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic") // not an *domain.Error: shown as INTERNAL
	}
}

// httpStatus is the one table from error codes to HTTP statuses for the
// plain HTTP endpoints (GraphQL answers follow the GraphQL-over-HTTP rules).
var httpStatus = map[string]int{
	domain.EBADINPUT:        http.StatusBadRequest,
	domain.ENOTFOUND:        http.StatusNotFound,
	domain.EUNAUTHENTICATED: http.StatusUnauthorized,
	domain.EFORBIDDEN:       http.StatusForbidden,
	domain.ELIMIT:           http.StatusBadRequest,
	domain.EUNAVAILABLE:     http.StatusServiceUnavailable,
	domain.EINTERNAL:        http.StatusInternalServerError,
}

// writeError answers with the error in GraphQL's error shape, so clients
// parse one format everywhere; internal errors show only "internal error".
func writeError(w http.ResponseWriter, err error) {
	code := domain.ErrorCode(err)
	status, ok := httpStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": boundMessage(domain.ErrorMessage(err)), "extensions": map[string]string{"code": code},
	}}})
}

// unsupported answers the requests no other transport takes (a method
// other than GET and POST, a POST body that is not application/json) with
// a coded error, where gqlgen would send a bare "transport not supported".
// It must be the last transport added.
type unsupported struct{}

func (unsupported) Supports(*http.Request) bool { return true }

func (unsupported) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	status, msg := http.StatusUnsupportedMediaType, "send a POST body as application/json, or use GET with URL parameters"
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		status, msg = http.StatusMethodNotAllowed, "use GET or POST"
	}
	writeJSON(w, status, exec.DispatchError(r.Context(), gqlerror.List{gqlerror.Errorf("%s", msg)}))
}

// getTransport is gqlgen's GET transport, except that a mutation sent with
// GET gets 405 with `Allow: POST` and a coded error (gqlgen writes a bare
// 406 without extensions.code). GraphQL over HTTP: GET is for queries only.
type getTransport struct{ transport.GET }

func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.GET.Do(&queriesOnly{ResponseWriter: w, r: r, exec: exec}, r, exec)
}

// queriesOnly replaces the GET transport's only 406 answer (an operation
// other than a query) with a coded one.
type queriesOnly struct {
	http.ResponseWriter
	r       *http.Request
	exec    graphql.GraphExecutor
	refused bool
}

func (q *queriesOnly) WriteHeader(status int) {
	if status != http.StatusNotAcceptable {
		q.ResponseWriter.WriteHeader(status)
		return
	}
	q.refused = true
	q.ResponseWriter.Header().Set("Allow", "POST")
	err := gqlerror.Errorf("GET is for queries only: send mutations with POST")
	err.Extensions = map[string]any{"code": string(domain.EBADINPUT)}
	writeJSON(q.ResponseWriter, http.StatusMethodNotAllowed, q.exec.DispatchError(q.r.Context(), gqlerror.List{err}))
}

func (q *queriesOnly) Write(b []byte) (int, error) {
	if q.refused {
		return len(b), nil // gqlgen's own message, already replaced
	}
	return q.ResponseWriter.Write(b)
}
