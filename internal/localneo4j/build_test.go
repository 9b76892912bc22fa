package localneo4j

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBuildWaitsForAnotherBuild: while one process builds the launcher,
// another waits for it instead of running Maven in the same directory, and
// then finds the jar built and runs nothing.
func TestBuildWaitsForAnotherBuild(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pom.xml"), []byte("<project/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	unlock, err := lockBuild(context.Background(), dir) // the other build
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := Build(ctx, dir, io.Discard, log); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Build while another holds the lock: %v, want it to wait until its context ends", err)
	}

	done := make(chan error, 1)
	go func() { done <- Build(context.Background(), dir, io.Discard, log) }()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Build returned while another held the lock: %v", err)
	default:
	}
	// The other build finishes: the jar and its libraries, newer than pom.xml.
	if err := os.MkdirAll(filepath.Join(dir, "target", "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	jar := filepath.Join(dir, "target", "neo4j-launcher-1.jar")
	if err := os.WriteFile(jar, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(jar, later, later)
	t.Setenv("PATH", t.TempDir()) // no mvn: running Maven would fail
	unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Build after the other build: %v, want the fresh jar taken as it is", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Build still waits after the lock was released")
	}
}
