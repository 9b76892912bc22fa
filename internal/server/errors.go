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
			if app.Code == domain.EUNAVAILABLE || app.Code == domain.EINTERNAL || app.Code == domain.ETIMEOUT {
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
	codeTokenLimit:              domain.ELIMIT,
	codeValidationLimit:         domain.ELIMIT,
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
	domain.ETIMEOUT:         http.StatusUnprocessableEntity,
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
