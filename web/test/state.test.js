import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, exportQuery, formatState, isPartialDate, parseState, startIds } from '../src/state.js';

test('round trip of a full state', () => {
  const s = { ...DEFAULTS, id: 'prefecture:aksu', mode: 'up', depth: 2, asOf: '2015-06', sel: 'rel:paired-with:zhejiang--aksu', layout: 'force', limit: 500 };
  const q = formatState(s);
  assert.equal(q, '?id=prefecture:aksu&mode=up&depth=2&asOf=2015-06&limit=500&sel=rel:paired-with:zhejiang--aksu&layout=force');
  assert.deepEqual(parseState(q), s);
});

test('defaults are left out of the URL', () => {
  assert.equal(formatState({ ...DEFAULTS, id: 'province:zhejiang' }), '?id=province:zhejiang');
  assert.equal(formatState({ ...DEFAULTS, id: 'province:zhejiang', sel: 'province:zhejiang' }), '?id=province:zhejiang');
  assert.equal(formatState(DEFAULTS), '');
});

test('path mode keeps its endpoints', () => {
  const s = parseState('?mode=path&from=prefecture:aksu&to=party_body:ccp-central-committee&depth=0');
  assert.equal(s.mode, 'path');
  assert.deepEqual(startIds(s), ['prefecture:aksu', 'party_body:ccp-central-committee']);
  assert.equal(formatState(s), '?mode=path&from=prefecture:aksu&to=party_body:ccp-central-committee&depth=0');
  // Without an end it falls back to the neighbourhood of the start.
  const half = parseState('?mode=path&from=prefecture:aksu');
  assert.equal(half.mode, 'neighborhood');
  assert.equal(half.id, 'prefecture:aksu');
});

test('bad values fall back to defaults', () => {
  const s = parseState('?id=x:y&mode=sideways&depth=9&asOf=2015-13&limit=-4&layout=circle');
  assert.equal(s.mode, 'neighborhood');
  assert.equal(s.depth, 3);
  assert.equal(s.asOf, '');
  assert.equal(s.limit, 1);
  assert.equal(s.layout, 'hierarchy');
  assert.equal(parseState('?id=x:y&depth=two').depth, 1);
});

test('partial dates', () => {
  for (const d of ['2010', '2010-03', '2010-03-29']) assert.ok(isPartialDate(d), d);
  for (const d of ['10', '2010-3', '2010-00', '2010-03-32', '2010/03', '']) assert.ok(!isPartialDate(d), d);
});

test('export query: the neighbourhood, the chains or the paths', () => {
  const s = { ...DEFAULTS, id: 'prefecture:aksu', depth: 2, asOf: '2015' };
  assert.equal(exportQuery(s), 'ids=prefecture:aksu&depth=2&asOf=2015');
  assert.equal(exportQuery({ ...s, limit: 500 }), 'ids=prefecture:aksu&depth=2&limit=500&asOf=2015');
  assert.equal(exportQuery({ ...s, mode: 'up' }), 'chain=prefecture:aksu&direction=UP&asOf=2015');
  assert.equal(exportQuery({ ...s, mode: 'down', asOf: '' }), 'chain=prefecture:aksu&direction=DOWN');
  assert.equal(exportQuery({ ...s, mode: 'path', from: 'a:1', to: 'b:2' }), 'from=a:1&to=b:2&asOf=2015');
});
