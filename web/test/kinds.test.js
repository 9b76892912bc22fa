import { test } from 'node:test';
import assert from 'node:assert/strict';
import registry from '../src/registry.json' with { type: 'json' };
import { KINDS, STYLE_ONLY, kindInfo } from '../src/kinds.js';
import { SHAPES } from '../src/svg.js';
import { minDifference } from './cvd.js';

// Shapes a reader cannot tell apart at node size count as one.
const shapeClass = (s) => s.replace(/^round-/, '').replace('heptagon', 'octagon');
// CIEDE2000 difference two kinds that share a shape class must keep, under
// normal vision, protanopia, deuteranopia and tritanopia.
const MIN_DIFFERENCE = 15;

test('every kind of the registry has a style, and there is no style for a kind the registry lacks', () => {
  for (const k of registry.kinds) {
    assert.ok(KINDS[k.kind] && !KINDS[k.kind].missing, `kind ${k.kind} (in internal/domain) has no style in web/src/kinds.js`);
  }
  assert.deepEqual(STYLE_ONLY, [], 'styles for kinds that are not in the registry');
  assert.equal(kindInfo('no_such_kind').label, 'no_such_kind');
});

test('every shape in use can be drawn in the legend and the SVG export', () => {
  for (const [k, s] of Object.entries(KINDS)) assert.ok(SHAPES.includes(s.shape), `${k}: shape ${s.shape} has no SVG drawing`);
});

test('no two kinds look alike, also to colour-blind readers', () => {
  const kinds = Object.entries(KINDS);
  for (let i = 0; i < kinds.length; i++) {
    for (let j = i + 1; j < kinds.length; j++) {
      const [a, sa] = kinds[i];
      const [b, sb] = kinds[j];
      if (shapeClass(sa.shape) !== shapeClass(sb.shape)) continue;
      assert.notEqual(sa.color, sb.color, `${a} and ${b} have the same shape and colour`);
      const d = minDifference(sa.color, sb.color);
      assert.ok(d >= MIN_DIFFERENCE, `${a} and ${b} share a shape and their colours differ by ΔE2000 ${d.toFixed(1)} for some colour-blind reader (want ≥ ${MIN_DIFFERENCE})`);
    }
  }
  // The labels are distinct too (legend, filters).
  const labels = Object.values(KINDS).map((k) => k.label);
  assert.equal(new Set(labels).size, labels.length);
});

test('the colour-difference check can fail', () => {
  // Red and green that deuteranopes confuse; blue and orange they do not.
  assert.ok(minDifference('#d62728', '#2ca02c') < MIN_DIFFERENCE * 2);
  assert.ok(minDifference('#0072B2', '#E69F00') > 40);
  assert.ok(minDifference('#CC79A7', '#a0a0a0') < MIN_DIFFERENCE);
});
