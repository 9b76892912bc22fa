// Command loadtest runs a fixed-rate mixed workload against an aidtrace
// server on loopback for a bounded time, then a saturation burst, and
// reports throughput, latency percentiles, errors and the server's peak
// memory. make loadtest runs it against a throwaway Neo4j with the seeds.
//
// It starts the server itself (so it can read its memory from /proc) with
// NEO4J_URI from the environment. Traffic goes to 127.0.0.1 only; every
// phase is bounded in time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The mix: what investigators, journalists and partner tools ask most.
var workload = []struct{ name, query string }{
	{"chain-up", `{ responsibilityChain(id: "county:moyu", first: 20) { chains { end { id } hops { upper { id name } relation { id type validFrom confidence citations { source { id grade } } } } } } }`},
	{"chain-down", `{ responsibilityChain(id: "province:beijing", direction: DOWN, first: 20) { chains { hops { lower { id } relation { type } } } } }`},
	{"search", `{ search(text: "Aksu", first: 10) { match entity { id name nameZh } } }`},
	{"entity", `{ entity(id: "prefecture:aksu") { id name relations(first: 20) { edges { node { type from { name } to { name } } } } } }`},
	{"neighborhood", `{ neighborhood(ids: ["prefecture:hotan"], depth: 2, limit: 300) { truncated nodes { id kind name } edges { id type fromId toId } } }`},
	{"path", `{ paths(from: "county:moyu", to: "party_body:ccp-central-committee", mode: K_SHORTEST, first: 3) { length nodes { id } } }`},
	{"listing", `{ entities(filter: {kinds: [county]}, first: 50) { edges { node { id name } } pageInfo { hasNextPage endCursor } } }`},
	{"stats", `{ stats { entities relations sources } }`},
}

type phase struct {
	Name        string         `json:"name"`
	Rate        int            `json:"rate_per_s"`
	Seconds     float64        `json:"seconds"`
	Requests    uint64         `json:"requests"`
	Throughput  float64        `json:"ok_per_s"`
	P50ms       float64        `json:"p50_ms"`
	P90ms       float64        `json:"p90_ms"`
	P99ms       float64        `json:"p99_ms"`
	Maxms       float64        `json:"max_ms"`
	Statuses    map[string]int `json:"statuses"`
	Errors      int            `json:"errors"`
	GraphQLErrs int            `json:"graphql_errors_in_200"`
	ShedCodes   map[string]int `json:"error_codes"`
	RSSMiBAfter float64        `json:"server_rss_mib_after"`
}

type report struct {
	Started      string  `json:"started"`
	Machine      string  `json:"machine"`
	Phases       []phase `json:"phases"`
	PeakRSSMiB   float64 `json:"server_peak_rss_mib"`
	StartRSSMiB  float64 `json:"server_rss_mib_at_start"`
	Command      string  `json:"command"`
	Dataset      string  `json:"dataset"`
	MaxInFlight  int     `json:"server_max_in_flight"`
	ServerBinary string  `json:"server"`
}

func main() {
	bin := flag.String("server", "../bin/aidtrace", "the aidtrace binary")
	seeds := flag.String("load", "../seeds", "dataset to load")
	rate := flag.Int("rate", 40, "steady rate (requests/s) the machine should hold with zero errors")
	steady := flag.Duration("steady", 60*time.Second, "steady phase length")
	burstRate := flag.Int("burst-rate", 2000, "saturation rate (requests/s)")
	burst := flag.Duration("burst", 20*time.Second, "saturation phase length")
	out := flag.String("out", "loadtest-results.json", "machine-readable results")
	flag.Parse()
	if os.Getenv("NEO4J_URI") == "" {
		fail("NEO4J_URI is not set: run through 'aidtrace neo4j --temp -- ...' (make loadtest does)")
	}
	if *steady > 10*time.Minute || *burst > 5*time.Minute {
		fail("phases are bounded: steady at most 10m, burst at most 5m")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("%v", err)
	}
	addr := l.Addr().String()
	l.Close()
	// Access logs off (warn): the measurement is of serving, not of logging.
	// The answer cache off: the workload repeats a few documents, which
	// the cache would answer from memory; this test is of the query path
	// and of shedding (make bench measures the cache).
	srv := exec.CommandContext(ctx, *bin, "serve", "--addr", addr, "--load", *seeds, "--log-level", "warn",
		"--rate-per-addr", "0", "--rate-per-key", "0", "--answer-cache-mb", "0")
	srv.Env = os.Environ()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		fail("start server: %v", err)
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	base := "http://" + addr
	waitReady(base)
	pid := srv.Process.Pid

	targets := make([]vegeta.Target, len(workload))
	for i, w := range workload {
		body, _ := json.Marshal(map[string]string{"query": w.query})
		targets[i] = vegeta.Target{Method: http.MethodPost, URL: base + "/graphql", Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}}
	}
	// Warm up caches and the JIT, unmeasured.
	run(targets, 20, 10*time.Second, pid)

	rep := report{Started: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Dataset: *seeds,
		Command: strings.Join(os.Args, " "), MaxInFlight: 64, ServerBinary: *bin, StartRSSMiB: rssMiB(pid, "VmRSS")}
	p := run(targets, *rate, *steady, pid)
	p.Name = "steady"
	rep.Phases = append(rep.Phases, p)
	p = run(targets, *burstRate, *burst, pid)
	p.Name = "saturation"
	rep.Phases = append(rep.Phases, p)
	// Memory must come back down: the saturation's shed requests left nothing queued.
	time.Sleep(3 * time.Second)
	p = run(targets, *rate, 15*time.Second, pid)
	p.Name = "after saturation"
	rep.Phases = append(rep.Phases, p)
	rep.PeakRSSMiB = rssMiB(pid, "VmHWM")

	print(rep)
	b, _ := json.MarshalIndent(rep, "", "  ")
	os.WriteFile(*out, b, 0o644)
	if rep.Phases[0].Errors+rep.Phases[0].GraphQLErrs > 0 || rep.Phases[2].Errors+rep.Phases[2].GraphQLErrs > 0 {
		fmt.Println("FAIL: errors at a rate the machine should hold")
		os.Exit(1)
	}
}

var codeRE = regexp.MustCompile(`"code":"([A-Z_]+)"`)

func run(targets []vegeta.Target, rate int, d time.Duration, pid int) phase {
	atk := vegeta.NewAttacker(vegeta.Timeout(35*time.Second), vegeta.MaxWorkers(512), vegeta.KeepAlive(true), vegeta.MaxBody(4096))
	var m vegeta.Metrics
	p := phase{Rate: rate, Seconds: d.Seconds(), Statuses: map[string]int{}, ShedCodes: map[string]int{}}
	for res := range atk.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: rate, Per: time.Second}, d, "aidtrace") {
		m.Add(res)
		if res.Code == 200 && bytes.Contains(res.Body, []byte(`"errors"`)) {
			p.GraphQLErrs++
		}
		if res.Code != 200 {
			for _, c := range codeRE.FindAllSubmatch(res.Body, 1) {
				p.ShedCodes[string(c[1])]++
			}
		}
	}
	m.Close()
	p.Requests = m.Requests
	p.Throughput = m.Throughput
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p.P50ms, p.P90ms, p.P99ms, p.Maxms = ms(m.Latencies.P50), ms(m.Latencies.P90), ms(m.Latencies.P99), ms(m.Latencies.Max)
	for code, n := range m.StatusCodes {
		p.Statuses[code] = n
		if code != "200" {
			p.Errors += n
		}
	}
	p.RSSMiBAfter = rssMiB(pid, "VmRSS")
	return p
}

func print(r report) {
	fmt.Printf("loadtest on %s, dataset %s\n", r.Machine, r.Dataset)
	fmt.Printf("%-17s %6s %6s %8s %8s %8s %8s %8s %7s %-28s %s\n", "phase", "rate/s", "reqs", "ok/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "statuses", "RSS after")
	for _, p := range r.Phases {
		var st []string
		for c, n := range p.Statuses {
			st = append(st, c+":"+strconv.Itoa(n))
		}
		sort.Strings(st)
		fmt.Printf("%-17s %6d %6d %8.1f %8.1f %8.1f %8.1f %8.1f %7d %-28s %.0f MiB\n", p.Name, p.Rate, p.Requests, p.Throughput,
			p.P50ms, p.P90ms, p.P99ms, p.Maxms, p.Errors+p.GraphQLErrs, strings.Join(st, " "), p.RSSMiBAfter)
		if len(p.ShedCodes) > 0 {
			fmt.Printf("%-17s error codes: %v\n", "", p.ShedCodes)
		}
	}
	fmt.Printf("server memory: %.0f MiB at start, peak %.0f MiB (VmHWM)\n", r.StartRSSMiB, r.PeakRSSMiB)
}

func waitReady(base string) {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	fail("server did not become ready")
}

func rssMiB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(l)
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	return fmt.Sprintf("%s, %d CPUs", model, countCPUs(string(b)))
}

func countCPUs(cpuinfo string) int { return strings.Count(cpuinfo, "processor\t:") }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadtest: "+format+"\n", args...)
	os.Exit(2)
}
