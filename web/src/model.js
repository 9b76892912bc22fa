// Turns the API's answers into what the graph draws: one set of nodes and
// edges (neighbourhood ∪ chains ∪ paths), the ids to highlight, and the
// chains or paths as ordered lists for the text view. Pure: no DOM.

/**
 * @typedef {{id: string, kind: string, name: string, nameZh?: string|null, synthetic?: boolean}} GNode
 * @typedef {{id: string, type: string, responsibility: string, fromId: string, toId: string,
 *   validFrom?: string|null, validTo?: string|null, confidence: string}} GEdge
 * @typedef {{nodes: GNode[], edges: GEdge[], highlight: Set<string>, roots: string[],
 *   routes: {label: string, complete: boolean, start: GNode,
 *     steps: {edge: GEdge, prev: GNode, next: GNode, forward: boolean}[]}[],
 *   truncated: boolean, routesTruncated: boolean}} View
 */

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
  const addEdge = (e) => {
    if (e && !edges.has(e.id)) edges.set(e.id, e);
  };
  const nb = data.neighborhood || { nodes: [], edges: [], truncated: false };
  nb.nodes.forEach(addNode);
  nb.edges.forEach(addEdge);

  const routes = [];
  let routesTruncated = false;
  const roots = s.mode === 'path' ? [s.from, s.to] : [s.id];

  // A route reads from its start: entity, hop, entity, hop, ... Each hop
  // says whether its relation points along the reading order (forward) or
  // against it.
  const route = (label, complete, start, hops) => {
    let prev = start;
    const steps = hops.map(({ rel, a, b }) => {
      addNode(a);
      addNode(b);
      addEdge(rel);
      highlight.add(a.id).add(b.id).add(rel.id);
      const next = a.id === prev.id ? b : a;
      const step = { edge: edges.get(rel.id), prev, next, forward: rel.fromId === prev.id };
      prev = next;
      return step;
    });
    routes.push({ label, complete, start, steps });
  };
  if (data.responsibilityChain) {
    const rc = data.responsibilityChain;
    routesTruncated = !!rc.truncated;
    rc.chains.forEach((chain, i) => {
      if (!chain.hops.length) return;
      const up = rc.direction ? rc.direction === 'UP' : s.mode === 'up';
      const start = up ? chain.hops[0].lower : chain.hops[0].upper;
      route(`Chain ${i + 1}`, chain.complete, start, chain.hops.map((h) => ({ rel: h.relation, a: h.upper, b: h.lower })));
    });
  }
  if (data.paths) {
    data.paths.forEach((path, i) => {
      path.nodes.forEach(addNode);
      path.nodes.forEach((n) => highlight.add(n.id));
      if (!path.nodes.length) return;
      const hops = path.relations.map((rel, j) => ({ rel, a: path.nodes[j], b: path.nodes[j + 1] }));
      route(`Path ${i + 1} (${path.length} hop${path.length === 1 ? '' : 's'})`, true, path.nodes[0], hops);
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
  };
}

/** The label drawn under a node: its English name, then its Chinese name. */
export function nodeLabel(n) {
  return n.nameZh && n.nameZh !== n.name ? `${n.name}\n${n.nameZh}` : n.name;
}

/** "2010 – 2014", "from 2010", "until 2014", or "" when neither is known. */
export function dateRange(from, to) {
  if (from && to) return `${from} – ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return '';
}

