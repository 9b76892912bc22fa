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
		"CREATE INDEX audit_target IF NOT EXISTS FOR (a:AuditEvent) ON (a.target)",
		"CREATE FULLTEXT INDEX " + FulltextIndex + " IF NOT EXISTS FOR (n:Entity) ON EACH [" + strings.Join(fulltextProperties, ", ") + "] " +
			"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}",
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
	return nil
}
