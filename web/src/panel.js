// The details panel: an entity or a relation with its evidence. Every value
// from the API goes through textContent or a checked href, never innerHTML.

import { GRADE_TEXT, MEANINGS, RESPONSIBILITY_TEXT, STRENGTH_TEXT, kindInfo, relLabel } from './kinds.js';
import { dateRange } from './model.js';
import { shapeMarkup } from './svg.js';

/**
 * Creates an element: h('a', {href: '/x', class: 'y'}, 'text', child).
 * Attributes starting with "on" are listeners; null/false attributes are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // CSSOM: allowed by the CSP
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Only http(s) links from the data become hrefs. */
export function safeURL(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A small SVG of a kind's shape and colour, as drawn in the graph. */
export function shapeIcon(kind, size = 14) {
  const k = kindInfo(kind);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'shape-icon');
  // Our own markup (shapes and palette colours), never API text.
  svg.innerHTML = shapeMarkup(k.shape, size / 2, size / 2, size - 2, size - 2, `fill="${k.color}" stroke="#1b1b1b" stroke-width="1"`);
  return svg;
}

export function kindChip(kind) {
  const k = kindInfo(kind);
  return h('span', { class: 'chip' }, shapeIcon(kind), k.label);
}

function dl(rows) {
  const items = rows.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
  if (!items.length) return null;
  return h('dl', { class: 'facts' }, items.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function quantities(qs) {
  if (!qs || !qs.length) return null;
  return qs.map((q) => `${q.name}: ${Number(q.value).toLocaleString('en')}${q.unit ? ' ' + q.unit : ''}`).join('; ');
}

/** The citations of an entity or relation, each with its source. */
export function citationList(citations) {
  if (!citations || !citations.length) return h('p', { class: 'muted' }, 'No citation.');
  return h(
    'ol',
    { class: 'citations', 'aria-label': 'Citations' },
    citations.map((c) => {
      const s = c.source || {};
      const href = safeURL(s.url);
      const title = href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'source-link' }, s.title || s.id) : h('span', { class: 'source-title' }, s.title || s.id);
      const grade = h('span', { class: `grade grade-${s.grade}`, title: GRADE_TEXT[s.grade] || '' }, `Grade ${s.grade}`);
      const meta = [s.publisher, s.published, s.type].filter(Boolean).join(' · ');
      return h(
        'li',
        { class: 'citation' },
        h('div', { class: 'source' }, grade, ' ', title),
        meta ? h('div', { class: 'source-meta' }, meta) : null,
        c.quote ? h('blockquote', { class: 'quote' }, c.quote) : null,
        c.locator ? h('div', { class: 'locator' }, 'Where: ', c.locator) : null,
        c.attests ? h('div', { class: 'attests' }, 'Attests it in force on ', c.attests) : null,
        s.note ? h('div', { class: 'source-note' }, 'Source note: ', s.note) : null,
      );
    }),
  );
}

/**
 * @param {object} e the entity (ENTITY query)
 * @param {{focus: string, mode: string, onAction: (mode: string, id: string) => void, onPathFrom: (e: object) => void, embed: boolean}} ctx
 */
export function entityView(e, ctx) {
  const isFocus = e.id === ctx.focus;
  const action = (mode, label, hint) =>
    h(
      'button',
      {
        type: 'button',
        class: 'action',
        'data-action': mode,
        'aria-pressed': String(isFocus && ctx.mode === mode),
        title: hint,
        onclick: () => ctx.onAction(mode, e.id),
      },
      label,
    );
  return h(
    'article',
    { class: 'detail entity', 'aria-labelledby': 'detail-title' },
    kindChip(e.kind),
    h('h2', { id: 'detail-title' }, e.name),
    e.nameZh ? h('p', { class: 'name-zh', lang: 'zh' }, e.nameZh) : null,
    h('p', { class: 'entity-id' }, h('code', {}, e.id)),
    e.synthetic ? h('p', { class: 'warn' }, 'Synthetic test data: not a real entity.') : null,
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Views from this entity' },
      action('neighborhood', 'Neighbourhood', 'Show the entities around it'),
      action('up', 'Trace up ↑', 'Who answers for it: chains of responsibility up to the top authorities'),
      action('down', 'Trace down ↓', 'What it answers for: chains of responsibility down to the leaves'),
      ctx.embed ? null : h('button', { type: 'button', class: 'action', 'data-action': 'path', onclick: () => ctx.onPathFrom(e) }, 'Paths from here…'),
    ),
    ctx.embed || !ctx.drawn
      ? null
      : h(
          'div',
          { class: 'actions', role: 'group', 'aria-label': 'Work the view' },
          h('button', { type: 'button', class: 'action', 'data-action': 'expand', title: 'Add its neighbours to this view, in place', onclick: () => ctx.onExpand(e.id) }, ctx.expanded ? 'Expanded ✓' : 'Expand here'),
          h('button', { type: 'button', class: 'action', 'data-action': 'pin', 'aria-pressed': String(!!ctx.pinned), title: 'Keep it where it is (dragging pins too)', onclick: () => ctx.onPin(e.id) }, ctx.pinned ? 'Unpin' : 'Pin'),
          ctx.isRoot ? null : h('button', { type: 'button', class: 'action', 'data-action': 'hide', title: 'Remove it from this view', onclick: () => ctx.onHide(e.id) }, 'Hide'),
        ),
    e.description ? h('p', { class: 'description' }, e.description) : null,
    dl([
      ['Also known as', (e.aliases || []).join(', ')],
      ['Dates', dateRange(e.validFrom, e.validTo)],
      ['Figures', quantities(e.quantities)],
    ]),
    counterClaims(e.counterClaims),
    ctx.embed
      ? h('details', { class: 'sources-compact' }, h('summary', {}, `Sources (${(e.citations || []).length})`), citationList(e.citations))
      : [h('h3', {}, 'Sources'), citationList(e.citations)],
  );
}

function counterClaims(cs) {
  if (!cs || !cs.length) return null;
  return h(
    'section',
    { class: 'counter-claims' },
    h('h3', {}, 'Contested'),
    h('ul', {}, cs.map((c) => h('li', {}, h('strong', {}, c.kind), c.date ? ` (${c.date})` : '', c.by ? ` by ${c.by.name}` : '', ': ', c.statement))),
  );
}

const IN_FORCE_TEXT = {
  KNOWN: 'known to be in force on the as-of date',
  NOT_KNOWN: 'not known to be in force on the as-of date (no source puts the date inside its period)',
  OUT_OF_FORCE: 'out of force on the as-of date (its stated period excludes it)',
};

/**
 * @param {object} r the relation (RELATION query)
 * @param {{onSelect: (id: string) => void, inForce?: string|null, asOf?: string}} ctx
 */
export function relationView(r, ctx) {
  const end = (n) =>
    h('button', { type: 'button', class: 'linklike', onclick: () => ctx.onSelect(n.id) }, n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null);
  const strength = r.strength || null;
  const dated = r.dated ?? !!r.validFrom;
  return h(
    'article',
    { class: 'detail relation', 'aria-labelledby': 'detail-title' },
    h('span', { class: 'chip' }, 'Relation'),
    h('h2', { id: 'detail-title', class: 'rel-headline' }, h('span', { class: 'rel-type' }, relLabel(r.type))),
    h('p', { class: 'rel-ends' }, end(r.from), h('span', { class: 'arrow' }, ` —${relLabel(r.type)}→ `), end(r.to)),
    h(
      'p',
      { class: 'evidence-line' },
      strength ? h('span', { class: `strength strength-${strength}`, title: STRENGTH_TEXT[strength] }, `${strength.toLowerCase()} evidence`) : null,
      r.bestGrade ? h('span', { class: `grade grade-${r.bestGrade}`, title: GRADE_TEXT[r.bestGrade] }, `best source: grade ${r.bestGrade}`) : null,
      h('span', { class: dated ? 'dated' : 'undated' }, dated ? `dated ${dateRange(r.knownFrom || r.validFrom, r.knownTo || r.validTo)}` : 'undated ○'),
      ctx.inForce === 'NOT_KNOWN' || ctx.inForce === 'OUT_OF_FORCE' ? h('span', { class: 'notknown' }, `${ctx.inForce === 'OUT_OF_FORCE' ? 'out of force' : 'not known in force'} ${ctx.asOf ? 'in ' + ctx.asOf : ''} ◇`) : null,
      r.contested ? h('span', { class: 'contested' }, 'contested') : null,
      r.inferred ? h('span', { class: 'inferred' }, 'inferred') : null,
    ),
    MEANINGS[r.type] ? h('p', { class: 'description' }, MEANINGS[r.type]) : null,
    r.synthetic ? h('p', { class: 'warn' }, 'Synthetic test data: not a real relation.') : null,
    h('h3', { id: 'evidence-title' }, 'Evidence'),
    citationList(r.citations),
    counterClaims(r.counterClaims),
    dl([
      ['Valid from', r.validFrom || 'not known'],
      ['Valid to', r.validTo || (r.validFrom ? 'not known (believed current)' : 'not known')],
      ['Known from', r.knownFrom && r.knownFrom !== r.validFrom ? r.knownFrom : null],
      ['Known to', r.knownTo && r.knownTo !== r.validTo ? r.knownTo : null],
      ['In force', ctx.inForce ? IN_FORCE_TEXT[ctx.inForce] : null],
      ['Strength', strength ? STRENGTH_TEXT[strength] : null],
      ['Confidence', h('span', { class: `conf conf-${r.confidence}` }, r.confidence)],
      ['Responsibility', RESPONSIBILITY_TEXT[r.responsibility] || r.responsibility],
      ['Role', r.role],
      ['Figures', quantities(r.quantities)],
      ['Details', (r.attributes || []).length ? h('ul', { class: 'attrs' }, r.attributes.map((a) => h('li', {}, `${a.key}: ${a.value}`))) : null],
      ['Note', r.note],
    ]),
    h('p', { class: 'entity-id' }, h('code', {}, r.id)),
  );
}
