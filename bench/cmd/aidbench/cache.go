package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/aidtrace/aidtrace/internal/localneo4j"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// Answers that cache (issue 14). Two measurements beside the shape x target
// matrix:
//
//   - the target aidtrace-cached: aidtrace with its answer cache on (the
//     target aidtrace runs with it off), asked with the repeats of an embed
//     audience (repeatModel): most requests are one of a few published
//     views, the rest fresh;
//   - the embed runs: one published view (a fixed document and variables)
//     at saturation, uncached (cache off, POST), served from the cache (GET
//     by persisted-query hash) and revalidated (the same GET with
//     If-None-Match: 304). The target: revalidated >= 20x uncached.
//
// The cache's memory is read from aidtrace-cached's /metrics at the end.

// repeatModel is an embed audience: Share of the requests ask one of Views
// published views (variables drawn once per shape), the rest fresh ones.
type repeatModel struct {
	Share float64 `json:"share"`
	Views int     `json:"views"`
}

// vars draws a request's variables for shape s under the model.
func (m *repeatModel) vars(s shape, sz synth.Sizes) func(r *rand.Rand, sz synth.Sizes) map[string]any {
	h := fnv.New64a()
	h.Write([]byte(s.Name))
	pr := rand.New(rand.NewPCG(h.Sum64(), 0x0e6bed))
	views := make([]map[string]any, max(m.Views, 1))
	for i := range views {
		views[i] = s.Vars(pr, sz)
	}
	return func(r *rand.Rand, sz synth.Sizes) map[string]any {
		if r.Float64() < m.Share {
			return views[r.IntN(len(views))]
		}
		return s.Vars(r, sz)
	}
}

// startAidtrace serves aidtrace on a free port with env added.
func startAidtrace(ctx context.Context, name, bin, logDir string, env []string) (*child, string, error) {
	port, err := localneo4j.FreePort()
	if err != nil {
		return nil, "", err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, "", err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env = append([]string{"AIDTRACE_LOG_LEVEL=warn", "AIDTRACE_RATE_PER_ADDR=0", "AIDTRACE_RATE_PER_KEY=0"}, env...)
	c, err := startChild(ctx, name, filepath.Join(logDir, name+".log"), base+"/readyz", env, "", abs, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	return c, base, err
}

// embedResult is one published view at saturation, three ways.
type embedResult struct {
	Shape     string         `json:"shape"`
	Variables map[string]any `json:"variables"`
	Workers   int            `json:"workers"`
	DurationS float64        `json:"durationS"`
	AnswerB   int            `json:"answerBytes"`
	// Uncached: POST to aidtrace with the cache off, no validator.
	Uncached embedAttack `json:"uncached"`
	// Cached: GET by persisted-query hash, answered from the cache.
	Cached embedAttack `json:"cached"`
	// Revalidated: the same GET with If-None-Match: 304 Not Modified.
	Revalidated embedAttack `json:"revalidated"`
}

type embedAttack struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Throughput float64 `json:"throughput"`
	P50ms      float64 `json:"p50ms"`
	P99ms      float64 `json:"p99ms"`
	LoadAvg    float64 `json:"loadAvg"`
	FirstError string  `json:"firstError,omitempty"`
	// QueriesPerRequest are Neo4j round trips per request (from /metrics).
	QueriesPerRequest float64 `json:"queriesPerRequest"`
}

// cacheMemory is aidtrace-cached's answer cache after the run.
type cacheMemory struct {
	Bytes    float64            `json:"bytes"`
	Entries  float64            `json:"entries"`
	MaxBytes float64            `json:"maxBytes"`
	Results  map[string]float64 `json:"results"` // by result (hit, stored, ...), /graphql
	RSSMB    float64            `json:"rssMB"`
}

// cacheSection is what the cache adds to a run's results.
type cacheSection struct {
	Repeat *repeatModel   `json:"repeat,omitempty"`
	Embed  []embedResult  `json:"embed,omitempty"`
	Memory *cacheMemory   `json:"memory,omitempty"`
	Notes  map[string]any `json:"notes,omitempty"`
}

// embedRuns measures each embed shape's published view. off serves with
// the cache off, on with it on (base URLs).
func embedRuns(ctx context.Context, off, on string, names []string, sz synth.Sizes, seed uint64, workers int, d time.Duration) []embedResult {
	var out []embedResult
	for _, name := range names {
		i := slices.IndexFunc(shapes, func(s shape) bool { return s.Name == name })
		if i < 0 || shapes[i].Aidtrace == "" || ctx.Err() != nil {
			continue
		}
		s := shapes[i]
		vars := s.Vars(rand.New(rand.NewPCG(seed, 0xe3bed)), sz)
		res, err := embedRun(ctx, off, on, s, vars, workers, d)
		if err != nil {
			fmt.Fprintf(os.Stderr, "embed %s: %v\n", s.Name, err)
			continue
		}
		fmt.Fprintf(os.Stderr, "embed %-10s uncached %7.1f/s (p50 %.1fms)  cached %7.1f/s (p50 %.1fms)  304 %7.1f/s (p50 %.1fms)  304/uncached %.1fx\n",
			s.Name, res.Uncached.Throughput, res.Uncached.P50ms, res.Cached.Throughput, res.Cached.P50ms,
			res.Revalidated.Throughput, res.Revalidated.P50ms, ratioOf(res.Revalidated, res.Uncached))
		out = append(out, res)
	}
	return out
}

func ratioOf(a, b embedAttack) float64 {
	if b.Throughput == 0 || a.Errors*100 > a.Requests || b.Errors*100 > b.Requests {
		return 0
	}
	return a.Throughput / b.Throughput
}

func embedRun(ctx context.Context, off, on string, s shape, vars map[string]any, workers int, d time.Duration) (embedResult, error) {
	res := embedResult{Shape: s.Name, Variables: vars, Workers: workers, DurationS: d.Seconds()}
	sum := sha256.Sum256([]byte(s.Aidtrace))
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}})
	vjson, _ := json.Marshal(vars)
	post, _ := json.Marshal(map[string]any{"query": s.Aidtrace, "variables": vars})
	// Register the document with the cached server: its answer's ETag is
	// what every reader of the embed holds.
	reg, _ := json.Marshal(map[string]any{"query": s.Aidtrace, "variables": vars, "extensions": json.RawMessage(ext)})
	resp, err := http.Post(on+"/graphql", "application/json", bytes.NewReader(reg))
	if err != nil {
		return res, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || bytes.Contains(body, []byte(`"errors"`)) {
		return res, fmt.Errorf("registering the view: %d, ETag %q: %.300s", resp.StatusCode, etag, body)
	}
	res.AnswerB = len(body)
	byHash := on + "/graphql?" + url.Values{"extensions": {string(ext)}, "variables": {string(vjson)}}.Encode()
	jsonHdr := http.Header{"Content-Type": []string{"application/json"}}
	fixed := func(method, u string, body []byte, hdr http.Header) vegeta.Targeter {
		return func(t *vegeta.Target) error {
			t.Method, t.URL, t.Body, t.Header = method, u, body, hdr
			return nil
		}
	}
	res.Uncached = embedAttackRun(ctx, off, fixed(http.MethodPost, off+"/graphql", post, jsonHdr), http.StatusOK, workers, d)
	res.Cached = embedAttackRun(ctx, on, fixed(http.MethodGet, byHash, nil, http.Header{}), http.StatusOK, workers, d)
	res.Revalidated = embedAttackRun(ctx, on, fixed(http.MethodGet, byHash, nil, http.Header{"If-None-Match": []string{etag}}), http.StatusNotModified, workers, d)
	return res, nil
}

// embedAttackRun attacks at saturation; a success is the want status (and,
// for 200, data without errors).
func embedAttackRun(ctx context.Context, base string, tr vegeta.Targeter, want, workers int, d time.Duration) embedAttack {
	// A short warm-up: connections, the parsed document, the first answer.
	warm := vegeta.NewAttacker(vegeta.Workers(2), vegeta.MaxWorkers(2), vegeta.KeepAlive(true))
	for range warm.Attack(tr, vegeta.Rate{Freq: 0}, time.Second, "warm") {
	}
	before, _ := scrapeServer(ctx, base+"/metrics")
	a := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true), vegeta.Connections(256), vegeta.Redirects(0),
		vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)))
	var m embedAttack
	var lat []time.Duration
	began := time.Now()
	var last time.Time
	for r := range a.Attack(tr, vegeta.Rate{Freq: 0}, d, "embed") {
		m.Requests++
		if end := r.Timestamp.Add(r.Latency); end.After(last) {
			last = end
		}
		msg := ""
		switch {
		case r.Error != "":
			msg = r.Error
		case int(r.Code) != want:
			msg = fmt.Sprintf("HTTP %d, want %d: %.200s", r.Code, want, r.Body)
		case want == http.StatusOK && (bytes.Contains(r.Body, []byte(`"errors"`)) || !bytes.Contains(r.Body, []byte(`"data"`))):
			msg = fmt.Sprintf("GraphQL errors: %.200s", r.Body)
		}
		if msg != "" {
			m.Errors++
			if m.FirstError == "" {
				m.FirstError = msg
			}
			continue
		}
		lat = append(lat, r.Latency)
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	var q func(float64) float64
	m.Throughput, q = latencies(lat, last.Sub(began), d)
	m.P50ms, m.P99ms = q(0.5), q(0.99)
	m.LoadAvg = loadAvg()
	if after, ok := scrapeServer(ctx, base+"/metrics"); ok && after.requests > before.requests {
		m.QueriesPerRequest = (after.queries - before.queries) / (after.requests - before.requests)
	}
	return m
}

// scrapeCache reads the answer cache's gauges and results from /metrics.
func scrapeCache(ctx context.Context, metrics string, pid int) *cacheMemory {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metrics, nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	c := &cacheMemory{Results: map[string]float64{}, RSSMB: rssMB(pid)}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil {
			continue
		}
		switch {
		case name == "aidtrace_answer_cache_bytes":
			c.Bytes = v
		case name == "aidtrace_answer_cache_entries":
			c.Entries = v
		case name == "aidtrace_answer_cache_max_bytes":
			c.MaxBytes = v
		case strings.HasPrefix(name, "aidtrace_answer_cache_requests_total{") && strings.Contains(name, `route="/graphql"`):
			if _, r, ok := strings.Cut(name, `result="`); ok {
				r, _, _ = strings.Cut(r, `"`)
				c.Results[r] += v
			}
		}
	}
	return c
}

// cacheMarkdown renders the cache's part of a run.
func cacheMarkdown(c *cacheSection) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nAnswers that cache. `aidtrace` above runs with its answer cache off (`AIDTRACE_ANSWER_CACHE_MB=0`); ")
	if c.Repeat != nil {
		fmt.Fprintf(&b, "`aidtrace-cached` runs with it on (64 MiB) and is asked as an embed audience asks: %.0f%% of the requests are one of %d published views per shape (variables drawn once), the rest fresh.\n",
			100*c.Repeat.Share, c.Repeat.Views)
	} else {
		b.WriteString("no cached target ran.\n")
	}
	if len(c.Embed) > 0 {
		b.WriteString("\nOne published view at saturation (workers as above): uncached (POST, cache off), from the cache (GET by persisted-query hash), revalidated (the same GET with If-None-Match, answered 304):\n\n")
		b.WriteString("| view | answer bytes | uncached req/s (p50 ms) | cached req/s (p50 ms) | 304 req/s (p50 ms) | 304 / uncached | cached / uncached | round trips per 304 | load avg |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, e := range c.Embed {
			vars, _ := json.Marshal(e.Variables)
			fmt.Fprintf(&b, "| %s `%s` | %d | %.0f (%.1f) | %.0f (%.2f) | %.0f (%.2f) | %s | %s | %.2f | %.1f |\n",
				e.Shape, vars, e.AnswerB, e.Uncached.Throughput, e.Uncached.P50ms, e.Cached.Throughput, e.Cached.P50ms,
				e.Revalidated.Throughput, e.Revalidated.P50ms, num(ratioOf(e.Revalidated, e.Uncached)), num(ratioOf(e.Cached, e.Uncached)),
				e.Revalidated.QueriesPerRequest, e.Revalidated.LoadAvg)
		}
	}
	if m := c.Memory; m != nil {
		keys := make([]string, 0, len(m.Results))
		for k := range m.Results {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var rs []string
		for _, k := range keys {
			rs = append(rs, fmt.Sprintf("%s %.0f", k, m.Results[k]))
		}
		fmt.Fprintf(&b, "\nThe answer cache of aidtrace-cached at the end: %.2f MiB in %.0f answers (cap %.0f MiB), process RSS %.1f MiB; /graphql requests by result: %s.\n",
			m.Bytes/(1<<20), m.Entries, m.MaxBytes/(1<<20), m.RSSMB, strings.Join(rs, ", "))
	}
	return b.String()
}
