// A hand-rolled SVG export of the drawn graph: real <text> (editable in
// Illustrator or Inkscape, Chinese included), one <g> per node and edge with
// its id, no raster. Pure: takes plain shapes, returns the SVG document.

/**
 * @typedef {{id: string, x: number, y: number, w: number, h: number, shape: string, color: string,
 *   border: string, borderWidth: number, opacity: number, label: string, labelColor: string, fontSize: number}} SNode
 * @typedef {{id: string, sx: number, sy: number, tx: number, ty: number, mx: number, my: number,
 *   bends?: {x: number, y: number}[], color: string, width: number, dashed: boolean, opacity: number, label: string}} SEdge
 */

const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const n2 = (v) => (Math.round(v * 10) / 10).toString();

// Unit polygons (x, y in [-1, 1]) for the shapes the explorer uses.
const POLY = {
  diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
  triangle: [[0, -1], [1, 1], [-1, 1]],
  hexagon: [[-1, 0], [-0.5, -1], [0.5, -1], [1, 0], [0.5, 1], [-0.5, 1]],
  octagon: [[-0.41, -1], [0.41, -1], [1, -0.41], [1, 0.41], [0.41, 1], [-0.41, 1], [-1, 0.41], [-1, -0.41]],
  tag: [[-1, -1], [0.5, -1], [1, 0], [0.5, 1], [-1, 1]],
  vee: [[-1, -1], [0, -0.33], [1, -1], [0, 1]],
  star: (() => {
    const pts = [];
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 0.4 : 1;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      pts.push([r * Math.cos(a), r * Math.sin(a)]);
    }
    return pts;
  })(),
};

function shapeSVG(n) {
  const attrs = `fill="${esc(n.color)}" stroke="${esc(n.border)}" stroke-width="${n2(n.borderWidth)}"`;
  const hw = n.w / 2;
  const hh = n.h / 2;
  switch (n.shape) {
    case 'ellipse':
      return `<ellipse cx="${n2(n.x)}" cy="${n2(n.y)}" rx="${n2(hw)}" ry="${n2(hh)}" ${attrs}/>`;
    case 'rectangle':
    case 'round-rectangle': {
      const r = n.shape === 'round-rectangle' ? Math.min(n.w, n.h) / 4 : 0;
      return `<rect x="${n2(n.x - hw)}" y="${n2(n.y - hh)}" width="${n2(n.w)}" height="${n2(n.h)}" rx="${n2(r)}" ${attrs}/>`;
    }
    default: {
      const pts = (POLY[n.shape] || POLY.hexagon).map(([px, py]) => `${n2(n.x + px * hw)},${n2(n.y + py * hh)}`).join(' ');
      return `<polygon points="${pts}" ${attrs}/>`;
    }
  }
}

function textSVG(x, y, label, size, color) {
  const lines = String(label).split('\n');
  const tspans = lines
    .map((line, i) => `<tspan x="${n2(x)}" dy="${i === 0 ? 0 : n2(size * 1.2)}">${esc(line)}</tspan>`)
    .join('');
  return `<text x="${n2(x)}" y="${n2(y)}" font-size="${n2(size)}" fill="${esc(color)}" text-anchor="middle" dominant-baseline="hanging" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${tspans}</text>`;
}

/**
 * @param {SNode[]} nodes
 * @param {SEdge[]} edges
 * @param {{title?: string, caption?: string}} [meta]
 */
export function graphToSVG(nodes, edges, meta = {}) {
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
    grow(n.x - Math.max(n.w / 2, 75), n.y - n.h / 2);
    grow(n.x + Math.max(n.w / 2, 75), n.y + n.h / 2 + n.fontSize * 3.8);
  }
  for (const e of edges) {
    grow(e.sx, e.sy);
    grow(e.tx, e.ty);
    for (const p of e.bends || []) grow(p.x, p.y);
  }
  if (!nodes.length) {
    x1 = y1 = 0;
    x2 = y2 = 100;
  }
  const pad = 20;
  const captionH = meta.caption ? 28 : 0;
  x1 -= pad;
  y1 -= pad + captionH;
  x2 += pad;
  y2 += pad;
  const w = x2 - x1;
  const h = y2 - y1;

  const colors = [...new Set(edges.map((e) => e.color))];
  const markerId = (c) => 'arrow-' + colors.indexOf(c);
  const defs = colors
    .map(
      (c) =>
        `<marker id="${markerId(c)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${esc(c)}"/></marker>`,
    )
    .join('');

  const out = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n2(x1)} ${n2(y1)} ${n2(w)} ${n2(h)}" width="${Math.ceil(w)}" height="${Math.ceil(h)}" font-family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif">`,
  );
  if (meta.title) out.push(`<title>${esc(meta.title)}</title>`);
  out.push(`<defs>${defs}</defs>`);
  out.push(`<rect x="${n2(x1)}" y="${n2(y1)}" width="${n2(w)}" height="${n2(h)}" fill="#ffffff"/>`);
  if (meta.caption) out.push(`<text x="${n2(x1 + pad)}" y="${n2(y1 + pad + 4)}" font-size="14" fill="#222">${esc(meta.caption)}</text>`);
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
    const dash = e.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<g id="${esc(e.id)}" opacity="${n2(e.opacity)}"><path d="${d}" fill="none" stroke="${esc(e.color)}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#${markerId(e.color)})"/>` +
        (e.label ? textSVG(e.mx, e.my - 5, e.label, 9, '#444') : '') +
        '</g>',
    );
  }
  out.push('</g><g class="nodes">');
  for (const n of nodes) {
    out.push(
      `<g id="${esc(n.id)}" opacity="${n2(n.opacity)}">${shapeSVG(n)}${textSVG(n.x, n.y + n.h / 2 + 4, n.label, n.fontSize, n.labelColor)}</g>`,
    );
  }
  out.push('</g></svg>');
  return out.join('\n') + '\n';
}
