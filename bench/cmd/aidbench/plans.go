package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/aidtrace/aidtrace/graph"
	"github.com/aidtrace/aidtrace/graph/generated"
	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

// The statement aidtrace sends for a document: the document runs through
// aidtrace's own GraphQL layer in this process (its planner included), on a
// ReadService that records the statement of the planned read it is asked
// for and answers nothing. The "plan" target runs that statement through the
// driver, and `aidbench profile` profiles it next to the raw floor's.

// recorder is a ReadService that keeps the statement of the planned read
// it is called with.
type recorder struct {
	domain.ReadService
	st *neo4jstore.Statement
}

var errRecorded = domain.Errorf(domain.ENOTFOUND, "recorded")

func (r *recorder) keep(st neo4jstore.Statement) error { r.st = &st; return errRecorded }

func (r *recorder) ReadEntity(_ context.Context, id string, want *domain.EntityPlan) (*domain.Entity, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.EntityReadStatement(id, want))
}

func (r *recorder) ReadRelation(_ context.Context, id string, want *domain.RelationPlan) (*domain.Relation, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.RelationReadStatement(id, want))
}

func (r *recorder) ReadSource(_ context.Context, id string, want *domain.SourcePlan) (*domain.Source, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.SourceReadStatement(id, want))
}

func (r *recorder) ReadCounterClaim(_ context.Context, id string, want *domain.CounterClaimPlan) (*domain.CounterClaim, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.CounterClaimReadStatement(id, want))
}

func (r *recorder) ReadEntities(_ context.Context, f domain.EntityFilter, first int, after string, want *domain.EntityPlan) ([]domain.Entity, bool, *domain.Fetched, error) {
	return nil, false, nil, r.keep(neo4jstore.EntitiesReadStatement(f, first, after, want))
}

func (r *recorder) ReadSources(_ context.Context, grade domain.Grade, first int, after string, want *domain.SourcePlan) ([]domain.Source, bool, *domain.Fetched, error) {
	return nil, false, nil, r.keep(neo4jstore.SourcesReadStatement(grade, first, after, want))
}

func (r *recorder) ReadSearch(_ context.Context, q domain.SearchQuery, want *domain.EntityPlan) ([]domain.SearchHit, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.SearchReadStatement(q, neo4jstore.LuceneQuery(q.Text), want))
}

func (r *recorder) ReadChains(_ context.Context, q domain.ChainQuery, want domain.ResultPlan) (*domain.ChainResult, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.ChainsReadStatement(q, want))
}

func (r *recorder) ReadExposure(_ context.Context, q domain.ExposureQuery, want domain.ResultPlan) (*domain.Exposure, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.ExposureReadStatement(q, want))
}

func (r *recorder) ReadPaths(_ context.Context, q domain.PathQuery, want domain.ResultPlan) ([]domain.Path, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.PathsReadStatement(q, want))
}

func (r *recorder) ReadNeighborhood(_ context.Context, q domain.SubgraphQuery, want domain.ResultPlan) (*domain.Subgraph, *domain.Fetched, error) {
	return nil, nil, r.keep(neo4jstore.NeighborhoodReadStatement(q, want))
}

// writes stands for a write service (history is planned only where one is
// set); nothing here calls it.
type writes struct{ domain.WriteService }

// planned is aidtrace's GraphQL layer on recorders, one per concurrent
// caller (a pool): a document of one root field gives one statement.
type planned struct{ pool sync.Pool }

// plannerOnRecorder is one GraphQL layer with its recorder.
type plannerOnRecorder struct {
	rec *recorder
	c   *client.Client
}

func newPlanned() *planned {
	p := &planned{}
	p.pool.New = func() any {
		rec := &recorder{}
		r := &graph.Resolver{Read: rec, Write: writes{}}
		srv := handler.New(generated.NewExecutableSchema(r.Config()))
		srv.AddTransport(transport.POST{})
		srv.Use(graph.Loaders{R: r})
		return &plannerOnRecorder{rec: rec, c: client.New(srv)}
	}
	return p
}

// statement is the statement aidtrace sends for doc with vars (planned in
// this process: parsing, validation and planning, as the server does).
func (pp *planned) statement(doc string, vars map[string]any) (neo4jstore.Statement, error) {
	p := pp.pool.Get().(*plannerOnRecorder)
	defer pp.pool.Put(p)
	p.rec.st = nil
	var opts []client.Option
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	var out any
	if err := p.c.Post(doc, &out, opts...); p.rec.st == nil {
		// The recorder answers NOT_FOUND by design; any other error, or
		// none, means the document made no planned read.
		return neo4jstore.Statement{}, fmt.Errorf("no planned read for the document: %v", err)
	}
	return *p.rec.st, nil
}
