// Package memstore is an in-memory implementation of the domain services,
// for the tests of the layers above the store (GraphQL, HTTP, export) that
// must run without a JVM. It applies the domain's own rules (validation,
// time, strength, consistency of chains) with plain loops over a Dataset;
// it is not a model of the Neo4j store's query plans, and the store itself
// is tested only against a real Neo4j. It imports only the domain.
package memstore

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Store holds a graph in memory. It is safe for concurrent use.
type Store struct {
	mu        sync.RWMutex
	sources   map[string]*domain.Source
	entities  map[string]*domain.Entity
	relations map[string]*domain.Relation
	counter   map[string][]domain.CounterClaim // by contested id, oldest first
	ccByID    map[string]*domain.CounterClaim
	history   map[string][]domain.AuditEvent // by target id, oldest first
	at        map[string][]*domain.Relation  // the relations at each entity
	version   domain.GraphVersion
	events    int

	// spelling and match: see UseSpelling.
	normal   func(string) string
	variants func(...string) []string
	match    map[string][]string // entity id -> its names and their other spellings, normal

	// Now stamps audit events (time.Now when nil).
	Now func() time.Time

	// PlainReads counts the calls of the plain (unplanned) batch reads that
	// GraphQL's fallback loaders use: tests check that planned reads leave
	// nothing to them.
	PlainReads atomic.Int64
	// Reads counts the calls of the planned reads (domain.PlannedReads),
	// each the one round trip of a root field.
	Reads atomic.Int64
}

// New returns a store holding a copy of d, which the caller has validated
// (ingest.Check, or Dataset.Validate).
func New(d *domain.Dataset) *Store {
	s := &Store{
		sources: map[string]*domain.Source{}, entities: map[string]*domain.Entity{},
		relations: map[string]*domain.Relation{}, counter: map[string][]domain.CounterClaim{},
		ccByID: map[string]*domain.CounterClaim{}, history: map[string][]domain.AuditEvent{},
		version: domain.GraphVersion{Epoch: "mem", N: 1},
	}
	for i := range d.Sources {
		src := d.Sources[i]
		s.sources[src.ID] = &src
	}
	for i := range d.Entities {
		e := cloneEntity(&d.Entities[i])
		s.entities[e.ID] = e
	}
	for i := range d.Relations {
		r := cloneRelation(&d.Relations[i])
		s.relations[r.ID] = r
	}
	for _, cc := range d.CounterClaims {
		s.counter[cc.Contests] = append(s.counter[cc.Contests], cc)
	}
	for id, ccs := range s.counter {
		sort.SliceStable(ccs, func(i, j int) bool {
			if a, b := ccs[i].Date.Start(), ccs[j].Date.Start(); a != b {
				return a < b
			}
			return ccs[i].ID < ccs[j].ID
		})
		for i := range ccs {
			s.ccByID[ccs[i].ID] = &ccs[i]
		}
		s.counter[id] = ccs
	}
	s.reindex()
	return s
}

// reindex fills what reads derive: each relation's best grade and
// contested flag, and the relations at each entity. Callers hold the lock.
func (s *Store) reindex() {
	s.at = map[string][]*domain.Relation{}
	for _, r := range s.relations {
		s.fillRelation(r)
		s.at[r.From] = append(s.at[r.From], r)
		s.at[r.To] = append(s.at[r.To], r)
	}
}

// Interfaces the store implements.
var (
	_ domain.ReadService    = (*Store)(nil)
	_ domain.WriteService   = (*Store)(nil)
	_ domain.VersionService = (*Store)(nil)
)

func cloneEntity(e *domain.Entity) *domain.Entity {
	c := *e
	c.Aliases = slices.Clone(e.Aliases)
	c.Citations = slices.Clone(e.Citations)
	c.Quantities = slices.Clone(e.Quantities)
	return &c
}

func cloneRelation(r *domain.Relation) *domain.Relation {
	c := *r
	c.Citations = slices.Clone(r.Citations)
	c.Quantities = slices.Clone(r.Quantities)
	if r.Attributes != nil {
		c.Attributes = make(map[string]string, len(r.Attributes))
		for k, v := range r.Attributes {
			c.Attributes[k] = v
		}
	}
	return &c
}

// fillRelation sets what reads fill: the best grade of the cited sources
// and whether a counter-claim contests it. Callers hold the lock.
func (s *Store) fillRelation(r *domain.Relation) {
	r.BestGrade = domain.BestGrade(r.Citations, func(id string) (domain.Grade, bool) {
		src, ok := s.sources[id]
		if !ok {
			return "", false
		}
		return src.Grade, true
	})
	r.Contested = len(s.counter[r.ID]) > 0
}

// GraphVersion is the version of the graph: every write advances it.
func (s *Store) GraphVersion(context.Context) (domain.GraphVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version, nil
}

// Ping always answers: there is no database to lose.
func (s *Store) Ping(context.Context) error { return nil }

// live reports whether a relation may be followed at time t (the store's
// activeClause): never a retracted one, nor one at a retracted entity; with
// a date, never one out of force, and one whose force is not known only
// when t asks for those.
func (s *Store) live(r *domain.Relation, t domain.Time) bool {
	if r.Retraction != nil || s.retracted(r.From) || s.retracted(r.To) {
		return false
	}
	switch t.Status(r) {
	case domain.OutOfForce:
		return false
	case domain.NotKnown:
		return t.IncludeNotKnown
	}
	return true
}

func (s *Store) retracted(id string) bool {
	e, ok := s.entities[id]
	return !ok || e.Retraction != nil
}

// Stats counts what reads can see (retracted claims left out).
func (s *Store) Stats(context.Context) (*domain.Stats, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &domain.Stats{}
	kinds, types, grades := map[string]int{}, map[string]int{}, map[string]int{}
	for _, e := range s.entities {
		if e.Retraction == nil {
			st.Entities++
			kinds[string(e.Kind)]++
		}
	}
	for _, r := range s.relations {
		if s.live(r, domain.Time{}) {
			st.Relations++
			types[r.Type]++
		}
	}
	for _, src := range s.sources {
		st.Sources++
		grades[string(src.Grade)]++
	}
	st.EntitiesByKind, st.RelationsByType, st.SourcesByGrade = counts(kinds), counts(types), counts(grades)
	return st, nil
}

func counts(m map[string]int) []domain.Count {
	out := make([]domain.Count, 0, len(m))
	for k, n := range m {
		out = append(out, domain.Count{Key: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Entity returns one entity (retracted ones too, as the store does).
func (s *Store) Entity(ctx context.Context, id string) (*domain.Entity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.entities[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id)
	}
	return cloneEntity(e), nil
}

// EntitiesByID returns the stored entities among ids.
func (s *Store) EntitiesByID(ctx context.Context, ids []string) (map[string]*domain.Entity, error) {
	s.PlainReads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]*domain.Entity, len(ids))
	for _, id := range ids {
		if e, ok := s.entities[id]; ok {
			out[id] = cloneEntity(e)
		}
	}
	return out, nil
}

// around lists the live relations at id that q selects, by id.
func (s *Store) around(id string, q domain.RelationQuery) []domain.Relation {
	var out []domain.Relation
	for _, r := range s.at[id] {
		if len(q.Types) > 0 && !slices.Contains(q.Types, r.Type) {
			continue
		}
		out1 := r.From == id && (q.Direction == domain.Outgoing || q.Direction == domain.Both || q.Direction == "")
		in := r.To == id && (q.Direction == domain.Incoming || q.Direction == domain.Both || q.Direction == "")
		if (out1 || in) && s.live(r, q.Time) {
			out = append(out, *cloneRelation(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func checkDirection(d domain.Direction) error {
	switch d {
	case domain.Outgoing, domain.Incoming, domain.Both, "":
		return nil
	}
	return domain.Errorf(domain.EBADINPUT, "unknown direction %q", d)
}

// Relations returns the relations around q.IDs, by type, then id.
func (s *Store) Relations(ctx context.Context, q domain.RelationQuery) ([]domain.Relation, error) {
	s.PlainReads.Add(1)
	if err := domain.CheckTypes(q.Types); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []domain.Relation
	for _, id := range q.IDs {
		for _, r := range s.around(id, q) {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// RelationPages returns a page of relations for each of q.IDs.
func (s *Store) RelationPages(ctx context.Context, q domain.RelationQuery, first int, after string) (map[string]domain.RelationPage, error) {
	s.PlainReads.Add(1)
	if err := domain.CheckTypes(q.Types); err != nil {
		return nil, err
	}
	if err := domain.RelationsFirst.Check(first); err != nil {
		return nil, err
	}
	if err := checkDirection(q.Direction); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]domain.RelationPage, len(q.IDs))
	for _, id := range q.IDs {
		if p := s.relationPage(id, q, first, after); len(p.Relations) > 0 {
			out[id] = p
		}
	}
	return out, nil
}

func (s *Store) relationPage(id string, q domain.RelationQuery, first int, after string) domain.RelationPage {
	var p domain.RelationPage
	for _, r := range s.around(id, q) {
		if r.ID <= after {
			continue
		}
		if len(p.Relations) == first {
			p.HasNext = true
			break
		}
		p.Relations = append(p.Relations, r)
	}
	return p
}

// Entities lists live entities by id after the cursor.
func (s *Store) Entities(ctx context.Context, f domain.EntityFilter, first int, after string) ([]domain.Entity, bool, error) {
	if err := f.ValidateList(first); err != nil {
		return nil, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	text := strings.ToLower(strings.TrimSpace(f.Text))
	var out []domain.Entity
	for _, id := range sortedKeys(s.entities) {
		e := s.entities[id]
		if id <= after || e.Retraction != nil || (len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind)) {
			continue
		}
		if !f.AsOf.IsZero() && !domain.ActiveOn(e.ValidFrom, e.ValidTo, f.AsOf) {
			continue
		}
		if text != "" && !slices.ContainsFunc(names(e), func(n string) bool { return strings.Contains(n, text) }) {
			continue
		}
		if len(out) == first {
			return out, true, nil
		}
		out = append(out, *cloneEntity(e))
	}
	return out, false, nil
}

// names are an entity's names, lower-case: name, Chinese name, aliases.
func names(e *domain.Entity) []string {
	out := []string{strings.ToLower(e.Name)}
	if e.NameZh != "" {
		out = append(out, strings.ToLower(e.NameZh))
	}
	for _, a := range e.Aliases {
		out = append(out, strings.ToLower(a))
	}
	return out
}

// UseSpelling makes Search compare names as the store does: in normal
// form, with every other spelling of them (pinyin, simplified and
// traditional forms...). The caller passes internal/spelling's Normal and
// Variants, which this package may not import. Without it names compare
// in lower case.
func (s *Store) UseSpelling(normal func(string) string, variants func(...string) []string) *Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.normal, s.variants = normal, variants
	s.match = map[string][]string{}
	for _, e := range s.entities {
		s.matchNames(e)
	}
	return s
}

// matchNames records the forms Search compares e's names in. Callers hold
// the write lock.
func (s *Store) matchNames(e *domain.Entity) {
	if s.normal == nil {
		return
	}
	ns := append([]string{e.Name, e.NameZh}, e.Aliases...)
	var out []string
	for _, n := range ns {
		if n := s.normal(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	s.match[e.ID] = append(out, s.variants(ns...)...)
}

// searchNames are the forms of e's names Search compares the text with.
func (s *Store) searchNames(e *domain.Entity) []string {
	if s.normal == nil {
		return names(e)
	}
	return s.match[e.ID]
}

func (s *Store) normalText(text string) string {
	if s.normal == nil {
		return strings.ToLower(strings.TrimSpace(text))
	}
	return s.normal(text)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Search finds live entities whose names hold every word of the text (the
// last may be a prefix): exact matches of a whole name first, then prefix
// matches (higher-level bodies first in both), then the rest, by how much
// of the names the words cover; ties by id.
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(q.Text)) {
		if strings.IndexFunc(w, isWordRune) >= 0 {
			words = append(words, strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) }))
		}
	}
	if len(words) == 0 {
		return []domain.SearchHit{}, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	text := s.normalText(q.Text)
	if s.normal != nil {
		words = strings.Fields(text)
	}
	out := []domain.SearchHit{}
	if len(words) == 0 { // punctuation alone: nothing to match
		return out, nil
	}
	for _, e := range s.entities {
		if e.Retraction != nil || (len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind)) {
			continue
		}
		ns := s.searchNames(e)
		all := strings.Join(ns, " | ")
		if !allWords(all, words) {
			continue
		}
		tier := 0
		switch {
		case slices.Contains(ns, text):
			tier = 2
		case slices.ContainsFunc(ns, func(n string) bool { return strings.HasPrefix(n, text) }):
			tier = 1
		}
		hit := domain.SearchHit{Entity: *cloneEntity(e), Match: domain.MatchText}
		hit.Score = float64(tier) * 1000
		if tier > 0 {
			hit.Score += float64(6-e.Kind.Level()) * 100
			hit.Match = map[int]domain.Match{1: domain.MatchPrefix, 2: domain.MatchExact}[tier]
		}
		// Relevance: the share of the best-matching name the text covers.
		best := 0.0
		for _, n := range ns {
			if strings.Contains(n, words[0]) && len(n) > 0 {
				best = max(best, float64(len(text))/float64(len(n)))
			}
		}
		hit.Score += min(best, 1) * 10
		out = append(out, hit)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Entity.ID < out[j].Entity.ID
	})
	if len(out) > q.First {
		out = out[:q.First]
	}
	return out, nil
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
}

// allWords reports whether every word occurs in s.
func allWords(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// RelationByID returns one relation (retracted ones too).
func (s *Store) RelationByID(ctx context.Context, id string) (*domain.Relation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.relations[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no relation with id %q", id)
	}
	return cloneRelation(r), nil
}

// SourcesByID returns the stored sources among ids.
func (s *Store) SourcesByID(ctx context.Context, ids []string) (map[string]*domain.Source, error) {
	s.PlainReads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]*domain.Source, len(ids))
	for _, id := range ids {
		if src, ok := s.sources[id]; ok {
			c := *src
			out[id] = &c
		}
	}
	return out, nil
}

// Sources lists sources by id after the cursor; grade "" for all.
func (s *Store) Sources(ctx context.Context, grade domain.Grade, first int, after string) ([]domain.Source, bool, error) {
	if err := domain.SourcesFirst.Check(first); err != nil {
		return nil, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.Source
	for _, id := range sortedKeys(s.sources) {
		src := s.sources[id]
		if id <= after || (grade != "" && src.Grade != grade) {
			continue
		}
		if len(out) == first {
			return out, true, nil
		}
		out = append(out, *src)
	}
	return out, false, nil
}

// ClaimPages returns, for each source, the live entities and relations
// citing it, by id after the cursor.
func (s *Store) ClaimPages(ctx context.Context, sourceIDs []string, first int, after string) (map[string]domain.ClaimPage, error) {
	s.PlainReads.Add(1)
	if err := domain.ClaimsFirst.Check(first); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]domain.ClaimPage, len(sourceIDs))
	for _, sid := range sourceIDs {
		if p := s.claimPage(sid, first, after); len(p.Claims) > 0 {
			out[sid] = p
		}
	}
	return out, nil
}

func cites(cs []domain.Citation, sid string) bool {
	return slices.ContainsFunc(cs, func(c domain.Citation) bool { return c.SourceID == sid })
}

func (s *Store) claimPage(sid string, first int, after string) domain.ClaimPage {
	var all []domain.Claim
	for _, e := range s.entities {
		if e.Retraction == nil && cites(e.Citations, sid) {
			all = append(all, domain.Claim{Entity: cloneEntity(e)})
		}
	}
	for _, r := range s.relations {
		if s.live(r, domain.Time{}) && cites(r.Citations, sid) {
			all = append(all, domain.Claim{Relation: cloneRelation(r)})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID() < all[j].ID() })
	var p domain.ClaimPage
	for _, c := range all {
		if c.ID() <= after {
			continue
		}
		if len(p.Claims) == first {
			p.HasNext = true
			break
		}
		p.Claims = append(p.Claims, c)
	}
	return p
}

// CounterClaims returns the counter-claims contesting each of ids.
func (s *Store) CounterClaims(ctx context.Context, ids []string) (map[string][]domain.CounterClaim, error) {
	s.PlainReads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]domain.CounterClaim, len(ids))
	for _, id := range ids {
		if ccs := s.counter[id]; len(ccs) > 0 {
			out[id] = slices.Clone(ccs)
		}
	}
	return out, nil
}

// CounterClaimByID returns one counter-claim.
func (s *Store) CounterClaimByID(ctx context.Context, id string) (*domain.CounterClaim, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cc, ok := s.ccByID[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no counter-claim with id %q", id)
	}
	c := *cc
	return &c, nil
}

// History returns each target's audit events, newest first.
func (s *Store) History(ctx context.Context, targetIDs []string, first int) (map[string][]domain.AuditEvent, error) {
	s.PlainReads.Add(1)
	if err := domain.CheckHistory(first); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]domain.AuditEvent, len(targetIDs))
	for _, id := range targetIDs {
		if h := s.historyOf(id, first); len(h) > 0 {
			out[id] = h
		}
	}
	return out, nil
}

func (s *Store) historyOf(id string, first int) []domain.AuditEvent {
	evs := s.history[id]
	out := make([]domain.AuditEvent, 0, min(first, len(evs)))
	for i := len(evs) - 1; i >= 0 && len(out) < first; i-- {
		out = append(out, evs[i])
	}
	return out
}

func notFound(id string) error { return domain.Errorf(domain.ENOTFOUND, "no entity with id %q", id) }
