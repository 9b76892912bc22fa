package neo4jstore_test

import (
	"context"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/ingest"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// BenchmarkRoundTrip is one entity lookup through the store (session,
// managed read transaction, deadline goroutine, observers, decoding) and
// the same statement through the bare driver in the same process: the
// difference is the store's own cost per round trip. Needs the test Neo4j:
// aidtrace neo4j --temp -- go test -run '^$' -bench RoundTrip ./internal/neo4jstore
func BenchmarkRoundTrip(b *testing.B) {
	s := neo4jtest.MustStore(b)
	ctx := context.Background()
	if _, err := ingest.Load(ctx, s, []string{"testdata/fixture.yaml"}, nil); err != nil {
		b.Fatal(err)
	}
	ids := []string{"party_body:test-centre"}
	for range 2000 { // warm the JVM and the plan cache before measuring either
		if _, err := s.EntitiesByID(ctx, ids); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			got, err := s.EntitiesByID(ctx, ids)
			if err != nil || got[ids[0]] == nil {
				b.Fatalf("%v %v", got, err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		auth := neo4j.NoAuth()
		if u, pw := neo4jtest.Auth(b); u != "" {
			auth = neo4j.BasicAuth(u, pw, "")
		}
		drv, err := neo4j.NewDriverWithContext(neo4jtest.URI(b), auth)
		if err != nil {
			b.Fatal(err)
		}
		defer drv.Close(ctx)
		st := neo4jstore.EntitiesByIDStatement(ids)
		for b.Loop() {
			sess := drv.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead})
			out, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
				res, err := tx.Run(ctx, st.Cypher, st.Params)
				if err != nil {
					return nil, err
				}
				return res.Collect(ctx)
			})
			sess.Close(ctx)
			if err != nil || len(out.([]*neo4j.Record)) != 1 {
				b.Fatalf("%v %v", out, err)
			}
		}
	})
}
