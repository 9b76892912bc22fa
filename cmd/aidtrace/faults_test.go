package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/localneo4j"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// ownNeo4j is a Neo4j the fault tests may stop, kill and freeze: not the
// shared one. One is started for the test binary and handed, emptied, from
// one fault test to the next (they run one after another); a test that
// failed leaves it stopped, and the next one starts a fresh one.
type ownNeo4j struct {
	t    *testing.T
	dir  string
	port int
	srv  *localneo4j.Server
}

var killable *ownNeo4j

// stopKillable stops the fault tests' Neo4j, if one runs (from TestMain).
func stopKillable() {
	if killable != nil {
		syscall.Kill(killable.srv.Pid(), syscall.SIGCONT)
		killable.srv.Stop()
		os.RemoveAll(killable.dir)
		killable = nil
	}
}

func startOwnNeo4j(t *testing.T) *ownNeo4j {
	t.Helper()
	if n := killable; n != nil {
		n.t = t
		if n.srv.Ready() == nil && n.empty() == nil {
			t.Cleanup(func() { n.handBack() })
			return n
		}
		stopKillable()
	}
	// A fixed port, so that a restart comes back where the clients look.
	port, err := localneo4j.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "aidtrace-test-killable-")
	if err != nil {
		t.Fatal(err)
	}
	n := &ownNeo4j{t: t, dir: dir, port: port}
	t.Cleanup(func() {
		if killable != n { // it did not start
			os.RemoveAll(dir)
		}
	})
	n.start()
	killable = n
	t.Cleanup(func() { n.handBack() })
	return n
}

// handBack ends a test's use: thawed and running for the next test, or
// stopped when the test failed.
func (n *ownNeo4j) handBack() {
	syscall.Kill(n.srv.Pid(), syscall.SIGCONT)
	if n.t.Failed() {
		stopKillable()
	}
}

// empty makes the database as a fresh Neo4j has it: no data, no schema of
// ours.
func (n *ownNeo4j) empty() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	user, password := n.srv.Auth()
	drv, err := neo4j.NewDriverWithContext(n.uri(), neo4j.BasicAuth(user, password, ""))
	if err != nil {
		return err
	}
	defer drv.Close(ctx)
	run := func(q string) ([]*neo4j.Record, error) {
		res, err := neo4j.ExecuteQuery(ctx, drv, q, nil, neo4j.EagerResultTransformer)
		if err != nil {
			return nil, err
		}
		return res.Records, nil
	}
	if _, err := run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"); err != nil {
		return err
	}
	for _, q := range []struct{ show, drop string }{
		{"SHOW CONSTRAINTS YIELD name RETURN name", "DROP CONSTRAINT `%s`"},
		{"SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", "DROP INDEX `%s` IF EXISTS"},
	} {
		recs, err := run(q.show)
		if err != nil {
			return err
		}
		for _, r := range recs {
			name, _ := r.Get("name")
			if _, err := run(fmt.Sprintf(q.drop, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *ownNeo4j) start() {
	n.t.Helper()
	s, err := localneo4j.Start(context.Background(), localneo4j.Options{Dir: n.dir, Port: n.port, HeapMB: 512, PageCacheMB: 64,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		n.t.Fatalf("start own neo4j: %v", err)
	}
	n.srv = s
}

func (n *ownNeo4j) uri() string { return fmt.Sprintf("bolt://127.0.0.1:%d", n.port) }

// probe sends one small query and says how it went.
type probeResult struct {
	status int
	code   string
	took   time.Duration
}

func probe(base string) probeResult {
	began := time.Now()
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ stats { entities } }"}`))
	r := probeResult{took: time.Since(began)}
	if err != nil {
		r.code = "transport: " + err.Error()
		return r
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r.took = time.Since(began)
	r.status = resp.StatusCode
	switch {
	case strings.Contains(string(b), `"UNAVAILABLE"`):
		r.code = "UNAVAILABLE"
	case strings.Contains(string(b), `"errors"`):
		r.code = "other error: " + string(b)
	default:
		r.code = "ok"
	}
	return r
}

func status(base, path string) int {
	resp, err := http.Get(base + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond every 100ms up to limit and returns how long it took.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(began)
}

// TestOwnNeo4jFaultsUnderTraffic stops, kills and freezes Neo4j while clients
// query: every answer comes within its deadline, as UNAVAILABLE (503) while
// Neo4j is away; /readyz fails and /healthz stays up; service resumes
// without restarting aidtrace once Neo4j is back.
func TestOwnNeo4jFaultsUnderTraffic(t *testing.T) {
	n := startOwnNeo4j(t)
	const queryTimeout = 2 * time.Second
	// Deadline a client may wait: the query timeout, the store's 2s margin
	// and some slack for a loaded machine.
	const deadline = queryTimeout + 4*time.Second
	user, password := n.srv.Auth()
	env := map[string]string{"NEO4J_URI": n.uri(), "NEO4J_USER": user, "NEO4J_PASSWORD": password,
		"AIDTRACE_ADDR": "127.0.0.1:0", "AIDTRACE_QUERY_TIMEOUT": queryTimeout.String(), "AIDTRACE_RATE_PER_ADDR": "0",
		// The probes repeat one query: with the answer cache on they would
		// be answered from memory through the outage. This test is about
		// the database path.
		"AIDTRACE_ANSWER_CACHE_MB": "0"}
	started := make(chan string, 1)
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Started: func(u string) { started <- u }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--load", "../../internal/neo4jstore/testdata/fixture.yaml"})
	}()
	exited := false
	defer func() {
		cancel()
		if !exited {
			<-done
		}
	}()
	var base string
	select {
	case base = <-started:
	case code := <-done:
		exited = true
		t.Fatalf("serve exited with %d before serving: %s", code, stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start within 2 minutes: %s", stderr.String())
	}

	// Background traffic: four clients, each answer checked.
	var mu sync.Mutex
	var results []probeResult
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := probe(base)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	ok := func() bool { r := probe(base); return r.code == "ok" }
	unavailable := func() bool { r := probe(base); return r.code == "UNAVAILABLE" && r.status == 503 }

	faults := []struct {
		name    string
		inject  func()
		recover func()
	}{
		{"stopped", func() { n.srv.Stop() }, func() { n.start() }},
		{"killed", func() { syscall.Kill(n.srv.Pid(), syscall.SIGKILL); <-n.srv.Exited(); n.srv.Stop() }, func() { n.start() }},
		{"frozen", func() { syscall.Kill(n.srv.Pid(), syscall.SIGSTOP) }, func() { syscall.Kill(n.srv.Pid(), syscall.SIGCONT) }},
	}
	for _, f := range faults {
		waitFor(t, f.name+": healthy before the fault", 30*time.Second, ok)
		f.inject()
		down := waitFor(t, f.name+": UNAVAILABLE with 503", 2*deadline, unavailable)
		if got := status(base, "/readyz"); got != 503 {
			t.Errorf("%s: /readyz = %d, want 503", f.name, got)
		}
		if got := status(base, "/healthz"); got != 200 {
			t.Errorf("%s: /healthz = %d, want 200", f.name, got)
		}
		f.recover()
		back := waitFor(t, f.name+": serving again", 30*time.Second, ok)
		if got := status(base, "/readyz"); got != 200 {
			t.Errorf("%s: /readyz after recovery = %d", f.name, got)
		}
		t.Logf("%s: UNAVAILABLE seen after %s; serving again %s after Neo4j was back", f.name, down.Round(time.Millisecond), back.Round(time.Millisecond))
	}
	close(stop)
	wg.Wait()
	unexpected := false
	defer func() {
		if unexpected { // the server's log says what the driver said
			for _, l := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
					t.Log(l)
				}
			}
		}
	}()

	var worst time.Duration
	for _, r := range results {
		if r.code != "ok" && r.code != "UNAVAILABLE" {
			t.Errorf("unexpected answer under faults: status %d: %s", r.status, r.code)
			unexpected = true
		}
		if r.code == "UNAVAILABLE" && r.status != 503 {
			t.Errorf("UNAVAILABLE with status %d, want 503", r.status)
		}
		worst = max(worst, r.took)
	}
	if worst > deadline {
		t.Errorf("slowest answer took %s, past the %s deadline", worst, deadline)
	}
	t.Logf("%d requests under faults; slowest answer %s", len(results), worst.Round(time.Millisecond))
}

// TestOwnNeo4jInterruptedLoadRerunsExactly kills Neo4j in the middle of a load; a
// rerun after restart gives exactly the expected data, every claim whole.
func TestOwnNeo4jInterruptedLoadRerunsExactly(t *testing.T) {
	n := startOwnNeo4j(t)
	dir := t.TempDir()
	// A synthetic graph (what `aidtrace synth` writes) of 2,053 entities
	// and 3,462 relations: five batches of entities (neo4jstore.BatchSize)
	// then seven of relations; the kill after the fifth batch (the
	// sources' and four of entities) is well inside the load.
	sz := synth.Sizes{Prefectures: 10, Counties: 200, FirmsPerCounty: 1, FactoriesPerCounty: 4, Buyers: 600, SuppliesPerFactory: 1, TransfersPerFactory: 1}
	entities, relations := sz.Entities(), sz.Relations()
	g, err := synth.New(sz, 1)
	if err != nil {
		t.Fatal(err)
	}
	w, err := newSynthWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Chunks(synthChunk, w.write); err != nil {
		t.Fatal(err)
	}

	open := func() *neo4jstore.Store {
		user, password := n.srv.Auth()
		s, err := neo4jstore.Open(context.Background(), neo4jstore.Config{URI: n.uri(), User: user, Password: password, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	loadErr := make(chan error, 1)
	var batches int
	var mu sync.Mutex
	killed := make(chan struct{})
	s.AddQueryObserver(func(name string, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(name, "load-") && err == nil {
			batches++
			if batches == 5 { // a few batches in: kill Neo4j mid-load
				syscall.Kill(n.srv.Pid(), syscall.SIGKILL)
				close(killed)
			}
		}
	})
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	go func() {
		loadErr <- m.loadPaths(context.Background(), s, []string{dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	select {
	case <-killed:
	case err := <-loadErr:
		t.Fatalf("load finished before the kill: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("load did not start")
	}
	if err := <-loadErr; err == nil {
		t.Fatal("load succeeded although Neo4j was killed")
	} else if domain.ErrorCode(err) != domain.EUNAVAILABLE && !strings.Contains(err.Error(), "unavailable") {
		t.Logf("interrupted load error: %v", err)
	}
	s.Close(context.Background())
	<-n.srv.Exited()
	n.srv.Stop()
	n.start()

	s = open()
	defer s.Close(context.Background())
	var out strings.Builder
	m = &Main{Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	if err := m.loadPaths(context.Background(), s, []string{dir}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities != entities || st.Relations != relations || st.Sources != len(synth.Sources) {
		t.Errorf("after rerun: %d entities, %d relations, %d sources; want %d, %d, %d", st.Entities, st.Relations, st.Sources, entities, relations, len(synth.Sources))
	}
	// Every claim is whole: its content hash and its citations are there.
	for _, q := range []string{
		"MATCH (n:Entity) WHERE n.hash IS NULL OR n.citations IS NULL OR n.name IS NULL RETURN count(n) AS n",
		"MATCH ()-[r]->() WHERE r.hash IS NULL OR r.citations IS NULL OR r.confidence IS NULL RETURN count(r) AS n",
	} {
		user, password := n.srv.Auth()
		if recs := neo4jtest.MustCountAt(t, n.uri(), user, password, q, nil); recs != 0 {
			t.Errorf("%d partial claims: %s", recs, q)
		}
	}
	t.Logf("rerun summary:\n%s", out.String())
}
