package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// A document under the token cap whose fields all share one response name
// costs the validator the square of their number; it is refused before
// validation (issue 12, point 5).
func TestFieldFloodIsRefusedBeforeValidation(t *testing.T) {
	base := serve(t, func() (*domain.Stats, error) { return &domain.Stats{}, nil }, func(context.Context) error { return nil })
	flood := "{ " + strings.Repeat("__typename ", 4990) + "}"
	began := time.Now()
	status, out := post(t, base, flood)
	took := time.Since(began)
	t.Logf("a document of 4990 __typename fields: status %d in %s", status, took.Round(time.Microsecond))
	if out["errors"] == nil {
		t.Fatalf("answered (status %d) instead of refused", status)
	}
	code, msg := firstError(t, out)
	if code != domain.ELIMIT {
		t.Errorf("code %s (%q), want %s", code, msg, domain.ELIMIT)
	}
	// Aliases make the same fields cheap to validate: still answered.
	var b strings.Builder
	b.WriteString("{")
	for i := range 1000 {
		b.WriteString(" a")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(strings.Repeat("y", i/26))
		b.WriteString(": __typename")
	}
	b.WriteString(" }")
	if status, out := post(t, base, b.String()); status != 200 || out["errors"] != nil {
		t.Errorf("1000 aliased fields: status %d, %v", status, out["errors"])
	}
}
