// Package neo4jstore holds all of aidtrace's Cypher: it implements the domain
// services on Neo4j and owns the schema (constraints and indexes).
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Config says which Neo4j to use and how long queries may run.
type Config struct {
	URI      string
	User     string // empty: no authentication
	Password string
	// The defaults of the fields below are DefaultConfig's.
	Database     string
	QueryTimeout time.Duration // per transaction
	ConnectWait  time.Duration // how long Open waits for the server
	Log          *slog.Logger
}

// DefaultConfig is the one table of the store's defaults: Open fills each
// empty field of its Config from it, and the command line's defaults are
// read from it.
func DefaultConfig() Config {
	return Config{Database: "neo4j", QueryTimeout: 15 * time.Second, ConnectWait: 60 * time.Second}
}

// Store is the one Neo4j driver of the process.
type Store struct {
	drv     neo4j.DriverWithContext
	db      string
	timeout time.Duration
	log     *slog.Logger
	// observers are told of every round trip (metrics; tests count them).
	observers []QueryObserver
	// versionObservers are told the graph's version after each change.
	versionObservers []VersionObserver
	// inUse counts sessions open now, each holding a pooled connection.
	inUse atomic.Int64
	// running counts transact's driver goroutines (Close waits for them).
	running sync.WaitGroup
	// trouble is when (Unix nanoseconds) a round trip last found the
	// database unavailable.
	trouble atomic.Int64
	// bookmarks chains every session of the process causally when reads
	// are routed (neo4j:// to a cluster): a read then sees at least every
	// change this process wrote or saw, the graph version it polled
	// included, so an answer is never older than the version it is cached
	// under. Nil for a single server (bolt://), where that always holds.
	bookmarks neo4j.BookmarkManager
}

// SessionsInUse is how many sessions (pooled connections) are in use now,
// out of MaxPoolSize.
func (s *Store) SessionsInUse() int64 { return s.inUse.Load() }

// MaxPoolSize is the driver's connection pool size.
const MaxPoolSize = 50

// QueryObserver is told of each Cypher round trip: its name, how long it
// took and its error (nil on success).
type QueryObserver func(name string, took time.Duration, err error)

// Open creates the driver and waits, with backoff, until the server answers.
func Open(ctx context.Context, c Config) (*Store, error) {
	d := DefaultConfig()
	if c.Database == "" {
		c.Database = d.Database
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = d.QueryTimeout
	}
	if c.ConnectWait == 0 {
		c.ConnectWait = d.ConnectWait
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	auth := neo4j.NoAuth()
	if c.User != "" {
		auth = neo4j.BasicAuth(c.User, c.Password, "")
	}
	drv, err := neo4j.NewDriverWithContext(c.URI, auth, func(cfg *config.Config) {
		cfg.MaxConnectionPoolSize = MaxPoolSize
		cfg.ConnectionAcquisitionTimeout = 5 * time.Second
		cfg.SocketConnectTimeout = 5 * time.Second
		cfg.MaxTransactionRetryTime = 5 * time.Second
	})
	if err != nil {
		return nil, domain.Errorf(domain.EBADINPUT, "neo4j uri %q: %v", c.URI, err)
	}
	s := &Store{drv: drv, db: c.Database, timeout: c.QueryTimeout, log: c.Log}
	if strings.HasPrefix(c.URI, "neo4j") {
		s.bookmarks = neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{})
	}
	wctx, cancel := context.WithTimeout(ctx, c.ConnectWait)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		err = drv.VerifyConnectivity(wctx)
		if err == nil {
			return s, nil
		}
		select {
		case <-wctx.Done():
			drv.Close(context.Background())
			return nil, fmt.Errorf("neo4j at %s did not answer within %s: %w", c.URI, c.ConnectWait, err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Close closes the driver, after the driver calls still running in
// transact's goroutines have ended (a caller that gave up on one returned
// before it did; closing the pool under it is a data race in the driver).
// They end soon after their caller returns: their context is cancelled
// then, and closing a session is bounded. ctx bounds the wait.
func (s *Store) Close(ctx context.Context) error {
	ended := make(chan struct{})
	go func() { s.running.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-ctx.Done():
	}
	return s.drv.Close(ctx)
}

// Ping checks that the database answers a query (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.read(ctx, "ping", "RETURN 1 AS one", nil)
	return err
}

// AddQueryObserver adds fn to the observers of every round trip. Call it
// before the store is used concurrently (at start-up).
func (s *Store) AddQueryObserver(fn QueryObserver) { s.observers = append(s.observers, fn) }

func (s *Store) txConfig(c *neo4j.TransactionConfig) { c.Timeout = s.timeout }

// read runs one read query and returns its records, with the store's timeout.
func (s *Store) read(ctx context.Context, name, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return s.run(ctx, name, neo4j.AccessModeRead, cypher, params)
}

// write runs one write query in its own transaction.
func (s *Store) write(ctx context.Context, name, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return s.run(ctx, name, neo4j.AccessModeWrite, cypher, params)
}

func (s *Store) run(ctx context.Context, name string, mode neo4j.AccessMode, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	out, err := s.transact(ctx, name, mode, func(tx neo4j.ManagedTransaction) (any, error) {
		return txRecords(ctx, tx, cypher, params)
	})
	if err != nil {
		return nil, err
	}
	return out.([]*neo4j.Record), nil
}

// transact runs work in one managed transaction: the one way the store
// talks to Neo4j. It bounds the call by a client-side deadline a little
// beyond the server's transaction timeout (a frozen or unreachable server
// cannot hold a request longer), counts the session in the pool gauge,
// tells the observers, and translates errors. work may be retried: it must
// touch only tx.
func (s *Store) transact(ctx context.Context, name string, mode neo4j.AccessMode, work neo4j.ManagedTransactionWork) (any, error) {
	began := time.Now()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.timeout+2*time.Second)
	defer cancel()
	// The driver runs in its own goroutine so that the deadline holds
	// whatever it is doing (a handshake with a frozen server, closing a
	// session on a dead one); it stops when ctx is cancelled on return.
	type result struct {
		out any
		err error
	}
	done := make(chan result, 1)
	s.inUse.Add(1)
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		defer s.inUse.Add(-1)
		sess := s.drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: mode, BookmarkManager: s.bookmarks})
		var r result
		if mode == neo4j.AccessModeRead {
			r.out, r.err = sess.ExecuteRead(ctx, work, s.txConfig)
		} else {
			r.out, r.err = sess.ExecuteWrite(ctx, work, s.txConfig)
		}
		// Close before answering, so the connection is back in the pool
		// for the caller's next query.
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
		sess.Close(cctx)
		ccancel()
		done <- r
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	took := time.Since(began)
	for _, o := range s.observers {
		o(name, took, r.err)
	}
	s.log.DebugContext(ctx, "cypher", "query", name, "took", took.String(), "err", r.err)
	if r.err != nil {
		err := translate(parent, ctx, name, r.err, s.timeout)
		switch domain.ErrorCode(err) {
		case domain.EUNAVAILABLE:
			s.trouble.Store(time.Now().UnixNano())
		case domain.ETIMEOUT:
			// A transaction that was running while the database stalled
			// (frozen, overloaded, restarting) times out when it resumes:
			// that is the outage's doing, not the query's.
			if time.Since(time.Unix(0, s.trouble.Load())) < s.timeout+5*time.Second {
				err = &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the database was unavailable; try again"), r.err}
			}
		}
		return nil, err
	}
	return r.out, nil
}

// askedTooMuch names the statements whose cost grows with what the caller
// asks (hops, paths, depth, types): only they can run out of their time
// budget because of the question (QUERY_TIMEOUT).
var askedTooMuch = map[string]bool{"chains": true, "paths": true, "neighborhood-nodes": true, "neighborhood-edges": true, "exposure": true}

// translate turns driver errors into domain errors at the adapter edge.
// A query that ran out of its time (the server's transaction timeout, or
// the request's own deadline, parent) is QUERY_TIMEOUT: asked again, it
// will fail again. Connectivity, a server that does not answer within the
// store's own deadline (ctx) and transient errors are UNAVAILABLE: the
// client may retry. The rest stays internal, with context for the log.
func translate(parent, ctx context.Context, name string, err error, timeout time.Duration) error {
	var derr *domain.Error
	if errors.As(err, &derr) {
		return err
	}
	if errors.Is(parent.Err(), context.DeadlineExceeded) {
		return &wrapped{domain.Errorf(domain.ETIMEOUT, "the request ran out of time: ask for less"), err}
	}
	var nerr *neo4j.Neo4jError
	switch {
	case errors.As(err, &nerr):
		switch {
		case nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOut",
			nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			if !askedTooMuch[name] {
				// A statement whose cost the caller cannot raise (a lookup by
				// id, a count, a capped page) only runs out of time when the
				// database stalls: an outage, not a question too big.
				return &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the database is too slow to answer; try again"), err}
			}
			return &wrapped{domain.Errorf(domain.ETIMEOUT, "the query took longer than the %s it may take: ask for less (fewer hops, paths or types, a smaller first)", timeout), err}
		case nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			return &wrapped{domain.Errorf(domain.EBADINPUT, "the change conflicts with existing data"), err}
		case nerr.Classification() == "TransientError":
			return &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the database is busy; try again"), err}
		}
	case neo4j.IsConnectivityError(err), neo4j.IsTransactionExecutionLimit(err),
		neo4j.IsUsageError(err) && ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable; try again"), err}
	case errors.Is(err, context.Canceled):
		return &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the request was cancelled"), err}
	}
	var tout *neo4j.ConnectivityError
	if errors.As(err, &tout) {
		return &wrapped{domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable; try again"), err}
	}
	return fmt.Errorf("neo4j %s: %w", name, err)
}

// wrapped carries a domain error for the client and the driver's error for
// the log; errors.As finds the domain error first.
type wrapped struct {
	app   *domain.Error
	cause error
}

func (w *wrapped) Error() string { return w.app.Error() + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error {
	return []error{w.app, w.cause}
}
