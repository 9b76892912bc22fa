package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Persisted queries, by the Automatic Persisted Queries convention (Apollo's
// apollo-link-persisted-queries, supported by most GraphQL clients): a
// request may name its document by the SHA-256 of its text,
//
//	"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<64 hex digits>"}}
//
// without the query, so an embed can GET a short, cacheable URL. A server
// that does not hold the document answers PersistedQueryNotFound (extensions
// code BAD_USER_INPUT, reason PERSISTED_QUERY_NOT_FOUND); the client then
// sends the document with its hash once, which registers it. The hash is
// checked against the document; a document is kept only once it passed
// validation and the limits, in memory, bounded in bytes (least recently
// used first out). Each replica learns documents on its own: a client
// following the convention never notices.

const (
	codePersistedNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// persistedStat is the operation's stats entry that carries a hash to
	// register once the document passed validation.
	persistedStat = "aidtrace.persistedQuery"
)

type persistedQueries struct {
	docs *byteLRU[string]
	m    *Metrics
}

func newPersistedQueries(maxBytes int64, m *Metrics) *persistedQueries {
	if maxBytes <= 0 {
		return nil
	}
	return &persistedQueries{m: m, docs: newLRU(maxBytes, func(_ string, doc string) int64 { return int64(len(doc)) },
		func(bytes int64, entries int) {
			m.persistedBytes.Set(float64(bytes))
			m.persistedEntries.Set(float64(entries))
		})}
}

// lookup is the extension that resolves a hash into its document. It runs
// before every other parameter mutator (the document guard reads the
// document).
type persistedLookup struct{ p *persistedQueries }

// register keeps the document of a request that sent both, once validation
// and the limits passed (it runs after every other operation mutator).
type persistedRegister struct{ p *persistedQueries }

var (
	_ graphql.OperationParameterMutator = persistedLookup{}
	_ graphql.OperationContextMutator   = persistedRegister{}
)

func (persistedLookup) ExtensionName() string                     { return "PersistedQueryLookup" }
func (persistedLookup) Validate(graphql.ExecutableSchema) error   { return nil }
func (persistedRegister) ExtensionName() string                   { return "PersistedQueryRegister" }
func (persistedRegister) Validate(graphql.ExecutableSchema) error { return nil }

// persistedHash reads extensions.persistedQuery: ok false when there is
// none; an error when it is malformed.
func persistedHash(ext map[string]any) (hash string, ok bool, err *gqlerror.Error) {
	raw, present := ext["persistedQuery"]
	if !present || raw == nil {
		return "", false, nil
	}
	pq, isObj := raw.(map[string]any)
	if !isObj {
		return "", false, gqlerror.Errorf("extensions.persistedQuery must be an object: {\"version\": 1, \"sha256Hash\": \"...\"}")
	}
	if v := fmt.Sprint(pq["version"]); v != "1" {
		return "", false, gqlerror.Errorf("extensions.persistedQuery.version must be 1")
	}
	hash, _ = pq["sha256Hash"].(string)
	if len(hash) != 64 || !isLowerHex(hash) {
		return "", false, gqlerror.Errorf("extensions.persistedQuery.sha256Hash must be the SHA-256 of the document in 64 lower-case hex digits")
	}
	return hash, true, nil
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (l persistedLookup) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash, ok, err := persistedHash(p.Extensions)
	if err != nil || !ok {
		return err
	}
	if l.p == nil {
		if p.Query == "" {
			return gqlerror.Errorf("this server keeps no persisted queries: send the document as query")
		}
		return nil
	}
	if p.Query == "" {
		doc, found := l.p.docs.Get(hash)
		if !found {
			l.p.m.persistedQueries.WithLabelValues("not_found").Inc()
			// The message is the convention's: clients match it.
			e := gqlerror.Errorf("PersistedQueryNotFound")
			errcode.Set(e, codePersistedNotFound)
			return e
		}
		l.p.m.persistedQueries.WithLabelValues("found").Inc()
		p.Query = doc
		return nil
	}
	if !names(hash, p.Query) {
		l.p.m.persistedQueries.WithLabelValues("mismatch").Inc()
		return gqlerror.Errorf("extensions.persistedQuery.sha256Hash is not the SHA-256 of the query: the document is refused")
	}
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		oc.Stats.SetExtension(persistedStat, hash)
	}
	return nil
}

func (r persistedRegister) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if r.p == nil {
		return nil
	}
	if hash, ok := oc.Stats.GetExtension(persistedStat).(string); ok {
		r.p.keep(hash, oc.RawQuery)
	}
	return nil
}

// keep holds doc under hash, its SHA-256, unless it is held already.
func (p *persistedQueries) keep(hash, doc string) {
	if _, known := p.docs.Get(hash); !known && p.docs.Add(hash, doc) {
		p.m.persistedQueries.WithLabelValues("registered").Inc()
	}
}

// names reports whether hash is the SHA-256 of doc.
func names(hash, doc string) bool {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:]) == hash
}

// keepAnswered holds the document of a request answered from the answer
// cache (or with 304) that sends it with its hash: the cache holds only
// good answers, so the document parsed and validated when it was first
// answered, and a client that registers a view already cached must find
// it by hash afterwards. identify has checked the hash.
func (p *persistedQueries) keepAnswered(params *graphql.RawParams) {
	if p == nil || params.Query == "" {
		return
	}
	if hash, ok, err := persistedHash(params.Extensions); ok && err == nil {
		p.keep(hash, params.Query)
	}
}

// persistedOnly reports whether raw extensions name a persisted query (a
// request may then come without its document).
func persistedOnly(ext map[string]any) bool {
	return ext["persistedQuery"] != nil
}
