/** Automation test runs: the flow in memory, the log it would produce, nothing sent or recorded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAutomationDoc } from '../graphql/features.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let flow: { id: string };

const n = async (sql: string) => Number((await t.deps.pool.query(sql)).rows[0].n);
const traces = async () => ({
  runs: await n('select count(*) n from automation_runs'),
  outbox: await n('select count(*) n from automation_outbox'),
  sends: await n('select count(*) n from event_sends'),
  contacts: await n('select count(*) n from contacts'),
  jobs: await n(`select count(*) n from pgboss.job where name not like '\\_\\_%'`),
});
const run = (id: string, body: unknown) => t.http('POST', `/v1/automations/${id}/test`, { token, body });

beforeAll(async () => {
  t = await startTestApp({ worker: true, config: { webhookAllowHosts: [] } });
  token = (await t.createOrg('Acme')).token;
  const ev = { name: 'order', schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }, { name: 'on', type: 'date' }] } };
  expect((await t.http('POST', '/v1/events', { token, body: ev })).status).toBe(201);
  const r = await t.http('POST', '/v1/automations', {
    token,
    body: {
      name: 'big orders',
      status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'order' },
        { key: 'big', type: 'condition', if: { field: 'event.total', op: 'gte', value: 100 } },
        { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}\nconfirmed', body: 'Hi {{ contact.email }}, {{ event.total }} on {{ event.on | date: "%Y-%m-%d" }}' },
        { key: 'pause', type: 'wait', duration: 'PT2H' },
        { key: 'hook', type: 'webhook', url: 'https://hooks.example.com/orders' },
      ],
      connections: [{ from: 'trigger', to: 'big' }, { from: 'big', outcome: 'condition_met', to: 'mail' }, { from: 'mail', to: 'pause' }, { from: 'pause', to: 'hook' }],
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  flow = r.body;
});
afterAll(() => t?.close());

describe('POST /v1/automations/{id}/test', () => {
  it('runs the flow in memory: branch with the values compared, rendered email, wait duration, webhook URL and body; records nothing', async () => {
    const before = await traces();
    const r = await run(flow.id, { data: { order_id: 'o-9', total: 250, on: '2026-06-01T12:00:00+03:00' }, email: 'jane@example.com' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ object: 'automation_test_run', automation_id: flow.id, status: 'completed', issues: [], error: null });
    expect(r.body.steps.map((s: any) => [s.step, s.outcome, s.next])).toEqual([
      ['trigger', 'triggered', 'big'],
      ['big', 'condition_met', 'mail'],
      ['mail', 'would_send', 'pause'],
      ['pause', 'would_wait', 'hook'],
      ['hook', 'would_call', null],
    ]);
    expect(r.body.steps[1].details).toEqual({ field: 'event.total', op: 'gte', value: 100, actual: 250, met: true });
    expect(r.body.steps[2].details).toMatchObject({ to: 'jane@example.com', subject: 'Order o-9 confirmed', body: 'Hi jane@example.com, 250 on 2026-06-01' });
    expect(r.body.steps[3].details).toEqual({ duration: 'PT2H', duration_ms: 7_200_000 });
    expect(r.body.steps[4].details.url).toBe('https://hooks.example.com/orders');
    expect(JSON.parse(r.body.steps[4].details.body)).toMatchObject({ event: { name: 'order', data: { order_id: 'o-9', total: 250, on: '2026-06-01T09:00:00.000Z' } }, contact: { email: 'jane@example.com', properties: {} }, automation_id: flow.id, step: 'hook' });
    // The contact as a real run posts it (contact.context.ts), not an older shape.
    expect(JSON.parse(r.body.steps[4].details.body).contact).not.toHaveProperty('attributes');
    expect(await traces()).toEqual(before);
  });

  it('takes the other branch with the value that decided it', async () => {
    const r = await run(flow.id, { data: { order_id: 'o-1', total: 5 }, email: 'a@example.com' });
    expect(r.body.steps.map((s: any) => s.outcome)).toEqual(['triggered', 'condition_not_met']);
    expect(r.body.steps[1].details).toMatchObject({ actual: 5, met: false });
    expect(r.body.status).toBe('completed');
  });

  it('validates the payload against the trigger schema (422 schema_mismatch), and the request', async () => {
    const r = await run(flow.id, { data: { total: 'x' }, email: 'a@example.com' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ name: 'schema_mismatch', errors: [{ field: 'total', message: 'must be a number' }, { field: 'order_id', message: 'is required' }] });
    expect((await run(flow.id, { email: 'a@example.com' })).status).toBe(422);
    expect((await run(flow.id, { data: { order_id: 'o', total: 1 }, email: 'a@example.com', contact_id: '0195f3a0-0000-7000-8000-000000000000' })).status).toBe(400);
    expect((await run(flow.id, { data: { order_id: 'o', total: 1 }, contact_id: '0195f3a0-0000-7000-8000-000000000000' })).status).toBe(404);
    expect((await run('0195f3a0-0000-7000-8000-000000000000', { data: {} })).status).toBe(404);
  });

  it('works on drafts, with their issues shown; a step that cannot run fails the test run', async () => {
    const d = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'draft',
        steps: [{ key: 'trigger', type: 'trigger', event: 'order' }, { key: 'mail', type: 'send_email', subject: 'Hi {{ event.nope }}', body: 'x', to: '{{ event.order_id }}' }],
        connections: [{ from: 'trigger', to: 'mail' }],
      },
    });
    expect(d.body.status).toBe('draft');
    const r = await run(d.body.id, { data: { order_id: 'not-an-email', total: 1 } });
    expect(r.status).toBe(200);
    expect(r.body.issues.map((i: any) => i.message)).toEqual(['steps[mail].subject: unknown field event.nope']);
    expect(r.body.status).toBe('failed');
    expect(r.body.steps[1]).toMatchObject({ step: 'mail', outcome: 'failed', error: 'no valid recipient (got "not-an-email")' });
  });

  it('GraphQL testAutomation', async () => {
    const r = await t.gql(TestAutomationDoc, { id: flow.id, input: { data: { order_id: 'g', total: 100 }, email: 'g@example.com' } }, token);
    expect(r.errors).toBeUndefined();
    const run = r.data!.testAutomation;
    expect(run.status).toBe('completed');
    expect(run.steps[2].details).toMatchObject({ subject: 'Order g confirmed', to: 'g@example.com' });
    const bad = await t.gql(TestAutomationDoc, { id: flow.id, input: { data: { total: 'x' } } }, token);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'SCHEMA_MISMATCH', status_code: 422 });
  });
});
