/**
 * End to end over real HTTP, PostgreSQL, pg-boss, SMTP and a webhook receiver: define order.completed,
 * branch on event.total > 100, send two events, see the right emails (payload rendered) and a signed webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startHookServer, startSmtp, validSignature, waitFor, type TestHookServer, type TestSmtp } from './helpers.js';

let t: TestApp;
let smtp: TestSmtp;
let hooks: TestHookServer;
let token: string;

beforeAll(async () => {
  smtp = await startSmtp();
  hooks = await startHookServer();
  t = await startTestApp({ worker: true, config: { smtpUrl: smtp.url, webhookAllowHosts: ['127.0.0.1'], mailFrom: 'Shop <shop@example.com>', logLevel: process.env.TEST_LOG ?? 'silent' } });
  token = (await t.createOrg('Acme')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
});
afterAll(async () => {
  if (process.env.TEST_LOG) {
    for (const q of ['select id, status, failure_reason from event_sends', 'select status, current_step, error, steps from automation_runs', 'select status, attempts, last_error from automation_outbox', "select name, state, output from pgboss.job where name like 'automations%' or name like 'sends%'"]) {
      console.log(q, JSON.stringify((await t.deps.pool.query(q)).rows, null, 1));
    }
  }
  await t?.close();
  await smtp?.close();
  await hooks?.close();
});

const flow = () => ({
  name: 'Thank big spenders',
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gt', value: 100 } },
    {
      key: 'thank',
      type: 'send_email',
      subject: 'Thanks for order {{ event.order_id }}',
      body: 'You spent {{ event.total }} on {{ event.placed_at | date: "%Y-%m-%d" }} ({{ contact.email }})',
    },
    { key: 'notify', type: 'webhook', url: `${hooks.url}/hooks/big-order`, headers: { 'X-Team': 'sales' } },
    { key: 'small', type: 'send_email', subject: 'Order {{ event.order_id }} received', body: 'Total: {{ event.total }}' },
  ],
  connections: [
    { from: 'trigger', to: 'check' },
    { from: 'check', outcome: 'condition_met', to: 'thank' },
    { from: 'thank', to: 'notify' },
    { from: 'check', outcome: 'condition_not_met', to: 'small' },
  ],
});

describe('automation end to end', () => {
  let automation: any;

  it('creates a draft with no issues and enables it', async () => {
    const r = await t.http('POST', '/v1/automations', { token, body: flow() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Thank big spenders', status: 'draft', issues: [], trigger_event: 'order.completed' });
    expect(r.body.webhook_secret).toMatch(/^whsec_/);
    const e = await t.http('POST', `/v1/automations/${r.body.id}/enable`, { token });
    expect(e.status).toBe(200);
    expect(e.body.status).toBe('enabled');
    automation = e.body;
  });

  it('two sends take the two branches: the right emails arrive with payload values rendered', async () => {
    const big = await t.http('POST', '/v1/events/send', {
      token,
      body: { event: 'order.completed', email: 'jane@example.com', data: { order_id: 'o-1', total: 129.99, placed_at: '2026-06-01T12:00:00Z' } },
    });
    const small = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'sam@example.com', data: { order_id: 'o-2', total: 40 } } });
    expect(big.status).toBe(202);
    expect(small.status).toBe(202);

    await waitFor(() => smtp.mails.length >= 2, 20_000, 'two emails');
    const byTo = Object.fromEntries(smtp.mails.map((m) => [m.to[0], m]));
    expect(byTo['jane@example.com']!.subject).toBe('Thanks for order o-1');
    expect(byTo['jane@example.com']!.body).toContain('You spent 129.99 on 2026-06-01 (jane@example.com)');
    expect(byTo['jane@example.com']!.from).toBe('shop@example.com');
    expect(byTo['sam@example.com']!.subject).toBe('Order o-2 received');
    expect(byTo['sam@example.com']!.body).toContain('Total: 40');
    expect(byTo['jane@example.com']!.messageId).toMatch(/@arsel\.automations>$/);

    // The webhook fires only on the big branch, signed with the automation's secret.
    await waitFor(() => hooks.requests.length >= 1, 15_000, 'webhook');
    const hook = hooks.requests[0]!;
    expect(validSignature(automation.webhook_secret, hook.body, hook.headers['x-arsel-signature'])).toBe(true);
    expect(validSignature('whsec_wrong', hook.body, hook.headers['x-arsel-signature'])).toBe(false);
    expect(hook.headers['x-team']).toBe('sales');
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.json).toMatchObject({
      event: { name: 'order.completed', data: { order_id: 'o-1', total: 129.99 } },
      contact: { email: 'jane@example.com' },
      send_id: big.body.id,
      automation_id: automation.id,
    });
    expect(hook.headers['idempotency-key']).toBe(`${hook.json.run_id}:notify`);

    // The run log says which branch fired and why.
    const runs = await waitFor(async () => {
      const r = await t.http('GET', `/v1/automations/${automation.id}/runs`, { token });
      return r.body.data.length === 2 && r.body.data.every((x: any) => x.status === 'completed') ? r.body : null;
    }, 15_000, 'runs completed');
    expect(runs.object).toBe('list');
    const bigRun = runs.data.find((x: any) => x.send_id === big.body.id);
    const smallRun = runs.data.find((x: any) => x.send_id === small.body.id);
    expect(bigRun.steps.map((s: any) => [s.step, s.outcome])).toEqual([
      ['trigger', 'triggered'],
      ['check', 'condition_met'],
      ['thank', 'queued'],
      ['notify', 'delivered'],
    ]);
    expect(bigRun.steps[1].details).toMatchObject({ field: 'event.total', op: 'gt', value: 100, actual: 129.99, met: true });
    expect(bigRun.steps[2].details).toMatchObject({ subject: 'Thanks for order o-1', to: 'jane@example.com', delivery: 'sent' });
    expect(bigRun.steps[3].details).toMatchObject({ status: 200, attempts: 1 });
    expect(bigRun.steps[3].next).toBeNull();
    // Patched in place when each delivery settled: the email's time, the webhook step's end and duration.
    expect(Date.parse(bigRun.steps[2].details.delivered_at)).toBeGreaterThanOrEqual(Date.parse(bigRun.steps[2].started_at));
    expect(typeof bigRun.steps[3].details.response_ms).toBe('number');
    expect(bigRun.steps[3].details.failed_attempts).toBeUndefined(); // delivered at the first attempt
    expect(bigRun.steps[3].details.outbox_id).toBeTruthy(); // the entry's own details are kept
    expect(bigRun.steps[3].duration_ms).toBe(Date.parse(bigRun.steps[3].finished_at) - Date.parse(bigRun.steps[3].started_at));
    expect(bigRun.finished_at).toBe(bigRun.steps[3].finished_at);
    for (const s of bigRun.steps) expect(typeof s.duration_ms).toBe('number');
    expect(smallRun.steps.map((s: any) => [s.step, s.outcome])).toEqual([
      ['trigger', 'triggered'],
      ['check', 'condition_not_met'],
      ['small', 'queued'],
    ]);
    expect(smallRun.steps[1].details).toMatchObject({ actual: 40, met: false });
    expect(bigRun.finished_at).toBeTruthy();
    expect(smtp.mails).toHaveLength(2);
    expect(hooks.requests).toHaveLength(1);
  });
});
