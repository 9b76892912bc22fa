package neo4jstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// LoadRelations writes relations with the loader's own statement
// (relationUpsert, as Load does), batch rows per transaction and workers
// transactions at a time. It exists to measure the loader's settings
// (bench/, docs/BENCHMARKS.md): batch 1 is the one-MERGE-per-relation
// baseline. The end entities must be stored already.
func (s *Store) LoadRelations(ctx context.Context, rels []domain.Relation, batch, workers int) (*domain.LoadSummary, error) {
	if batch < 1 || workers < 1 {
		return nil, domain.Errorf(domain.EBADINPUT, "batch and workers must be at least 1")
	}
	sum := newLoadSummary()
	type job struct {
		typ  string
		rows []map[string]any
	}
	grade, err := s.gradeLookup(ctx, nil, rels)
	if err != nil {
		return nil, err
	}
	byType := map[string][]map[string]any{}
	for i := range rels {
		r := &rels[i]
		byType[r.Type] = append(byType[r.Type], map[string]any{"from": r.From, "to": r.To, "props": relationProps(r, domain.BestGrade(r.Citations, grade))})
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				recs, err := s.writeData(ctx, "load-"+j.typ, relationUpsert(j.typ), map[string]any{"rows": j.rows})
				mu.Lock()
				if err == nil && len(recs) != 1 {
					err = fmt.Errorf("%d summary rows", len(recs))
				}
				if err == nil {
					err = counter{sum}.add(j.typ, recs[0])
				}
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("load %s: %w", j.typ, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range domain.RelationTypes() {
		rows := byType[t.Name]
		for i := 0; i < len(rows); i += batch {
			mu.Lock()
			failed := firstErr != nil
			mu.Unlock()
			if failed || ctx.Err() != nil {
				break
			}
			jobs <- job{t.Name, rows[i:min(i+batch, len(rows))]}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return sum, firstErr
}
