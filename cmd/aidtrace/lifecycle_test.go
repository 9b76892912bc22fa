package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

// childPIDs lists the direct children of pid, started by any of its
// threads (from /proc).
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
	}
	return out
}

func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// TestOwnNeo4jSignalsStopEverything runs the real binary with its own local Neo4j,
// sends SIGTERM (then, in a second run, SIGINT) and checks that the
// server exits 0 and no JVM is left.
func TestOwnNeo4jSignalsStopEverything(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "aidtrace")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dataDir := t.TempDir()
			cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--neo4j-port", "0",
				"--neo4j-heap-mb", "512", "--neo4j-pagecache-mb", "64", "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
			cmd.Env = append(os.Environ(), "NEO4J_URI=") // start its own Neo4j
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				// On failure, leave nothing behind: the server, then its JVMs.
				if processAlive(cmd.Process.Pid) {
					for _, pid := range childPIDs(t, cmd.Process.Pid) {
						syscall.Kill(pid, syscall.SIGKILL)
					}
					cmd.Process.Kill()
					cmd.Wait()
				}
			})
			ready := regexp.MustCompile(`"aidtrace ready" graphql=(http://\S+)/graphql`)
			urlCh := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if m := ready.FindStringSubmatch(sc.Text()); m != nil {
						urlCh <- m[1]
					}
				}
			}()
			var base string
			select {
			case base = <-urlCh:
			case <-time.After(3 * time.Minute):
				cmd.Process.Kill()
				t.Fatal("server did not become ready")
			}
			jvms := childPIDs(t, cmd.Process.Pid)
			if len(jvms) == 0 {
				t.Fatal("no child JVM found")
			}
			if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != 200 {
				t.Fatalf("/readyz: %v", err)
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("exit after %s: %v", sig, err)
				}
			case <-time.After(90 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("no exit within 90s of %s", sig)
			}
			for _, pid := range jvms {
				if processAlive(pid) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Errorf("JVM %d still running after %s", pid, sig)
				}
			}
		})
	}
}

// TestGracefulShutdownFinishesInFlight stops the server while a request is
// being served: the request completes; new connections are refused.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	// A slow database: once armed, each listing of entities answers 1.5 s
	// late (the observer runs inside the store's call).
	var slow atomic.Bool
	inFlight := make(chan struct{})
	var once sync.Once
	r := MustServeWith(t, nil, func(s *neo4jstore.Store) {
		s.AddQueryObserver(func(name string, _ time.Duration, _ error) {
			if slow.Load() && name == "entities" {
				once.Do(func() { close(inFlight) })
				time.Sleep(1500 * time.Millisecond)
			}
		})
	}, "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
	slow.Store(true)
	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Post(r.URL+"/graphql", "application/json",
			strings.NewReader(`{"query":"{ entities(first: 5) { edges { node { id relations { edges { node { from { name } } } } } } } }"}`))
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		res <- result{status: resp.StatusCode, body: string(b)}
	}()
	select { // the request is in flight, waiting for the database
	case <-inFlight:
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached the entities query")
	}
	stopped := make(chan int, 1)
	go func() { stopped <- r.stop() }()
	got := <-res
	if got.err != nil || got.status != 200 {
		t.Fatalf("in-flight request: %v status %d %s", got.err, got.status, got.body)
	}
	var body struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || len(body.Errors) > 0 || body.Data["entities"] == nil {
		t.Errorf("in-flight request answered %s", got.body)
	}
	if code := <-stopped; code != 0 {
		t.Errorf("serve exit code %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+"/healthz", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("the stopped server still accepts connections")
	}
}
