package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/spelling"
)

// BatchSize is how many rows one UNWIND transaction writes.
const BatchSize = 500

func sortCounts(cs []domain.Count) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Count != cs[j].Count {
			return cs[i].Count > cs[j].Count
		}
		return cs[i].Key < cs[j].Key
	})
}

// Stored JSON shapes of the nested values (Neo4j properties cannot be maps).
type citationJSON struct {
	Source  string `json:"source"`
	Quote   string `json:"quote,omitempty"`
	Locator string `json:"locator,omitempty"`
	Attests string `json:"attests,omitempty"`
}

type quantityJSON struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	Source string  `json:"source,omitempty"`
}

func citationsProps(cs []domain.Citation) (string, []string) {
	out := make([]citationJSON, len(cs))
	ids := make([]string, 0, len(cs))
	seen := map[string]bool{}
	for i, c := range cs {
		out[i] = citationJSON{Source: c.SourceID, Quote: c.Quote, Locator: c.Locator, Attests: c.Attests.String()}
		if !seen[c.SourceID] {
			seen[c.SourceID] = true
			ids = append(ids, c.SourceID)
		}
	}
	b, _ := json.Marshal(out)
	return string(b), ids
}

func quantitiesProp(qs []domain.Quantity) string {
	if len(qs) == 0 {
		return ""
	}
	out := make([]quantityJSON, len(qs))
	for i, q := range qs {
		out[i] = quantityJSON{Name: q.Name, Value: q.Value, Unit: q.Unit, Source: q.Source}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func attributesProp(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // map keys are sorted: stable
	return string(b)
}

// withHash drops empty values (so an absent field and "" store the same) and
// adds a hash of the rest: a load compares hashes to tell unchanged rows.
func withHash(props map[string]any) map[string]any {
	for k, v := range props {
		switch x := v.(type) {
		case string:
			if x == "" {
				delete(props, k)
			}
		case []string:
			if len(x) == 0 {
				delete(props, k)
			}
		case bool:
			if !x {
				delete(props, k)
			}
		}
	}
	b, _ := json.Marshal(props) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	props["hash"] = hex.EncodeToString(sum[:16])
	return props
}

func sourceProps(s *domain.Source) map[string]any {
	return withHash(map[string]any{
		"id": s.ID, "title": s.Title, "publisher": s.Publisher, "mirrorOf": s.MirrorOf, "url": s.URL, "document": s.Document,
		"published": s.Published.String(), "type": string(s.Type), "grade": string(s.Grade), "note": s.Note,
	})
}

// entityProps are an entity's stored properties. The search index reads
// searchText (every other spelling of its names: pinyin, simplified and
// traditional forms, British and American spellings); search ranks by
// matchNames (its names and those spellings in normal form).
func entityProps(e *domain.Entity) map[string]any {
	cites, srcIDs := citationsProps(e.Citations)
	names := append([]string{e.Name, e.NameZh}, e.Aliases...)
	variants := spelling.Variants(names...)
	match := make([]string, 0, len(names)+len(variants))
	for _, n := range names {
		if n := spelling.Normal(n); n != "" && !slices.Contains(match, n) {
			match = append(match, n)
		}
	}
	match = append(match, variants...)
	return withHash(map[string]any{
		"id": e.ID, "kind": string(e.Kind), "name": e.Name, "nameZh": e.NameZh,
		"aliases": e.Aliases, "aliasText": strings.Join(e.Aliases, " | "),
		"searchText": strings.Join(variants, " | "), "matchNames": match,
		"description": e.Description,
		"validFrom":   e.ValidFrom.String(), "validTo": e.ValidTo.String(),
		"fromStart": e.ValidFrom.Start(), "toEnd": e.ValidTo.End(),
		"quantities": quantitiesProp(e.Quantities),
		"citations":  cites, "sourceIds": srcIDs, "synthetic": e.Synthetic,
	})
}

// relationProps are a relation's stored properties. bestGrade (of its cited
// sources) and its known period are stored with it, so that traversals can
// filter by evidence and by time without reading the sources.
func relationProps(r *domain.Relation, best domain.Grade) map[string]any {
	cites, srcIDs := citationsProps(r.Citations)
	// Worked out from the dates and citations written, never from a
	// stored period a read brought along (Relation.Known).
	fresh := *r
	fresh.Known = nil
	kf, kt := fresh.KnownPeriod()
	return withHash(map[string]any{
		"id": r.ID, "validFrom": r.ValidFrom.String(), "validTo": r.ValidTo.String(),
		"fromStart": r.ValidFrom.Start(), "toEnd": r.ValidTo.End(),
		"knownFrom": kf.String(), "knownTo": kt.String(), "knownStart": kf.Start(), "knownEnd": kt.End(),
		"bestGrade": string(best), "inferred": r.Inferred,
		"confidence": string(r.Confidence), "role": r.Role,
		"quantities": quantitiesProp(r.Quantities), "attributes": attributesProp(r.Attributes),
		"note": r.Note, "citations": cites, "sourceIds": srcIDs, "synthetic": r.Synthetic,
	})
}

// upsertTail counts what a MERGE did. It expects n (the merged item), row
// (with row.props) and created (whether MERGE created n) in scope, and
// applies extra (more SET/REMOVE clauses) with the write. A row whose hash
// matches the stored one is not written; a claim changed through the API
// (editedBy set) is kept as the editor left it: a load never overwrites an
// editor's correction or undoes a retraction.
func upsertTail(extra string) string {
	return `
WITH n, row, created, coalesce(n.hash = row.props.hash, false) AS same, n.editedBy IS NOT NULL AS edited
FOREACH (_ IN CASE WHEN same OR edited THEN [] ELSE [1] END | SET n = row.props` + extra + `)
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT created AND NOT same AND NOT edited THEN 1 ELSE 0 END) AS updated,
       sum(CASE WHEN same THEN 1 ELSE 0 END) AS unchanged,
       sum(CASE WHEN edited AND NOT same THEN 1 ELSE 0 END) AS kept`
}

var sourceUpsert = `
UNWIND $rows AS row
MERGE (n:Source {id: row.props.id})
WITH n, row, n.hash IS NULL AS created` + upsertTail("")

// setContested marks a claim that a counter-claim contests (n in scope).
const setContested = ", n.contested = COUNT { (c:CounterClaim {contests: n.id}) } > 0"

// kindLabels gives n the label of kind k and takes away every other kind's
// label, so that an entity has one kind label. Labels come from the
// registry only.
func kindLabels(k domain.Kind) string {
	var others []string
	for _, o := range domain.Kinds() {
		if o.Kind != k {
			others = append(others, o.Label)
		}
	}
	set := "n:" + k.Label()
	if len(others) > 0 {
		set += " REMOVE n:" + strings.Join(others, ":")
	}
	return set
}

func entityUpsert(k domain.Kind) string {
	return `
UNWIND $rows AS row
MERGE (n:Entity {id: row.props.id})
WITH n, row, n.hash IS NULL AS created` + upsertTail(setContested+", "+kindLabels(k))
}

// relationUpsert merges by id. A relation whose ends changed is deleted and
// made anew, so an id always names one edge. Each id's RelationId node
// holds its one type: a row whose id is another type's is not written (the
// load then reports it), nor is a row whose ends are missing.
func relationUpsert(typ string) string {
	return `
UNWIND $rows AS row
MATCH (a:Entity {id: row.from}), (b:Entity {id: row.to})
MERGE (k:RelationId {id: row.props.id}) ON CREATE SET k.type = '` + typ + `'
WITH row, a, b WHERE k.type = '` + typ + `'
OPTIONAL MATCH (:Entity)-[old:` + typ + ` {id: row.props.id}]->(:Entity)
WITH row, a, b, old
CALL (old, row) {
  WITH old, row WHERE old IS NOT NULL AND old.editedBy IS NULL
    AND (startNode(old).id <> row.from OR endNode(old).id <> row.to)
  DELETE old
}
MERGE (a)-[n:` + typ + ` {id: row.props.id}]->(b)
WITH n, row, n.hash IS NULL AS created` + upsertTail(setContested)
}

// newLoadSummary makes a summary with every map that counter.add writes
// to: the loads build theirs here, so that none lacks one (a nil map
// panics on the first row that counts in it).
func newLoadSummary() *domain.LoadSummary {
	return &domain.LoadSummary{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}, Kept: map[string]int{}}
}

type counter struct{ sum *domain.LoadSummary }

func (c counter) add(key string, rec *neo4j.Record) error {
	cr, _, e1 := neo4j.GetRecordValue[int64](rec, "created")
	up, _, e2 := neo4j.GetRecordValue[int64](rec, "updated")
	un, _, e3 := neo4j.GetRecordValue[int64](rec, "unchanged")
	kept, _, e4 := neo4j.GetRecordValue[int64](rec, "kept")
	if err := firstErr(e1, e2, e3, e4); err != nil {
		return err
	}
	c.sum.Created[key] += int(cr)
	c.sum.Updated[key] += int(up)
	c.sum.Unchanged[key] += int(un)
	if kept > 0 {
		c.sum.Kept[key] += int(kept)
	}
	return nil
}

// Load upserts sources, then entities, then relations, BatchSize rows per
// transaction. Rows whose content is unchanged are not rewritten, so a
// second load of the same data writes nothing.
func (s *Store) Load(ctx context.Context, d *domain.Dataset, progress domain.Progress) (*domain.LoadSummary, error) {
	sum := newLoadSummary()
	c := counter{sum}
	total := len(d.Sources) + len(d.Entities) + len(d.Relations) + len(d.CounterClaims)
	done := 0
	step := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	batches := func(key, cypher string, rows []map[string]any) error {
		for i := 0; i < len(rows); i += BatchSize {
			batch := rows[i:min(i+BatchSize, len(rows))]
			recs, err := s.writeData(ctx, "load-"+key, cypher, map[string]any{"rows": batch})
			if err != nil {
				return fmt.Errorf("load %s: %w", key, err)
			}
			if len(recs) != 1 {
				return fmt.Errorf("load %s: %d summary rows", key, len(recs))
			}
			if err := c.add(key, recs[0]); err != nil {
				return fmt.Errorf("load %s: decode: %w", key, err)
			}
			step(len(batch))
		}
		return nil
	}

	rows := make([]map[string]any, len(d.Sources))
	for i := range d.Sources {
		rows[i] = map[string]any{"props": sourceProps(&d.Sources[i])}
	}
	if err := batches("source", sourceUpsert, rows); err != nil {
		return sum, err
	}

	byKind := map[domain.Kind][]map[string]any{}
	for i := range d.Entities {
		e := &d.Entities[i]
		byKind[e.Kind] = append(byKind[e.Kind], map[string]any{"props": entityProps(e)})
	}
	for _, k := range domain.Kinds() {
		if len(byKind[k.Kind]) == 0 {
			continue
		}
		if err := batches(string(k.Kind), entityUpsert(k.Kind), byKind[k.Kind]); err != nil {
			return sum, err
		}
	}

	grade, err := s.gradeLookup(ctx, d.Sources, d.Relations)
	if err != nil {
		return sum, err
	}
	byType := map[string][]map[string]any{}
	want := map[string]int{}
	for i := range d.Relations {
		r := &d.Relations[i]
		byType[r.Type] = append(byType[r.Type], map[string]any{"from": r.From, "to": r.To, "props": relationProps(r, domain.BestGrade(r.Citations, grade))})
		want[r.Type]++
	}
	for _, t := range domain.RelationTypes() {
		if len(byType[t.Name]) == 0 {
			continue
		}
		if err := batches(t.Name, relationUpsert(t.Name), byType[t.Name]); err != nil {
			return sum, err
		}
		got := sum.Created[t.Name] + sum.Updated[t.Name] + sum.Unchanged[t.Name] + sum.Kept[t.Name]
		if got != want[t.Name] {
			return sum, domain.Errorf(domain.EBADINPUT, "%d of %d %s relations were not written: an end entity is missing, or the id is another type's relation", want[t.Name]-got, want[t.Name], t.Name)
		}
	}
	if err := s.loadCounterClaims(ctx, d.CounterClaims, batches); err != nil {
		return sum, err
	}
	if sum.Updated["source"] > 0 {
		// A source's grade may have changed: relations citing it in other
		// files keep their stored best grade until recomputed.
		ids := make([]string, len(d.Sources))
		for i, src := range d.Sources {
			ids[i] = src.ID
		}
		if err := s.recomputeBestGrades(ctx, ids); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// gradeLookup returns the grade of every source the relations cite: the
// dataset's own, else the stored one.
func (s *Store) gradeLookup(ctx context.Context, sources []domain.Source, rels []domain.Relation) (func(string) (domain.Grade, bool), error) {
	grades := make(map[string]domain.Grade, len(sources))
	for _, src := range sources {
		grades[src.ID] = src.Grade
	}
	var missing []string
	seen := map[string]bool{}
	for _, r := range rels {
		for _, c := range r.Citations {
			if _, ok := grades[c.SourceID]; !ok && !seen[c.SourceID] {
				seen[c.SourceID] = true
				missing = append(missing, c.SourceID)
			}
		}
	}
	if len(missing) > 0 {
		recs, err := s.read(ctx, "source-grades", `UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s.id AS id, s.grade AS grade`, map[string]any{"ids": missing})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			id, _, e1 := neo4j.GetRecordValue[string](rec, "id")
			g, _, e2 := neo4j.GetRecordValue[string](rec, "grade")
			if err := firstErr(e1, e2); err != nil {
				return nil, fmt.Errorf("source grades: decode: %w", err)
			}
			grades[id] = domain.Grade(g)
		}
	}
	return func(id string) (domain.Grade, bool) { g, ok := grades[id]; return g, ok }, nil
}

// recomputeBestGrades stores anew the best source grade of every relation
// citing one of sourceIDs (after a source's grade changed).
func (s *Store) recomputeBestGrades(ctx context.Context, sourceIDs []string) error {
	_, err := s.writeData(ctx, "recompute-best-grades", recomputeBestGradesCypher, map[string]any{"ids": sourceIDs})
	return err
}

// recomputeBestGradesCypher sets bestGrade to the smallest grade letter (A is
// best) among a relation's cited sources, as domain.BestGrade does.
const recomputeBestGradesCypher = `
MATCH (:Entity)-[r]->(:Entity) WHERE any(x IN r.sourceIds WHERE x IN $ids)
WITH r, COLLECT { MATCH (s:Source) WHERE s.id IN r.sourceIds RETURN s.grade } AS gs
SET r.bestGrade = reduce(best = head(gs), g IN gs | CASE WHEN g < best THEN g ELSE best END)`

// counterClaimProps are a counter-claim's stored properties.
func counterClaimProps(cc *domain.CounterClaim) map[string]any {
	cites, srcIDs := citationsProps(cc.Citations)
	return withHash(map[string]any{
		"id": cc.ID, "contests": cc.Contests, "kind": string(cc.Kind), "by": cc.By,
		"date": cc.Date.String(), "statement": cc.Statement, "citations": cites, "sourceIds": srcIDs,
	})
}

var counterClaimUpsert = `
UNWIND $rows AS row
MERGE (n:CounterClaim {id: row.props.id})
WITH n, row, n.hash IS NULL AS created` + upsertTail("")

func (s *Store) loadCounterClaims(ctx context.Context, ccs []domain.CounterClaim, batches func(key, cypher string, rows []map[string]any) error) error {
	if len(ccs) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(ccs))
	for i := range ccs {
		rows[i] = map[string]any{"props": counterClaimProps(&ccs[i])}
	}
	if err := batches("counterClaim", counterClaimUpsert, rows); err != nil {
		return err
	}
	ids := make([]string, len(ccs))
	for i, cc := range ccs {
		ids[i] = cc.Contests
	}
	_, err := s.writeData(ctx, "mark-contested", markContestedCypher, map[string]any{"ids": ids})
	return err
}

// markContestedCypher marks the claims that counter-claims contest. A
// relation is found by one index seek per registered type.
var markContestedCypher = func() string {
	// Only claims not marked yet are written: a reload of the same
	// counter-claims changes nothing (and the graph's version stays).
	parts := []string{"MATCH (n:Entity {id: id}) WHERE NOT coalesce(n.contested, false) SET n.contested = true RETURN 1 AS one"}
	for _, t := range domain.RelationTypes() {
		parts = append(parts, "MATCH (:Entity)-[n:"+t.Name+" {id: id}]->(:Entity) WHERE NOT coalesce(n.contested, false) SET n.contested = true RETURN 1 AS one")
	}
	return "UNWIND $ids AS id CALL (id) { " + strings.Join(parts, " UNION ALL ") + " } RETURN count(*) AS marked"
}()

// knownCypher describes stored ids: entities by kind, sources with grade and
// date, relations (live claims only: a retracted one cannot be named). A
// relation is found by one index seek per registered type.
func knownCypher() string {
	parts := make([]string, 0, len(domain.RelationTypes()))
	for _, t := range domain.RelationTypes() {
		parts = append(parts, "MATCH (:Entity)-[r:"+t.Name+" {id: id}]->(:Entity) WHERE r.retractedAt IS NULL RETURN r.id AS rid")
	}
	return `
UNWIND $ids AS id
OPTIONAL MATCH (n:Entity {id: id}) WHERE n.retractedAt IS NULL
OPTIONAL MATCH (src:Source {id: id})
OPTIONAL CALL (id) { ` + strings.Join(parts, " UNION ALL ") + ` }
WITH id, n, src, head(collect(rid)) AS rid WHERE n IS NOT NULL OR src IS NOT NULL OR rid IS NOT NULL
RETURN id, CASE WHEN n IS NOT NULL THEN n.kind WHEN src IS NOT NULL THEN 'source' ELSE 'relation' END AS kind,
       coalesce(src.grade, '') AS grade, coalesce(src.published, '') AS published`
}

// KnownIDs describes each id that is stored: entities by their kind,
// sources with their grade and date, relations.
func (s *Store) KnownIDs(ctx context.Context, ids []string) (map[string]domain.Known, error) {
	recs, err := s.read(ctx, "known-ids", knownCypher(), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return decodeKnown(recs)
}

func decodeKnown(recs []*neo4j.Record) (map[string]domain.Known, error) {
	out := make(map[string]domain.Known, len(recs))
	for _, r := range recs {
		id, _, e1 := neo4j.GetRecordValue[string](r, "id")
		k, _, e2 := neo4j.GetRecordValue[string](r, "kind")
		g, _, e3 := neo4j.GetRecordValue[string](r, "grade")
		p, _, e4 := neo4j.GetRecordValue[string](r, "published")
		if err := firstErr(e1, e2, e3, e4); err != nil {
			return nil, fmt.Errorf("known ids: decode: %w", err)
		}
		pub, _ := domain.ParsePartialDate(p)
		out[id] = domain.Known{Kind: domain.Kind(k), Grade: domain.Grade(g), Published: pub}
	}
	return out, nil
}
