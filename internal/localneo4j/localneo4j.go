// Package localneo4j runs a Neo4j Community 5.26 server on 127.0.0.1 as a
// child process: a small Java launcher (launcher/, built by Maven on first use)
// that embeds Neo4j with only the Bolt connector. It is what `make run` and
// `make test` use when NEO4J_URI is not set.
package localneo4j

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Options says where and how to run Neo4j. Zero values take the defaults.
type Options struct {
	Dir          string        // data directory (required)
	Port         int           // Bolt port on 127.0.0.1; 0 picks a free one
	HeapMB       int           // JVM heap; default 1024
	PageCacheMB  int           // page cache; default 512
	TxTimeout    time.Duration // server-side transaction timeout; default 60s
	StartTimeout time.Duration // build + start + ready; default 5m (the first Maven fetch is slow)
	LauncherDir  string        // default: $AIDTRACE_LAUNCHER_DIR, else found next to this source file or below the working directory
	Log          *slog.Logger  // default: slog.Default()
	BuildOutput  io.Writer     // Maven's progress; default os.Stderr
}

// Server is a running local Neo4j.
type Server struct {
	uri     string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	exited  chan struct{}
	waitErr error
	logFile *os.File
	log     *slog.Logger
	once    sync.Once
}

// URI is the Bolt URI of the server.
func (s *Server) URI() string { return s.uri }

// Start builds the launcher if needed, starts Neo4j and waits until it
// answers over Bolt. The JVM exits on its own when this process dies, because
// it watches the standard input pipe we hold.
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	opts = withDefaults(opts)
	log := opts.Log
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	if opts.Dir == "" {
		return nil, errors.New("local neo4j: no data directory given")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("local neo4j: java not found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless), or set NEO4J_URI to use another Neo4j")
	}
	dir, err := findLauncher(opts.LauncherDir)
	if err != nil {
		return nil, err
	}
	if err := Build(ctx, dir, opts.BuildOutput, log); err != nil {
		return nil, err
	}
	port := opts.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("local neo4j: find a free port: %w", err)
		}
	} else if err := portFree(port); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, "launcher.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}

	classpath := filepath.Join(dir, "target", "neo4j-launcher-1.jar") + string(os.PathListSeparator) + filepath.Join(dir, "target", "lib", "*")
	// Opt-in plugins (e.g. APOC core for bench/): jars in <Dir>/plugins. Neo4j
	// loads procedures from there by itself; their kernel extensions (APOC's
	// config) are found only on the classpath, as the server's script does.
	if st, err := os.Stat(filepath.Join(opts.Dir, "plugins")); err == nil && st.IsDir() {
		classpath += string(os.PathListSeparator) + filepath.Join(opts.Dir, "plugins", "*")
	}
	args := []string{
		"-Xms" + strconv.Itoa(min(256, opts.HeapMB)) + "m",
		"-Xmx" + strconv.Itoa(opts.HeapMB) + "m",
		"-XX:+UseG1GC",
		"-XX:+ExitOnOutOfMemoryError",
		"-XX:ActiveProcessorCount=2",
		"-cp", classpath,
		"aidtrace.Launcher",
		"--home", opts.Dir,
		"--port", strconv.Itoa(port),
		"--pagecache-mb", strconv.Itoa(opts.PageCacheMB),
		"--tx-timeout-s", strconv.Itoa(int(opts.TxTimeout / time.Second)),
	}
	cmd := exec.Command(java, args...)
	// Own process group: a terminal's Ctrl-C reaches us, and we stop Neo4j
	// after the HTTP server has drained, in that order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("local neo4j: start java: %w", err)
	}
	s := &Server{
		uri:     "bolt://127.0.0.1:" + strconv.Itoa(port),
		cmd:     cmd,
		stdin:   stdin,
		exited:  make(chan struct{}),
		logFile: logFile,
		log:     log,
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if !signalled && strings.HasPrefix(line, "AIDTRACE-NEO4J READY") {
				signalled = true
				close(ready)
			}
		}
	}()
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	log.Info("starting local neo4j", "dir", opts.Dir, "bolt", s.uri, "heapMB", opts.HeapMB, "pageCacheMB", opts.PageCacheMB)

	select {
	case <-ready:
	case <-s.exited:
		return nil, fmt.Errorf("local neo4j exited during start-up (%v): see %s", s.waitErr, logFile.Name())
	case <-ctx.Done():
		return nil, fmt.Errorf("local neo4j not ready after %s: see %s", opts.StartTimeout, logFile.Name())
	}
	if err := WaitReady(ctx, s.uri, neo4j.NoAuth()); err != nil {
		return nil, fmt.Errorf("local neo4j: %w (log: %s)", err, logFile.Name())
	}
	log.Info("local neo4j ready", "bolt", s.uri, "startup", time.Since(began).Round(time.Millisecond).String())
	return s, nil
}

// WaitReady polls the server with VerifyConnectivity, backing off from 100ms
// to 2s, until it answers or ctx ends.
func WaitReady(ctx context.Context, uri string, auth neo4j.AuthToken) error {
	drv, err := neo4j.NewDriverWithContext(uri, auth)
	if err != nil {
		return err
	}
	defer drv.Close(context.Background())
	delay := 100 * time.Millisecond
	for {
		err := drv.VerifyConnectivity(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("neo4j at %s did not answer: %w", uri, err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Stop shuts Neo4j down cleanly (closing its stdin) and waits for the JVM to
// exit, killing it after 60 seconds. It is safe to call more than once.
func (s *Server) Stop() error {
	var err error
	s.once.Do(func() {
		began := time.Now()
		s.stdin.Close()
		select {
		case <-s.exited:
		case <-time.After(60 * time.Second):
			s.log.Warn("local neo4j did not stop in 60s; killing it")
			_ = s.cmd.Process.Kill()
			<-s.exited
			err = errors.New("local neo4j had to be killed")
		}
		s.logFile.Close()
		s.log.Info("local neo4j stopped", "took", time.Since(began).Round(time.Millisecond).String())
	})
	return err
}

// Exited is closed when the JVM has exited.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Pid is the JVM's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func withDefaults(o Options) Options {
	if o.HeapMB == 0 {
		o.HeapMB = 1024
	}
	if o.PageCacheMB == 0 {
		o.PageCacheMB = 512
	}
	if o.TxTimeout == 0 {
		o.TxTimeout = 60 * time.Second
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 5 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.BuildOutput == nil {
		o.BuildOutput = os.Stderr
	}
	return o
}

func findLauncher(dir string) (string, error) {
	candidates := []string{dir, os.Getenv("AIDTRACE_LAUNCHER_DIR")}
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "launcher"))
	}
	if wd, err := os.Getwd(); err == nil {
		candidates = append(candidates, filepath.Join(wd, "internal", "localneo4j", "launcher"))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, "pom.xml")); err == nil {
			return c, nil
		}
	}
	return "", errors.New("local neo4j: launcher not found (internal/localneo4j/launcher/pom.xml): run from the repository, set AIDTRACE_LAUNCHER_DIR, or set NEO4J_URI")
}

// FreePort returns a TCP port on 127.0.0.1 that is free now (the OS picks
// it; another process may still take it before it is used).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("local neo4j: port %d on 127.0.0.1 is taken (another Neo4j?): choose another with --neo4j-port or stop it", port)
	}
	return l.Close()
}
