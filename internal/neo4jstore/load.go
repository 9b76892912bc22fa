package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
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
}

type quantityJSON struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

func citationsProps(cs []domain.Citation) (string, []string) {
	out := make([]citationJSON, len(cs))
	ids := make([]string, 0, len(cs))
	seen := map[string]bool{}
	for i, c := range cs {
		out[i] = citationJSON{Source: c.SourceID, Quote: c.Quote, Locator: c.Locator}
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
		out[i] = quantityJSON(q)
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
		"id": s.ID, "title": s.Title, "publisher": s.Publisher, "url": s.URL,
		"published": s.Published.String(), "type": string(s.Type), "grade": string(s.Grade), "note": s.Note,
	})
}

func entityProps(e *domain.Entity) map[string]any {
	cites, srcIDs := citationsProps(e.Citations)
	return withHash(map[string]any{
		"id": e.ID, "kind": string(e.Kind), "name": e.Name, "nameZh": e.NameZh,
		"aliases": e.Aliases, "aliasText": strings.Join(e.Aliases, " | "),
		"description": e.Description,
		"validFrom":   e.ValidFrom.String(), "validTo": e.ValidTo.String(),
		"fromStart": e.ValidFrom.Start(), "toEnd": e.ValidTo.End(),
		"quantities": quantitiesProp(e.Quantities),
		"citations":  cites, "sourceIds": srcIDs, "synthetic": e.Synthetic,
	})
}

func relationProps(r *domain.Relation) map[string]any {
	cites, srcIDs := citationsProps(r.Citations)
	return withHash(map[string]any{
		"id": r.ID, "validFrom": r.ValidFrom.String(), "validTo": r.ValidTo.String(),
		"fromStart": r.ValidFrom.Start(), "toEnd": r.ValidTo.End(),
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

func entityUpsert(label string, others []string) string {
	labels := ", n:" + label
	if len(others) > 0 {
		labels += " REMOVE n:" + strings.Join(others, ":")
	}
	return `
UNWIND $rows AS row
MERGE (n:Entity {id: row.props.id})
WITH n, row, n.hash IS NULL AS created` + upsertTail(labels)
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
WITH n, row, n.hash IS NULL AS created` + upsertTail("")
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
	sum := &domain.LoadSummary{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}, Kept: map[string]int{}}
	c := counter{sum}
	total := len(d.Sources) + len(d.Entities) + len(d.Relations)
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
			recs, err := s.write(ctx, "load-"+key, cypher, map[string]any{"rows": batch})
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
		var others []string
		for _, o := range domain.Kinds() {
			if o.Kind != k.Kind {
				others = append(others, o.Label)
			}
		}
		if err := batches(string(k.Kind), entityUpsert(k.Label, others), byKind[k.Kind]); err != nil {
			return sum, err
		}
	}

	byType := map[string][]map[string]any{}
	want := map[string]int{}
	for i := range d.Relations {
		r := &d.Relations[i]
		byType[r.Type] = append(byType[r.Type], map[string]any{"from": r.From, "to": r.To, "props": relationProps(r)})
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
	return sum, nil
}

// KnownIDs returns the kind of each id that is stored: entities by their
// kind, sources as "source".
func (s *Store) KnownIDs(ctx context.Context, ids []string) (map[string]domain.Kind, error) {
	recs, err := s.read(ctx, "known-ids", `
UNWIND $ids AS id
OPTIONAL MATCH (n:Entity {id: id})
OPTIONAL MATCH (src:Source {id: id})
WITH id, n, src WHERE n IS NOT NULL OR src IS NOT NULL
RETURN id, coalesce(n.kind, 'source') AS kind`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Kind, len(recs))
	for _, r := range recs {
		id, _, e1 := neo4j.GetRecordValue[string](r, "id")
		k, _, e2 := neo4j.GetRecordValue[string](r, "kind")
		if err := firstErr(e1, e2); err != nil {
			return nil, fmt.Errorf("known ids: decode: %w", err)
		}
		out[id] = domain.Kind(k)
	}
	return out, nil
}
