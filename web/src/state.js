// The view's state and its URL form. Pure functions: no DOM.
//
//   ?id=prefecture:aksu&mode=up&asOf=2015&depth=1&sel=rel:...
//   ?mode=path&from=prefecture:aksu&to=party_body:ccp-central-committee
//
// id       the focus entity (neighbourhood and chain modes)
// mode     neighborhood (default) | up | down | path
// from, to the path finder's endpoints (mode=path)
// depth    neighbourhood depth around the focus (or the path endpoints), 0 to the API's cap, default 1
// asOf     YYYY, YYYY-MM or YYYY-MM-DD: only relations known in force then; absent: all dates
// notKnown 1: with asOf, also relations not known to be in force then (marked)
// limit    most entities in the neighbourhood, 1 to the API's cap, default 200
//
// The date form and the caps come from the domain (registry.json, generated
// by `go generate ./web/...`), so a link the explorer accepts is one the API
// accepts.
// sel      the selected entity or relation shown in the side panel (default: the focus)
// layout   hierarchy (default) | force
// exp      entities expanded in place (their neighbours added), in order
// hide     entities hidden from the view
// pos      pinned entities and where: id~x~y, comma-separated (dragging pins)
// fk, ft, fc  kinds, relation types and confidences filtered out
// grade    AB: only relations with an A or B source
// strength MODERATE or STRONG: only relations at least that strong
// dated    1: only relations some source dates

import registry from './registry.json' with { type: 'json' };

export const MODES = ['neighborhood', 'up', 'down', 'path'];
export const LAYOUTS = ['hierarchy', 'force'];
export const STRENGTHS = ['WEAK', 'MODERATE', 'STRONG'];
export const CONFIDENCES = ['confirmed', 'reported', 'disputed'];
export const DEFAULTS = Object.freeze({
  id: '',
  mode: 'neighborhood',
  from: '',
  to: '',
  depth: 1,
  asOf: '',
  notKnown: false,
  limit: 200,
  sel: '',
  layout: 'hierarchy',
  exp: /** @type {string[]} */ ([]),
  hide: /** @type {string[]} */ ([]),
  pos: /** @type {Record<string, {x: number, y: number}>} */ ({}),
  fk: /** @type {string[]} */ ([]),
  ft: /** @type {string[]} */ ([]),
  fc: /** @type {string[]} */ ([]),
  grade: '',
  strength: '',
  dated: false,
});

const DATE_RE = new RegExp(registry.partialDate);

/** Whether s is a partial date the API accepts: YYYY, YYYY-MM or YYYY-MM-DD. */
export function isPartialDate(s) {
  return DATE_RE.test(String(s));
}

function intIn(s, lo, hi, dflt) {
  if (s === null || s === undefined || s === '') return dflt;
  const n = Number(s);
  if (!Number.isInteger(n)) return dflt;
  return Math.min(hi, Math.max(lo, n));
}

const list = (v) => (v || '').split(',').map((x) => x.trim()).filter(Boolean);
const uniq = (a) => [...new Set(a)];

/** Parses "id~x~y,id~x~y" (bad entries are dropped). */
export function parsePositions(v) {
  /** @type {Record<string, {x: number, y: number}>} */
  const pos = {};
  for (const part of list(v)) {
    const [id, xs, ys] = part.split('~');
    const x = Number(xs);
    const y = Number(ys);
    if (id && xs !== '' && ys !== '' && Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) < 1e6 && Math.abs(y) < 1e6) pos[id] = { x, y };
  }
  return pos;
}

/**
 * Parses a query string (with or without the leading "?") into a state.
 * Unknown or malformed values fall back to the defaults, except asOf: a date
 * that is not one is reported in `errors` (a link must not silently show all
 * dates instead).
 * @param {string} search
 */
export function parseState(search) {
  const p = new URLSearchParams(search);
  const s = { ...DEFAULTS, errors: /** @type {string[]} */ ([]) };
  s.id = (p.get('id') || '').trim();
  const mode = p.get('mode') || '';
  s.mode = MODES.includes(mode) ? mode : DEFAULTS.mode;
  s.from = (p.get('from') || '').trim();
  s.to = (p.get('to') || '').trim();
  s.depth = intIn(p.get('depth'), 0, registry.limits.neighborhoodDepth, DEFAULTS.depth);
  const asOf = (p.get('asOf') || '').trim();
  if (isPartialDate(asOf)) s.asOf = asOf;
  else if (p.has('asOf') && asOf !== '') s.errors.push(`The link's date “${asOf}” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.`);
  s.notKnown = p.get('notKnown') === '1';
  s.limit = intIn(p.get('limit'), 1, registry.limits.neighborhoodLimit, DEFAULTS.limit);
  s.sel = (p.get('sel') || '').trim();
  const layout = p.get('layout') || '';
  s.layout = LAYOUTS.includes(layout) ? layout : DEFAULTS.layout;
  s.exp = uniq(list(p.get('exp')));
  s.hide = uniq(list(p.get('hide')));
  s.pos = parsePositions(p.get('pos'));
  s.fk = uniq(list(p.get('fk')));
  s.ft = uniq(list(p.get('ft')));
  s.fc = uniq(list(p.get('fc'))).filter((c) => CONFIDENCES.includes(c));
  s.grade = p.get('grade') === 'AB' ? 'AB' : '';
  const strength = p.get('strength') || '';
  s.strength = strength === 'MODERATE' || strength === 'STRONG' ? strength : '';
  s.dated = p.get('dated') === '1';
  if (s.mode === 'path') {
    if (!s.from) s.from = s.id;
    if (!s.from || !s.to) s.mode = DEFAULTS.mode;
  }
  if (s.mode !== 'path' && !s.id) s.id = s.from;
  return s;
}

const round = (v) => String(Math.round(v));

/**
 * Serialises a state into a query string (with "?", or "" for the empty
 * state), omitting defaults, in a fixed key order so equal states give
 * equal URLs.
 */
export function formatState(s) {
  const p = new URLSearchParams();
  if (s.mode === 'path') {
    p.set('mode', 'path');
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
  } else {
    if (s.id) p.set('id', s.id);
    if (s.mode && s.mode !== DEFAULTS.mode) p.set('mode', s.mode);
  }
  if (s.depth !== undefined && s.depth !== DEFAULTS.depth) p.set('depth', String(s.depth));
  if (s.asOf) p.set('asOf', s.asOf);
  if (s.asOf && s.notKnown) p.set('notKnown', '1');
  if (s.limit !== undefined && s.limit !== DEFAULTS.limit) p.set('limit', String(s.limit));
  if (s.sel && s.sel !== (s.mode === 'path' ? '' : s.id)) p.set('sel', s.sel);
  if (s.layout && s.layout !== DEFAULTS.layout) p.set('layout', s.layout);
  if (s.exp && s.exp.length) p.set('exp', s.exp.join(','));
  if (s.hide && s.hide.length) p.set('hide', s.hide.join(','));
  const pos = Object.entries(s.pos || {});
  if (pos.length) p.set('pos', pos.map(([id, q]) => `${id}~${round(q.x)}~${round(q.y)}`).join(','));
  if (s.fk && s.fk.length) p.set('fk', [...s.fk].sort().join(','));
  if (s.ft && s.ft.length) p.set('ft', [...s.ft].sort().join(','));
  if (s.fc && s.fc.length) p.set('fc', [...s.fc].sort().join(','));
  if (s.grade) p.set('grade', s.grade);
  if (s.strength) p.set('strength', s.strength);
  if (s.dated) p.set('dated', '1');
  // Ids stay readable in shared links: ':', ',' and '~' need no escaping in a query.
  const q = p.toString().replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%7E/gi, '~');
  return q ? '?' + q : '';
}

/** The entity ids the view starts from (the neighbourhood's ids). */
export function startIds(s) {
  if (s.mode === 'path') return [s.from, s.to].filter(Boolean);
  return s.id ? [s.id] : [];
}

/** Whether any filter is on. */
export function filtering(s) {
  return !!(s.fk.length || s.ft.length || s.fc.length || s.grade || s.strength || s.dated);
}

/** A short human description of the view, e.g. for the status line. */
export function describeMode(s) {
  switch (s.mode) {
    case 'up':
      return 'Responsibility chains up';
    case 'down':
      return 'Responsibility chains down';
    case 'path':
      return 'Paths';
    default:
      return 'Neighbourhood';
  }
}
