package server

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// DefaultVersionPoll is how often a server reads the graph's version from
// the database when nothing else is set.
const DefaultVersionPoll = time.Second

// Versions is what a server knows of the graph's version, without a
// database round trip per request: its own changes advance it at once (the
// store tells it, Advance), and the changes other processes make (another
// replica, `aidtrace load` from a shell) are read from the database every
// interval (Run). A replica therefore validates answers against a version
// at most one interval (plus one poll) behind another replica's write.
type Versions struct {
	read     func(context.Context) (domain.GraphVersion, error)
	interval time.Duration
	// staleAfter bounds how long the last successful poll vouches for the
	// version: past it the version is unknown (no validators, no cache)
	// until a poll succeeds again, so a server cut off from the database
	// never serves another replica's old answers for longer.
	staleAfter time.Duration
	log        *slog.Logger
	now        func() time.Time

	cur atomic.Pointer[versionState]
	mu  sync.Mutex // serialises changes of cur and the listeners
	// onChange are told each new version (the answer cache drops the old
	// version's answers).
	onChange []func(domain.GraphVersion)
}

type versionState struct {
	v      domain.GraphVersion
	polled time.Time // last successful read from the database
}

// NewVersions tracks the version read by read, polled every interval
// (DefaultVersionPoll when 0).
func NewVersions(read func(context.Context) (domain.GraphVersion, error), interval time.Duration, log *slog.Logger) *Versions {
	if interval <= 0 {
		interval = DefaultVersionPoll
	}
	if log == nil {
		log = slog.Default()
	}
	return &Versions{read: read, interval: interval, staleAfter: 2*interval + 5*time.Second, log: log, now: time.Now}
}

// Interval is the poll interval.
func (t *Versions) Interval() time.Duration { return t.interval }

// OnChange adds fn to those told of each new version. Call it at start-up.
func (t *Versions) OnChange(fn func(domain.GraphVersion)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.onChange = append(t.onChange, fn)
}

// Current is the version answers are validated against, and whether it is
// known: false before the first successful poll and when no poll has
// succeeded for a while (then answers carry no validator and bypass the
// cache). It costs an atomic load.
func (t *Versions) Current() (domain.GraphVersion, bool) {
	s := t.cur.Load()
	if s == nil || t.now().Sub(s.polled) > t.staleAfter {
		return domain.GraphVersion{}, false
	}
	return s.v, true
}

// Advance records a version this process committed (a store observer).
func (t *Versions) Advance(v domain.GraphVersion) { t.update(v, false) }

// Poll reads the version from the database once.
func (t *Versions) Poll(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, min(t.interval, 2*time.Second)+time.Second)
	defer cancel()
	v, err := t.read(ctx)
	if err != nil {
		return err
	}
	t.update(v, true)
	return nil
}

func (t *Versions) update(v domain.GraphVersion, polled bool) {
	t.mu.Lock()
	old := t.cur.Load()
	next := versionState{v: v}
	if old != nil {
		next.polled = old.polled
		if !v.Newer(old.v) {
			next.v = old.v
		}
	}
	if polled {
		next.polled = t.now()
	} else if old == nil {
		// A change before the first poll proves nothing of the others'
		// changes: the version stays unknown until a poll succeeds.
		next.polled = time.Time{}
	}
	t.cur.Store(&next)
	listeners := t.onChange
	t.mu.Unlock()
	if old == nil || next.v != old.v {
		for _, fn := range listeners {
			fn(next.v)
		}
	}
}

// Run polls every interval until ctx ends (the first time after one
// interval: call Poll before, at start-up).
func (t *Versions) Run(ctx context.Context) {
	_, ok := t.Current()
	failing := !ok
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := t.Poll(ctx); err != nil {
			if !failing && ctx.Err() == nil {
				t.log.Warn("graph version: cannot read it; answers are not cached until it can be read", "err", err)
			}
			failing = true
		} else if failing {
			t.log.Info("graph version: read again")
			failing = false
		}
	}
}
