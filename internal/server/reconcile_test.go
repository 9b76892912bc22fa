package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

// These tests check /reconcile against what the W3C Entity Reconciliation
// Community Group's specification, version 0.2, requires of a service
// (the section of the specification is named in each), on the synthetic
// fixture in testdata/interop.yaml, and the OpenRefine-style batch of the
// issue on the seed dataset.

const fixture = "testdata/interop.yaml"

type candidate struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"type"`
	Score    *float64 `json:"score"`
	Match    *bool    `json:"match"`
	Features []struct {
		ID    string `json:"id"`
		Value any    `json:"value"`
	} `json:"features"`
}

type resultBatch map[string]struct {
	Result []candidate `json:"result"`
}

// reconcile posts a batch as OpenRefine does: a form field "queries".
func reconcile(t *testing.T, base string, batch map[string]any) resultBatch {
	t.Helper()
	var out resultBatch
	resp := call(t, http.MethodPost, base+"/reconcile", strings.NewReader(form("queries", mustJSON(t, batch)).Encode()),
		"application/x-www-form-urlencoded", &out)
	if resp.StatusCode != 200 {
		t.Fatalf("reconcile: status %d", resp.StatusCode)
	}
	return out
}

// checkShape checks every result against §4.2: a result per query key,
// candidates with id, name, numeric score, boolean match and types, sorted
// by decreasing score, at most one match.
func checkShape(t *testing.T, batch map[string]any, out resultBatch) {
	t.Helper()
	if len(out) != len(batch) {
		t.Errorf("%d results for %d queries", len(out), len(batch))
	}
	for k := range batch {
		res, ok := out[k]
		if !ok {
			t.Errorf("no result for query %q", k)
			continue
		}
		if res.Result == nil {
			t.Errorf("%s: result is not an array", k)
		}
		matches := 0
		for i, c := range res.Result {
			if c.ID == "" || c.Name == "" || c.Score == nil || c.Match == nil {
				t.Errorf("%s[%d]: id, name, score and match are required: %+v", k, i, c)
				continue
			}
			if *c.Score < 0 || *c.Score > 100 {
				t.Errorf("%s[%d]: score %v outside 0–100", k, i, *c.Score)
			}
			if i > 0 && *c.Score > *res.Result[i-1].Score {
				t.Errorf("%s: not sorted by decreasing score at %d", k, i)
			}
			if len(c.Type) != 1 || c.Type[0].ID == "" || c.Type[0].Name == "" || !domain.Kind(c.Type[0].ID).Valid() {
				t.Errorf("%s[%d]: type %+v, want one of our kinds with id and name", k, i, c.Type)
			}
			if !strings.HasPrefix(c.ID, c.Type[0].ID+":") {
				t.Errorf("%s[%d]: %s is not of its type %s", k, i, c.ID, c.Type[0].ID)
			}
			if *c.Match {
				matches++
				if i != 0 {
					t.Errorf("%s: candidate %d matches but is not first", k, i)
				}
			}
		}
		if matches > 1 {
			t.Errorf("%s: %d candidates match", k, matches)
		}
	}
}

func TestReconcileManifest(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	for _, tc := range []struct {
		name, method, contentType, body string
	}{
		{"GET without parameters (§3.1)", http.MethodGet, "", ""},
		{"POST without parameters", http.MethodPost, "application/x-www-form-urlencoded", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			resp := call(t, tc.method, srv.URL+"/reconcile", strings.NewReader(tc.body), tc.contentType, &m)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			checkManifest(t, srv.URL, m)
		})
	}

	t.Run("configured public URL", func(t *testing.T) {
		other := startInterop(t, srv.Store, server.InteropConfig{PublicURL: "https://aidtrace.example.org/"})
		var m map[string]any
		call(t, http.MethodGet, other.URL+"/reconcile", nil, "", &m)
		checkManifest(t, "https://aidtrace.example.org", m)
	})

	t.Run("a hostile Host header is not echoed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/reconcile", nil)
		req.Host = `evil.example"><script>`
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b := body(resp); strings.Contains(b, "evil") {
			t.Errorf("manifest echoes the Host header: %s", truncate(b, 300))
		}
	})
}

// checkManifest checks the service manifest (§3.1 and the manifest
// schema): the required fields, and every optional one we offer.
func checkManifest(t *testing.T, base string, m map[string]any) {
	t.Helper()
	str := func(path ...string) string {
		var v any = m
		for _, p := range path {
			obj, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			v = obj[p]
		}
		s, _ := v.(string)
		return s
	}
	versions, _ := m["versions"].([]any)
	if !slices.Contains(versions, any("0.2")) {
		t.Errorf("versions %v does not list 0.2", m["versions"])
	}
	for _, f := range []string{"name", "identifierSpace", "schemaSpace"} {
		if str(f) == "" {
			t.Errorf("required field %s missing", f)
		}
	}
	if !strings.HasPrefix(str("identifierSpace"), base+"/") || !strings.HasPrefix(str("schemaSpace"), base+"/") {
		t.Errorf("spaces %q %q do not start with %s", str("identifierSpace"), str("schemaSpace"), base)
	}
	// defaultTypes: our kinds, each {id, name}, unique.
	var ids []string
	types, _ := m["defaultTypes"].([]any)
	for _, ty := range types {
		o, _ := ty.(map[string]any)
		id, _ := o["id"].(string)
		name, _ := o["name"].(string)
		if id == "" || name == "" {
			t.Errorf("default type %v without id or name", ty)
		}
		ids = append(ids, id)
	}
	var kinds []string
	for _, k := range domain.Kinds() {
		kinds = append(kinds, string(k.Kind))
	}
	if strings.Join(ids, ",") != strings.Join(kinds, ",") {
		t.Errorf("defaultTypes %v, want the kinds %v", ids, kinds)
	}
	if u := str("view", "url"); u != base+"/?id={{id}}" {
		t.Errorf("view url %q, want the explorer's %s/?id={{id}}", u, base)
	}
	if u := str("preview", "url"); !strings.HasPrefix(u, base+"/") || !strings.Contains(u, "{{id}}") {
		t.Errorf("preview url %q", u)
	}
	p, _ := m["preview"].(map[string]any)
	for _, f := range []string{"width", "height"} {
		if n, ok := p[f].(float64); !ok || n <= 0 || n != float64(int(n)) {
			t.Errorf("preview %s %v, want a positive integer", f, p[f])
		}
	}
	for _, kind := range []string{"entity", "type", "property"} {
		if str("suggest", kind, "service_url") != base || !strings.HasPrefix(str("suggest", kind, "service_path"), "/reconcile/suggest/") {
			t.Errorf("suggest %s: %q %q", kind, str("suggest", kind, "service_url"), str("suggest", kind, "service_path"))
		}
	}
	if str("extend", "propose_properties", "service_url") != base || str("extend", "propose_properties", "service_path") == "" {
		t.Errorf("extend.propose_properties %v", m["extend"])
	}
	ext, _ := m["extend"].(map[string]any)
	settings, _ := ext["property_settings"].([]any)
	for _, s := range settings {
		o, _ := s.(map[string]any)
		if o["name"] == nil || o["label"] == nil || !slices.Contains([]any{"number", "text", "checkbox", "select"}, o["type"]) {
			t.Errorf("property setting %v lacks type, label or name", s)
		}
	}
	if n, _ := m["batchSize"].(float64); int(n) != server.MaxReconcileBatch {
		t.Errorf("batchSize %v, want %d", m["batchSize"], server.MaxReconcileBatch)
	}
}

// TestReconcileScoring: names in every spelling, namesakes, places that
// tell them apart, a near miss and an unknown name.
func TestReconcileScoring(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	batch := map[string]any{
		"alias":           map[string]any{"query": "Beihe"},
		"alias typed":     map[string]any{"query": "Beihe", "type": "prefecture"},
		"full name":       map[string]any{"query": "Beihe Prefecture"},
		"chinese short":   map[string]any{"query": "北河"},
		"traditional":     map[string]any{"query": "西嶺縣"},
		"pinyin":          map[string]any{"query": "Xiling"},
		"us spelling":     map[string]any{"query": "Xiling County Labor Bureau"},
		"namesakes":       map[string]any{"query": "Qiaoxi Footwear"},
		"by city":         map[string]any{"query": "Qiaoxi Footwear", "properties": []any{map[string]any{"pid": "city", "v": "Haigang"}}},
		"by city zh":      map[string]any{"query": "QIAOXI FOOTWEAR CO., LTD", "properties": []any{map[string]any{"pid": "city", "v": "山脚"}}},
		"by province":     map[string]any{"query": "Qiaoxi Footwear", "properties": []any{map[string]any{"pid": "province", "v": []any{"Dongjiang"}}}},
		"by location ref": map[string]any{"query": "Qiaoxi Footwear", "properties": []any{map[string]any{"pid": "location", "v": map[string]any{"id": "city:fx-shanjiao", "name": "Shanjiao"}}}},
		"near miss":       map[string]any{"query": "Qiaoxi Fotwear"},
		"site word":       map[string]any{"query": "Lumen Optics Beihe"},
		"unknown":         map[string]any{"query": "Zzyzx Unknown Trading"},
		"id":              map[string]any{"query": "factory:fx-lumen-optics"},
		"limit":           map[string]any{"query": "Qiaoxi Footwear", "limit": 1},
		"type list":       map[string]any{"query": "Beihe", "type": []any{"city", "county"}, "type_strict": "any"},
		"kind property":   map[string]any{"query": "Beihe", "properties": []any{map[string]any{"pid": "kind", "v": "city"}}},
	}
	out := reconcile(t, srv.URL, batch)
	checkShape(t, batch, out)

	tests := []struct {
		key   string
		top   string
		score float64 // 0: not checked
		match bool
		n     int // -1: not checked
	}{
		// An alias of the prefecture, and Beihe City's name without its
		// level: two exact candidates, so no match; the higher-level body
		// first.
		{"alias", "prefecture:fx-beihe", 100, false, -1},
		{"alias typed", "prefecture:fx-beihe", 100, true, 1},
		// "Prefecture" rules out Beihe City.
		{"full name", "prefecture:fx-beihe", 100, true, -1},
		// 北河 is 北河地区 and 北河市 alike.
		{"chinese short", "prefecture:fx-beihe", 96, false, -1},
		// 西嶺縣 is the traditional form of 西岭县.
		{"traditional", "county:fx-xiling", 98, true, -1},
		// Xiling is the pinyin of 西岭县.
		{"pinyin", "county:fx-xiling", 98, true, -1},
		{"us spelling", "bureau:fx-xiling-labour", 98, true, -1},
		// Two factories of the same name in different cities.
		{"namesakes", "factory:fx-qiaoxi-haigang", 96, false, 2},
		{"by city", "factory:fx-qiaoxi-haigang", 100, true, 2},
		{"by city zh", "factory:fx-qiaoxi-shanjiao", 100, true, 2},
		{"by province", "factory:fx-qiaoxi-haigang", 100, true, 2},
		{"by location ref", "factory:fx-qiaoxi-shanjiao", 100, true, 2},
		{"near miss", "factory:fx-qiaoxi-haigang", 0, false, -1},
		{"site word", "factory:fx-lumen-optics", 96, true, -1},
		{"unknown", "", 0, false, 0},
		{"id", "factory:fx-lumen-optics", 100, true, 1},
		{"limit", "factory:fx-qiaoxi-haigang", 96, false, 1},
		// Beihe is the pinyin of 北河市 without its level.
		{"type list", "city:fx-beihe", 98, true, 1},
		{"kind property", "city:fx-beihe", 98, true, 1},
	}
	for _, tt := range tests {
		res := out[tt.key].Result
		if tt.n >= 0 && len(res) != tt.n {
			t.Errorf("%s: %d candidates, want %d: %v", tt.key, len(res), tt.n, ids(res))
		}
		if tt.top == "" {
			continue
		}
		if len(res) == 0 {
			t.Errorf("%s: no candidates, want %s", tt.key, tt.top)
			continue
		}
		c := res[0]
		if c.ID != tt.top {
			t.Errorf("%s: top %s, want %s (all: %v)", tt.key, c.ID, tt.top, ids(res))
		}
		if tt.score != 0 && *c.Score != tt.score {
			t.Errorf("%s: score %v, want %v", tt.key, *c.Score, tt.score)
		}
		if *c.Match != tt.match {
			t.Errorf("%s: match %v, want %v", tt.key, *c.Match, tt.match)
		}
	}
	// The other namesake is scored down when the city says it is not it.
	if res := out["by city"].Result; len(res) == 2 && *res[1].Score >= 90 {
		t.Errorf("by city: the factory in another city scores %v", *res[1].Score)
	}
	// A near miss is a likely candidate, never a match nor exact.
	if res := out["near miss"].Result; len(res) > 0 && (*res[0].Score < server.CandidateScore || *res[0].Score >= 96) {
		t.Errorf("near miss scores %v, want between %d and 96", *res[0].Score, server.CandidateScore)
	}
	// Features say why: the place matched.
	if res := out["by city"].Result; len(res) > 0 && !hasFeature(res[0], "city_match", true) {
		t.Errorf("by city: no city_match feature: %+v", res[0].Features)
	}

	// The same batch by GET (§4.3: SHOULD) answers the same.
	var viaGet resultBatch
	resp := call(t, http.MethodGet, srv.URL+"/reconcile?"+form("queries", mustJSON(t, batch)).Encode(), nil, "", &viaGet)
	if resp.StatusCode != 200 || mustJSON(t, viaGet) != mustJSON(t, out) {
		t.Errorf("GET answers differently from POST (status %d)", resp.StatusCode)
	}
}

func ids(cs []candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s=%v", c.ID, *c.Score))
	}
	return out
}

func hasFeature(c candidate, id string, v any) bool {
	for _, f := range c.Features {
		if f.ID == id && f.Value == v {
			return true
		}
	}
	return false
}

func TestReconcileErrors(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	big := map[string]any{}
	for i := 0; i <= server.MaxReconcileBatch; i++ {
		big[fmt.Sprintf("q%d", i)] = map[string]any{"query": "Beihe"}
	}
	post := func(field, v string) *http.Response {
		return call(t, http.MethodPost, srv.URL+"/reconcile", strings.NewReader(form(field, v).Encode()), "application/x-www-form-urlencoded", nil)
	}
	tests := []struct {
		name   string
		resp   func() *http.Response
		status int
		code   string
	}{
		{"not JSON", func() *http.Response { return post("queries", "{q0:") }, 400, domain.EBADINPUT},
		{"not an object of queries", func() *http.Response { return post("queries", `["Beihe"]`) }, 400, domain.EBADINPUT},
		{"batch above batchSize", func() *http.Response { return post("queries", mustJSON(t, big)) }, 413, domain.ELIMIT},
		{"unknown type", func() *http.Response { return post("queries", `{"q0":{"query":"Beihe","type":"Q5"}}`) }, 400, domain.EBADINPUT},
		{"unknown property", func() *http.Response {
			return post("queries", `{"q0":{"query":"Beihe","properties":[{"pid":"P17","v":"China"}]}}`)
		}, 400, domain.EBADINPUT},
		{"bad limit", func() *http.Response { return post("queries", `{"q0":{"query":"Beihe","limit":-1}}`) }, 400, domain.EBADINPUT},
		{"neither query nor properties", func() *http.Response { return post("queries", `{"q0":{"limit":3}}`) }, 400, domain.EBADINPUT},
		{"queries and extend", func() *http.Response {
			return call(t, http.MethodPost, srv.URL+"/reconcile", strings.NewReader(form("queries", "{}", "extend", "{}").Encode()), "application/x-www-form-urlencoded", nil)
		}, 400, domain.EBADINPUT},
		{"extend above batchSize", func() *http.Response {
			var many []string
			for i := 0; i <= server.MaxReconcileBatch; i++ {
				many = append(many, fmt.Sprintf("county:x%d", i))
			}
			return post("extend", mustJSON(t, map[string]any{"ids": many, "properties": []any{map[string]any{"id": "kind"}}}))
		}, 413, domain.ELIMIT},
		{"extend unknown property", func() *http.Response {
			return post("extend", `{"ids":["county:fx-xiling"],"properties":[{"id":"P31"}]}`)
		}, 400, domain.EBADINPUT},
		{"PUT", func() *http.Response { return call(t, http.MethodPut, srv.URL+"/reconcile", nil, "", nil) }, 405, domain.EBADINPUT},
		{"no such endpoint", func() *http.Response { return call(t, http.MethodGet, srv.URL+"/reconcile/nope", nil, "", nil) }, 404, domain.ENOTFOUND},
		{"preview of an unknown entity", func() *http.Response {
			return call(t, http.MethodGet, srv.URL+"/reconcile/preview?id=county:nowhere", nil, "", nil)
		}, 404, domain.ENOTFOUND},
		{"preview of a bad id", func() *http.Response {
			return call(t, http.MethodGet, srv.URL+"/reconcile/preview?id=%3Cscript%3E", nil, "", nil)
		}, 400, domain.EBADINPUT},
		{"propose for an unknown type", func() *http.Response {
			return call(t, http.MethodGet, srv.URL+"/reconcile/properties?type=Q5", nil, "", nil)
		}, 400, domain.EBADINPUT},
		{"bad cursor", func() *http.Response {
			return call(t, http.MethodGet, srv.URL+"/reconcile/suggest/entity?prefix=Bei&cursor=-1", nil, "", nil)
		}, 400, domain.EBADINPUT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.resp()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if code := errorCode(t, resp); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
		})
	}
}

func TestReconcileSuggestPreviewPropose(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	type item struct {
		ID, Name, Description string
		Notable               []struct{ ID, Name string }
	}
	suggest := func(kind, q string) []item {
		t.Helper()
		var out struct{ Result []item }
		resp := call(t, http.MethodGet, srv.URL+"/reconcile/suggest/"+kind+"?"+q, nil, "", &out)
		if resp.StatusCode != 200 || out.Result == nil {
			t.Fatalf("suggest %s %s: status %d, result %v", kind, q, resp.StatusCode, out.Result)
		}
		for _, it := range out.Result {
			if it.ID == "" || it.Name == "" {
				t.Errorf("suggest %s %s: item without id or name: %+v", kind, q, it)
			}
		}
		return out.Result
	}
	itemIDs := func(its []item) []string {
		var out []string
		for _, it := range its {
			out = append(out, it.ID)
		}
		return out
	}

	// Entities (§6): a prefix of a name, in any spelling; an id.
	got := suggest("entity", "prefix=Beih")
	if len(got) < 2 || got[0].ID != "prefecture:fx-beihe" || !slices.Contains(itemIDs(got), "city:fx-beihe") {
		t.Errorf("entity suggest Beih: %v", itemIDs(got))
	}
	if len(got) > 0 && (len(got[0].Notable) != 1 || got[0].Notable[0].ID != "prefecture") {
		t.Errorf("entity suggest: notable %+v, want the kind", got[0].Notable)
	}
	if next := suggest("entity", "prefix=Beih&cursor=1"); len(next) == 0 || next[0].ID != got[1].ID {
		t.Errorf("cursor=1 gives %v, want to start at %s", itemIDs(next), got[1].ID)
	}
	if got := suggest("entity", "prefix=西嶺"); len(got) == 0 || got[0].ID != "county:fx-xiling" {
		t.Errorf("entity suggest 西嶺: %v", itemIDs(got))
	}
	if got := suggest("entity", "prefix=buyer:fx-larkspur"); len(got) == 0 || got[0].ID != "buyer:fx-larkspur" {
		t.Errorf("entity suggest by id: %v", itemIDs(got))
	}
	if got := suggest("entity", "prefix="); len(got) != 0 {
		t.Errorf("empty prefix: %v", itemIDs(got))
	}
	// Types and properties.
	if got := suggest("type", "prefix=fac"); !slices.Equal(itemIDs(got), []string{"factory"}) {
		t.Errorf("type suggest fac: %v", itemIDs(got))
	}
	if got := suggest("type", "prefix=dispatch"); !slices.Equal(itemIDs(got), []string{"labour_dispatch_firm"}) {
		t.Errorf("type suggest dispatch: %v", itemIDs(got))
	}
	if got := suggest("property", "prefix=pai"); !slices.Contains(itemIDs(got), "pairedProvince") {
		t.Errorf("property suggest pai: %v", itemIDs(got))
	}
	if got := suggest("property", "prefix=city"); !slices.Equal(itemIDs(got), []string{"city"}) {
		t.Errorf("property suggest city: %v", itemIDs(got))
	}

	// Property proposals (§7.2).
	var prop struct {
		Type       string
		Limit      *int
		Properties []struct{ ID, Name string }
	}
	call(t, http.MethodGet, srv.URL+"/reconcile/properties?type=factory", nil, "", &prop)
	var pids []string
	for _, p := range prop.Properties {
		pids = append(pids, p.ID)
		if p.Name == "" {
			t.Errorf("proposed property %s without a name", p.ID)
		}
	}
	if prop.Type != "factory" || prop.Limit != nil {
		t.Errorf("proposal type %q limit %v", prop.Type, prop.Limit)
	}
	for _, want := range []string{"kind", "nameZh", "pairedProvince", "designations", "topBody"} {
		if !slices.Contains(pids, want) {
			t.Errorf("proposal lacks %s: %v", want, pids)
		}
	}
	call(t, http.MethodGet, srv.URL+"/reconcile/properties?type=factory&limit=2", nil, "", &prop)
	if len(prop.Properties) != 2 || prop.Limit == nil || *prop.Limit != 2 {
		t.Errorf("limit=2: %d properties, limit %v", len(prop.Properties), prop.Limit)
	}

	// Preview (§5): an HTML page, escaped, framable, linking to the view.
	resp := call(t, http.MethodGet, srv.URL+"/reconcile/preview?id="+url.QueryEscape("factory:fx-qiaoxi-haigang"), nil, "", nil)
	page := body(resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Qiaoxi Footwear Co., Ltd.", "Shoe factory in Haigang", `href="` + srv.URL + `/?id=factory:fx-qiaoxi-haigang"`} {
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %q:\n%s", want, truncate(page, 600))
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("preview CSP %q", csp)
	}

	// The schema space lists the kinds.
	var ks struct{ Kinds []item }
	call(t, http.MethodGet, srv.URL+"/reconcile/kinds", nil, "", &ks)
	if len(ks.Kinds) != len(domain.Kinds()) {
		t.Errorf("/reconcile/kinds lists %d kinds, want %d", len(ks.Kinds), len(domain.Kinds()))
	}
}

func TestReconcileExtend(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	q := map[string]any{
		"ids": []string{"buyer:fx-larkspur", "county:fx-xiling", "factory:fx-qiaoxi-haigang", "province:fx-dongjiang", "county:nowhere", "not an id"},
		"properties": []any{
			map[string]any{"id": "kind"}, map[string]any{"id": "nameZh"}, map[string]any{"id": "pairedProvince"},
			map[string]any{"id": "pairedRecipients"}, map[string]any{"id": "designations"}, map[string]any{"id": "topBody"},
			map[string]any{"id": "located", "settings": map[string]any{"limit": 1}}, map[string]any{"id": "exposure"},
		},
	}
	var out struct {
		Meta []struct{ ID, Name string }
		Rows map[string]map[string][]map[string]any
	}
	resp := call(t, http.MethodPost, srv.URL+"/reconcile", strings.NewReader(form("extend", mustJSON(t, q)).Encode()), "application/x-www-form-urlencoded", &out)
	if resp.StatusCode != 200 {
		t.Fatalf("extend: status %d", resp.StatusCode)
	}
	// §7.4: meta lists the properties asked for, in order, with names.
	var metaIDs []string
	for _, m := range out.Meta {
		metaIDs = append(metaIDs, m.ID)
		if m.Name == "" {
			t.Errorf("meta %s without name", m.ID)
		}
	}
	if !slices.Equal(metaIDs, []string{"kind", "nameZh", "pairedProvince", "pairedRecipients", "designations", "topBody", "located", "exposure"}) {
		t.Errorf("meta %v", metaIDs)
	}
	// A row for every id, a list for every property.
	for _, id := range q["ids"].([]string) {
		row, ok := out.Rows[id]
		if !ok {
			t.Errorf("no row for %s", id)
			continue
		}
		for _, p := range metaIDs {
			if row[p] == nil {
				t.Errorf("%s: no list for %s", id, p)
			}
		}
	}
	values := func(id, pid string) []string {
		var vs []string
		for _, c := range out.Rows[id][pid] {
			switch {
			case c["id"] != nil:
				if c["name"] == nil || c["name"] == "" {
					t.Errorf("%s %s: entity value without a name: %v", id, pid, c)
				}
				vs = append(vs, c["id"].(string))
			case c["str"] != nil:
				vs = append(vs, c["str"].(string))
			default:
				t.Errorf("%s %s: value %v is neither an entity nor a string", id, pid, c)
			}
		}
		return vs
	}
	tests := []struct {
		id, pid string
		want    []string
	}{
		{"county:fx-xiling", "kind", []string{"county"}},
		{"county:fx-xiling", "nameZh", []string{"西岭县"}},
		{"county:fx-xiling", "pairedProvince", []string{"province:fx-dongjiang"}},
		{"county:fx-xiling", "topBody", []string{"party_body:fx-centre"}},
		{"county:fx-xiling", "located", []string{"prefecture:fx-beihe"}},
		{"buyer:fx-larkspur", "pairedProvince", []string{"province:fx-dongjiang"}},
		{"buyer:fx-larkspur", "designations", nil}, // the list names its supplier, not the buyer
		{"buyer:fx-larkspur", "exposure", []string{"STRONG"}},
		{"buyer:fx-larkspur", "nameZh", nil},
		{"factory:fx-qiaoxi-haigang", "designations", []string{"designation_list:fx-list"}},
		{"factory:fx-qiaoxi-haigang", "located", []string{"city:fx-haigang"}}, // limit 1 of Haigang, Dongjiang
		{"province:fx-dongjiang", "pairedRecipients", []string{"county:fx-xiling"}},
		{"province:fx-dongjiang", "topBody", []string{"party_body:fx-centre"}},
		{"county:nowhere", "kind", nil},
		{"not an id", "pairedProvince", nil},
	}
	for _, tt := range tests {
		if got := values(tt.id, tt.pid); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %v, want %v", tt.id, tt.pid, got, tt.want)
		}
	}
}

// TestReconcileSeedBatch is the scripted OpenRefine batch, against
// the seed dataset: mixed spellings come back with the right entity first,
// and match:true only where no other candidate is exact too.
func TestReconcileSeedBatch(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, "../../seeds")

	rows := []struct {
		query, top string
		mustMatch  bool // the name is the entity's own: nothing else is exact
	}{
		{"Akesu", "prefecture:aksu", false},
		{"阿克蘇", "prefecture:aksu", false},
		{"Qingdao Taekwang Shoes", "factory:qingdao-taekwang-shoes", true},
		{"OFILM Nanchang", "factory:ofilm-nanchang", true},
		{"Zhejiang", "province:zhejiang", false},
		{"Nike", "buyer:nike", true},
	}
	// OpenRefine sends a column in batches (q0, q1 … within each).
	batch := map[string]any{}
	for i, r := range rows {
		batch[fmt.Sprintf("q%d", i)] = map[string]any{"query": r.query, "type_strict": "should"}
	}
	out := reconcile(t, srv.URL, batch)
	checkShape(t, batch, out)
	for i, r := range rows {
		res := out[fmt.Sprintf("q%d", i)].Result
		if len(res) == 0 {
			t.Errorf("%s: no candidates", r.query)
			continue
		}
		if res[0].ID != r.top {
			t.Errorf("%s: top %s, want %s (all: %v)", r.query, res[0].ID, r.top, ids(res))
		}
		exact := 0
		for _, c := range res {
			if hasFeature(c, "name_exact", true) {
				exact++
			}
		}
		if want := exact == 1 && hasFeature(res[0], "name_exact", true); *res[0].Match != want {
			t.Errorf("%s: match %v with %d exact candidates", r.query, *res[0].Match, exact)
		}
		if r.mustMatch && !*res[0].Match {
			t.Errorf("%s: no match; candidates %v", r.query, ids(res))
		}
		for _, c := range res[1:] {
			if *c.Match {
				t.Errorf("%s: a second candidate %s matches", r.query, c.ID)
			}
		}
	}
	// A typo is found but not matched.
	out = reconcile(t, srv.URL, map[string]any{"q0": map[string]any{"query": "Qingdao Taekwong Shoes"}})
	if res := out["q0"].Result; len(res) == 0 || res[0].ID != "factory:qingdao-taekwang-shoes" || *res[0].Match {
		t.Errorf("near miss: %v", ids(res))
	}

	// The supplier check on the seeds: each row's exposure with its
	// weakest link.
	var got supplierAnswer
	list := "name,city\nNike,\n\"Qingdao Taekwang Shoes Co., Ltd.\",Qingdao\nOFILM Nanchang,\nTaekwong Shoes Qingdao,\nAcme Unknown Widgets,\n"
	if resp := postCSV(t, srv.URL+"/supplier-check", list, &got); resp.StatusCode != 200 || len(got.Rows) != 5 {
		t.Fatalf("supplier check on the seeds: status %d, %d rows", resp.StatusCode, len(got.Rows))
	}
	for i, want := range []struct{ status, id string }{
		{"match", "buyer:nike"}, {"match", "factory:qingdao-taekwang-shoes"}, {"match", "factory:ofilm-nanchang"},
		{"candidate", "factory:qingdao-taekwang-shoes"}, {"no match", ""},
	} {
		r := got.Rows[i]
		if r.Status != want.status || (want.id == "") != (r.Entity == nil) || (r.Entity != nil && r.Entity.ID != want.id) {
			t.Errorf("row %d (%s): %s %+v, want %s %s", i, r.Query, r.Status, r.Entity, want.status, want.id)
		}
		x := r.Exposure
		if x == nil {
			continue
		}
		t.Logf("%s: %d links, strength %q, weakest %+v, contested %v, counter-claims %d", r.Query, x.Links, x.Strength, x.WeakestLink, x.Contested, x.CounterClaims)
		if (x.Links > 0) != (x.WeakestLink != nil && x.Strength != "") {
			t.Errorf("%s: %d links but weakest link %+v, strength %q", r.Query, x.Links, x.WeakestLink, x.Strength)
		}
		for _, p := range x.Paths {
			if w := p.Steps[p.WeakestStep]; w.Strength != p.Strength {
				t.Errorf("%s: path to %s is %s but its weakest step %s is %s", r.Query, p.Target.ID, p.Strength, w.Relation, w.Strength)
			}
		}
	}
	// Nike is exposed to a designation list through Esquel, its supplier,
	// and to a labour transfer through Taekwang; not to an aiding party
	// through Taekwang: the sources name only the workers' prefectures,
	// which several provinces share, so no province answers for them.
	viaEsquel, transferTaekwang, aidTaekwang := false, false, false
	if x := got.Rows[0].Exposure; x != nil {
		for _, p := range x.Paths {
			viaEsquel = viaEsquel || p.Reason == "DESIGNATION" && strings.Contains(p.Steps[0].From, "esquel")
			fromTaekwang := p.Steps[0].From == "factory:qingdao-taekwang-shoes"
			transferTaekwang = transferTaekwang || p.Reason == "LABOUR_TRANSFER" && fromTaekwang
			aidTaekwang = aidTaekwang || p.Reason == "AIDING_PARTY" && fromTaekwang
		}
	}
	if !viaEsquel || !transferTaekwang || aidTaekwang {
		t.Errorf("Nike's exposure: through Esquel to a designation list %v (want true), a transfer to Taekwang %v (want true), through Taekwang to an aiding party %v (want false): %+v",
			viaEsquel, transferTaekwang, aidTaekwang, got.Rows[0].Exposure)
	}
}
