package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// markdown renders the results as the tables of docs/BENCHMARKS.md.
func markdown(r *results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Run of %s (scale %v: %s entities, %s relations)\n\n", r.Started, r.Dataset["scale"], count(r.Dataset["entities"]), count(r.Dataset["relations"]))
	fmt.Fprintf(&b, "Command: `%s`\n\n", r.Command)
	fmt.Fprintf(&b, "Machine: %v CPUs (%v), %v GiB, Linux %v\n\n", r.Machine["cpus"], r.Machine["cpu"], r.Machine["memGiB"], r.Machine["kernel"])
	keys := make([]string, 0, len(r.Versions))
	for k := range r.Versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var vs []string
	for _, k := range keys {
		vs = append(vs, fmt.Sprintf("%s %v", k, r.Versions[k]))
	}
	fmt.Fprintf(&b, "Versions: %s\n\n", strings.Join(vs, ", "))
	if len(r.Loads) > 0 {
		b.WriteString("| load | relations | relations/s | entities | entities/s | created | unchanged |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, l := range r.Loads {
			fmt.Fprintf(&b, "| %s | %d | %.0f | %d | %.0f | %d | %d |\n", l.What, l.Relations, l.RelationsPerSecond, l.Entities, l.EntitiesPerSecond, l.Created, l.Unchanged)
		}
		b.WriteString("\n")
	}
	b.WriteString(compact(r))
	b.WriteString("\nEvery attack:\n\n")
	b.WriteString("| shape | target | load | requests | errors | p50 ms | p95 ms | p99 ms | throughput/s | load avg |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range r.Measurements {
		load := fmt.Sprintf("%g/s", m.Rate)
		if m.Mode == "saturation" {
			load = fmt.Sprintf("saturation, %d workers", m.Workers)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", m.Shape, m.Target, load, m.Requests, m.Errors, m.P50ms, m.P95ms, m.P99ms, m.Throughput, m.LoadAvg)
	}
	b.WriteString("\naidtrace's own account of the fixed-rate attacks (means from its /metrics: time in the handler, time in Neo4j round trips, round trips per request):\n\n")
	b.WriteString("| shape | target | load | client p50 ms | handler mean ms | Neo4j mean ms | round trips |\n|---|---|---|---:|---:|---:|---:|\n")
	for _, m := range r.Measurements {
		if m.ServerMs > 0 && m.Mode == "rate" {
			fmt.Fprintf(&b, "| %s | %s | %g/s | %.1f | %.1f | %.1f | %.1f |\n", m.Shape, m.Target, m.Rate, m.P50ms, m.ServerMs, m.DBMs, m.QueriesPerRequest)
		}
	}
	var rates []string
	if rs, ok := r.Settings["rates"].([]any); ok {
		for _, x := range rs {
			rates = append(rates, fmt.Sprint(x))
		}
	} else if rs, ok := r.Settings["rates"].([]float64); ok {
		for _, x := range rs {
			rates = append(rates, strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteString("\n| shape |")
	for _, x := range rates {
		fmt.Fprintf(&b, " p50 / raw p50 at %s/s |", x)
	}
	b.WriteString(" throughput / library (saturation) | throughput / raw (saturation) |")
	for _, x := range rates {
		fmt.Fprintf(&b, " own work / Neo4j time at %s/s |", x)
	}
	b.WriteString(" round trips |\n|---|")
	for range 2*len(rates) + 3 {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, x := range r.Ratios {
		name := x.Shape
		if x.Nested {
			name += " (nested)"
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, rate := range rates {
			v := x.P50OverRawAt[rate]
			if x.P50OverRawAt == nil && rate == rates[0] {
				v = x.P50OverRaw
			}
			fmt.Fprintf(&b, " %s |", num(v))
		}
		fmt.Fprintf(&b, " %s | %s |", num(x.ThroughputOverLibrary), num(x.ThroughputOverRaw))
		for _, rate := range rates {
			fmt.Fprintf(&b, " %s |", num(x.OwnOverDB[rate]))
		}
		fmt.Fprintf(&b, " %s |\n", num(x.RoundTrips))
	}
	if len(r.Profile) > 0 {
		b.WriteString("\nPROFILE of each shape's statements (aidbench profile):\n\n")
		samples, runs := r.Settings["profileSamples"], r.Settings["profileRuns"]
		b.WriteString(profileTable(r.Profile, toInt(samples), toInt(runs), fmt.Sprint(r.Dataset["scale"])))
	}
	if m := r.Memory; m != nil {
		fmt.Fprintf(&b, "\nMemory run: aidtrace at %g req/s for %.0fs, %d requests, %d errors; RSS first %.1f MiB, last %.1f MiB, max %.1f MiB, slope over the second half %.2f MiB/min\n",
			m.Rate, m.DurationS, m.Requests, m.Errors, m.FirstMB, m.LastMB, m.MaxMB, m.SlopeMBPerMin)
	}
	b.WriteString(cacheMarkdown(r.Cache))
	return b.String()
}

func num(f float64) string {
	if f == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", f)
}

// compact is one row per shape and target: latency at each fixed rate,
// throughput at saturation.
func compact(r *results) string {
	var rates []float64
	seen := map[float64]bool{}
	for _, m := range r.Measurements {
		if m.Mode == "rate" && !seen[m.Rate] {
			seen[m.Rate] = true
			rates = append(rates, m.Rate)
		}
	}
	sort.Float64s(rates)
	var b strings.Builder
	b.WriteString("| shape | target |")
	for _, x := range rates {
		fmt.Fprintf(&b, " %g/s p50 | %g/s p99 |", x, x)
	}
	b.WriteString(" saturation req/s (p50) | errors |\n|---|---|")
	for range rates {
		b.WriteString("---:|---:|")
	}
	b.WriteString("---:|---:|\n")
	type key struct{ shape, target string }
	var order []key
	rows := map[key][]measurement{}
	for _, m := range r.Measurements {
		k := key{m.Shape, m.Target}
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], m)
	}
	for _, k := range order {
		fmt.Fprintf(&b, "| %s | %s |", k.shape, k.target)
		errs, reqs := 0, 0
		for _, x := range rates {
			cell := " – | – |"
			for _, m := range rows[k] {
				if m.Mode == "rate" && m.Rate == x {
					cell = fmt.Sprintf(" %s | %s |", ms(m, m.P50ms), ms(m, m.P99ms))
				}
			}
			b.WriteString(cell)
		}
		sat := " – |"
		for _, m := range rows[k] {
			errs, reqs = errs+m.Errors, reqs+m.Requests
			if m.Mode == "saturation" {
				sat = fmt.Sprintf(" %.0f (%s) |", m.Throughput, ms(m, m.P50ms))
			}
		}
		fmt.Fprintf(&b, "%s %d/%d |\n", sat, errs, reqs)
	}
	return b.String()
}

// ms shows a latency, or "timeouts" when most requests failed.
func ms(m measurement, v float64) string {
	if m.Errors*2 > m.Requests {
		return "timeouts"
	}
	return fmt.Sprintf("%.1f", v)
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	}
	return 0
}

// count prints a number read back from JSON (a float64) as an integer.
func count(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprint(v)
}
