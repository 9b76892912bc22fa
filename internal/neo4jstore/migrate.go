package neo4jstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// FulltextIndex is the name of the full-text index over names, aliases and
// Chinese names. The CJK analyzer indexes Han characters as bigrams, so
// "阿克苏" finds 阿克苏地区, and lower-cases Latin text.
const FulltextIndex = "entity_names"

// schemaStatements are the constraints and indexes, all idempotent.
func schemaStatements() []string {
	stmts := []string{
		"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE",
		"CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
		"CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
		"CREATE INDEX source_grade IF NOT EXISTS FOR (s:Source) ON (s.grade)",
		"CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
		// A relation id is unique across every type: Neo4j's relationship
		// constraints hold per type only, so each id also has a node.
		"CREATE CONSTRAINT relation_id IF NOT EXISTS FOR (k:RelationId) REQUIRE k.id IS UNIQUE",
		"CREATE CONSTRAINT migration_name IF NOT EXISTS FOR (m:Migration) REQUIRE m.name IS UNIQUE",
		"CREATE INDEX audit_target IF NOT EXISTS FOR (a:AuditEvent) ON (a.target)",
		"CREATE FULLTEXT INDEX " + FulltextIndex + " IF NOT EXISTS FOR (n:Entity) ON EACH [" + strings.Join(fulltextProperties, ", ") + "] " +
			"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}",
		// One version node (MERGE under concurrent writers needs the constraint).
		"CREATE CONSTRAINT graph_version_id IF NOT EXISTS FOR (v:GraphVersion) REQUIRE v.id IS UNIQUE",
		"CREATE CONSTRAINT counterclaim_id IF NOT EXISTS FOR (c:CounterClaim) REQUIRE c.id IS UNIQUE",
		"CREATE INDEX counterclaim_contests IF NOT EXISTS FOR (c:CounterClaim) ON (c.contests)",
	}
	for _, t := range domain.RelationTypes() {
		// Relationship types come from the registry only.
		stmts = append(stmts, fmt.Sprintf(
			"CREATE CONSTRAINT rel_%s_id IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE",
			strings.ToLower(t.Name), t.Name))
	}
	return stmts
}

// fulltextProperties are the entity properties the full-text index covers.
var fulltextProperties = []string{"n.name", "n.nameZh", "n.aliasText", "n.searchText"}

// Migrate creates the constraints and indexes and waits until they are
// online. A full-text index made by an earlier version over other
// properties is dropped first, so that it is made anew.
func (s *Store) Migrate(ctx context.Context) error {
	recs, err := s.read(ctx, "migrate-fulltext", "SHOW FULLTEXT INDEXES YIELD name, properties WHERE name = $name RETURN properties", map[string]any{"name": FulltextIndex})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(recs) == 1 {
		props, _, err := neo4j.GetRecordValue[[]any](recs[0], "properties")
		if err != nil {
			return fmt.Errorf("migrate: decode: %w", err)
		}
		if len(props) != len(fulltextProperties) {
			if _, err := s.write(ctx, "migrate", "DROP INDEX "+FulltextIndex, nil); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
	}
	for _, stmt := range schemaStatements() {
		if _, err := s.write(ctx, "migrate", stmt, nil); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if _, err := s.write(ctx, "await-indexes", "CALL db.awaitIndexes(120)", nil); err != nil {
		return fmt.Errorf("migrate: await indexes: %w", err)
	}
	if err := s.backfillRelationIDs(ctx); err != nil {
		return fmt.Errorf("migrate: relation ids: %w", err)
	}
	return nil
}

// backfillRelationIDs gives every stored relation its RelationId node, once
// per database (relations written before the nodes existed), a page at a
// time in id order per type. Where two relations of different types share
// an id (possible before), the id keeps the type found first.
func (s *Store) backfillRelationIDs(ctx context.Context) error {
	const name = "relation-ids"
	recs, err := s.read(ctx, "migration-done", `OPTIONAL MATCH (m:Migration {name: $name}) RETURN m IS NOT NULL AS done`, map[string]any{"name": name})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("migration %s: %d records", name, len(recs))
	}
	if done, _, err := neo4j.GetRecordValue[bool](recs[0], "done"); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	} else if done {
		return nil
	}
	for _, t := range domain.RelationTypes() {
		after := ""
		for {
			// The type comes from the registry only.
			recs, err := s.write(ctx, "backfill-relation-ids", `
MATCH (:Entity)-[r:`+t.Name+`]->(:Entity) WHERE r.id > $after
WITH r ORDER BY r.id LIMIT 5000
MERGE (k:RelationId {id: r.id}) ON CREATE SET k.type = $type
RETURN count(r) AS n, max(r.id) AS last`, map[string]any{"after": after, "type": t.Name})
			if err != nil {
				return err
			}
			if len(recs) != 1 {
				return fmt.Errorf("migration %s: %d records", name, len(recs))
			}
			n, _, err := neo4j.GetRecordValue[int64](recs[0], "n")
			if err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if n == 0 {
				break
			}
			if after, _, err = neo4j.GetRecordValue[string](recs[0], "last"); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
	}
	_, err = s.write(ctx, "migration-done", `MERGE (m:Migration {name: $name}) ON CREATE SET m.at = toString(datetime.realtime())`, map[string]any{"name": name})
	return err
}
