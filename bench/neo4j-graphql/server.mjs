// The Neo4j GraphQL Library (@neo4j/graphql) serving aidtrace's graph, for
// the side-by-side benchmarks in bench/ (make bench). Not part of aidtrace.
//
// The type definitions are the library's equivalent of aidtrace's schema for
// the synthetic data (bench/README.md): one Entity node type with a typed
// relationship field per relation type and direction, relationship
// properties for the relation's own fields, the full-text index for search,
// and hand-written @cypher fields for what the library cannot express from
// type definitions alone (responsibility chains, shortest paths,
// neighbourhoods). Their Cypher is the raw floor's (the best single
// statement we could write by hand, bench/cmd/aidbench/raw.go), so the
// database does no more work for the library than for the floor.
//
//   NEO4J_URI=bolt://127.0.0.1:7687 PORT=4000 node server.mjs
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const uri = process.env.NEO4J_URI || "bolt://127.0.0.1:7687";
const port = Number(process.env.PORT || 4000);
const user = process.env.NEO4J_USER || "";
const auth = user ? neo4j.auth.basic(user, process.env.NEO4J_PASSWORD || "") : undefined;

// Relation types of the synthetic data; each gets an OUT and an IN field.
const relationTypes = [
  "DIRECTS", "COORDINATES", "PART_OF", "PAIRED_WITH", "ESTABLISHED",
  "LICENSES", "LOCATED_IN", "TRANSFERS_WORKERS_TO", "SUPPLIES",
];
const camel = (t) => t.toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase());
const relFields = relationTypes.flatMap((t) => [
  `  out${camel(t)}: [Entity!]! @relationship(type: "${t}", direction: OUT, properties: "RelProps")`,
  `  in${camel(t)}: [Entity!]! @relationship(type: "${t}", direction: IN, properties: "RelProps")`,
]).join("\n");

// Responsibility-bearing types by the way a step runs, from aidtrace's
// registry (aidbench passes them: RESPONSIBILITY_TYPES, {"from": [...],
// "to": [...]}): up, a FROM_IS_RESPONSIBLE relation is walked against its
// direction, a TO_IS_RESPONSIBLE one with it.
const responsibility = JSON.parse(process.env.RESPONSIBILITY_TYPES || "null");
if (!responsibility) throw new Error("RESPONSIBILITY_TYPES is not set (aidbench sets it from the registry)");
const fromResponsible = responsibility.from;
const toResponsible = responsibility.to;
const list = (xs) => "[" + xs.map((x) => `'${x}'`).join(", ") + "]";
const labels = [...fromResponsible, ...toResponsible].sort().join("|");

// The chains as paths, as the raw floor matches them (bench/cmd/aidbench/
// raw.go: one branch per length down, steps expanding only responsibility
// types; up, the {1,8} pattern the floor used before it read what the
// chains reach, which returns no chains for a @cypher field to page) with
// no asOf, maxDepth 8, then the page.
const stepClause = (r, a, viaIn, viaOut) =>
  `((type(${r}) IN ${list(viaIn)} AND endNode(${r}) = ${a}) OR (type(${r}) IN ${list(viaOut)} AND startNode(${r}) = ${a}))`;
const chainCypher = (up) => {
  const viaIn = up ? fromResponsible : toResponsible;
  const viaOut = up ? toResponsible : fromResponsible;
  const step = stepClause("r", "a", viaIn, viaOut);
  const step2 = stepClause("r2", "end", viaIn, viaOut);
  const branch = (d) => `
  MATCH p = (root) ((a)-[r:${labels}]-(b) WHERE ${step}){${d}} (end)
  WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
  WITH p, NOT EXISTS {
    MATCH (end)-[r2:${labels}]-(x) WHERE ${step2} AND NOT x IN nodes(p)
  } AS complete
  WHERE complete OR ${d} = 8
  RETURN p, complete`;
  const match = up
    ? `
MATCH (root:Entity {id: $id})
MATCH p = (root) ((a)-[r:${labels}]-(b) WHERE ${step}){1,8} (end)
WHERE all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[i+1..])
WITH p, end, NOT EXISTS {
  MATCH (end)-[r2:${labels}]-(x) WHERE ${step2} AND NOT x IN nodes(p)
} AS complete
WHERE complete OR length(p) = 8
WITH p, complete ORDER BY length(p)`
    : `
MATCH (root:Entity {id: $id})
CALL (root) {${[1, 2, 3, 4, 5, 6, 7, 8].map(branch).join("\n  UNION ALL")}
}
WITH p, complete`;
  // Like aidtrace and the floor, every chain (at most 2,001) is found so
  // that the page can be the complete chains first, then the shortest
  // (aidtrace also weighs them by evidence, in Go); the library returns the
  // first $first of them.
  return `${match}
LIMIT 2001
WITH p, complete ORDER BY complete DESC, length(p)
LIMIT $first
RETURN {complete: complete,
        nodes: [n IN nodes(p) | {id: n.id, name: n.name}],
        relations: [x IN relationships(p) | {id: x.id, type: type(x), fromId: startNode(x).id, toId: endNode(x).id,
                    validFrom: x.validFrom, validTo: x.validTo, confidence: x.confidence}]} AS row`;
};

const typeDefs = `#graphql
type Entity @node(labels: ["Entity"]) @fulltext(indexes: [{indexName: "entity_names", queryName: "searchEntities", fields: ["name", "nameZh", "aliasText"]}]) {
  id: ID!
  kind: String!
  name: String!
  nameZh: String
  aliasText: String
  aliases: [String!]
  description: String
  validFrom: String
  validTo: String
  citations: String
  synthetic: Boolean
${relFields}
}

type RelProps @relationshipProperties {
  id: ID!
  validFrom: String
  validTo: String
  confidence: String
  quantities: String
  citations: String
  synthetic: Boolean
}

type NodeRef { id: ID! name: String! kind: String }
type RelRef { id: ID! type: String! fromId: ID! toId: ID! validFrom: String validTo: String confidence: String }
type ChainRow { complete: Boolean! nodes: [NodeRef!]! relations: [RelRef!]! }
type PathRow { length: Int! nodes: [NodeRef!]! relations: [RelRef!]! }
type GraphRow { truncated: Boolean! nodes: [NodeRef!]! edges: [RelRef!]! }

type Query {
  chainUp(id: ID!, first: Int = 50): [ChainRow!]! @cypher(columnName: "row", statement: """${chainCypher(true)}""")
  chainDown(id: ID!, first: Int = 50): [ChainRow!]! @cypher(columnName: "row", statement: """${chainCypher(false)}""")
  shortestPath(from: ID!, to: ID!): [PathRow!]! @cypher(columnName: "row", statement: """
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = shortestPath((a)-[*..6]-(b))
WHERE all(r IN relationships(p) WHERE r.retractedAt IS NULL)
WITH p ORDER BY length(p) LIMIT 5
RETURN {length: length(p),
        nodes: [n IN nodes(p) | {id: n.id, name: n.name}],
        relations: [x IN relationships(p) | {id: x.id, type: type(x), fromId: startNode(x).id, toId: endNode(x).id}]} AS row""")
  neighborhood(id: ID!, limit: Int = 500): GraphRow @cypher(columnName: "row", statement: """
MATCH (s:Entity) WHERE s.id = $id
MATCH (s)-[rs*0..2]-(n:Entity)
WITH DISTINCT n
ORDER BY CASE WHEN n.id = $id THEN 0 ELSE 1 END, n.id
LIMIT $limit + 1
WITH collect(n) AS found
WITH found[0..$limit] AS ns, size(found) > $limit AS truncated
WITH ns, truncated, [n IN ns | n.id] AS ids
CALL (ids) {
  UNWIND ids AS id
  MATCH (a:Entity {id: id})-[r]->(b:Entity)
  WHERE b.id IN ids
  RETURN collect({id: r.id, type: type(r), fromId: a.id, toId: b.id}) AS edges
}
RETURN {truncated: truncated, nodes: [n IN ns | {id: n.id, name: n.name, kind: n.kind}], edges: edges} AS row""")
}
`;

const driver = neo4j.driver(uri, auth, { maxConnectionPoolSize: 50 });
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
// Fails when the database lacks what the library needs (APOC core, Neo4j 5).
await neoSchema.checkNeo4jCompat();
if (process.argv.includes("--print-schema")) {
  const { printSchema } = await import("graphql");
  console.log(printSchema(schema));
  process.exit(0);
}
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(`NEO4J-GRAPHQL READY ${url}`);
const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
