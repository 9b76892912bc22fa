// Package domain holds aidtrace's types, the relation-type registry, the
// validation rules and the service interfaces. It imports nothing of ours.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Every error a client sees carries one of these; anything that
// is not an *Error is INTERNAL and its message is never shown.
const (
	EBADINPUT        = "BAD_USER_INPUT"
	ENOTFOUND        = "NOT_FOUND"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	ELIMIT           = "LIMIT_EXCEEDED"
	EUNAVAILABLE     = "UNAVAILABLE"
	// ETIMEOUT: the query ran out of its time budget. Unlike UNAVAILABLE it
	// will fail again: ask for less, do not retry as it is.
	ETIMEOUT  = "QUERY_TIMEOUT"
	EINTERNAL = "INTERNAL"
)

// Error is an application error: a code and a message safe to show a client.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the *Error's message,
// or "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// FieldErrors are the field errors of items (their section and index left out).
func FieldErrors(items []ItemError) []FieldError {
	out := make([]FieldError, len(items))
	for i, it := range items {
		out[i] = it.FieldError
	}
	return out
}

// BadInput is one BAD_USER_INPUT error listing every problem of errs (a
// Validate method's answer), or nil when there is none.
func BadInput(errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return Errorf(EBADINPUT, "%s", strings.Join(msgs, "; "))
}
