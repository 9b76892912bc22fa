// Label decluttering: which labels to draw so that none overlaps another
// label or another node, the most important first. Pure (no DOM); the page
// gives it rendered boxes, the SVG export model boxes.

/**
 * @typedef {{id: string, priority: number, x1: number, y1: number, x2: number, y2: number}} Box
 * @typedef {{id?: string, x1: number, y1: number, x2: number, y2: number}} Obstacle
 */

const overlaps = (a, b, gap) => a.x1 < b.x2 + gap && b.x1 < a.x2 + gap && a.y1 < b.y2 + gap && b.y1 < a.y2 + gap;

/**
 * Greedy placement: boxes in order of priority (ties: input order); a box is
 * kept when it overlaps no kept box and no obstacle other than its own node.
 * A spatial grid keeps it near linear for the view sizes we draw.
 * @param {Box[]} boxes
 * @param {Obstacle[]} [obstacles] e.g. node bodies; an obstacle with a box's id does not block it
 * @param {{gap?: number, keep?: Set<string>}} [opts] keep: ids shown whatever they overlap (hovered, selected)
 * @returns {Set<string>} the ids of the boxes to show
 */
export function declutter(boxes, obstacles = [], opts = {}) {
  const gap = opts.gap ?? 2;
  const keep = opts.keep || new Set();
  const order = boxes.map((b, i) => ({ b, i })).sort((p, q) => (keep.has(q.b.id) ? 1 : 0) - (keep.has(p.b.id) ? 1 : 0) || q.b.priority - p.b.priority || p.i - q.i);
  const cell = 64;
  const grid = new Map();
  const cells = (r, f) => {
    const cx1 = Math.floor(r.x1 / cell);
    const cx2 = Math.floor(r.x2 / cell);
    const cy1 = Math.floor(r.y1 / cell);
    const cy2 = Math.floor(r.y2 / cell);
    if ((cx2 - cx1 + 1) * (cy2 - cy1 + 1) > 4096) {
      f('big');
      return;
    }
    for (let x = cx1; x <= cx2; x++) for (let y = cy1; y <= cy2; y++) f(x + ',' + y);
  };
  const insert = (r) => cells(r, (k) => (grid.has(k) ? grid.get(k).push(r) : grid.set(k, [r])));
  const hits = (r, own) => {
    let hit = false;
    const check = (k) => {
      if (hit) return;
      for (const o of grid.get(k) || []) {
        if (o.owner !== undefined && o.owner === own) continue;
        if (overlaps(r, o, gap)) {
          hit = true;
          return;
        }
      }
    };
    cells(r, check);
    if (!hit) check('big');
    return hit;
  };
  for (const o of obstacles) insert({ ...o, owner: o.id });
  const shown = new Set();
  for (const { b } of order) {
    if (!(b.x2 > b.x1) || !(b.y2 > b.y1)) continue;
    if (keep.has(b.id) || !hits(b, b.id)) {
      shown.add(b.id);
      insert({ x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, owner: undefined });
    }
  }
  return shown;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** An estimate of a line's width in a sans-serif font: CJK full width, Latin about half. */
export function textWidth(line, size) {
  let w = 0;
  for (const ch of String(line)) {
    if (WIDE.test(ch)) w += 1;
    else if (/[A-Z]/.test(ch)) w += 0.66;
    else if (/[mwMW]/.test(ch)) w += 0.8;
    else if (/[iltfj.,:;'|!() ]/.test(ch)) w += 0.3;
    else w += 0.55;
  }
  return w * size;
}

/**
 * Breaks a name into lines of at most `max` characters at spaces (CJK text
 * counts double), so labels stay narrow and their boxes known.
 */
export function wrapName(name, max = 24) {
  const words = String(name).split(/\s+/).filter(Boolean);
  const lines = [];
  let line = '';
  const len = (s) => [...s].reduce((n, ch) => n + (WIDE.test(ch) ? 2 : 1), 0);
  for (const w of words) {
    if (line && len(line) + 1 + len(w) > max) {
      lines.push(line);
      line = w;
    } else line = line ? line + ' ' + w : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
