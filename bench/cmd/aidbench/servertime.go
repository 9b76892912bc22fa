package main

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serverTotals are the counters of aidtrace's /metrics that split a
// request's latency: time inside the HTTP handler, and inside Neo4j round
// trips (as the store times them).
type serverTotals struct {
	requests, handlerS, queries, queryS float64
}

// scrapeServer reads aidtrace's Prometheus text output. Zero on failure:
// the breakdown is then left out, the measurement stands.
func scrapeServer(ctx context.Context, url string) (serverTotals, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return serverTotals{}, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return serverTotals{}, false
	}
	defer resp.Body.Close()
	var t serverTotals
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil {
			continue
		}
		switch {
		case name == `aidtrace_http_request_duration_seconds_count{route="/graphql"}`:
			t.requests = v
		case name == `aidtrace_http_request_duration_seconds_sum{route="/graphql"}`:
			t.handlerS = v
		case strings.Contains(name, `query="graph-version"`):
			// The graph version's poll (once a second), not the requests'.
		case strings.HasPrefix(name, "aidtrace_neo4j_query_duration_seconds_count{"):
			t.queries += v
		case strings.HasPrefix(name, "aidtrace_neo4j_query_duration_seconds_sum{"):
			t.queryS += v
		}
	}
	return t, sc.Err() == nil && t.requests > 0
}

// breakdown fills m's server-side means from two scrapes around an attack.
func breakdown(m *measurement, before, after serverTotals) {
	n := after.requests - before.requests
	if n <= 0 {
		return
	}
	m.ServerMs = 1000 * (after.handlerS - before.handlerS) / n
	m.DBMs = 1000 * (after.queryS - before.queryS) / n
	m.QueriesPerRequest = (after.queries - before.queries) / n
}
