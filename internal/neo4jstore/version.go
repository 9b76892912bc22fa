package neo4jstore

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The graph's version is one node, advanced as the last statement of every
// transaction that changes what reads see: the change and its version
// commit together, so an answer read at version v never outlives v's data.
// The node is locked only from the bump to the commit (the end of the
// transaction), so writers queue on it briefly and never in a cycle.
const (
	bumpVersionCypher = `
MERGE (v:GraphVersion {id: 'graph'})
ON CREATE SET v.epoch = $epoch, v.n = 0
SET v.n = v.n + 1
RETURN v.epoch AS epoch, v.n AS n`
	readVersionCypher = `
OPTIONAL MATCH (v:GraphVersion {id: 'graph'})
RETURN v.epoch AS epoch, v.n AS n`
)

// VersionObserver is told the graph's version after each committed change
// made through this store.
type VersionObserver func(domain.GraphVersion)

// AddVersionObserver adds fn to those told of every change this store
// commits. Call it at start-up, before the store is used concurrently.
func (s *Store) AddVersionObserver(fn VersionObserver) {
	s.versionObservers = append(s.versionObservers, fn)
}

// GraphVersion reads the graph's version (the zero version when nothing was
// ever written): one single-node read, cheap enough to poll.
func (s *Store) GraphVersion(ctx context.Context) (domain.GraphVersion, error) {
	recs, err := s.read(ctx, "graph-version", readVersionCypher, nil)
	if err != nil {
		return domain.GraphVersion{}, err
	}
	return decodeVersion(recs)
}

func decodeVersion(recs []*neo4j.Record) (domain.GraphVersion, error) {
	if len(recs) != 1 {
		return domain.GraphVersion{}, fmt.Errorf("graph version: %d records", len(recs))
	}
	epoch, isNil, err := neo4j.GetRecordValue[string](recs[0], "epoch")
	if isNil {
		return domain.GraphVersion{}, nil
	}
	if err != nil {
		return domain.GraphVersion{}, fmt.Errorf("graph version: epoch: %w", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](recs[0], "n")
	if err != nil {
		return domain.GraphVersion{}, fmt.Errorf("graph version: n: %w", err)
	}
	return domain.GraphVersion{Epoch: epoch, N: n}, nil
}

// bumpVersion advances the version inside tx; a database without the node
// starts a new epoch.
func bumpVersion(ctx context.Context, tx neo4j.ManagedTransaction) (domain.GraphVersion, error) {
	recs, err := txRecords(ctx, tx, bumpVersionCypher, map[string]any{"epoch": randomHex(8)})
	if err != nil {
		return domain.GraphVersion{}, err
	}
	return decodeVersion(recs)
}

// changed is what a change's transaction hands back: the work's result and
// the version it committed (zero: it changed nothing).
type changed struct {
	out any
	v   domain.GraphVersion
}

// change runs work in one write transaction; when work reports that it
// changed something, the graph's version is advanced last in the same
// transaction, and the observers learn the new version once it committed.
// work may be retried: it must touch only tx.
func (s *Store) change(ctx context.Context, name string, work func(tx neo4j.ManagedTransaction) (out any, didChange bool, err error)) (any, error) {
	res, err := s.transact(ctx, name, neo4j.AccessModeWrite, func(tx neo4j.ManagedTransaction) (any, error) {
		out, did, err := work(tx)
		if err != nil {
			return nil, err
		}
		var v domain.GraphVersion
		if did {
			if v, err = bumpVersion(ctx, tx); err != nil {
				return nil, err
			}
		}
		return changed{out, v}, nil
	})
	if err != nil {
		return nil, err
	}
	c := res.(changed)
	if !c.v.IsZero() {
		for _, o := range s.versionObservers {
			o(c.v)
		}
	}
	return c.out, nil
}

// writeData runs one data-writing statement in its own transaction and
// returns its records; the version advances when the statement changed
// anything (a load of unchanged rows leaves it, and every cache, alone).
func (s *Store) writeData(ctx context.Context, name, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	out, err := s.change(ctx, name, func(tx neo4j.ManagedTransaction) (any, bool, error) {
		res, err := tx.Run(ctx, cypher, params)
		if err != nil {
			return nil, false, err
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return nil, false, err
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			return nil, false, err
		}
		return recs, sum.Counters().ContainsUpdates(), nil
	})
	if err != nil {
		return nil, err
	}
	return out.([]*neo4j.Record), nil
}
