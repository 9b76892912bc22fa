package main

// Browser tests of the explorer (web/): headless Chromium, driven by
// chromedp, against the real server on the test Neo4j with the seed dataset.
// Debian's chromium must be installed (apt-get install chromium); without it
// these tests fail, they do not skip.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const chromiumPath = "/usr/bin/chromium"

// artifactDir is where screenshots go: test-artifacts/ at the repo root (git-ignored).
const artifactDir = "../../test-artifacts"

// browser is one headless Chromium with a fresh profile, and what its pages
// did: console errors and every request they sent.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
	requests []string // every URL requested
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Debian's chromium at %s: install it with `apt-get update && apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &browser{ctx: ctx}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// Start the browser and its first tab, then watch it. The first action
	// must run on ctx itself: the browser lives as long as that context.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.watch(ctx)
	return b
}

// watch records the console errors and the requests of the tab of ctx.
func (b *browser) watch(ctx context.Context) {
	console := chromedp.Console(ctx)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" {
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
}

// do runs actions with a deadline.
func (b *browser) do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a script (awaiting a promise) and decodes its JSON result into out.
func (b *browser) eval(t *testing.T, ctx context.Context, script string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %q: %v", script, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("evaluate %q: decode %s: %v", script, raw, err)
		}
	}
}

// loads is the explorer's count of finished view loads (html[data-loads]).
func (b *browser) loads(t *testing.T, ctx context.Context) int {
	t.Helper()
	var n int
	b.eval(t, ctx, `Number(document.documentElement.dataset.loads || 0)`, &n)
	return n
}

// waitLoaded waits until the explorer has finished more than `after` loads,
// and the last one succeeded.
func (b *browser) waitLoaded(t *testing.T, ctx context.Context, after int, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	script := fmt.Sprintf(`Number(document.documentElement.dataset.loads || 0) > %d && document.documentElement.dataset.view !== 'loading'`, after)
	if err := pollAcrossNavigation(ctx, script); err != nil {
		var status string
		b.eval(t, context.WithoutCancel(ctx), `document.getElementById('status').textContent`, &status)
		t.Fatalf("%s: the view did not load: %v (status line: %q)", what, err, status)
	}
	var view string
	b.eval(t, ctx, `document.documentElement.dataset.view`, &view)
	if view != "ready" && view != "empty" {
		var status string
		b.eval(t, ctx, `document.getElementById('status').textContent`, &status)
		t.Fatalf("%s: the view is %q: %s", what, view, status)
	}
}

// waitFor polls a JavaScript condition.
func (b *browser) waitFor(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pollAcrossNavigation(ctx, cond); err != nil {
		t.Fatalf("%s: %s did not become true: %v", what, cond, err)
	}
}

// pollAcrossNavigation polls a JavaScript condition until it is true. A poll
// that starts while the previous page is being replaced loses its execution
// context ("Cannot find context with specified id"): that is the
// navigation, not the page, so it polls again until ctx's deadline.
func pollAcrossNavigation(ctx context.Context, cond string) error {
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil || ctx.Err() != nil || !(strings.Contains(err.Error(), "Cannot find context with specified id") || strings.Contains(err.Error(), "Execution context was destroyed")) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// graphState is what the test reads back from Cytoscape (window.cy).
type graphState struct {
	Nodes       []string `json:"nodes"`
	Edges       []string `json:"edges"`
	Highlighted []string `json:"highlighted"`
	Selected    []string `json:"selected"`
	State       struct {
		ID, Mode, AsOf, Sel string
		Depth               int
	} `json:"state"`
	URL     string `json:"url"`
	Heading string `json:"heading"`
}

const readGraph = `(() => ({
	nodes: cy.nodes().map(n => n.id()).sort(),
	edges: cy.edges().map(e => e.id()).sort(),
	highlighted: cy.elements('.hl').map(e => e.id()).sort(),
	selected: cy.elements(':selected').map(e => e.id()),
	state: aidtrace.state(),
	url: location.pathname + location.search,
	heading: (document.querySelector('#details h2') || {}).textContent || '',
}))()`

func (b *browser) graph(t *testing.T, ctx context.Context) graphState {
	t.Helper()
	var g graphState
	b.eval(t, ctx, readGraph, &g)
	return g
}

func (b *browser) screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(artifactDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifactDir, name)
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	t.Logf("screenshot: %s", abs)
}

// checkClean fails on console errors and on requests to any other origin
// than the server (the explorer must work offline: no CDN, no fonts).
func (b *browser) checkClean(t *testing.T, origin string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("browser console: %s", p)
	}
	for _, u := range b.requests {
		// file: is the tests' own article page that frames the embed.
		if strings.HasPrefix(u, origin+"/") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") || strings.HasPrefix(u, "file:///tmp/") {
			continue
		}
		t.Errorf("the page requested %s: only %s is allowed", u, origin)
	}
}

// explorerURL is the base URL of the explorer: the server itself, which
// serves web.Handler() at /.
func explorerURL(t *testing.T, r *running) string {
	t.Helper()
	resp, err := http.Get(r.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `<div id="cy"`) {
		t.Fatalf("GET / = %d %q: the server does not serve the explorer (web.Handler()) at /", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return r.URL
}

func TestExplorerInBrowser(t *testing.T) {
	r := MustServeSeeds(t, nil, nil)
	base := explorerURL(t, r)
	b := newBrowser(t)
	ctx := b.ctx

	// What the API says the chains up from Aksu are: the page must draw them.
	var want struct {
		ResponsibilityChain struct {
			Chains []struct {
				Hops []struct {
					Relation struct{ ID string }
					Upper    struct{ ID string }
					Lower    struct{ ID string }
				}
			}
		}
	}
	status, resp := postGraphQL(t, r.URL, `{ responsibilityChain(id: "prefecture:aksu", direction: UP, first: 50) {
		chains { hops { relation { id } upper { id } lower { id } } } } }`, nil)
	if status != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("responsibilityChain: %d %+v", status, resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, &want); err != nil {
		t.Fatal(err)
	}
	wantChain := map[string]bool{}
	for _, c := range want.ResponsibilityChain.Chains {
		for _, h := range c.Hops {
			wantChain[h.Relation.ID], wantChain[h.Upper.ID], wantChain[h.Lower.ID] = true, true, true
		}
	}
	if !wantChain["party_body:ccp-central-committee"] || !wantChain["rel:paired-with:zhejiang--aksu"] {
		t.Fatalf("the seed chains up from Aksu no longer reach the Central Committee through Zhejiang's pairing: %v", wantChain)
	}

	if !t.Run("search and open", func(t *testing.T) {
		b.do(t, ctx, "open the explorer", chromedp.Navigate(base+"/"))
		b.waitLoaded(t, ctx, 0, "empty explorer")
		// Chinese names are searched too.
		b.do(t, ctx, "type Chinese in the search box", chromedp.SendKeys(chromedp.ID("search"), "阿克苏"))
		b.waitFor(t, ctx, `!!document.querySelector('.search-results [role=option][data-id="prefecture:aksu"]')`, "search results for 阿克苏")
		b.do(t, ctx, "close the results", chromedp.KeyEvent(kb.Escape))
		b.eval(t, ctx, `document.getElementById('search').value = '', true`, nil)
		n := b.loads(t, ctx)
		b.do(t, ctx, "type in the search box", chromedp.SendKeys(chromedp.ID("search"), "Aksu"))
		b.waitFor(t, ctx, `document.querySelector('#search[aria-expanded=true]') && !!document.querySelector('.search-results [role=option][data-id="prefecture:aksu"]')`, "search results")
		var active string
		b.eval(t, ctx, `document.getElementById(document.getElementById('search').getAttribute('aria-activedescendant')).dataset.id`, &active)
		if active != "prefecture:aksu" {
			t.Errorf("the first result for Aksu is %q, want prefecture:aksu", active)
		}
		// Open it with the keyboard.
		b.do(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
		b.waitLoaded(t, ctx, n, "open Aksu")
		b.waitFor(t, ctx, `(document.querySelector('#details h2') || {}).textContent === 'Aksu Prefecture'`, "entity panel")
		g := b.graph(t, ctx)
		if g.State.ID != "prefecture:aksu" || g.State.Mode != "neighborhood" || !strings.Contains(g.URL, "id=prefecture:aksu") {
			t.Errorf("after opening Aksu: state %+v, URL %s", g.State, g.URL)
		}
		if !slices.Contains(g.Nodes, "prefecture:aksu") || len(g.Nodes) < 2 || len(g.Edges) < 1 {
			t.Errorf("neighbourhood of Aksu: nodes %v, edges %v", g.Nodes, g.Edges)
		}
		var panel string
		b.eval(t, ctx, `document.getElementById('details').textContent`, &panel)
		for _, s := range []string{"阿克苏地区", "Grade", "Sources"} {
			if !strings.Contains(panel, s) {
				t.Errorf("entity panel lacks %q: %s", s, panel)
			}
		}
	}) {
		t.FailNow() // the next steps build on this one
	}

	if !t.Run("trace up", func(t *testing.T) {
		n := b.loads(t, ctx)
		b.do(t, ctx, "click Trace up", chromedp.Click(chromedp.CSS(`#details button[data-action=up]`)))
		b.waitLoaded(t, ctx, n, "trace up")
		g := b.graph(t, ctx)
		if g.State.Mode != "up" || !strings.Contains(g.URL, "mode=up") {
			t.Errorf("after Trace up: state %+v, URL %s", g.State, g.URL)
		}
		drawn := map[string]bool{}
		for _, id := range append(g.Nodes, g.Edges...) {
			drawn[id] = true
		}
		hl := map[string]bool{}
		for _, id := range g.Highlighted {
			hl[id] = true
		}
		for id := range wantChain {
			if !drawn[id] {
				t.Errorf("chain element %s is not in the graph", id)
			} else if !hl[id] {
				t.Errorf("chain element %s is not highlighted", id)
			}
		}
		var routes int
		b.eval(t, ctx, `document.querySelectorAll('#routes .route').length`, &routes)
		if routes != len(want.ResponsibilityChain.Chains) {
			t.Errorf("the panel lists %d chains, the API gives %d", routes, len(want.ResponsibilityChain.Chains))
		}

	}) {
		t.FailNow() // the next steps build on this one
	}

	if !t.Run("click an edge and read its source", func(t *testing.T) {
		const rel = "rel:paired-with:zhejiang--aksu"
		// A point of the drawn edge that no node covers, in page coordinates.
		var at struct{ X, Y float64 }
		b.eval(t, ctx, fmt.Sprintf(`(() => {
			const e = cy.getElementById(%q);
			cy.fit(e.union(e.connectedNodes()), 120);
			// The drawn line: endpoints and bends, in rendered coordinates.
			const z = cy.zoom(), p = cy.pan(), r = cy.container().getBoundingClientRect();
			const bends = e.style('curve-style') === 'segments' ? (e.segmentPoints() || []) : [];
			const pts = [e.sourceEndpoint(), ...bends, e.targetEndpoint()].map(q => ({x: q.x * z + p.x, y: q.y * z + p.y}));
			for (let i = 0; i + 1 < pts.length; i++) {
				for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
					const x = pts[i].x + f * (pts[i+1].x - pts[i].x), y = pts[i].y + f * (pts[i+1].y - pts[i].y);
					const covered = cy.nodes().some(n => { const b = n.renderedBoundingBox({includeLabels: true}); return x >= b.x1 - 4 && x <= b.x2 + 4 && y >= b.y1 - 4 && y <= b.y2 + 4; });
					if (!covered) return {x: r.left + x, y: r.top + y};
				}
			}
			return null;
		})()`, rel), &at)
		if at.X == 0 && at.Y == 0 {
			t.Fatalf("every point of %s is covered by a node", rel)
		}
		b.do(t, ctx, "click the edge", chromedp.MouseClickXY(at.X, at.Y))
		if g := b.graph(t, ctx); g.State.Sel != rel {
			t.Fatalf("clicked at (%.0f, %.0f): selected %q, want %s", at.X, at.Y, g.State.Sel, rel)
		}
		b.waitFor(t, ctx, `(document.querySelector('#details h2') || {}).textContent === 'paired with' && !!document.querySelector('#details .citation')`, "relation panel")
		g := b.graph(t, ctx)
		if g.State.Sel != rel || !slices.Contains(g.Selected, rel) || !strings.Contains(g.URL, "sel="+rel) {
			t.Errorf("after clicking the edge: state %+v, selected %v, URL %s", g.State, g.Selected, g.URL)
		}
		var panel struct {
			Text  string
			Links []string
		}
		b.eval(t, ctx, `({text: document.getElementById('details').textContent,
			links: [...document.querySelectorAll('#details .citation a.source-link')].map(a => a.href)})`, &panel)
		for _, s := range []string{"Valid from", "2010", "confirmed", "Evidence", "Grade C", "Full Chinese list of the 2010 pairing assignments", "浙江:阿克苏地区八县一市"} {
			if !strings.Contains(panel.Text, s) {
				t.Errorf("relation panel lacks %q: %s", s, panel.Text)
			}
		}
		if !slices.Contains(panel.Links, "http://xzqh.info/lt/read.php?fpage=128&tid=69347") {
			t.Errorf("relation panel links %v, want the source's url", panel.Links)
		}
		b.do(t, ctx, "fit", chromedp.Click(chromedp.ID("btn-fit")))
		b.screenshot(t, ctx, "explorer.png")
	}) {
		t.FailNow() // the next steps build on this one
	}

	var shared graphState
	if !t.Run("as-of date hides a relation", func(t *testing.T) {
		const rel = "rel:paired-with:zhejiang--aksu" // validFrom 2010
		n := b.loads(t, ctx)
		b.do(t, ctx, "tick As of", chromedp.Click(chromedp.ID("asof-on")))
		b.waitLoaded(t, ctx, n, "as of on")
		if b.graph(t, ctx).State.AsOf != "2015" { // the slider starts at 2015
			b.do(t, ctx, "type 2015", chromedp.SetValue(chromedp.ID("asof-year"), "2015"))
			n = b.loads(t, ctx)
			b.eval(t, ctx, `document.getElementById('asof-year').dispatchEvent(new Event('change')), true`, nil)
			b.waitLoaded(t, ctx, n, "as of 2015")
		}
		g := b.graph(t, ctx)
		if g.State.AsOf != "2015" || !slices.Contains(g.Edges, rel) {
			t.Fatalf("as of 2015: state %+v; the 2010 pairing must be drawn: %v", g.State, g.Edges)
		}
		// Move the slider with the keyboard: Home goes to its first year.
		n = b.loads(t, ctx)
		b.do(t, ctx, "move the slider", chromedp.Focus(chromedp.ID("asof-year")), chromedp.KeyEvent(kb.Home))
		b.waitLoaded(t, ctx, n, "as of the slider's first year")
		g = b.graph(t, ctx)
		if g.State.AsOf == "" || g.State.AsOf >= "2010" || !strings.Contains(g.URL, "asOf="+g.State.AsOf) {
			t.Fatalf("after moving the slider: state %+v, URL %s", g.State, g.URL)
		}
		if slices.Contains(g.Edges, rel) {
			t.Errorf("as of %s the pairing that began in 2010 is still drawn", g.State.AsOf)
		}
		if !slices.Contains(g.Nodes, "prefecture:aksu") {
			t.Errorf("as of %s Aksu itself is gone: %v", g.State.AsOf, g.Nodes)
		}
		shared = g
	}) {
		t.FailNow() // the next steps build on this one
	}

	t.Run("a shared URL reproduces the view", func(t *testing.T) {
		if shared.URL == "" {
			t.Fatal("no view to share (an earlier step failed)")
		}
		tab, cancel := chromedp.NewContext(ctx) // a new tab of the same browser
		defer cancel()
		if err := chromedp.Do(tab, chromedp.EmulateViewport(1400, 900)); err != nil { // opens the tab, for tab's lifetime
			t.Fatalf("new tab: %v", err)
		}
		b.watch(tab)
		b.do(t, tab, "open the shared URL", chromedp.Navigate(base+shared.URL))
		b.waitLoaded(t, tab, 0, "shared URL")
		b.waitFor(t, tab, `!document.getElementById('details').hasAttribute('aria-busy') && !!document.querySelector('#details h2')`, "panel")
		g := b.graph(t, tab)
		if !slices.Equal(g.Nodes, shared.Nodes) || !slices.Equal(g.Edges, shared.Edges) || !slices.Equal(g.Highlighted, shared.Highlighted) {
			t.Errorf("the shared URL %s draws another graph:\n got nodes %v\nwant nodes %v\n got edges %v\nwant edges %v", shared.URL, g.Nodes, shared.Nodes, g.Edges, shared.Edges)
		}
		if g.State != shared.State || g.Heading != shared.Heading || !slices.Equal(g.Selected, shared.Selected) {
			t.Errorf("the shared URL gives state %+v, panel %q, selection %v; want %+v, %q, %v", g.State, g.Heading, g.Selected, shared.State, shared.Heading, shared.Selected)
		}

		// The same view in embed mode: same graph, no header.
		embed := strings.Replace(shared.URL, "/", "/embed", 1)
		b.do(t, tab, "open the embed URL", chromedp.Navigate(base+embed))
		b.waitLoaded(t, tab, 0, "embed URL")
		g = b.graph(t, tab)
		if !slices.Equal(g.Nodes, shared.Nodes) || !slices.Equal(g.Edges, shared.Edges) {
			t.Errorf("the embed URL %s draws another graph", embed)
		}
		var chrome struct {
			Header bool
			Open   string
		}
		b.eval(t, tab, `({header: getComputedStyle(document.getElementById('chrome')).display !== 'none',
			open: document.getElementById('embed-open').getAttribute('href')})`, &chrome)
		if chrome.Header || chrome.Open != shared.URL {
			t.Errorf("embed: header shown %v, open link %q (want %q)", chrome.Header, chrome.Open, shared.URL)
		}
		b.screenshot(t, tab, "explorer-embed.png")
	})

	t.Run("path finder", func(t *testing.T) {
		b.do(t, ctx, "open a path view", chromedp.Navigate(base+"/?mode=path&from=prefecture:aksu&to=party_body:ccp-central-committee&depth=0"))
		b.waitLoaded(t, ctx, 0, "path view")
		g := b.graph(t, ctx)
		if g.State.Mode != "path" || !slices.Contains(g.Nodes, "prefecture:aksu") || !slices.Contains(g.Nodes, "party_body:ccp-central-committee") || len(g.Highlighted) < 3 {
			t.Errorf("path view: state %+v, nodes %v, highlighted %v", g.State, g.Nodes, g.Highlighted)
		}
		var paths int
		b.eval(t, ctx, `document.querySelectorAll('#routes .route').length`, &paths)
		if paths < 1 || paths > 3 {
			t.Errorf("the panel lists %d paths, want 1 to 3", paths)
		}
	})

	t.Run("SVG export", func(t *testing.T) {
		var svg string
		b.eval(t, ctx, `aidtrace.svg()`, &svg)
		if !strings.HasPrefix(svg, "<?xml") || !strings.Contains(svg, "<svg") || !strings.Contains(svg, `id="prefecture:aksu"`) || !strings.Contains(svg, "Aksu Prefecture") {
			t.Errorf("SVG export: %.300s", svg)
		}
	})

	t.Run("GraphiQL", func(t *testing.T) {
		b.do(t, ctx, "open GraphiQL", chromedp.Navigate(base+"/graphiql"))
		b.waitFor(t, ctx, `!!document.querySelector('.graphiql-container') && !!document.querySelector('.graphiql-query-editor')`, "GraphiQL")
	})

	t.Run("first render of 500 nodes", func(t *testing.T) {
		b.do(t, ctx, "open the explorer", chromedp.Navigate(base+"/"))
		b.waitLoaded(t, ctx, 0, "empty explorer")
		// A synthetic 500-node neighbourhood (names that cannot be mistaken
		// for real ones), drawn through the same path as an API answer.
		var render struct{ Ms, LongestTaskMs float64 }
		b.eval(t, ctx, `(() => {
			const kinds = ['party_body','state_body','leading_group','department','province','city','prefecture','county','bureau','labour_dispatch_firm','company','factory','buyer'];
			const nodes = [], edges = [];
			for (let i = 0; i < 500; i++) {
				const kind = kinds[Math.min(kinds.length - 1, Math.floor(Math.log2(i + 1) * 1.45))];
				nodes.push({id: 'synthetic:' + i, kind, name: 'Synthetic ' + kind + ' ' + i, nameZh: '合成' + i, synthetic: true});
				if (i > 0) {
					const p = Math.floor((i - 1) / 2);
					edges.push({id: 'rel:synthetic:' + i, type: 'DIRECTS', responsibility: 'FROM_IS_RESPONSIBLE', fromId: 'synthetic:' + p, toId: 'synthetic:' + i, confidence: 'confirmed'});
				}
				if (i > 10 && i % 3 === 0) edges.push({id: 'rel:synthetic:x' + i, type: 'LOCATED_IN', responsibility: 'NONE', fromId: 'synthetic:' + i, toId: 'synthetic:' + (i * 7 % 500), confidence: 'reported'});
			}
			return aidtrace.drawView({nodes, edges});
		})()`, &render)
		var count int
		b.eval(t, ctx, `cy.nodes().length`, &count)
		if count != 500 {
			t.Errorf("drew %d nodes, want 500", count)
		}
		t.Logf("first render of a 500-node neighbourhood (Cytoscape add + layered layout in the worker + labels + first paint): %.0f ms; longest main-thread task %.0f ms", render.Ms, render.LongestTaskMs)
		if render.LongestTaskMs > 1000 {
			t.Errorf("drawing 500 nodes blocked the page for %.0f ms in one task", render.LongestTaskMs)
		}

		// End to end against the API: the largest seed neighbourhood.
		start := time.Now()
		b.do(t, ctx, "open a large neighbourhood", chromedp.Navigate(base+"/?id=region:xinjiang&depth=3&limit=500"))
		b.waitLoaded(t, ctx, 0, "large neighbourhood")
		elapsed := time.Since(start)
		var timing struct {
			Nodes, Edges      int
			FetchMs, RenderMs string
		}
		b.eval(t, ctx, `({nodes: cy.nodes().length, edges: cy.edges().length, fetchMs: document.documentElement.dataset.fetchMs, renderMs: document.documentElement.dataset.renderMs})`, &timing)
		t.Logf("seed neighbourhood of region:xinjiang, depth 3: %d nodes, %d edges; GraphQL %s ms, render %s ms; page load to drawn %v",
			timing.Nodes, timing.Edges, timing.FetchMs, timing.RenderMs, elapsed.Round(time.Millisecond))
	})

	b.checkClean(t, base)
}
