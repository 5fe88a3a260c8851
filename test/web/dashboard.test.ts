/**
 * The dashboard and playground as served (dist/web, built by `npm run build`), the documents they
 * send, and the GraphQL they need: sendStats and the API-key mutations.
 */
import fs from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  if (!fs.existsSync('dist/web/index.html')) throw new Error('dist/web is missing: run `npm run build` (npm test does it in pretest)');
  t = await startTestApp({ worker: true });
  token = (await t.createOrg()).token;
});
afterAll(() => t?.close());

const gql = async (query: string, variables: Record<string, unknown> = {}, key = token) =>
  (await t.http('POST', '/graphql', { token: key, body: { query, variables } })).body;

it('serves the dashboard, its deep links and its assets without a key; / sends browsers there', async () => {
  const page = await t.http('GET', '/dashboard');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(page.text)![1];
  const asset = await t.http('GET', script);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toContain('text/javascript');
  expect(asset.headers.get('cache-control')).toContain('immutable');
  expect((await t.http('GET', '/dashboard/events/order.completed')).text).toBe(page.text);
  expect((await t.http('GET', '/dashboard/assets/nope.js')).status).toBe(404);
  expect((await t.http('GET', '/dashboard/assets/..%2Fpackage.json')).status).toBe(404);
  const home = await fetch(`${t.baseUrl}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
  expect(home.status).toBe(302);
  expect(home.headers.get('location')).toBe('/dashboard');
  const api = await t.http('GET', '/');
  expect(api.status).toBe(404);
  expect(api.body.message).toContain('/dashboard');
});

it('GET /graphql from a browser is the playground (no key needed); no page references another host', async () => {
  const r = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
  expect(r.status).toBe(200);
  const html = await r.text();
  expect(html).toContain('<title>GraphQL playground · arsel-events</title>');
  for (const f of fs.readdirSync('dist/web/assets').filter((n) => n.endsWith('.css') || n.endsWith('.html'))) {
    expect(fs.readFileSync(`dist/web/assets/${f}`, 'utf8'), f).not.toMatch(/url\(\s*["']?https?:/);
  }
  expect(html + fs.readFileSync('dist/web/index.html', 'utf8')).not.toMatch(/(src|href)="https?:/);
});

it("the dashboard's documents are valid against the committed SDL and web/src/gql is up to date", () => {
  const schema = buildSchema(fs.readFileSync('schema/schema.graphql', 'utf8'));
  const source = fs.readFileSync('web/src/dashboard/operations.ts', 'utf8');
  const docs = [...source.matchAll(/graphql\(`([^`]*)`\)/g)].map((m) => m[1]);
  expect(docs.length).toBeGreaterThan(15);
  const generated = fs.readFileSync('web/src/gql/gql.ts', 'utf8');
  for (const d of docs) {
    expect(validate(schema, parse(d)).map((e) => e.message)).toEqual([]);
    expect(generated.includes(JSON.stringify(d)), `web/src/gql is stale for:${d}\nrun npm run codegen`).toBe(true);
  }
});

it('sendStats counts accepted and rejected sends per bucket', async () => {
  await t.http('POST', '/v1/events', { token, body: { name: 'order.completed', schema: { fields: [{ name: 'total', type: 'number', required: true }] } } });
  for (const total of [1, 2, 'x']) await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'a@b.co', data: { total } } });
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const r = await gql('query($from: DateTimeISO!) { sendStats(event: "order.completed", from: $from, bucket: MINUTE) { accepted rejected points { start accepted rejected } } }', { from });
  expect(r.errors).toBeUndefined();
  const s = r.data.sendStats;
  expect([s.accepted, s.rejected]).toEqual([2, 1]);
  expect(s.points.length).toBeGreaterThanOrEqual(60);
  const last = s.points.filter((p: any) => p.accepted + p.rejected > 0);
  expect(last.reduce((n: number, p: any) => n + p.accepted, 0)).toBe(2);
  // Earlier than every send: nothing.
  const before = await gql('query { sendStats(event: "order.completed", from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z", bucket: DAY) { accepted rejected points { start } } }');
  expect(before.data.sendStats).toEqual({ accepted: 0, rejected: 0, points: [{ start: '2020-01-01T00:00:00.000Z' }] });
  const tooMany = await gql('query { sendStats(event: "order.completed", from: "2020-01-01T00:00:00Z", bucket: MINUTE) { accepted } }');
  expect(tooMany.errors[0].extensions.code).toBe('VALIDATION_ERROR');
  const unknown = await gql('query { sendStats(event: "nope", from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z", bucket: DAY) { accepted } }');
  expect(unknown.errors[0].extensions.code).toBe('NOT_FOUND');
});

it('API keys over GraphQL: list, create (works at once, shown once), revoke (refused at once); only your own', async () => {
  const list = await gql('{ apiKeys { id prefix current revokedAt } }');
  expect(list.data.apiKeys).toHaveLength(1);
  expect(list.data.apiKeys[0]).toMatchObject({ current: true, revokedAt: null });
  const created = await gql('mutation { createApiKey(name: "ci") { token apiKey { id name prefix current } } }');
  const { token: second, apiKey } = created.data.createApiKey;
  expect(second).toMatch(/^be_[A-Za-z0-9_-]{43}$/);
  expect(apiKey).toMatchObject({ name: 'ci', prefix: second.slice(0, 11), current: false });
  expect((await t.http('GET', '/v1/events', { token: second })).status).toBe(200);
  expect((await gql('mutation { createApiKey(name: "  ") { token } }')).errors[0].message).toBe('name must be between 1 and 200 characters');
  const other = await t.createOrg('Other');
  const foreign = await gql(`mutation { revokeApiKey(id: "${apiKey.id}") { id } }`, {}, other.token);
  expect(foreign.errors[0].extensions.code).toBe('NOT_FOUND');
  const revoked = await gql(`mutation { revokeApiKey(id: "${apiKey.id}") { id revokedAt } }`);
  expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
  expect((await t.http('GET', '/v1/events', { token: second })).status).toBe(401);
  expect((await gql('{ apiKeys { id } }')).data.apiKeys).toHaveLength(2);
});

it('an organization creates at most 100 API keys itself (revoked ones included), so apiKeys stays a bounded list', async () => {
  const org = await t.createOrg('Many keys');
  for (let i = 1; i < 100; i++) {
    const r = await gql(`mutation { createApiKey(name: "k${i}") { apiKey { id } } }`, {}, org.token);
    expect(r.errors, `key ${i + 1}`).toBeUndefined();
    if (i % 10 === 0) await gql(`mutation { revokeApiKey(id: "${r.data.createApiKey.apiKey.id}") { id } }`, {}, org.token);
  }
  const refused = await gql('mutation { createApiKey(name: "one too many") { token } }', {}, org.token);
  expect(refused.errors[0].extensions.code).toBe('CONFLICT');
  expect(refused.errors[0].message).toMatch(/100 API keys/);
  expect((await gql('{ apiKeys { id } }', {}, org.token)).data.apiKeys).toHaveLength(100);
});
