// Command aidbench measures aidtrace against the floor (the same Cypher
// through the Go driver) and against the Neo4j GraphQL Library, on a
// synthetic graph (internal/synth), and measures the bulk loader. It needs
// NEO4J_URI (make bench starts a throwaway Neo4j with APOC core and runs it
// under `aidtrace neo4j -- ...`). Every request goes to 127.0.0.1.
//
//	aidbench run  [--scale S] [--rates 10,50] [--duration 10s] ...  query latency and throughput
//	aidbench load [--scale M] ...                                   bulk load speed
//	aidbench profile [--id ID] [--up]                               PROFILE of the chain statements
//	aidbench report results.json                                    the tables of a run again
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/localneo4j"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/synth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: aidbench run|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(ctx, os.Args[2:])
	case "load":
		err = loadSpeed(ctx, os.Args[2:])
	case "profile":
		err = profile(ctx, os.Args[2:])
	case "report":
		err = reportFile(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (want run or load)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "aidbench:", err)
		os.Exit(1)
	}
}

func openDriver() (neo4j.DriverWithContext, error) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		return nil, errors.New("NEO4J_URI is not set (make bench starts a Neo4j and sets it)")
	}
	auth := neo4j.NoAuth()
	if u := os.Getenv("NEO4J_USER"); u != "" {
		auth = neo4j.BasicAuth(u, os.Getenv("NEO4J_PASSWORD"), "")
	}
	return neo4j.NewDriverWithContext(uri, auth)
}

func database() string {
	if d := os.Getenv("NEO4J_DATABASE"); d != "" {
		return d
	}
	return "neo4j"
}

func openStore(ctx context.Context) (*neo4jstore.Store, error) {
	return neo4jstore.Open(ctx, neo4jstore.Config{
		URI: os.Getenv("NEO4J_URI"), User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"),
		Database: database(), QueryTimeout: 10 * time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// loadResult is one timed load of the synthetic dataset through Store.Load.
type loadResult struct {
	What               string  `json:"what"` // "first load", "reload"
	Entities           int     `json:"entities"`
	Relations          int     `json:"relations"`
	EntitySeconds      float64 `json:"entitySeconds"`
	RelationSeconds    float64 `json:"relationSeconds"`
	RelationsPerSecond float64 `json:"relationsPerSecond"`
	EntitiesPerSecond  float64 `json:"entitiesPerSecond"`
	Created            int     `json:"created"`
	Unchanged          int     `json:"unchanged"`
}

// loadSynth loads the dataset in chunks through Store.Load, timing entities
// and relations apart (generation and validation are not timed).
func loadSynth(ctx context.Context, g *synth.Generator, what string, load func(context.Context, *domain.Dataset) (*domain.LoadSummary, error)) (loadResult, error) {
	var t synth.Tally
	var lastLog time.Time
	err := g.Chunks(100_000, func(d *domain.Dataset) error {
		began := time.Now()
		sum, err := load(ctx, d)
		if err != nil {
			return err
		}
		t.Add(d, sum, time.Since(began))
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			fmt.Fprintf(os.Stderr, "  %s: %d entities, %d relations\n", what, t.Entities, t.Relations)
		}
		return nil
	})
	res := loadResult{What: what, Entities: t.Entities, Relations: t.Relations,
		EntitySeconds: t.EntityTime.Seconds(), RelationSeconds: t.RelationTime.Seconds(),
		EntitiesPerSecond: t.EntitiesPerSecond(), RelationsPerSecond: t.RelationsPerSecond(),
		Created: t.Created, Unchanged: t.Unchanged}
	return res, err
}

type results struct {
	Command      string         `json:"command"`
	Started      string         `json:"started"`
	Machine      map[string]any `json:"machine"`
	Versions     map[string]any `json:"versions"`
	Dataset      map[string]any `json:"dataset"`
	Settings     map[string]any `json:"settings"`
	Loads        []loadResult   `json:"loads,omitempty"`
	Measurements []measurement  `json:"measurements"`
	Ratios       []ratio        `json:"ratios"`
	// Profile is the PROFILE review of each shape's statements (profile.go).
	Profile     []profileRow  `json:"profile,omitempty"`
	Memory      *memoryRun    `json:"memory,omitempty"`
	ServerRSSMB []memSample   `json:"serverRSSMB,omitempty"`
	Cache       *cacheSection `json:"cache,omitempty"`
}

type ratio struct {
	Shape string `json:"shape"`
	// P50OverRaw is aidtrace's p50 over the raw floor's at the lowest rate.
	P50OverRaw float64 `json:"p50OverRaw"`
	// P50OverRawAt is the same at each fixed rate (by the rate, "10").
	P50OverRawAt map[string]float64 `json:"p50OverRawAt,omitempty"`
	// ThroughputOverLibrary is aidtrace's saturation throughput over the
	// Neo4j GraphQL Library's.
	ThroughputOverLibrary float64 `json:"throughputOverLibrary"`
	// ThroughputOverRaw is aidtrace's saturation throughput over the raw
	// floor's.
	ThroughputOverRaw float64 `json:"throughputOverRaw,omitempty"`
	// OwnOverDB is aidtrace's own work per answer (handler time minus
	// Neo4j time, from its /metrics) over its Neo4j time, at each fixed
	// rate.
	OwnOverDB map[string]float64 `json:"ownOverDB,omitempty"`
	// RoundTrips is aidtrace's Neo4j round trips per request (its /metrics).
	RoundTrips float64 `json:"roundTrips,omitempty"`
	Nested     bool    `json:"nested"`
}

type memoryRun struct {
	Rate      float64     `json:"rate"`
	DurationS float64     `json:"durationS"`
	Requests  int         `json:"requests"`
	Errors    int         `json:"errors"`
	Samples   []memSample `json:"samples"`
	FirstMB   float64     `json:"firstMB"`
	LastMB    float64     `json:"lastMB"`
	MaxMB     float64     `json:"maxMB"`
	// SlopeMBPerMin is the least-squares slope over the second half.
	SlopeMBPerMin float64 `json:"slopeMBPerMin"`
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("aidbench run", flag.ContinueOnError)
	scale := fs.String("scale", "S", "synthetic dataset size: S, M or L")
	seed := fs.Uint64("seed", 1, "seed of the dataset and of the request variables")
	load := fs.Bool("load", true, "load the synthetic dataset first (timed: first load, then reload)")
	rates := fs.String("rates", "10,50", "fixed request rates per second")
	dur := fs.Duration("duration", 8*time.Second, "length of each fixed-rate attack")
	satDur := fs.Duration("sat-duration", 8*time.Second, "length of each saturation attack (0: none)")
	workers := fs.Int("workers", 8, "concurrent requests at saturation")
	warmup := fs.Duration("warmup", 2*time.Second, "saturation warm-up before each target and shape (not recorded)")
	targetsFlag := fs.String("targets", "aidtrace,plan,raw,neo4j-graphql", "systems to measure (plan: aidtrace's statement through the driver)")
	shapesFlag := fs.String("shapes", "", "shapes to measure (default: all)")
	soak := fs.Duration("soak", 0, "after the runs, drive aidtrace at --soak-rate for this long and sample its memory")
	profileSamples := fs.Int("profile", 5, "before the attacks, PROFILE each shape's statements on this many requests (0: none)")
	profileRuns := fs.Int("profile-runs", 10, "timed plain runs per profiled statement and request")
	soakRate := fs.Float64("soak-rate", 50, "request rate of the memory run (shapes in turn)")
	bin := fs.String("aidtrace-bin", "../bin/aidtrace", "the aidtrace binary to serve")
	nodeDir := fs.String("node-dir", "neo4j-graphql", "directory of the Neo4j GraphQL Library server")
	out := fs.String("out", "results.json", "machine-readable results")
	cached := fs.Bool("cached", true, "also measure aidtrace-cached (answer cache on, an embed audience's repeats) after aidtrace, and the embed runs")
	repeatShare := fs.Float64("repeat-share", 0.8, "aidtrace-cached: share of requests asking one of the published views")
	views := fs.Int("views", 20, "aidtrace-cached: published views per shape")
	embedShapes := fs.String("embed-shapes", "entity,chain_up", "shapes whose one published view is measured uncached, cached and revalidated (304)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	targetNames := domain.SplitList(*targetsFlag)
	if i := slices.Index(targetNames, "aidtrace"); *cached && i >= 0 && !slices.Contains(targetNames, "aidtrace-cached") {
		targetNames = slices.Insert(targetNames, i+1, "aidtrace-cached")
	}
	sz, err := synth.ScaleSizes(*scale)
	if err != nil {
		return err
	}
	var rateList []float64
	for _, r := range domain.SplitList(*rates) {
		f, err := strconv.ParseFloat(r, 64)
		if err != nil || f <= 0 {
			return fmt.Errorf("--rates: %q is not a positive number", r)
		}
		rateList = append(rateList, f)
	}
	want := map[string]bool{}
	for _, s := range domain.SplitList(*shapesFlag) {
		want[s] = true
	}
	var chosen []shape
	for _, s := range shapes {
		if want[s.Name] || len(want) == 0 {
			chosen = append(chosen, s)
		}
	}
	res := &results{
		Command: "aidbench run " + strings.Join(args, " "), Started: time.Now().UTC().Format(time.RFC3339),
		Machine: machine(), Dataset: map[string]any{"scale": strings.ToUpper(*scale), "seed": *seed, "entities": sz.Entities(), "relations": sz.Relations()},
		Settings: map[string]any{"rates": rateList, "durationS": dur.Seconds(), "saturationS": satDur.Seconds(), "workers": *workers, "warmupS": warmup.Seconds()},
	}
	if c := os.Getenv("AIDBENCH_COMMAND"); c != "" {
		res.Command = c
	}

	drv, err := openDriver()
	if err != nil {
		return err
	}
	defer drv.Close(context.Background())
	raw := &rawClient{drv: drv, db: database()}
	res.Versions = versions(ctx, raw, *nodeDir)

	if *load {
		store, err := openStore(ctx)
		if err != nil {
			return err
		}
		if err := store.Migrate(ctx); err != nil {
			store.Close(ctx)
			return err
		}
		g, err := synth.New(sz, *seed)
		if err != nil {
			store.Close(ctx)
			return err
		}
		loader := func(ctx context.Context, d *domain.Dataset) (*domain.LoadSummary, error) {
			return store.Load(ctx, d, nil)
		}
		for _, what := range []string{"first load", "reload"} {
			fmt.Fprintf(os.Stderr, "loading scale %s (%s) ...\n", *scale, what)
			lr, err := loadSynth(ctx, g, what, loader)
			if err != nil {
				store.Close(ctx)
				return err
			}
			fmt.Fprintf(os.Stderr, "  %s: %d relations in %.1fs, %.0f relations/s; %d entities, %.0f/s\n",
				what, lr.Relations, lr.RelationSeconds, lr.RelationsPerSecond, lr.Entities, lr.EntitiesPerSecond)
			res.Loads = append(res.Loads, lr)
		}
		store.Close(ctx)
	}

	if *profileSamples > 0 {
		fmt.Fprintf(os.Stderr, "profiling the statements of each shape ...\n")
		if res.Profile, err = profileShapes(ctx, drv, chosen, sz, *seed, *profileSamples, *profileRuns, false, nil); err != nil {
			return err
		}
		res.Settings["profileSamples"], res.Settings["profileRuns"] = *profileSamples, *profileRuns
	}

	// The servers under test, each a process of its own.
	var targets []target
	var aid *child
	var aidURL string
	logDir, err := os.MkdirTemp("", "aidbench-logs-")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "server logs in %s\n", logDir)
	var cachedAid *child
	var cachedBase string
	for _, name := range targetNames {
		// aidtrace-wait<D>: aidtrace with AIDTRACE_BATCH_WAIT=D (the dataloaders' wait).
		kind, wait, _ := strings.Cut(name, "-wait")
		if kind == "aidtrace" && wait != "" {
			if _, err := time.ParseDuration(wait); err != nil {
				return fmt.Errorf("target %q: %w", name, err)
			}
		}
		switch kind {
		case "aidtrace":
			port, err := localneo4j.FreePort()
			if err != nil {
				return err
			}
			abs, err := filepath.Abs(*bin)
			if err != nil {
				return err
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			// The answer cache off: every request reaches the query path
			// (aidtrace-cached measures the cache).
			env := []string{"AIDTRACE_LOG_LEVEL=warn", "AIDTRACE_RATE_PER_ADDR=0", "AIDTRACE_RATE_PER_KEY=0", "AIDTRACE_ANSWER_CACHE_MB=0"}
			if wait != "" {
				env = append(env, "AIDTRACE_BATCH_WAIT="+wait)
			}
			c, err := startChild(ctx, name, filepath.Join(logDir, name+".log"), base+"/readyz", env, "", abs, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return err
			}
			defer c.stop()
			if aid == nil && wait == "" {
				aid, aidURL = c, base+"/graphql"
			}
			targets = append(targets, target{Name: name, URL: base + "/graphql", Metrics: base + "/metrics", Doc: func(s shape) string { return s.Aidtrace }})
		case "raw":
			targets = append(targets, target{Name: name, URL: "http://raw.invalid/cypher", Raw: raw})
		case "plan":
			targets = append(targets, target{Name: name, URL: "http://raw.invalid/cypher", Raw: raw, Plan: newPlanned()})
		case "neo4j-graphql":
			port, err := localneo4j.FreePort()
			if err != nil {
				return err
			}
			base := fmt.Sprintf("http://127.0.0.1:%d/", port)
			_, to, from := responsibilityTypes(false) // down: FROM_IS_RESPONSIBLE types are walked out of an entity
			types, _ := json.Marshal(map[string][]string{"from": from, "to": to})
			lib, err := startChild(ctx, "neo4j-graphql", filepath.Join(logDir, "neo4j-graphql.log"), base+"?query=%7B__typename%7D",
				[]string{"PORT=" + strconv.Itoa(port), "RESPONSIBILITY_TYPES=" + string(types)}, *nodeDir, "node", "server.mjs")
			if err != nil {
				return err
			}
			defer lib.stop()
			targets = append(targets, target{Name: name, URL: base, Library: true, Doc: func(s shape) string { return s.Library }})
		case "aidtrace-cached":
			c, base, err := startAidtrace(ctx, name, *bin, logDir, []string{"AIDTRACE_ANSWER_CACHE_MB=64"})
			if err != nil {
				return err
			}
			defer c.stop()
			cachedAid, cachedBase = c, base
			targets = append(targets, target{Name: name, URL: base + "/graphql", Metrics: base + "/metrics", Doc: func(s shape) string { return s.Aidtrace },
				Repeat: &repeatModel{Share: *repeatShare, Views: *views}})
		default:
			return fmt.Errorf("unknown target %q", name)
		}
	}

	var rss *sampler
	if aid != nil {
		rss = sample(aid.cmd.Process.Pid, 5*time.Second)
	}
	for _, s := range chosen {
		for _, t := range targets {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if *warmup > 0 {
				attack(ctx, t, s, sz, *seed+1000, 0, 2, *warmup)
			}
			for _, r := range rateList {
				m := attack(ctx, t, s, sz, *seed, r, 0, *dur)
				report(m)
				res.Measurements = append(res.Measurements, m)
			}
			if *satDur > 0 {
				m := attack(ctx, t, s, sz, *seed, 0, *workers, *satDur)
				report(m)
				res.Measurements = append(res.Measurements, m)
			}
		}
	}
	if cachedAid != nil {
		res.Cache = &cacheSection{Repeat: &repeatModel{Share: *repeatShare, Views: *views}}
		if aid != nil && *satDur > 0 {
			res.Cache.Embed = embedRuns(ctx, strings.TrimSuffix(aidURL, "/graphql"), cachedBase, domain.SplitList(*embedShapes), sz, *seed, *workers, *satDur)
		}
		res.Cache.Memory = scrapeCache(ctx, cachedBase+"/metrics", cachedAid.cmd.Process.Pid)
	}
	if rss != nil {
		res.ServerRSSMB = rss.stop()
	}
	if *soak > 0 && aid != nil {
		res.Memory = soakRun(ctx, target{Name: "aidtrace", URL: aidURL, Doc: func(s shape) string { return s.Aidtrace }}, aid, chosen, sz, *seed, *soakRate, *soak)
	}
	res.Ratios = ratios(res.Measurements, chosen, rateList)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Print(markdown(res))
	fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	return nil
}

func report(m measurement) {
	rate := fmt.Sprintf("%g/s", m.Rate)
	if m.Mode == "saturation" {
		rate = fmt.Sprintf("sat(%d)", m.Workers)
	}
	server := ""
	if m.ServerMs > 0 {
		server = fmt.Sprintf("server=%.1fms db=%.1fms q/req=%.1f ", m.ServerMs, m.DBMs, m.QueriesPerRequest)
	}
	fmt.Fprintf(os.Stderr, "%-14s %-18s %-8s n=%-6d err=%-4d p50=%7.1fms p95=%7.1fms p99=%7.1fms thr=%7.1f/s load=%.1f %s%s\n",
		m.Target, m.Shape, rate, m.Requests, m.Errors, m.P50ms, m.P95ms, m.P99ms, m.Throughput, m.LoadAvg, server, trim(m.FirstError, 200))
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func find(ms []measurement, target, shape, mode string, rate float64) *measurement {
	for i := range ms {
		m := &ms[i]
		if m.Target == target && m.Shape == shape && m.Mode == mode && (mode == "saturation" || m.Rate == rate) {
			return m
		}
	}
	return nil
}

func ratios(ms []measurement, chosen []shape, rates []float64) []ratio {
	var out []ratio
	low := rates[0]
	for _, r := range rates {
		low = min(low, r)
	}
	for _, s := range chosen {
		r := ratio{Shape: s.Name, Nested: s.Nested}
		// A ratio of runs that mostly failed would compare timeouts: left out.
		ok := func(m *measurement) bool { return m != nil && m.Errors*100 <= m.Requests }
		if a, w := find(ms, "aidtrace", s.Name, "rate", low), find(ms, "raw", s.Name, "rate", low); ok(a) && ok(w) && w.P50ms > 0 {
			r.P50OverRaw = a.P50ms / w.P50ms
		}
		if a, l := find(ms, "aidtrace", s.Name, "saturation", 0), find(ms, "neo4j-graphql", s.Name, "saturation", 0); ok(a) && ok(l) && l.Throughput > 0 {
			r.ThroughputOverLibrary = a.Throughput / l.Throughput
		}
		if a, w := find(ms, "aidtrace", s.Name, "saturation", 0), find(ms, "raw", s.Name, "saturation", 0); ok(a) && ok(w) && w.Throughput > 0 {
			r.ThroughputOverRaw = a.Throughput / w.Throughput
		}
		for _, rate := range rates {
			key := strconv.FormatFloat(rate, 'g', -1, 64)
			a, w := find(ms, "aidtrace", s.Name, "rate", rate), find(ms, "raw", s.Name, "rate", rate)
			if ok(a) && ok(w) && w.P50ms > 0 {
				if r.P50OverRawAt == nil {
					r.P50OverRawAt = map[string]float64{}
				}
				r.P50OverRawAt[key] = a.P50ms / w.P50ms
			}
			if ok(a) && a.DBMs > 0 {
				if r.OwnOverDB == nil {
					r.OwnOverDB = map[string]float64{}
				}
				r.OwnOverDB[key] = (a.ServerMs - a.DBMs) / a.DBMs
				r.RoundTrips = a.QueriesPerRequest
			}
		}
		out = append(out, r)
	}
	return out
}

// soakRun drives aidtrace at a fixed rate with the shapes mixed request by
// request, sampling its resident memory every 5 seconds.
func soakRun(ctx context.Context, t target, aid *child, chosen []shape, sz synth.Sizes, seed uint64, rate float64, d time.Duration) *memoryRun {
	fmt.Fprintf(os.Stderr, "memory run: aidtrace at %g/s for %s\n", rate, d)
	mr := &memoryRun{Rate: rate, DurationS: d.Seconds()}
	mixed := chosen
	s := sample(aid.cmd.Process.Pid, 5*time.Second)
	a := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true), vegeta.MaxWorkers(64))
	for res := range a.Attack(mixedTargeter(t, mixed, sz, seed), vegeta.Rate{Freq: int(rate), Per: time.Second}, d, "soak") {
		mr.Requests++
		if failure(res) != "" {
			mr.Errors++
		}
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	mr.Samples = s.stop()
	if n := len(mr.Samples); n > 0 {
		mr.FirstMB, mr.LastMB = mr.Samples[0].RSSMB, mr.Samples[n-1].RSSMB
		for _, x := range mr.Samples {
			mr.MaxMB = max(mr.MaxMB, x.RSSMB)
		}
		mr.SlopeMBPerMin = slope(mr.Samples[n/2:]) * 60
	}
	return mr
}

func slope(xs []memSample) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for _, p := range xs {
		sx += p.AtS
		sy += p.RSSMB
		sxx += p.AtS * p.AtS
		sxy += p.AtS * p.RSSMB
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}

func machine() map[string]any {
	m := map[string]any{"cpus": runtime.NumCPU(), "os": runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				m["cpu"] = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		if len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			m["memGiB"] = float64(int(kb/1024/1024*10)) / 10
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(b))
	}
	return m
}

func versions(ctx context.Context, c *rawClient, nodeDir string) map[string]any {
	v := map[string]any{"go": runtime.Version()}
	if recs, err := c.read(ctx, "CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + versions[0] + ' ' + edition AS v", nil); err == nil && len(recs) > 0 {
		v["neo4j"], _ = recs[0].Get("v")
	}
	if recs, err := c.read(ctx, "RETURN apoc.version() AS v", nil); err == nil && len(recs) > 0 {
		v["apoc"], _ = recs[0].Get("v")
	} else {
		v["apoc"] = "not installed"
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		v["node"] = strings.TrimSpace(string(out))
	}
	for _, pkg := range []string{"@neo4j/graphql", "@apollo/server", "graphql", "neo4j-driver"} {
		var p struct {
			Version string `json:"version"`
		}
		if b, err := os.ReadFile(filepath.Join(nodeDir, "node_modules", pkg, "package.json")); err == nil && json.Unmarshal(b, &p) == nil {
			v[pkg] = p.Version
		}
	}
	v["vegeta"] = "v12.13.0"
	return v
}

func reportFile(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: aidbench report results.json")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	var present []shape
	var rates []float64
	for _, s := range shapes {
		for _, m := range r.Measurements {
			if m.Shape == s.Name {
				present = append(present, s)
				break
			}
		}
	}
	for _, m := range r.Measurements {
		if m.Mode == "rate" && !slices.Contains(rates, m.Rate) {
			rates = append(rates, m.Rate)
		}
	}
	if len(rates) > 0 {
		r.Ratios = ratios(r.Measurements, present, rates)
	}
	fmt.Print(markdown(&r))
	return nil
}
