package domain

import (
	"context"
	"strconv"
)

// GraphVersion names one state of the stored graph. Every committed change
// of what reads can see (a mutation, a load batch that wrote something)
// advances N in the same transaction, so two reads at the same version see
// the same graph. Epoch names the counter's life: a new or emptied database
// starts a new epoch, so a counter that starts again from 1 never repeats
// an earlier version.
type GraphVersion struct {
	Epoch string
	N     int64
}

// IsZero reports whether v is no version at all (never read).
func (v GraphVersion) IsZero() bool { return v.Epoch == "" && v.N == 0 }

// String is the version as it goes into validators ("epoch.n").
func (v GraphVersion) String() string { return v.Epoch + "." + strconv.FormatInt(v.N, 10) }

// Newer reports whether v should replace cur: a later count in the same
// epoch, or another epoch (the database was replaced or emptied: its
// counter is the truth now).
func (v GraphVersion) Newer(cur GraphVersion) bool {
	if v.Epoch != cur.Epoch {
		return true
	}
	return v.N > cur.N
}

// VersionService reads the graph's version.
type VersionService interface {
	// GraphVersion is the version of the stored graph now: one cheap read.
	// A database no write has touched yet has the zero version. Anyone may
	// call it. Errors: UNAVAILABLE.
	GraphVersion(ctx context.Context) (GraphVersion, error)
}
