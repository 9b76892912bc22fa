package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

// supplierList mixes what a journalist's list holds: names as the graph
// has them, in other spellings and scripts, with legal forms, a namesake
// told apart by its city, a near miss, an unknown name and an empty row.
const supplierList = "Supplier name,City,Country,Note\n" +
	"Larkspur Athletics,,USA,the brand\n" +
	"Qiaoxi Footwear,Haigang,China,a namesake; the city says which\n" +
	"QIAOXI FOOTWEAR CO LTD,Shanjiao,,the other one\n" +
	"西嶺縣,,,traditional characters\n" +
	"Xiling County Labor Bureau,,,US spelling\n" +
	"Qiaoxi Fotwear,,,a typo\n" +
	"Zzyzx Unknown Trading,,,not in the graph\n" +
	",,,no name\n"

type supplierAnswer struct {
	Columns []string
	Using   map[string]string
	Rows    []struct {
		Row    int
		Values []string
		Query  string
		Status string
		Entity *struct{ ID, Name, Kind, URL string }
		Score  float64
		Match  bool
		// Candidates are the other likely entities.
		Candidates []struct {
			ID    string
			Score float64
		}
		Exposure *struct {
			Links           int
			AidingParties   []struct{ ID, Name, Strength string }
			Designations    []struct{ ID, Name, Strength string }
			LabourTransfers []struct{ ID, Name, Strength string }
			Strength        string
			WeakestLink     *struct{ Relation, Type, Strength, BestGrade string }
			Contested       bool
			CounterClaims   int
			Paths           []struct {
				Target      struct{ ID string }
				Reason      string
				Strength    string
				WeakestStep int
				Contested   bool
				Steps       []struct{ Relation, Type, From, To, Strength string }
			}
		}
	}
	Summary map[string]int
	Limits  map[string]int
}

func postCSV(t *testing.T, u, data string, out any) *http.Response {
	t.Helper()
	return call(t, http.MethodPost, u, strings.NewReader(data), "text/csv", out)
}

func upload(t *testing.T, u, data string, out any) *http.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("note", "a field before the file")
	fw, err := mw.CreateFormFile("file", "suppliers.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(data))
	mw.Close()
	return call(t, http.MethodPost, u, &b, mw.FormDataContentType(), out)
}

func TestSupplierCheck(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	before := mustVersion(t, srv.Store)

	var got supplierAnswer
	resp := upload(t, srv.URL+"/supplier-check", supplierList, &got)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !slices.Equal(got.Columns, []string{"Supplier name", "City", "Country", "Note"}) {
		t.Errorf("columns %v", got.Columns)
	}
	if got.Using["name"] != "Supplier name" || got.Using["city"] != "City" || got.Using["country"] != "Country" {
		t.Errorf("columns used: %v", got.Using)
	}
	want := []struct {
		status, id string
		match      bool
	}{
		{"match", "buyer:fx-larkspur", true},
		{"match", "factory:fx-qiaoxi-haigang", true},
		{"match", "factory:fx-qiaoxi-shanjiao", true},
		{"match", "county:fx-xiling", true},
		{"match", "bureau:fx-xiling-labour", true},
		{"candidate", "factory:fx-qiaoxi-haigang", false},
		{"no match", "", false},
		{"empty", "", false},
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(got.Rows), len(want))
	}
	lines := strings.Split(strings.TrimSpace(supplierList), "\n")
	for i, w := range want {
		r := got.Rows[i]
		if r.Row != i+2 || strings.Join(r.Values, ",") != lines[i+1] {
			t.Errorf("row %d: number %d values %q, want the row as uploaded: %q", i, r.Row, r.Values, lines[i+1])
		}
		if r.Status != w.status || r.Match != w.match {
			t.Errorf("row %d (%s): status %q match %v, want %q %v", i, r.Query, r.Status, r.Match, w.status, w.match)
		}
		switch {
		case w.id == "" && r.Entity != nil:
			t.Errorf("row %d (%s): entity %s, want none", i, r.Query, r.Entity.ID)
		case w.id != "" && (r.Entity == nil || r.Entity.ID != w.id):
			t.Errorf("row %d (%s): entity %+v, want %s", i, r.Query, r.Entity, w.id)
		case w.id != "" && r.Entity.URL != srv.URL+"/?id="+w.id:
			t.Errorf("row %d: url %s", i, r.Entity.URL)
		}
		if (w.id != "") != (r.Exposure != nil) {
			t.Errorf("row %d (%s): exposure %v with entity %q", i, r.Query, r.Exposure != nil, w.id)
		}
	}
	// The near miss is a candidate between the thresholds; its namesake
	// is listed as another candidate.
	if r := got.Rows[5]; r.Score < server.CandidateScore || r.Score >= 96 || len(r.Candidates) == 0 || r.Candidates[0].ID != "factory:fx-qiaoxi-shanjiao" {
		t.Errorf("near miss: score %v candidates %+v", r.Score, r.Candidates)
	}

	// The brand's exposure: through its supplier to the aiding province
	// (resting on a grade-C hop: weak), to the designation list (strong)
	// and to the county the supplier's workers were transferred from
	// (weak); the supply link is contested by a counter-claim.
	x := got.Rows[0].Exposure
	if x.Links != 3 || len(x.Paths) != 3 {
		t.Fatalf("brand: %d links, %d paths, want 3", x.Links, len(x.Paths))
	}
	if len(x.LabourTransfers) != 1 || x.LabourTransfers[0].ID != "county:fx-xiling" || x.LabourTransfers[0].Strength != "WEAK" {
		t.Errorf("brand: labour transfers %+v", x.LabourTransfers)
	}
	// Each target with the strength of its own strongest link.
	if len(x.AidingParties) != 1 || x.AidingParties[0].ID != "province:fx-dongjiang" || x.AidingParties[0].Name != "Dongjiang" || x.AidingParties[0].Strength != "WEAK" {
		t.Errorf("brand: aiding parties %+v", x.AidingParties)
	}
	if len(x.Designations) != 1 || x.Designations[0].ID != "designation_list:fx-list" || x.Designations[0].Strength != "STRONG" {
		t.Errorf("brand: designations %+v", x.Designations)
	}
	if !x.Contested || x.CounterClaims != 1 {
		t.Errorf("brand: contested %v, %d counter-claims; want true, 1", x.Contested, x.CounterClaims)
	}
	// Strongest link first: the designation, strong throughout.
	if x.Strength != "STRONG" || x.Paths[0].Reason != "DESIGNATION" || x.WeakestLink == nil || x.WeakestLink.Relation != "rel:fx-supplies" {
		t.Errorf("brand: strength %s first %s weakest %+v", x.Strength, x.Paths[0].Reason, x.WeakestLink)
	}
	// Then the weak links, shortest first: the transfer (two steps), then
	// the aiding party (three).
	if x.Paths[1].Reason != "LABOUR_TRANSFER" {
		t.Errorf("brand's second link: %+v, want the labour transfer", x.Paths[1])
	}
	aid := x.Paths[2]
	var steps []string
	for _, s := range aid.Steps {
		steps = append(steps, s.Relation)
	}
	if aid.Reason != "AIDING_PARTY" || aid.Target.ID != "province:fx-dongjiang" || aid.Strength != "WEAK" ||
		!slices.Equal(steps, []string{"rel:fx-supplies", "rel:fx-transfers", "rel:fx-paired"}) ||
		aid.Steps[aid.WeakestStep].Relation != "rel:fx-transfers" || !aid.Contested {
		t.Errorf("brand's aiding-party link: %+v", aid)
	}
	// The factory's own exposure; the namesake in another city has none;
	// the county is itself paired (one step, strong).
	if x := got.Rows[1].Exposure; x.Links != 3 || x.Strength != "STRONG" || x.Contested || x.CounterClaims != 0 {
		t.Errorf("factory: %+v", x)
	}
	if x := got.Rows[2].Exposure; x.Links != 0 || x.Strength != "" || x.WeakestLink != nil || len(x.AidingParties) != 0 {
		t.Errorf("namesake: %+v", x)
	}
	if x := got.Rows[3].Exposure; x.Links != 1 || x.Strength != "STRONG" || x.WeakestLink == nil || x.WeakestLink.Type != "PAIRED_WITH" {
		t.Errorf("county: %+v", x)
	}
	if got.Summary["rows"] != 8 || got.Summary["match"] != 5 || got.Summary["candidate"] != 1 || got.Summary["no match"] != 1 ||
		got.Summary["empty"] != 1 || got.Summary["exposed"] != 4 {
		t.Errorf("summary %v", got.Summary)
	}
	if got.Limits["maxRows"] != server.MaxSupplierRows || got.Limits["maxBytes"] != server.MaxSupplierBytes {
		t.Errorf("limits %v", got.Limits)
	}

	// The same list as a text/csv body, answered as CSV (Accept, then
	// ?format): the rows as uploaded, each with the check's columns.
	for _, tc := range []struct{ name, url, accept string }{
		{"Accept", srv.URL + "/supplier-check", "text/csv"},
		{"format", srv.URL + "/supplier-check?format=csv", ""},
	} {
		t.Run("csv by "+tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(supplierList))
			req.Header.Set("Content-Type", "text/csv")
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			recs, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 9 {
				t.Fatalf("%d records, want a header and 8 rows", len(recs))
			}
			col := map[string]int{}
			for i, h := range recs[0] {
				col[h] = i
			}
			for _, h := range []string{"Supplier name", "Note", "aidtrace_status", "aidtrace_id", "aidtrace_score", "aidtrace_match",
				"aidtrace_url", "exposure_links", "aiding_parties", "designations", "labour_transfers_from", "exposure_strength", "weakest_link", "contested", "counter_claims"} {
				if _, ok := col[h]; !ok {
					t.Errorf("no column %s in %v", h, recs[0])
				}
			}
			brand := recs[1]
			for h, want := range map[string]string{
				"Supplier name": "Larkspur Athletics", "Note": "the brand", "aidtrace_status": "match", "aidtrace_id": "buyer:fx-larkspur",
				"aidtrace_match": "true", "exposure_links": "3", "aiding_parties": "Dongjiang (WEAK)", "designations": "Fixture Entity List (STRONG)",
				"labour_transfers_from": "Xiling County (WEAK)",
				"exposure_strength":     "STRONG", "contested": "true", "counter_claims": "1",
			} {
				if brand[col[h]] != want {
					t.Errorf("brand %s = %q, want %q", h, brand[col[h]], want)
				}
			}
			if w := brand[col["weakest_link"]]; !strings.Contains(w, "Qiaoxi Footwear Co., Ltd. SUPPLIES Larkspur Athletics") || !strings.Contains(w, "rel:fx-supplies") {
				t.Errorf("weakest link %q", w)
			}
			if r := recs[7]; r[col["aidtrace_status"]] != "no match" || r[col["aidtrace_id"]] != "" || r[col["exposure_links"]] != "" {
				t.Errorf("unknown row %v", r)
			}
		})
	}

	// Nothing uploaded is stored, and no name from it reaches the log.
	if after := mustVersion(t, srv.Store); after != before {
		t.Errorf("the check changed the graph: version %v, then %v", before, after)
	}
	for _, name := range []string{"Zzyzx", "Qiaoxi Fotwear", "QIAOXI FOOTWEAR CO LTD"} {
		if strings.Contains(srv.Log.String(), name) {
			t.Errorf("the log holds %q from the upload", name)
		}
	}
}

func TestSupplierCheckShapes(t *testing.T) {
	srv := mustInteropServer(t, server.InteropConfig{}, fixture)
	// Semicolons, a byte-order mark and no header: one name per line.
	var got supplierAnswer
	resp := postCSV(t, srv.URL+"/supplier-check", "\xef\xbb\xbfBeihe Prefecture;x\nLumen Optics Beihe;y\n", &got)
	if resp.StatusCode != 200 || len(got.Rows) != 2 || got.Rows[0].Row != 1 || !slices.Equal(got.Columns, []string{"column1", "column2"}) {
		t.Fatalf("no header: status %d rows %+v columns %v", resp.StatusCode, got.Rows, got.Columns)
	}
	if e := got.Rows[0].Entity; e == nil || e.ID != "prefecture:fx-beihe" || got.Rows[0].Values[1] != "x" {
		t.Errorf("no header row 1: %+v", got.Rows[0])
	}
	if e := got.Rows[1].Entity; e == nil || e.ID != "factory:fx-lumen-optics" || !got.Rows[1].Match {
		t.Errorf("no header row 2: %+v", got.Rows[1])
	}
	// A column named by the caller.
	resp = postCSV(t, srv.URL+"/supplier-check?name=Vendor&city=Site", "Id\tVendor\tSite\n1\tQiaoxi Footwear\tShanjiao\n", &got)
	if resp.StatusCode != 200 || len(got.Rows) != 1 || got.Rows[0].Entity == nil || got.Rows[0].Entity.ID != "factory:fx-qiaoxi-shanjiao" {
		t.Errorf("named columns: status %d %+v", resp.StatusCode, got.Rows)
	}

	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("name\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "Firm %d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name   string
		resp   func() *http.Response
		status int
		code   string
	}{
		{"too many rows", func() *http.Response {
			return postCSV(t, srv.URL+"/supplier-check", rows(server.MaxSupplierRows+1), nil)
		}, 413, domain.ELIMIT},
		{"too many bytes", func() *http.Response {
			return upload(t, srv.URL+"/supplier-check", "name\n"+strings.Repeat("x", server.MaxSupplierBytes), nil)
		}, 413, domain.ELIMIT},
		{"above the server's body cap", func() *http.Response {
			return postCSV(t, srv.URL+"/supplier-check", "name\n"+strings.Repeat("x", 2<<20), nil)
		}, 413, domain.ELIMIT},
		{"not UTF-8", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check", "name\n\xff\xfeA\n", nil) }, 400, domain.EBADINPUT},
		{"empty", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check", "\n", nil) }, 400, domain.EBADINPUT},
		{"header only", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check", "name,city\n", nil) }, 400, domain.EBADINPUT},
		{"no such column", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check?name=Vendor", "name\nA\n", nil) }, 400, domain.EBADINPUT},
		{"a header without a name column", func() *http.Response {
			return postCSV(t, srv.URL+"/supplier-check", "city,country\nHaigang,China\n", nil)
		}, 400, domain.EBADINPUT},
		{"JSON body", func() *http.Response {
			return call(t, http.MethodPost, srv.URL+"/supplier-check", strings.NewReader(`{"rows":[]}`), "application/json", nil)
		}, 400, domain.EBADINPUT},
		{"upload without a file", func() *http.Response {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.WriteField("note", "x")
			mw.Close()
			return call(t, http.MethodPost, srv.URL+"/supplier-check", &b, mw.FormDataContentType(), nil)
		}, 400, domain.EBADINPUT},
		{"bad format", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check?format=xlsx", "name\nA\n", nil) }, 400, domain.EBADINPUT},
		{"bad asOf", func() *http.Response { return postCSV(t, srv.URL+"/supplier-check?asOf=soon", "name\nA\n", nil) }, 400, domain.EBADINPUT},
		{"GET", func() *http.Response { return call(t, http.MethodGet, srv.URL+"/supplier-check", nil, "", nil) }, 405, domain.EBADINPUT},
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

	// asOf: in 2019 the brand is known to be exposed to the aiding
	// province and the transfer (every hop attested then), not yet to the
	// list (2023); in 2023 to the list, and the transfer is no longer
	// attested; in 2025 the supply link had ended (2016–2024).
	for _, tc := range []struct {
		asOf  string
		links int
	}{{"2019", 2}, {"2023", 1}, {"2025", 0}} {
		var got supplierAnswer
		postCSV(t, srv.URL+"/supplier-check?asOf="+tc.asOf, "name\nLarkspur Athletics\n", &got)
		if len(got.Rows) != 1 || got.Rows[0].Exposure == nil || got.Rows[0].Exposure.Links != tc.links {
			t.Errorf("asOf %s: %+v, want %d links", tc.asOf, got.Rows, tc.links)
		}
	}
}

// mustVersion is the graph version of the store behind an interop server:
// every write advances it.
func mustVersion(t *testing.T, s readStore) domain.GraphVersion {
	t.Helper()
	vs, ok := s.(domain.VersionService)
	if !ok {
		t.Fatalf("%T has no graph version", s)
	}
	v, err := vs.GraphVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return v
}
