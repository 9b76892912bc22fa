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
	"time"
)

// Build compiles the launcher and fetches Neo4j's jars with Maven when the
// built jar is missing or older than pom.xml or a Java source. The first
// build downloads about 120 MB from Maven Central; Maven prints its progress.
func Build(ctx context.Context, dir string, out io.Writer, log *slog.Logger) error {
	jar := filepath.Join(dir, "target", "neo4j-launcher-1.jar")
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
