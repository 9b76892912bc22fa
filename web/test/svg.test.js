import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphToSVG } from '../src/svg.js';

const node = (id, x, y, label, extra = {}) => ({ id, x, y, w: 28, h: 28, shape: 'ellipse', color: '#009E73', border: '#000', borderWidth: 1, opacity: 1, label, ...extra });

test('SVG export: escaped text, one group per element, Chinese kept, legend, date, credit and address', () => {
  const nodes = [node('prefecture:aksu', 0, 100, 'Aksu Prefecture\n阿克苏地区', { priority: 10 }), node('company:a&b', 200, 0, 'A & B <Ltd>', { shape: 'hexagon', opacity: 0.3 })];
  const edges = [{ id: 'rel:x', sx: 190, sy: 10, tx: 10, ty: 90, mx: 100, my: 50, color: '#c62828', width: 4, dash: '7 4', opacity: 1, label: 'paired with', marker: 'circle' }];
  const svg = graphToSVG(nodes, edges, {
    title: 'Who answers for Aksu',
    subtitle: 'As of 2015',
    credit: 'aidtrace — every relation cited',
    address: 'https://example.org/?id=prefecture:aksu',
    legend: { kinds: [{ shape: 'hexagon', color: '#009E73', label: 'Prefecture' }], lines: [{ dash: '', width: 2.6, color: '#37474f', label: 'strong evidence' }] },
  });
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="[-\d. ]+"/);
  assert.ok(svg.includes('<g id="prefecture:aksu"'));
  assert.ok(svg.includes('阿克苏地区'));
  assert.ok(svg.includes('A &amp; B &lt;Ltd&gt;'));
  assert.ok(svg.includes('id="company:a&amp;b"'));
  assert.ok(svg.includes('stroke-dasharray="7 4"'));
  assert.ok(svg.includes('marker-end="url(#arrow-0)"'));
  assert.ok(svg.includes('<polygon'));
  for (const s of ['Who answers for Aksu', 'As of 2015', 'aidtrace — every relation cited', 'https://example.org/?id=prefecture:aksu', 'Prefecture', 'strong evidence', 'class="legend"']) assert.ok(svg.includes(s), s);
  assert.ok(!svg.includes('<script'));
});

test('SVG export: overlapping labels are left out, least important first; the page holds every label drawn', () => {
  const nodes = [node('a:1', 0, 0, 'A long label for one', { priority: 1 }), node('a:2', 10, 0, 'Another long label', { priority: 5 })];
  const svg = graphToSVG(nodes, [], {});
  assert.ok(svg.includes('Another long label</tspan>'));
  assert.ok(!svg.includes('A long label for one</tspan>'));
  assert.ok(svg.includes('<title>A long label for one</title>'), 'the hidden label stays as a title');
  const [, vx, , vw] = svg.match(/viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/).slice(0).map(Number);
  assert.ok(vx <= -60 && vx + vw >= 70, 'the shown label is inside the page');
});
