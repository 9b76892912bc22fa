package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// sweepResult is one setting of the relation loader on a sample.
type sweepResult struct {
	Batch              int     `json:"batch"`
	Workers            int     `json:"workers"`
	Relations          int     `json:"relations"`
	Seconds            float64 `json:"seconds"`
	RelationsPerSecond float64 `json:"relationsPerSecond"`
	Created            int     `json:"created"`
}

type loadResults struct {
	Command  string         `json:"command"`
	Started  string         `json:"started"`
	Machine  map[string]any `json:"machine"`
	Versions map[string]any `json:"versions"`
	Dataset  map[string]any `json:"dataset"`
	Sweep    []sweepResult  `json:"sweep"`
	Loads    []loadResult   `json:"loads"`
}

// loadSpeed empties the database (a throwaway one: make bench-load starts
// it), loads the entities, measures the relation loader at several batch
// sizes and worker counts on a sample (batch 1 is the one-MERGE-per-relation
// baseline), then loads the whole dataset through Store.Load twice: the
// first load and a reload, which skips unchanged rows by their hash.
func loadSpeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("aidbench load", flag.ContinueOnError)
	scale := fs.String("scale", "M", "synthetic dataset size")
	seed := fs.Uint64("seed", 1, "dataset seed")
	sample := fs.Int("sample", 200_000, "relations per sweep setting")
	baseSample := fs.Int("baseline-sample", 20_000, "relations for batch 1 (the per-relation baseline)")
	settings := fs.String("settings", "1x1,100x1,500x1,2000x1,5000x1,10000x1,500x2,2000x2", "batch x workers settings to sweep")
	reset := fs.Bool("reset", false, "empty the database first (required: the sweep deletes every relation)")
	out := fs.String("out", "results-load.json", "machine-readable results")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*reset {
		return fmt.Errorf("aidbench load deletes every relation of the database: pass --reset (and point NEO4J_URI at a throwaway Neo4j)")
	}
	sz, err := synth.ScaleSizes(*scale)
	if err != nil {
		return err
	}
	drv, err := openDriver()
	if err != nil {
		return err
	}
	defer drv.Close(context.Background())
	raw := &rawClient{drv: drv, db: database()}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	res := &loadResults{Command: "aidbench load " + strings.Join(args, " "), Started: time.Now().UTC().Format(time.RFC3339),
		Machine: machine(), Versions: versions(ctx, raw, "neo4j-graphql"),
		Dataset: map[string]any{"scale": strings.ToUpper(*scale), "seed": *seed, "entities": sz.Entities(), "relations": sz.Relations()}}
	if c := os.Getenv("AIDBENCH_COMMAND"); c != "" {
		res.Command = c
	}
	write := func(cypher string) error {
		sess := drv.NewSession(ctx, neo4jSessionConfig())
		defer sess.Close(context.Background())
		r, err := sess.Run(ctx, cypher, nil)
		if err != nil {
			return err
		}
		_, err = r.Consume(ctx)
		return err
	}
	fmt.Fprintln(os.Stderr, "emptying the database ...")
	if err := write("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS"); err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	d, err := synth.Generate(sz, *seed)
	if err != nil {
		return err
	}
	began := time.Now()
	if _, err := store.Load(ctx, &domain.Dataset{Sources: d.Sources, Entities: d.Entities}, nil); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "entities: %d in %s\n", len(d.Entities), time.Since(began).Round(time.Millisecond))
	// Warm the JVM and the plan cache so the first setting is not penalised.
	if _, err := store.LoadRelations(ctx, d.Relations[:min(20_000, len(d.Relations))], 500, 1); err != nil {
		return err
	}
	deleteRels := func() error {
		return write("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
	}
	if err := deleteRels(); err != nil {
		return err
	}
	for _, s := range domain.SplitList(*settings) {
		b, w, ok := strings.Cut(s, "x")
		batch, err1 := strconv.Atoi(b)
		workers, err2 := strconv.Atoi(w)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("--settings: %q is not BATCHxWORKERS", s)
		}
		n := min(*sample, len(d.Relations))
		if batch == 1 {
			n = min(*baseSample, n)
		}
		began := time.Now()
		sum, err := store.LoadRelations(ctx, d.Relations[:n], batch, workers)
		if err != nil {
			return fmt.Errorf("batch %d x %d: %w", batch, workers, err)
		}
		took := time.Since(began).Seconds()
		r := sweepResult{Batch: batch, Workers: workers, Relations: n, Seconds: took, RelationsPerSecond: float64(n) / took}
		for _, v := range sum.Created {
			r.Created += v
		}
		fmt.Fprintf(os.Stderr, "batch %5d x %d workers: %7d relations in %6.1fs = %7.0f relations/s (created %d)\n", batch, workers, n, took, r.RelationsPerSecond, r.Created)
		res.Sweep = append(res.Sweep, r)
		if err := deleteRels(); err != nil {
			return err
		}
	}
	g, err := synth.New(sz, *seed)
	if err != nil {
		return err
	}
	loader := func(ctx context.Context, d *domain.Dataset) (*domain.LoadSummary, error) {
		return store.Load(ctx, d, nil)
	}
	for _, what := range []string{"first load", "reload"} {
		lr, err := loadSynth(ctx, g, what, loader)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "Store.Load %s: %d relations in %.1fs = %.0f relations/s; %d entities %.0f/s (created %d, unchanged %d)\n",
			what, lr.Relations, lr.RelationSeconds, lr.RelationsPerSecond, lr.Entities, lr.EntitiesPerSecond, lr.Created, lr.Unchanged)
		res.Loads = append(res.Loads, lr)
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Print(loadMarkdown(res))
	return nil
}

func loadMarkdown(r *loadResults) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Load run of %s (scale %v: %v entities, %v relations)\n\nCommand: `%s`\n\n", r.Started, r.Dataset["scale"], r.Dataset["entities"], r.Dataset["relations"], r.Command)
	b.WriteString("| loader statement | batch (rows/tx) | workers | relations | seconds | relations/s |\n|---|---:|---:|---:|---:|---:|\n")
	for _, s := range r.Sweep {
		name := "Store.Load's UNWIND upsert"
		if s.Batch == 1 {
			name = "one MERGE per relation (baseline)"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.1f | %.0f |\n", name, s.Batch, s.Workers, s.Relations, s.Seconds, s.RelationsPerSecond)
	}
	b.WriteString("\n| Store.Load, whole dataset | relations | relations/s | entities | entities/s | created | unchanged |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range r.Loads {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %d | %.0f | %d | %d |\n", l.What, l.Relations, l.RelationsPerSecond, l.Entities, l.EntitiesPerSecond, l.Created, l.Unchanged)
	}
	return b.String()
}
