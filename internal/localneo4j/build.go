package localneo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Build compiles the launcher and fetches Neo4j's jars with Maven when the
// built jar is missing or older than pom.xml or a Java source. The first
// build downloads about 120 MB from Maven Central; Maven prints its progress.
// Processes that start Neo4j at the same time (make test's two groups, two
// servers) build one after another: the first builds, the others wait for
// it and find the jar fresh.
func Build(ctx context.Context, dir string, out io.Writer, log *slog.Logger) error {
	jar := filepath.Join(dir, "target", "neo4j-launcher-1.jar")
	if fresh, err := upToDate(dir, jar); err != nil {
		return err
	} else if fresh {
		return nil
	}
	unlock, err := lockBuild(ctx, dir)
	if err != nil {
		return err
	}
	defer unlock()
	if fresh, err := upToDate(dir, jar); err != nil {
		return err
	} else if fresh {
		return nil
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return errors.New("local neo4j: mvn not found: install Maven (Debian: apt-get install maven) to fetch Neo4j, or set NEO4J_URI to use another Neo4j")
	}
	log.Info("building the local neo4j launcher with Maven (the first run downloads Neo4j, about 120 MB)", "dir", dir)
	began := time.Now()
	cmd := exec.CommandContext(ctx, mvn, "-B", "package", "-DskipTests", "-Dmaven.test.skip=true")
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("local neo4j: maven build in %s failed: %w", dir, err)
	}
	log.Info("launcher built", "took", time.Since(began).Round(time.Millisecond).String())
	return nil
}

func upToDate(dir, jar string) (bool, error) {
	st, err := os.Stat(jar)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if _, err := os.Stat(filepath.Join(dir, "target", "lib")); err != nil {
		return false, nil
	}
	newer := false
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "target" {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() && info.ModTime().After(st.ModTime()) {
			newer = true
		}
		return nil
	})
	return !newer, err
}

// lockBuild takes the launcher directory's build lock (an advisory lock on
// target/.build-lock), waiting while another process holds it.
func lockBuild(ctx context.Context, dir string) (func(), error) {
	if err := os.MkdirAll(filepath.Join(dir, "target"), 0o755); err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "target", ".build-lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("local neo4j: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("local neo4j: lock %s: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
