package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestOwnNeo4jIsSupervised runs the real binary's `serve` with its own local
// Neo4j (no NEO4J_URI) and kills the JVM with SIGKILL: /readyz reports the
// outage, /healthz stays up while aidtrace restarts Neo4j, and the server
// is ready again without a restart of its own (issue 12, point 6). The
// local Neo4j wants a password (kept in the data directory, owner-only), and
// a second aidtrace on the same data directory says it is in use (point
// 11). Then SIGTERM stops the server with exit 0, and no JVM is left: one
// Neo4j start serves the supervision and the signal (SIGINT:
// TestOwnNeo4jSIGINTStopsTheServer).
func TestOwnNeo4jIsSupervised(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"AIDTRACE_DATA_DIR": dir, "AIDTRACE_NEO4J_PORT": "0", "AIDTRACE_NEO4J_HEAP_MB": "512",
		"AIDTRACE_NEO4J_PAGECACHE_MB": "64", "AIDTRACE_ADDR": "127.0.0.1:0", "AIDTRACE_RATE_PER_ADDR": "0"}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	p := startBinary(t, append(environ, "NEO4J_URI="), "serve", "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
	base := p.URL
	m1 := regexp.MustCompile(`bolt=(bolt://127\.0\.0\.1:\d+)`).FindStringSubmatch(p.Stderr.String())
	if m1 == nil {
		t.Fatalf("no Bolt address in the log:\n%s", p.Stderr)
	}
	bolt := m1[1]

	t.Run("the local Neo4j wants the password kept in the data directory", func(t *testing.T) {
		ctx := context.Background()
		check := func(auth neo4j.AuthToken) error {
			drv, err := neo4j.NewDriverWithContext(bolt, auth)
			if err != nil {
				return err
			}
			defer drv.Close(ctx)
			return drv.VerifyConnectivity(ctx)
		}
		if err := check(neo4j.NoAuth()); err == nil {
			t.Error("Bolt without credentials was let in")
		}
		pwFile := filepath.Join(dir, "neo4j-password")
		st, err := os.Stat(pwFile)
		if err != nil {
			t.Fatalf("no password file: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("password file mode %v, want 0600", st.Mode().Perm())
		}
		pw, _ := os.ReadFile(pwFile)
		if err := check(neo4j.BasicAuth("neo4j", strings.TrimSpace(string(pw)), "")); err != nil {
			t.Errorf("Bolt with the password: %v", err)
		}
	})

	t.Run("a second aidtrace on the data directory says it is in use", func(t *testing.T) {
		var out syncBuffer
		m2 := &Main{Stdout: io.Discard, Stderr: &out, Getenv: func(k string) string { return env[k] }}
		if code := m2.Run(context.Background(), []string{"keys", "list"}); code != 1 || !strings.Contains(out.String(), "in use by another aidtrace") {
			t.Errorf("keys list on a data directory in use: exit %d:\n%s", code, out.String())
		}
	})

	jvm := func() int {
		for _, pid := range childPIDs(t, p.cmd.Process.Pid) {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); strings.Contains(string(b), dir) {
				return pid
			}
		}
		return 0
	}
	first := jvm()
	if first == 0 {
		t.Fatal("the local Neo4j's JVM was not found")
	}
	if status(base, "/readyz") != 200 {
		t.Fatal("not ready before the kill")
	}
	killed := time.Now()
	syscall.Kill(first, syscall.SIGKILL)
	waitFor(t, "/readyz reports the outage", 30*time.Second, func() bool { return status(base, "/readyz") == 503 })
	if got := status(base, "/healthz"); got != 200 {
		t.Errorf("/healthz while Neo4j restarts: %d, want 200", got)
	}
	waitFor(t, "ready again", 3*time.Minute, func() bool { return status(base, "/readyz") == 200 })
	back := time.Since(killed)
	if r := probe(base); r.code != "ok" {
		t.Errorf("a query after the restart: %d %s", r.status, r.code)
	}
	t.Logf("ready again %s after kill -9 of the local Neo4j", back.Round(100*time.Millisecond))
	if !strings.Contains(p.Stderr.String(), "restarting") {
		t.Errorf("the restart is not in the log:\n%s", p.Stderr)
	}
	if second := jvm(); second == 0 || second == first {
		t.Fatalf("the restarted JVM: pid %d (the killed one was %d)", second, first)
	}
	p.stopsOn(t, syscall.SIGTERM)
}
