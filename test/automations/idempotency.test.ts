/**
 * Exactly once per (automation, send): a retried send batch (startRunsForSends called again) starts no
 * second run, and duplicate or stale step jobs render no second email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunsForSends } from '../../src/automations/trigger.js';
import { STEP_QUEUE } from '../../src/automations/run.executor.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startSmtp, waitFor, type TestSmtp } from './helpers.js';

let t: TestApp;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startTestApp({ worker: true, config: { smtpUrl: smtp.url } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('exactly once in effect', () => {
  it('retried trigger and duplicate step jobs give one run and one email', async () => {
    const { token, orgId } = await t.createOrg('Acme');
    expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'once',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'mail', type: 'send_email', subject: 'Once {{ event.order_id }}', body: 'b' },
        ],
        connections: [{ from: 'trigger', to: 'mail' }],
      },
    });
    const send = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'once@example.com', data: { order_id: 'x-1', total: 1 } } });
    expect(send.status).toBe(202);
    await waitFor(() => smtp.mails.length === 1, 15_000, 'first email');
    const run = (await t.http('GET', `/v1/automations/${a.body.id}/runs`, { token })).body.data[0];

    // The send worker's batch retried after a crash: same sends again, in a new transaction.
    const client = await t.deps.pool.connect();
    try {
      await client.query('begin');
      const again = await startRunsForSends(client, t.deps.boss, [{ id: send.body.id, orgId, eventName: 'order.completed', contactId: run.contact_id }]);
      await client.query('commit');
      expect(again).toEqual([]);
    } finally {
      client.release();
    }
    // A redelivered first-step job and a stale job for a step the run has passed.
    await t.deps.boss.send(STEP_QUEUE, { runId: run.id, stepKey: 'trigger' });
    await t.deps.boss.send(STEP_QUEUE, { runId: run.id, stepKey: 'mail' });
    await waitFor(async () => (await t.deps.pool.query(`select count(*)::int as n from pgboss.job where name = $1 and state <> 'completed'`, [STEP_QUEUE])).rows[0].n === 0, 15_000, 'jobs done');
    await new Promise((r) => setTimeout(r, 1_500)); // room for a duplicate to show

    expect(smtp.mails).toHaveLength(1);
    const runs = (await t.http('GET', `/v1/automations/${a.body.id}/runs`, { token })).body.data;
    expect(runs).toHaveLength(1);
    expect(runs[0].steps.map((s: any) => s.step)).toEqual(['trigger', 'mail']);
    const outbox = await t.deps.pool.query('select count(*)::int as n from automation_outbox where run_id = $1', [run.id]);
    expect(outbox.rows[0].n).toBe(1);
  });
});
