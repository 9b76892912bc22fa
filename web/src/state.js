// The view's state and its URL form. Pure functions: no DOM.
//
//   ?id=prefecture:aksu&mode=up&asOf=2015&depth=1&sel=rel:...
//   ?mode=path&from=prefecture:aksu&to=party_body:ccp-central-committee
//
// id     the focus entity (neighbourhood and chain modes)
// mode   neighborhood (default) | up | down | path
// from, to  the path finder's endpoints (mode=path)
// depth  neighbourhood depth around the focus (or the path endpoints), 0-3, default 1
// asOf   YYYY, YYYY-MM or YYYY-MM-DD: only relations active then; absent: all dates
// limit  most entities in the neighbourhood, 1-2000, default 200
// sel    the selected entity or relation shown in the side panel (default: the focus)
// layout hierarchy (default) | force

export const MODES = ['neighborhood', 'up', 'down', 'path'];
export const LAYOUTS = ['hierarchy', 'force'];
export const DEFAULTS = Object.freeze({
  id: '',
  mode: 'neighborhood',
  from: '',
  to: '',
  depth: 1,
  asOf: '',
  limit: 200,
  sel: '',
  layout: 'hierarchy',
});

const DATE_RE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

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

/**
 * Parses a query string (with or without the leading "?") into a state.
 * Unknown or malformed values fall back to the defaults.
 * @param {string} search
 */
export function parseState(search) {
  const p = new URLSearchParams(search);
  const s = { ...DEFAULTS };
  s.id = (p.get('id') || '').trim();
  const mode = p.get('mode') || '';
  s.mode = MODES.includes(mode) ? mode : DEFAULTS.mode;
  s.from = (p.get('from') || '').trim();
  s.to = (p.get('to') || '').trim();
  s.depth = intIn(p.get('depth'), 0, 3, DEFAULTS.depth);
  const asOf = (p.get('asOf') || '').trim();
  s.asOf = isPartialDate(asOf) ? asOf : '';
  s.limit = intIn(p.get('limit'), 1, 2000, DEFAULTS.limit);
  s.sel = (p.get('sel') || '').trim();
  const layout = p.get('layout') || '';
  s.layout = LAYOUTS.includes(layout) ? layout : DEFAULTS.layout;
  if (s.mode === 'path') {
    if (!s.from) s.from = s.id;
    if (!s.from || !s.to) s.mode = DEFAULTS.mode;
  }
  if (s.mode !== 'path' && !s.id) s.id = s.from;
  return s;
}

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
  if (s.limit !== undefined && s.limit !== DEFAULTS.limit) p.set('limit', String(s.limit));
  if (s.sel && s.sel !== (s.mode === 'path' ? '' : s.id)) p.set('sel', s.sel);
  if (s.layout && s.layout !== DEFAULTS.layout) p.set('layout', s.layout);
  // Ids stay readable in shared links: ':' and ',' need no escaping in a query.
  const q = p.toString().replace(/%3A/gi, ':').replace(/%2C/gi, ',');
  return q ? '?' + q : '';
}

/** The entity ids the view starts from (the neighbourhood's ids). */
export function startIds(s) {
  if (s.mode === 'path') return [s.from, s.to].filter(Boolean);
  return s.id ? [s.id] : [];
}

/**
 * Query string for the data exports (/export/{format}?...) of what the view
 * shows: the neighbourhood (ids, depth, limit), the responsibility chains
 * (chain, direction) or the shortest paths (from, to); asOf in each case.
 */
export function exportQuery(s) {
  const p = new URLSearchParams();
  if (s.mode === 'up' || s.mode === 'down') {
    p.set('chain', s.id);
    p.set('direction', s.mode === 'up' ? 'UP' : 'DOWN');
  } else if (s.mode === 'path') {
    p.set('from', s.from);
    p.set('to', s.to);
  } else {
    p.set('ids', startIds(s).join(','));
    p.set('depth', String(s.depth));
    if (s.limit !== DEFAULTS.limit) p.set('limit', String(s.limit));
  }
  if (s.asOf) p.set('asOf', s.asOf);
  return p.toString().replace(/%2C/gi, ',').replace(/%3A/gi, ':');
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
