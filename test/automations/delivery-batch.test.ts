/**
 * A delivery lane claims up to DELIVERY_BATCH due outbox rows, but only as many payload bytes as
 * its budget allows (at least one row), so what one lane holds in memory is bounded whatever the
 * templates render. Rows over the budget wait, locked, for the next claim; each is delivered once.
 * With SMTP, a batch takes at most the transport's batchLimit emails (webhooks are claimed first).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Deliverer, DELIVERY_BATCH } from '../../src/automations/delivery.js';
import { SMTP_POOL_CONNECTIONS } from '../../src/automations/steps/transports.js';
import { processSends } from '../../src/sends/send.worker.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startHookServer, startSmtp, type TestHookServer } from './helpers.js';

let t: TestApp;
let hooks: TestHookServer;
let token: string;

beforeAll(async () => {
  hooks = await startHookServer();
  t = await startTestApp({ config: { webhookAllowHosts: ['127.0.0.1'] } }); // no worker: this test runs the steps itself
  token = (await t.createOrg('Budget Inc')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
  const flow = {
    name: 'notify',
    status: 'enabled',
    steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'call', type: 'webhook', url: `${hooks.url}/budget` }],
    connections: [{ from: 'trigger', to: 'call' }],
  };
  expect((await t.http('POST', '/v1/automations', { token, body: flow })).status).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await hooks?.close();
});

/** Sends n orders and starts their runs; returns their outbox rows' payload sizes (as text, in due order). */
async function outboxOf(n: number, tag: string, tok = token, pad = 2_000): Promise<number[]> {
  const events = Array.from({ length: n }, (_, i) => ({ event: 'order.completed', email: `${tag}-${i}@example.com`, data: { order_id: `${tag}-${i}-${'x'.repeat(pad)}`, total: i } }));
  const sent = await t.http('POST', '/v1/events/send', { token: tok, body: { events } });
  expect(sent.status).toBe(202);
  const ids: string[] = sent.body.results.map((r: { id: string }) => r.id);
  expect(await processSends(t.deps, ids)).toBe(n);
  const r = await t.deps.pool.query<{ bytes: number }>(
    `select octet_length(payload::text) as bytes from automation_outbox
      where run_id in (select id from automation_runs where send_id = any($1::uuid[])) order by next_attempt_at, id`,
    [ids],
  );
  return r.rows.map((x) => x.bytes);
}

it('claims as many rows as the byte budget holds, at least one, and delivers each once', async () => {
  const sizes = await outboxOf(5, 'small-budget');
  expect(sizes).toHaveLength(5);
  // A budget of two rows' payloads: batches of 2, 2, 1.
  const d = new Deliverer(t.deps, { batchBytes: sizes[0]! + sizes[1]! });
  const batches: number[] = [];
  for (let n = await d.deliverBatch(); n > 0; n = await d.deliverBatch()) batches.push(n);
  expect(batches).toEqual([2, 2, 1]);
  // A budget smaller than one row still delivers, one row at a time.
  await outboxOf(2, 'tiny-budget');
  const tiny = new Deliverer(t.deps, { batchBytes: 1 });
  const one: number[] = [];
  for (let n = await tiny.deliverBatch(); n > 0; n = await tiny.deliverBatch()) one.push(n);
  expect(one).toEqual([1, 1]);
  // The default budget takes the whole small batch at once.
  await outboxOf(4, 'default-budget');
  expect(await new Deliverer(t.deps).deliverBatch()).toBe(4);

  expect(hooks.requests).toHaveLength(11);
  expect(new Set(hooks.requests.map((r) => r.headers['idempotency-key'])).size).toBe(11);
  const left = await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_outbox`);
  expect(left.rows[0]!.n).toBe(0);
  const done = await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_runs where status = 'completed'`);
  expect(done.rows[0]!.n).toBe(11);
});

it('with SMTP, a batch takes the webhooks due and at most batchLimit emails; the rest go in the next', async () => {
  const smtp = await startSmtp();
  try {
    const tok = (await t.createOrg('Mail Inc')).token;
    expect((await t.http('POST', '/v1/events', { token: tok, body: ORDER_COMPLETED })).status).toBe(201);
    const flow = {
      name: 'mail and notify',
      status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'order.completed' },
        { key: 'mail', type: 'send_email', to: '{{ contact.email }}', subject: 'Order {{ event.total }}', body: 'Thanks' },
        { key: 'call', type: 'webhook', url: `${hooks.url}/mail` },
      ],
      connections: [{ from: 'trigger', to: 'mail' }, { from: 'mail', to: 'call' }],
    };
    expect((await t.http('POST', '/v1/automations', { token: tok, body: flow })).status).toBe(201);
    const limit = SMTP_POOL_CONNECTIONS * 10;
    const n = limit + 50;
    expect(n).toBeLessThan(DELIVERY_BATCH);
    const before = hooks.requests.length;
    expect(await outboxOf(n, 'mail', tok, 0)).toHaveLength(2 * n); // an email and a webhook per run
    const d = new Deliverer({ ...t.deps, config: { ...t.deps.config, smtpUrl: smtp.url } });
    const batches: number[] = [];
    for (let k = await d.deliverBatch(); k > 0; k = await d.deliverBatch()) batches.push(k);
    await d.stop();
    expect(batches).toEqual([n + limit, n - limit]);
    expect(smtp.mails).toHaveLength(n);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(n);
    expect(hooks.requests.length - before).toBe(n);
  } finally {
    await smtp.close();
  }
});
