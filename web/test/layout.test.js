import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layeredPositions } from '../src/layout.js';

test('kinds set the layers: central bodies above, factories below', () => {
  const nodes = [
    { id: 'factory:f', kind: 'factory' },
    { id: 'county:c', kind: 'county' },
    { id: 'party_body:p', kind: 'party_body' },
    { id: 'province:z', kind: 'province' },
    { id: 'prefecture:a', kind: 'prefecture' },
  ];
  // Edges point both ways (PART_OF up, PAIRED_WITH down): they do not set the layers.
  const edges = [
    { source: 'county:c', target: 'prefecture:a' },
    { source: 'province:z', target: 'prefecture:a' },
    { source: 'party_body:p', target: 'province:z' },
    { source: 'factory:f', target: 'county:c' },
  ];
  const pos = layeredPositions(nodes, edges);
  const y = (id) => pos[id].y;
  assert.ok(y('party_body:p') < y('province:z'));
  assert.ok(y('province:z') < y('prefecture:a'));
  assert.ok(y('prefecture:a') < y('county:c'));
  assert.ok(y('county:c') < y('factory:f'));
});

test('every node gets a distinct position; wide layers wrap', () => {
  const nodes = Array.from({ length: 100 }, (_, i) => ({ id: `county:${i}`, kind: 'county' }));
  nodes.push({ id: 'prefecture:p', kind: 'prefecture' });
  const edges = nodes.slice(0, 100).map((n) => ({ source: n.id, target: 'prefecture:p' }));
  const pos = layeredPositions(nodes, edges, { maxPerRow: 20 });
  const seen = new Set(Object.values(pos).map((p) => `${p.x},${p.y}`));
  assert.equal(seen.size, 101);
  const rows = new Set(nodes.slice(0, 100).map((n) => pos[n.id].y));
  assert.equal(rows.size, 5);
});

test('barycentre ordering untangles two pairs', () => {
  const nodes = [
    { id: 'province:a', kind: 'province' },
    { id: 'province:b', kind: 'province' },
    { id: 'prefecture:1', kind: 'prefecture' }, // paired with b
    { id: 'prefecture:2', kind: 'prefecture' }, // paired with a
  ];
  const edges = [
    { source: 'province:a', target: 'prefecture:2' },
    { source: 'province:b', target: 'prefecture:1' },
  ];
  const pos = layeredPositions(nodes, edges);
  const aLeft = pos['province:a'].x < pos['province:b'].x;
  const twoLeft = pos['prefecture:2'].x < pos['prefecture:1'].x;
  assert.equal(aLeft, twoLeft, 'the two edges cross');
});

test('empty graph', () => {
  assert.deepEqual(layeredPositions([], []), {});
});

test('force layout: deterministic, spreads nodes, keeps edges short', async () => {
  const { forceLayout } = await import('../src/layout.js');
  const nodes = [];
  const edges = [];
  for (let i = 0; i < 60; i++) {
    nodes.push({ id: 'n' + i, kind: ['province', 'prefecture', 'county'][i % 3] });
    if (i) edges.push({ source: 'n' + Math.floor((i - 1) / 3), target: 'n' + i });
  }
  const a = forceLayout(nodes, edges);
  const b = forceLayout(nodes, edges);
  assert.deepEqual(a, b);
  let minD = Infinity;
  for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) minD = Math.min(minD, Math.hypot(a['n' + i].x - a['n' + j].x, a['n' + i].y - a['n' + j].y));
  assert.ok(minD > 20, `nodes too close: ${minD}`);
});

test('placeAround: new entities go round the expanded one, never on a taken place', async () => {
  const { placeAround } = await import('../src/layout.js');
  const taken = [{ x: 0, y: 0 }, { x: 0, y: 110 }];
  const pos = placeAround({ x: 0, y: 0 }, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], taken);
  const pts = Object.values(pos);
  assert.equal(pts.length, 8);
  for (const p of pts) for (const q of [...taken, ...pts]) if (p !== q) assert.ok(Math.hypot(p.x - q.x, p.y - q.y) >= 88, JSON.stringify([p, q]));
  assert.deepEqual(placeAround({ x: 0, y: 0 }, ['a', 'b'], taken), { a: pos.a, b: pos.b });
});
