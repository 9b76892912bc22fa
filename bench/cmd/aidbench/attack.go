package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/aidtrace/aidtrace/internal/synth"
)

// A target is one system under test.
type target struct {
	Name string // aidtrace, raw, neo4j-graphql
	URL  string // GraphQL endpoint; for raw, a placeholder the rawTransport answers
	Doc  func(s shape) string
	Raw  *rawClient
	// Plan, with Raw, runs aidtrace's planned statement of the document
	// through the driver instead of the hand-written one.
	Plan *planned
	// Library is true for the Neo4j GraphQL Library.
	Library bool
	// Metrics is aidtrace's /metrics, for the server-side breakdown.
	Metrics string
	// Repeat, when set, draws variables as an embed audience asks
	// (aidtrace-cached): mostly a few published views.
	Repeat *repeatModel
}

// targeter makes vegeta requests for one shape and target, with variables
// drawn from a seeded generator (the same sequence for every target).
func targeter(t target, s shape, sz synth.Sizes, seed uint64) vegeta.Targeter {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0xbe7c4))
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	draw := s.Vars
	if t.Repeat != nil {
		draw = t.Repeat.vars(s, sz)
	}
	return func(tgt *vegeta.Target) error {
		mu.Lock()
		vars := draw(r, sz)
		mu.Unlock()
		if t.Library && s.LibVars != nil {
			vars = s.LibVars(vars)
		}
		var body []byte
		var err error
		if t.Raw != nil {
			body, err = json.Marshal(map[string]any{"shape": s.Name, "variables": vars})
		} else {
			body, err = json.Marshal(map[string]any{"query": t.Doc(s), "variables": vars})
		}
		if err != nil {
			return err
		}
		tgt.Method, tgt.URL, tgt.Body, tgt.Header = http.MethodPost, t.URL, body, hdr
		return nil
	}
}

// mixedTargeter cycles through the shapes request by request, so a long
// run sees a steady mix (the memory run).
func mixedTargeter(t target, ss []shape, sz synth.Sizes, seed uint64) vegeta.Targeter {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0x50a4))
	n := 0
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	return func(tgt *vegeta.Target) error {
		mu.Lock()
		s := ss[n%len(ss)]
		n++
		vars := s.Vars(r, sz)
		mu.Unlock()
		body, err := json.Marshal(map[string]any{"query": t.Doc(s), "variables": vars})
		if err != nil {
			return err
		}
		tgt.Method, tgt.URL, tgt.Body, tgt.Header = http.MethodPost, t.URL, body, hdr
		return nil
	}
}

// rawTransport answers vegeta's requests by running a shape's Cypher
// through the Go driver in this process: the floor, measured by the same
// load generator and clock as the HTTP targets.
type rawTransport struct {
	c      *rawClient
	byName map[string]shape
	plan   *planned
}

func (rt *rawTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var in struct {
		Shape     string         `json:"shape"`
		Variables map[string]any `json:"variables"`
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	s, ok := rt.byName[in.Shape]
	status, body := http.StatusOK, `{"data":{}}`
	if !ok {
		status, body = http.StatusBadRequest, `{"errors":[{"message":"unknown shape"}]}`
	} else if err := rt.run(req.Context(), s, in.Variables); err != nil {
		status, body = http.StatusInternalServerError, fmt.Sprintf(`{"errors":[{"message":%q}]}`, err.Error())
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": []string{"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req,
	}, nil
}

func (rt *rawTransport) run(ctx context.Context, s shape, vars map[string]any) error {
	st := s.Raw(vars)
	if rt.plan != nil {
		var err error
		if st, err = rt.plan.statement(s.Aidtrace, vars); err != nil {
			return err
		}
	}
	_, err := rt.c.run(ctx, st)
	return err
}

// measurement is one attack's outcome.
type measurement struct {
	Target     string  `json:"target"`
	Shape      string  `json:"shape"`
	Mode       string  `json:"mode"`       // "rate" or "saturation"
	Rate       float64 `json:"rate"`       // requested per second (0 at saturation)
	Workers    int     `json:"workers"`    // concurrent requests at saturation
	DurationS  float64 `json:"durationS"`  // attack length
	Requests   int     `json:"requests"`   // sent
	Errors     int     `json:"errors"`     // non-2xx, transport errors, GraphQL errors
	Throughput float64 `json:"throughput"` // successful responses per second
	P50ms      float64 `json:"p50ms"`
	P95ms      float64 `json:"p95ms"`
	P99ms      float64 `json:"p99ms"`
	MaxMs      float64 `json:"maxMs"`
	FirstError string  `json:"firstError,omitempty"`
	// LoadAvg is the machine's 1-minute load average when the attack ended
	// (2 cores here: above 2, other work competed for the CPU).
	LoadAvg float64 `json:"loadAvg"`
	// For aidtrace, from its /metrics: mean time per request inside the
	// HTTP handler, and inside Neo4j round trips, and round trips per
	// request. Latency minus ServerMs is the network and the processes'
	// wake-ups; ServerMs minus DBMs is aidtrace's own work (GraphQL, JSON,
	// decoding) and its waits between queries.
	ServerMs          float64 `json:"serverMeanMs,omitempty"`
	DBMs              float64 `json:"dbMeanMs,omitempty"`
	QueriesPerRequest float64 `json:"queriesPerRequest,omitempty"`
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// attack runs one attack: at a fixed rate (open loop: requests leave on
// schedule whether or not earlier ones have answered, so slow answers show
// in the latencies instead of lowering the load), or at saturation with a
// fixed number of workers (rate <= 0).
func attack(ctx context.Context, t target, s shape, sz synth.Sizes, seed uint64, rate float64, workers int, d time.Duration) measurement {
	opts := []func(*vegeta.Attacker){vegeta.Timeout(10 * time.Second), vegeta.KeepAlive(true), vegeta.Connections(256), vegeta.Redirects(0)}
	pace := vegeta.Rate{Freq: int(rate), Per: time.Second}
	m := measurement{Target: t.Name, Shape: s.Name, Mode: "rate", Rate: rate, DurationS: d.Seconds()}
	if rate <= 0 {
		pace = vegeta.Rate{Freq: 0}
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)))
		m.Mode, m.Rate, m.Workers = "saturation", 0, workers
	} else {
		opts = append(opts, vegeta.MaxWorkers(64))
	}
	if t.Raw != nil {
		byName := map[string]shape{}
		for _, x := range shapes {
			byName[x.Name] = x
		}
		opts = append(opts, vegeta.Client(&http.Client{Transport: &rawTransport{c: t.Raw, byName: byName, plan: t.Plan}, Timeout: 10 * time.Second}))
	}
	a := vegeta.NewAttacker(opts...)
	var lat []time.Duration
	began := time.Now()
	var last time.Time
	var before serverTotals
	var scraped bool
	if t.Metrics != "" {
		before, scraped = scrapeServer(ctx, t.Metrics)
	}
	for res := range a.Attack(targeter(t, s, sz, seed), pace, d, t.Name+"/"+s.Name) {
		m.Requests++
		if end := res.Timestamp.Add(res.Latency); end.After(last) {
			last = end
		}
		if msg := failure(res); msg != "" {
			m.Errors++
			if m.FirstError == "" {
				m.FirstError = msg
			}
			continue
		}
		lat = append(lat, res.Latency)
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	var q func(float64) float64
	m.Throughput, q = latencies(lat, last.Sub(began), d)
	m.P50ms, m.P95ms, m.P99ms, m.MaxMs = q(0.50), q(0.95), q(0.99), q(1)
	m.LoadAvg = loadAvg()
	if scraped {
		if after, ok := scrapeServer(ctx, t.Metrics); ok {
			breakdown(&m, before, after)
		}
	}
	return m
}

// failure says why a response does not count as a success ("" when it does).
func failure(res *vegeta.Result) string {
	if res.Code != 0 && (res.Code < 200 || res.Code > 299) {
		return fmt.Sprintf("HTTP %d: %.300s", res.Code, res.Body)
	}
	if res.Error != "" {
		return res.Error
	}
	if bytes.Contains(res.Body, []byte(`"errors"`)) {
		return fmt.Sprintf("GraphQL error: %.300s", res.Body)
	}
	if !bytes.Contains(res.Body, []byte(`"data"`)) {
		return fmt.Sprintf("no data: %.200s", res.Body)
	}
	return ""
}

// latencies sorts the successful requests' latencies and returns their
// throughput over elapsed (d when nothing finished) and their quantiles in
// milliseconds (q(0.5) is the median, q(1) the maximum; 0 with none).
func latencies(lat []time.Duration, elapsed, d time.Duration) (throughput float64, q func(float64) float64) {
	if elapsed <= 0 {
		elapsed = d
	}
	slices.Sort(lat)
	return float64(len(lat)) / elapsed.Seconds(), func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p*float64(len(lat))+0.5) - 1
		return float64(lat[max(0, min(i, len(lat)-1))]) / float64(time.Millisecond)
	}
}
