// The explorer's GraphQL client: POST application/json to /graphql, the
// queries it needs, and errors that keep the server's extensions.code.

export const ENDPOINT = '/graphql';

export class APIError extends Error {
  /** @param {string} message @param {string} [code] */
  constructor(message, code) {
    super(message);
    this.name = 'APIError';
    this.code = code || 'INTERNAL';
  }
}

/**
 * Runs a query. Resolves to `data`; rejects with an APIError carrying the
 * first error's code (partial data is returned when `allowPartial`).
 * @param {string} query
 * @param {object} [variables]
 * @param {{signal?: AbortSignal, allowPartial?: boolean}} [opts]
 */
export async function gql(query, variables = {}, opts = {}) {
  let resp;
  try {
    resp = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: opts.signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new APIError('The server could not be reached.', 'UNAVAILABLE');
  }
  let body;
  try {
    body = await resp.json();
  } catch {
    throw new APIError(`The server answered ${resp.status} without JSON.`, resp.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL');
  }
  const errors = body.errors || [];
  if (errors.length && !(opts.allowPartial && body.data)) {
    const e = errors[0];
    throw new APIError(e.message || 'The query failed.', e.extensions && e.extensions.code);
  }
  if (!body.data) throw new APIError(`The server answered ${resp.status} without data.`);
  return body.data;
}

// Light fields for drawing: details are fetched when something is selected.
const NODE = 'id kind name nameZh synthetic';
const EDGE = 'id type responsibility fromId toId validFrom validTo confidence';
const CITATION = 'quote locator source { id title publisher url published type grade note }';
const QUANTITY = 'quantities { name value unit }';

export const SEARCH = `query Search($text: String!, $first: Int) {
  search(text: $text, first: $first) { score match entity { id kind name nameZh aliases } }
}`;

const NEIGHBORHOOD = `neighborhood(ids: $ids, depth: $depth, asOf: $asOf, limit: $limit) {
    truncated nodes { ${NODE} } edges { ${EDGE} }
  }`;

export const VIEW_NEIGHBORHOOD = `query Neighborhood($ids: [ID!]!, $depth: Int, $asOf: PartialDate, $limit: Int) {
  ${NEIGHBORHOOD}
}`;

export const VIEW_CHAIN = `query Chain($ids: [ID!]!, $id: ID!, $direction: ChainDirection, $depth: Int, $asOf: PartialDate, $limit: Int) {
  ${NEIGHBORHOOD}
  responsibilityChain(id: $id, direction: $direction, asOf: $asOf, first: 50) {
    truncated direction
    chains { complete end { id } hops { relation { ${EDGE} } upper { ${NODE} } lower { ${NODE} } } }
  }
}`;

export const VIEW_PATHS = `query Paths($ids: [ID!]!, $from: ID!, $to: ID!, $depth: Int, $asOf: PartialDate, $limit: Int) {
  ${NEIGHBORHOOD}
  paths(from: $from, to: $to, mode: K_SHORTEST, first: 3, asOf: $asOf) {
    length nodes { ${NODE} } relations { ${EDGE} }
  }
}`;

export const ENTITY = `query Entity($id: ID!) {
  entity(id: $id) {
    id kind name nameZh aliases description validFrom validTo synthetic ${QUANTITY}
    citations { ${CITATION} }
  }
}`;

export const RELATION = `query Relation($id: ID!) {
  node(id: $id) {
    ... on Relation {
      id type responsibility fromId toId validFrom validTo confidence role note synthetic
      from { ${NODE} } to { ${NODE} }
      ${QUANTITY} attributes { key value }
      citations { ${CITATION} }
    }
  }
}`;

export const RELATION_TYPES = `query RelationTypes { relationTypes { name meaning responsibility } }`;

/**
 * Fetches what a view draws: the neighbourhood of its start ids, plus the
 * chains (mode up/down) or paths (mode path) to highlight.
 * @param {{mode: string, id: string, from: string, to: string, depth: number, asOf: string, limit: number}} s
 * @param {AbortSignal} [signal]
 */
export async function fetchView(s, signal) {
  const common = { depth: s.depth, asOf: s.asOf || null, limit: s.limit };
  if (s.mode === 'up' || s.mode === 'down') {
    return gql(VIEW_CHAIN, { ...common, ids: [s.id], id: s.id, direction: s.mode === 'up' ? 'UP' : 'DOWN' }, { signal });
  }
  if (s.mode === 'path') {
    return gql(VIEW_PATHS, { ...common, ids: [s.from, s.to], from: s.from, to: s.to }, { signal });
  }
  return gql(VIEW_NEIGHBORHOOD, { ...common, ids: [s.id] }, { signal });
}
