// A layered ("Sugiyama-style") layout whose layers come from the entity
// kinds, not from edge directions: party and state bodies on top, then the
// aiding provinces, the recipient prefectures and counties, firms, factories
// and buyers at the bottom. Relations in this graph point both ways (a county
// is PART_OF its prefecture, a province is PAIRED_WITH it), so a layout that
// ranks by edge direction (dagre, breadthfirst) would put the hierarchy upside
// down half of the time.
//
// As in Sugiyama's method, an edge that spans several layers gets a virtual
// node in each layer it crosses; nodes and virtual nodes are ordered by the
// barycentre heuristic to reduce crossings, and the edge is drawn through its
// virtual nodes' places (its "bends"), so it does not run through the nodes
// of the layers in between. Wide layers wrap into several rows.
// Pure: returns positions and bends; the caller hands them to Cytoscape.

import { tierOf } from './kinds.js';

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{positions: Record<string, Point>, bends: Record<string, Point[]>}} Layout
 */

/**
 * @param {{id: string, kind: string}[]} nodes
 * @param {{id?: string, source: string, target: string}[]} edges
 * @param {{colGap?: number, rowGap?: number, wrapGap?: number, maxPerRow?: number, sweeps?: number}} [opts]
 * @returns {Layout} positions by node id; bends by edge id (from source to target), for edges that span layers
 */
export function layeredLayout(nodes, edges, opts = {}) {
  const colGap = opts.colGap ?? 160;
  const rowGap = opts.rowGap ?? 170;
  const wrapGap = opts.wrapGap ?? 95;
  // Wide layers wrap so that big graphs stay roughly as wide as tall.
  const maxPerRow = opts.maxPerRow ?? Math.min(30, Math.max(8, Math.round(1.6 * Math.sqrt(nodes.length))));
  const sweeps = opts.sweeps ?? 6;
  const virtualGap = colGap / 4; // room a virtual node takes in its layer

  // Layers: the tiers present, compacted.
  const tiers = [...new Set(nodes.map((n) => tierOf(n.kind)))].sort((a, b) => a - b);
  const layerOfTier = new Map(tiers.map((t, i) => [t, i]));
  /** @type {string[][]} */
  const layers = tiers.map(() => []);
  const layerOf = new Map();
  const virtual = new Set();
  // Stable start: by id within each layer.
  for (const n of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const l = layerOfTier.get(tierOf(n.kind));
    layerOf.set(n.id, l);
    layers[l].push(n.id);
  }

  // Adjacency between neighbouring layers only; long edges go through
  // virtual nodes, edges inside a layer do not order anything.
  const nbrs = new Map(nodes.map((n) => [n.id, []]));
  const link = (a, b) => {
    nbrs.get(a).push(b);
    nbrs.get(b).push(a);
  };
  /** @type {{id: string, chain: string[]}[]} */
  const long = [];
  edges.forEach((e, i) => {
    if (e.source === e.target || !nbrs.has(e.source) || !nbrs.has(e.target)) return;
    const ls = layerOf.get(e.source);
    const lt = layerOf.get(e.target);
    if (ls === lt) return;
    if (Math.abs(ls - lt) === 1) {
      link(e.source, e.target);
      return;
    }
    const step = lt > ls ? 1 : -1;
    const chain = [];
    let prev = e.source;
    for (let l = ls + step; l !== lt; l += step) {
      const v = `\u0000v${i}:${l}`;
      virtual.add(v);
      nbrs.set(v, []);
      layerOf.set(v, l);
      layers[l].push(v);
      link(prev, v);
      chain.push(v);
      prev = v;
    }
    link(prev, e.target);
    long.push({ id: e.id ?? `${e.source}->${e.target}#${i}`, chain });
  });

  // Relative position of each node within its layer, in [0, 1].
  const pos = new Map();
  const place = (l) => {
    const layer = layers[l];
    layer.forEach((id, i) => pos.set(id, layer.length > 1 ? i / (layer.length - 1) : 0.5));
  };
  layers.forEach((_, l) => place(l));

  const reorder = (l, adjacent) => {
    const layer = layers[l];
    const bary = new Map();
    for (const id of layer) {
      let sum = 0;
      let n = 0;
      for (const m of nbrs.get(id)) {
        if (layerOf.get(m) === adjacent) {
          sum += pos.get(m);
          n++;
        }
      }
      bary.set(id, n ? sum / n : pos.get(id));
    }
    const index = new Map(layer.map((id, i) => [id, i]));
    layer.sort((a, b) => bary.get(a) - bary.get(b) || index.get(a) - index.get(b));
    place(l);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let l = 1; l < layers.length; l++) reorder(l, l - 1);
    for (let l = layers.length - 2; l >= 0; l--) reorder(l, l + 1);
  }

  // Coordinates: layers top to bottom, each centred. A virtual node takes
  // a quarter of a column. A layer wider than maxPerRow columns wraps into
  // rows (node i to row i % rows, keeping the left-to-right order); its
  // virtual nodes then take no room, and their edges do not bend there.
  /** @type {Map<string, Point>} */
  const at = new Map();
  let y = 0;
  const wrapped = new Set();
  layers.forEach((layer, l) => {
    if (l > 0) y += rowGap;
    const real = layer.filter((id) => !virtual.has(id));
    const width = real.length * colGap + (layer.length - real.length) * virtualGap;
    const rows = Math.max(1, Math.ceil(real.length / maxPerRow));
    if (width <= maxPerRow * colGap) {
      const widths = layer.map((id) => (virtual.has(id) ? virtualGap : colGap));
      const total = widths.reduce((a, b) => a + b, 0) - (widths[0] ?? 0) / 2 - (widths[widths.length - 1] ?? 0) / 2;
      let x = -total / 2;
      layer.forEach((id, i) => {
        if (i > 0) x += (widths[i - 1] + widths[i]) / 2;
        at.set(id, { x, y });
      });
      return;
    }
    wrapped.add(l);
    const cols = Math.ceil(real.length / rows);
    real.forEach((id, i) => {
      const r = i % rows;
      const c = Math.floor(i / rows);
      at.set(id, { x: (c - (cols - 1) / 2) * colGap + (r * colGap) / rows, y: y + r * wrapGap });
    });
    y += (rows - 1) * wrapGap;
  });

  /** @type {Record<string, Point>} */
  const positions = {};
  for (const n of nodes) positions[n.id] = at.get(n.id);

  /** @type {Record<string, Point[]>} */
  const bends = {};
  for (const { id, chain } of long) {
    const pts = chain.filter((v) => !wrapped.has(layerOf.get(v))).map((v) => at.get(v));
    if (pts.length) bends[id] = pts;
  }
  return { positions, bends };
}

/** Positions only (see layeredLayout). */
export function layeredPositions(nodes, edges, opts) {
  return layeredLayout(nodes, edges, opts).positions;
}

/**
 * Cytoscape's "segments" edges place each bend by a weight along the line
 * from the source's centre to the target's centre and a signed distance
 * perpendicular to it (with edge-distances: node-position).
 * @param {Point} s source centre
 * @param {Point} t target centre
 * @param {Point[]} pts bends
 * @returns {{weights: number[], distances: number[]}}
 */
export function segmentParams(s, t, pts) {
  const dx = t.x - s.x;
  const dy = t.y - s.y;
  const len2 = dx * dx + dy * dy || 1;
  const len = Math.sqrt(len2);
  const weights = [];
  const distances = [];
  for (const p of pts) {
    const px = p.x - s.x;
    const py = p.y - s.y;
    weights.push((px * dx + py * dy) / len2);
    // Cytoscape's perpendicular points to the right of source->target in
    // screen coordinates (y down): (-dy, dx) / len.
    distances.push((px * -dy + py * dx) / len);
  }
  return { weights, distances };
}

/**
 * A force-directed layout (Fruchterman–Reingold, grid-approximated
 * repulsion), started from the layered positions so it is deterministic.
 * Pure and synchronous: the page runs it in a worker (layout.worker.js).
 * @param {{id: string, kind: string}[]} nodes
 * @param {{source: string, target: string}[]} edges
 * @param {{iterations?: number, ideal?: number}} [opts]
 * @returns {Record<string, Point>}
 */
export function forceLayout(nodes, edges, opts = {}) {
  const start = layeredLayout(nodes, edges).positions;
  const n = nodes.length;
  if (n < 2) return start;
  const ideal = opts.ideal ?? 130;
  const iterations = opts.iterations ?? Math.min(300, 60 + Math.round(30000 / n));
  const idx = new Map(nodes.map((nd, i) => [nd.id, i]));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  nodes.forEach((nd, i) => {
    x[i] = start[nd.id].x;
    y[i] = start[nd.id].y;
  });
  const links = edges.map((e) => [idx.get(e.source), idx.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined && a !== b);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const cell = ideal * 2;
  let temp = ideal * 2;
  const k2 = ideal * ideal;
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    // Repulsion between nodes in neighbouring grid cells only.
    const grid = new Map();
    for (let i = 0; i < n; i++) {
      const key = Math.floor(x[i] / cell) + ',' + Math.floor(y[i] / cell);
      if (grid.has(key)) grid.get(key).push(i);
      else grid.set(key, [i]);
    }
    for (let i = 0; i < n; i++) {
      const gx = Math.floor(x[i] / cell);
      const gy = Math.floor(y[i] / cell);
      for (let ox = -1; ox <= 1; ox++) {
        for (let oy = -1; oy <= 1; oy++) {
          const bucket = grid.get(gx + ox + ',' + (gy + oy));
          if (!bucket) continue;
          for (const j of bucket) {
            if (j <= i) continue;
            let ddx = x[i] - x[j];
            let ddy = y[i] - y[j];
            let d2 = ddx * ddx + ddy * ddy;
            if (d2 < 0.01) {
              ddx = ((i * 7919) % 13) - 6 || 1;
              ddy = ((j * 104729) % 11) - 5 || 1;
              d2 = ddx * ddx + ddy * ddy;
            }
            if (d2 > cell * cell) continue;
            const f = k2 / d2;
            dx[i] += ddx * f;
            dy[i] += ddy * f;
            dx[j] -= ddx * f;
            dy[j] -= ddy * f;
          }
        }
      }
    }
    // Attraction along edges.
    for (const [a, b] of links) {
      const ddx = x[a] - x[b];
      const ddy = y[a] - y[b];
      const d = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01;
      const f = d / ideal;
      dx[a] -= ddx * f;
      dy[a] -= ddy * f;
      dx[b] += ddx * f;
      dy[b] += ddy * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
      if (d > 0) {
        const m = Math.min(d, temp) / d;
        x[i] += dx[i] * m;
        y[i] += dy[i] * m;
      }
    }
    temp = Math.max(2, temp * 0.97);
  }
  /** @type {Record<string, Point>} */
  const out = {};
  nodes.forEach((nd, i) => (out[nd.id] = { x: x[i], y: y[i] }));
  return out;
}

/**
 * Places the entities an expansion added around the expanded one, on rings
 * that avoid the positions already taken. Deterministic: the same view and
 * expansion give the same places.
 * @param {Point} centre
 * @param {string[]} ids the new entities, in order
 * @param {Point[]} taken positions already used
 * @returns {Record<string, Point>}
 */
export function placeAround(centre, ids, taken, gap = 110) {
  /** @type {Record<string, Point>} */
  const out = {};
  const used = [...taken];
  const free = (p) => used.every((q) => (q.x - p.x) ** 2 + (q.y - p.y) ** 2 >= (gap * 0.8) ** 2);
  let ring = 1;
  let i = 0;
  while (i < ids.length && ring < 40) {
    const r = gap * ring;
    const slots = Math.max(6, Math.floor((2 * Math.PI * r) / gap));
    for (let s = 0; s < slots && i < ids.length; s++) {
      // Start below the centre and alternate sides, so the first ones sit under it.
      const k = s % 2 ? -Math.ceil(s / 2) : Math.ceil(s / 2);
      const a = Math.PI / 2 + (k * 2 * Math.PI) / slots;
      const p = { x: centre.x + r * Math.cos(a), y: centre.y + r * Math.sin(a) };
      if (!free(p)) continue;
      out[ids[i++]] = p;
      used.push(p);
    }
    ring++;
  }
  for (; i < ids.length; i++) out[ids[i]] = { x: centre.x + gap * ring, y: centre.y + gap * i };
  return out;
}
