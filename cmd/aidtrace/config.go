package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/server"
)

// Config is the effective configuration: defaults, then environment
// variables, then flags.
type Config struct {
	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string

	DataDir          string // local Neo4j's data directory (when Neo4jURI is empty)
	Neo4jPort        int
	Neo4jHeapMB      int
	Neo4jPageCacheMB int

	Addr           string
	LogLevel       string
	QueryTimeout   time.Duration
	ConnectTimeout time.Duration
	Introspection  bool
	MaxComplexity  int
	MaxDepth       int
	BatchWait      time.Duration
	RequireKey     bool
	RatePerAddr    float64
	RatePerKey     float64
	MaxInFlight    int
	// MaxInFlightPerAddr is one client address's share of MaxInFlight (0: no cap).
	MaxInFlightPerAddr int
	BodyTimeout        time.Duration
	CORSOrigins        []string
	PublicURL          string
	// AnswerCacheMB caps the answer cache (0: off; validators stay).
	AnswerCacheMB int
	// PersistedQueriesMB caps the persisted query documents (0: off).
	PersistedQueriesMB int
	// VersionPoll is how often the graph's version is read from Neo4j
	// (other replicas' and loads' changes are seen within it).
	VersionPoll time.Duration
}

// defaultConfig is the command's defaults: its own settings here, the
// server's and the store's read from their tables (server.DefaultConfig,
// neo4jstore.DefaultConfig), so each default is stated once.
func defaultConfig() Config {
	srv, st := server.DefaultConfig(), neo4jstore.DefaultConfig()
	return Config{
		Neo4jDatabase:    st.Database,
		DataDir:          ".data/neo4j",
		Neo4jPort:        7687,
		Neo4jHeapMB:      1024,
		Neo4jPageCacheMB: 512,
		Addr:             ":8080",
		LogLevel:         "info",
		QueryTimeout:     st.QueryTimeout,
		ConnectTimeout:   st.ConnectWait,
		MaxComplexity:    srv.MaxComplexity,
		MaxDepth:         srv.MaxDepth,
		RatePerAddr:      30,
		RatePerKey:       100,
		MaxInFlight:      srv.MaxInFlight,
		// A quarter of the slots: one address (one client, or one NAT)
		// cannot starve the others.
		MaxInFlightPerAddr: srv.MaxInFlight / 4,
		BodyTimeout:        srv.BodyTimeout,
		Introspection:      true,
		AnswerCacheMB:      int(srv.AnswerCacheBytes >> 20),
		PersistedQueriesMB: int(srv.PersistedQueryBytes >> 20),
		VersionPoll:        server.DefaultVersionPoll,
		BatchWait:          graph.DefaultBatchWait,
	}
}

// envVars maps each setting to its environment variable.
var envVars = []struct {
	name, flag, usage string
	set               func(c *Config, v string) error
}{
	{"NEO4J_URI", "neo4j-uri", "Neo4j to use (bolt://, neo4j://, neo4j+s://); empty starts a local one", func(c *Config, v string) error { c.Neo4jURI = v; return nil }},
	{"NEO4J_USER", "neo4j-user", "Neo4j user (empty: no authentication)", func(c *Config, v string) error { c.Neo4jUser = v; return nil }},
	{"NEO4J_PASSWORD", "neo4j-password", "Neo4j password", func(c *Config, v string) error { c.Neo4jPassword = v; return nil }},
	{"NEO4J_DATABASE", "neo4j-database", "Neo4j database name", func(c *Config, v string) error { c.Neo4jDatabase = v; return nil }},
	{"AIDTRACE_DATA_DIR", "data-dir", "data directory of the local Neo4j", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"AIDTRACE_NEO4J_PORT", "neo4j-port", "Bolt port of the local Neo4j (0: a free one)", intSetter(func(c *Config) *int { return &c.Neo4jPort })},
	{"AIDTRACE_NEO4J_HEAP_MB", "neo4j-heap-mb", "JVM heap of the local Neo4j, MiB", intSetter(func(c *Config) *int { return &c.Neo4jHeapMB })},
	{"AIDTRACE_NEO4J_PAGECACHE_MB", "neo4j-pagecache-mb", "page cache of the local Neo4j, MiB", intSetter(func(c *Config) *int { return &c.Neo4jPageCacheMB })},
	{"AIDTRACE_ADDR", "addr", "HTTP listen address", func(c *Config, v string) error { c.Addr = v; return nil }},
	{"AIDTRACE_LOG_LEVEL", "log-level", "debug, info, warn or error", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"AIDTRACE_QUERY_TIMEOUT", "query-timeout", "timeout of one database transaction", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.QueryTimeout = d
		return err
	}},
	{"AIDTRACE_CONNECT_TIMEOUT", "connect-timeout", "how long to wait for Neo4j at start-up", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.ConnectTimeout = d
		return err
	}},
	{"AIDTRACE_MAX_COMPLEXITY", "max-complexity", "GraphQL complexity limit per operation", intSetter(func(c *Config) *int { return &c.MaxComplexity })},
	{"AIDTRACE_MAX_DEPTH", "max-depth", "GraphQL nesting limit per operation", intSetter(func(c *Config) *int { return &c.MaxDepth })},
	{"AIDTRACE_BATCH_WAIT", "batch-wait", "how long the fallback dataloaders gather keys (0: 200µs; mutation results only: reads are planned)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.BatchWait = d
		return err
	}},
	{"AIDTRACE_REQUIRE_KEY", "require-key", "require an API key for reads too (true/false)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.RequireKey = b
		return err
	}},
	{"AIDTRACE_RATE_PER_ADDR", "rate-per-addr", "requests per second per client address (0: no limit)", floatSetter(func(c *Config) *float64 { return &c.RatePerAddr })},
	{"AIDTRACE_RATE_PER_KEY", "rate-per-key", "requests per second per API key (0: no limit)", floatSetter(func(c *Config) *float64 { return &c.RatePerKey })},
	{"AIDTRACE_MAX_IN_FLIGHT", "max-in-flight", "data requests served at once; more are shed with 503", intSetter(func(c *Config) *int { return &c.MaxInFlight })},
	{"AIDTRACE_MAX_IN_FLIGHT_PER_ADDR", "max-in-flight-per-addr", "data requests one client address may have in flight; more get 429 (0: no cap)", intSetter(func(c *Config) *int { return &c.MaxInFlightPerAddr })},
	{"AIDTRACE_BODY_TIMEOUT", "body-timeout", "how long a request body may take to arrive (it is read before the request takes an in-flight slot)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.BodyTimeout = d
		return err
	}},
	{"AIDTRACE_CORS_ORIGINS", "cors-origins", "comma-separated origins (https://tool.example.org) whose browser scripts may call the API, or *; empty: CORS off", func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
		return nil
	}},
	{"AIDTRACE_PUBLIC_URL", "public-url", "base URL clients reach the server at, for links in the reconciliation manifest (empty: each request's host)", func(c *Config, v string) error { c.PublicURL = v; return nil }},
	{"AIDTRACE_ANSWER_CACHE_MB", "answer-cache-mb", "memory of the in-memory cache of read answers, MiB (0: off; ETags and 304s stay)", intSetter(func(c *Config) *int { return &c.AnswerCacheMB })},
	{"AIDTRACE_PERSISTED_QUERIES_MB", "persisted-queries-mb", "memory of the persisted query documents (by SHA-256), MiB (0: off)", intSetter(func(c *Config) *int { return &c.PersistedQueriesMB })},
	{"AIDTRACE_VERSION_POLL", "version-poll", "how often the graph's version is read from Neo4j: other replicas' writes and loads are seen within it", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.VersionPoll = d
		return err
	}},
	{"AIDTRACE_INTROSPECTION", "introspection", "allow GraphQL introspection (true/false)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.Introspection = b
		return err
	}},
}

func floatSetter(field func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		*field(c) = f
		return err
	}
}

func intSetter(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		*field(c) = n
		return err
	}
}

// configFlags registers every setting as a flag on fs; after fs.Parse, call
// the returned function to get the effective configuration.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	c := defaultConfig()
	var errs []error
	for _, v := range envVars {
		if val := getenv(v.name); val != "" {
			if err := v.set(&c, val); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", v.name, val, err))
			}
		}
	}
	for _, v := range envVars {
		v := v
		fs.Func(v.flag, v.usage+" (env "+v.name+")", func(s string) error { return v.set(&c, s) })
	}
	return func() (Config, error) {
		if len(errs) > 0 {
			return c, errors.Join(errs...)
		}
		return c, c.validate()
	}
}

func (c Config) validate() error {
	var errs []error
	if c.Neo4jURI != "" {
		u, err := url.Parse(c.Neo4jURI)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("NEO4J_URI: %w", err))
		case !oneOf(u.Scheme, "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
			errs = append(errs, fmt.Errorf("NEO4J_URI: scheme %q is not one of bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc", u.Scheme))
		case u.Host == "":
			errs = append(errs, errors.New("NEO4J_URI: no host"))
		}
	}
	if c.Neo4jDatabase == "" {
		errs = append(errs, errors.New("NEO4J_DATABASE must not be empty"))
	}
	if c.Neo4jPort < 0 || c.Neo4jPort > 65535 {
		errs = append(errs, fmt.Errorf("neo4j port %d out of range", c.Neo4jPort))
	}
	if c.Neo4jHeapMB < 256 || c.Neo4jPageCacheMB < 64 {
		errs = append(errs, errors.New("local Neo4j needs at least 256 MiB heap and 64 MiB page cache"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.QueryTimeout <= 0 || c.ConnectTimeout <= 0 {
		errs = append(errs, errors.New("timeouts must be positive"))
	}
	if c.MaxInFlight < 1 {
		errs = append(errs, errors.New("max in-flight must be at least 1"))
	}
	if c.MaxInFlightPerAddr < 0 {
		errs = append(errs, errors.New("max in-flight per address must be 0 (no cap) or positive"))
	}
	if c.BodyTimeout <= 0 {
		errs = append(errs, errors.New("AIDTRACE_BODY_TIMEOUT must be positive"))
	}
	if _, err := server.ParseOrigins(c.CORSOrigins); err != nil {
		errs = append(errs, fmt.Errorf("AIDTRACE_CORS_ORIGINS: %w", err))
	}
	if c.RatePerAddr < 0 || c.RatePerKey < 0 {
		errs = append(errs, errors.New("rate limits must be 0 (off) or positive"))
	}
	if c.MaxComplexity < 1 || c.MaxDepth < 1 {
		errs = append(errs, errors.New("GraphQL limits must be positive"))
	}
	if c.Addr == "" {
		errs = append(errs, errors.New("listen address must not be empty"))
	}
	if c.AnswerCacheMB < 0 || c.PersistedQueriesMB < 0 {
		errs = append(errs, errors.New("AIDTRACE_ANSWER_CACHE_MB and AIDTRACE_PERSISTED_QUERIES_MB must be 0 (off) or positive"))
	}
	if c.VersionPoll <= 0 {
		errs = append(errs, errors.New("AIDTRACE_VERSION_POLL must be positive"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("AIDTRACE_PUBLIC_URL %q: an http(s) base URL such as https://aidtrace.example.org", c.PublicURL))
		}
	}
	return errors.Join(errs...)
}

// LogValue logs the configuration without secrets.
func (c Config) LogValue() slog.Value {
	neo := c.Neo4jURI
	if neo == "" {
		neo = "local (started by aidtrace)"
	} else if u, err := url.Parse(neo); err == nil {
		u.User = nil // never log credentials embedded in the URI
		neo = u.String()
	}
	pw := ""
	if c.Neo4jPassword != "" {
		pw = "(set)"
	}
	return slog.GroupValue(
		slog.String("neo4j", neo), slog.String("user", c.Neo4jUser), slog.String("password", pw),
		slog.String("database", c.Neo4jDatabase), slog.String("dataDir", c.DataDir),
		slog.Int("neo4jPort", c.Neo4jPort), slog.Int("heapMB", c.Neo4jHeapMB), slog.Int("pageCacheMB", c.Neo4jPageCacheMB),
		slog.String("addr", c.Addr), slog.String("logLevel", c.LogLevel),
		slog.String("queryTimeout", c.QueryTimeout.String()), slog.String("connectTimeout", c.ConnectTimeout.String()),
		slog.Bool("introspection", c.Introspection),
		slog.Int("maxComplexity", c.MaxComplexity), slog.Int("maxDepth", c.MaxDepth),
		slog.Bool("requireKey", c.RequireKey), slog.Float64("ratePerAddr", c.RatePerAddr), slog.Float64("ratePerKey", c.RatePerKey),
		slog.Int("maxInFlight", c.MaxInFlight), slog.Int("maxInFlightPerAddr", c.MaxInFlightPerAddr),
		slog.String("bodyTimeout", c.BodyTimeout.String()), slog.String("corsOrigins", strings.Join(c.CORSOrigins, ",")),
		slog.Int("maxInFlight", c.MaxInFlight), slog.String("publicURL", c.PublicURL),
		slog.Int("answerCacheMB", c.AnswerCacheMB), slog.Int("persistedQueriesMB", c.PersistedQueriesMB),
		slog.String("versionPoll", c.VersionPoll.String()),
	)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return l, fmt.Errorf("log level %q is not one of debug, info, warn, error", s)
	}
	return l, nil
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
