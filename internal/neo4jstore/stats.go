package neo4jstore

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

const statsCypher = `
CALL () { MATCH (n:Entity) WHERE n.retractedAt IS NULL RETURN n.kind AS key, count(*) AS n }
RETURN 'entity' AS what, key, n
UNION ALL
CALL () { MATCH (:Entity)-[r]->(:Entity) WHERE r.retractedAt IS NULL RETURN type(r) AS key, count(*) AS n }
RETURN 'relation' AS what, key, n
UNION ALL
CALL () { MATCH (s:Source) RETURN s.grade AS key, count(*) AS n }
RETURN 'source' AS what, key, n`

// Stats counts entities by kind, relations by type and sources by grade,
// leaving out retracted claims.
func (s *Store) Stats(ctx context.Context) (*domain.Stats, error) {
	recs, err := s.read(ctx, "stats", statsCypher, nil)
	if err != nil {
		return nil, err
	}
	st := &domain.Stats{}
	for _, r := range recs {
		what, _, err1 := neo4j.GetRecordValue[string](r, "what")
		key, _, err2 := neo4j.GetRecordValue[string](r, "key")
		n, _, err3 := neo4j.GetRecordValue[int64](r, "n")
		if err := firstErr(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("stats: decode: %w", err)
		}
		c := domain.Count{Key: key, Count: int(n)}
		switch what {
		case "entity":
			st.Entities += c.Count
			st.EntitiesByKind = append(st.EntitiesByKind, c)
		case "relation":
			st.Relations += c.Count
			st.RelationsByType = append(st.RelationsByType, c)
		case "source":
			st.Sources += c.Count
			st.SourcesByGrade = append(st.SourcesByGrade, c)
		}
	}
	sortCounts(st.EntitiesByKind)
	sortCounts(st.RelationsByType)
	sortCounts(st.SourcesByGrade)
	return st, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
