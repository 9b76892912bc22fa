// The aidtrace explorer: search, a neighbourhood graph, responsibility
// chains, paths, an as-of date, evidence for every hop, and the view's state
// in the URL. Served at / and, with minimal chrome for iframes, at /embed.

import cytoscape from 'cytoscape';
import './style.css';
import { APIError, ENTITY, RELATION, RELATION_TYPES, fetchView, gql } from './api.js';
import { kindInfo, kindsPresent, relLabel } from './kinds.js';
import { stylesheet } from './graphstyle.js';
import { layeredLayout, segmentParams } from './layout.js';
import { buildView, nodeLabel } from './model.js';
import { entityView, h, kindChip, relationView } from './panel.js';
import { attachSearch } from './search.js';
import { describeMode, exportQuery, formatState, isPartialDate, parseState, startIds } from './state.js';
import { graphToSVG } from './svg.js';

const embed = /^\/embed(\/|$)/.test(location.pathname);
document.body.classList.toggle('embed', embed);
const basePath = embed ? '/embed' : '/';
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Show labels on every edge up to this many edges; beyond, only on highlighted ones. */
const EDGE_LABEL_LIMIT = 120;

let state = parseState(location.search);
/** @type {import('./model.js').View | null} */
let view = null;
let loads = 0;
let loadController = null;
let detailController = null;
let meanings = null;

const cy = cytoscape({
  container: $('cy'),
  style: stylesheet,
  minZoom: 0.05,
  maxZoom: 4,
  boxSelectionEnabled: false,
  selectionType: 'single',
  textureOnViewport: false,
  hideEdgesOnViewport: false,
});
// Exposed for the browser tests and for people who want to poke at the view.
window.cy = cy;

// ---------------------------------------------------------------- state & URL

function setState(next, { push = true } = {}) {
  state = { ...state, ...next };
  const url = basePath + formatState(state);
  if (url !== location.pathname + location.search) {
    // In an iframe, pushState would hijack the article's back button.
    if (push && !embed) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }
}

async function navigate(next, opts) {
  setState(next, opts);
  await load();
}

window.addEventListener('popstate', () => {
  state = parseState(location.search);
  load();
});

// ---------------------------------------------------------------- loading

function setStatus(text, kind = 'info') {
  const el = $('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

function markLoaded(result) {
  loads++;
  document.documentElement.dataset.loads = String(loads);
  document.documentElement.dataset.view = result;
}

async function load() {
  syncControls();
  const ids = startIds(state);
  if (loadController) loadController.abort();
  if (!ids.length) {
    cy.elements().remove();
    view = null;
    renderLegend([]);
    renderListing();
    renderRoutes();
    showWelcome();
    setStatus('Search for a body, place or firm to begin.');
    updateLinks();
    markLoaded('empty');
    return;
  }
  const controller = new AbortController();
  loadController = controller;
  document.documentElement.dataset.view = 'loading';
  setStatus('Loading…');
  const t0 = performance.now();
  let data;
  try {
    data = await fetchView(state, controller.signal);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (controller !== loadController) return;
    cy.elements().remove();
    view = null;
    renderLegend([]);
    renderListing();
    renderRoutes();
    setStatus(errorText(err), 'error');
    $('details').replaceChildren(h('p', { class: 'error' }, errorText(err)));
    markLoaded('error');
    return;
  }
  if (controller !== loadController) return;
  const t1 = performance.now();
  await drawView(buildView(data, state));
  const t2 = performance.now();
  document.documentElement.dataset.renderMs = String(Math.round(t2 - t1));
  document.documentElement.dataset.fetchMs = String(Math.round(t1 - t0));
  await showSelection();
  markLoaded('ready');
}

function errorText(err) {
  if (err instanceof APIError) {
    if (err.code === 'NOT_FOUND') return `Not found: ${err.message}`;
    if (err.code === 'UNAVAILABLE') return `The database is not available right now. ${err.message}`;
    return `${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
  return String(err && err.message ? err.message : err);
}

// ---------------------------------------------------------------- drawing

function nodeElement(n, v) {
  const k = kindInfo(n.kind);
  const classes = [];
  if (v.roots.includes(n.id)) classes.push('root');
  if (v.highlight.size && state.mode !== 'neighborhood') classes.push(v.highlight.has(n.id) ? 'hl' : 'faded');
  return {
    group: 'nodes',
    data: { id: n.id, label: nodeLabel(n), name: n.name, nameZh: n.nameZh || '', kind: n.kind, color: k.color, shape: k.shape },
    classes,
  };
}

function edgeElement(e, v, labelAll) {
  const classes = [];
  if (e.responsibility === 'NONE') classes.push('context');
  if (e.confidence !== 'confirmed') classes.push('uncertain');
  if (labelAll) classes.push('labelled');
  if (v.highlight.size && state.mode !== 'neighborhood') classes.push(v.highlight.has(e.id) ? 'hl' : 'faded');
  const label = relLabel(e.type) + (e.confidence !== 'confirmed' ? ` (${e.confidence})` : '');
  return {
    group: 'edges',
    data: {
      id: e.id,
      source: e.fromId,
      target: e.toId,
      type: e.type,
      label,
      validFrom: e.validFrom || '',
      validTo: e.validTo || '',
      confidence: e.confidence,
    },
    classes,
  };
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

/**
 * Replaces the graph with a view and lays it out. Resolves after the first
 * frame is painted.
 * @param {import('./model.js').View} v
 */
async function drawView(v) {
  view = v;
  const labelAll = v.edges.length <= EDGE_LABEL_LIMIT;
  cy.batch(() => {
    cy.elements().remove();
    cy.add(v.nodes.map((n) => nodeElement(n, v)));
    cy.add(v.edges.map((e) => edgeElement(e, v, labelAll)));
  });
  runLayout();
  renderLegend(v.nodes.map((n) => n.kind));
  renderListing();
  renderRoutes();
  updateLinks();
  updateStatus();
  updateTitle();
  syncPathFinder();
  await nextFrame();
  await nextFrame();
}

const BENT = ['curve-style', 'segment-weights', 'segment-distances', 'edge-distances'];

function runLayout() {
  const nodes = cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind') }));
  const edges = cy.edges().map((e) => ({ id: e.id(), source: e.data('source'), target: e.data('target') }));
  const { positions, bends } = layeredLayout(nodes, edges);
  cy.batch(() => {
    cy.edges().removeStyle(BENT.join(' '));
    cy.layout({ name: 'preset', positions: (n) => positions[n.id()], fit: false, animate: false }).run();
    if (state.layout === 'force' && nodes.length > 1) return;
    // Edges that span layers bend through their places in the layers between.
    for (const [id, pts] of Object.entries(bends)) {
      const e = cy.getElementById(id);
      const { weights, distances } = segmentParams(positions[e.data('source')], positions[e.data('target')], pts);
      e.style({
        'curve-style': 'segments',
        'edge-distances': 'node-position',
        'segment-weights': weights.map((w) => w.toFixed(4)).join(' '),
        'segment-distances': distances.map((d) => d.toFixed(1)).join(' '),
      });
    }
  });
  if (state.layout === 'force' && nodes.length > 1) {
    cy.layout({ name: 'cose', animate: false, randomize: false, fit: true, padding: 40, nodeDimensionsIncludeLabels: true, numIter: 600 }).run();
  } else {
    cy.fit(undefined, 40);
  }
}

function updateStatus() {
  if (!view) return;
  const parts = [];
  const root = (id) => (view.nodes.find((n) => n.id === id) || { name: id }).name;
  if (state.mode === 'path') parts.push(`${describeMode(state)} from ${root(state.from)} to ${root(state.to)}`);
  else parts.push(`${describeMode(state)} of ${root(state.id)}`);
  parts.push(state.asOf ? `as of ${state.asOf}` : 'all dates');
  parts.push(`depth ${state.depth}`);
  parts.push(`${view.nodes.length} entities, ${view.edges.length} relations`);
  if (state.mode === 'up' || state.mode === 'down') parts.push(`${view.routes.length} chain${view.routes.length === 1 ? '' : 's'}`);
  if (state.mode === 'path') parts.push(`${view.routes.length} path${view.routes.length === 1 ? '' : 's'}`);
  let text = parts.join(' · ');
  let kind = 'info';
  if (view.truncated) {
    text += ` — the neighbourhood was cut at ${state.limit} entities`;
    kind = 'warn';
  }
  if (view.routesTruncated) {
    text += ' — more chains exist than are drawn';
    kind = 'warn';
  }
  if ((state.mode === 'up' || state.mode === 'down' || state.mode === 'path') && !view.routes.length) {
    text += state.mode === 'path' ? ' — no path found' : ' — no chain found';
  }
  setStatus(text, kind);
}

function updateTitle() {
  const parts = [];
  if (view) {
    const name = (id) => (view.nodes.find((n) => n.id === id) || { name: id }).name;
    parts.push(state.mode === 'path' ? `${name(state.from)} → ${name(state.to)}` : name(state.id));
    if (state.mode !== 'neighborhood') parts.push(describeMode(state).toLowerCase());
    if (state.asOf) parts.push(`as of ${state.asOf}`);
  }
  document.title = [...parts, 'aidtrace explorer'].join(' — ');
  $('embed-title').textContent = parts.join(' · ') || 'aidtrace';
}

function renderLegend(kinds) {
  const el = $('legend');
  const present = kindsPresent(kinds);
  if (!present.length) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const items = present.map((k) => h('li', {}, kindChip(k)));
  const wasOpen = el.querySelector('details') ? el.querySelector('details').open : true;
  el.replaceChildren(
    h(
      'details',
      { open: wasOpen },
      h('summary', { class: 'legend-title' }, 'Legend'),
      h('ul', { class: 'legend-kinds' }, items),
    h(
      'ul',
      { class: 'legend-lines' },
      h('li', {}, h('span', { class: 'line line-solid', 'aria-hidden': 'true' }), 'carries responsibility'),
      h('li', {}, h('span', { class: 'line line-dashed', 'aria-hidden': 'true' }), 'context'),
      h('li', {}, h('span', { class: 'line line-dotted', 'aria-hidden': 'true' }), 'reported / disputed'),
      state.mode !== 'neighborhood' ? h('li', {}, h('span', { class: 'line line-hl', 'aria-hidden': 'true' }), state.mode === 'path' ? 'path' : 'chain') : null,
      ),
    ),
  );
}

/** Text list of the view's entities: the keyboard way into the graph. */
function renderListing() {
  const body = $('listing-body');
  if (!view) {
    body.replaceChildren();
    $('listing-summary').textContent = 'Entities in this view';
    return;
  }
  $('listing-summary').textContent = `Entities in this view (${view.nodes.length})`;
  const sorted = [...view.nodes].sort((a, b) => a.name.localeCompare(b.name));
  body.replaceChildren(
    ...sorted.map((n) =>
      h(
        'li',
        {},
        h('button', { type: 'button', class: 'linklike', 'data-id': n.id, onclick: () => select(n.id) }, h('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${kindInfo(n.kind).color}` }), n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null),
      ),
    ),
  );
}

/** The chains or paths, hop by hop, as text. */
function renderRoutes() {
  const box = /** @type {HTMLDetailsElement} */ ($('routes'));
  if (!view || state.mode === 'neighborhood') {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.open = true;
  const what = state.mode === 'path' ? 'Paths' : state.mode === 'up' ? 'Chains up' : 'Chains down';
  $('routes-summary').textContent = `${what} (${view.routes.length})`;
  if (!view.routes.length) {
    $('routes-body').replaceChildren(h('p', { class: 'muted' }, state.mode === 'path' ? 'No path within 6 hops.' : 'No chain of responsibility from here.'));
    return;
  }
  const hint = h('p', { class: 'muted hint-arrows' }, '↓ the relation points to the entity below it, ↑ to the entity above. Click a relation for its evidence.');
  const entity = (n) => h('li', { class: 'r-node' }, h('button', { type: 'button', class: 'linklike', onclick: () => select(n.id) }, n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null));
  $('routes-body').replaceChildren(
    hint,
    ...view.routes.map((r) =>
      h(
        'section',
        { class: 'route' },
        h('h3', {}, r.label, r.complete ? '' : ' (cut at the depth limit)'),
        h(
          'ol',
          { class: 'route-steps' },
          entity(r.start),
          r.steps.map((s) => {
            const [a, b] = s.forward ? [s.prev, s.next] : [s.next, s.prev];
            const dates = [s.edge.validFrom, s.edge.validTo].filter(Boolean).join('–');
            const sentence = `${a.name} ${relLabel(s.edge.type)} ${b.name}${dates ? ` (${dates})` : ''}`;
            return [
              h(
                'li',
                { class: 'r-hop' },
                h(
                  'button',
                  { type: 'button', class: 'hop', 'data-id': s.edge.id, title: sentence, 'aria-label': `${sentence}: show the evidence`, onclick: () => select(s.edge.id) },
                  `${s.forward ? '↓' : '↑'} ${relLabel(s.edge.type)}`,
                ),
                dates ? h('span', { class: 'muted' }, ` ${dates}`) : null,
                s.edge.confidence !== 'confirmed' ? h('span', { class: 'conf-reported' }, ` ${s.edge.confidence}`) : null,
              ),
              entity(s.next),
            ];
          }),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- selection & panel

function select(id, { push = true } = {}) {
  cy.elements().unselect();
  const el = cy.getElementById(id);
  if (el.nonempty()) {
    el.select();
    if (!el.visible() || !isInViewport(el)) cy.animate({ center: { eles: el } }, { duration: 200 });
  }
  setState({ sel: id }, { push });
  showSelection();
}

function isInViewport(el) {
  const ext = cy.extent();
  const bb = el.boundingBox();
  return bb.x1 >= ext.x1 && bb.x2 <= ext.x2 && bb.y1 >= ext.y1 && bb.y2 <= ext.y2;
}

async function showSelection() {
  const id = state.sel || (state.mode === 'path' ? state.from : state.id);
  cy.elements().unselect();
  if (!id) return;
  const el = cy.getElementById(id);
  if (el.nonempty()) el.select();
  document.body.classList.toggle('has-selection', !!state.sel);
  if (detailController) detailController.abort();
  const controller = new AbortController();
  detailController = controller;
  const details = $('details');
  details.setAttribute('aria-busy', 'true');
  try {
    if (id.startsWith('rel:')) {
      const [data, m] = await Promise.all([gql(RELATION, { id }, { signal: controller.signal }), relationMeanings()]);
      if (controller !== detailController) return;
      if (!data.node) throw new APIError(`No relation ${id}.`, 'NOT_FOUND');
      details.replaceChildren(relationView(data.node, { meanings: m, onSelect: (nid) => select(nid) }));
    } else {
      const data = await gql(ENTITY, { id }, { signal: controller.signal });
      if (controller !== detailController) return;
      if (!data.entity) throw new APIError(`No entity ${id}.`, 'NOT_FOUND');
      details.replaceChildren(
        entityView(data.entity, {
          focus: state.mode === 'path' ? '' : state.id,
          mode: state.mode,
          embed,
          onAction: (mode, eid) => navigate({ mode, id: eid, sel: '', from: '', to: '' }),
          onPathFrom: (e) => openPathFinder(e),
        }),
      );
    }
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    details.replaceChildren(h('p', { class: 'error' }, errorText(err)));
  } finally {
    if (controller === detailController) details.removeAttribute('aria-busy');
  }
}

async function relationMeanings() {
  if (meanings) return meanings;
  try {
    const data = await gql(RELATION_TYPES);
    meanings = Object.fromEntries(data.relationTypes.map((t) => [t.name, t.meaning]));
  } catch {
    return {};
  }
  return meanings;
}

function showWelcome() {
  const start = (id, label, mode = 'neighborhood') =>
    h('li', {}, h('button', { type: 'button', class: 'linklike', onclick: () => navigate({ id, mode, sel: '' }) }, label));
  $('details').replaceChildren(
    h(
      'article',
      { class: 'detail welcome' },
      h('h2', { id: 'detail-title' }, 'Who directs whom in “Xinjiang Aid”'),
      h(
        'p',
        {},
        'The governance chain behind China’s pairing-assistance programme (对口援疆), from the CCP Central Committee down to counties, labour-dispatch firms and factories. Every relation is typed, dated and cited.',
      ),
      h('p', {}, 'Search above in English, pinyin or Chinese, or start from:'),
      h(
        'ul',
        {},
        start('party_body:ccp-central-committee', 'CCP Central Committee'),
        start('province:zhejiang', 'Zhejiang (an aiding province)'),
        start('prefecture:aksu', 'Aksu Prefecture: who answers for it (trace up)', 'up'),
      ),
      h('p', { class: 'muted' }, 'Click a node or an edge to read its sources. Trace up or down to follow responsibility; set a date to see the graph as it was then.'),
    ),
  );
}

// ---------------------------------------------------------------- controls

function syncControls() {
  const on = !!state.asOf;
  /** @type {HTMLInputElement} */ ($('asof-on')).checked = on;
  const year = /** @type {HTMLInputElement} */ ($('asof-year'));
  year.disabled = !on;
  if (on) year.value = state.asOf.slice(0, 4);
  /** @type {HTMLInputElement} */ ($('asof-text')).value = state.asOf;
  /** @type {HTMLSelectElement} */ ($('depth')).value = String(state.depth);
  const limit = /** @type {HTMLSelectElement} */ ($('limit'));
  if (![...limit.options].some((o) => o.value === String(state.limit))) limit.add(new Option(String(state.limit), String(state.limit)));
  limit.value = String(state.limit);
  /** @type {HTMLSelectElement} */ ($('layout')).value = state.layout;
  document.body.dataset.mode = state.mode;
}

function updateLinks() {
  const q = exportQuery(state);
  for (const fmt of ['graphml', 'gexf', 'csv', 'cytoscape']) {
    /** @type {HTMLAnchorElement} */ ($(`exp-${fmt}`)).href = `/export/${fmt}?${q}`;
  }
  /** @type {HTMLAnchorElement} */ ($('embed-open')).href = '/' + formatState(state);
}

$('asof-on').addEventListener('change', (ev) => {
  const on = /** @type {HTMLInputElement} */ (ev.target).checked;
  navigate({ asOf: on ? /** @type {HTMLInputElement} */ ($('asof-year')).value : '' });
});
$('asof-year').addEventListener('input', (ev) => {
  /** @type {HTMLInputElement} */ ($('asof-text')).value = /** @type {HTMLInputElement} */ (ev.target).value;
});
$('asof-year').addEventListener('change', (ev) => {
  navigate({ asOf: /** @type {HTMLInputElement} */ (ev.target).value });
});
$('asof-text').addEventListener('change', (ev) => {
  const input = /** @type {HTMLInputElement} */ (ev.target);
  const v = input.value.trim();
  if (v === '' || isPartialDate(v)) {
    input.removeAttribute('aria-invalid');
    navigate({ asOf: v });
  } else {
    input.setAttribute('aria-invalid', 'true');
    setStatus(`“${v}” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.`, 'error');
  }
});
$('depth').addEventListener('change', (ev) => navigate({ depth: Number(/** @type {HTMLSelectElement} */ (ev.target).value) }));
$('limit').addEventListener('change', (ev) => navigate({ limit: Number(/** @type {HTMLSelectElement} */ (ev.target).value) }));
$('layout').addEventListener('change', (ev) => {
  setState({ layout: /** @type {HTMLSelectElement} */ (ev.target).value });
  runLayout();
});

$('btn-fit').addEventListener('click', () => cy.fit(undefined, 40));
$('btn-zoom-in').addEventListener('click', () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
$('btn-zoom-out').addEventListener('click', () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
$('panel-close').addEventListener('click', () => {
  document.body.classList.remove('has-selection');
  cy.elements().unselect();
});

function fileBase() {
  const slug = (s) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const who = state.mode === 'path' ? `${slug(state.from)}--${slug(state.to)}` : slug(state.id || 'view');
  return `aidtrace-${who}-${state.mode}${state.asOf ? '-' + state.asOf : ''}`;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

$('btn-png').addEventListener('click', () => {
  const blob = cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 });
  download(blob, fileBase() + '.png');
});

/** The drawn graph as an SVG document. */
function currentSVG() {
  const nodes = cy.nodes().map((n) => {
    const p = n.position();
    return {
      id: n.id(),
      x: p.x,
      y: p.y,
      w: n.width(),
      h: n.height(),
      shape: n.data('shape'),
      color: n.data('color'),
      border: n.style('border-color'),
      borderWidth: parseFloat(n.style('border-width')),
      opacity: parseFloat(n.style('opacity')),
      label: n.data('label'),
      labelColor: '#1b1b1b',
      fontSize: parseFloat(n.style('font-size')),
    };
  });
  const edges = cy.edges().map((e) => {
    const s = e.sourceEndpoint();
    const t = e.targetEndpoint();
    const m = e.midpoint();
    return {
      id: e.id(),
      sx: s.x,
      sy: s.y,
      tx: t.x,
      ty: t.y,
      mx: m.x,
      my: m.y,
      bends: e.style('curve-style') === 'segments' ? e.segmentPoints() || [] : [],
      color: e.style('line-color'),
      width: parseFloat(e.style('width')),
      dashed: e.style('line-style') !== 'solid',
      opacity: parseFloat(e.style('opacity')),
      label: e.style('label') ? e.data('label') : '',
    };
  });
  return graphToSVG(nodes, edges, { title: document.title, caption: `${$('embed-title').textContent} — aidtrace` });
}

$('btn-svg').addEventListener('click', () => {
  download(new Blob([currentSVG()], { type: 'image/svg+xml;charset=utf-8' }), fileBase() + '.svg');
});

// Graph interaction: tap selects, double-tap on a node makes it the focus.
cy.on('tap', 'node, edge', (ev) => select(ev.target.id()));
cy.on('dbltap', 'node', (ev) => navigate({ id: ev.target.id(), mode: 'neighborhood', sel: '' }));
cy.on('tap', (ev) => {
  if (ev.target === cy && state.sel) select(state.mode === 'path' ? state.from : state.id);
});
cy.on('mouseover', 'node, edge', () => ($('cy').style.cursor = 'pointer'));
cy.on('mouseout', 'node, edge', () => ($('cy').style.cursor = ''));

// ---------------------------------------------------------------- search & path finder

const mainSearch = attachSearch(/** @type {HTMLInputElement} */ ($('search')), (e) => {
  navigate({ id: e.id, mode: 'neighborhood', sel: '', from: '', to: '' });
  mainSearch.clear();
  $('panel').focus();
});

const pathEnds = { from: null, to: null };
attachSearch(/** @type {HTMLInputElement} */ ($('path-from')), (e) => {
  pathEnds.from = e;
  $('path-hint').textContent = '';
});
attachSearch(/** @type {HTMLInputElement} */ ($('path-to')), (e) => {
  pathEnds.to = e;
  $('path-hint').textContent = '';
});

/** In path mode, the path finder shows the view's endpoints. */
function syncPathFinder() {
  if (state.mode !== 'path' || !view) return;
  const byId = (id) => view.nodes.find((n) => n.id === id);
  const from = byId(state.from);
  const to = byId(state.to);
  if (from) {
    pathEnds.from = from;
    /** @type {HTMLInputElement} */ ($('path-from')).value = from.name;
  }
  if (to) {
    pathEnds.to = to;
    /** @type {HTMLInputElement} */ ($('path-to')).value = to.name;
  }
  /** @type {HTMLDetailsElement} */ ($('pathfinder')).open = true;
}

function openPathFinder(from) {
  const box = /** @type {HTMLDetailsElement} */ ($('pathfinder'));
  box.open = true;
  pathEnds.from = from;
  /** @type {HTMLInputElement} */ ($('path-from')).value = from.name;
  $('path-to').focus();
}

$('path-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (!pathEnds.from || !pathEnds.to) {
    $('path-hint').textContent = 'Pick both ends from the search results.';
    return;
  }
  navigate({ mode: 'path', from: pathEnds.from.id, to: pathEnds.to.id, id: '', sel: '' });
});

// ---------------------------------------------------------------- start

window.aidtrace = {
  /** The current view state. */
  state: () => ({ ...state }),
  /** Draws a view object (as buildView returns) and resolves to the milliseconds it took; used by the render benchmark. */
  async drawView(v) {
    const t0 = performance.now();
    await drawView({ highlight: new Set(), roots: [], routes: [], truncated: false, routesTruncated: false, ...v });
    return performance.now() - t0;
  },
  /** The current view as an SVG document. */
  svg: currentSVG,
};

load();
