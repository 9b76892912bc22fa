package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
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

var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	binaryErr  error
)

// mustBinary builds the program once per test binary (without the race
// detector: the code it runs is raced in process by the other tests);
// TestMain removes it.
func mustBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aidtrace-test-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryDir, binaryPath = dir, filepath.Join(dir, "aidtrace")
		if out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// process is the real binary serving, started by startBinary.
type process struct {
	cmd    *exec.Cmd
	URL    string
	Stderr *syncBuffer
}

// startBinary runs the program with args and env (added to the test's own)
// until it says it is ready. On failure, or if the test leaves it running,
// the process and its JVMs are killed when the test ends.
func startBinary(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(mustBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if processAlive(cmd.Process.Pid) {
			for _, pid := range childPIDs(t, cmd.Process.Pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	p := &process{cmd: cmd, Stderr: &syncBuffer{}}
	ready := regexp.MustCompile(`"aidtrace ready" graphql=(http://\S+)/graphql`)
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.Stderr.Write([]byte(sc.Text() + "\n"))
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				urlCh <- m[1]
			}
		}
	}()
	select {
	case p.URL = <-urlCh:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the server did not become ready:\n%s", p.Stderr)
	}
	return p
}

// stopsOn sends sig and checks that the process exits 0 within 90s and
// that none of the JVMs it had started (its children now) is left.
func (p *process) stopsOn(t *testing.T, sig syscall.Signal) {
	t.Helper()
	jvms := childPIDs(t, p.cmd.Process.Pid)
	p.cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after %s: %v\n%s", sig, err, p.Stderr)
		}
	case <-time.After(90 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("no exit within 90s of %s", sig)
	}
	for _, pid := range jvms {
		if processAlive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("JVM %d still running after %s", pid, sig)
		}
	}
}

// TestOwnNeo4jSIGINTStopsTheServer: Ctrl-C stops the server with exit 0,
// like SIGTERM (TestOwnNeo4jIsSupervised ends with SIGTERM, there with the
// local Neo4j the server started, whose JVM must go too). Here the server
// uses the fault tests' Neo4j: one start fewer.
func TestOwnNeo4jSIGINTStopsTheServer(t *testing.T) {
	n := startOwnNeo4j(t)
	user, password := n.srv.Auth()
	p := startBinary(t, []string{"NEO4J_URI=" + n.uri(), "NEO4J_USER=" + user, "NEO4J_PASSWORD=" + password},
		"serve", "--addr", "127.0.0.1:0", "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
	if got := status(p.URL, "/readyz"); got != 200 {
		t.Fatalf("/readyz = %d", got)
	}
	p.stopsOn(t, syscall.SIGINT)
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
