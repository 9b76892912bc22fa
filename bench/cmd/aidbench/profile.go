package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/synth"
)

// profile reviews each shape's statements against Neo4j's own account:
// the hand-written floor, aidtrace's planned statement (what it sends for
// the shape's document) and the alternatives tried, each under PROFILE
// (database hits, rows through the plan, records, bytes returned) and
// timed over plain runs (median), for the requests the shape draws first.
func profile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("aidbench profile", flag.ContinueOnError)
	scale := fs.String("scale", "S", "the synthetic dataset loaded (for the request variables)")
	seed := fs.Uint64("seed", 1, "seed of the request variables")
	shapesFlag := fs.String("shapes", "", "shapes (default: all)")
	samples := fs.Int("samples", 5, "requests per shape (variables drawn as the run draws them)")
	runs := fs.Int("runs", 20, "timed plain runs per statement and request")
	show := fs.Bool("print", false, "print each statement")
	alts := fs.Bool("alternatives", false, "also the alternatives tried for the floor")
	if err := fs.Parse(args); err != nil {
		return err
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
	want := map[string]bool{}
	for _, s := range domain.SplitList(*shapesFlag) {
		want[s] = true
	}
	var chosen []shape
	for _, s := range shapes {
		if len(want) == 0 || want[s.Name] {
			chosen = append(chosen, s)
		}
	}
	var out io.Writer
	if *show {
		out = os.Stdout
	}
	rows, err := profileShapes(ctx, drv, chosen, sz, *seed, *samples, *runs, *alts, out)
	if err != nil {
		return err
	}
	fmt.Print(profileTable(rows, *samples, *runs, *scale))
	return nil
}

// profileRow is one statement's account, means over the requests profiled.
type profileRow struct {
	Shape     string  `json:"shape"`
	Statement string  `json:"statement"`
	DBHits    int64   `json:"dbHits"`
	Rows      int64   `json:"rows"`
	Records   int64   `json:"records"`
	KiB       float64 `json:"kib"`
	MedianMs  float64 `json:"medianMs"`
}

// profileShapes profiles each shape's statements on the first samples
// requests it draws (printing each statement to show, when set).
func profileShapes(ctx context.Context, drv neo4j.DriverWithContext, chosen []shape, sz synth.Sizes, seed uint64, samples, runs int, alts bool, show io.Writer) ([]profileRow, error) {
	plan := newPlanned()
	var out []profileRow
	for _, s := range chosen {
		r := rand.New(rand.NewPCG(seed, 0xbe7c4))
		var vars []map[string]any
		for range samples {
			vars = append(vars, s.Vars(r, sz))
		}
		type candidate struct {
			name string
			st   func(map[string]any) (neo4jstore.Statement, error)
		}
		cands := []candidate{
			{"raw (hand-written)", func(v map[string]any) (neo4jstore.Statement, error) { return s.Raw(v), nil }},
			{"aidtrace (planned)", func(v map[string]any) (neo4jstore.Statement, error) { return plan.statement(s.Aidtrace, v) }},
		}
		for _, alt := range alternatives[s.Name] {
			if !alts {
				break
			}
			cands = append(cands, candidate{alt.name, func(v map[string]any) (neo4jstore.Statement, error) { return alt.st(v), nil }})
		}
		// PROFILE each candidate, then time them round-robin (a plain run
		// of each in turn), so that none gains from running after another.
		rowsOf := make([]profileRow, len(cands))
		sts := make([][]neo4jstore.Statement, len(cands))
		for ci, c := range cands {
			var hits, rows, recs, bytes int64
			for i, v := range vars {
				st, err := c.st(v)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", s.Name, c.name, err)
				}
				sts[ci] = append(sts[ci], st)
				if show != nil && i == 0 {
					fmt.Fprintf(show, "\n-- %s, %s\n%s\n-- params %v\n\n", s.Name, c.name, strings.TrimSpace(st.Cypher), st.Params)
				}
				h, rw, rc, b, err := profileOne(ctx, drv, st)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", s.Name, c.name, err)
				}
				hits, rows, recs, bytes = hits+h, rows+rw, recs+rc, bytes+b
			}
			n := int64(len(vars))
			rowsOf[ci] = profileRow{Shape: s.Name, Statement: c.name, DBHits: hits / n, Rows: rows / n, Records: recs / n, KiB: float64(bytes) / float64(n) / 1024}
		}
		times := make([][]time.Duration, len(cands))
		for range runs {
			for ci := range cands {
				for _, st := range sts[ci] {
					began := time.Now()
					if _, err := neo4j.ExecuteQuery(ctx, drv, st.Cypher, st.Params, neo4j.EagerResultTransformer,
						neo4j.ExecuteQueryWithDatabase(database()), neo4j.ExecuteQueryWithReadersRouting()); err != nil {
						return nil, err
					}
					times[ci] = append(times[ci], time.Since(began))
				}
			}
		}
		for ci := range cands {
			row := rowsOf[ci]
			if ts := times[ci]; len(ts) > 0 {
				slices.Sort(ts)
				row.MedianMs = float64(ts[len(ts)/2]) / float64(time.Millisecond)
			}
			out = append(out, row)
			fmt.Fprintf(os.Stderr, "profile %-14s %-40s %8d db hits %8d rows %6.1f KiB %7.2f ms\n", s.Name, row.Statement, row.DBHits, row.Rows, row.KiB, row.MedianMs)
		}
	}
	return out, nil
}

// profileTable renders the review.
func profileTable(rows []profileRow, samples, runs int, scale string) string {
	var b strings.Builder
	b.WriteString("| shape | statement | db hits | rows through the plan | records | KiB returned | median ms |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %.1f | %.2f |\n", r.Shape, r.Statement, r.DBHits, r.Rows, r.Records, r.KiB, r.MedianMs)
	}
	fmt.Fprintf(&b, "\n(means over %d requests per shape, scale %s; median over %d plain runs of each statement and request)\n", samples, strings.ToUpper(scale), runs)
	return b.String()
}

// profileOne runs st under PROFILE: database hits and rows summed over the
// plan's operators, records returned and their size as JSON.
func profileOne(ctx context.Context, drv neo4j.DriverWithContext, st neo4jstore.Statement) (hits, rows, records, bytes int64, err error) {
	res, err := neo4j.ExecuteQuery(ctx, drv, "PROFILE "+st.Cypher, st.Params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(database()), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return 0, 0, 0, 0, err
	}
	var walk func(p neo4j.ProfiledPlan)
	walk = func(p neo4j.ProfiledPlan) {
		hits += p.DbHits()
		rows += p.Records()
		for _, c := range p.Children() {
			walk(c)
		}
	}
	walk(res.Summary.Profile())
	for _, r := range res.Records {
		b, _ := json.Marshal(r.AsMap())
		bytes += int64(len(b))
	}
	return hits, rows, int64(len(res.Records)), bytes, nil
}

// alternatives are the other statements tried for a shape's floor (by
// `aidbench profile --alternatives`, not by `run`): what the floor is
// better than.
var alternatives = map[string][]struct {
	name string
	st   rawStatement
}{
	"entity": {{"every property of the relations (properties(r))", rawEntityAllProperties}},
	"chain_up": {{"every chain as a path: one {1,8} pattern, ORDER BY length, LIMIT", rawChainOnePattern(true)},
		{"every chain as a path, untyped steps (type(r) IN $viaIn ... in WHERE only)", rawChainUntyped(true)},
		{"every chain as a path, by length (one UNION ALL branch per length)", rawChainByLength(true)}},
	"chain_down": {{"one {1,8} pattern, ORDER BY length, LIMIT", rawChainOnePattern(false)},
		{"each chain a record with its entities' and relations' fields", rawChainByLength(false)},
		{"what the chains reach, level by level (as chain_up's floor)", rawChainReach(false)}},
	"path":         {{"SHORTEST 1 with a quantified path pattern", rawPathQPP}},
	"neighborhood": {{"edges checked against a list of ids", rawNeighborhoodIDList}},
}
