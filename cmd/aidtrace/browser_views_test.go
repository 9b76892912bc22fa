package main

// Measured browser tests of the explorer (issue 13): at 1440×900, 390×844
// and in an embed at 740×560 (and 400×480), trace up from a county and from a
// factory, and check by measurement that labels are legible and do not
// overlap, that the legend never covers the focus entity, that a hop's
// evidence is scrolled into view, that exports hold exactly the drawn
// elements, that the embed fills its frame (also framed from a file://
// page), that filters, expansion, dragging and the timeline work, and that
// axe finds no accessibility violation. Screenshots go to test-artifacts/.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The seed views the tests open: a county whose chains reach the top, and
// the factory with the most chains up in the seeds (picked at run time: the
// dataset grows).
const countyUp = "/?id=county:moyu&mode=up"

// seedFactoryUp returns the view of the seed factory with the most chains up.
func seedFactoryUp(t *testing.T, url string) string {
	t.Helper()
	status, resp := postGraphQL(t, url, `{ entities(filter: {kinds: [factory]}, first: 100) { edges { node { id } } } }`, nil)
	if status != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("factories: %d %+v", status, resp.Errors)
	}
	var list struct {
		Entities struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := json.Unmarshal(resp.Data, &list); err != nil {
		t.Fatal(err)
	}
	best, most := "", 0
	for _, e := range list.Entities.Edges {
		_, resp := postGraphQL(t, url, `query($id: ID!) { responsibilityChain(id: $id, direction: UP, first: 50) { chains { complete } } }`, map[string]any{"id": e.Node.ID})
		var rc struct {
			ResponsibilityChain struct{ Chains []struct{ Complete bool } }
		}
		if json.Unmarshal(resp.Data, &rc) != nil {
			continue
		}
		if n := len(rc.ResponsibilityChain.Chains); n > most || (n == most && e.Node.ID < best) {
			best, most = e.Node.ID, n
		}
	}
	if most == 0 {
		t.Fatalf("no seed factory has a chain up")
	}
	t.Logf("factory view: %s (%d chains up)", best, most)
	return "/?id=" + best + "&mode=up"
}

// minLabelPx is the smallest label font size on screen the explorer may draw.
const minLabelPx = 11.5

type viewport struct {
	name string
	w, h int64
	page string // "" for the explorer, "/embed" for the embed
}

var viewports = []viewport{
	{"desktop", 1440, 900, ""},
	{"phone", 390, 844, ""},
	{"embed", 740, 560, "/embed"},
}

// tab opens a new tab of the browser at a viewport size.
func (b *browser) tab(t *testing.T, w, h int64, mobile bool) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	opts := []chromedp.EmulateViewportOption{}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(1))
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(w, h, opts...)); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	b.watch(tab)
	return tab
}

// open navigates a tab and waits for the view.
func (b *browser) open(t *testing.T, tab context.Context, url string) {
	t.Helper()
	b.do(t, tab, "open "+url, chromedp.Navigate(url))
	b.waitLoaded(t, tab, 0, url)
	b.waitFor(t, tab, `!document.getElementById('details').hasAttribute('aria-busy')`, "details panel")
	time.Sleep(250 * time.Millisecond) // the label pass runs after the viewport settles
}

// labelReport measures the drawn labels: their font size on screen, their
// boxes as Cytoscape drew them, and the overlaps between them.
type labelReport struct {
	Zoom     float64
	Shown    int
	Nodes    int
	MinPx    float64
	EdgeMin  float64
	Overlaps []string
	Focus    bool
	Chain    int // highlighted nodes with their label shown
	ChainAll int
}

const measureLabels = `(() => {
	const z = cy.zoom();
	const shown = cy.nodes('.lbl:visible');
	const boxes = shown.map(n => ({id: n.id(), b: n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false})}));
	const overlaps = [];
	for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
		const a = boxes[i].b, b = boxes[j].b;
		const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1), h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
		if (w > 1 && h > 1) overlaps.push(boxes[i].id + ' × ' + boxes[j].id);
	}
	const px = shown.map(n => parseFloat(n.style('font-size')) * z);
	const epx = cy.edges('.elbl:visible').map(e => parseFloat(e.style('font-size')) * z);
	const focusId = aidtrace.state().mode === 'path' ? aidtrace.state().from : aidtrace.state().id;
	const hl = cy.nodes('.hl:visible');
	return {zoom: z, shown: shown.length, nodes: cy.nodes(':visible').length,
		minPx: px.length ? Math.min(...px) : 0, edgeMin: epx.length ? Math.min(...epx) : 0, overlaps,
		focus: shown.some(n => n.id() === focusId), chain: hl.filter('.lbl').length, chainAll: hl.length};
})()`

func (b *browser) labels(t *testing.T, tab context.Context) labelReport {
	t.Helper()
	var r labelReport
	b.eval(t, tab, measureLabels, &r)
	return r
}

func checkLabels(t *testing.T, what string, r labelReport) {
	t.Helper()
	if r.Shown == 0 || (!r.Focus && !strings.Contains(what, "zoomed")) {
		t.Errorf("%s: %d of %d labels drawn, focus label drawn %v", what, r.Shown, r.Nodes, r.Focus)
	}
	if r.MinPx < minLabelPx {
		t.Errorf("%s: a node label is drawn at %.1f px on screen (zoom %.2f), want ≥ %.1f", what, r.MinPx, r.Zoom, minLabelPx)
	}
	if r.EdgeMin != 0 && r.EdgeMin < minLabelPx-1 {
		t.Errorf("%s: an edge label is drawn at %.1f px", what, r.EdgeMin)
	}
	if len(r.Overlaps) > 0 {
		t.Errorf("%s: drawn labels overlap: %v", what, r.Overlaps)
	}
	t.Logf("%s: zoom %.2f, %d/%d labels drawn (chain %d/%d), smallest %.1f px", what, r.Zoom, r.Shown, r.Nodes, r.Chain, r.ChainAll, r.MinPx)
}

// legendOverlap is the area (px²) the legend covers of the focus node's box.
const legendOverlap = `(() => {
	const id = aidtrace.state().mode === 'path' ? aidtrace.state().from : aidtrace.state().id;
	const n = cy.getElementById(id);
	const lg = document.getElementById('legend');
	if (n.empty() || lg.hidden) return {area: -1};
	const c = cy.container().getBoundingClientRect();
	const b = n.renderedBoundingBox({includeLabels: false});
	const f = {x1: c.left + b.x1, y1: c.top + b.y1, x2: c.left + b.x2, y2: c.top + b.y2};
	const r = lg.getBoundingClientRect();
	const w = Math.min(f.x2, r.right) - Math.max(f.x1, r.left), h = Math.min(f.y2, r.bottom) - Math.max(f.y1, r.top);
	const inStage = f.x1 >= c.left - 1 && f.x2 <= c.right + 1 && f.y1 >= c.top - 1 && f.y2 <= c.bottom + 1;
	return {area: w > 0 && h > 0 ? w * h : 0, open: lg.querySelector('details').open, inStage};
})()`

type overlapReport struct {
	Area    float64
	Open    bool
	InStage bool
}

func (b *browser) checkLegend(t *testing.T, tab context.Context, what string, wantOpen bool) {
	t.Helper()
	var o overlapReport
	b.eval(t, tab, legendOverlap, &o)
	if o.Area != 0 || !o.InStage {
		t.Errorf("%s: the legend covers %.0f px² of the focus entity (in the stage: %v)", what, o.Area, o.InStage)
	}
	if o.Open != wantOpen {
		t.Errorf("%s: legend open %v, want %v at this size", what, o.Open, wantOpen)
	}
	// Open (or close) it: it still must not cover the focus.
	b.eval(t, tab, `(() => { const d = document.querySelector('#legend details'); d.open = !d.open; return true; })()`, nil)
	time.Sleep(150 * time.Millisecond)
	b.eval(t, tab, legendOverlap, &o)
	if o.Area != 0 || !o.InStage {
		t.Errorf("%s, legend toggled: it covers %.0f px² of the focus entity (in the stage: %v)", what, o.Area, o.InStage)
	}
	b.eval(t, tab, `(() => { const d = document.querySelector('#legend details'); d.open = !d.open; return true; })()`, nil)
}

// axeCheck runs axe-core (web/node_modules, installed by `make web`) on the page.
func (b *browser) axeCheck(t *testing.T, tab context.Context, what string) {
	t.Helper()
	src, err := os.ReadFile("../../web/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core: %v (run `make web`)", err)
	}
	b.eval(t, tab, string(src)+";true", nil)
	var violations []struct {
		ID    string
		Help  string
		Nodes []struct{ Target []string }
	}
	b.eval(t, tab, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))})))`, &violations)
	for _, v := range violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: axe: %s (%s) at %v", what, v.ID, v.Help, targets)
	}
}

func shotName(parts ...string) string {
	re := regexp.MustCompile(`[^A-Za-z0-9]+`)
	for i, p := range parts {
		parts[i] = strings.Trim(re.ReplaceAllString(p, "-"), "-")
	}
	return strings.Join(parts, "_") + ".png"
}

func TestExplorerViews(t *testing.T) {
	r := MustServeSeeds(t, nil, nil)
	base := explorerURL(t, r)
	factoryUp := seedFactoryUp(t, r.URL)
	b := newBrowser(t)

	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			tab := b.tab(t, vp.w, vp.h, vp.name == "phone")
			for _, view := range []struct{ name, url string }{{"county", countyUp}, {"factory", factoryUp}} {
				url := base + vp.page + view.url
				b.open(t, tab, url)
				what := fmt.Sprintf("%s %s", vp.name, view.name)
				checkLabels(t, what, b.labels(t, tab))
				b.checkLegend(t, tab, what, vp.name == "desktop")
				b.screenshot(t, tab, shotName("explorer", vp.name, view.name))
			}
			if vp.name == "phone" {
				// The graph gets most of the screen: header and panel collapsed.
				var phone struct{ Header, Panel, Graph, Window float64 }
				b.eval(t, tab, `({header: document.getElementById('chrome').getBoundingClientRect().height,
					panel: document.getElementById('panel').getBoundingClientRect().height,
					graph: document.getElementById('cy').getBoundingClientRect().height - document.getElementById('panel').getBoundingClientRect().height,
					window: innerHeight})`, &phone)
				if phone.Header > 60 || phone.Panel > 50 || phone.Graph < 0.8*phone.Window {
					t.Errorf("phone: header %.0f px, panel %.0f px, graph %.0f px of %.0f", phone.Header, phone.Panel, phone.Graph, phone.Window)
				}
			}
			if vp.name == "desktop" {
				// The help says, in plain words, what the lines mean.
				var help string
				b.eval(t, tab, `document.getElementById('help').textContent`, &help)
				for _, s := range []string{"carries responsibility", "context", "known to be in force", "not known", "strong", "weak", "grade C"} {
					if !strings.Contains(help, s) {
						t.Errorf("the help does not explain %q", s)
					}
				}
			}

			// Zoomed in, more labels fit, none smaller.
			before := b.labels(t, tab)
			b.eval(t, tab, `cy.zoom({level: cy.zoom() * 2, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}}), true`, nil)
			time.Sleep(300 * time.Millisecond)
			after := b.labels(t, tab)
			checkLabels(t, vp.name+" zoomed in", after)
			if after.Zoom <= before.Zoom {
				t.Errorf("zoom did not change: %.2f → %.2f", before.Zoom, after.Zoom)
			}
			b.eval(t, tab, `document.getElementById('btn-fit').click(), true`, nil)

			// Select a hop from the chain list: its evidence is in view without scrolling.
			if vp.page == "" {
				b.open(t, tab, base+countyUp)
				if vp.name == "phone" {
					b.do(t, tab, "open the panel", chromedp.Click(chromedp.ID("panel-toggle")))
				}
				b.eval(t, tab, `(() => { const hops = document.querySelectorAll('#routes .hop'); const h = hops[Math.min(5, hops.length - 1)]; h.scrollIntoView({block: 'center'}); return true; })()`, nil)
				var hopID string
				b.eval(t, tab, `(() => { const hops = document.querySelectorAll('#routes .hop'); const h = hops[Math.min(5, hops.length - 1)]; h.click(); return h.dataset.id; })()`, &hopID)
				b.waitFor(t, tab, fmt.Sprintf(`aidtrace.state().sel === %q && !!document.querySelector('#details .relation .citation') && !document.getElementById('details').hasAttribute('aria-busy')`, hopID), "hop evidence")
				time.Sleep(100 * time.Millisecond)
				var pos struct {
					PanelTop, PanelBottom, HeadTop, CiteTop, CiteBottom, Window float64
					HeadFits                                                    bool
				}
				b.eval(t, tab, `(() => {
					const p = document.getElementById('panel').getBoundingClientRect();
					const h = document.querySelector('#details h2').getBoundingClientRect();
					const c = document.querySelector('#details .citation').getBoundingClientRect();
					const h2 = document.querySelector('#details h2');
					return {panelTop: p.top, panelBottom: Math.min(p.bottom, innerHeight), headTop: h.top, citeTop: c.top, citeBottom: c.bottom, window: innerHeight,
						headFits: h2.scrollWidth <= h2.clientWidth + 1};
				})()`, &pos)
				if pos.HeadTop < pos.PanelTop-1 || pos.CiteTop > pos.PanelBottom-20 || pos.CiteTop < pos.PanelTop {
					t.Errorf("%s: after selecting hop %s the evidence is out of view: panel %.0f–%.0f, headline at %.0f, first citation %.0f–%.0f",
						vp.name, hopID, pos.PanelTop, pos.PanelBottom, pos.HeadTop, pos.CiteTop, pos.CiteBottom)
				}
				if !pos.HeadFits {
					t.Errorf("%s: the relation headline overflows the panel", vp.name)
				}
				b.screenshot(t, tab, shotName("explorer", vp.name, "hop-evidence"))
			}
			b.axeCheck(t, tab, vp.name)
		})
	}

	t.Run("embed fills its frame", func(t *testing.T) {
		for _, size := range [][2]int64{{740, 560}, {400, 480}} {
			tab := b.tab(t, size[0], size[1], false)
			b.open(t, tab, base+"/embed"+countyUp)
			var fill struct {
				ScrollH, InnerH, InnerW float64
				Cy                      struct{ Top, Bottom, Width, Height float64 }
				Graph                   struct{ W, H float64 }
				Header                  bool
				Legend                  bool
			}
			b.eval(t, tab, `(() => {
				const c = document.getElementById('cy').getBoundingClientRect();
				const bb = cy.elements(':visible').renderedBoundingBox({includeLabels: false});
				return {scrollH: document.documentElement.scrollHeight, innerH: innerHeight, innerW: innerWidth,
					cy: {top: c.top, bottom: c.bottom, width: c.width, height: c.height}, graph: {w: bb.w, h: bb.h},
					header: getComputedStyle(document.getElementById('chrome')).display !== 'none',
					legend: document.querySelector('#legend details').open};
			})()`, &fill)
			what := fmt.Sprintf("embed %dx%d", size[0], size[1])
			if fill.ScrollH > fill.InnerH+1 || fill.Header || fill.Legend {
				t.Errorf("%s: page height %.0f in a %.0f frame, header shown %v, legend open %v", what, fill.ScrollH, fill.InnerH, fill.Header, fill.Legend)
			}
			if fill.Cy.Height < 0.85*fill.InnerH || fill.Cy.Width < fill.InnerW-1 {
				t.Errorf("%s: the graph area is %.0f×%.0f of a %.0f×%.0f frame", what, fill.Cy.Width, fill.Cy.Height, fill.InnerW, fill.InnerH)
			}
			if fill.Graph.W < 0.6*fill.Cy.Width && fill.Graph.H < 0.6*fill.Cy.Height {
				t.Errorf("%s: the drawn graph is %.0f×%.0f in a %.0f×%.0f area", what, fill.Graph.W, fill.Graph.H, fill.Cy.Width, fill.Cy.Height)
			}
			checkLabels(t, what, b.labels(t, tab))
			b.checkLegend(t, tab, what, false)
			// Selecting the focus opens the compact overlay: a few chains, then "more".
			b.eval(t, tab, `(() => { cy.getElementById(aidtrace.state().id).emit('tap'); return true; })()`, nil)
			b.waitFor(t, tab, `document.body.classList.contains('has-selection') && !!document.querySelector('#routes .route')`, "embed overlay")
			var overlay struct {
				Routes int
				More   string
				Height float64
				Frame  float64
			}
			b.eval(t, tab, `({routes: document.querySelectorAll('#routes .route').length, more: (document.getElementById('routes-more') || {}).textContent || '',
				height: document.getElementById('panel').getBoundingClientRect().height, frame: innerHeight})`, &overlay)
			if overlay.Routes < 1 || overlay.Routes > 3 || !strings.Contains(overlay.More, "more") || overlay.Height > overlay.Frame {
				t.Errorf("%s overlay: %d chains listed, more link %q, height %.0f in a %.0f frame", what, overlay.Routes, overlay.More, overlay.Height, overlay.Frame)
			}
			b.screenshot(t, tab, shotName("embed", fmt.Sprint(size[0], "x", size[1])))
		}

		// An article opened from a file frames it.
		dir := t.TempDir()
		article := filepath.Join(dir, "article.html")
		html := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>article</title></head><body>
			<h1>An article</h1>
			<iframe id="f" src="%s/embed%s" width="740" height="560" style="border:0" title="aidtrace"></iframe>
			<script>window.got = []; addEventListener('message', e => { if (e.data && e.data.type === 'aidtrace-embed') window.got.push(e.data); });</script>
			</body></html>`, base, countyUp)
		if err := os.WriteFile(article, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		tab := b.tab(t, 1000, 800, false)
		b.do(t, tab, "open the article", chromedp.Navigate("file://"+article))
		b.waitFor(t, tab, `window.got && window.got.some(m => m.view === 'ready')`, "the framed embed reports its view")
		var got []struct {
			View   string
			Width  float64
			Height float64
			Graph  struct{ Width, Height float64 }
		}
		b.eval(t, tab, `window.got`, &got)
		last := got[len(got)-1]
		if last.Width != 740 || last.Height != 560 || last.Graph.Height < 0.85*560 {
			t.Errorf("framed from file://: %+v", last)
		}
		b.screenshot(t, tab, "embed-in-file-article.png")
	})

	t.Run("exports hold exactly the drawn elements", func(t *testing.T) {
		tab := b.tab(t, 1440, 900, false)
		// A trace with a filter on, a node hidden, one dragged: the export follows what is drawn.
		b.open(t, tab, base+countyUp+"&grade=AB")
		var drawn struct {
			Nodes, Edges []string
		}
		b.eval(t, tab, `({nodes: cy.nodes(':visible').map(n => n.id()).sort(), edges: cy.edges(':visible').map(e => e.id()).sort()})`, &drawn)
		var all int
		b.eval(t, tab, `cy.nodes().length`, &all)
		if len(drawn.Nodes) < 3 || len(drawn.Nodes) == all {
			t.Logf("the A/B filter leaves %d of %d entities", len(drawn.Nodes), all)
		}
		var elements json.RawMessage
		b.eval(t, tab, `aidtrace.elements()`, &elements)
		var el struct {
			Nodes []struct {
				ID    string
				X, Y  *float64
				Color string
				Shape string
			}
			Edges       []struct{ ID string }
			Title, View string
		}
		if err := json.Unmarshal(elements, &el); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, n := range el.Nodes {
			ids = append(ids, n.ID)
			if n.X == nil || n.Y == nil || !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(n.Color) || n.Shape == "" {
				t.Errorf("element %s lacks position, colour or shape: %+v", n.ID, n)
			}
		}
		sort.Strings(ids)
		if !slices.Equal(ids, drawn.Nodes) || len(el.Edges) != len(drawn.Edges) || !strings.Contains(el.View, "grade=AB") || el.Title == "" {
			t.Fatalf("the element list differs from the drawing: %d nodes / %d edges listed, %d / %d drawn; view %q", len(ids), len(el.Edges), len(drawn.Nodes), len(drawn.Edges), el.View)
		}
		wantFile := regexp.MustCompile(`aidtrace_county-moyu_chain-up_\d{4}-\d{2}-\d{2}\.`)
		// SVG and PNG, made in the page: the drawn elements, legend, date, credit, address.
		var svg string
		b.eval(t, tab, `aidtrace.svg()`, &svg)
		svgNodes := regexp.MustCompile(`<g id="([^"]+)" opacity="[^"]*"><title>`).FindAllStringSubmatch(svg, -1)
		var svgIDs []string
		for _, m := range svgNodes {
			svgIDs = append(svgIDs, strings.ReplaceAll(m[1], "&amp;", "&"))
		}
		sort.Strings(svgIDs)
		svgEdges := len(regexp.MustCompile(`<g id="rel:[^"]+" opacity`).FindAllString(svg, -1))
		if !slices.Equal(svgIDs, drawn.Nodes) || svgEdges != len(drawn.Edges) {
			t.Errorf("SVG: %d nodes / %d edges, drawn %d / %d", len(svgIDs), svgEdges, len(drawn.Nodes), len(drawn.Edges))
		}
		for _, s := range []string{`class="legend"`, "All dates", "aidtrace —", "/?id=county:moyu&amp;mode=up", "Who answers for Moyu County"} {
			if !strings.Contains(svg, s) {
				t.Errorf("SVG lacks %q", s)
			}
		}
		var png struct {
			Bytes, Width, Height int
			Type                 string
		}
		b.eval(t, tab, `aidtrace.png()`, &png)
		if png.Type != "image/png" || png.Bytes < 10000 || png.Width < 800 {
			t.Errorf("PNG: %+v", png)
		}
		var base string
		b.eval(t, tab, `aidtrace.fileBase()`, &base)
		if !wantFile.MatchString(base + ".") {
			t.Errorf("picture file name %q", base)
		}

		// Nothing to export on an empty page.
		b.open(t, tab, r.URL+"/")
		var empty struct {
			Disabled int
			Note     bool
		}
		b.eval(t, tab, `({disabled: document.querySelectorAll('[data-export]:disabled').length, note: !document.getElementById('export-empty').hidden})`, &empty)
		if empty.Disabled != 8 || !empty.Note {
			t.Errorf("empty page: %d export buttons disabled, note shown %v", empty.Disabled, empty.Note)
		}
		// The data formats: POST the element list, as the explorer does.
		post := func(format string) ([]byte, http.Header) {
			t.Helper()
			resp, err := http.Post(r.URL+"/export/"+format, "application/json", bytes.NewReader(elements))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST /export/%s = %d: %.300s", format, resp.StatusCode, body)
			}
			return body, resp.Header
		}
		// Cytoscape JSON: ids, positions and colours.
		body, hdr := post("cytoscape")
		if !wantFile.MatchString(hdr.Get("Content-Disposition")) {
			t.Errorf("cytoscape export file name: %q", hdr.Get("Content-Disposition"))
		}
		var cyj struct {
			Elements struct {
				Nodes []struct {
					Data     map[string]any
					Position *struct{ X, Y float64 }
				}
				Edges []struct{ Data map[string]any }
			}
		}
		if err := json.Unmarshal(body, &cyj); err != nil {
			t.Fatalf("cytoscape export: %v", err)
		}
		var got []string
		for _, n := range cyj.Elements.Nodes {
			got = append(got, fmt.Sprint(n.Data["id"]))
			if n.Position == nil || n.Data["color"] == nil {
				t.Errorf("cytoscape export: node %v without position or colour", n.Data["id"])
			}
		}
		sort.Strings(got)
		var gotEdges []string
		for _, e := range cyj.Elements.Edges {
			gotEdges = append(gotEdges, fmt.Sprint(e.Data["id"]))
		}
		sort.Strings(gotEdges)
		if !slices.Equal(got, drawn.Nodes) || !slices.Equal(gotEdges, drawn.Edges) {
			t.Errorf("cytoscape export: %d nodes / %d edges, drawn %d / %d", len(got), len(gotEdges), len(drawn.Nodes), len(drawn.Edges))
		}
		// GraphML and GEXF: the same ids, with yEd graphics and viz.
		for _, format := range []string{"graphml", "gexf"} {
			body, _ := post(format)
			nodes, edges := xmlIDs(t, body)
			if !slices.Equal(nodes, drawn.Nodes) || !slices.Equal(edges, drawn.Edges) {
				t.Errorf("%s export: %d nodes / %d edges, drawn %d / %d", format, len(nodes), len(edges), len(drawn.Nodes), len(drawn.Edges))
			}
			want := map[string]string{"graphml": "y:ShapeNode", "gexf": "viz:position"}[format]
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("%s export lacks %s", format, want)
			}
		}
		// CSV: a zip of tables, and single tables.
		body, hdr = post("csv")
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil || !strings.Contains(hdr.Get("Content-Type"), "zip") {
			t.Fatalf("csv export is not a zip (%s): %v", hdr.Get("Content-Type"), err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if !slices.Contains(names, "nodes.csv") && !slices.ContainsFunc(names, func(s string) bool { return strings.Contains(s, "node") || strings.Contains(s, "entit") }) {
			t.Errorf("csv zip holds %v", names)
		}
		single, _ := post("csv-nodes")
		if n := bytes.Count(single, []byte("\n")) - 1; n != len(drawn.Nodes) {
			t.Errorf("csv-nodes: %d rows, %d entities drawn", n, len(drawn.Nodes))
		}

	})

	t.Run("work a view", func(t *testing.T) {
		tab := b.tab(t, 1440, 900, false)
		b.open(t, tab, base+factoryUp)
		type pos struct{ X, Y float64 }
		var before map[string]pos
		b.eval(t, tab, `Object.fromEntries(cy.nodes().map(n => [n.id(), n.position()]))`, &before)

		// Expand a chain node in place: new neighbours, nothing moved, the URL keeps it.
		// An entity on the chains whose neighbours are not all drawn yet.
		var target string
		b.eval(t, tab, `(async () => {
			const drawn = new Set(cy.nodes().map(n => n.id()));
			for (const id of cy.nodes('.hl').map(n => n.id()).sort()) {
				if (id === aidtrace.state().id) continue;
				const r = await fetch('/graphql', {method: 'POST', headers: {'content-type': 'application/json'},
					body: JSON.stringify({query: 'query($ids: [ID!]!) { neighborhood(ids: $ids, depth: 1, limit: 60) { nodes { id } } }', variables: {ids: [id]}})});
				const d = await r.json();
				if (d.data.neighborhood.nodes.some(n => !drawn.has(n.id))) return id;
			}
			return '';
		})()`, &target)
		if target == "" {
			t.Fatal("no entity on the factory's chains has a neighbour that is not drawn")
		}
		b.eval(t, tab, fmt.Sprintf(`cy.getElementById(%q).emit('dbltap'), true`, target), nil)
		b.waitFor(t, tab, `document.documentElement.dataset.expanded === '1'`, "expanded")
		var after map[string]pos
		b.eval(t, tab, `Object.fromEntries(cy.nodes().map(n => [n.id(), n.position()]))`, &after)
		if len(after) <= len(before) {
			t.Errorf("expanding %s added nothing: %d → %d entities", target, len(before), len(after))
		}
		for id, p := range before {
			if q := after[id]; q != p {
				t.Errorf("expanding moved %s from %v to %v", id, p, q)
			}
		}
		g := b.graph(t, tab)
		if !strings.Contains(g.URL, "exp="+target) || g.State.Mode != "up" {
			t.Errorf("after expanding: URL %s", g.URL)
		}

		// Drag a node: it is pinned where it was dropped, in the URL.
		var at struct{ X, Y float64 }
		b.eval(t, tab, `(() => { const n = cy.getElementById(aidtrace.state().id); const p = n.renderedPosition(); const c = cy.container().getBoundingClientRect(); return {x: c.left + p.x, y: c.top + p.y}; })()`, &at)
		b.do(t, tab, "drag the focus",
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, at.X, at.Y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X+30, at.Y+10, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X+60, at.Y+20, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, at.X+60, at.Y+20, chromedp.ButtonLeft))
		b.waitFor(t, tab, `location.search.includes('pos=')`, "position in the URL")
		var dragged struct {
			URL string
			X   float64
			Y   float64
		}
		b.eval(t, tab, `(() => { const p = cy.getElementById(aidtrace.state().id).position(); return {url: location.pathname + location.search, x: Math.round(p.x), y: Math.round(p.y)}; })()`, &dragged)
		fresh := b.tab(t, 1440, 900, false)
		b.open(t, fresh, base+dragged.URL)
		var again struct{ X, Y float64 }
		b.eval(t, fresh, `(() => { const p = cy.getElementById(aidtrace.state().id).position(); return {x: Math.round(p.x), y: Math.round(p.y)}; })()`, &again)
		if again.X != dragged.X || again.Y != dragged.Y {
			t.Errorf("the shared URL %s puts the dragged node at %v, it was dropped at (%v, %v)", dragged.URL, again, dragged.X, dragged.Y)
		}
		var freshCount int
		b.eval(t, fresh, `cy.nodes().length`, &freshCount)
		if freshCount != len(after) {
			t.Errorf("the shared URL draws %d entities, the expanded view %d", freshCount, len(after))
		}

		// Filters: only A/B evidence leaves no relation graded C only.
		b.eval(t, fresh, `document.getElementById('filter-menu').open = true, true`, nil)
		b.do(t, fresh, "only A/B", chromedp.Click(chromedp.ID("f-ab")))
		// The page may still be finishing the view it restored (a layout from
		// the worker): wait for the filter to hold, then read what is drawn.
		b.waitFor(t, fresh, `aidtrace.state().grade === 'AB' && cy.edges(':visible').filter(e => e.data('bestGrade') ? !['A','B'].includes(e.data('bestGrade')) : e.data('strength') === 'WEAK').length === 0`, "only A/B evidence drawn")
		var filtered struct {
			Bad   []string
			Grade string
			URL   string
		}
		b.eval(t, fresh, `({bad: cy.edges(':visible').filter(e => e.data('bestGrade') ? !['A','B'].includes(e.data('bestGrade')) : e.data('strength') === 'WEAK').map(e => e.id()),
			grade: aidtrace.state().grade, url: location.search})`, &filtered)
		if len(filtered.Bad) > 0 || filtered.Grade != "AB" || !strings.Contains(filtered.URL, "grade=AB") {
			t.Errorf("only A/B evidence: %+v", filtered)
		}
		b.screenshot(t, fresh, "explorer-worked-view.png")
		b.axeCheck(t, fresh, "filters open")
	})

	t.Run("timeline writes history once it stops", func(t *testing.T) {
		tab := b.tab(t, 1440, 900, false)
		b.open(t, tab, base+"/?id=prefecture:aksu&asOf=2015")
		var h0 int
		b.eval(t, tab, `history.length`, &h0)
		b.mu.Lock()
		req0 := countGraphQL(b.requests)
		b.mu.Unlock()
		n := b.loads(t, tab)
		b.do(t, tab, "focus the slider", chromedp.Focus(chromedp.ID("asof-year")))
		for i := 0; i < 11; i++ {
			b.do(t, tab, "step", chromedp.KeyEvent(kb.ArrowLeft))
		}
		b.waitLoaded(t, tab, n, "timeline stopped")
		time.Sleep(600 * time.Millisecond)
		var after struct {
			History int
			AsOf    string
			Loads   int
		}
		b.eval(t, tab, `({history: history.length, asOf: aidtrace.state().asOf, loads: Number(document.documentElement.dataset.loads)})`, &after)
		b.mu.Lock()
		reqs := countGraphQL(b.requests) - req0
		b.mu.Unlock()
		if after.AsOf != "2004" || after.History != h0+1 || after.Loads != n+1 || reqs > 3 {
			t.Errorf("11 steps of the slider: as of %q, %d history entries added, %d loads, %d GraphQL requests; want 2004, 1, 1, ≤ 3",
				after.AsOf, after.History-h0, after.Loads-n, reqs)
		}
	})

	t.Run("focus stays after Trace up, a bad date is an error", func(t *testing.T) {
		tab := b.tab(t, 1440, 900, false)
		b.open(t, tab, base+"/?id=county:moyu")
		n := b.loads(t, tab)
		b.do(t, tab, "Trace up with the keyboard", chromedp.Focus(chromedp.CSS(`#details button[data-action=up]`)), chromedp.KeyEvent("\r"))
		b.waitLoaded(t, tab, n, "trace up")
		b.waitFor(t, tab, `!document.getElementById('details').hasAttribute('aria-busy')`, "details")
		var focus string
		b.eval(t, tab, `document.activeElement.dataset.action || document.activeElement.tagName`, &focus)
		if focus != "up" {
			t.Errorf("after Trace up the focus is on %q, want the Trace up button", focus)
		}
		b.do(t, tab, "open a link with a bad date", chromedp.Navigate(base+"/?id=county:moyu&asOf=2015-13"))
		b.waitFor(t, tab, `Number(document.documentElement.dataset.loads || 0) > 0`, "the bad link")
		var bad struct {
			View   string
			Status string
			Nodes  int
		}
		b.eval(t, tab, `({view: document.documentElement.dataset.view, status: document.getElementById('status').textContent, nodes: cy.nodes().length})`, &bad)
		if bad.View != "error" || !strings.Contains(bad.Status, "2015-13") || bad.Nodes != 0 {
			t.Errorf("a link with asOf=2015-13: %+v; want an error, nothing drawn", bad)
		}
	})

	b.checkClean(t, base)
}

func countGraphQL(urls []string) int {
	n := 0
	for _, u := range urls {
		if strings.HasSuffix(u, "/graphql") {
			n++
		}
	}
	return n
}

// xmlIDs reads the node and edge ids of a GraphML or GEXF document.
func xmlIDs(t *testing.T, body []byte) (nodes, edges []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("xml: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "id" {
				continue
			}
			switch se.Name.Local {
			case "node":
				nodes = append(nodes, a.Value)
			case "edge":
				edges = append(edges, a.Value)
			}
		}
	}
	sort.Strings(nodes)
	sort.Strings(edges)
	return nodes, edges
}
