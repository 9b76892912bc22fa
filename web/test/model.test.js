import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildView, dateRange, expandView, nodeLabel, visibleIds } from '../src/model.js';
import { parseState } from '../src/state.js';

const n = (id, kind, name, nameZh = null) => ({ id, kind, name, nameZh });
const aksu = n('prefecture:aksu', 'prefecture', 'Aksu Prefecture', '阿克苏地区');
const zj = n('province:zhejiang', 'province', 'Zhejiang', '浙江');
const ndrc = n('department:ndrc', 'department', 'NDRC department');
const xj = n('region:xinjiang', 'region', 'XUAR');
const e = (id, type, fromId, toId, extra = {}) => ({ id, type, fromId, toId, responsibility: 'FROM_IS_RESPONSIBLE', confidence: 'confirmed', ...extra });
const paired = e('rel:paired', 'PAIRED_WITH', zj.id, aksu.id, { validFrom: '2010' });
const coord = e('rel:coord', 'COORDINATES', ndrc.id, zj.id);
const partOf = e('rel:partof', 'PART_OF', aksu.id, xj.id, { responsibility: 'TO_IS_RESPONSIBLE' });

test('chains: merged with the neighbourhood, highlighted, read from the root', () => {
  const data = {
    neighborhood: { nodes: [aksu, xj], edges: [partOf], truncated: false },
    responsibilityChain: {
      direction: 'UP',
      truncated: true,
      chains: [
        { complete: true, hops: [{ relation: paired, upper: zj, lower: aksu }, { relation: coord, upper: ndrc, lower: zj }] },
        { complete: true, hops: [{ relation: partOf, upper: xj, lower: aksu }] },
      ],
    },
  };
  const v = buildView(data, { mode: 'up', id: aksu.id });
  assert.deepEqual(v.nodes.map((x) => x.id).sort(), [ndrc.id, aksu.id, zj.id, xj.id].sort());
  assert.deepEqual(v.edges.map((x) => x.id).sort(), ['rel:coord', 'rel:paired', 'rel:partof']);
  for (const id of [aksu.id, zj.id, ndrc.id, 'rel:paired', 'rel:coord', 'rel:partof']) assert.ok(v.highlight.has(id), id);
  assert.deepEqual(v.roots, [aksu.id]);
  assert.equal(v.routesTruncated, true);
  const [c1, c2] = v.routes;
  assert.equal(c1.start.id, aksu.id);
  assert.deepEqual(c1.steps.map((s) => [s.next.id, s.forward]), [[zj.id, false], [ndrc.id, false]]);
  assert.deepEqual(c2.steps.map((s) => [s.next.id, s.forward]), [[xj.id, true]]);
});

test('paths: nodes in order, relations either way', () => {
  const data = {
    neighborhood: { nodes: [aksu, ndrc], edges: [], truncated: true },
    paths: [{ length: 2, nodes: [aksu, zj, ndrc], relations: [paired, coord] }],
  };
  const v = buildView(data, { mode: 'path', from: aksu.id, to: ndrc.id });
  assert.equal(v.truncated, true);
  assert.deepEqual(v.roots, [aksu.id, ndrc.id]);
  assert.equal(v.routes.length, 1);
  assert.equal(v.routes[0].label, 'Path 1 (2 hops)');
  assert.deepEqual(v.routes[0].steps.map((s) => [s.prev.id, s.next.id, s.forward]), [[aksu.id, zj.id, false], [zj.id, ndrc.id, false]]);
});

test('neighbourhood: nothing highlighted, edges need both ends', () => {
  const data = { neighborhood: { nodes: [aksu], edges: [partOf], truncated: false } };
  const v = buildView(data, { mode: 'neighborhood', id: aksu.id });
  assert.equal(v.highlight.size, 0);
  assert.equal(v.edges.length, 0);
});

test('labels and dates', () => {
  assert.equal(nodeLabel(aksu), 'Aksu Prefecture\n阿克苏地区');
  assert.equal(nodeLabel(ndrc), 'NDRC department');
  assert.equal(dateRange('2010', '2014'), '2010 – 2014');
  assert.equal(dateRange('2010', null), 'from 2010');
  assert.equal(dateRange(null, '2014'), 'until 2014');
  assert.equal(dateRange(null, null), '');
});

test('v1 answers get strength and dating from confidence and dates', () => {
  const v = buildView({ neighborhood: { nodes: [aksu, zj], edges: [paired, { ...e('rel:r', 'FUNDS', zj.id, aksu.id), confidence: 'reported' }] } }, { mode: 'neighborhood', id: aksu.id });
  const byId = Object.fromEntries(v.edges.map((x) => [x.id, x]));
  assert.equal(byId['rel:paired'].strength, 'STRONG');
  assert.equal(byId['rel:paired'].dated, true);
  assert.equal(byId['rel:r'].strength, 'MODERATE');
  assert.equal(byId['rel:r'].dated, false);
});

test('chain hops keep their inForce and the chain its strength', () => {
  const data = {
    neighborhood: { nodes: [aksu], edges: [] },
    responsibilityChain: { direction: 'UP', totalCount: 7, chains: [{ complete: true, strength: 'WEAK', contested: true, hops: [{ relation: { ...paired, strength: 'WEAK', bestGrade: 'C', dated: true }, upper: zj, lower: aksu, inForce: 'NOT_KNOWN' }] }] },
  };
  const v = buildView(data, { mode: 'up', id: aksu.id });
  assert.equal(v.routesTotal, 7);
  assert.equal(v.routes[0].strength, 'WEAK');
  assert.equal(v.routes[0].contested, true);
  assert.equal(v.edges[0].inForce, 'NOT_KNOWN');
  assert.equal(v.edges[0].bestGrade, 'C');
});

test('expand in place adds only what is new', () => {
  const v = buildView({ neighborhood: { nodes: [aksu, zj], edges: [paired] } }, { mode: 'neighborhood', id: aksu.id });
  const { view, added } = expandView(v, zj.id, { nodes: [zj, ndrc, aksu], edges: [coord, paired] });
  assert.deepEqual(added, [ndrc.id, 'rel:coord']);
  assert.equal(view.nodes.length, 3);
  assert.equal(view.edges.length, 2);
  assert.deepEqual(view.expanded[zj.id], added);
  assert.equal(v.nodes.length, 2, 'the old view is not changed');
});

test('filters: only A/B evidence, strength, dating, kinds; no islands left', () => {
  const weak = { ...e('rel:weak', 'FUNDS', zj.id, ndrc.id), strength: 'WEAK', bestGrade: 'C' };
  const undated = { ...coord, id: 'rel:undated', fromId: xj.id, toId: aksu.id, bestGrade: 'A', strength: 'STRONG' };
  const strong = { ...paired, bestGrade: 'B', strength: 'STRONG' };
  const v = buildView({ neighborhood: { nodes: [aksu, zj, ndrc, xj], edges: [strong, weak, undated] } }, { mode: 'neighborhood', id: aksu.id });
  const s = { ...parseState('?id=' + aksu.id) };
  const ids = (x) => [...x].sort();
  let vis = visibleIds(v, s);
  assert.equal(vis.nodes.size, 4);
  vis = visibleIds(v, { ...s, grade: 'AB' });
  assert.deepEqual(ids(vis.edges), ['rel:paired', 'rel:undated']);
  assert.deepEqual(ids(vis.nodes), [aksu.id, zj.id, xj.id].sort(), 'the NDRC node had only the weak edge');
  vis = visibleIds(v, { ...s, dated: true });
  assert.deepEqual(ids(vis.edges), ['rel:paired']);
  vis = visibleIds(v, { ...s, fk: ['province', 'prefecture'] });
  assert.ok(vis.nodes.has(aksu.id), 'the root stays whatever its kind');
  assert.ok(!vis.nodes.has(zj.id));
  assert.deepEqual(ids(vis.edges), ['rel:undated']);
  vis = visibleIds(v, { ...s, hide: [xj.id], strength: 'STRONG' });
  assert.deepEqual(ids(vis.edges), ['rel:paired']);
});
