package server

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// Name matching for the reconciliation API and the supplier-list check:
// candidates come from the search index (every spelling), then each is
// scored 0–100 against the name asked for, and against the places given.
// A candidate is an exact match when the name, a Chinese name or an alias
// equals the query, or another spelling of one does (pinyin, simplified or
// traditional characters, US or UK spelling), or they are equal once legal
// forms ("Co., Ltd.", 有限公司), site words ("factory") and administrative
// words that do not conflict ("Aksu" and "Aksu Prefecture"; not "Hotan
// County" and "Hotan Prefecture") are dropped. A result is a match (the
// `match` flag) only when exactly one candidate is exact and no place given
// contradicts it.

// Scores of the tiers of exact matches, and the bounds of the others.
const (
	scoreName     = 100 // the query is the name, Chinese name or an alias
	scoreSpelling = 98  // the query is another spelling of one
	scoreCore     = 96  // equal without legal forms, site and administrative words
	scoreFuzzyMax = 90  // the most a name that is not exact gets
	placeBonus    = 4   // a place given is where the candidate is
	placePenalty  = 15  // a place given is not where the candidate is
	// CandidateScore is the lowest score the supplier check reports as a
	// candidate to review; below it a row has no match.
	CandidateScore = 70
)

// Exactness tiers, best last.
const (
	tierNone = iota
	tierCore
	tierSpelling
	tierName
)

// Caps of one matching batch.
const (
	// MaxReconcileBatch is the most queries one reconciliation batch may
	// hold (the manifest's batchSize).
	MaxReconcileBatch = 50
	// MaxReconcileLimit is the most candidates one query returns.
	MaxReconcileLimit = 25
	// searchCandidates is how many hits each query takes from the index.
	searchCandidates = 25
	// matchParallel bounds the database queries one batch runs at once.
	matchParallel = 4
	// placeDepth is how many located-in / part-of steps lead to a place.
	placeDepth = 3
)

// matchQuery is one name to reconcile.
type matchQuery struct {
	Text   string
	Kinds  []domain.Kind
	Places []placeValue // city, province or any place the entity is in
	Limit  int
}

// placeValue is a place given to disambiguate: pid is the property it came
// from (city, province, country, location).
type placeValue struct {
	PID   string
	Value string
}

// feature is a matching feature, as the reconciliation API shows them.
type feature struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// candidate is one entity scored against a query.
type candidate struct {
	Entity     domain.Entity
	Score      float64
	Tier       int
	Similarity float64
	Match      bool
	Features   []feature
	// contradicted: a place given is not where the entity is.
	contradicted bool
}

// matcher finds and scores candidates over the read service.
type matcher struct {
	svc domain.ReadService
}

// match answers each query with its candidates, best first, at most its
// Limit. Queries are searched independently (at most matchParallel at a
// time); places are looked up once for the whole batch.
func (m matcher) match(ctx context.Context, qs []matchQuery) ([][]candidate, error) {
	hits := make([][]domain.Entity, len(qs))
	err := parallel(ctx, len(qs), func(ctx context.Context, i int) error {
		var err error
		hits[i], err = m.candidates(ctx, qs[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	var places map[string][]domain.Entity
	var ids []string
	for i, q := range qs {
		if len(q.Places) > 0 {
			for _, e := range hits[i] {
				ids = append(ids, e.ID)
			}
		}
	}
	if len(ids) > 0 {
		if places, err = m.places(ctx, ids); err != nil {
			return nil, err
		}
	}
	forms := map[string]*nameForms{}
	formsOf := func(e *domain.Entity) *nameForms {
		f := forms[e.ID]
		if f == nil {
			f = entityForms(e)
			forms[e.ID] = f
		}
		return f
	}
	out := make([][]candidate, len(qs))
	for i, q := range qs {
		out[i] = score(q, hits[i], places, formsOf)
	}
	return out, nil
}

// candidates returns the entities the index finds for q: the entity itself
// when the query is its id, then the hits for the whole name, then (when the
// whole name finds nothing, as when a list adds words we do not have) the
// hits for each of its longest words.
func (m matcher) candidates(ctx context.Context, q matchQuery) ([]domain.Entity, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return nil, nil
	}
	var out []domain.Entity
	seen := map[string]bool{}
	add := func(es ...domain.Entity) {
		for _, e := range es {
			if !seen[e.ID] && e.Retraction == nil && (len(q.Kinds) == 0 || slices.Contains(q.Kinds, e.Kind)) {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	if domain.ValidEntityID(text) {
		got, err := m.svc.EntitiesByID(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		if e, ok := got[text]; ok && e.Retraction == nil {
			// An id names one entity: nothing else is a candidate.
			if add(*e); len(out) > 0 {
				return out, nil
			}
		}
	}
	search := func(s string) (int, error) {
		if strings.TrimSpace(s) == "" {
			return 0, nil
		}
		if n := []rune(s); len(n) > domain.MaxSearchTextLen {
			s = string(n[:domain.MaxSearchTextLen])
		}
		hs, err := m.svc.Search(ctx, domain.SearchQuery{Text: s, Kinds: q.Kinds, First: searchCandidates})
		if err != nil {
			return 0, err
		}
		for _, h := range hs {
			add(h.Entity)
		}
		return len(hs), nil
	}
	n, err := search(text)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return out, nil
	}
	// The index wants every word: try the name without legal forms, then
	// its longest words one at a time.
	c := core(spelling.Normal(text))
	if c.text != spelling.Normal(text) {
		if n, err = search(c.text); err != nil || n > 0 {
			return out, err
		}
	}
	words := strings.Fields(c.text)
	sort.SliceStable(words, func(i, j int) bool { return len([]rune(words[i])) > len([]rune(words[j])) })
	for i, w := range words {
		if i == 3 || (len([]rune(w)) < 3 && !hasHan(w)) {
			break
		}
		if _, err := search(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// places returns, for each id, the places it is in: what it is located in
// or part of, and what those are part of, up to placeDepth steps.
func (m matcher) places(ctx context.Context, ids []string) (map[string][]domain.Entity, error) {
	reach := map[string]map[string]bool{} // id -> place ids
	frontier := map[string][]string{}     // place id -> the ids that reach it
	for _, id := range ids {
		frontier[id] = append(frontier[id], id)
	}
	all := map[string]bool{}
	for step := 0; step < placeDepth && len(frontier) > 0; step++ {
		keys := make([]string, 0, len(frontier))
		for k := range frontier {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		rels, err := m.svc.Relations(ctx, domain.RelationQuery{IDs: keys, Direction: domain.Outgoing, Types: []string{"LOCATED_IN", "PART_OF"}})
		if err != nil {
			return nil, err
		}
		next := map[string][]string{}
		for _, r := range rels {
			for _, root := range frontier[r.From] {
				if reach[root] == nil {
					reach[root] = map[string]bool{}
				}
				if !reach[root][r.To] {
					reach[root][r.To] = true
					next[r.To] = append(next[r.To], root)
				}
			}
			all[r.To] = true
		}
		frontier = next
	}
	if len(all) == 0 {
		return map[string][]domain.Entity{}, nil
	}
	pids := make([]string, 0, len(all))
	for id := range all {
		pids = append(pids, id)
	}
	sort.Strings(pids)
	got, err := m.svc.EntitiesByID(ctx, pids)
	if err != nil {
		return nil, err
	}
	out := map[string][]domain.Entity{}
	for root, ps := range reach {
		for _, pid := range pids {
			if ps[pid] && got[pid] != nil {
				out[root] = append(out[root], *got[pid])
			}
		}
	}
	return out, nil
}

// parallel runs f for 0..n-1, at most matchParallel at a time, and returns
// the first error (the others are cancelled).
func parallel(ctx context.Context, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		slots = make(chan struct{}, matchParallel)
	)
	for i := 0; i < n; i++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-slots; wg.Done() }()
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}(i)
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		// The caller's context ended (not our cancel: first would be set).
		return domain.Errorf(domain.EUNAVAILABLE, "the request took too long; try fewer rows")
	}
	return first
}

// score ranks the entities found for q, best first, and decides the match.
func score(q matchQuery, es []domain.Entity, places map[string][]domain.Entity, formsOf func(*domain.Entity) *nameForms) []candidate {
	qf := queryForms(q.Text)
	out := make([]candidate, 0, len(es))
	for i := range es {
		e := &es[i]
		c := candidate{Entity: *e}
		if e.ID == strings.TrimSpace(q.Text) {
			c.Tier, c.Similarity = tierName, 1
			c.Features = append(c.Features, feature{"id_match", true})
		} else {
			c.Tier, c.Similarity = nameScore(qf, formsOf(e))
		}
		switch c.Tier {
		case tierName:
			c.Score = scoreName
		case tierSpelling:
			c.Score = scoreSpelling
		case tierCore:
			c.Score = scoreCore
		default:
			c.Score = math.Round(scoreFuzzyMax*c.Similarity*10) / 10
		}
		c.Features = append(c.Features, feature{"name_exact", c.Tier > tierNone}, feature{"name_similarity", math.Round(c.Similarity*1000) / 1000})
		for _, p := range q.Places {
			ok, known := placeMatches(p, e, places[e.ID], formsOf)
			if !known {
				continue
			}
			c.Features = append(c.Features, feature{p.PID + "_match", ok})
			if ok {
				c.Score += placeBonus
			} else {
				c.Score -= placePenalty
				c.contradicted = true
			}
		}
		c.Score = math.Max(0, math.Min(100, c.Score))
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Tier != b.Tier {
			return a.Tier > b.Tier
		}
		// Higher-level bodies first, as search ranks them; then by id.
		if la, lb := a.Entity.Kind.Level(), b.Entity.Kind.Level(); la != lb {
			return la < lb
		}
		return a.Entity.ID < b.Entity.ID
	})
	exact := 0
	for _, c := range out {
		if c.Tier > tierNone && !c.contradicted {
			exact++
		}
	}
	if len(out) > 0 && exact == 1 && out[0].Tier > tierNone && !out[0].contradicted {
		out[0].Match = true
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// nameForms are the forms of an entity's names that a query is compared
// with.
type nameForms struct {
	names    []string // name, Chinese name, aliases: normal form
	variants []string // other spellings of them: normal form
	cores    []coreForm
}

func entityForms(e *domain.Entity) *nameForms {
	raw := append([]string{e.Name, e.NameZh}, e.Aliases...)
	f := &nameForms{}
	for _, n := range raw {
		if n := spelling.Normal(n); n != "" && !slices.Contains(f.names, n) {
			f.names = append(f.names, n)
		}
	}
	f.variants = spelling.Variants(raw...)
	for _, n := range append(append([]string{}, f.names...), f.variants...) {
		f.cores = append(f.cores, core(n))
	}
	return f
}

// qForms are a query and its other spellings, in normal form.
type qForms struct {
	text  string
	all   []string // text and its variants
	cores []coreForm
}

// queryForms are the query, its simplified and traditional forms and its
// US and UK spellings. Not its pinyin: two Chinese names that read alike
// are not the same name.
func queryForms(q string) qForms {
	f := qForms{text: spelling.Normal(q)}
	f.all = []string{f.text}
	for _, v := range append(spelling.ChineseForms(q), spelling.English(q)...) {
		if n := spelling.Normal(v); n != "" && !slices.Contains(f.all, n) {
			f.all = append(f.all, n)
		}
	}
	for _, s := range f.all {
		f.cores = append(f.cores, core(s))
	}
	return f
}

// nameScore is the exactness tier of the best form pair and, for names
// that are not exact, the best similarity (0–1) of their core forms.
func nameScore(q qForms, e *nameForms) (tier int, sim float64) {
	if q.text == "" {
		return tierNone, 0
	}
	if slices.Contains(e.names, q.text) {
		return tierName, 1
	}
	for _, s := range q.all {
		if slices.Contains(e.names, s) || slices.Contains(e.variants, s) {
			return tierSpelling, 1
		}
	}
	for _, qc := range q.cores {
		for _, ec := range e.cores {
			if qc.text != "" && qc.text == ec.text && compatible(qc.admin, ec.admin) {
				return tierCore, 1
			}
		}
	}
	// Similarity over the query's own form and its first other spelling
	// (the other script of a Chinese name), against every form: of their
	// cores, or of the whole forms when they give different levels ("Hotan
	// Prefecture" is not quite "Hotan County").
	full := append(append([]string{}, e.names...), e.variants...)
	for i := 0; i < len(q.all) && i < 2; i++ {
		qc := q.cores[i]
		for j, ec := range e.cores {
			if compatible(qc.admin, ec.admin) {
				sim = math.Max(sim, similarity(qc.text, ec.text))
			} else {
				sim = math.Max(sim, similarity(q.all[i], full[j]))
			}
		}
	}
	return tierNone, sim
}

// coreForm is a name without its legal form, site and administrative
// words; admin holds the administrative categories dropped.
type coreForm struct {
	text  string
	admin []string
}

// noiseWords are dropped before names are compared: legal forms and the
// words for a site, which lists add or leave out at will.
var noiseWords = map[string]bool{
	"co": true, "company": true, "corp": true, "corporation": true, "inc": true, "incorporated": true,
	"ltd": true, "limited": true, "llc": true, "plc": true, "gmbh": true, "ag": true, "sa": true,
	"bv": true, "nv": true, "srl": true, "spa": true, "pte": true, "pty": true, "the": true,
	"group": true, "holding": true, "holdings": true, "factory": true, "plant": true,
	"of": true, "in": true, "at": true, "and": true,
}

// adminWords name an administrative level: dropped for comparison, but two
// names that give different levels are not the same.
var adminWords = map[string]string{
	"prefecture": "prefecture", "county": "county", "city": "city", "province": "province",
	"region": "region", "district": "district", "municipality": "city", "autonomous": "",
}

// hanSuffixes are the endings of Chinese names dropped for comparison, with
// the administrative level they give ("" for legal forms and sites).
var hanSuffixes = []struct{ suffix, admin string }{
	{"股份有限公司", ""}, {"有限责任公司", ""}, {"有限公司", ""}, {"集团", ""}, {"公司", ""}, {"工厂", ""}, {"厂", ""},
	{"维吾尔自治区", "region"}, {"自治区", "region"}, {"自治州", "prefecture"}, {"自治县", "county"},
	{"地区", "prefecture"}, {"省", "province"}, {"市", "city"}, {"县", "county"}, {"区", "district"}, {"州", "prefecture"},
}

// core drops noise and administrative words (and Chinese suffixes) from a
// name in normal form; a name that is nothing but such words stays whole.
func core(s string) coreForm {
	var out coreForm
	var kept []string
	for _, w := range strings.Fields(s) {
		if hasHan(w) {
			w = trimHan(w, &out.admin)
		}
		if noiseWords[w] {
			continue
		}
		if a, ok := adminWords[w]; ok {
			if a != "" {
				out.admin = append(out.admin, a)
			}
			continue
		}
		if w != "" {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return coreForm{text: s}
	}
	out.text = strings.Join(kept, " ")
	return out
}

// trimHan drops Chinese legal-form and administrative suffixes, keeping
// at least two characters.
func trimHan(w string, admin *[]string) string {
	for changed := true; changed; {
		changed = false
		for _, s := range hanSuffixes {
			if t, ok := strings.CutSuffix(w, s.suffix); ok && len([]rune(t)) >= 2 {
				w, changed = t, true
				if s.admin != "" {
					*admin = append(*admin, s.admin)
				}
				break
			}
		}
	}
	return w
}

// compatible reports whether two sets of administrative levels may name
// the same thing: one gives none, or they share one.
func compatible(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// similarity of two names in normal form, 0–1: the better of their edit
// similarity and the overlap of their words (each word matched to its most
// similar, counted when at least 0.8 alike).
func similarity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	return math.Max(ratio(a, b), wordOverlap(strings.Fields(a), strings.Fields(b)))
}

func wordOverlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	best := func(w string, in []string) float64 {
		m := 0.0
		for _, x := range in {
			if r := ratio(w, x); r > m {
				m = r
			}
		}
		if m < 0.8 {
			return 0
		}
		return m
	}
	sum := 0.0
	for _, w := range a {
		sum += best(w, b)
	}
	for _, w := range b {
		sum += best(w, a)
	}
	return sum / float64(len(a)+len(b))
}

// ratio is 1 - edit distance / longer length, over characters.
func ratio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(levenshtein(ra, rb))/float64(n)
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// chinaNames are the ways a list names China in a country column.
var chinaNames = map[string]bool{"china": true, "cn": true, "chn": true, "prc": true, "people s republic of china": true,
	"peoples republic of china": true, "mainland china": true, "中国": true, "中國": true, "中华人民共和国": true, "中華人民共和國": true}

// placeMatches says whether the place p given for e agrees with where e is
// (ok), and whether anything is known to decide (known). A place agrees
// when it names one of e's places, in any spelling, or e's own name or
// description names it. A country agrees when it is China and e is a place
// or body in China or located in one; any other country disagrees then.
func placeMatches(p placeValue, e *domain.Entity, places []domain.Entity, formsOf func(*domain.Entity) *nameForms) (ok, known bool) {
	v := strings.TrimSpace(p.Value)
	if v == "" {
		return false, false
	}
	if p.PID == "country" {
		inChina := len(places) > 0 || chineseKind(e.Kind)
		if !inChina {
			return false, false
		}
		return chinaNames[spelling.Normal(v)], true
	}
	qf := queryForms(v)
	for i := range places {
		if t, _ := nameScore(qf, formsOf(&places[i])); t > tierNone {
			return true, true
		}
	}
	if mentions(e, qf) {
		return true, true
	}
	return false, len(places) > 0
}

// mentions reports whether e's name, Chinese name or description names
// the place (as whole words).
func mentions(e *domain.Entity, qf qForms) bool {
	text := " " + spelling.Normal(e.Name+" "+e.NameZh+" "+e.Description) + " "
	for _, s := range qf.all {
		if s == "" {
			continue
		}
		if hasHan(s) {
			if strings.Contains(text, s) {
				return true
			}
		} else if strings.Contains(text, " "+s+" ") {
			return true
		}
	}
	return false
}

// chineseKind: entities of these kinds are in China by what they are.
func chineseKind(k domain.Kind) bool {
	switch k {
	case "buyer", "person", "designation_list", "statistic", "event", "statement", "sector", "programme":
		return false
	}
	return true
}
