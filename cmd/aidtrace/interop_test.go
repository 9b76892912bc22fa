package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The synthetic fixture of the server package's reconciliation tests.
const interopFixture = "../../internal/server/testdata/interop.yaml"

// /reconcile and /supplier-check are served by `aidtrace serve`, with the
// public URL from the configuration in the links they give.
func TestServeMountsReconcile(t *testing.T) {
	r := MustServe(t, map[string]string{"AIDTRACE_PUBLIC_URL": "https://aidtrace.example.org"}, "--load", interopFixture)
	resp, err := http.Get(r.URL + "/reconcile")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Versions []string
		View     struct{ URL string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /reconcile: %d %v", resp.StatusCode, err)
	}
	if len(m.Versions) == 0 || m.View.URL != "https://aidtrace.example.org/?id={{id}}" {
		t.Errorf("manifest: %+v", m)
	}
	resp2, err := http.Post(r.URL+"/supplier-check", "text/csv", strings.NewReader("name\nBeihe Prefecture\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Errorf("POST /supplier-check: %d", resp2.StatusCode)
	}
}

// The supplier-check page in a browser: pick a file, see its columns,
// check it, read the table, follow a match to the explorer.
func TestSupplierPageInBrowser(t *testing.T) {
	r := MustServe(t, nil, "--load", interopFixture)
	base := explorerURL(t, r)
	b := newBrowser(t)
	ctx := b.ctx

	list := filepath.Join(t.TempDir(), "suppliers.csv")
	if err := os.WriteFile(list, []byte("Id;Factory name;Town\n1;Larkspur Athletics;\n2;Qiaoxi Footwear;Haigang\n3;Qiaoxi Fotwear;\n4;Zzyzx Unknown Trading;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(t, ctx, "open the page", chromedp.Navigate(base+"/supplier"))
	b.waitFor(t, ctx, `!!document.getElementById('sc-form')`, "the form")
	b.do(t, ctx, "choose the file", chromedp.SetUploadFiles(chromedp.ID("sc-file"), []string{list}))
	b.waitFor(t, ctx, `!document.getElementById('sc-columns').disabled`, "the columns")
	var cols []string
	b.eval(t, ctx, `['name','city','province','country'].map(r => document.getElementById('col-' + r).selectedOptions[0].textContent)`, &cols)
	if strings.Join(cols, "|") != "Factory name|Town|(none)|(none)" {
		t.Errorf("columns chosen: %v", cols)
	}
	b.do(t, ctx, "check", chromedp.Click(chromedp.ID("sc-run")))
	b.waitFor(t, ctx, `document.querySelectorAll('#sc-table tbody tr').length === 4`, "the results")
	var rows []struct {
		Status, Link, Exposure string
	}
	b.eval(t, ctx, `[...document.querySelectorAll('#sc-table tbody tr')].map(tr => ({
		status: tr.cells[2].textContent,
		link: (tr.cells[3].querySelector('a') || {getAttribute: () => ''}).getAttribute('href'),
		exposure: tr.cells[5].textContent,
	}))`, &rows)
	want := []struct{ status, link string }{
		{"Match", "/?id=buyer:fx-larkspur"},
		{"Match", "/?id=factory:fx-qiaoxi-haigang"},
		{"Candidate: check it", "/?id=factory:fx-qiaoxi-haigang"},
		{"Not found", ""},
	}
	for i, w := range want {
		if i >= len(rows) || rows[i].Status != w.status || rows[i].Link != w.link {
			t.Errorf("row %d: %+v, want %s %s", i, rows, w.status, w.link)
		}
	}
	if len(rows) > 0 && !strings.HasPrefix(rows[0].Exposure, "STRONG") {
		t.Errorf("the brand's exposure cell: %q", rows[0].Exposure)
	}
	b.screenshot(t, ctx, "supplier-check.png")
	// A match links to its view in the explorer.
	b.do(t, ctx, "follow the match", chromedp.Click(chromedp.CSS(`#sc-table tbody tr:first-child td:nth-child(4) a`)),
		chromedp.WaitVisible(chromedp.ID("cy")))
	var loc string
	b.eval(t, ctx, `location.pathname + location.search`, &loc)
	if loc != "/?id=buyer:fx-larkspur" {
		t.Errorf("the match leads to %s", loc)
	}
	b.checkClean(t, base)
}
