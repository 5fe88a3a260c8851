/**
 * GraphQL limits (issue 19, item 3): 1,000 aliases and `{a0: sends(first: 100) {…} ×3000}` were
 * executed and stalled every tenant. Tokens, depth, aliases and cost (page sizes multiply, from a
 * literal or a variable) are now refused with BAD_REQUEST / HTTP 400 before anything executes,
 * while every operation the tests, the dashboard and the codegen documents use, and GraphiQL's
 * introspection query, still pass at their largest page size.
 */
import { getIntrospectionQuery, Kind, parse, print, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildGraphQLSchema } from '../../src/schema.js';
import { costVerdict, GRAPHQL_LIMITS, graphqlGuards } from '../../src/shared/graphql-guards.js';
import * as codegen from '../gql/graphql.js';
import * as webDocs from '../../web/src/gql/graphql.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const MAX_COST = loadConfig({}).graphqlMaxCost;
const INTROSPECTION = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });

describe('every known operation fits the limits', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGraphQLSchema();
  });

  it('codegen documents (test/graphql/*.documents.ts) at pages of 50 (the tests use at most 10), the dashboard at the pages it asks for, the introspection query', () => {
    const docs: [string, DocumentNode, number][] = (Object.entries(codegen).filter(([, v]) => (v as { kind?: string })?.kind === Kind.DOCUMENT) as [string, DocumentNode][]).map(([n, d]) => [n, d, 50]);
    expect(docs.length).toBeGreaterThan(20);
    // The dashboard's documents (web/src/gql, generated from web/src/dashboard/operations.ts), at the
    // largest page each page asks for (web/src/dashboard/pages/*.tsx).
    const webPages: Record<string, number> = { EventsDocument: 20, AutomationsDocument: 100, AutomationRunsDocument: 25, SendsDocument: 100 };
    const web = Object.entries(webDocs).filter(([n]) => n.endsWith('Document')) as [string, { toString(): string }][];
    expect(web.length).toBeGreaterThan(15);
    for (const [n, d] of web) docs.push([`web ${n}`, parse(d.toString()), webPages[n] ?? 100]);
    docs.push(['introspection', parse(INTROSPECTION), 0]);
    const guards = graphqlGuards(schema, MAX_COST);
    const check = (name: string, doc: DocumentNode, op: OperationDefinitionNode, first: number) => {
      expect(() => parse(print(doc), guards.parseOptions), name).not.toThrow(); // the text a client sends parses under the token limit
      expect(validate(schema, doc, guards.validationRules).map((e) => e.message), name).toEqual([]);
      const variables = Object.fromEntries((op.variableDefinitions ?? []).filter((v) => /^(first|last)$/.test(v.variable.name.value)).map((v) => [v.variable.name.value, first]));
      expect(costVerdict(schema, doc, op, variables, MAX_COST), `${name} ${op.name?.value}`).toBeNull();
    };
    const ops = (d: DocumentNode) => d.definitions.filter((x): x is OperationDefinitionNode => x.kind === Kind.OPERATION_DEFINITION);
    for (const [name, doc, first] of docs) for (const op of ops(doc)) check(name, doc, op, first);
  });
});

describe('over HTTP', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = (await t.createOrg('Limits')).token;
    expect((await t.http('POST', '/v1/events', { token, body: { name: 'lim.sent', schema: { fields: [{ name: 's', type: 'string' }] } } })).status).toBe(201);
    expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'lim.sent', email: 'a@b.co', data: { s: 'x' } } })).status).toBe(202);
  });
  afterAll(() => t?.close());

  const gql = (query: string, variables?: Record<string, unknown>) => t.http('POST', '/graphql', { token, body: { query, variables } });
  const SENDS = 'edges { node { id event status data email contactId timestamp createdAt processedAt failureReason errors { field message } } } pageInfo { hasNextPage endCursor }';

  async function refused(query: string, message: RegExp, variables?: Record<string, unknown>) {
    const r = await gql(query, variables);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.data).toBeUndefined(); // refused before execution
    expect(r.body.errors[0].message).toMatch(message);
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', status_code: 400 });
  }

  it('1,000 aliases, a too-deep selection, too many tokens: 400 BAD_REQUEST', async () => {
    const aliases = Array.from({ length: 1_000 }, (_, i) => `a${i}: events(first: 1) { pageInfo { hasNextPage } }`).join(' ');
    await refused(`{ ${aliases} }`, /Query has more than 2000 tokens/);
    const some = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: __typename x${i}: sends(first: 1) { pageInfo { hasNextPage } }`).join(' ');
    await refused(`{ ${some} }`, new RegExp(`Aliases limit of ${GRAPHQL_LIMITS.maxAliases} exceeded`));
    // No type nests deep enough for the depth limit; fragments of __type do.
    const deep = `{ __type(name: "Query") { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } }`;
    await refused(deep, new RegExp(`Query depth limit of ${GRAPHQL_LIMITS.maxDepth} exceeded`));
  });

  it('cost: page sizes multiply whether written inline or passed as variables; one full page of sends with every field is the most allowed', async () => {
    const heavy = (n: number, first = 100) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: sends(first: ${first}) { ${SENDS} }`).join(' ')} }`;
    expect((await gql(heavy(1))).status).toBe(200);
    await refused(heavy(2), new RegExp(`Query Cost limit of ${MAX_COST} exceeded, found \\d+`));
    await refused(heavy(300), /Query has more than 2000 tokens/); // (3,000 would not fit the 256 KiB body limit)
    const byVariable = `query($n: Int) { a: sends(first: $n) { ${SENDS} } b: sends(first: $n) { ${SENDS} } }`;
    await refused(byVariable, /Query Cost limit/, { n: 100 });
    // The same operation with small pages is fine (and verdicts are not cached across variable values).
    const small = await gql(byVariable, { n: 2 });
    expect(small.status, JSON.stringify(small.body)).toBe(200);
    expect(small.body.data.a.edges).toHaveLength(1);
    await refused(byVariable, /Query Cost limit/, { n: 100 });
    // An absent first costs the default page (20), not 1.
    const noFirst = await gql(`{ ${Array.from({ length: 12 }, (_, i) => `a${i}: sends { ${SENDS} }`).join(' ')} }`);
    const first20 = await gql(heavy(12, 20));
    expect(noFirst.status).toBe(400);
    expect(noFirst.body.errors[0].message).toBe(first20.body.errors[0].message);
    // A page larger than allowed is still the 422 it always was (its field reads nothing), inline or by variable.
    for (const r of [await gql(heavy(1, 101)), await gql(`query($n: Int) { sends(first: $n) { ${SENDS} } }`, { n: 1000 })]) {
      expect(r.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
      expect(r.body.errors[0].message).toMatch(/first must not be greater than 100/);
    }
  });

  it('GraphiQL\'s introspection query passes; field suggestions are hidden', async () => {
    const r = await gql(INTROSPECTION);
    expect(r.status).toBe(200);
    expect(r.body.data.__schema.queryType.name).toBe('Query');
    const typo = await gql('{ evnts { edges { node { id } } } }');
    expect(typo.status).toBe(400);
    expect(typo.body.errors[0].message).not.toContain('Did you mean');
  });
});
