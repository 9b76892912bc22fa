// Package localneo4j runs a Neo4j Community 5.26 server on 127.0.0.1 as a
// child process: a small Java launcher (launcher/, built by Maven on first use)
// that embeds Neo4j with only the Bolt connector. It is what `make run` and
// `make test` use when NEO4J_URI is not set.
package localneo4j

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	// Supervise restarts Neo4j when its JVM exits while the Server runs
	// (a crash, the OOM killer, kill -9), on the same port and with the
	// same password, waiting RestartBackoff, then twice as long each time
	// (at most 30s). After RestartAttempts failures in a row (a JVM that
	// exits within a minute of its start counts as one) it gives up: see
	// Ready and Failed.
	Supervise       bool
	RestartAttempts int           // default 5
	RestartBackoff  time.Duration // default 1s
}

// The local Neo4j's user, and the file in its data directory that holds
// the user's password (generated on first start, readable by its owner only).
const (
	User         = "neo4j"
	PasswordFile = "neo4j-password"
	lockFile     = "aidtrace.lock"
)

// Errors of Ready and Failed.
var (
	ErrRestarting = errors.New("the local Neo4j exited and is being restarted")
	ErrFailed     = errors.New("the local Neo4j exited and could not be restarted")
	ErrStopped    = errors.New("the local Neo4j was stopped")
)

type state int

const (
	stateUp state = iota
	stateRestarting
	stateFailed
	stateStopped
)

// Server is a running local Neo4j.
type Server struct {
	opts     Options
	uri      string
	port     int
	password string
	java     string
	args     []string
	lock     *os.File
	logFile  *os.File
	log      *slog.Logger

	mu    sync.Mutex
	proc  *process
	state state

	stopCtx    context.Context // ends when Stop is called
	stop       context.CancelFunc
	supervisor chan struct{} // closed when the supervisor has returned
	gone       chan struct{} // closed when Neo4j is gone for good
	goneOnce   sync.Once
	stopOnce   sync.Once
	stopErr    error
}

// process is one JVM.
type process struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	started time.Time
	exited  chan struct{}
	waitErr error
}

// URI is the Bolt URI of the server.
func (s *Server) URI() string { return s.uri }

// Auth returns the user and password Bolt clients must send.
func (s *Server) Auth() (user, password string) { return User, s.password }

// NoNeo4jEnv, when set in the environment, makes Start fail at once:
// `make test-fast` sets it to prove that its tests need no JVM.
const NoNeo4jEnv = "AIDTRACE_NO_NEO4J"

// Start builds the launcher if needed, starts Neo4j and waits until it
// answers over Bolt. The JVM exits on its own when this process dies, because
// it watches the standard input pipe we hold. The data directory is locked
// while the Server runs: a second Start on it fails and says so.
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	if os.Getenv(NoNeo4jEnv) != "" {
		return nil, fmt.Errorf("%s is set (the fast test tier runs without a JVM): no local Neo4j is started", NoNeo4jEnv)
	}
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
	// Owner-only when we create it: it holds the password file.
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	port := opts.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("local neo4j: find a free port: %w", err)
		}
	} else if err := portFree(port); err != nil {
		return nil, err
	}
	password, err := ensurePassword(opts.Dir, log)
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(opts.Dir, "launcher.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
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
	s := &Server{
		opts: opts, uri: "bolt://127.0.0.1:" + strconv.Itoa(port), port: port, password: password,
		java: java, lock: lock, logFile: logFile, log: log,
		supervisor: make(chan struct{}), gone: make(chan struct{}),
		args: []string{
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
			"--password-file", filepath.Join(opts.Dir, PasswordFile),
		},
	}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	lock.Truncate(0)
	fmt.Fprintf(lock, "pid %d\nbolt %s\n", os.Getpid(), s.uri)
	log.Info("starting local neo4j", "dir", opts.Dir, "bolt", s.uri, "heapMB", opts.HeapMB, "pageCacheMB", opts.PageCacheMB)
	p, err := s.launch(ctx)
	if err != nil {
		s.stop()
		logFile.Close()
		return nil, err
	}
	s.proc = p
	log.Info("local neo4j ready", "bolt", s.uri, "startup", time.Since(began).Round(time.Millisecond).String())
	if opts.Supervise {
		go s.supervise()
	} else {
		close(s.supervisor)
		go func() {
			<-p.exited
			s.markGone()
		}()
	}
	return s, nil
}

// launch starts one JVM and waits until it answers over Bolt; on failure
// it leaves no JVM behind.
func (s *Server) launch(ctx context.Context) (*process, error) {
	cmd := exec.Command(s.java, s.args...)
	// Own process group: a terminal's Ctrl-C reaches us, and we stop Neo4j
	// after the HTTP server has drained, in that order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = s.logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("local neo4j: start java: %w", err)
	}
	p := &process{cmd: cmd, stdin: stdin, started: time.Now(), exited: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.logFile, line)
			if !signalled && strings.HasPrefix(line, "AIDTRACE-NEO4J READY") {
				signalled = true
				close(ready)
			}
		}
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	fail := func(err error) (*process, error) {
		_ = cmd.Process.Kill()
		<-p.exited
		return nil, err
	}
	select {
	case <-ready:
	case <-p.exited:
		return nil, fmt.Errorf("local neo4j exited during start-up (%v): see %s", p.waitErr, s.logFile.Name())
	case <-ctx.Done():
		return fail(fmt.Errorf("local neo4j not ready (%w): see %s", ctx.Err(), s.logFile.Name()))
	}
	if err := WaitReady(ctx, s.uri, neo4j.BasicAuth(User, s.password, "")); err != nil {
		return fail(fmt.Errorf("local neo4j: %w (log: %s)", err, s.logFile.Name()))
	}
	return p, nil
}

// supervise restarts the JVM whenever it exits before Stop.
func (s *Server) supervise() {
	defer close(s.supervisor)
	failures := 0
	for {
		s.mu.Lock()
		p := s.proc
		s.mu.Unlock()
		select {
		case <-p.exited:
		case <-s.stopCtx.Done():
			return
		}
		if s.stopCtx.Err() != nil {
			return
		}
		down := time.Now()
		if time.Since(p.started) < time.Minute {
			failures++
		} else {
			failures = 0
		}
		s.setState(stateRestarting)
		s.log.Error("local neo4j exited unexpectedly; restarting it", "err", p.waitErr,
			"ran", time.Since(p.started).Round(time.Second).String(), "log", s.logFile.Name())
		for {
			if failures >= s.opts.RestartAttempts {
				s.setState(stateFailed)
				s.log.Error("local neo4j could not be restarted; giving up", "attempts", failures, "log", s.logFile.Name())
				s.markGone()
				return
			}
			delay := min(s.opts.RestartBackoff<<min(failures, 10), 30*time.Second)
			s.log.Warn("restarting local neo4j", "in", delay.String(), "attempt", failures+1, "of", s.opts.RestartAttempts)
			select {
			case <-time.After(delay):
			case <-s.stopCtx.Done():
				return
			}
			np, err := s.restart()
			if err == nil {
				s.mu.Lock()
				s.proc, s.state = np, stateUp
				s.mu.Unlock()
				s.log.Info("local neo4j restarted", "bolt", s.uri, "down", time.Since(down).Round(100*time.Millisecond).String())
				break
			}
			if s.stopCtx.Err() != nil {
				return
			}
			failures++
			s.log.Error("local neo4j did not restart", "err", err)
		}
	}
}

func (s *Server) restart() (*process, error) {
	if err := portFree(s.port); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(s.stopCtx, s.opts.StartTimeout)
	defer cancel()
	return s.launch(ctx)
}

func (s *Server) setState(st state) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
}

func (s *Server) markGone() { s.goneOnce.Do(func() { close(s.gone) }) }

// Ready is nil while Neo4j runs; ErrRestarting while the supervisor brings
// it back, ErrFailed once it gave up, ErrStopped after Stop. (Whether the
// database answers queries is for a query to tell.)
func (s *Server) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateRestarting:
		return ErrRestarting
	case stateFailed:
		return ErrFailed
	case stateStopped:
		return ErrStopped
	}
	select {
	case <-s.gone:
		return ErrFailed // unsupervised, and the JVM exited
	default:
	}
	return nil
}

// Failed is ErrFailed once Neo4j is gone and will not come back by itself
// (the supervisor gave up, or an unsupervised JVM exited); else nil.
func (s *Server) Failed() error {
	s.mu.Lock()
	stopped := s.state == stateStopped
	s.mu.Unlock()
	select {
	case <-s.gone:
		if !stopped {
			return ErrFailed
		}
	default:
	}
	return nil
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
// exit, killing it after 60 seconds; a restart under way is abandoned. It
// releases the data directory. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		began := time.Now()
		s.mu.Lock()
		s.state = stateStopped
		s.mu.Unlock()
		s.stop()
		<-s.supervisor
		s.mu.Lock()
		p := s.proc
		s.mu.Unlock()
		p.stdin.Close()
		select {
		case <-p.exited:
		case <-time.After(60 * time.Second):
			s.log.Warn("local neo4j did not stop in 60s; killing it")
			_ = p.cmd.Process.Kill()
			<-p.exited
			s.stopErr = errors.New("local neo4j had to be killed")
		}
		s.markGone()
		s.logFile.Close()
		s.lock.Close()
		s.log.Info("local neo4j stopped", "took", time.Since(began).Round(time.Millisecond).String())
	})
	return s.stopErr
}

// Exited is closed when Neo4j is gone for good: stopped, or exited and not
// restarted (unsupervised, or the supervisor gave up).
func (s *Server) Exited() <-chan struct{} { return s.gone }

// Pid is the current JVM's process id.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc.cmd.Process.Pid
}

// lockDir takes the data directory's lock (an advisory lock on a file in
// it, released by the kernel when this process ends in any way), so that a
// second aidtrace on the same data says so instead of failing inside Neo4j.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("local neo4j: lock %s: %w", path, err)
		}
		var pid, bolt string
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, " "); ok {
				switch k {
				case "pid":
					pid = v
				case "bolt":
					bolt = v
				}
			}
		}
		return nil, fmt.Errorf("local neo4j: the data directory %s is in use by another aidtrace (pid %s, Neo4j at %s): stop it first, "+
			"or use its Neo4j: NEO4J_URI=%s NEO4J_USER=%s NEO4J_PASSWORD=\"$(cat %s)\"",
			dir, pid, bolt, bolt, User, filepath.Join(dir, PasswordFile))
	}
	return f, nil
}

// ensurePassword returns the local Neo4j's password, generating it (256
// random bits) on first use. The file is its owner's only: a group- or
// world-readable one is made private and the change logged.
func ensurePassword(dir string, log *slog.Logger) (string, error) {
	path := filepath.Join(dir, PasswordFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		st, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("local neo4j: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return "", fmt.Errorf("local neo4j: %w", err)
			}
			log.Warn("the local neo4j's password file was readable by others; it is now its owner's only", "file", path)
		}
		if pw := strings.TrimSpace(string(b)); len(pw) >= 8 {
			return pw, nil
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("local neo4j: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	pw := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("local neo4j: %w", err)
	}
	log.Info("generated a password for the local neo4j", "file", path)
	return pw, nil
}

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
	if o.RestartAttempts == 0 {
		o.RestartAttempts = 5
	}
	if o.RestartBackoff == 0 {
		o.RestartBackoff = time.Second
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
