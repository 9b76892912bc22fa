package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

// Config returns the executable schema's configuration: the resolvers and
// the per-field costs the complexity limit adds up. A list field costs the
// number of items it may return times the cost of one item, so a connection
// of 100 entities each with 100 relations costs 100 x 100 x (their fields).
//
// Every root field that queries the database costs at least rootCost, so
// the same cheap field repeated under hundreds of aliases (hundreds of
// round trips in one request) runs into the limit too.
func (r *Resolver) Config() generated.Config {
	c := generated.Config{Resolvers: r}
	times := func(n *int, a domain.Arg, child int) int { return rootCost + a.Or(n)*child }
	q := &c.Complexity.Query
	q.Stats = func(child int) int { return rootCost + child }
	q.Entity = func(child int, _ string) int { return rootCost + child }
	q.Node = func(child int, _ string) int { return rootCost + child }
	q.Source = func(child int, _ string) int { return rootCost + child }
	q.Entities = func(child int, _ *model.EntityFilter, first *int, _ *string) int {
		return times(first, domain.EntitiesFirst, child)
	}
	q.Search = func(child int, _ string, _ []domain.Kind, first *int) int {
		return times(first, domain.SearchFirst, child)
	}
	q.Sources = func(child int, _ *domain.Grade, first *int, _ *string) int {
		return times(first, domain.SourcesFirst, child)
	}
	q.ResponsibilityChain = func(child int, _ string, _ *model.ChainDirection, _ *domain.PartialDate, _ *bool, maxDepth *int, _ []model.RelationType, _ *model.Strength, first *int, _ *string) int {
		// child counts one chain with one hop: a chain may have maxDepth hops.
		return rootCost + domain.ChainsFirst.Or(first)*domain.ChainDepth.Or(maxDepth)*child/4
	}
	q.Exposure = func(child int, _ string, _ *domain.PartialDate, _ *bool, first *int) int {
		// child counts one link with one step: a link may have
		// ExposureSupplyDepth + ExposureChainDepth steps.
		return rootCost + domain.ExposureFirst.Or(first)*(domain.ExposureSupplyDepth+domain.ExposureChainDepth)*child/4
	}
	q.Paths = func(child int, _, _ string, mode *model.PathMode, maxLength *int, _ []model.RelationType, _ *domain.PartialDate, _ *bool, _ *domain.PathDirection, _ *bool, first *int) int {
		cost := rootCost + domain.PathsFirst.Or(first)*domain.PathLength.Or(maxLength)*child/2
		if mode != nil && *mode == model.PathModeAllSimple {
			// ALL_SIMPLE enumerates every path up to maxLength before it
			// keeps the shortest: its work doubles with each hop allowed,
			// whatever is selected (8 hops: 2.5 s of database time on the
			// seeds, the time of some 250 shortest-path searches).
			cost += 20 << min(max(domain.PathLength.Or(maxLength), 0), 16)
		}
		return cost
	}
	q.Neighborhood = func(child int, _ []string, _ *int, _ []model.RelationType, _ []domain.Kind, _ *domain.PartialDate, _ *bool, limit *int) int {
		// nodes and edges are the children; charge per 10 entities.
		return rootCost + (domain.HoodLimit.Or(limit)/10+1)*child
	}
	c.Complexity.Entity.Relations = func(child int, _ *domain.Direction, _ []model.RelationType, _ *domain.PartialDate, first *int, _ *string) int {
		return times(first, domain.RelationsFirst, child)
	}
	c.Complexity.Source.Claims = func(child int, first *int, _ *string) int { return times(first, domain.ClaimsFirst, child) }
	history := func(child int, first *int) int { return domain.HistoryFirst.Or(first) * child }
	c.Complexity.Entity.History, c.Complexity.Relation.History, c.Complexity.Source.History = history, history, history
	return c
}

// rootCost is the least a root field that queries the database costs.
const rootCost = 50

// Loaders is a gqlgen handler extension that gives each operation fresh
// dataloaders, so nested fields are fetched in batches.
type Loaders struct{ R *Resolver }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Loaders{}

// ExtensionName implements graphql.HandlerExtension.
func (Loaders) ExtensionName() string { return "Loaders" }

// Validate implements graphql.HandlerExtension.
func (Loaders) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (l Loaders) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(l.R.WithLoaders(ctx))
}
