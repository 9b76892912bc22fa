// The picture exports: the drawn graph as an SVG document with its legend,
// as-of date, credit line and the address of the view (PNG is this SVG,
// rasterised). Real <text> (editable in Illustrator or Inkscape, Chinese
// included), one <g id> per node and edge, no raster. Labels that would
// overlap are left out (each node keeps its name as a <title>), least
// important first. Pure: takes plain shapes, returns the SVG document.

import { declutter, textWidth } from './labels.js';

/**
 * @typedef {{id: string, x: number, y: number, w: number, h: number, shape: string, color: string,
 *   border: string, borderWidth: number, opacity: number, label: string, labelColor?: string, priority?: number}} SNode
 * @typedef {{id: string, sx: number, sy: number, tx: number, ty: number, mx: number, my: number,
 *   bends?: {x: number, y: number}[], color: string, width: number, dash?: string, opacity: number, label?: string,
 *   marker?: string}} SEdge
 * @typedef {{shape: string, color: string, label: string}} LegendKind
 * @typedef {{dash: string, width: number, color: string, label: string, marker?: string}} LegendLine
 * @typedef {{title?: string, subtitle?: string, credit?: string, address?: string,
 *   legend?: {kinds: LegendKind[], lines: LegendLine[]}, fontSize?: number}} Meta
 */

const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const n2 = (v) => (Math.round(v * 10) / 10).toString();

// Cytoscape's unit polygons (x, y in [-1, 1], y down), so the export draws
// the shapes the screen shows.
function ngon(sides) {
  const inc = (2 * Math.PI) / sides;
  const start = (sides % 2 === 0 ? Math.PI / 2 + inc / 2 : Math.PI / 2);
  const pts = [];
  for (let i = 0; i < sides; i++) pts.push([Math.cos(i * inc + start), Math.sin(-(i * inc + start))]);
  return fit(pts);
}
function fit(pts) {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const sx = 2 / (Math.max(...xs) - Math.min(...xs));
  const sy = 2 / (Math.max(...ys) - Math.min(...ys));
  let out = pts.map(([x, y]) => [x * sx, y * sy]);
  const minY = Math.min(...out.map((p) => p[1]));
  if (minY < -1) out = out.map(([x, y]) => [x, y + (-1 - minY)]);
  return out;
}
const pairs = (a) => a.reduce((out, v, i) => (i % 2 ? out : [...out, [v, a[i + 1]]]), []);
const STAR = (() => {
  const inner = 0.5 * (3 - Math.sqrt(5)) * 1.57;
  const pts = [];
  for (let i = 0; i < 5; i++) {
    const ao = Math.PI / 2 + (i * 2 * Math.PI) / 5;
    const ai = ao + Math.PI / 5;
    pts.push([Math.cos(ao), Math.sin(-ao)], [inner * Math.cos(ai), inner * Math.sin(-ai)]);
  }
  return fit(pts);
})();

const POLY = {
  triangle: ngon(3),
  pentagon: ngon(5),
  hexagon: ngon(6),
  heptagon: ngon(7),
  octagon: ngon(8),
  star: STAR,
  diamond: [[0, 1], [1, 0], [0, -1], [-1, 0]],
  vee: pairs([-1, -1, 0, -0.333, 1, -1, 0, 1]),
  rhomboid: pairs([-1, -1, 0.333, -1, 1, 1, -0.333, 1]),
  'concave-hexagon': pairs([-1, -0.95, -0.75, 0, -1, 0.95, 1, 0.95, 0.75, 0, 1, -0.95]),
  tag: pairs([-1, -1, 0.25, -1, 1, 0, 0.25, 1, -1, 1]),
};

/** The node shapes the exports and the legend can draw. */
export const SHAPES = ['ellipse', 'rectangle', 'round-rectangle', 'cut-rectangle', 'barrel', ...Object.keys(POLY)];

/**
 * SVG markup of a shape centred on (x, y), w × h, with the given fill/stroke attributes.
 * @param {string} shape
 */
export function shapeMarkup(shape, x, y, w, h, attrs) {
  const hw = w / 2;
  const hh = h / 2;
  switch (shape) {
    case 'ellipse':
      return `<ellipse cx="${n2(x)}" cy="${n2(y)}" rx="${n2(hw)}" ry="${n2(hh)}" ${attrs}/>`;
    case 'rectangle':
    case 'round-rectangle': {
      const r = shape === 'round-rectangle' ? Math.min(w / 4, h / 4, 8) : 0;
      return `<rect x="${n2(x - hw)}" y="${n2(y - hh)}" width="${n2(w)}" height="${n2(h)}" rx="${n2(r)}" ${attrs}/>`;
    }
    case 'cut-rectangle': {
      const c = Math.min(8, hw / 2, hh / 2);
      const pts = [[-hw + c, -hh], [hw - c, -hh], [hw, -hh + c], [hw, hh - c], [hw - c, hh], [-hw + c, hh], [-hw, hh - c], [-hw, -hh + c]];
      return `<polygon points="${pts.map(([px, py]) => `${n2(x + px)},${n2(y + py)}`).join(' ')}" ${attrs}/>`;
    }
    case 'barrel': {
      const k = hw * 0.15;
      const d = `M${n2(x - hw + k)},${n2(y - hh)} L${n2(x + hw - k)},${n2(y - hh)} Q${n2(x + hw)},${n2(y)} ${n2(x + hw - k)},${n2(y + hh)} L${n2(x - hw + k)},${n2(y + hh)} Q${n2(x - hw)},${n2(y)} ${n2(x - hw + k)},${n2(y - hh)} Z`;
      return `<path d="${d}" ${attrs}/>`;
    }
    default: {
      const pts = (POLY[shape] || POLY.hexagon).map(([px, py]) => `${n2(x + px * hw)},${n2(y + py * hh)}`).join(' ');
      return `<polygon points="${pts}" ${attrs}/>`;
    }
  }
}

function textSVG(x, y, label, size, color, anchor = 'middle', weight = '') {
  const lines = String(label).split('\n');
  const tspans = lines.map((line, i) => `<tspan x="${n2(x)}" dy="${i === 0 ? 0 : n2(size * 1.2)}">${esc(line)}</tspan>`).join('');
  return `<text x="${n2(x)}" y="${n2(y)}" font-size="${n2(size)}"${weight ? ` font-weight="${weight}"` : ''} fill="${esc(color)}" text-anchor="${anchor}" dominant-baseline="hanging" stroke="#fff" stroke-width="${n2(size / 4)}" stroke-linejoin="round" paint-order="stroke">${tspans}</text>`;
}

/** Width and height of a multi-line label at a font size (estimated, see labels.js). */
function labelBox(label, size) {
  const lines = String(label).split('\n');
  return { w: Math.max(...lines.map((l) => textWidth(l, size))), h: lines.length * size * 1.2 };
}

/**
 * @param {SNode[]} nodes
 * @param {SEdge[]} edges
 * @param {Meta} [meta]
 */
export function graphToSVG(nodes, edges, meta = {}) {
  const fs = meta.fontSize || 12;
  // Which node labels fit without overlapping (most important first).
  const boxes = nodes.map((n) => {
    const b = labelBox(n.label, fs);
    return { id: n.id, priority: n.priority ?? 0, x1: n.x - b.w / 2, x2: n.x + b.w / 2, y1: n.y + n.h / 2 + 3, y2: n.y + n.h / 2 + 3 + b.h };
  });
  const obstacles = nodes.map((n) => ({ x1: n.x - n.w / 2, x2: n.x + n.w / 2, y1: n.y - n.h / 2, y2: n.y + n.h / 2 }));
  const shown = declutter(boxes, obstacles);

  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  const grow = (x, y) => {
    x1 = Math.min(x1, x);
    y1 = Math.min(y1, y);
    x2 = Math.max(x2, x);
    y2 = Math.max(y2, y);
  };
  for (const n of nodes) {
    grow(n.x - n.w / 2, n.y - n.h / 2);
    grow(n.x + n.w / 2, n.y + n.h / 2);
  }
  for (const b of boxes) {
    if (!shown.has(b.id)) continue;
    grow(b.x1, b.y1);
    grow(b.x2, b.y2);
  }
  for (const e of edges) {
    grow(e.sx, e.sy);
    grow(e.tx, e.ty);
    for (const p of e.bends || []) grow(p.x, p.y);
  }
  if (!nodes.length) {
    x1 = y1 = 0;
    x2 = y2 = 200;
  }
  const pad = 24;
  x1 -= pad;
  x2 += pad;
  const legend = meta.legend || { kinds: [], lines: [] };

  // Header (title, subtitle), the graph, then the legend and the footer
  // (credit, address) below it, all inside one white page.
  const headH = (meta.title ? 26 : 0) + (meta.subtitle ? 20 : 0) + (meta.title || meta.subtitle ? 10 : 0);
  const graphTop = y1 - pad - headH;
  const width = Math.max(x2 - x1, 560);
  const left = x1 - (width - (x2 - x1)) / 2;
  // Legend: items flow in columns of fixed width.
  const colW = 190;
  const cols = Math.max(1, Math.floor((width - 2 * pad) / colW));
  const items = [...legend.kinds.map((k) => ({ k })), ...legend.lines.map((l) => ({ l }))];
  const legendRows = Math.ceil(items.length / cols);
  const legendTop = y2 + pad;
  const legendH = items.length ? 22 + legendRows * 20 : 0;
  const footTop = legendTop + legendH + 6;
  const footH = (meta.credit ? 16 : 0) + (meta.address ? 16 : 0) + 8;
  const bottom = footTop + footH;
  const top = graphTop;
  const h = bottom - top;

  const colors = [...new Set(edges.map((e) => e.color))];
  const markerId = (c) => 'arrow-' + colors.indexOf(c);
  const defs = colors
    .map(
      (c) =>
        `<marker id="${markerId(c)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${esc(c)}"/></marker>`,
    )
    .join('');

  const out = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n2(left)} ${n2(top)} ${n2(width)} ${n2(h)}" width="${Math.ceil(width)}" height="${Math.ceil(h)}" font-family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif">`,
  );
  if (meta.title) out.push(`<title>${esc(meta.title)}</title>`);
  out.push(`<defs>${defs}</defs>`);
  out.push(`<rect x="${n2(left)}" y="${n2(top)}" width="${n2(width)}" height="${n2(h)}" fill="#ffffff"/>`);
  let hy = top + pad / 2;
  if (meta.title) {
    out.push(`<text class="title" x="${n2(left + pad)}" y="${n2(hy)}" font-size="18" font-weight="bold" fill="#1b1b1b" dominant-baseline="hanging">${esc(meta.title)}</text>`);
    hy += 26;
  }
  if (meta.subtitle) out.push(`<text class="subtitle" x="${n2(left + pad)}" y="${n2(hy)}" font-size="14" fill="#333" dominant-baseline="hanging">${esc(meta.subtitle)}</text>`);

  out.push('<g class="edges">');
  for (const e of edges) {
    // Through its bends, if it has any; else a quadratic curve through the
    // drawn midpoint (parallel edges bend).
    let d;
    if (e.bends && e.bends.length) {
      d = `M${n2(e.sx)},${n2(e.sy)} ` + e.bends.map((p) => `L${n2(p.x)},${n2(p.y)} `).join('') + `L${n2(e.tx)},${n2(e.ty)}`;
    } else {
      const cx = 2 * e.mx - (e.sx + e.tx) / 2;
      const cy = 2 * e.my - (e.sy + e.ty) / 2;
      d = `M${n2(e.sx)},${n2(e.sy)} Q${n2(cx)},${n2(cy)} ${n2(e.tx)},${n2(e.ty)}`;
    }
    const dash = e.dash ? ` stroke-dasharray="${esc(e.dash)}"` : '';
    const marker = e.marker ? shapeMarkup(e.marker === 'diamond' ? 'diamond' : 'ellipse', e.mx, e.my, 9, 9, `fill="#ffffff" stroke="${esc(e.color)}" stroke-width="1.5"`) : '';
    out.push(
      `<g id="${esc(e.id)}" opacity="${n2(e.opacity)}"><path d="${d}" fill="none" stroke="${esc(e.color)}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#${markerId(e.color)})"/>${marker}` +
        (e.label ? textSVG(e.mx, e.my + 6, e.label, fs * 0.85, '#37474f') : '') +
        '</g>',
    );
  }
  out.push('</g><g class="nodes">');
  for (const n of nodes) {
    const attrs = `fill="${esc(n.color)}" stroke="${esc(n.border)}" stroke-width="${n2(n.borderWidth)}"`;
    const name = String(n.label).replace(/\n/g, ' / ');
    out.push(
      `<g id="${esc(n.id)}" opacity="${n2(n.opacity)}"><title>${esc(name)}</title>${shapeMarkup(n.shape, n.x, n.y, n.w, n.h, attrs)}` +
        (shown.has(n.id) ? textSVG(n.x, n.y + n.h / 2 + 3, n.label, fs, n.labelColor || '#1b1b1b') : '') +
        '</g>',
    );
  }
  out.push('</g>');

  if (items.length) {
    out.push(`<g class="legend"><text x="${n2(left + pad)}" y="${n2(legendTop)}" font-size="13" font-weight="bold" fill="#1b1b1b" dominant-baseline="hanging">Legend</text>`);
    items.forEach((it, i) => {
      const cx = left + pad + (i % cols) * colW;
      const cy = legendTop + 22 + Math.floor(i / cols) * 20 + 7;
      if (it.k) {
        out.push(shapeMarkup(it.k.shape, cx + 7, cy, 14, 14, `fill="${esc(it.k.color)}" stroke="#1b1b1b" stroke-width="1"`));
        out.push(`<text x="${n2(cx + 20)}" y="${n2(cy)}" font-size="12" fill="#1b1b1b" dominant-baseline="central">${esc(it.k.label)}</text>`);
      } else {
        const l = it.l;
        out.push(`<line x1="${n2(cx)}" y1="${n2(cy)}" x2="${n2(cx + 28)}" y2="${n2(cy)}" stroke="${esc(l.color)}" stroke-width="${n2(l.width)}"${l.dash ? ` stroke-dasharray="${esc(l.dash)}"` : ''}/>`);
        if (l.marker) out.push(shapeMarkup(l.marker === 'diamond' ? 'diamond' : 'ellipse', cx + 14, cy, 9, 9, `fill="#ffffff" stroke="${esc(l.color)}" stroke-width="1.5"`));
        out.push(`<text x="${n2(cx + 34)}" y="${n2(cy)}" font-size="12" fill="#1b1b1b" dominant-baseline="central">${esc(l.label)}</text>`);
      }
    });
    out.push('</g>');
  }
  let fy = footTop;
  out.push('<g class="credit">');
  if (meta.credit) {
    out.push(`<text x="${n2(left + pad)}" y="${n2(fy)}" font-size="11" fill="#333" dominant-baseline="hanging">${esc(meta.credit)}</text>`);
    fy += 16;
  }
  if (meta.address) out.push(`<text class="address" x="${n2(left + pad)}" y="${n2(fy)}" font-size="11" fill="#333" dominant-baseline="hanging">${esc(meta.address)}</text>`);
  out.push('</g></svg>');
  return out.join('\n') + '\n';
}
