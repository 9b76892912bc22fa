package domain

// Arg is a whole-number argument of a read: its default and its range. The
// table below is the one place each is stated. The API's schema states the
// same defaults (graph's TestSchemaDefaultsAreTheDomains fails when one
// drifts), its resolvers apply Default through Or, its complexity function
// charges by it, and the queries' Validate methods check the range with Check.
type Arg struct {
	Name     string // the argument's name in errors
	Default  int
	Min, Max int
}

// The arguments of the reads.
var (
	// EntitiesFirst is a page of the entity list.
	EntitiesFirst = Arg{"first", 20, 1, MaxPageSize}
	// SourcesFirst is a page of the source list.
	SourcesFirst = Arg{"first", 50, 1, MaxPageSize}
	// RelationsFirst is a page of one entity's relations.
	RelationsFirst = Arg{"first", 50, 1, MaxPageSize}
	// ClaimsFirst is a page of the claims citing a source.
	ClaimsFirst = Arg{"first", 50, 1, MaxPageSize}
	// HistoryFirst is a page of a claim's audit history.
	HistoryFirst = Arg{"first", 20, 1, MaxPageSize}
	// SearchFirst is the hits of one search.
	SearchFirst = Arg{"first", 10, 1, MaxSearchHits}
	// ChainsFirst is a page of responsibility chains.
	ChainsFirst = Arg{"first", 50, 1, MaxChains}
	// ChainDepth is the most hops a chain follows.
	ChainDepth = Arg{"maxDepth", 8, 1, MaxChainDepth}
	// ExposureFirst is the links of one exposure answer.
	ExposureFirst = Arg{"first", 50, 1, MaxExposureLinks}
	// PathsFirst is the paths of one answer.
	PathsFirst = Arg{"first", 5, 1, MaxPaths}
	// PathLength is the most relations a path has.
	PathLength = Arg{"maxLength", 6, 1, MaxPathLength}
	// HoodDepth is the hops a neighbourhood reaches (0: the entities alone).
	HoodDepth = Arg{"depth", 1, 0, MaxHoodDepth}
	// HoodLimit is the most entities of a neighbourhood the API serves
	// (an export's cap is MaxExportLimit).
	HoodLimit = Arg{"limit", 200, 1, MaxHoodLimit}
)

// Or is *p, or the default when p is nil (an argument not given, or given null).
func (a Arg) Or(p *int) int {
	if p == nil {
		return a.Default
	}
	return *p
}

// Check checks that n is in the range: below it is bad input, above it a
// limit exceeded.
func (a Arg) Check(n int) error { return a.CheckMax(n, a.Max) }

// CheckMax is Check with another upper bound (a caller's cap).
func (a Arg) CheckMax(n, max int) error {
	if n < a.Min {
		return Errorf(EBADINPUT, "%s must be at least %d, got %d", a.Name, a.Min, n)
	}
	if n > max {
		return Errorf(ELIMIT, "%s may be at most %d, got %d", a.Name, max, n)
	}
	return nil
}
