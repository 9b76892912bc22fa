// A search-as-you-type box following the WAI-ARIA combobox pattern: the
// input owns a listbox of results; ArrowUp/ArrowDown move the active option
// (aria-activedescendant), Enter picks it, Escape closes the list. Requests
// are debounced and stale answers are dropped.

import { gql, SEARCH } from './api.js';
import { kindInfo } from './kinds.js';

let seq = 0;

/**
 * @param {HTMLInputElement} input
 * @param {(entity: {id: string, kind: string, name: string, nameZh?: string}) => void} onPick
 * @param {{delay?: number, first?: number}} [opts]
 */
export function attachSearch(input, onPick, opts = {}) {
  const delay = opts.delay ?? 200;
  const first = opts.first ?? 10;
  const uid = `sr${++seq}`;
  const list = document.createElement('ul');
  list.id = `${uid}-list`;
  list.className = 'search-results';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', (input.getAttribute('aria-label') || 'Search') + ' results');
  list.hidden = true;
  input.insertAdjacentElement('afterend', list);
  const wrap = input.parentElement;
  if (wrap) wrap.classList.add('search-wrap');

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('spellcheck', 'false');

  let timer = 0;
  let controller = null;
  let hits = [];
  let active = -1;
  let lastText = '';

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const setActive = (i) => {
    const opts = list.querySelectorAll('[role=option]');
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute('aria-activedescendant', opts[i].id);
      opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const pick = (i) => {
    const hit = hits[i];
    if (!hit) return;
    close();
    input.value = hit.entity.name;
    onPick(hit.entity);
  };

  const render = (text) => {
    list.textContent = '';
    if (!hits.length) {
      const li = document.createElement('li');
      li.className = 'search-empty';
      li.textContent = `No entity matches “${text}”.`;
      list.append(li);
    }
    hits.forEach((hit, i) => {
      const e = hit.entity;
      const li = document.createElement('li');
      li.id = `${uid}-opt${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.id = e.id;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = kindInfo(e.kind).color;
      sw.setAttribute('aria-hidden', 'true');
      const name = document.createElement('span');
      name.className = 'hit-name';
      name.textContent = e.name;
      li.append(sw, name);
      if (e.nameZh) {
        const zh = document.createElement('span');
        zh.className = 'hit-zh';
        zh.lang = 'zh';
        zh.textContent = e.nameZh;
        li.append(' ', zh);
      }
      const kind = document.createElement('span');
      kind.className = 'hit-kind';
      kind.textContent = kindInfo(e.kind).label;
      li.append(kind);
      // mousedown, not click: keep the input's focus (no blur-close race).
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        pick(i);
      });
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(hits.length ? 0 : -1);
  };

  const run = async (text) => {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    try {
      const data = await gql(SEARCH, { text, first }, { signal: mine.signal });
      if (mine !== controller || input.value.trim() !== text) return;
      hits = data.search;
      render(text);
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      hits = [];
      list.textContent = '';
      const li = document.createElement('li');
      li.className = 'search-empty';
      li.textContent = `Search failed: ${err.message}`;
      list.append(li);
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
  };

  input.addEventListener('input', () => {
    const text = input.value.trim();
    clearTimeout(timer);
    if (text === lastText && !list.hidden) return;
    lastText = text;
    if (!text) {
      hits = [];
      close();
      return;
    }
    timer = window.setTimeout(() => run(text.slice(0, 200)), delay);
  });

  input.addEventListener('keydown', (ev) => {
    const n = hits.length;
    switch (ev.key) {
      case 'ArrowDown':
        if (list.hidden && input.value.trim()) {
          run(input.value.trim());
        } else if (n) {
          setActive((active + 1) % n);
        }
        ev.preventDefault();
        break;
      case 'ArrowUp':
        if (n) setActive((active - 1 + n) % n);
        ev.preventDefault();
        break;
      case 'Enter':
        if (!list.hidden && active >= 0) {
          ev.preventDefault();
          pick(active);
        }
        break;
      case 'Escape':
        if (!list.hidden) {
          ev.preventDefault();
          close();
        }
        break;
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 100));

  return {
    clear() {
      input.value = '';
      lastText = '';
      hits = [];
      close();
    },
  };
}
