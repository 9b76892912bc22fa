import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declutter, textWidth, wrapName } from '../src/labels.js';

const box = (id, priority, x, y, w = 40, h = 12) => ({ id, priority, x1: x, y1: y, x2: x + w, y2: y + h });

test('declutter keeps the most important of overlapping labels', () => {
  const shown = declutter([box('a', 1, 0, 0), box('b', 5, 10, 5), box('c', 0, 100, 0)]);
  assert.deepEqual([...shown].sort(), ['b', 'c']);
});

test('declutter: a label may not cover another node, only its own', () => {
  const obstacles = [{ id: 'a', x1: 0, y1: -20, x2: 20, y2: 0 }, { id: 'x', x1: 30, y1: 2, x2: 50, y2: 20 }];
  const shown = declutter([box('a', 1, 0, 1, 20)], obstacles);
  assert.ok(shown.has('a'));
  assert.equal(declutter([box('a', 1, 0, 1, 40)], obstacles).size, 0);
});

test('declutter: kept ids win whatever they overlap', () => {
  const shown = declutter([box('a', 9, 0, 0), box('b', 1, 5, 0)], [], { keep: new Set(['b']) });
  assert.deepEqual([...shown], ['b']);
});

test('declutter scales: 2000 labels on a grid in well under a second', () => {
  const boxes = [];
  for (let i = 0; i < 2000; i++) boxes.push(box('n' + i, i % 7, (i % 50) * 30, Math.floor(i / 50) * 10));
  const t0 = performance.now();
  const shown = declutter(boxes);
  assert.ok(performance.now() - t0 < 1000);
  assert.ok(shown.size > 100 && shown.size < 2000);
  // No two shown boxes overlap.
  const kept = boxes.filter((b) => shown.has(b.id));
  for (let i = 0; i < kept.length; i++) for (let j = i + 1; j < kept.length; j++) {
    const a = kept[i], b = kept[j];
    assert.ok(!(a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2), `${a.id} overlaps ${b.id}`);
  }
});

test('text width: Chinese is wider than Latin per character', () => {
  assert.ok(textWidth('阿克苏地区', 12) > textWidth('Aksus', 12));
  assert.equal(wrapName('Xinjiang Uyghur Autonomous Region Party Committee', 24), 'Xinjiang Uyghur\nAutonomous Region Party\nCommittee');
});
