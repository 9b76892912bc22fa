package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// Arguments of the nested fields, checked as their resolvers and the
// planner both read them: the same rules give the same keys.

// relationsArgs checks a relations field's arguments (domain.NewRelationsArgs).
func relationsArgs(direction *domain.Direction, types []model.RelationType, asOf *domain.PartialDate, first *int, after *string) (domain.RelationsArgs, error) {
	cursor, err := decodeCursor(after)
	if err != nil {
		return domain.RelationsArgs{}, err
	}
	var dir domain.Direction
	if direction != nil {
		dir = *direction
	}
	return domain.NewRelationsArgs(dir, typeStrings(types), date(asOf), domain.RelationsFirst.Or(first), cursor)
}

// historyFirst checks a history field's argument.
func historyFirst(first *int) (int, error) {
	n := domain.HistoryFirst.Or(first)
	return n, domain.CheckHistory(n)
}

// claimsArgs checks a claims field's arguments (domain.NewClaimsArgs).
func claimsArgs(first *int, after *string) (domain.ClaimsArgs, error) {
	cursor, err := decodeCursor(after)
	if err != nil {
		return domain.ClaimsArgs{}, err
	}
	return domain.NewClaimsArgs(domain.ClaimsFirst.Or(first), cursor)
}

// loaders batch the lookups of one operation that no plan served: the
// nested fields of mutation results. Reads are planned (plan.go) and never
// reach them.
type loaders struct {
	claims    *dataloadgen.Loader[domain.ClaimsKey, domain.ClaimPage]
	history   *dataloadgen.Loader[domain.HistoryKey, []domain.AuditEvent]
	entities  *dataloadgen.Loader[string, *domain.Entity]
	sources   *dataloadgen.Loader[string, *domain.Source]
	relations *dataloadgen.Loader[domain.RelationsKey, domain.RelationPage]
	// counter holds the counter-claims contesting each claim id.
	counter *dataloadgen.Loader[string, []domain.CounterClaim]
	// answers holds what the operation's planned reads fetched.
	answers *answers
}

type loadersKey struct{}

// DefaultBatchWait is how long a loader collects keys before it queries.
const DefaultBatchWait = 200 * time.Microsecond

func newLoaders(svc domain.ReadService, write domain.WriteService, batchWait time.Duration) *loaders {
	if batchWait <= 0 {
		batchWait = DefaultBatchWait
	}
	wait := dataloadgen.WithWait(batchWait)
	return &loaders{
		answers: newAnswers(),
		claims: dataloadgen.NewLoader(func(ctx context.Context, keys []domain.ClaimsKey) ([]domain.ClaimPage, []error) {
			out := make([]domain.ClaimPage, len(keys))
			errs := make([]error, len(keys))
			groups := map[domain.ClaimsArgs][]int{}
			for i, k := range keys {
				groups[k.ClaimsArgs] = append(groups[k.ClaimsArgs], i)
			}
			for args, idx := range groups {
				ids := make([]string, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].Source
				}
				pages, err := svc.ClaimPages(ctx, ids, args.First, args.After)
				for _, i := range idx {
					out[i], errs[i] = pages[keys[i].Source], err
				}
			}
			return out, errs
		}, wait),
		history: dataloadgen.NewLoader(func(ctx context.Context, keys []domain.HistoryKey) ([]([]domain.AuditEvent), []error) {
			out := make([][]domain.AuditEvent, len(keys))
			errs := make([]error, len(keys))
			byFirst := map[int][]int{}
			for i, k := range keys {
				byFirst[k.First] = append(byFirst[k.First], i)
			}
			for first, idx := range byFirst {
				ids := make([]string, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].ID
				}
				var h map[string][]domain.AuditEvent
				var err error
				if write == nil {
					err = errNoHistory
				} else {
					h, err = write.History(ctx, ids, first)
				}
				for _, i := range idx {
					out[i], errs[i] = h[keys[i].ID], err
					if out[i] == nil {
						out[i] = []domain.AuditEvent{}
					}
				}
			}
			return out, errs
		}, wait),
		entities: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*domain.Entity, error) {
			return svc.EntitiesByID(ctx, ids)
		}, wait),
		sources: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*domain.Source, error) {
			return svc.SourcesByID(ctx, ids)
		}, wait),
		counter: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]domain.CounterClaim, []error) {
			m, err := svc.CounterClaims(ctx, ids)
			out := make([][]domain.CounterClaim, len(ids))
			errs := make([]error, len(ids))
			for i, id := range ids {
				out[i], errs[i] = m[id], err
				if out[i] == nil {
					out[i] = []domain.CounterClaim{}
				}
			}
			return out, errs
		}, wait),
		relations: dataloadgen.NewLoader(func(ctx context.Context, keys []domain.RelationsKey) ([]domain.RelationPage, []error) {
			out := make([]domain.RelationPage, len(keys))
			errs := make([]error, len(keys))
			groups := map[domain.RelationsArgs][]int{}
			for i, k := range keys {
				groups[k.RelationsArgs] = append(groups[k.RelationsArgs], i)
			}
			for args, idx := range groups {
				ids := make([]string, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].Entity
				}
				pages, err := svc.RelationPages(ctx, args.Query(ids...), args.First, args.After)
				for _, i := range idx {
					out[i], errs[i] = pages[keys[i].Entity], err
				}
			}
			return out, errs
		}, wait),
	}
}

// errNoHistory is the answer to history on a server without a write service.
var errNoHistory = domain.Errorf(domain.EUNAVAILABLE, "history is not available on this server")

// WithLoaders returns ctx carrying fresh per-operation loaders and answers.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(r.Read, r.Write, r.BatchWait))
}

func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	// Not set (e.g. a direct call in a test): unbatched but correct.
	return newLoaders(r.Read, r.Write, r.BatchWait)
}
