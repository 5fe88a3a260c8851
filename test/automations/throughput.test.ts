/**
 * Throughput (opt-in: AUTOMATIONS_BENCH=1 [AUTOMATIONS_BENCH_SENDS=10000]): accepted sends each
 * triggering a two-step automation (condition → send_email, log transport) in one process with the
 * worker; reports runs completed per second and the backlog every second until it drains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED } from './helpers.js';

const N = Number(process.env.AUTOMATIONS_BENCH_SENDS ?? 10_000);
let t: TestApp;

describe.skipIf(!process.env.AUTOMATIONS_BENCH)('automation throughput', () => {
  beforeAll(async () => {
    t = await startTestApp({ worker: true, config: { workerBatchSize: 100, eventBudget: 0 } });
  });
  afterAll(() => t?.close());

  it(`${N} sends → ${N} runs completed`, async () => {
    const { token } = await t.createOrg('Bench');
    await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED });
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'two steps',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gte', value: 0 } },
          { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}', body: 'Total {{ event.total }}' },
        ],
        connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'mail' }],
      },
    });
    expect(a.body.status).toBe('enabled');
    const started = Date.now();
    for (let i = 0; i < N; i += 500) {
      const events = Array.from({ length: Math.min(500, N - i) }, (_, j) => ({ event: 'order.completed', email: `b${i + j}@example.com`, data: { order_id: `o-${i + j}`, total: j } }));
      const r = await t.http('POST', '/v1/events/send', { token, body: { events } });
      expect(r.status).toBe(202);
    }
    const acceptedMs = Date.now() - started;
    const samples: string[] = [];
    let completed = 0;
    let firstDone = 0;
    for (;;) {
      const r = await t.deps.pool.query<{ runs: number; done: number; sent: number; pending_sends: number }>(
        `select (select count(*)::int from automation_runs) as runs,
                (select count(*)::int from automation_runs where status = 'completed') as done,
                (select count(*)::int from automation_runs where steps @> '[{"type":"send_email","details":{"delivery":"sent"}}]') as sent,
                (select count(*)::int from event_sends where status = 'accepted') as pending_sends`,
      );
      const s = r.rows[0]!;
      if (!firstDone && s.done) firstDone = Date.now();
      completed = s.done;
      samples.push(`t=${((Date.now() - started) / 1000).toFixed(0)}s accepted-unprocessed=${s.pending_sends} runs=${s.runs} completed=${s.done} emails-sent=${s.sent} backlog=${N - s.sent}`);
      if (s.sent >= N || Date.now() - started > 600_000) break;
      await new Promise((res) => setTimeout(res, 1_000));
    }
    const totalS = (Date.now() - started) / 1000;
    console.log([`accepted ${N} sends in ${(acceptedMs / 1000).toFixed(1)} s`, ...samples, `${completed} runs completed, all emails delivered after ${totalS.toFixed(1)} s: ${(N / totalS).toFixed(0)} runs/s end to end`].join('\n'));
    expect(completed).toBe(N);
  }, 900_000);
});
