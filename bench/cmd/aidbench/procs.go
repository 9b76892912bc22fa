package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a server process the benchmark started and will stop.
type child struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
}

// startChild starts a server and waits until GET ready answers 200 (or,
// for a POST-only endpoint, anything below 500).
func startChild(ctx context.Context, name, logPath, ready string, env []string, dir string, argv ...string) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logf, done: make(chan struct{})}
	go func() { cmd.Wait(); close(c.done) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-c.done:
			return nil, fmt.Errorf("%s exited during start-up: see %s", name, logPath)
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("%s not ready after 90s: see %s", name, logPath)
		}
	}
}

// stop asks the child to stop (SIGTERM), then kills it after 20 seconds.
func (c *child) stop() {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	c.log.Close()
}

// rssMB is the resident memory of pid in MiB (Linux /proc).
func rssMB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := strings.Fields(string(line)); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// sampler records a process's resident memory every period.
type sampler struct {
	mu      sync.Mutex
	samples []memSample
	stopped chan struct{}
}

type memSample struct {
	AtS   float64 `json:"atS"`
	RSSMB float64 `json:"rssMB"`
}

func sample(pid int, period time.Duration) *sampler {
	s := &sampler{stopped: make(chan struct{})}
	began := time.Now()
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			s.mu.Lock()
			s.samples = append(s.samples, memSample{AtS: time.Since(began).Seconds(), RSSMB: rssMB(pid)})
			s.mu.Unlock()
			select {
			case <-s.stopped:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() []memSample {
	close(s.stopped)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]memSample(nil), s.samples...)
}
