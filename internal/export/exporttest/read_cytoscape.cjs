// Load a Cytoscape.js JSON export with Cytoscape.js itself (headless, with
// styles) and print what it holds: graph data, every node with its data,
// position and rendered colour and shape, every edge with its data.
// Anything Cytoscape.js warns about (an edge to a missing node, a bad
// style) is printed as a problem. Usage: node read_cytoscape.cjs FILE
// with cytoscape resolvable (NODE_PATH).
'use strict';
const fs = require('fs');
const cytoscape = require('cytoscape');

const problems = [];
for (const level of ['warn', 'error']) {
  console[level] = (...args) => problems.push(args.map(String).join(' '));
}
const doc = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const cy = cytoscape({ headless: true, styleEnabled: true });
try {
  cy.json(doc);
} catch (err) {
  problems.push(String(err));
}
const nodes = {};
cy.nodes().forEach((n) => {
  nodes[n.id()] = {
    data: n.data(),
    position: n.position(),
    color: n.style('background-color'),
    shape: n.style('shape'),
  };
});
const edges = cy.edges().map((e) => ({ data: e.data(), source: e.source().id(), target: e.target().id() }));
const data = cy.data();
cy.destroy();
// Cytoscape.js keeps timers running: exit once the report is written.
process.stdout.write(JSON.stringify({ data, nodes, edges, problems }), () => process.exit(0));
