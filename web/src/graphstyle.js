// Cytoscape stylesheet. Colours and shapes per kind come from kinds.js via
// node data. Edges: colour and arrowhead tell responsibility (dark, filled
// arrow) from context (grey, open arrow); line style and weight tell the
// strength of the evidence (solid and heavy: strong; dashed: moderate;
// dotted and thin: weak); a hollow circle in the middle marks an undated
// relation, a hollow diamond one not known to be in force on the as-of date.
//
// Sizes are given in screen pixels and turned into model units for the
// current zoom, so labels keep a legible size whatever the zoom (which labels
// are shown is decided by the declutter pass in main.js: class "lbl").

export const HIGHLIGHT = '#c62828';
export const SELECT = '#ff8f00';
export const RESP_COLOR = '#37474f';
export const CONTEXT_COLOR = '#78909c';
export const FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** Screen sizes of labels (px): never below these. */
export const NODE_FONT_PX = 12;
export const EDGE_FONT_PX = 11;

/** Line style and width (px at zoom 1) per evidence strength. */
export const STRENGTH_LINE = {
  STRONG: { style: 'solid', width: 2.6, dash: '' },
  MODERATE: { style: 'dashed', width: 1.8, dash: '7 4' },
  WEAK: { style: 'dotted', width: 1.4, dash: '2 3' },
};

/** Rendered font size for a zoom: constant on screen, a little larger when zoomed in. */
export function renderedFont(px, zoom) {
  return Math.min(px * 1.5, Math.max(px, px * zoom));
}

/**
 * @param {number} zoom the current zoom
 */
export function stylesheet(zoom = 1) {
  const z = zoom > 0 ? zoom : 1;
  const nodeFont = renderedFont(NODE_FONT_PX, z) / z;
  const edgeFont = renderedFont(EDGE_FONT_PX, z) / z;
  const nodeSize = Math.max(26, 12 / z); // at least 12 px on screen
  const k = Math.max(1, Math.min(2.5, 1 / z)); // lines keep about their weight when zoomed out
  const halo = {
    'text-background-color': '#ffffff',
    'text-background-opacity': 0.88,
    'text-background-shape': 'round-rectangle',
    'text-background-padding': `${(1.5 / z).toFixed(2)}px`,
  };
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(color)',
        shape: 'data(shape)',
        width: nodeSize,
        height: nodeSize,
        'border-width': 1.5 * k,
        'border-color': '#1b1b1b',
        label: '',
        'font-size': nodeFont,
        // Cytoscape accepts double quotes only.
        'font-family': FONT,
        color: '#1b1b1b',
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 3 / z,
        'text-wrap': 'wrap',
        'text-max-width': '100000px',
        'line-height': 1.2,
        'min-zoomed-font-size': 0,
        ...halo,
        'z-index': 10,
      },
    },
    { selector: 'node.lbl', style: { label: 'data(label)' } },
    { selector: 'node.root', style: { width: nodeSize * 1.5, height: nodeSize * 1.5, 'border-width': 3 * k, 'font-weight': 'bold' } },
    { selector: 'node.hl', style: { 'border-color': HIGHLIGHT, 'border-width': 3.5 * k } },
    { selector: 'node.pinned', style: { 'border-style': 'double', 'border-width': 4.5 * k } },
    { selector: 'node.faded', style: { opacity: 0.35 } },
    { selector: 'node.hover', style: { label: 'data(label)', 'z-index': 30, opacity: 1 } },
    {
      selector: 'node:selected',
      style: { label: 'data(label)', 'border-color': SELECT, 'border-width': 5 * k, 'overlay-color': SELECT, 'overlay-opacity': 0.15, 'overlay-padding': 6 / z },
    },
    {
      selector: 'edge',
      style: {
        width: STRENGTH_LINE.STRONG.width * k,
        'line-style': 'solid',
        'line-color': RESP_COLOR,
        'target-arrow-color': RESP_COLOR,
        'target-arrow-shape': 'triangle',
        'mid-target-arrow-color': RESP_COLOR,
        'arrow-scale': 1.3,
        'curve-style': 'bezier',
        label: '',
        'font-size': edgeFont,
        'font-family': FONT,
        color: '#263238',
        'text-rotation': 'none',
        'min-zoomed-font-size': 0,
        ...halo,
        'z-index': 1,
      },
    },
    // Edges that span layers run through their places in the layers between (layout.js).
    { selector: 'edge.bent', style: { 'curve-style': 'segments', 'edge-distances': 'node-position', 'segment-weights': 'data(sw)', 'segment-distances': 'data(sd)' } },
    { selector: 'edge.s-MODERATE', style: { width: STRENGTH_LINE.MODERATE.width * k, 'line-style': 'dashed', 'line-dash-pattern': [7, 4] } },
    { selector: 'edge.s-WEAK', style: { width: STRENGTH_LINE.WEAK.width * k, 'line-style': 'dotted' } },
    { selector: 'edge.context', style: { 'line-color': CONTEXT_COLOR, 'target-arrow-color': CONTEXT_COLOR, 'mid-target-arrow-color': CONTEXT_COLOR, 'target-arrow-shape': 'vee' } },
    { selector: 'edge.undated', style: { 'mid-target-arrow-shape': 'circle', 'mid-target-arrow-fill': 'hollow' } },
    { selector: 'edge.notknown', style: { 'mid-target-arrow-shape': 'diamond', 'mid-target-arrow-fill': 'hollow' } },
    { selector: 'edge.elbl', style: { label: 'data(label)' } },
    { selector: 'edge.hl', style: { width: 4 * k, 'line-color': HIGHLIGHT, 'target-arrow-color': HIGHLIGHT, 'mid-target-arrow-color': HIGHLIGHT, color: '#8e0000', 'z-index': 5 } },
    { selector: 'edge.hl.s-MODERATE', style: { width: 3 * k } },
    { selector: 'edge.hl.s-WEAK', style: { width: 2.4 * k } },
    { selector: 'edge.faded', style: { opacity: 0.25 } },
    { selector: 'edge.hover', style: { label: 'data(label)', opacity: 1, 'z-index': 30 } },
    {
      selector: 'edge:selected',
      style: { label: 'data(label)', 'line-color': SELECT, 'target-arrow-color': SELECT, 'mid-target-arrow-color': SELECT, 'overlay-color': SELECT, 'overlay-opacity': 0.2, 'overlay-padding': 4 / z, 'z-index': 20 },
    },
    { selector: 'edge.preview-out', style: { opacity: 0.08 } },
    { selector: '.hidden', style: { display: 'none' } },
  ];
}
