// The aidtrace explorer: search, a neighbourhood graph, responsibility
// chains, paths, an as-of date, evidence for every hop, filters, expansion in
// place, pinned positions, and the whole view's state in the URL. Served at /
// and, with minimal chrome for iframes, at /embed.

import cytoscape from 'cytoscape';
import './style.css';
import { APIError, apiV2, entityQuery, fetchExpansion, fetchView, gqlV, relationQuery } from './api.js';
import { KINDS, RELATION_TYPES, STRENGTH_TEXT, kindInfo, kindsPresent, relLabel } from './kinds.js';
import { CONTEXT_COLOR, EDGE_FONT_PX, FONT, NODE_FONT_PX, RESP_COLOR, STRENGTH_LINE, renderedFont, stylesheet } from './graphstyle.js';
import { forceLayout, layeredLayout, placeAround, segmentParams } from './layout.js';
import { declutter } from './labels.js';
import { buildView, dateRange, expandView, nodeLabel, visibleIds } from './model.js';
import { entityView, h, kindChip, relationView, shapeIcon } from './panel.js';
import { attachSearch } from './search.js';
import { CONFIDENCES, DEFAULTS, describeMode, filtering, formatState, isPartialDate, parseState, startIds } from './state.js';
import { graphToSVG } from './svg.js';

const embed = /^\/embed(\/|$)/.test(location.pathname);
document.body.classList.toggle('embed', embed);
const basePath = embed ? '/embed' : '/';
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Edge labels for every relation up to this many drawn relations; beyond, only highlighted and selected ones. */
const EDGE_LABEL_LIMIT = 120;
/** Routes listed in the embed's compact overlay. */
const EMBED_ROUTES = 3;
/** The credit line of pictures and exports. */
const CREDIT = 'aidtrace — an open, sourced graph of the Xinjiang Aid governance chain. Every relation is cited; see the address for sources.';

let state = parseState(location.search);
/** @type {import('./model.js').View | null} */
let view = null;
let loads = 0;
let loadController = null;
let detailController = null;
/** Positions the layout gave the base view, before expansions and pins. */
let basePositions = {};

let cy = cytoscape({
  container: $('cy'),
  style: stylesheet(1),
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
  state = { ...state, ...next, errors: next.errors || [] };
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
  el.title = text;
  el.dataset.kind = kind;
}

function markLoaded(result) {
  loads++;
  document.documentElement.dataset.loads = String(loads);
  document.documentElement.dataset.view = result;
  // A framing article may listen (e.g. to size its frame); nothing private is sent.
  if (embed && window.parent !== window) {
    const r = $('cy').getBoundingClientRect();
    window.parent.postMessage({ type: 'aidtrace-embed', view: result, title: document.title, width: innerWidth, height: innerHeight, graph: { width: r.width, height: r.height } }, '*');
  }
}

function clearView() {
  cy.elements().remove();
  view = null;
  renderLegend();
  renderFilters();
  renderListing();
  renderRoutes();
  updateExports();
}

async function load() {
  syncControls();
  const ids = startIds(state);
  if (loadController) loadController.abort();
  if (state.errors && state.errors.length) {
    clearView();
    const msg = state.errors.join(' ');
    setStatus(msg, 'error');
    $('details').replaceChildren(h('p', { class: 'error', role: 'alert' }, msg, ' ', h('a', { href: basePath + formatState({ ...state, asOf: '' }) }, 'Show all dates instead')));
    markLoaded('error');
    return;
  }
  if (!ids.length) {
    clearView();
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
  let v;
  try {
    data = await fetchView(state, controller.signal);
    v = buildView(data, state);
    // Expansions, in order: each adds its neighbours in place.
    for (const id of state.exp) {
      if (!v.nodes.some((n) => n.id === id)) continue;
      const g = await fetchExpansion(id, state, controller.signal);
      v = expandView(v, id, g).view;
    }
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (controller !== loadController) return;
    clearView();
    setStatus(errorText(err), 'error');
    $('details').replaceChildren(h('p', { class: 'error' }, errorText(err)));
    markLoaded('error');
    return;
  }
  if (controller !== loadController) return;
  const t1 = performance.now();
  await drawView(v);
  if (controller !== loadController) return;
  const t2 = performance.now();
  document.documentElement.dataset.renderMs = String(Math.round(t2 - t1));
  document.documentElement.dataset.fetchMs = String(Math.round(t1 - t0));
  document.documentElement.dataset.api = apiV2() ? 'v2' : 'v1';
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

/** How important a node's label is: the focus first, then chains, then the well-connected and the high. */
function nodePriority(n, v, degree) {
  let p = (degree.get(n.id) || 0) * 4 + (12 - kindInfo(n.kind).tier) * 3;
  if (v.roots.includes(n.id)) p += 10000;
  if (state.pos[n.id] || state.exp.includes(n.id)) p += 3000;
  if (v.highlight.has(n.id)) p += 2000;
  return p;
}

function nodeElement(n, v, degree) {
  const k = kindInfo(n.kind);
  const classes = [];
  if (v.roots.includes(n.id)) classes.push('root');
  if (v.highlight.size && state.mode !== 'neighborhood') classes.push(v.highlight.has(n.id) ? 'hl' : 'faded');
  if (state.pos[n.id]) classes.push('pinned');
  return {
    group: 'nodes',
    data: { id: n.id, label: nodeLabel(n), name: n.name, nameZh: n.nameZh || '', kind: n.kind, color: k.color, shape: k.shape, priority: nodePriority(n, v, degree) },
    classes,
  };
}

function edgeLabel(e) {
  return relLabel(e.type);
}

function edgeElement(e, v) {
  const classes = [`s-${e.strength}`];
  if (e.responsibility === 'NONE') classes.push('context');
  if (state.asOf && (e.inForce === 'NOT_KNOWN' || e.inForce === 'OUT_OF_FORCE')) classes.push('notknown');
  else if (!e.dated) classes.push('undated');
  if (v.highlight.size && state.mode !== 'neighborhood') classes.push(v.highlight.has(e.id) ? 'hl' : 'faded');
  return {
    group: 'edges',
    data: {
      id: e.id,
      source: e.fromId,
      target: e.toId,
      type: e.type,
      label: edgeLabel(e),
      strength: e.strength,
      bestGrade: e.bestGrade || '',
      dated: e.dated,
      inForce: e.inForce || '',
      confidence: e.confidence,
      validFrom: e.validFrom || '',
      validTo: e.validTo || '',
      knownFrom: e.knownFrom || e.validFrom || '',
      knownTo: e.knownTo || e.validTo || '',
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
  const degree = new Map();
  for (const e of v.edges) {
    degree.set(e.fromId, (degree.get(e.fromId) || 0) + 1);
    degree.set(e.toId, (degree.get(e.toId) || 0) + 1);
  }
  // Lay out first (in the worker), then add every element once, already
  // placed, hidden or not, with the stylesheet for its final zoom: each
  // element's style is computed once, which is what keeps 500 nodes fast.
  const { positions, bends } = await computeLayout();
  if (view !== v) return;
  const vis = visibleIds(v, state);
  renderLegend(kindsPresent(v.nodes.filter((n) => vis.nodes.has(n.id)).map((n) => n.kind)));
  const vp = fitViewport(v.nodes.filter((n) => vis.nodes.has(n.id)).map((n) => positions[n.id]).filter(Boolean));
  setStyleZoom(vp.zoom);
  // Nodes, then edges in the next task: two shorter tasks keep the page responsive.
  cy.batch(() => {
    cy.elements().remove();
    cy.add(
      v.nodes.map((n) => {
        const el = nodeElement(n, v, degree);
        if (!vis.nodes.has(n.id)) el.classes.push('hidden');
        return { ...el, position: positions[n.id] ? { ...positions[n.id] } : { x: 0, y: 0 } };
      }),
    );
  });
  cy.viewport({ zoom: vp.zoom, pan: vp.pan });
  if (v.nodes.length > 150) await new Promise((r) => setTimeout(r, 0));
  if (view !== v) return;
  cy.batch(() => {
    cy.add(
      v.edges.map((e) => {
        const el = edgeElement(e, v);
        if (!vis.edges.has(e.id)) el.classes.push('hidden');
        const pts = bends[e.id];
        if (pts) {
          // Drawn through its bends by the stylesheet (edge.bent), from data.
          const { weights, distances } = segmentParams(positions[e.fromId], positions[e.toId], pts);
          el.data.sw = weights.map((w) => Math.round(w * 1e4) / 1e4);
          el.data.sd = distances.map((d) => Math.round(d * 10) / 10);
          el.classes.push('bent');
        }
        return el;
      }),
    );
  });
  // A filter or hide changed while the nodes were being added (between the
  // two tasks) must hold for what was added with the earlier visibility.
  applyVisibility();
  cy.viewport({ zoom: vp.zoom, pan: vp.pan });
  keepFocusClear();
  scheduleLabels(0);
  renderFilters();
  renderListing();
  renderRoutes();
  updateLinks();
  updateExports();
  updateStatus();
  updateTitle();
  syncPathFinder();
  await nextFrame();
  await nextFrame();
}

/** Hides what the hide list and the filters take out. */
function applyVisibility() {
  if (!view) return;
  const vis = visibleIds(view, state);
  cy.batch(() => {
    cy.nodes().forEach((n) => {
      const hide = !vis.nodes.has(n.id());
      if (hide !== n.hasClass('hidden')) n.toggleClass('hidden', hide);
    });
    cy.edges().forEach((e) => {
      const hide = !vis.edges.has(e.id());
      if (hide !== e.hasClass('hidden')) e.toggleClass('hidden', hide);
    });
  });
}

// Layout runs in a worker (layout.worker.js) so a large view never freezes the page.
let worker = null;
let layoutSeq = 0;
let layoutRun = 0;
const pending = new Map();
/** Narrow stages (phones, tall frames) get narrower layers, so the graph fills them. */
function layoutOptions(n) {
  const aspect = cy.width() / Math.max(1, cy.height());
  const wide = Math.min(30, Math.max(8, Math.round(1.6 * Math.sqrt(n))));
  // Wide stages (desktop, article embeds) get flatter layers: more zoom for the same view.
  return { maxPerRow: Math.max(3, Math.round(wide * Math.min(1, aspect / 1.3))), rowGap: aspect > 1.2 ? 125 : 170 };
}

function layoutInWorker(name, nodes, edges, opts) {
  if (!worker) {
    try {
      worker = new Worker(new URL('./layout.worker.js', import.meta.url), { type: 'module' });
      worker.onmessage = (ev) => {
        const p = pending.get(ev.data.id);
        pending.delete(ev.data.id);
        if (!p) return;
        if (ev.data.error) p.reject(new Error(ev.data.error));
        else p.resolve(ev.data);
      };
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const id = ++layoutSeq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, name, nodes, edges, opts });
  });
}


/**
 * Lays the view out: the base view (without expansions) by the layered or the
 * force layout, then each expansion's new entities around the entity
 * expanded, then pinned entities where they were put. Deterministic, so a
 * shared link draws the same picture. Pure of Cytoscape: returns positions
 * and bends.
 */
async function computeLayout() {
  const v = view;
  const added = new Set(Object.values(v.expanded).flat());
  const baseNodes = v.nodes.filter((n) => !added.has(n.id)).map((n) => ({ id: n.id, kind: n.kind }));
  const baseEdges = v.edges.filter((e) => !added.has(e.id)).map((e) => ({ id: e.id, source: e.fromId, target: e.toId }));
  const name = state.layout === 'force' ? 'force' : 'layered';
  let result;
  try {
    result = await layoutInWorker(name, baseNodes, baseEdges, layoutOptions(baseNodes.length));
  } catch {
    result = name === 'force' ? { positions: forceLayout(baseNodes, baseEdges), bends: {} } : layeredLayout(baseNodes, baseEdges, layoutOptions(baseNodes.length));
  }
  const positions = { ...result.positions };
  basePositions = { ...result.positions };
  for (const id of state.exp) {
    const ids = (v.expanded[id] || []).filter((x) => !x.startsWith('rel:') && !positions[x]);
    if (!positions[id] || !ids.length) continue;
    Object.assign(positions, placeAround(positions[id], ids, Object.values(positions)));
  }
  for (const [id, p] of Object.entries(state.pos)) if (positions[id]) positions[id] = { ...p };
  // Bends only for edges whose ends are where the layered layout put them.
  const moved = new Set([...added, ...Object.keys(state.pos)]);
  const bends = {};
  const ends = new Map(v.edges.map((e) => [e.id, e]));
  for (const [id, pts] of Object.entries(result.bends || {})) {
    const e = ends.get(id);
    if (e && !moved.has(e.fromId) && !moved.has(e.toId)) bends[id] = pts;
  }
  return { positions, bends };
}

/** Re-lays out the drawn view (after a change of layout). */
async function runLayout() {
  if (!view) return;
  const v = view;
  const run = ++layoutRun;
  const { positions, bends } = await computeLayout();
  if (run !== layoutRun || view !== v) return;
  cy.batch(() => {
    cy.edges('.bent').removeClass('bent');
    cy.nodes().forEach((n) => {
      const p = positions[n.id()];
      if (p) n.position({ x: p.x, y: p.y });
    });
    for (const [id, pts] of Object.entries(bends)) {
      const e = cy.getElementById(id);
      const { weights, distances } = segmentParams(positions[e.data('source')], positions[e.data('target')], pts);
      e.data({ sw: weights.map((w) => Math.round(w * 1e4) / 1e4), sd: distances.map((d) => Math.round(d * 10) / 10) });
      e.addClass('bent');
    }
  });
  fitView();
}

/** The part of the stage no overlay (toolbar, legend, status line) covers, in container pixels. */
function freeRect() {
  const box = $('cy').getBoundingClientRect();
  let top = 0;
  let bottom = box.height;
  let left = 0;
  let right = box.width;
  const tb = document.querySelector('.toolbar').getBoundingClientRect();
  if (tb.height) top = Math.max(top, tb.bottom - box.top + 4);
  const st = $('status').getBoundingClientRect();
  if (st.height && getComputedStyle($('status')).display !== 'none') bottom = Math.min(bottom, st.top - box.top - 4);
  const lg = $('legend');
  if (!lg.hidden) {
    const r = lg.getBoundingClientRect();
    // The legend sits top right: give it its side, whichever leaves the larger free area.
    const byWidth = (r.left - box.left - 6 - left) * (bottom - top);
    const byHeight = (right - left) * (bottom - (r.bottom - box.top + 6));
    if (byWidth >= byHeight) right = r.left - box.left - 6;
    else top = Math.max(top, r.bottom - box.top + 6);
  }
  return { x1: left, y1: top, x2: right, y2: bottom };
}

/** Node size in model units at a zoom (see graphstyle.js). */
const nodeSizeAt = (z) => Math.max(26, 12 / z);

/**
 * The zoom and pan that fit points (node centres) into the free part of the
 * stage, with room for node bodies and the labels under the lowest ones.
 */
function fitViewport(points) {
  const r = freeRect();
  const pad = 24;
  const labelRoom = 34;
  if (!points.length) return { zoom: 1, pan: { x: (r.x1 + r.x2) / 2, y: (r.y1 + r.y2) / 2 } };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const bb = { x1: Math.min(...xs), x2: Math.max(...xs), y1: Math.min(...ys), y2: Math.max(...ys) };
  const w = Math.max(40, r.x2 - r.x1 - 2 * pad);
  const hgt = Math.max(40, r.y2 - r.y1 - 2 * pad - labelRoom);
  // The nodes' own size in pixels does not scale below 12 px: fit their centres with room for that.
  // Room at the sides for the labels of the outermost entities.
  let zoom = Math.min((w - 120) / Math.max(bb.x2 - bb.x1, 1), (hgt - 40) / Math.max(bb.y2 - bb.y1, 1));
  zoom = Math.max(cy.minZoom(), Math.min(zoom, 1.6));
  const half = (nodeSizeAt(zoom) * zoom) / 2;
  zoom = Math.max(cy.minZoom(), Math.min(zoom, (w - 2 * half - 80) / Math.max(bb.x2 - bb.x1, 1), (hgt - 2 * half) / Math.max(bb.y2 - bb.y1, 1), 1.6));
  const cx = (bb.x1 + bb.x2) / 2;
  const cyy = (bb.y1 + bb.y2) / 2;
  return { zoom, pan: { x: (r.x1 + r.x2) / 2 - zoom * cx, y: (r.y1 + r.y2 - labelRoom) / 2 - zoom * cyy } };
}

/** Fits the visible graph into the free part of the stage, keeping the focus clear of the legend. */
function fitView() {
  const nodes = cy.nodes(':visible');
  if (!nodes.length) return;
  const vp = fitViewport(nodes.map((n) => ({ ...n.position() })));
  setStyleZoom(vp.zoom);
  cy.viewport({ zoom: vp.zoom, pan: vp.pan });
  keepFocusClear();
  scheduleLabels();
}

/** The entity the view is about (the focus, or the path's start). */
function focusNode() {
  const id = state.mode === 'path' ? state.from : state.id;
  return id ? cy.getElementById(id) : cy.collection();
}

function overlap(a, b) {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Pans so that no overlay (the legend, the toolbar) covers the focus entity. */
function keepFocusClear() {
  const f = focusNode();
  if (f.empty() || !f.visible()) return;
  const box = $('cy').getBoundingClientRect();
  for (const el of [$('legend'), document.querySelector('.toolbar'), $('status')]) {
    if (!el || el.hidden) continue;
    const r = el.getBoundingClientRect();
    const o = { x1: r.left - box.left - 4, y1: r.top - box.top - 4, x2: r.right - box.left + 4, y2: r.bottom - box.top + 4 };
    const b = f.renderedBoundingBox({ includeLabels: false });
    if (!overlap(o, b)) continue;
    // The smallest move that clears it, inside the stage.
    const moves = [
      { x: o.x2 - b.x1, y: 0 },
      { x: o.x1 - b.x2, y: 0 },
      { x: 0, y: o.y2 - b.y1 },
      { x: 0, y: o.y1 - b.y2 },
    ].filter((m) => b.x1 + m.x >= 0 && b.x2 + m.x <= box.width && b.y1 + m.y >= 0 && b.y2 + m.y <= box.height);
    moves.sort((p, q) => Math.abs(p.x) + Math.abs(p.y) - Math.abs(q.x) - Math.abs(q.y));
    if (moves.length) cy.panBy(moves[0]);
  }
}

// Labels: which to draw is decided after each change of the viewport, so
// that every drawn label has a legible size on screen and none overlaps
// another label or another node; the least important go first. Hovered and
// selected elements always show theirs.
let styledZoom = 1;
/** Sets the stylesheet for a zoom, unless the current one is close enough. */
function setStyleZoom(z) {
  if (Math.abs(z - styledZoom) / styledZoom < 0.02) return;
  styledZoom = z;
  cy.style(stylesheet(z));
}
function restyle() {
  setStyleZoom(cy.zoom());
}

let labelTimer = 0;
function scheduleLabels(delay = 60) {
  clearTimeout(labelTimer);
  labelTimer = window.setTimeout(() => {
    restyle();
    requestAnimationFrame(updateLabels);
  }, delay);
}

const measureCtx = document.createElement('canvas').getContext('2d');
const widthCache = new Map();
function measure(text, px) {
  const key = px.toFixed(1) + '|' + text;
  let w = widthCache.get(key);
  if (w === undefined) {
    measureCtx.font = `${px}px ${FONT}`;
    w = measureCtx.measureText(text).width;
    if (widthCache.size > 20000) widthCache.clear();
    widthCache.set(key, w);
  }
  return w;
}

/** The label box of a node on screen, for a font size in px. */
function nodeLabelBox(n, px, bold) {
  const p = n.renderedPosition();
  const hh = n.renderedHeight() / 2;
  const lines = String(n.data('label')).split('\n');
  const w = Math.max(...lines.map((l) => measure(l, px) * (bold ? 1.08 : 1))) + 4;
  const y1 = p.y + hh + 3 * cy.zoom() - 1.5;
  return { id: n.id(), priority: n.data('priority'), x1: p.x - w / 2, x2: p.x + w / 2, y1, y2: y1 + lines.length * px * 1.2 + 3 };
}

function updateLabels() {
  const z = cy.zoom();
  const npx = renderedFont(NODE_FONT_PX, z);
  const epx = renderedFont(EDGE_FONT_PX, z);
  const W = cy.width();
  const H = cy.height();
  // Only labels wholly on the stage: a cut label is no label.
  const inView = (b) => b.x1 >= 0 && b.x2 <= W && b.y1 >= 0 && b.y2 <= H;
  const nodes = cy.nodes(':visible');
  const keep = new Set(cy.elements('.hover, :selected').map((e) => e.id()));
  const boxes = [];
  const bodies = [];
  nodes.forEach((n) => {
    const p = n.renderedPosition();
    const hw = n.renderedOuterWidth() / 2;
    const hh = n.renderedOuterHeight() / 2;
    bodies.push({ id: n.id(), x1: p.x - hw, y1: p.y - hh, x2: p.x + hw, y2: p.y + hh });
    const b = nodeLabelBox(n, npx, n.hasClass('root'));
    if (inView(b)) boxes.push(b);
  });
  const shownNodes = declutter(boxes, bodies, { keep });
  // Edge labels go where node labels left room.
  const edges = cy.edges(':visible');
  const allEdges = edges.length <= EDGE_LABEL_LIMIT;
  const eboxes = [];
  edges.forEach((e) => {
    if (!(allEdges || e.hasClass('hl') || e.selected() || e.hasClass('hover'))) return;
    const m = e.renderedMidpoint();
    const w = measure(e.data('label'), epx) + 4;
    const b = { id: e.id(), priority: (e.hasClass('hl') ? 100 : 0) + (e.data('strength') === 'STRONG' ? 2 : 0), x1: m.x - w / 2, x2: m.x + w / 2, y1: m.y - epx * 0.7, y2: m.y + epx * 0.7 };
    if (inView(b)) eboxes.push(b);
  });
  const taken = [...bodies, ...boxes.filter((b) => shownNodes.has(b.id))];
  const shownEdges = declutter(eboxes, taken, { keep });
  cy.batch(() => {
    nodes.forEach((n) => {
      n.toggleClass('lbl', shownNodes.has(n.id()));
    });
    edges.forEach((e) => {
      e.toggleClass('elbl', shownEdges.has(e.id()));
    });
  });
  document.documentElement.dataset.labels = `${shownNodes.size}/${nodes.length}`;
}

cy.on('zoom pan', () => scheduleLabels(90));
cy.on('resize', () => {
  if (view) fitView();
});

function updateStatus() {
  if (!view) return;
  const parts = [];
  const root = (id) => (view.nodes.find((n) => n.id === id) || { name: id }).name;
  if (state.mode === 'path') parts.push(`${describeMode(state)} from ${root(state.from)} to ${root(state.to)}`);
  else parts.push(`${describeMode(state)} of ${root(state.id)}`);
  parts.push(state.asOf ? `as of ${state.asOf}${state.notKnown ? ' (with relations not known in force then)' : ''}` : 'all dates');
  const nNodes = cy.nodes(':visible').length;
  const nEdges = cy.edges(':visible').length;
  parts.push(`${nNodes} entities, ${nEdges} relations drawn`);
  if (state.mode === 'up' || state.mode === 'down') parts.push(`${view.routes.length} chain${view.routes.length === 1 ? '' : 's'}`);
  if (state.mode === 'path') parts.push(`${view.routes.length} path${view.routes.length === 1 ? '' : 's'}`);
  const hiddenCount = view.nodes.length - nNodes;
  if (hiddenCount > 0) parts.push(`${hiddenCount} hidden or filtered out`);
  let text = parts.join(' · ');
  let kind = 'info';
  if (view.truncated) {
    text += ` — the neighbourhood was cut at ${state.limit} entities`;
    kind = 'warn';
  }
  if (view.routesTruncated) {
    text += ` — ${view.routesTotal > view.routes.length ? view.routesTotal : 'more'} chains exist, ${view.routes.length} are drawn`;
    kind = 'warn';
  }
  if ((state.mode === 'up' || state.mode === 'down' || state.mode === 'path') && !view.routes.length) {
    text += state.mode === 'path' ? ' — no path found' : ' — no chain found';
  }
  setStatus(text, kind);
}

/** A title for the view: what it shows, of whom, when. */
function viewTitle() {
  if (!view) return '';
  const name = (id) => (view.nodes.find((n) => n.id === id) || { name: id }).name;
  if (state.mode === 'path') return `Paths from ${name(state.from)} to ${name(state.to)}`;
  if (state.mode === 'up') return `Who answers for ${name(state.id)}`;
  if (state.mode === 'down') return `What ${name(state.id)} answers for`;
  return `${name(state.id)} and its neighbours`;
}

function updateTitle() {
  const parts = [];
  if (view) {
    parts.push(viewTitle());
    if (state.asOf) parts.push(`as of ${state.asOf}`);
  }
  document.title = [...parts, 'aidtrace explorer'].join(' — ');
  $('embed-title').textContent = parts.join(' · ') || 'aidtrace';
}

// ---------------------------------------------------------------- legend

/** Line kinds for the legend and the picture exports. */
function lineLegend() {
  const lines = [
    { dash: '', width: 2.6, color: RESP_COLOR, label: 'carries responsibility' },
    { dash: '', width: 2.6, color: CONTEXT_COLOR, label: 'context (no responsibility)' },
    { dash: STRENGTH_LINE.STRONG.dash, width: STRENGTH_LINE.STRONG.width, color: RESP_COLOR, label: 'strong evidence' },
    { dash: STRENGTH_LINE.MODERATE.dash, width: STRENGTH_LINE.MODERATE.width, color: RESP_COLOR, label: 'moderate evidence' },
    { dash: STRENGTH_LINE.WEAK.dash, width: STRENGTH_LINE.WEAK.width, color: RESP_COLOR, label: 'weak evidence (grade C only)' },
    { dash: '', width: 1.6, color: RESP_COLOR, label: 'undated', marker: 'circle' },
  ];
  if (state.asOf && state.notKnown) lines.push({ dash: '', width: 1.6, color: RESP_COLOR, label: `not known in force in ${state.asOf}`, marker: 'diamond' });
  if (state.mode !== 'neighborhood') lines.push({ dash: '', width: 4, color: '#c62828', label: state.mode === 'path' ? 'on a path' : 'on a chain' });
  return lines;
}

function lineSample(l) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', '30');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  const marker = l.marker === 'diamond' ? '<polygon points="15,1.5 19.5,6 15,10.5 10.5,6" fill="#fff" stroke-width="1.5" stroke="' + l.color + '"/>' : l.marker ? `<circle cx="15" cy="6" r="4" fill="#fff" stroke-width="1.5" stroke="${l.color}"/>` : '';
  // Our own markup: palette colours and dash patterns, never API text.
  svg.innerHTML = `<line x1="0" y1="6" x2="30" y2="6" stroke="${l.color}" stroke-width="${l.width}"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>${marker}`;
  return svg;
}

/** Whether the screen is short of room: phones, embeds in small frames. */
const cramped = () => embed || window.innerWidth < 760 || window.innerHeight < 600;

function renderLegend(present) {
  const el = $('legend');
  const kinds = present || (view ? kindsPresent(cy.nodes(':visible').map((n) => n.data('kind'))) : []);
  if (!kinds.length) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const old = el.querySelector('details');
  // Open by default only where there is room; then as the reader left it.
  const open = old ? old.open : !cramped();
  const details = h(
    'details',
    { open, id: 'legend-details' },
    h('summary', { class: 'legend-title' }, 'Legend'),
    h('ul', { class: 'legend-kinds', 'aria-label': 'Kinds of entity' }, kinds.map((k) => h('li', {}, shapeIcon(k, 16), kindInfo(k).label))),
    h('ul', { class: 'legend-lines', 'aria-label': 'Kinds of line' }, lineLegend().map((l) => h('li', {}, lineSample(l), l.label))),
  );
  details.addEventListener('toggle', () => {
    keepFocusClear();
    scheduleLabels();
  });
  el.replaceChildren(details);
}

// ---------------------------------------------------------------- filters

function renderFilters() {
  const box = $('filters');
  const n = (state.fk.length ? 1 : 0) + (state.ft.length ? 1 : 0) + (state.fc.length ? 1 : 0) + (state.grade ? 1 : 0) + (state.strength ? 1 : 0) + (state.dated ? 1 : 0) + (state.hide.length ? 1 : 0);
  $('filter-summary').textContent = n ? `Filters (${n})` : 'Filters';
  if (!view) {
    box.replaceChildren(h('p', { class: 'muted' }, 'Open a view to filter it.'));
    return;
  }
  const kinds = kindsPresent(view.nodes.map((x) => x.kind));
  const types = [...new Set(view.edges.map((e) => e.type))].sort();
  const check = (id, label, checked, onchange, icon = null) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', id, checked, onchange: (ev) => onchange(ev.target.checked) }), icon, label);
  const toggle = (list, item, on) => (on ? list.filter((x) => x !== item) : [...list, item]);
  const apply = (next) => {
    setState(next, { push: false });
    applyVisibility();
    renderFilters();
    renderLegend();
    renderListing();
    updateStatus();
    updateExports();
    scheduleLabels();
  };
  const parts = [
    h(
      'fieldset',
      {},
      h('legend', {}, 'Evidence'),
      check('f-ab', 'Only A/B evidence (official or established sources)', state.grade === 'AB', (on) => apply({ grade: on ? 'AB' : '' })),
      h(
        'label',
        { class: 'check' },
        'At least ',
        h(
          'select',
          { id: 'f-strength', onchange: (ev) => apply({ strength: ev.target.value }) },
          h('option', { value: '', selected: !state.strength }, 'any strength'),
          h('option', { value: 'MODERATE', selected: state.strength === 'MODERATE', title: STRENGTH_TEXT.MODERATE }, 'moderate'),
          h('option', { value: 'STRONG', selected: state.strength === 'STRONG', title: STRENGTH_TEXT.STRONG }, 'strong'),
        ),
      ),
      check('f-dated', 'Only dated relations', state.dated, (on) => apply({ dated: on })),
      h('div', { class: 'check-row' }, 'Confidence: ', CONFIDENCES.map((c) => check(`f-conf-${c}`, c, !state.fc.includes(c), (on) => apply({ fc: toggle(state.fc, c, on) })))),
    ),
    h('fieldset', {}, h('legend', {}, 'Kinds'), kinds.map((k) => check(`f-kind-${k}`, kindInfo(k).label, !state.fk.includes(k), (on) => apply({ fk: toggle(state.fk, k, on) }), shapeIcon(k)))),
    h('fieldset', {}, h('legend', {}, 'Relation types'), types.map((t) => check(`f-type-${t}`, relLabel(t), !state.ft.includes(t), (on) => apply({ ft: toggle(state.ft, t, on) })))),
    state.hide.length ? h('p', {}, `${state.hide.length} hidden entit${state.hide.length === 1 ? 'y' : 'ies'}. `, h('button', { type: 'button', class: 'linklike', onclick: () => apply({ hide: [] }) }, 'Show them again')) : null,
    filtering(state) ? h('button', { type: 'button', id: 'f-clear', onclick: () => apply({ fk: [], ft: [], fc: [], grade: '', strength: '', dated: false }) }, 'Clear the filters') : null,
  ];
  box.replaceChildren(...parts.filter(Boolean));
}

/** Text list of the view's entities: the keyboard way into the graph. */
function renderListing() {
  const body = $('listing-body');
  if (!view) {
    body.replaceChildren();
    $('listing-summary').textContent = 'Entities in this view';
    return;
  }
  const shown = view.nodes.filter((n) => cy.getElementById(n.id).visible());
  $('listing-summary').textContent = `Entities in this view (${shown.length})`;
  const sorted = [...shown].sort((a, b) => a.name.localeCompare(b.name));
  body.replaceChildren(
    ...sorted.map((n) =>
      h('li', {}, h('button', { type: 'button', class: 'linklike', 'data-id': n.id, onclick: () => select(n.id) }, shapeIcon(n.kind, 12), ' ', n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null)),
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
  const total = Math.max(view.routesTotal, view.routes.length);
  $('routes-summary').textContent = `${what} (${total})`;
  if (!view.routes.length) {
    $('routes-body').replaceChildren(h('p', { class: 'muted' }, state.mode === 'path' ? 'No path within 6 hops.' : 'No chain of responsibility from here.'));
    return;
  }
  const hint = h('p', { class: 'muted hint-arrows' }, '↓ the relation points to the entity below it, ↑ to the entity above. Click a relation for its evidence.');
  const entity = (n) => h('li', { class: 'r-node' }, h('button', { type: 'button', class: 'linklike', onclick: () => select(n.id) }, shapeIcon(n.kind, 12), ' ', n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null));
  const routes = embed ? view.routes.slice(0, EMBED_ROUTES) : view.routes;
  $('routes-body').replaceChildren(
    hint,
    ...routes.map((r) =>
      h(
        'section',
        { class: 'route' },
        h('h3', {}, r.label, r.strength ? h('span', { class: `strength strength-${r.strength}`, title: STRENGTH_TEXT[r.strength] }, ` ${r.strength.toLowerCase()}`) : '', r.contested ? h('span', { class: 'contested' }, ' contested') : '', r.complete ? '' : ' (cut at the depth limit)'),
        h(
          'ol',
          { class: 'route-steps' },
          entity(r.start),
          r.steps.map((s) => {
            const [a, b] = s.forward ? [s.prev, s.next] : [s.next, s.prev];
            const dates = dateRange(s.edge.knownFrom || s.edge.validFrom, s.edge.knownTo || s.edge.validTo);
            const sentence = `${a.name} ${relLabel(s.edge.type)} ${b.name}${dates ? ` (${dates})` : ''}`;
            return [
              h(
                'li',
                { class: 'r-hop' },
                h(
                  'button',
                  { type: 'button', class: 'hop', 'data-id': s.edge.id, title: sentence, 'aria-label': `${sentence}: show the evidence`, onclick: () => select(s.edge.id, { fromList: true }) },
                  `${s.forward ? '↓' : '↑'} ${relLabel(s.edge.type)}`,
                ),
                dates ? h('span', { class: 'muted' }, ` ${dates}`) : h('span', { class: 'undated', title: 'No source dates this relation' }, ' undated'),
                s.edge.strength !== 'STRONG' ? h('span', { class: `strength strength-${s.edge.strength}` }, ` ${s.edge.strength.toLowerCase()}`) : null,
                s.inForce === 'NOT_KNOWN' || s.inForce === 'OUT_OF_FORCE' ? h('span', { class: 'notknown' }, s.inForce === 'OUT_OF_FORCE' ? ' out of force then' : ' not known in force') : null,
              ),
              entity(s.next),
            ];
          }),
        ),
      ),
    ),
    embed && total > routes.length
      ? h('p', { class: 'more' }, h('a', { href: '/' + formatState(state), target: '_blank', rel: 'noopener', id: 'routes-more' }, `${total - routes.length} more in the explorer ↗`))
      : '',
  );
}

// ---------------------------------------------------------------- selection & panel

function select(id, { push = true, fromList = false } = {}) {
  cy.elements().unselect();
  const el = cy.getElementById(id);
  if (el.nonempty()) {
    el.select();
    if (el.visible() && !isInViewport(el)) cy.animate({ center: { eles: el } }, { duration: 200 });
  }
  setState({ sel: id }, { push });
  showSelection({ reveal: true, fromList });
}

function isInViewport(el) {
  const ext = cy.extent();
  const bb = el.boundingBox();
  return bb.x1 >= ext.x1 && bb.x2 <= ext.x2 && bb.y1 >= ext.y1 && bb.y2 <= ext.y2;
}

/** Scrolls the panel so that the details (and their evidence) are in view. */
function revealDetails() {
  const panel = $('panel');
  document.body.classList.add('panel-open');
  $('panel-toggle').setAttribute('aria-expanded', 'true');
  const details = $('details');
  const bar = document.querySelector('.panel-bar');
  const barH = bar && getComputedStyle(bar).position === 'sticky' ? bar.getBoundingClientRect().height : 0;
  const top = details.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop - 8 - barH;
  panel.scrollTop = Math.max(0, top);
}

async function showSelection({ reveal = false } = {}) {
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
  // Keep the keyboard focus on the same action across the re-render (e.g. "Trace up").
  const active = /** @type {HTMLElement} */ (document.activeElement);
  const focusAction = active && details.contains(active) ? active.dataset.action : null;
  try {
    if (id.startsWith('rel:')) {
      const data = await gqlV(relationQuery, () => ({ id }), { signal: controller.signal });
      if (controller !== detailController) return;
      if (!data.node) throw new APIError(`No relation ${id}.`, 'NOT_FOUND');
      const drawn = view && view.edges.find((e) => e.id === id);
      details.replaceChildren(relationView(data.node, { onSelect: (nid) => select(nid), inForce: drawn ? drawn.inForce : null, asOf: state.asOf }));
    } else {
      const data = await gqlV(entityQuery, () => ({ id }), { signal: controller.signal });
      if (controller !== detailController) return;
      if (!data.entity) throw new APIError(`No entity ${id}.`, 'NOT_FOUND');
      details.replaceChildren(
        entityView(data.entity, {
          focus: state.mode === 'path' ? '' : state.id,
          mode: state.mode,
          embed,
          drawn: el.nonempty(),
          isRoot: !!(view && view.roots.includes(id)),
          expanded: state.exp.includes(id),
          pinned: !!state.pos[id],
          onAction: (mode, eid) => navigate({ mode, id: eid, sel: '', from: '', to: '', exp: [], hide: [], pos: {} }),
          onPathFrom: (e) => openPathFinder(e),
          onExpand: (eid) => expand(eid),
          onHide: (eid) => hideNode(eid),
          onPin: (eid) => togglePin(eid),
        }),
      );
    }
    if (focusAction) {
      const again = /** @type {HTMLElement|null} */ (details.querySelector(`[data-action="${focusAction}"]`));
      if (again) again.focus();
    }
    if (reveal) revealDetails();
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    details.replaceChildren(h('p', { class: 'error' }, errorText(err)));
  } finally {
    if (controller === detailController) details.removeAttribute('aria-busy');
  }
}

function showWelcome() {
  const start = (id, label, mode = 'neighborhood') =>
    h('li', {}, h('button', { type: 'button', class: 'linklike', onclick: () => navigate({ ...DEFAULTS, id, mode }) }, label));
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
        { class: 'start-list' },
        start('party_body:ccp-central-committee', 'CCP Central Committee'),
        start('province:zhejiang', 'Zhejiang (an aiding province)'),
        start('prefecture:aksu', 'Aksu Prefecture: who answers for it (trace up)', 'up'),
      ),
      h('p', { class: 'muted' }, 'Click a node or an edge to read its sources. Trace up or down to follow responsibility; set a date to see the graph as it was then. “How to read this graph” below explains the lines.'),
    ),
  );
}

// ---------------------------------------------------------------- working the view

async function expand(id) {
  if (!view || state.exp.includes(id)) return;
  const n = cy.getElementById(id);
  setStatus(`Adding the neighbours of ${n.data('name') || id}…`);
  let g;
  try {
    g = await fetchExpansion(id, state);
  } catch (err) {
    setStatus(errorText(err), 'error');
    return;
  }
  const { view: v, added } = expandView(view, id, g);
  // In place: everything drawn keeps its position; the new ones go around it.
  const keep = {};
  cy.nodes().forEach((x) => (keep[x.id()] = { ...x.position() }));
  setState({ exp: [...state.exp, id] }, { push: true });
  view = v;
  const degree = new Map();
  for (const e of v.edges) {
    degree.set(e.fromId, (degree.get(e.fromId) || 0) + 1);
    degree.set(e.toId, (degree.get(e.toId) || 0) + 1);
  }
  const newNodes = v.nodes.filter((x) => added.includes(x.id));
  const newEdges = v.edges.filter((x) => added.includes(x.id));
  const places = placeAround(keep[id] || { x: 0, y: 0 }, newNodes.map((x) => x.id), Object.values(keep));
  cy.batch(() => {
    cy.add(newNodes.map((x) => ({ ...nodeElement(x, v, degree), position: places[x.id] })));
    cy.add(newEdges.map((x) => edgeElement(x, v)));
  });
  applyVisibility();
  renderLegend();
  renderFilters();
  renderListing();
  updateExports();
  updateStatus();
  scheduleLabels();
  await showSelection();
  document.documentElement.dataset.expanded = String(state.exp.length);
}

function hideNode(id) {
  if (!view) return;
  setState({ hide: [...state.hide, id], sel: state.sel === id ? '' : state.sel }, { push: true });
  applyVisibility();
  renderLegend();
  renderFilters();
  renderListing();
  updateExports();
  updateStatus();
  scheduleLabels();
  showSelection();
}

function togglePin(id) {
  const n = cy.getElementById(id);
  if (n.empty()) return;
  const pos = { ...state.pos };
  if (pos[id]) {
    delete pos[id];
    const back = basePositions[id];
    if (back) n.position(back);
  } else {
    pos[id] = { x: Math.round(n.position('x')), y: Math.round(n.position('y')) };
  }
  setState({ pos }, { push: false });
  n.toggleClass('pinned', !!pos[id]);
  scheduleLabels();
  showSelection();
}

// Dragging a node pins it where it was dropped; the address keeps it.
cy.on('dragfree', 'node', (ev) => {
  const n = ev.target;
  const pos = { ...state.pos, [n.id()]: { x: Math.round(n.position('x')), y: Math.round(n.position('y')) } };
  setState({ pos }, { push: false });
  n.addClass('pinned');
  scheduleLabels();
});

// ---------------------------------------------------------------- controls

function syncControls() {
  const on = !!state.asOf;
  /** @type {HTMLInputElement} */ ($('asof-on')).checked = on;
  const year = /** @type {HTMLInputElement} */ ($('asof-year'));
  year.disabled = !on;
  if (on) year.value = state.asOf.slice(0, 4);
  $('asof-out').textContent = on ? state.asOf : 'all dates';
  /** @type {HTMLInputElement} */ ($('asof-text')).value = state.asOf;
  const nk = /** @type {HTMLInputElement} */ ($('notknown'));
  nk.checked = state.notKnown;
  nk.disabled = !on;
  /** @type {HTMLSelectElement} */ ($('depth')).value = String(state.depth);
  const limit = /** @type {HTMLSelectElement} */ ($('limit'));
  if (![...limit.options].some((o) => o.value === String(state.limit))) limit.add(new Option(String(state.limit), String(state.limit)));
  limit.value = String(state.limit);
  /** @type {HTMLSelectElement} */ ($('layout')).value = state.layout;
  document.body.dataset.mode = state.mode;
}

function updateLinks() {
  /** @type {HTMLAnchorElement} */ ($('embed-open')).href = '/' + formatState(state);
}

// The timeline: while the slider moves, relations not known in force in the
// year under the thumb fade at once (from the dates already loaded); the view
// is fetched, and one history entry written, only when it stops.
let timelineTimer = 0;
const TIMELINE_SETTLE_MS = 450;

function knownInYear(from, to, year) {
  if (!from) return false;
  const y = String(year);
  return from.slice(0, 4) <= y && (!to || to.slice(0, 4) >= y);
}

function previewYear(year) {
  $('asof-out').textContent = String(year);
  /** @type {HTMLInputElement} */ ($('asof-text')).value = String(year);
  cy.batch(() => {
    cy.edges().forEach((e) => {
      e.toggleClass('preview-out', !knownInYear(e.data('knownFrom'), e.data('knownTo'), year));
    });
  });
}

function settleTimeline() {
  clearTimeout(timelineTimer);
  timelineTimer = window.setTimeout(() => {
    const year = /** @type {HTMLInputElement} */ ($('asof-year')).value;
    if (year !== state.asOf) navigate({ asOf: year });
  }, TIMELINE_SETTLE_MS);
}

$('asof-on').addEventListener('change', (ev) => {
  const on = /** @type {HTMLInputElement} */ (ev.target).checked;
  navigate({ asOf: on ? /** @type {HTMLInputElement} */ ($('asof-year')).value : '', notKnown: on && state.notKnown });
});
$('asof-year').addEventListener('input', (ev) => {
  previewYear(/** @type {HTMLInputElement} */ (ev.target).value);
  settleTimeline();
});
$('asof-year').addEventListener('change', () => settleTimeline());
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
$('notknown').addEventListener('change', (ev) => navigate({ notKnown: /** @type {HTMLInputElement} */ (ev.target).checked }));
$('depth').addEventListener('change', (ev) => navigate({ depth: Number(/** @type {HTMLSelectElement} */ (ev.target).value) }));
$('limit').addEventListener('change', (ev) => navigate({ limit: Number(/** @type {HTMLSelectElement} */ (ev.target).value) }));
$('layout').addEventListener('change', (ev) => {
  setState({ layout: /** @type {HTMLSelectElement} */ (ev.target).value });
  runLayout();
});
$('chrome-toggle').addEventListener('click', () => {
  const open = !document.body.classList.contains('chrome-open');
  document.body.classList.toggle('chrome-open', open);
  $('chrome-toggle').setAttribute('aria-expanded', String(open));
});
$('panel-toggle').addEventListener('click', () => {
  const open = !document.body.classList.contains('panel-open');
  document.body.classList.toggle('panel-open', open);
  $('panel-toggle').setAttribute('aria-expanded', String(open));
});
$('help-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  const help = /** @type {HTMLDetailsElement} */ ($('help'));
  help.open = true;
  document.body.classList.add('panel-open');
  help.scrollIntoView({ block: 'start' });
  help.querySelector('summary').focus();
});

$('btn-fit').addEventListener('click', () => fitView());
$('btn-zoom-in').addEventListener('click', () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
$('btn-zoom-out').addEventListener('click', () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
$('panel-close').addEventListener('click', () => {
  document.body.classList.remove('has-selection');
  cy.elements().unselect();
});

// ---------------------------------------------------------------- exports

/** The export's mode slug (the same the server uses in file names). */
function modeSlug() {
  return { neighborhood: 'neighbourhood', up: 'chain-up', down: 'chain-down', path: 'paths' }[state.mode] || 'view';
}

/** The entity a file is about: the focus, or the path's start. */
function fileEntity() {
  return state.mode === 'path' ? state.from : state.id;
}

/**
 * A file name that says what the file holds: entity, mode, date (the as-of
 * date, else today), as the server names its exports:
 * aidtrace_county-moyu_chain-up_2019-06.
 */
function fileBase() {
  const slug = (s) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  const who = state.mode === 'path' ? `${slug(state.from)}--${slug(state.to)}` : slug(fileEntity() || 'view');
  const date = state.asOf || new Date().toISOString().slice(0, 10);
  return `aidtrace_${who}_${modeSlug()}_${date}`;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
  document.documentElement.dataset.lastDownload = name;
}

/** The absolute address of this view (the explorer, not the embed). */
function viewAddress() {
  return location.origin + '/' + formatState(state);
}

/**
 * What is drawn, as the element list the server's POST /export/{format}
 * takes (/work/coord/STATUS-export.md, docs/API.md "Exports"): exactly the
 * visible entities and relations, with positions, colours and shapes, the
 * title, the as-of date and the view's address.
 */
function drawnElements() {
  const r1 = (v) => Math.round(v * 10) / 10;
  const nodes = cy.nodes(':visible').map((n) => ({ id: n.id(), x: r1(n.position('x')), y: r1(n.position('y')), color: String(n.data('color')).toLowerCase(), shape: n.data('shape') }));
  const edges = cy.edges(':visible').map((e) => ({ id: e.id() }));
  const out = { nodes, edges, title: viewTitle(), view: viewAddress(), entity: fileEntity(), mode: modeSlug() };
  if (state.asOf) out.asOf = state.asOf;
  return out;
}

/** The drawn graph as an SVG document, with legend, date, credit and address. */
function currentSVG() {
  const nodes = cy.nodes(':visible').map((n) => {
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
      borderWidth: Math.min(4, parseFloat(n.style('border-width'))),
      opacity: parseFloat(n.style('opacity')),
      label: n.data('label'),
      priority: n.data('priority'),
    };
  });
  const edges = cy.edges(':visible').map((e) => {
    const s = e.sourceEndpoint();
    const t = e.targetEndpoint();
    const m = e.midpoint();
    const strength = STRENGTH_LINE[e.data('strength')] || STRENGTH_LINE.STRONG;
    return {
      id: e.id(),
      sx: s.x,
      sy: s.y,
      tx: t.x,
      ty: t.y,
      mx: m.x,
      my: m.y,
      bends: e.hasClass('bent') ? e.segmentPoints() || [] : [],
      color: e.selected() ? (e.hasClass('hl') ? '#c62828' : e.hasClass('context') ? CONTEXT_COLOR : RESP_COLOR) : e.style('line-color'),
      width: e.hasClass('hl') ? 3.5 : strength.width,
      dash: strength.dash,
      opacity: parseFloat(e.style('opacity')),
      label: e.hasClass('hl') || e.selected() ? e.data('label') : '',
      marker: e.hasClass('notknown') ? 'diamond' : e.hasClass('undated') ? 'circle' : '',
    };
  });
  const kinds = kindsPresent(cy.nodes(':visible').map((n) => n.data('kind')));
  return graphToSVG(nodes, edges, {
    title: viewTitle(),
    subtitle: state.asOf ? `As of ${state.asOf}: relations known to be in force then${state.notKnown ? ' (and, marked ◇, those not known)' : ''}` : 'All dates',
    credit: CREDIT,
    address: viewAddress(),
    legend: { kinds: kinds.map((k) => ({ shape: kindInfo(k).shape, color: kindInfo(k).color, label: kindInfo(k).label })), lines: lineLegend() },
  });
}

/** The SVG rasterised at 2×: the PNG carries the same legend, date, credit and address. */
async function currentPNG() {
  const svg = currentSVG();
  const m = svg.match(/width="(\d+)" height="(\d+)"/);
  const w = Number(m[1]);
  const hgt = Number(m[2]);
  const scale = Math.min(2, 8000 / Math.max(w, hgt));
  const img = new Image();
  img.decoding = 'sync';
  const loaded = new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error('the SVG could not be drawn'));
  });
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(hgt * scale);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b), 'image/png'));
}

const EXTENSIONS = { graphml: '.graphml', gexf: '.gexf', csv: '_tables.zip', 'csv-nodes': '_entities.csv', 'csv-edges': '_relations.csv', cytoscape: '.cytoscape.json' };

/** The file name in a Content-Disposition header, if any. */
function dispositionName(resp) {
  const m = /filename="?([^";]+)"?/.exec(resp.headers.get('content-disposition') || '');
  return m ? m[1] : '';
}

/** POSTs the drawn elements to /export/{format} and resolves to the file and its name. */
async function exportData(format) {
  const resp = await fetch(`/export/${format}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(drawnElements()),
  });
  if (!resp.ok) {
    let msg = `${resp.status}`;
    try {
      const body = await resp.json();
      msg = (body.errors && body.errors[0] && body.errors[0].message) || body.message || msg;
    } catch {
      /* not JSON */
    }
    throw new Error(`The export failed: ${msg}`);
  }
  return { blob: await resp.blob(), name: dispositionName(resp) || fileBase() + EXTENSIONS[format] };
}

async function runExport(format) {
  if (!view || !cy.nodes(':visible').length) return;
  /** @type {HTMLDetailsElement} */ ($('export-menu')).open = false;
  try {
    if (format === 'png') download(await currentPNG(), fileBase() + '.png');
    else if (format === 'svg') download(new Blob([currentSVG()], { type: 'image/svg+xml;charset=utf-8' }), fileBase() + '.svg');
    else {
      const { blob, name } = await exportData(format);
      download(blob, name);
    }
    setStatus(`Exported ${cy.nodes(':visible').length} entities and ${cy.edges(':visible').length} relations: ${document.documentElement.dataset.lastDownload}`);
  } catch (err) {
    setStatus(errorText(err), 'error');
  }
}

function updateExports() {
  const empty = !view || !cy.nodes(':visible').length;
  $('export-empty').hidden = !empty;
  $('export-list').hidden = empty;
  for (const b of document.querySelectorAll('[data-export]')) /** @type {HTMLButtonElement} */ (b).disabled = empty;
}

for (const b of document.querySelectorAll('[data-export]')) {
  b.addEventListener('click', () => runExport(/** @type {HTMLElement} */ (b).dataset.export));
}

// Graph interaction: tap selects, double-tap on a node expands it in place,
// hover shows a hidden label.
cy.on('tap', 'node, edge', (ev) => select(ev.target.id()));
cy.on('dbltap', 'node', (ev) => {
  if (!embed) expand(ev.target.id());
});
cy.on('tap', (ev) => {
  if (ev.target === cy && state.sel) select(state.mode === 'path' ? state.from : state.id);
});
cy.on('mouseover', 'node, edge', (ev) => {
  $('cy').style.cursor = 'pointer';
  ev.target.addClass('hover');
});
cy.on('mouseout', 'node, edge', (ev) => {
  $('cy').style.cursor = '';
  ev.target.removeClass('hover');
});

// ---------------------------------------------------------------- search & path finder

const mainSearch = attachSearch(/** @type {HTMLInputElement} */ ($('search')), (e) => {
  navigate({ ...DEFAULTS, id: e.id, layout: state.layout });
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
  navigate({ ...DEFAULTS, mode: 'path', from: pathEnds.from.id, to: pathEnds.to.id, layout: state.layout });
});

// ---------------------------------------------------------------- start

window.aidtrace = {
  /** The current view state. */
  state: () => ({ ...state }),
  /**
   * Draws a view object (as buildView returns) and resolves to the
   * milliseconds until the first frame with the layout applied, and the
   * longest main-thread task meanwhile; used by the render benchmark.
   */
  async drawView(v) {
    const t0 = performance.now();
    const longest = { ms: 0 };
    let obs = null;
    if (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes.includes('longtask')) {
      obs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
      });
      obs.observe({ type: 'longtask' });
    }
    const edges = (v.edges || []).map((e) => ({ strength: 'STRONG', dated: true, inForce: null, ...e }));
    await drawView({ highlight: new Set(), roots: [], routes: [], truncated: false, routesTruncated: false, routesTotal: 0, expanded: {}, ...v, edges });
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
    if (obs) obs.disconnect();
    return { ms, longestTaskMs: longest.ms };
  },
  /** The current view as an SVG document. */
  svg: currentSVG,
  /** The PNG export: its size in bytes and pixels. */
  async png() {
    const blob = await currentPNG();
    const bmp = await createImageBitmap(blob);
    return { bytes: blob.size, width: bmp.width, height: bmp.height, type: blob.type };
  },
  /** The element list an export sends. */
  elements: drawnElements,
  /** The file name exports get, without extension. */
  fileBase,
  /** Which kinds the explorer knows (from the registry). */
  kinds: () => Object.keys(KINDS),
  relationTypes: () => RELATION_TYPES.map((t) => t.name),
};

load();
