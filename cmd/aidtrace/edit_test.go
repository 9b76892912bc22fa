package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aidtrace/aidtrace/internal/neo4jtest"
)

// mustKey creates an API key with the real command and returns it.
func mustKey(t *testing.T, name, role string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"NEO4J_URI": neo4jtest.URI(t)}
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(t.Context(), []string{"keys", "--name", name, "--role", role, "create"}); code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// gqlAs posts a query with an API key (none when key is "").
func gqlAs(t *testing.T, base, key, query string, vars map[string]any, out any) (int, []gqlError) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("not JSON (%d): %s", resp.StatusCode, raw)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, r.Errors
}

func code(errs []gqlError) string {
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

const upsertEntity = `mutation($in: EntityInput!, $why: String) { upsertEntity(input: $in, reason: $why) { id name retraction { reason } history { action actor reason before after } } }`
const upsertRelation = `mutation($in: RelationInput!, $why: String) { upsertRelation(input: $in, reason: $why) { id type fromId toId history { action } } }`

func newCounty(name string) map[string]any {
	return map[string]any{"id": "county:zz-edit-test", "kind": "county", "name": name,
		"citations": []map[string]any{{"source": "src:urm-weaponized-development", "quote": "test edit (synthetic)"}}}
}

func TestEditing(t *testing.T) {
	r := MustServe(t, nil, "--load", "../../seeds")
	base := r.URL
	editor := mustKey(t, "Test Editor", "editor")
	reader := mustKey(t, "Test Reader", "reader")
	in := map[string]any{"in": newCounty("ZZ Edit Test County"), "why": "test"}

	t.Run("without the right key a mutation is refused and nothing changes", func(t *testing.T) {
		if _, errs := gqlAs(t, base, "", upsertEntity, in, nil); code(errs) != "UNAUTHENTICATED" {
			t.Errorf("anonymous: %+v", errs)
		}
		if _, errs := gqlAs(t, base, reader, upsertEntity, in, nil); code(errs) != "FORBIDDEN" {
			t.Errorf("reader key: %+v", errs)
		}
		status, errs := gqlAs(t, base, "atk_0000000000000000_"+strings.Repeat("x", 43), upsertEntity, in, nil)
		if status != 401 || code(errs) != "UNAUTHENTICATED" {
			t.Errorf("unknown key: %d %+v", status, errs)
		}
		if status, errs := gqlAs(t, base, "not-a-key", `{ stats { entities } }`, nil, nil); status != 401 || code(errs) != "UNAUTHENTICATED" {
			t.Errorf("malformed key on a read: %d %+v", status, errs)
		}
		if n := neo4jtest.MustCount(t, "MATCH (n:Entity {id: 'county:zz-edit-test'}) RETURN count(n) AS n", nil); n != 0 {
			t.Error("a refused mutation wrote the entity")
		}
	})

	t.Run("an editor's change lands and shows in the claim's history", func(t *testing.T) {
		var out struct {
			UpsertEntity struct {
				ID      string
				Name    string
				History []struct{ Action, Actor, Reason, Before, After string }
			}
		}
		if _, errs := gqlAs(t, base, editor, upsertEntity, in, &out); len(errs) > 0 {
			t.Fatalf("create: %+v", errs)
		}
		h := out.UpsertEntity.History
		if len(h) != 1 || h[0].Action != "CREATE" || !strings.Contains(h[0].Actor, "Test Editor") || h[0].Reason != "test" || !strings.Contains(h[0].After, "ZZ Edit Test County") {
			t.Errorf("history after create: %+v", h)
		}
		in2 := map[string]any{"in": newCounty("ZZ Edit Test County (renamed)"), "why": "rename"}
		if _, errs := gqlAs(t, base, editor, upsertEntity, in2, &out); len(errs) > 0 {
			t.Fatalf("update: %+v", errs)
		}
		h = out.UpsertEntity.History
		if len(h) != 2 || h[0].Action != "UPDATE" || !strings.Contains(h[0].Before, `"ZZ Edit Test County"`) || !strings.Contains(h[0].After, "(renamed)") {
			t.Errorf("history after update (newest first): %+v", h)
		}
	})

	rel := map[string]any{"in": map[string]any{"id": "rel:zz-edit-test-pairing", "type": "PAIRED_WITH", "from": "province:zhejiang",
		"to": "county:zz-edit-test", "validFrom": "2020", "confidence": "reported",
		"citations": []map[string]any{{"source": "src:urm-weaponized-development", "quote": "test edit (synthetic)"}}}}

	t.Run("the same validation as the loader", func(t *testing.T) {
		bad := []struct {
			name, query string
			vars        map[string]any
			want        string
		}{
			{"no citation", upsertEntity, map[string]any{"in": map[string]any{"id": "county:zz-x", "kind": "county", "name": "X", "citations": []any{}}}, "at least one citation"},
			{"unknown source", upsertEntity, map[string]any{"in": map[string]any{"id": "county:zz-x", "kind": "county", "name": "X", "citations": []map[string]any{{"source": "src:nowhere", "quote": "q"}}}}, `unknown source "src:nowhere"`},
			{"bad endpoint kinds", upsertRelation, map[string]any{"in": map[string]any{"id": "rel:zz-x", "type": "PAIRED_WITH", "from": "county:zz-edit-test", "to": "province:zhejiang", "confidence": "reported",
				"citations": []map[string]any{{"source": "src:urm-weaponized-development", "quote": "q"}}}}, "PAIRED_WITH cannot start at a county"},
			{"dangling end", upsertRelation, map[string]any{"in": map[string]any{"id": "rel:zz-x", "type": "PART_OF", "from": "county:zz-edit-test", "to": "prefecture:nowhere", "confidence": "reported",
				"citations": []map[string]any{{"source": "src:urm-weaponized-development", "quote": "q"}}}}, `unknown entity "prefecture:nowhere"`},
		}
		for _, tc := range bad {
			_, errs := gqlAs(t, base, editor, tc.query, tc.vars, nil)
			if code(errs) != "BAD_USER_INPUT" || !strings.Contains(errs[0].Message, tc.want) {
				t.Errorf("%s: %+v, want BAD_USER_INPUT with %q", tc.name, errs, tc.want)
			}
		}
		if n := neo4jtest.MustCount(t, "MATCH (n:Entity {id: 'county:zz-x'}) RETURN count(n) AS n", nil); n != 0 {
			t.Error("an invalid mutation wrote an entity")
		}
	})

	chainHas := func(relID string) bool {
		var out chainsOut
		mustGQL(t, base, chainQuery, map[string]any{"id": "county:zz-edit-test", "first": 200}, &out)
		for _, c := range out.ResponsibilityChain.Chains {
			for _, h := range c.Hops {
				if h.Relation.ID == relID {
					return true
				}
			}
		}
		return false
	}

	t.Run("a relation added by an editor is traversed; retracted, it is hidden but kept", func(t *testing.T) {
		if _, errs := gqlAs(t, base, editor, upsertRelation, rel, nil); len(errs) > 0 {
			t.Fatalf("upsertRelation: %+v", errs)
		}
		if !chainHas("rel:zz-edit-test-pairing") {
			t.Fatal("the new pairing is not in the chain up from the new county")
		}
		var out struct {
			RetractRelation struct {
				ID         string
				Retraction struct{ Reason, By string }
				History    []struct{ Action string }
			}
		}
		if _, errs := gqlAs(t, base, editor, `mutation { retractRelation(id: "rel:zz-edit-test-pairing", reason: "test retraction") { id retraction { reason by } history { action } } }`, nil, &out); len(errs) > 0 {
			t.Fatalf("retract: %+v", errs)
		}
		if out.RetractRelation.Retraction.Reason != "test retraction" || len(out.RetractRelation.History) != 2 || out.RetractRelation.History[0].Action != "RETRACT" {
			t.Errorf("retraction: %+v", out.RetractRelation)
		}
		if chainHas("rel:zz-edit-test-pairing") {
			t.Error("a retracted relation is still traversed")
		}
		if n := neo4jtest.MustCount(t, "MATCH ()-[r {id: 'rel:zz-edit-test-pairing'}]->() RETURN count(r) AS n", nil); n != 1 {
			t.Errorf("retracted relation stored %d times, want 1 (never deleted)", n)
		}
		var node struct {
			Node struct {
				Retraction struct{ Reason string }
			}
		}
		mustGQL(t, base, `{ node(id: "rel:zz-edit-test-pairing") { ... on Relation { retraction { reason } } } }`, nil, &node)
		if node.Node.Retraction.Reason != "test retraction" {
			t.Errorf("node(id) of a retracted relation: %+v", node)
		}
		if _, errs := gqlAs(t, base, editor, `mutation { retractRelation(id: "rel:zz-edit-test-pairing", reason: "") { id } }`, nil, nil); code(errs) != "BAD_USER_INPUT" {
			t.Errorf("retraction without a reason / twice: %+v", errs)
		}
	})

	t.Run("a retracted entity leaves search and stats", func(t *testing.T) {
		var before, after struct{ Stats struct{ Entities int } }
		mustGQL(t, base, `{ stats { entities } }`, nil, &before)
		if _, errs := gqlAs(t, base, editor, `mutation { retractEntity(id: "county:zz-edit-test", reason: "test") { id } }`, nil, nil); len(errs) > 0 {
			t.Fatalf("retractEntity: %+v", errs)
		}
		mustGQL(t, base, `{ stats { entities } }`, nil, &after)
		if after.Stats.Entities != before.Stats.Entities-1 {
			t.Errorf("stats: %d entities before, %d after retraction", before.Stats.Entities, after.Stats.Entities)
		}
		var s struct{ Search []struct{ Entity entityRef } }
		mustGQL(t, base, `{ search(text: "ZZ Edit Test County") { entity { id } } }`, nil, &s)
		for _, h := range s.Search {
			if h.Entity.ID == "county:zz-edit-test" {
				t.Error("search finds a retracted entity")
			}
		}
		var e struct {
			Entity struct{ Retraction struct{ Reason string } }
		}
		mustGQL(t, base, `{ entity(id: "county:zz-edit-test") { retraction { reason } } }`, nil, &e)
		if e.Entity.Retraction.Reason != "test" {
			t.Errorf("entity(id) does not show the retraction: %+v", e)
		}
	})

	t.Run("a reload of the files keeps an editor's correction", func(t *testing.T) {
		fix := map[string]any{"in": map[string]any{"id": "prefecture:aksu", "kind": "prefecture", "name": "Aksu Prefecture (edited)", "nameZh": "阿克苏地区",
			"citations": []map[string]any{{"source": "src:urm-weaponized-development", "quote": "test edit"}}}, "why": "test"}
		if _, errs := gqlAs(t, base, editor, upsertEntity, fix, nil); len(errs) > 0 {
			t.Fatalf("edit: %+v", errs)
		}
		var out, errOut bytes.Buffer
		env := map[string]string{"NEO4J_URI": neo4jtest.URI(t)}
		m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(t.Context(), []string{"load", "../../seeds"}); code != 0 {
			t.Fatalf("reload: %d %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), "kept:") {
			t.Errorf("the summary does not report the kept claim:\n%s", out.String())
		}
		if n := neo4jtest.MustCount(t, "MATCH (n:Entity {id: 'prefecture:aksu', name: 'Aksu Prefecture (edited)'}) RETURN count(n) AS n", nil); n != 1 {
			t.Error("the reload overwrote the editor's correction")
		}
	})

	t.Run("keys can be revoked", func(t *testing.T) {
		k := mustKey(t, "Short-lived", "editor")
		id := strings.Split(k, "_")[1]
		var errOut bytes.Buffer
		env := map[string]string{"NEO4J_URI": neo4jtest.URI(t)}
		m := &Main{Stdout: io.Discard, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(t.Context(), []string{"keys", "revoke", id}); code != 0 {
			t.Fatalf("revoke: %s", errOut.String())
		}
		if status, errs := gqlAs(t, base, k, `{ stats { entities } }`, nil, nil); status != 401 || !strings.Contains(errs[0].Message, "revoked") {
			t.Errorf("revoked key: %d %+v", status, errs)
		}
	})
}

func TestRateLimitsAndRequiredKeys(t *testing.T) {
	r := MustServe(t, map[string]string{"AIDTRACE_RATE_PER_ADDR": "2", "AIDTRACE_REQUIRE_KEY": "true"})
	reader := mustKey(t, "Reader", "reader")
	if status, errs := gqlAs(t, r.URL, "", `{ stats { entities } }`, nil, nil); status != 401 || code(errs) != "UNAUTHENTICATED" {
		t.Errorf("anonymous read with AIDTRACE_REQUIRE_KEY: %d %+v", status, errs)
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, errs := gqlAs(t, r.URL, reader, `{ stats { entities } }`, nil, nil)
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
			if status == 429 && code(errs) != "LIMIT_EXCEEDED" {
				t.Errorf("429 without LIMIT_EXCEEDED: %+v", errs)
			}
		}()
	}
	wg.Wait()
	if statuses[200] == 0 || statuses[429] == 0 || statuses[200]+statuses[429] != 20 {
		t.Errorf("20 requests at 2/s (burst 4) from one address: %v; want some 200 and some 429 only", statuses)
	}
}
