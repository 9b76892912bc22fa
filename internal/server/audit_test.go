package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// TestGraphQLOverHTTPAudit runs graphql-http's server audits (the GraphQL
// over HTTP spec's conformance checks, testdata/http-audit) against
// /graphql: every MUST and every SHOULD passes. The audit's npm package is
// installed by `make test` (npm ci in testdata/http-audit); without it the
// test fails.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir, err := filepath.Abs("testdata/http-audit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		t.Fatalf("graphql-http is not installed: run `npm ci` in %s (make test does): %v", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed for the GraphQL-over-HTTP audit: %v", err)
	}
	base := serve(t, func() (*domain.Stats, error) { return &domain.Stats{}, nil }, func(context.Context) error { return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "audit.mjs", base+"/graphql")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr.String())
	}
	var n, ok int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			ID, Name, Status, Reason, ResponseBody string
			ResponseStatus                         int
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit output %q: %v", sc.Text(), err)
		}
		n++
		if r.Status == "ok" {
			ok++
			continue
		}
		if strings.HasPrefix(r.Name, "MUST") || strings.HasPrefix(r.Name, "SHOULD") {
			t.Errorf("%s %s: %s (status %d: %s)", r.ID, r.Name, r.Reason, r.ResponseStatus, r.ResponseBody)
		} else {
			t.Logf("%s %s: %s", r.ID, r.Name, r.Reason)
		}
	}
	if n < 50 {
		t.Fatalf("only %d audits ran:\n%s", n, out)
	}
	t.Logf("%d of %d audits passed", ok, n)
}
