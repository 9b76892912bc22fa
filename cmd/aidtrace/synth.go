package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// synthChunk is how many items the synth command validates and loads at a
// time: large enough for the loader's batches, small enough that the L scale
// never sits in memory whole.
const synthChunk = 100_000

// synth generates a synthetic dataset (internal/synth) and loads it, writes
// it as dataset files, or both. Synthetic data never goes into seeds/.
func (m *Main) synth(ctx context.Context, args []string) error {
	var scale, out string
	var seed uint64
	var load bool
	cfg, _, err := m.parse("synth", args, func(fs *flag.FlagSet) {
		fs.StringVar(&scale, "scale", "S", "S (~10k entities, 50k relations), M (~100k, 1M) or L (~500k, 5M)")
		fs.Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same dataset")
		fs.BoolVar(&load, "load", false, "load the dataset into Neo4j through the loader")
		fs.StringVar(&out, "out", "", "write the dataset as YAML dataset files into this directory (never seeds/)")
	})
	if err != nil {
		return err
	}
	sz, err := synth.ScaleSizes(scale)
	if err != nil {
		return err
	}
	if !load && out == "" {
		fmt.Fprintf(m.Stdout, "scale %s: %d entities, %d relations (use --load and/or --out)\n", scale, sz.Entities(), sz.Relations())
		return nil
	}
	if out != "" {
		abs, err := filepath.Abs(out)
		if err != nil {
			return err
		}
		if slices.Contains(filepathParts(abs), "seeds") {
			return fmt.Errorf("--out %s: synthetic data never goes into seeds/", out)
		}
	}
	g, err := synth.New(sz, seed)
	if err != nil {
		return err
	}
	log := m.logger(cfg)
	var w *synthWriter
	if out != "" {
		if w, err = newSynthWriter(out); err != nil {
			return err
		}
	}
	var loadFn func(*domain.Dataset) error
	var closeDB func()
	stats := &synth.Tally{}
	if load {
		store, closeFn, err := m.database(ctx, cfg, log)
		if err != nil {
			return err
		}
		closeDB = closeFn
		defer closeDB()
		if err := store.Migrate(ctx); err != nil {
			return err
		}
		total := sz.Entities() + sz.Relations() + 1
		bar := newProgressBar(m.Stderr)
		defer bar.done()
		lastLog := time.Now()
		loadFn = func(d *domain.Dataset) error {
			offset := stats.Items
			began := time.Now()
			sum, err := store.Load(ctx, d, func(done, _ int) {
				bar.update(offset+done, total)
				if time.Since(lastLog) > 10*time.Second {
					lastLog = time.Now()
					log.Info("synth load", "done", offset+done, "total", total)
				}
			})
			if err != nil {
				return err
			}
			stats.Add(d, sum, time.Since(began))
			return nil
		}
	}
	log.Info("synth", "scale", scale, "seed", seed, "entities", sz.Entities(), "relations", sz.Relations(), "load", load, "out", out)
	kinds := map[string]domain.Known{}
	for _, src := range synth.Sources {
		kinds[src.ID] = domain.Known{Kind: domain.KindSource, Grade: src.Grade}
	}
	known := func(id string) (domain.Known, bool) { k, ok := kinds[id]; return k, ok }
	began := time.Now()
	err = g.Chunks(synthChunk, func(d *domain.Dataset) error {
		if errs := d.Validate(known); len(errs) > 0 {
			return fmt.Errorf("generated data does not validate (a bug in internal/synth): %v (and %d more)", errs[0], len(errs)-1)
		}
		for _, e := range d.Entities {
			kinds[e.ID] = domain.Known{Kind: e.Kind}
		}
		if w != nil {
			if err := w.write(d); err != nil {
				return err
			}
		}
		if loadFn != nil {
			return loadFn(d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if w != nil {
		fmt.Fprintf(m.Stdout, "wrote %d files to %s\n", w.files, out)
	}
	if load {
		printTally(m, stats, time.Since(began))
	}
	return nil
}

func filepathParts(p string) []string {
	var parts []string
	for p != "" && p != string(filepath.Separator) && p != "." {
		parts = append(parts, filepath.Base(p))
		p = filepath.Dir(p)
	}
	return parts
}

func printTally(m *Main, t *synth.Tally, took time.Duration) {
	fmt.Fprintf(m.Stdout, "entities  %9d in %8s  %8.0f/s\n", t.Entities, t.EntityTime.Round(time.Millisecond), t.EntitiesPerSecond())
	fmt.Fprintf(m.Stdout, "relations %9d in %8s  %8.0f/s\n", t.Relations, t.RelationTime.Round(time.Millisecond), t.RelationsPerSecond())
	fmt.Fprintf(m.Stdout, "created %d, updated %d, unchanged %d; total %s (generation and validation included)\n",
		t.Created, t.Updated, t.Unchanged, took.Round(time.Millisecond))
}

// synthWriter writes chunks as dataset files the loader reads (seeds/README.md).
type synthWriter struct {
	dir   string
	files int
}

func newSynthWriter(dir string) (*synthWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	old, err := filepath.Glob(filepath.Join(dir, "synth-*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	return &synthWriter{dir: dir}, nil
}

func (w *synthWriter) write(d *domain.Dataset) error {
	w.files++
	path := filepath.Join(w.dir, fmt.Sprintf("synth-%04d.yaml", w.files))
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ingest.Encode(file, d); err != nil {
		file.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return file.Close()
}
