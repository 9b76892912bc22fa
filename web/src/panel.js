// The details panel: an entity or a relation with its evidence. Every value
// from the API goes through textContent or a checked href, never innerHTML.

import { GRADE_TEXT, RESPONSIBILITY_TEXT, kindInfo, relLabel } from './kinds.js';
import { dateRange } from './model.js';

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

export function kindChip(kind) {
  const k = kindInfo(kind);
  return h('span', { class: 'chip' }, h('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${k.color}` }), k.label);
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
    e.description ? h('p', { class: 'description' }, e.description) : null,
    dl([
      ['Also known as', (e.aliases || []).join(', ')],
      ['Dates', dateRange(e.validFrom, e.validTo)],
      ['Figures', quantities(e.quantities)],
    ]),
    h('h3', {}, 'Sources'),
    citationList(e.citations),
  );
}

/**
 * @param {object} r the relation (RELATION query)
 * @param {{meanings: Record<string, string>, onSelect: (id: string) => void}} ctx
 */
export function relationView(r, ctx) {
  const end = (n) =>
    h('button', { type: 'button', class: 'linklike', onclick: () => ctx.onSelect(n.id) }, n.name, n.nameZh ? h('span', { lang: 'zh' }, ` ${n.nameZh}`) : null);
  return h(
    'article',
    { class: 'detail relation', 'aria-labelledby': 'detail-title' },
    h('span', { class: 'chip' }, 'Relation'),
    h('h2', { id: 'detail-title' }, h('span', { class: 'rel-type' }, r.type)),
    h('p', { class: 'rel-ends' }, end(r.from), h('span', { class: 'arrow', 'aria-label': relLabel(r.type) }, ` —${relLabel(r.type)}→ `), end(r.to)),
    ctx.meanings[r.type] ? h('p', { class: 'description' }, ctx.meanings[r.type]) : null,
    r.synthetic ? h('p', { class: 'warn' }, 'Synthetic test data: not a real relation.') : null,
    dl([
      ['Valid from', r.validFrom || 'not known'],
      ['Valid to', r.validTo || (r.validFrom ? 'not known (believed current)' : 'not known')],
      ['Confidence', h('span', { class: `conf conf-${r.confidence}` }, r.confidence)],
      ['Responsibility', RESPONSIBILITY_TEXT[r.responsibility] || r.responsibility],
      ['Role', r.role],
      ['Figures', quantities(r.quantities)],
      ['Details', (r.attributes || []).length ? h('ul', { class: 'attrs' }, r.attributes.map((a) => h('li', {}, `${a.key}: ${a.value}`))) : null],
      ['Note', r.note],
    ]),
    h('p', { class: 'entity-id' }, h('code', {}, r.id)),
    h('h3', {}, 'Evidence'),
    citationList(r.citations),
  );
}
