// Cytoscape stylesheet. Colours and shapes per kind come from kinds.js via
// node data; line style tells responsibility (solid) from context (dashed).

export const HIGHLIGHT = '#c62828';
export const SELECT = '#ff8f00';

export const stylesheet = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(color)',
      shape: 'data(shape)',
      width: 28,
      height: 28,
      'border-width': 1.5,
      'border-color': '#1b1b1b',
      label: 'data(label)',
      'font-size': 12,
      // Cytoscape accepts double quotes only.
      'font-family': 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
      color: '#1b1b1b',
      'text-valign': 'bottom',
      'text-halign': 'center',
      'text-margin-y': 4,
      'text-wrap': 'wrap',
      'text-max-width': '130px',
      'text-outline-color': '#ffffff',
      'text-outline-width': 2.5,
      'min-zoomed-font-size': 6,
    },
  },
  { selector: 'node.root', style: { width: 42, height: 42, 'border-width': 3, 'font-size': 13, 'font-weight': 'bold' } },
  { selector: 'node.hl', style: { 'border-color': HIGHLIGHT, 'border-width': 4 } },
  { selector: 'node.faded', style: { opacity: 0.3 } },
  {
    selector: 'node:selected',
    style: { 'border-color': SELECT, 'border-width': 5, 'overlay-color': SELECT, 'overlay-opacity': 0.15, 'overlay-padding': 6 },
  },
  {
    selector: 'edge',
    style: {
      width: 1.6,
      'line-color': '#546e7a',
      'target-arrow-color': '#546e7a',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      'curve-style': 'bezier',
      label: '',
      'font-size': 9,
      color: '#37474f',
      'text-rotation': 'autorotate',
      'text-outline-color': '#ffffff',
      'text-outline-width': 2,
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'edge.labelled', style: { label: 'data(label)' } },
  { selector: 'edge.context', style: { 'line-style': 'dashed', 'line-color': '#90a4ae', 'target-arrow-color': '#90a4ae' } },
  { selector: 'edge.uncertain', style: { 'line-style': 'dotted' } },
  { selector: 'edge.hl', style: { width: 4, 'line-color': HIGHLIGHT, 'target-arrow-color': HIGHLIGHT, label: 'data(label)', color: '#8e0000', 'z-index': 10 } },
  { selector: 'edge.faded', style: { opacity: 0.2 } },
  {
    selector: 'edge:selected',
    style: { width: 5, 'line-color': SELECT, 'target-arrow-color': SELECT, label: 'data(label)', 'overlay-color': SELECT, 'overlay-opacity': 0.2, 'overlay-padding': 4, 'z-index': 20 },
  },
];
