// Entity kinds: their tier in the hierarchy (0 = top), colour, shape and
// human label. Pure data; used by the graph style, the legend, the layered
// layout and the SVG export. The kinds mirror schema/entity.graphqls
// (EntityKind); an unknown kind falls back to a neutral grey in the middle.

/** @typedef {{tier: number, color: string, shape: string, label: string}} KindInfo */

/** @type {Record<string, KindInfo>} */
export const KINDS = {
  // tier 0-2: the centre — party, state, leading groups, their departments, people in them
  party_body: { tier: 0, color: '#b71c1c', shape: 'round-rectangle', label: 'Party body' },
  state_body: { tier: 1, color: '#ad1457', shape: 'round-rectangle', label: 'State body' },
  leading_group: { tier: 1, color: '#7b1fa2', shape: 'round-rectangle', label: 'Leading group' },
  person: { tier: 1, color: '#6d4c41', shape: 'ellipse', label: 'Person' },
  department: { tier: 2, color: '#4527a0', shape: 'round-rectangle', label: 'Department' },
  programme: { tier: 2, color: '#283593', shape: 'tag', label: 'Programme' },
  event: { tier: 2, color: '#00695c', shape: 'star', label: 'Event' },
  statement: { tier: 2, color: '#33691e', shape: 'star', label: 'Statement' },
  // tier 3-4: the aiding side and the region
  province: { tier: 3, color: '#1565c0', shape: 'ellipse', label: 'Province' },
  region: { tier: 3, color: '#01579b', shape: 'ellipse', label: 'Region (XUAR)' },
  xpcc: { tier: 3, color: '#4e342e', shape: 'round-rectangle', label: 'XPCC' },
  city: { tier: 4, color: '#0277bd', shape: 'ellipse', label: 'City' },
  district: { tier: 4, color: '#0288d1', shape: 'ellipse', label: 'District' },
  frontline_hq: { tier: 4, color: '#e65100', shape: 'round-rectangle', label: 'Front-line HQ' },
  cadre_batch: { tier: 4, color: '#f9a825', shape: 'round-rectangle', label: 'Cadre batch' },
  // tier 5-6: the recipient side
  prefecture: { tier: 5, color: '#2e7d32', shape: 'ellipse', label: 'Prefecture' },
  xpcc_division: { tier: 5, color: '#795548', shape: 'ellipse', label: 'XPCC division' },
  county: { tier: 6, color: '#558b2f', shape: 'ellipse', label: 'County' },
  xpcc_regiment: { tier: 6, color: '#8d6e63', shape: 'ellipse', label: 'XPCC regiment' },
  bureau: { tier: 6, color: '#5d4037', shape: 'round-rectangle', label: 'Bureau' },
  training_centre: { tier: 6, color: '#d50000', shape: 'octagon', label: 'Training centre' },
  // tier 7-9: firms, sites, buyers
  industrial_park: { tier: 7, color: '#546e7a', shape: 'rectangle', label: 'Industrial park' },
  company: { tier: 7, color: '#455a64', shape: 'rectangle', label: 'Company' },
  labour_dispatch_firm: { tier: 7, color: '#c2185b', shape: 'diamond', label: 'Labour-dispatch firm' },
  factory: { tier: 8, color: '#263238', shape: 'hexagon', label: 'Factory' },
  buyer: { tier: 9, color: '#00838f', shape: 'rectangle', label: 'Buyer / brand' },
  // context, drawn at the bottom
  designation_list: { tier: 9, color: '#212121', shape: 'vee', label: 'Designation list' },
  sector: { tier: 10, color: '#9e9d24', shape: 'triangle', label: 'Sector' },
  statistic: { tier: 10, color: '#757575', shape: 'tag', label: 'Statistic' },
};

const UNKNOWN = { tier: 5, color: '#9e9e9e', shape: 'ellipse', label: 'Other' };

/** @param {string} kind @returns {KindInfo} */
export function kindInfo(kind) {
  return KINDS[kind] || { ...UNKNOWN, label: kind || UNKNOWN.label };
}

/** The tier of a kind: 0 for the top authorities, larger further down. */
export function tierOf(kind) {
  return kindInfo(kind).tier;
}

/** The kinds present among nodes, in tier order (for the legend). */
export function kindsPresent(kinds) {
  const set = new Set(kinds);
  const known = Object.keys(KINDS).filter((k) => set.has(k));
  const unknown = [...set].filter((k) => !KINDS[k]).sort();
  return [...known, ...unknown];
}

/** A readable label for a relation type: DIRECTS -> "directs". */
export function relLabel(type) {
  return String(type || '').toLowerCase().replace(/_/g, ' ');
}

export const GRADE_TEXT = {
  A: 'A — official',
  B: 'B — established press, NGO, legal, academic',
  C: 'C — mirror, forum or blog',
};

export const RESPONSIBILITY_TEXT = {
  NONE: 'Context: carries no responsibility',
  FROM_IS_RESPONSIBLE: 'Responsibility: the from-entity answers for the to-entity',
  TO_IS_RESPONSIBLE: 'Responsibility: the to-entity answers for the from-entity',
};
