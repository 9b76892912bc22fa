package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// profile runs the chain statements under PROFILE and reports their
// database hits, rows and time: the floor of the chain shapes, and why.
func profile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("aidbench profile", flag.ContinueOnError)
	id := fs.String("id", "province:synth-aiding-01", "root entity")
	up := fs.Bool("up", false, "chains up (default: down)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	drv, err := openDriver()
	if err != nil {
		return err
	}
	defer drv.Close(context.Background())
	q := chainQuery(*id, *up)
	params := neo4jstore.ChainStatement(q, false).Params
	for _, st := range []struct{ name, cypher string }{
		{"one {1,8} pattern, ORDER BY length", neo4jstore.ChainStatement(q, false).Cypher},
		{"by length (UNION ALL per length, LIMIT)", neo4jstore.ChainStatement(q, true).Cypher},
	} {
		began := time.Now()
		res, err := neo4j.ExecuteQuery(ctx, drv, "PROFILE "+st.cypher, params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(database()), neo4j.ExecuteQueryWithReadersRouting())
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		took := time.Since(began)
		var hits, rows int64
		var walk func(p neo4j.ProfiledPlan)
		walk = func(p neo4j.ProfiledPlan) {
			hits += p.DbHits()
			rows += p.Records()
			for _, c := range p.Children() {
				walk(c)
			}
		}
		walk(res.Summary.Profile())
		fmt.Printf("%-50s root %s up=%v: %d chains, %d db hits, %d rows through the plan, %s\n",
			st.name, *id, *up, len(res.Records), hits, rows, took.Round(time.Millisecond))
	}
	return nil
}
