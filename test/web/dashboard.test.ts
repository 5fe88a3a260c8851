import fs from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg()).token;
});
afterAll(() => t?.close());

it('serves the page, its script and its documents without a key (the page holds no data)', async () => {
  const page = await t.http('GET', '/dashboard');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.text).toContain('/dashboard/app.js');
  expect((await t.http('GET', '/dashboard/app.js')).status).toBe(200);
  const docs = await t.http('GET', '/dashboard/documents.graphql');
  expect(docs.text).toBe(fs.readFileSync('web/documents.graphql', 'utf8'));
});

it("the dashboard's documents are valid against the committed SDL", () => {
  const schema = buildSchema(fs.readFileSync('schema/schema.graphql', 'utf8'));
  expect(validate(schema, parse(fs.readFileSync('web/documents.graphql', 'utf8'))).map((e) => e.message)).toEqual([]);
});

it("each dashboard operation answers with data for a real event, its sends and an automation", async () => {
  const query = fs.readFileSync('web/documents.graphql', 'utf8');
  await t.http('POST', '/v1/events', { token, body: { name: 'order.completed', schema: { fields: [{ name: 'total', type: 'number', required: true }] } } });
  await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'a@b.co', data: { total: 'x' } } });
  const auto = await t.http('POST', '/v1/automations', {
    token,
    body: { name: 'noop', steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }], connections: [] },
  });
  expect(auto.status).toBe(201);
  const run = async (operationName: string, variables: Record<string, unknown>) => {
    const r = await t.http('POST', '/graphql', { token, body: { query, operationName, variables } });
    expect(r.body.errors).toBeUndefined();
    return r.body.data;
  };
  expect((await run('DashboardEvents', { first: 100 })).events.edges[0].node.name).toBe('order.completed');
  const sends = await run('DashboardSends', { event: 'order.completed', first: 50 });
  expect(sends.sends.edges[0].node).toMatchObject({ status: 'REJECTED', errors: [{ field: 'total', message: 'must be a number' }] });
  expect((await run('DashboardAutomations', { event: 'order.completed' })).automations.edges).toHaveLength(1);
  expect((await run('DashboardRuns', { automationId: auto.body.id })).automationRuns.edges).toEqual([]);
});
