package neo4jstore

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// A statement that ran out of its time is QUERY_TIMEOUT only when the caller
// could have asked for less; a lookup or a count timing out means the
// database stalled, which a retry may survive (UNAVAILABLE).
func TestTimeoutIsTheQuestionOrTheDatabase(t *testing.T) {
	timedOut := &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOut", Msg: "timed out"}
	ctx := context.Background()
	for name, want := range map[string]string{
		"chains": domain.ETIMEOUT, "paths": domain.ETIMEOUT, "exposure": domain.ETIMEOUT, "neighborhood-nodes": domain.ETIMEOUT,
		"stats": domain.EUNAVAILABLE, "entities-by-id": domain.EUNAVAILABLE, "search": domain.EUNAVAILABLE, "relation-pages": domain.EUNAVAILABLE,
	} {
		if got := domain.ErrorCode(translate(ctx, ctx, name, timedOut, 2*time.Second)); got != want {
			t.Errorf("%s timed out: %s, want %s", name, got, want)
		}
	}
}
