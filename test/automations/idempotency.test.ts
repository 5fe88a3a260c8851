/**
 * Exactly once per (automation, send): a retried send batch (startRunsForSends called again) starts no
 * second run, and duplicate or stale step jobs render no second email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunsForSends } from '../../src/automations/trigger.js';
import { STEP_QUEUE } from '../../src/automations/run.executor.js';
import { rescueStalledRuns } from '../../src/automations/run.rescue.js';
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
    // the one email was delivered, and a delivered row leaves the outbox: nothing pending or repeated is left
    const outbox = await t.deps.pool.query('select count(*)::int as n from automation_outbox where run_id = $1', [run.id]);
    expect(outbox.rows[0].n).toBe(0);
    expect(runs[0].steps[1].details).toMatchObject({ delivery: 'sent', attempts: 1 });
  });

  it('a run whose step job was lost is re-enqueued by the rescue sweep', async () => {
    const { token, orgId } = await t.createOrg('Rescue');
    await t.http('POST', '/v1/events', { token, body: { name: 'invoice.sent', schema: { fields: [{ name: 'ref', type: 'string' }] } } });
    const send = await t.http('POST', '/v1/events/send', { token, body: { event: 'invoice.sent', email: 'lost@example.com', data: { ref: 'INV-7' } } });
    await waitFor(async () => (await t.deps.pool.query(`select status from event_sends where id = $1`, [send.body.id])).rows[0]?.status === 'processed', 15_000, 'send processed');
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'rescued',
        status: 'enabled',
        steps: [{ key: 'trigger', type: 'trigger', event: 'invoice.sent' }, { key: 'mail', type: 'send_email', subject: 'Invoice {{ event.ref }}', body: 'b' }],
        connections: [{ from: 'trigger', to: 'mail' }],
      },
    });
    const client = await t.deps.pool.connect();
    try {
      await client.query('begin');
      const [run] = await startRunsForSends(client, t.deps.boss, [{ id: send.body.id, orgId, eventName: 'invoice.sent', contactId: null }]);
      // The job is lost (as if its retries ran out during an outage).
      const del = await client.query(`delete from pgboss.job where name = $1 and data->>'runId' = $2`, [STEP_QUEUE, run!.id]);
      expect(del.rowCount).toBe(1);
      await client.query('commit');
    } finally {
      client.release();
    }
    const before = smtp.mails.length;
    expect(await rescueStalledRuns(t.deps, { staleSeconds: 0 })).toBe(1);
    await waitFor(() => smtp.mails.length === before + 1, 15_000, 'rescued email');
    expect(smtp.mails.at(-1)!.subject).toBe('Invoice INV-7');
    const runs = (await t.http('GET', `/v1/automations/${a.body.id}/runs`, { token })).body.data;
    expect(runs[0].status).toBe('completed');
    expect(await rescueStalledRuns(t.deps, { staleSeconds: 0 })).toBe(0);
  });

  it('two workers on one database: every message exactly once', async () => {
    const second = await startTestApp({ worker: true, databaseUrl: t.databaseUrl, config: { smtpUrl: smtp.url } });
    try {
      const { token } = await t.createOrg('Scale');
      await t.http('POST', '/v1/events', { token, body: { name: 'signup', schema: { fields: [{ name: 'plan', type: 'string' }] } } });
      await t.http('POST', '/v1/automations', {
        token,
        body: {
          name: 'welcome',
          status: 'enabled',
          steps: [{ key: 'trigger', type: 'trigger', event: 'signup' }, { key: 'mail', type: 'send_email', subject: 'Welcome to {{ event.plan }}', body: 'b' }],
          connections: [{ from: 'trigger', to: 'mail' }],
        },
      });
      const before = smtp.mails.length;
      const N = 60;
      const r = await second.http('POST', '/v1/events/send', { token, body: { events: Array.from({ length: N }, (_, i) => ({ event: 'signup', email: `u${i}@scale.test`, data: { plan: 'pro' } })) } });
      expect(r.status).toBe(202);
      await waitFor(() => smtp.mails.length >= before + N, 30_000, `${N} welcome emails`);
      await new Promise((res) => setTimeout(res, 1_500));
      const mine = smtp.mails.slice(before);
      expect(mine).toHaveLength(N);
      expect(new Set(mine.map((m) => m.to[0])).size).toBe(N);
    } finally {
      await second.close();
    }
  });
});
