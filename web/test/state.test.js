import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, formatState, isPartialDate, parsePositions, parseState, startIds } from '../src/state.js';
import registry from '../src/registry.json' with { type: 'json' };

const clean = (s) => {
  const { errors, ...rest } = s;
  return rest;
};

test('round trip of a full state', () => {
  const s = {
    ...DEFAULTS,
    id: 'prefecture:aksu',
    mode: 'up',
    depth: 2,
    asOf: '2015-06',
    notKnown: true,
    sel: 'rel:paired-with:zhejiang--aksu',
    layout: 'force',
    limit: 500,
    exp: ['county:aksu-city', 'province:zhejiang'],
    hide: ['sector:textiles'],
    pos: { 'prefecture:aksu': { x: 10, y: -20 }, 'county:wensu': { x: 300, y: 41 } },
    fk: ['sector', 'buyer'],
    ft: ['LOCATED_IN'],
    fc: ['disputed'],
    grade: 'AB',
    strength: 'STRONG',
    dated: true,
  };
  const q = formatState(s);
  assert.equal(
    q,
    '?id=prefecture:aksu&mode=up&depth=2&asOf=2015-06&notKnown=1&limit=500&sel=rel:paired-with:zhejiang--aksu&layout=force' +
      '&exp=county:aksu-city,province:zhejiang&hide=sector:textiles&pos=prefecture:aksu~10~-20,county:wensu~300~41' +
      '&fk=buyer,sector&ft=LOCATED_IN&fc=disputed&grade=AB&strength=STRONG&dated=1',
  );
  const back = parseState(q);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(clean(back), { ...s, fk: ['buyer', 'sector'] });
});

test('defaults are left out of the URL', () => {
  assert.equal(formatState({ ...DEFAULTS, id: 'province:zhejiang' }), '?id=province:zhejiang');
  assert.equal(formatState({ ...DEFAULTS, id: 'province:zhejiang', sel: 'province:zhejiang' }), '?id=province:zhejiang');
  assert.equal(formatState({ ...DEFAULTS, id: 'province:zhejiang', notKnown: true }), '?id=province:zhejiang', 'notKnown only with a date');
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
  const s = parseState('?id=x:y&mode=sideways&depth=9&limit=-4&layout=circle&strength=HUGE&grade=C&fc=sure,reported');
  assert.equal(s.mode, 'neighborhood');
  assert.equal(s.depth, 3);
  assert.equal(s.limit, 1);
  assert.equal(s.layout, 'hierarchy');
  assert.equal(s.strength, '');
  assert.equal(s.grade, '');
  assert.deepEqual(s.fc, ['reported']);
  assert.deepEqual(s.errors, []);
  assert.equal(parseState('?id=x:y&depth=two').depth, 1);
});

test('a mistyped date in a link is an error, not "all dates"', () => {
  const s = parseState('?id=x:y&asOf=2015-13');
  assert.equal(s.asOf, '');
  assert.equal(s.errors.length, 1);
  assert.match(s.errors[0], /2015-13/);
  assert.deepEqual(parseState('?id=x:y&asOf=').errors, []);
});

test('positions: bad entries are dropped', () => {
  assert.deepEqual(parsePositions('a:b~1~2,c:d~x~3,e:f~4,~1~2,g:h~-5.5~6'), { 'a:b': { x: 1, y: 2 }, 'g:h': { x: -5.5, y: 6 } });
});

test('partial dates', () => {
  for (const d of ['2010', '2010-03', '2010-03-29']) assert.ok(isPartialDate(d), d);
  for (const d of ['10', '2010-3', '2010-00', '2010-03-32', '2010/03', '']) assert.ok(!isPartialDate(d), d);
});

test('the date form and the caps are the API\'s (registry.json, from internal/domain)', () => {
  assert.equal(parseState('?id=x:y&depth=99').depth, registry.limits.neighborhoodDepth);
  assert.equal(parseState('?id=x:y&limit=999999').limit, registry.limits.neighborhoodLimit);
  for (const d of ['1000', '2015-06', '2016-02-29']) assert.ok(isPartialDate(d), d);
  for (const d of ['0999', '2015-13', '2015-6', '2015-06-32', '15']) assert.ok(!isPartialDate(d), d);
});
