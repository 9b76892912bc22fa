package graph

import (
	"context"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// relKey is one entity's relations field with its arguments; keys with the
// same args are fetched together in one query.
type relKey struct {
	ID        string
	Direction domain.Direction
	Types     string // comma-separated
	Time      domain.Time
	First     int
	After     string
}

// relationsKey validates a relations field's arguments, applies the
// schema's defaults and returns the loader key.
func relationsKey(id string, direction *domain.Direction, types []model.RelationType, asOf *domain.PartialDate, first *int, after *string) (relKey, error) {
	n := intOr(first, 50)
	if err := domain.CheckPage(n); err != nil {
		return relKey{}, err
	}
	ts := typeStrings(types)
	if err := domain.CheckTypes(ts); err != nil {
		return relKey{}, err
	}
	cursor, err := decodeCursor(after)
	if err != nil {
		return relKey{}, err
	}
	dir := domain.Both
	if direction != nil {
		switch *direction {
		case domain.Outgoing, domain.Incoming, domain.Both:
			dir = *direction
		default:
			return relKey{}, domain.Errorf(domain.EBADINPUT, "direction: OUT, IN or BOTH")
		}
	}
	return relKey{ID: id, Direction: dir, Types: strings.Join(ts, ","), Time: domain.Time{AsOf: date(asOf)}, First: n, After: cursor}, nil
}

func splitTypes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// args is the key without the entity: keys that share it batch together.
func (k relKey) args() relKey { k.ID = ""; return k }

// loaders batch the lookups of one request, so nested fields cost one
// query per level instead of one per parent.
type historyKey struct {
	ID    string
	First int
}

// historyKeyOf validates a history field's argument (default 20).
func historyKeyOf(id string, first *int) (historyKey, error) {
	n := intOr(first, 20)
	if err := domain.CheckPage(n); err != nil {
		return historyKey{}, err
	}
	return historyKey{ID: id, First: n}, nil
}

// claimKey is one source's claims field with its arguments.
type claimKey struct {
	ID    string
	First int
	After string
}

// claimsKeyOf validates a claims field's arguments (default 50).
func claimsKeyOf(id string, first *int, after *string) (claimKey, error) {
	n := intOr(first, 50)
	if err := domain.CheckPage(n); err != nil {
		return claimKey{}, err
	}
	cursor, err := decodeCursor(after)
	if err != nil {
		return claimKey{}, err
	}
	return claimKey{ID: id, First: n, After: cursor}, nil
}

type loaders struct {
	claims    *dataloadgen.Loader[claimKey, domain.ClaimPage]
	history   *dataloadgen.Loader[historyKey, []domain.AuditEvent]
	entities  *dataloadgen.Loader[string, *domain.Entity]
	sources   *dataloadgen.Loader[string, *domain.Source]
	relations *dataloadgen.Loader[relKey, domain.RelationPage]
	// counter holds the counter-claims contesting each claim id.
	counter *dataloadgen.Loader[string, []domain.CounterClaim]
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
		claims: dataloadgen.NewLoader(func(ctx context.Context, keys []claimKey) ([]domain.ClaimPage, []error) {
			out := make([]domain.ClaimPage, len(keys))
			errs := make([]error, len(keys))
			groups := map[claimKey][]int{}
			for i, k := range keys {
				args := k
				args.ID = ""
				groups[args] = append(groups[args], i)
			}
			for args, idx := range groups {
				ids := make([]string, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].ID
				}
				pages, err := svc.ClaimPages(ctx, ids, args.First, args.After)
				for _, i := range idx {
					out[i], errs[i] = pages[keys[i].ID], err
				}
			}
			return out, errs
		}, wait),
		history: dataloadgen.NewLoader(func(ctx context.Context, keys []historyKey) ([]([]domain.AuditEvent), []error) {
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
					err = domain.Errorf(domain.EUNAVAILABLE, "history is not available on this server")
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
		relations: dataloadgen.NewLoader(func(ctx context.Context, keys []relKey) ([]domain.RelationPage, []error) {
			out := make([]domain.RelationPage, len(keys))
			errs := make([]error, len(keys))
			groups := map[relKey][]int{}
			for i, k := range keys {
				groups[k.args()] = append(groups[k.args()], i)
			}
			for args, idx := range groups {
				q := domain.RelationQuery{Direction: args.Direction, Time: args.Time, IDs: make([]string, len(idx)), Types: splitTypes(args.Types)}
				for j, i := range idx {
					q.IDs[j] = keys[i].ID
				}
				pages, err := svc.RelationPages(ctx, q, args.First, args.After)
				for _, i := range idx {
					out[i], errs[i] = pages[keys[i].ID], err
				}
			}
			return out, errs
		}, wait),
	}
}

// WithLoaders returns ctx carrying fresh per-request loaders.
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

func (r *Resolver) entity(ctx context.Context, id string) (*domain.Entity, error) {
	e, err := r.loaders(ctx).entities.Load(ctx, id)
	if err == dataloadgen.ErrNotFound || (err == nil && e == nil) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	return e, err
}

func (r *Resolver) source(ctx context.Context, id string) (*domain.Source, error) {
	s, err := r.loaders(ctx).sources.Load(ctx, id)
	if err == dataloadgen.ErrNotFound || (err == nil && s == nil) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no source with id %q", id)
	}
	return s, err
}

// counterClaims returns the counter-claims contesting a claim, batched.
func (r *Resolver) counterClaims(ctx context.Context, id string) ([]model.CounterClaim, error) {
	ccs, err := r.loaders(ctx).counter.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]model.CounterClaim, len(ccs))
	for i := range ccs {
		out[i] = *toCounterClaim(&ccs[i])
	}
	return out, nil
}
