package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

// TestPlannedHistory: the seeds have no audit history (loads are not
// audited), so the golden answers show only empty lists. Here edits make
// some, and the planned reads must show exactly what the mutation results
// show (those are served by the fallback loaders and WriteService.History),
// in one statement per root field.
func TestPlannedHistory(t *testing.T) {
	var mu sync.Mutex
	var statements []string
	r := MustServeWith(t, nil, func(s *neo4jstore.Store) {
		s.AddQueryObserver(func(name string, _ time.Duration, _ error) {
			mu.Lock()
			statements = append(statements, name)
			mu.Unlock()
		})
	}, "--load", "../../internal/neo4jstore/testdata/fixture.yaml")
	editor := mustKey(t, "History Editor", "editor")
	const hist = `history(first: 5) { id at actor action reason before after }`
	cite := []map[string]any{{"source": "src:fixture", "quote": "history test"}}
	type result = map[string]json.RawMessage
	mutate := func(query string, vars map[string]any) json.RawMessage {
		t.Helper()
		var out result
		if _, errs := gqlAs(t, r.URL, editor, query, vars, &out); len(errs) > 0 {
			t.Fatalf("%s: %+v\n%s", query, errs, r.Stderr)
		}
		for _, v := range out {
			return v
		}
		return nil
	}
	var last = map[string]json.RawMessage{}
	for i, name := range []string{"Historycounty", "Historycounty (renamed)"} {
		last["entity"] = mutate(`mutation($in: EntityInput!, $why: String) { upsertEntity(input: $in, reason: $why) { `+hist+` } }`,
			map[string]any{"in": map[string]any{"id": "county:history-test", "kind": "county", "name": name, "citations": cite}, "why": fmt.Sprint("edit ", i)})
	}
	last["relation"] = mutate(`mutation($in: RelationInput!) { upsertRelation(input: $in, reason: "pairing") { `+hist+` } }`,
		map[string]any{"in": map[string]any{"id": "rel:history-test", "type": "PART_OF", "from": "county:history-test", "to": "prefecture:testpref",
			"confidence": "reported", "citations": cite}})
	last["source"] = mutate(`mutation($in: SourceInput!) { upsertSource(input: $in, reason: "note") { `+hist+` } }`,
		map[string]any{"in": map[string]any{"id": "src:fixture", "title": "Synthetic fixture", "url": "https://synthetic.invalid/fixture", "type": "other", "grade": "B", "note": "synthetic test data, edited"}})
	for _, k := range []string{"entity", "relation", "source"} {
		var h struct {
			History []any `json:"history"`
		}
		if err := json.Unmarshal(last[k], &h); err != nil || len(h.History) == 0 {
			t.Fatalf("%s: no history after edits: %s", k, last[k])
		}
	}

	mu.Lock()
	statements = nil
	mu.Unlock()
	var got struct {
		Entity struct {
			History   json.RawMessage
			Relations struct {
				Edges []struct {
					Node struct {
						ID      string
						History json.RawMessage
					}
				}
			}
		}
		Source struct{ History json.RawMessage }
		Node   struct{ History json.RawMessage }
	}
	mustGQL(t, r.URL, `{
  entity(id: "county:history-test") { `+hist+` relations { edges { node { id `+hist+` } } } }
  source(id: "src:fixture") { `+hist+` }
  node(id: "rel:history-test") { ... on Relation { `+hist+` } }
}`, nil, &got)
	mu.Lock()
	if len(statements) != 3 {
		t.Errorf("statements %v, want one per root field", statements)
	}
	for _, name := range statements {
		if !plannedStatements[name] {
			t.Errorf("statement %q is not a planned read", name)
		}
	}
	mu.Unlock()
	histOf := func(raw json.RawMessage) string {
		var h struct {
			History json.RawMessage `json:"history"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		return string(h.History)
	}
	if len(got.Entity.Relations.Edges) != 1 || got.Entity.Relations.Edges[0].Node.ID != "rel:history-test" {
		t.Fatalf("relations: %+v", got.Entity.Relations)
	}
	for _, c := range []struct {
		what      string
		got, want string
	}{
		{"entity", string(got.Entity.History), histOf(last["entity"])},
		{"relation (nested)", string(got.Entity.Relations.Edges[0].Node.History), histOf(last["relation"])},
		{"relation (node)", string(got.Node.History), histOf(last["relation"])},
		{"source", string(got.Source.History), histOf(last["source"])},
	} {
		if c.got != c.want {
			t.Errorf("%s history:\nplanned  %s\nmutation %s", c.what, c.got, c.want)
		}
	}
	var entity []any
	if err := json.Unmarshal(got.Entity.History, &entity); err != nil || len(entity) != 2 {
		t.Errorf("entity history: %d events, want 2 (create, update): %s", len(entity), got.Entity.History)
	}
}
