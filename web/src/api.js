// The explorer's GraphQL client: POST application/json to /graphql, the
// queries it needs, and errors that keep the server's extensions.code.

export const ENDPOINT = '/graphql';

export class APIError extends Error {
  /** @param {string} message @param {string} [code] */
  constructor(message, code, reason = '') {
    super(message);
    this.name = 'APIError';
    this.code = code || 'INTERNAL';
    this.reason = reason;
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
    throw new APIError(e.message || 'The query failed.', e.extensions && e.extensions.code, e.extensions && e.extensions.reason);
  }
  if (!body.data) throw new APIError(`The server answered ${resp.status} without data.`);
  return body.data;
}

// Light fields for drawing: details are fetched when something is selected.
const NODE = 'id kind name nameZh synthetic';
const EDGE_V1 = 'id type responsibility fromId toId validFrom validTo confidence';
// API v2 (truthful traversal): evidence strength, best grade, dating.
const EDGE_V2 = `${EDGE_V1} strength bestGrade dated knownFrom knownTo contested inferred`;
const CITATION = 'quote locator source { id title publisher url published type grade note }';
const QUANTITY = 'quantities { name value unit }';

/** Whether the server speaks API v2; set to false once it rejects a v2 field. */
let v2 = true;

export const SEARCH = `query Search($text: String!, $first: Int) {
  search(text: $text, first: $first) { score match entity { id kind name nameZh aliases } }
}`;

/** The view queries, for API v2 or v1, with or without an as-of date. */
function viewQueries(withAsOf) {
  // With a date, every drawn relation says whether it is known in force then.
  const EDGE = v2 ? EDGE_V2 + (withAsOf ? ' inForce(on: $asOf)' : '') : EDGE_V1;
  const nk = v2 && withAsOf ? ', includeNotKnown: $notKnown' : '';
  const vars = v2 && withAsOf ? '$depth: Int, $asOf: PartialDate!, $limit: Int, $notKnown: Boolean' : '$depth: Int, $asOf: PartialDate, $limit: Int';
  const NEIGHBORHOOD = `neighborhood(ids: $ids, depth: $depth, asOf: $asOf, limit: $limit${nk}) {
    truncated nodes { ${NODE} } edges { ${EDGE} }
  }`;
  const HOP = v2 && withAsOf ? 'inForce' : '';
  const CHAIN = v2 ? 'strength weakestHop contested' : '';
  const TOTAL = v2 ? 'totalCount' : '';
  const PATH = v2 ? 'strength responsibility' : '';
  return {
    neighborhood: `query Neighborhood($ids: [ID!]!, ${vars}) {
  ${NEIGHBORHOOD}
}`,
    chain: `query Chain($ids: [ID!]!, $id: ID!, $direction: ChainDirection, ${vars}) {
  ${NEIGHBORHOOD}
  responsibilityChain(id: $id, direction: $direction, asOf: $asOf, first: 50${nk}) {
    truncated direction ${TOTAL}
    chains { complete ${CHAIN} end { id } hops { ${HOP} relation { ${EDGE} } upper { ${NODE} } lower { ${NODE} } } }
  }
}`,
    paths: `query Paths($ids: [ID!]!, $from: ID!, $to: ID!, ${vars}) {
  ${NEIGHBORHOOD}
  paths(from: $from, to: $to, mode: K_SHORTEST, first: 3, asOf: $asOf${nk}) {
    length ${PATH} nodes { ${NODE} } relations { ${EDGE} }
  }
}`,
  };
}

export function entityQuery() {
  return `query Entity($id: ID!) {
  entity(id: $id) {
    id kind name nameZh aliases description validFrom validTo synthetic ${QUANTITY}
    citations { ${CITATION}${v2 ? ' attests' : ''} }
    ${v2 ? 'counterClaims { id kind date statement }' : ''}
  }
}`;
}

export function relationQuery() {
  return `query Relation($id: ID!) {
  node(id: $id) {
    ... on Relation {
      id type responsibility fromId toId validFrom validTo confidence role note synthetic
      ${v2 ? 'strength bestGrade dated knownFrom knownTo contested inferred counterClaims { id kind date statement by { id name } }' : ''}
      from { ${NODE} } to { ${NODE} }
      ${QUANTITY} attributes { key value }
      citations { ${CITATION}${v2 ? ' attests' : ''} }
    }
  }
}`;
}

/**
 * Runs a query built for the API version (query and variables are built at
 * call time), falling back to v1 once when the server does not know v2's
 * fields. The fallback lets the explorer run against a server from before
 * the truthful-traversal API.
 * @param {() => string} query
 * @param {() => object} variables
 */
export async function gqlV(query, variables, opts) {
  try {
    return await gql(query(), variables(), opts);
  } catch (err) {
    if (v2 && err instanceof APIError && err.reason === 'GRAPHQL_VALIDATION_FAILED' && /Cannot query field|Unknown argument|Unknown type/.test(err.message)) {
      v2 = false;
      return gql(query(), variables(), opts);
    }
    throw err;
  }
}

/** Whether the server answered with API v2 fields. */
export const apiV2 = () => v2;

/**
 * Fetches what a view draws: the neighbourhood of its start ids, plus the
 * chains (mode up/down) or paths (mode path) to highlight.
 * @param {{mode: string, id: string, from: string, to: string, depth: number, asOf: string, limit: number, notKnown: boolean}} s
 * @param {AbortSignal} [signal]
 */
export async function fetchView(s, signal) {
  const vars = (extra) => () => {
    const out = { depth: s.depth, asOf: s.asOf || null, limit: s.limit, ...extra };
    if (s.asOf && v2) out.notKnown = !!s.notKnown;
    return out;
  };
  const q = () => viewQueries(!!s.asOf);
  if (s.mode === 'up' || s.mode === 'down') {
    return gqlV(() => q().chain, vars({ ids: [s.id], id: s.id, direction: s.mode === 'up' ? 'UP' : 'DOWN' }), { signal });
  }
  if (s.mode === 'path') {
    return gqlV(() => q().paths, vars({ ids: [s.from, s.to], from: s.from, to: s.to }), { signal });
  }
  return gqlV(() => q().neighborhood, vars({ ids: [s.id] }), { signal });
}

/** The neighbourhood of one entity at depth 1, for expanding it in place. */
export async function fetchExpansion(id, s, signal) {
  const vars = () => {
    const out = { ids: [id], depth: 1, asOf: s.asOf || null, limit: 60 };
    if (s.asOf && v2) out.notKnown = !!s.notKnown;
    return out;
  };
  const data = await gqlV(() => viewQueries(!!s.asOf).neighborhood, vars, { signal });
  return data.neighborhood;
}
