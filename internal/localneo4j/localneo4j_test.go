package localneo4j

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func alive(pid int) bool {
	// Signal 0 checks existence; a zombie (exited, not reaped) is not alive
	// for our purpose, so look at /proc too.
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("JVM %d still running after %s", pid, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestStartQueryStop(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{Dir: t.TempDir(), HeapMB: 512, PageCacheMB: 64, Log: quiet()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	pid := s.Pid()
	if n, err := query(s, auth(s)); err != nil || n != 42 {
		t.Errorf("RETURN 40 + 2 = %d, %v", n, err)
	}
	if _, err := query(s, neo4j.NoAuth()); err == nil {
		t.Error("Bolt without credentials was let in")
	}
	if !strings.HasPrefix(s.URI(), "bolt://127.0.0.1:") {
		t.Errorf("URI %q is not on loopback", s.URI())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	waitGone(t, pid, 5*time.Second)
	if err := s.Stop(); err != nil { // twice is fine
		t.Errorf("second Stop: %v", err)
	}
}

func auth(s *Server) neo4j.AuthToken {
	user, password := s.Auth()
	return neo4j.BasicAuth(user, password, "")
}

// query runs RETURN 40 + 2 on s with auth.
func query(s *Server, auth neo4j.AuthToken) (int64, error) {
	ctx := context.Background()
	drv, err := neo4j.NewDriverWithContext(s.URI(), auth)
	if err != nil {
		return 0, err
	}
	defer drv.Close(ctx)
	res, err := neo4j.ExecuteQuery(ctx, drv, "RETURN 40 + 2 AS n", nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("neo4j"))
	if err != nil {
		return 0, err
	}
	n, _, err := neo4j.GetRecordValue[int64](res.Records[0], "n")
	return n, err
}

func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(began)
}

// A supervised Neo4j comes back after kill -9, with the same address and
// password; when it cannot (its port taken), the supervisor gives up after
// RestartAttempts tries and says so (issue 12, point 6). The data
// directory is locked meanwhile, its password file owner-only.
func TestSupervisedRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(context.Background(), Options{Dir: dir, HeapMB: 512, PageCacheMB: 64, Log: quiet(),
		Supervise: true, RestartAttempts: 2, RestartBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Stop()
	if st, err := os.Stat(dir + "/" + PasswordFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("password file: %v %v", st, err)
	}
	if _, err := Start(context.Background(), Options{Dir: dir, Log: quiet()}); err == nil || !strings.Contains(err.Error(), "in use by another aidtrace (pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("a second Start on the data directory: %v", err)
	}

	old := s.Pid()
	syscall.Kill(old, syscall.SIGKILL)
	waitUntil(t, "Ready reports the restart", 10*time.Second, func() bool { return s.Ready() == ErrRestarting })
	if s.Failed() != nil {
		t.Error("Failed while restarting")
	}
	took := waitUntil(t, "back", 3*time.Minute, func() bool { return s.Ready() == nil })
	if n, err := query(s, auth(s)); err != nil || n != 42 || s.Pid() == old {
		t.Errorf("after the restart: %d, %v, pid %d (was %d)", n, err, s.Pid(), old)
	}
	t.Logf("restarted %s after kill -9", took.Round(100*time.Millisecond))

	// Now it cannot come back: its port is taken as soon as it is free.
	port, _ := strconv.Atoi(s.URI()[strings.LastIndex(s.URI(), ":")+1:])
	syscall.Kill(s.Pid(), syscall.SIGKILL)
	var l net.Listener
	waitUntil(t, "the port is free", 10*time.Second, func() bool {
		l, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		return err == nil
	})
	defer l.Close()
	waitUntil(t, "the supervisor gives up", time.Minute, func() bool { return s.Failed() == ErrFailed })
	if s.Ready() != ErrFailed {
		t.Errorf("Ready: %v", s.Ready())
	}
	select {
	case <-s.Exited():
	default:
		t.Error("Exited is open after the supervisor gave up")
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop after giving up: %v", err)
	}
}

func TestPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = Start(context.Background(), Options{Dir: t.TempDir(), Port: port, Log: quiet()})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d on 127.0.0.1 is taken", port)) {
		t.Errorf("Start on a taken port: %v", err)
	}
}

func TestMissingJava(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background(), Options{Dir: t.TempDir(), Log: quiet()})
	if err == nil || !strings.Contains(err.Error(), "java not found: install a JDK 17") {
		t.Errorf("Start without java: %v", err)
	}
}

func TestMissingMaven(t *testing.T) {
	// A launcher directory with a pom but no build: Build needs mvn.
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/pom.xml", []byte("<project/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	err := Build(context.Background(), dir, io.Discard, quiet())
	if err == nil || !strings.Contains(err.Error(), "mvn not found: install Maven") {
		t.Errorf("Build without mvn: %v", err)
	}
}

// When the process that started Neo4j dies without cleaning up (SIGKILL,
// a panic), the JVM must not outlive it.
func TestJVMDiesWithParent(t *testing.T) {
	if os.Getenv("AIDTRACE_HELPER_PROCESS") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "AIDTRACE_HELPER_PROCESS=1", "AIDTRACE_HELPER_DIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "JVM-PID "); ok {
			pid, _ = strconv.Atoi(v)
			break
		}
	}
	if pid == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("helper did not report a JVM pid")
	}
	if !alive(pid) {
		t.Fatal("JVM not running while its parent lives")
	}
	cmd.Process.Kill()
	cmd.Wait()
	waitGone(t, pid, 30*time.Second)
}

// TestHelperProcess starts Neo4j and then blocks until killed. It is run by
// TestJVMDiesWithParent as a child process, and does nothing otherwise.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("AIDTRACE_HELPER_PROCESS") != "1" {
		return
	}
	s, err := Start(context.Background(), Options{Dir: os.Getenv("AIDTRACE_HELPER_DIR"), HeapMB: 512, PageCacheMB: 64, Log: quiet()})
	if err != nil {
		fmt.Println("START-FAILED", err)
		os.Exit(1)
	}
	fmt.Printf("JVM-PID %d\n", s.Pid())
	select {}
}
