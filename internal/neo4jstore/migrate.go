package neo4jstore

import (
	"context"
	"fmt"
	"strings"

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
		"CREATE FULLTEXT INDEX " + FulltextIndex + " IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.nameZh, n.aliasText] " +
			"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}",
	}
	for _, t := range domain.RelationTypes() {
		// Relationship types come from the registry only.
		stmts = append(stmts, fmt.Sprintf(
			"CREATE CONSTRAINT rel_%s_id IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE",
			strings.ToLower(t.Name), t.Name))
	}
	return stmts
}

// Migrate creates the constraints and indexes and waits until they are online.
func (s *Store) Migrate(ctx context.Context) error {
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
