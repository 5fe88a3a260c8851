/**
 * A slow webhook receiver does not hold up other destinations' deliveries. A claimed batch is
 * recorded when its last delivery answers; without the slow lane, rows to a fast receiver that were
 * claimed with rows to a receiver taking seconds waited those seconds too (and another tenant's
 * receiver could slow everyone down). After SLOW_DELIVERY_MS unanswered, a destination's rows go
 * through their own lane, and the others are delivered at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_DELIVERY_MS } from '../../src/automations/delivery.js';
import { registry } from '../../src/metrics/metrics.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startHookServer, waitFor, type TestHookServer } from './helpers.js';

let t: TestApp;
let slowHooks: TestHookServer;
let fastHooks: TestHookServer;
let token: string;
let fastToken: string;

const SLOW_MS = SLOW_DELIVERY_MS + 2_500;

beforeAll(async () => {
  slowHooks = await startHookServer();
  slowHooks.delayMs = SLOW_MS;
  fastHooks = await startHookServer();
  t = await startTestApp({ worker: true, config: { webhookAllowHosts: ['127.0.0.1'] } });
  token = (await t.createOrg('Slow Inc')).token;
  fastToken = (await t.createOrg('Fast Inc')).token;
  for (const tok of [token, fastToken]) expect((await t.http('POST', '/v1/events', { token: tok, body: ORDER_COMPLETED })).status).toBe(201);
  const flow = (url: string) => ({
    name: 'notify',
    status: 'enabled',
    steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'call', type: 'webhook', url }],
    connections: [{ from: 'trigger', to: 'call' }],
  });
  expect((await t.http('POST', '/v1/automations', { token, body: flow(`${slowHooks.url}/slow`) })).status).toBe(201);
  expect((await t.http('POST', '/v1/automations', { token: fastToken, body: flow(`${fastHooks.url}/fast`) })).status).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await slowHooks?.close();
  await fastHooks?.close();
});

const sendBoth = async (n: number, tag: string) => {
  const events = Array.from({ length: n }, (_, i) => ({ event: 'order.completed', email: `${tag}-${i}@example.com`, data: { order_id: `${tag}-${i}`, total: i } }));
  // both organizations' rows become due together, so they are claimed into the same batches
  const [a, b] = await Promise.all([
    t.http('POST', '/v1/events/send', { token, body: { events } }),
    t.http('POST', '/v1/events/send', { token: fastToken, body: { events } }),
  ]);
  expect([a.status, b.status]).toEqual([202, 202]);
  return Date.now();
};

const completedRuns = async () => (await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_runs where status = 'completed'`)).rows[0]!.n;

describe('a slow webhook destination', () => {
  it("is given its own lane: another tenant's webhooks claimed with it are not held for its answers", async () => {
    // The first rows to the slow receiver are claimed with the fast one's: the batch waits for them,
    // and the slow destination is marked after SLOW_DELIVERY_MS.
    await sendBoth(5, 'first');
    await waitFor(() => fastHooks.requests.length === 5 && slowHooks.requests.length === 5, 20_000, 'first deliveries');
    await waitFor(() => completedRuns().then((n) => n === 10), 20_000, 'the first runs completed (the slow receiver answered)');
    const gauge = (await registry.getSingleMetric('arsel_delivery_slow_destinations')!.get()).values[0]?.value;
    expect(gauge).toBe(1); // the slow receiver's host:port, not the fast one's

    // Now every fast row is delivered without waiting for the slow receiver's answers.
    const sentAt = await sendBoth(30, 'second');
    await waitFor(() => fastHooks.requests.length === 35, 20_000, 'fast deliveries');
    const fastLast = Math.max(...fastHooks.requests.slice(5).map((r) => r.at)) - sentAt;
    expect(fastLast).toBeLessThan(SLOW_MS - 1_000);
    // The slow receiver gets every one too, each once, and its runs complete.
    await waitFor(() => slowHooks.requests.length === 35, 30_000, 'slow deliveries');
    expect(new Set(slowHooks.requests.map((r) => r.headers['idempotency-key'])).size).toBe(35);
    await waitFor(() => completedRuns().then((n) => n === 70), 30_000, 'all runs completed');
  });
});
