/**
 * Automations in real time: with the workers' polls slowed to 10 s, a send still reaches its run's
 * first step and its webhook receiver at once (wake-ups from the group commit, the outbox and a
 * wait's due time, src/shared/wake.ts); the run log records when the send was accepted, when the
 * run started and when each step ran, on the clock of the step (never the transaction's start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startHookServer, waitFor, type TestHookServer } from './helpers.js';

let t: TestApp;
let hooks: TestHookServer;
let token: string;
const receivedAt: number[] = [];

beforeAll(async () => {
  hooks = await startHookServer();
  t = await startTestApp({ worker: true, config: { pollingIntervalSeconds: 10, webhookAllowHosts: ['127.0.0.1'] } });
  token = (await t.createOrg('Realtime')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
  const n = hooks.requests.push.bind(hooks.requests);
  hooks.requests.push = (...items) => {
    receivedAt.push(Date.now());
    return n(...items);
  };
});
afterAll(async () => {
  await t?.close();
  await hooks?.close();
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('wake-ups instead of polls', () => {
  it('send → first step and send → webhook received without waiting for a poll', async () => {
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'ping',
        status: 'enabled',
        steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'hook', type: 'webhook', url: `${hooks.url}/ping` }],
        connections: [{ from: 'trigger', to: 'hook' }],
      },
    });
    expect(a.status).toBe(201);
    const sendToHook: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = hooks.requests.length;
      const sentAt = Date.now();
      expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: `p${i}@example.com`, data: { order_id: `p-${i}`, total: i } } })).status).toBe(202);
      await waitFor(() => hooks.requests.length > before, 15_000, 'webhook');
      sendToHook.push(receivedAt[before]! - sentAt);
      await new Promise((r) => setTimeout(r, 50));
    }
    // With 10 s polls, a poll-driven pipeline would take seconds; woken, it takes milliseconds.
    expect(median(sendToHook)).toBeLessThan(1_000);
    const runs = (await t.http('GET', `/v1/automations/${a.body.id}/runs?limit=100`, { token })).body.data;
    expect(runs).toHaveLength(8);
    for (const r of runs) {
      expect(r.status).toBe('completed');
      expect(typeof r.accepted_at).toBe('string');
      expect(Date.parse(r.started_at)).toBeGreaterThanOrEqual(Date.parse(r.accepted_at));
      expect(r.start_delay_ms).toBe(Date.parse(r.started_at) - Date.parse(r.accepted_at));
      expect(r.total_ms).toBe(Date.parse(r.finished_at) - Date.parse(r.accepted_at));
      // The webhook step finished when its delivery settled, with the response status.
      const hook = r.steps.find((s: any) => s.step === 'hook');
      expect(hook).toMatchObject({ outcome: 'delivered', details: { status: 200 } });
      expect(Date.parse(hook.finished_at)).toBeGreaterThanOrEqual(Date.parse(hook.started_at));
    }
    expect(median(runs.map((r: any) => r.start_delay_ms))).toBeLessThan(1_000);
  });

  it('a wait resumes when it comes due, not at the next poll', async () => {
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'pause',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'check', type: 'condition', if: { field: 'event.total', op: 'eq', value: 4242 } },
          { key: 'pause', type: 'wait', duration: 'PT1S' },
          { key: 'hook', type: 'webhook', url: `${hooks.url}/later` },
        ],
        connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'pause' }, { from: 'pause', to: 'hook' }],
      },
    });
    expect(a.status).toBe(201);
    const before = hooks.requests.filter((r) => r.json?.step === 'hook' && r.json?.automation_id === a.body.id).length;
    expect(before).toBe(0);
    expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'w@example.com', data: { order_id: 'w-1', total: 4242 } } })).status).toBe(202);
    const run = await waitFor(async () => (await t.http('GET', `/v1/automations/${a.body.id}/runs`, { token })).body.data.find((r: any) => r.status === 'completed'), 15_000, 'run completed');
    const resumeAt = Date.parse(run.steps.find((s: any) => s.step === 'pause').details.resume_at);
    const hookStep = run.steps.find((s: any) => s.step === 'hook');
    // Resumed by the due-time timer (well before a 10 s poll).
    expect(Date.parse(hookStep.started_at) - resumeAt).toBeLessThan(3_000);
    expect(Date.parse(hookStep.started_at)).toBeGreaterThanOrEqual(resumeAt);
  });
});

describe('run timestamps are the clock of the step', () => {
  it('every completed run finished at or after its last step started', async () => {
    await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'many',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gte', value: 0 } },
          { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}', body: 'Total {{ event.total }}' },
        ],
        connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'mail' }],
      },
    });
    const batch = Array.from({ length: 100 }, (_, i) => ({ event: 'order.completed', email: `m${i % 7}@example.com`, data: { order_id: `m-${i}`, total: i } }));
    for (let k = 0; k < 3; k++) expect((await t.http('POST', '/v1/events/send', { token, body: { events: batch } })).status).toBeLessThan(300);
    await waitFor(async () => (await t.deps.pool.query(`select count(*)::int as n from automation_runs where status = 'completed'`)).rows[0].n >= 300 + 9, 30_000, 'runs completed');
    const bad = await t.deps.pool.query(
      `select id, finished_at, steps -> -1 ->> 'started_at' as last_started
         from automation_runs
        where status = 'completed' and (finished_at < (steps -> -1 ->> 'started_at')::timestamptz
              or finished_at < (steps -> -1 ->> 'finished_at')::timestamptz or started_at > finished_at or accepted_at > started_at)`,
    );
    expect(bad.rows).toEqual([]);
    const all = await t.deps.pool.query(`select count(*)::int as n from automation_runs where status = 'completed' and accepted_at is not null and started_at is not null`);
    expect(all.rows[0].n).toBeGreaterThanOrEqual(309);
  });
});
