package ingest

import (
	"context"
	"fmt"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Check reads and validates the files with no database: every id must be
// defined in them. It returns every problem found.
func Check(paths []string) (*Parsed, Problems) {
	p, probs := ParsePaths(paths)
	return p, append(probs, p.Validate(nil)...)
}

// Load reads and validates the files, resolving ids they do not define
// against the store, and writes them only if there is no problem at all: any
// problem and nothing is written. It creates the schema before writing.
// Errors: Problems (with file, line and field), or the store's errors.
func Load(ctx context.Context, svc domain.LoadService, paths []string, progress domain.Progress) (*domain.LoadSummary, error) {
	p, probs := ParsePaths(paths)
	if len(probs) > 0 {
		// Shape problems first: validating half-read items would only add noise.
		return nil, probs
	}
	known := map[string]domain.Known{}
	if ids := p.Unresolved(); len(ids) > 0 {
		var err error
		if known, err = svc.KnownIDs(ctx, ids); err != nil {
			return nil, fmt.Errorf("resolve ids: %w", err)
		}
	}
	probs = p.Validate(func(id string) (domain.Known, bool) {
		k, ok := known[id]
		return k, ok
	})
	if len(probs) > 0 {
		return nil, probs
	}
	if err := svc.Migrate(ctx); err != nil {
		return nil, err
	}
	return svc.Load(ctx, &p.Dataset, progress)
}
