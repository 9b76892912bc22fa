package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/export"
	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/localneo4j"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/server"
	"github.com/aidtrace/aidtrace/web"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parse parses a command's flags together with the shared configuration.
func (m *Main) parse(name string, args []string, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("aidtrace "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfgFn := configFlags(fs, m.Getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, fs, exitCode(0)
		}
		return Config{}, fs, errUsage
	}
	cfg, err := cfgFn()
	if err != nil {
		return cfg, fs, fmt.Errorf("configuration: %w", err)
	}
	return cfg, fs, nil
}

func (m *Main) logger(cfg Config) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	return slog.New(server.LogHandler(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level})))
}

// database opens the store: the configured Neo4j, or a local one started
// here (supervised: restarted if its JVM dies, for long-running commands).
// The returned function closes the store and stops the local Neo4j; local
// is nil when NEO4J_URI is set.
func (m *Main) database(ctx context.Context, cfg Config, log *slog.Logger, supervise bool) (store *neo4jstore.Store, local *localneo4j.Server, closeFn func(), err error) {
	uri, user, password := cfg.Neo4jURI, cfg.Neo4jUser, cfg.Neo4jPassword
	if uri == "" {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, nil, nil, err
		}
		local, err = localneo4j.Start(ctx, localneo4j.Options{
			Dir: dir, Port: cfg.Neo4jPort, HeapMB: cfg.Neo4jHeapMB, PageCacheMB: cfg.Neo4jPageCacheMB,
			TxTimeout: 4 * cfg.QueryTimeout, Log: log, BuildOutput: m.Stderr, Supervise: supervise,
		})
		if err != nil {
			return nil, nil, nil, err
		}
		uri = local.URI()
		user, password = local.Auth()
	}
	store, err = neo4jstore.Open(ctx, neo4jstore.Config{
		URI: uri, User: user, Password: password, Database: cfg.Neo4jDatabase,
		QueryTimeout: cfg.QueryTimeout, ConnectWait: cfg.ConnectTimeout, Log: log,
	})
	if err != nil {
		if local != nil {
			local.Stop()
		}
		return nil, nil, nil, err
	}
	closeFn = func() {
		store.Close(context.Background())
		if local != nil {
			local.Stop()
		}
	}
	return store, local, closeFn, nil
}

// health says whether the server can serve (/healthz: false only when the
// local Neo4j is gone and will not come back) and whether it can now
// (/readyz: the local Neo4j runs and the database answers).
func health(store *neo4jstore.Store, local *localneo4j.Server) (live func() error, ready func(context.Context) error) {
	ready = store.Ping
	if local == nil {
		return nil, ready
	}
	live = func() error {
		if err := local.Failed(); err != nil {
			return domain.Errorf(domain.EUNAVAILABLE, "%s", err)
		}
		return nil
	}
	ready = func(ctx context.Context) error {
		if err := local.Ready(); err != nil {
			return domain.Errorf(domain.EUNAVAILABLE, "%s", err)
		}
		return store.Ping(ctx)
	}
	return live, ready
}

func (m *Main) serve(ctx context.Context, args []string) error {
	var loads stringList
	cfg, _, err := m.parse("serve", args, func(fs *flag.FlagSet) {
		fs.Var(&loads, "load", "dataset file or directory to load before serving (repeatable)")
	})
	if err != nil {
		return err
	}
	log := m.logger(cfg)
	log.Info("aidtrace starting", "config", cfg)
	store, local, closeDB, err := m.database(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if len(loads) > 0 {
		if err := m.loadPaths(ctx, store, loads, log); err != nil {
			return err
		}
	}
	metrics := server.NewMetrics()
	store.AddQueryObserver(metrics.ObserveQuery)
	metrics.ObservePool(store.SessionsInUse, neo4jstore.MaxPoolSize)
	if m.OnStore != nil {
		m.OnStore(store)
	}
	// The graph's version: this process's writes advance it at once, the
	// others' (replicas, loads from a shell) are polled.
	versions := server.NewVersions(store.GraphVersion, cfg.VersionPoll, log)
	store.AddVersionObserver(versions.Advance)
	origins, _ := server.ParseOrigins(cfg.CORSOrigins) // checked with the configuration
	live, ready := health(store, local)
	resolver := &graph.Resolver{Read: store, Write: store, BatchWait: cfg.BatchWait}
	schema := generated.NewExecutableSchema(resolver.Config())
	srv := server.New(server.Config{
		Addr: cfg.Addr, Introspection: cfg.Introspection,
		MaxComplexity: cfg.MaxComplexity, MaxDepth: cfg.MaxDepth,
		Extensions: []graphql.HandlerExtension{graph.Loaders{R: resolver}},
		Metrics:    metrics,
		Keys:       store, RequireKeyForReads: cfg.RequireKey,
		RatePerAddr: cfg.RatePerAddr, RatePerKey: cfg.RatePerKey,
		MaxInFlight: cfg.MaxInFlight, MaxInFlightPerAddr: cfg.MaxInFlightPerAddr, BodyTimeout: cfg.BodyTimeout,
		CORSOrigins: origins, Live: live,
		Versions: versions, AnswerCacheBytes: megabytes(cfg.AnswerCacheMB),
		PersistedQueryBytes: megabytes(cfg.PersistedQueriesMB), CacheSalt: buildID(),
	}, schema, ready, log)
	srv.HandleReadAPI("/export/", "/export", server.ExportHandler(store, log, server.ExportConfig{}))
	interop := server.InteropConfig{PublicURL: cfg.PublicURL}
	reconcile := server.ReconcileHandler(store, interop, log)
	srv.HandleReadAPI("/reconcile", "/reconcile", reconcile)
	srv.HandleReadAPI("/reconcile/", "/reconcile", reconcile)
	srv.HandleAPI("/supplier-check", server.SupplierCheckHandler(store, interop, log))
	srv.Handle("/", web.Handler()) // explorer, /embed, /graphiql, /assets
	// Read once before serving, so the first answers carry validators.
	if err := versions.Poll(ctx); err != nil {
		log.Warn("graph version: cannot read it yet; answers are not cached until it can be read", "err", err)
	}
	// The poller stops, and is waited for, before the store closes (the
	// deferred close runs after this): a poll must not meet a closed driver.
	vctx, stopVersions := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() { defer close(polled); versions.Run(vctx) }()
	defer func() { stopVersions(); <-polled }()
	if err := srv.Open(); err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("aidtrace ready", "graphql", srv.URL()+"/graphql")
	if m.Started != nil {
		m.Started(srv.URL())
	}
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Close(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	return nil
}

// megabytes is a cache size setting in bytes for server.Config: 0 (off)
// becomes -1, which the server reads as off.
func megabytes(mb int) int64 {
	if mb == 0 {
		return -1
	}
	return int64(mb) << 20
}

// buildID names this build (module version and VCS revision) for the
// answers' validators: a new build may answer differently.
func buildID() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	id := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			id += " " + s.Value
		}
	}
	return id
}

func (m *Main) load(ctx context.Context, args []string) error {
	cfg, fs, err := m.parse("load", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(m.Stderr, "usage: aidtrace load [flags] PATH...")
		return errUsage
	}
	log := m.logger(cfg)
	// Syntax and shape first: bad files never wait for a database start.
	if _, probs := ingest.ParsePaths(fs.Args()); len(probs) > 0 {
		m.printProblems(probs)
		return exitCode(1)
	}
	store, _, closeDB, err := m.database(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()
	return m.loadPaths(ctx, store, fs.Args(), log)
}

func (m *Main) loadPaths(ctx context.Context, store *neo4jstore.Store, paths []string, log *slog.Logger) error {
	began := time.Now()
	bar := newProgressBar(m.Stderr)
	sum, err := ingest.Load(ctx, store, paths, bar.update)
	bar.done()
	var probs ingest.Problems
	if errors.As(err, &probs) {
		m.printProblems(probs)
		return exitCode(1)
	}
	if err != nil {
		return err
	}
	m.printSummary(sum, time.Since(began))
	return nil
}

func (m *Main) printProblems(probs ingest.Problems) {
	for _, p := range probs {
		fmt.Fprintln(m.Stderr, p.String())
	}
	fmt.Fprintf(m.Stderr, "%d problem(s); nothing was written\n", len(probs))
}

func (m *Main) printSummary(s *domain.LoadSummary, took time.Duration) {
	keys := map[string]bool{}
	for _, mm := range []map[string]int{s.Created, s.Updated, s.Unchanged, s.Kept} {
		for k := range mm {
			keys[k] = true
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	fmt.Fprintf(m.Stdout, "%-24s %8s %8s %10s %6s\n", "loaded", "created", "updated", "unchanged", "kept")
	var c, u, n, kept int
	for _, k := range sorted {
		fmt.Fprintf(m.Stdout, "%-24s %8d %8d %10d %6d\n", k, s.Created[k], s.Updated[k], s.Unchanged[k], s.Kept[k])
		c, u, n, kept = c+s.Created[k], u+s.Updated[k], n+s.Unchanged[k], kept+s.Kept[k]
	}
	fmt.Fprintf(m.Stdout, "%-24s %8d %8d %10d %6d   (%s)\n", "total", c, u, n, kept, took.Round(time.Millisecond))
	if kept > 0 {
		fmt.Fprintln(m.Stdout, "kept: claims changed through the API since they were loaded; the files did not overwrite them")
	}
}

func (m *Main) validate(args []string) error {
	fs := flag.NewFlagSet("aidtrace validate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	readme := fs.String("readme", "", "after validating, rewrite the generated sections of this README (kinds, types, figures, sources)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"seeds"}
	}
	p, probs := ingest.Check(paths)
	if len(probs) > 0 {
		for _, pr := range probs {
			fmt.Fprintln(m.Stderr, pr.String())
		}
		fmt.Fprintf(m.Stderr, "%d problem(s)\n", len(probs))
		return exitCode(1)
	}
	d := p.Dataset
	fmt.Fprintf(m.Stdout, "ok: %d sources, %d entities, %d relations, %d counter-claims\n", len(d.Sources), len(d.Entities), len(d.Relations), len(d.CounterClaims))
	if *readme != "" {
		old, err := os.ReadFile(*readme)
		if err != nil {
			return err
		}
		text, err := ingest.RenderREADME(string(old), p)
		if err != nil {
			return err
		}
		if text != string(old) {
			if err := os.WriteFile(*readme, []byte(text), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "wrote %s\n", *readme)
		}
	}
	return nil
}

// neo4j runs a local Neo4j. With a command after "--", it runs the command
// with NEO4J_URI set to the server and stops the server when the command
// ends (make test uses this: one throwaway Neo4j for the whole run).
func (m *Main) neo4j(ctx context.Context, args []string) error {
	var temp bool
	cfg, fs, err := m.parse("neo4j", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&temp, "temp", false, "use a throwaway data directory and a free port")
	})
	if err != nil {
		return err
	}
	log := m.logger(cfg)
	dir, port := cfg.DataDir, cfg.Neo4jPort
	if temp {
		if dir, err = os.MkdirTemp("", "aidtrace-neo4j-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		port = 0
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	srv, err := localneo4j.Start(ctx, localneo4j.Options{
		Dir: dir, Port: port, HeapMB: cfg.Neo4jHeapMB, PageCacheMB: cfg.Neo4jPageCacheMB,
		TxTimeout: 4 * cfg.QueryTimeout, Log: log, BuildOutput: m.Stderr, Supervise: true,
	})
	if err != nil {
		return err
	}
	defer srv.Stop()
	user, password := srv.Auth()
	if fs.NArg() == 0 {
		fmt.Fprintf(m.Stdout, "NEO4J_URI=%s\nNEO4J_USER=%s\nNEO4J_PASSWORD is in %s\n", srv.URI(), user, filepath.Join(dir, localneo4j.PasswordFile))
		select {
		case <-ctx.Done():
		case <-srv.Exited():
			return errors.New("neo4j exited")
		}
		return nil
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, m.Stdout, m.Stderr
	cmd.Env = append(os.Environ(), "NEO4J_URI="+srv.URI(), "NEO4J_USER="+user, "NEO4J_PASSWORD="+password, "NEO4J_DATABASE=neo4j")
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		err = <-done
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitCode(max(ee.ExitCode(), 1))
	}
	return err
}

// healthcheck GETs a URL and succeeds on 200: container images have no curl.
func (m *Main) healthcheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("aidtrace healthcheck", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	url := fs.String("url", "http://127.0.0.1:8080/readyz", "URL to check")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, resp.Status)
	}
	return nil
}

// export writes a subgraph in a graph tool's format to a file or stdout.
// Its query flags are the /export parameters and are read by the same
// function (domain.ParseExportQuery); --elements takes the body of a POST export.
func (m *Main) export(ctx context.Context, args []string) error {
	var format, out, elements string
	given := map[string][]string{}
	cfg, _, err := m.parse("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "graphml", "one of "+formatNames())
		for _, p := range domain.ExportParams() {
			fs.Func(p.Flag, p.Usage, func(v string) error {
				given[p.Name] = append(given[p.Name], v)
				return nil
			})
		}
		fs.StringVar(&elements, "elements", "", "a JSON element list (the body of POST /export/{format}): export exactly these nodes and edges")
		fs.StringVar(&out, "out", "-", "output file (- for stdout)")
	})
	if err != nil {
		return err
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return err
	}
	var (
		q    domain.ExportQuery
		list *export.ElementList
		opt  *export.Options
	)
	if elements != "" {
		if len(given) > 0 {
			return fmt.Errorf("--elements takes no query flags")
		}
		body, err := os.ReadFile(elements)
		if err != nil {
			return err
		}
		if list, err = export.DecodeElementList(body); err != nil {
			return fmt.Errorf("--elements %s: %w", elements, err)
		}
		opt = list.Options()
	} else {
		if q, err = domain.ParseExportQuery(given); err != nil {
			return err
		}
		_, _, title := export.Describe(q)
		opt = &export.Options{Meta: export.Meta{Title: title, AsOf: q.AsOf}}
	}
	log := m.logger(cfg)
	store, _, closeDB, err := m.database(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()
	exports := domain.Exports{Read: store}
	var g *domain.Subgraph
	if list != nil {
		nodes, edges := list.IDs()
		g, err = exports.Elements(ctx, nodes, edges)
	} else {
		g, err = exports.Subgraph(ctx, q)
	}
	if err == nil {
		opt.CounterClaims, err = exports.CounterClaims(ctx, g)
	}
	if err != nil {
		return err
	}
	w := m.Stdout
	if out != "-" {
		file, err := os.Create(out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	if err := export.Write(w, f, g, opt); err != nil {
		return err
	}
	log.Info("exported", "format", f, "entities", len(g.Entities), "relations", len(g.Relations), "sources", len(g.Sources), "truncated", g.Truncated)
	return nil
}

func formatNames() string {
	var names []string
	for _, f := range export.Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// keys manages API keys: create (prints the key once), list, revoke.
func (m *Main) keys(ctx context.Context, args []string) error {
	var name, label, role string
	cfg, fs, err := m.parse("keys", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "with create: who or what the key is for (shown to admins only)")
		fs.StringVar(&label, "label", "", "with create: how the public history names the key's holder (default: the key's role and id)")
		fs.StringVar(&role, "role", "editor", "with create: reader, editor or admin")
	})
	if err != nil {
		return err
	}
	usage := func() error {
		fmt.Fprintln(m.Stderr, "usage: aidtrace keys [--name N --label L --role R] create | list | revoke ID")
		return errUsage
	}
	if fs.NArg() == 0 {
		return usage()
	}
	log := m.logger(cfg)
	store, _, closeDB, err := m.database(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "create":
		token, k, err := store.CreateKey(ctx, name, label, domain.Role(role))
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "created key %s (%s, role %s); it is shown once, store it now:\n", k.ID, k.Name, k.Role)
		fmt.Fprintln(m.Stdout, token)
	case "list":
		keys, err := store.ListKeys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%-16s %-7s %-25s %-25s %-20s %s\n", "id", "role", "created", "revoked", "label", "name")
		for _, k := range keys {
			revoked, label := "-", "-"
			if k.Revoked != nil {
				revoked = k.Revoked.Format(time.RFC3339)
			}
			if k.Label != "" {
				label = k.Label
			}
			fmt.Fprintf(m.Stdout, "%-16s %-7s %-25s %-25s %-20s %s\n", k.ID, k.Role, k.Created.Format(time.RFC3339), revoked, label, k.Name)
		}
	case "revoke":
		if fs.NArg() != 2 {
			return usage()
		}
		if err := store.RevokeKey(ctx, fs.Arg(1)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "revoked key %s\n", fs.Arg(1))
	default:
		return usage()
	}
	return nil
}
