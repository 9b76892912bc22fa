package synth

import (
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Tally adds up a chunked load of generated data: entity chunks and
// relation chunks timed apart (Chunks never mixes them), and what the
// loader reported. The synth command and the benchmarks both report it.
type Tally struct {
	Items                       int // sources, entities and relations loaded
	Entities, Relations         int
	EntityTime, RelationTime    time.Duration
	Created, Updated, Unchanged int
}

// Add counts one loaded chunk that took took.
func (t *Tally) Add(d *domain.Dataset, sum *domain.LoadSummary, took time.Duration) {
	t.Items += len(d.Sources) + len(d.Entities) + len(d.Relations)
	if len(d.Relations) > 0 {
		t.Relations += len(d.Relations)
		t.RelationTime += took
	} else {
		t.Entities += len(d.Entities)
		t.EntityTime += took
	}
	for _, v := range sum.Created {
		t.Created += v
	}
	for _, v := range sum.Updated {
		t.Updated += v
	}
	for _, v := range sum.Unchanged {
		t.Unchanged += v
	}
}

// EntitiesPerSecond is the entity chunks' load rate (0 before any).
func (t *Tally) EntitiesPerSecond() float64 { return perSecond(t.Entities, t.EntityTime) }

// RelationsPerSecond is the relation chunks' load rate (0 before any).
func (t *Tally) RelationsPerSecond() float64 { return perSecond(t.Relations, t.RelationTime) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
