// Turns the API's answers into what the graph draws: one set of nodes and
// edges (neighbourhood ∪ chains ∪ paths ∪ expansions), the ids to highlight,
// the chains or paths as ordered lists for the text view, and what the
// filters leave visible. Pure: no DOM.

import { wrapName } from './labels.js';

/**
 * @typedef {{id: string, kind: string, name: string, nameZh?: string|null, synthetic?: boolean}} GNode
 * @typedef {{id: string, type: string, responsibility: string, fromId: string, toId: string,
 *   validFrom?: string|null, validTo?: string|null, confidence: string,
 *   strength: string, bestGrade: string|null, dated: boolean, inForce: string|null, contested: boolean,
 *   knownFrom?: string|null, knownTo?: string|null}} GEdge
 * @typedef {{edge: GEdge, prev: GNode, next: GNode, forward: boolean, inForce: string|null}} Step
 * @typedef {{label: string, complete: boolean, start: GNode, steps: Step[], strength: string|null, contested: boolean}} Route
 * @typedef {{nodes: GNode[], edges: GEdge[], highlight: Set<string>, roots: string[], routes: Route[],
 *   truncated: boolean, routesTruncated: boolean, routesTotal: number, expanded: Record<string, string[]>}} View
 */

/**
 * Fills in what an edge says about its evidence. With API v2 the server
 * gives strength, bestGrade, dated, inForce; an older server is read from
 * confidence and dates.
 * @returns {GEdge}
 */
export function normaliseEdge(e, inForce = null) {
  const dated = e.dated ?? !!(e.knownFrom || e.validFrom);
  const strength = e.strength || (e.confidence === 'confirmed' ? 'STRONG' : 'MODERATE');
  return {
    ...e,
    strength,
    bestGrade: e.bestGrade ?? null,
    dated,
    inForce: e.inForce ?? inForce ?? null,
    contested: e.contested ?? e.confidence === 'disputed',
  };
}

/**
 * @param {object} data the GraphQL data of fetchView
 * @param {{mode: string, id: string, from: string, to: string}} s the state it was fetched for
 * @returns {View}
 */
export function buildView(data, s) {
  const nodes = new Map();
  const edges = new Map();
  const highlight = new Set();
  const addNode = (n) => {
    if (n && !nodes.has(n.id)) nodes.set(n.id, n);
  };
  const addEdge = (e, inForce) => {
    if (!e) return;
    const prev = edges.get(e.id);
    if (!prev) edges.set(e.id, normaliseEdge(e, inForce));
    else if (inForce && !prev.inForce) edges.set(e.id, { ...prev, inForce });
  };
  const nb = data.neighborhood || { nodes: [], edges: [], truncated: false };
  nb.nodes.forEach(addNode);
  nb.edges.forEach((e) => addEdge(e));

  /** @type {Route[]} */
  const routes = [];
  let routesTruncated = false;
  let routesTotal = 0;
  const roots = s.mode === 'path' ? [s.from, s.to] : [s.id];

  // A route reads from its start: entity, hop, entity, hop, ... Each hop
  // says whether its relation points along the reading order (forward) or
  // against it.
  const route = (label, complete, start, hops, extra) => {
    let prev = start;
    const steps = hops.map(({ rel, a, b, inForce }) => {
      addNode(a);
      addNode(b);
      addEdge(rel, inForce);
      highlight.add(a.id).add(b.id).add(rel.id);
      const next = a.id === prev.id ? b : a;
      const step = { edge: edges.get(rel.id), prev, next, forward: rel.fromId === prev.id, inForce: inForce ?? null };
      prev = next;
      return step;
    });
    routes.push({ label, complete, start, steps, strength: extra.strength ?? null, contested: !!extra.contested });
  };
  if (data.responsibilityChain) {
    const rc = data.responsibilityChain;
    routesTruncated = !!rc.truncated;
    routesTotal = rc.totalCount ?? rc.chains.length;
    rc.chains.forEach((chain, i) => {
      if (!chain.hops.length) return;
      const up = rc.direction ? rc.direction === 'UP' : s.mode === 'up';
      const start = up ? chain.hops[0].lower : chain.hops[0].upper;
      route(`Chain ${i + 1}`, chain.complete, start, chain.hops.map((h) => ({ rel: h.relation, a: h.upper, b: h.lower, inForce: h.inForce })), chain);
    });
  }
  if (data.paths) {
    routesTotal = data.paths.length;
    data.paths.forEach((path, i) => {
      path.nodes.forEach(addNode);
      path.nodes.forEach((n) => highlight.add(n.id));
      if (!path.nodes.length) return;
      const hops = path.relations.map((rel, j) => ({ rel, a: path.nodes[j], b: path.nodes[j + 1] }));
      route(`Path ${i + 1} (${path.length} hop${path.length === 1 ? '' : 's'})`, true, path.nodes[0], hops, path);
    });
  }
  // Edges whose ends are both drawn (the API guarantees it; be safe).
  const edgeList = [...edges.values()].filter((e) => nodes.has(e.fromId) && nodes.has(e.toId));
  if (s.mode === 'up' || s.mode === 'down' || s.mode === 'path') roots.forEach((r) => r && highlight.add(r));
  return {
    nodes: [...nodes.values()],
    edges: edgeList,
    highlight,
    roots: roots.filter((r) => r && nodes.has(r)),
    routes,
    truncated: !!nb.truncated,
    routesTruncated,
    routesTotal,
    expanded: {},
  };
}

/**
 * Adds the neighbourhood of an expanded entity to a view (in place: nothing
 * already drawn changes). Returns the view and the ids it added.
 * @param {View} v
 * @param {string} id
 * @param {{nodes: GNode[], edges: object[]}} g
 */
export function expandView(v, id, g) {
  const have = new Set(v.nodes.map((n) => n.id));
  const haveEdges = new Set(v.edges.map((e) => e.id));
  const added = [];
  const nodes = [...v.nodes];
  for (const n of g.nodes) {
    if (have.has(n.id)) continue;
    have.add(n.id);
    nodes.push(n);
    added.push(n.id);
  }
  const edges = [...v.edges];
  for (const e of g.edges) {
    if (haveEdges.has(e.id) || !have.has(e.fromId) || !have.has(e.toId)) continue;
    haveEdges.add(e.id);
    edges.push(normaliseEdge(e));
    added.push(e.id);
  }
  return { view: { ...v, nodes, edges, expanded: { ...v.expanded, [id]: added } }, added };
}

const STRENGTH_RANK = { WEAK: 0, MODERATE: 1, STRONG: 2 };

/** Whether an edge passes the state's relation filters. */
export function edgePasses(e, s) {
  if (s.ft.includes(e.type)) return false;
  if (s.fc.includes(e.confidence)) return false;
  if (s.grade === 'AB' && !(e.bestGrade ? e.bestGrade === 'A' || e.bestGrade === 'B' : e.strength !== 'WEAK')) return false;
  if (s.strength && STRENGTH_RANK[e.strength] < STRENGTH_RANK[s.strength]) return false;
  if (s.dated && !e.dated) return false;
  return true;
}

/**
 * What the view shows under the state's hiding and filters: nodes of hidden
 * kinds and hidden nodes go, with their edges; edges that fail a filter go;
 * then entities left without any edge go too, unless they are the view's
 * roots, expanded or pinned (a filter must not leave islands behind).
 * @param {View} v
 * @param {ReturnType<import('./state.js').parseState>} s
 * @returns {{nodes: Set<string>, edges: Set<string>}}
 */
export function visibleIds(v, s) {
  const hidden = new Set(s.hide);
  const keep = new Set([...v.roots, ...s.exp, ...Object.keys(s.pos)]);
  const nodeOK = new Set(v.nodes.filter((n) => !hidden.has(n.id) && (!s.fk.includes(n.kind) || v.roots.includes(n.id))).map((n) => n.id));
  const edges = new Set(v.edges.filter((e) => nodeOK.has(e.fromId) && nodeOK.has(e.toId) && edgePasses(e, s)).map((e) => e.id));
  const filtered = s.ft.length || s.fc.length || s.grade || s.strength || s.dated;
  if (!filtered) return { nodes: nodeOK, edges };
  const touched = new Set();
  for (const e of v.edges) {
    if (!edges.has(e.id)) continue;
    touched.add(e.fromId);
    touched.add(e.toId);
  }
  const nodes = new Set([...nodeOK].filter((id) => touched.has(id) || keep.has(id)));
  return { nodes, edges };
}

/** The label drawn under a node: its English name, then its Chinese name, wrapped. */
export function nodeLabel(n) {
  const name = wrapName(n.name);
  return n.nameZh && n.nameZh !== n.name ? `${name}\n${n.nameZh}` : name;
}

/** "2010 – 2014", "from 2010", "until 2014", or "" when neither is known. */
export function dateRange(from, to) {
  if (from && to) return `${from} – ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return '';
}
