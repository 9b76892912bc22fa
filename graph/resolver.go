// Package graph maps GraphQL to the domain services: resolvers translate
// arguments and results and hold no Cypher and no business rules.
package graph

// gqlgen resolves the paths in gqlgen.yml from the working directory: run
// from the repository root.
//go:generate sh -c "cd .. && go run ./graph/genenums schema/registry.graphqls && go tool gqlgen generate && go run ./graph/geninline graph/generated/generated.go graph/model/models_gen.go"

import (
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Resolver is the single injection point of the services the API uses.
type Resolver struct {
	Read  domain.ReadService
	Write domain.WriteService
	// BatchWait is how long the fallback dataloaders gather keys
	// (DefaultBatchWait when 0). Read root fields are planned into one
	// statement each (plan.go); only the fields of mutation results wait.
	BatchWait time.Duration
}
