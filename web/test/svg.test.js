import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphToSVG } from '../src/svg.js';

test('SVG export: escaped text, one group per element, Chinese kept', () => {
  const nodes = [
    { id: 'prefecture:aksu', x: 0, y: 100, w: 28, h: 28, shape: 'ellipse', color: '#2e7d32', border: '#000', borderWidth: 1, opacity: 1, label: 'Aksu Prefecture\n阿克苏地区', labelColor: '#1b1b1b', fontSize: 12 },
    { id: 'company:a&b', x: 200, y: 0, w: 28, h: 28, shape: 'hexagon', color: '#455a64', border: '#000', borderWidth: 1, opacity: 0.3, label: 'A & B <Ltd>', labelColor: '#1b1b1b', fontSize: 12 },
  ];
  const edges = [{ id: 'rel:x', sx: 190, sy: 10, tx: 10, ty: 90, mx: 100, my: 50, color: '#c62828', width: 4, dashed: true, opacity: 1, label: 'paired with' }];
  const svg = graphToSVG(nodes, edges, { title: 'T', caption: 'Aksu · chains up' });
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="[-\d. ]+"/);
  assert.ok(svg.includes('<g id="prefecture:aksu"'));
  assert.ok(svg.includes('阿克苏地区'));
  assert.ok(svg.includes('A &amp; B &lt;Ltd&gt;'));
  assert.ok(svg.includes('id="company:a&amp;b"'));
  assert.ok(svg.includes('stroke-dasharray'));
  assert.ok(svg.includes('marker-end="url(#arrow-0)"'));
  assert.ok(svg.includes('<polygon'));
  assert.ok(!svg.includes('<script'));
});
