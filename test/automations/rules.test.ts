/**
 * Lifecycle rules over REST: enabled steps cannot be replaced, events used by enabled automations
 * cannot be deleted, schema changes are reported, disabling cancels runs in progress, webhooks retry
 * with backoff and are refused at send time when they resolve to a private address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startHookServer, validSignature, waitFor, type TestHookServer } from './helpers.js';

let t: TestApp;
let hooks: TestHookServer;
let token: string;
let other: string;

beforeAll(async () => {
  hooks = await startHookServer();
  t = await startTestApp({ worker: true, config: { webhookAllowHosts: ['127.0.0.1'] } });
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await hooks?.close();
});

const mailFlow = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'thank', type: 'send_email', subject: 'Order {{ event.order_id }} of {{ event.total }}', body: 'x' },
  ],
  connections: [{ from: 'trigger', to: 'thank' }],
  ...extra,
});

const create = async (body: unknown, tok = token) => {
  const r = await t.http('POST', '/v1/automations', { token: tok, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};

describe('automation lifecycle', () => {
  it('CRUD: get, list (newest first, paged), patch name, delete; other orgs see 404', async () => {
    const a = await create(mailFlow('first'));
    const b = await create(mailFlow('second'));
    const got = await t.http('GET', `/v1/automations/${a.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(a);
    const page = await t.http('GET', '/v1/automations?limit=1', { token });
    expect(page.body).toMatchObject({ object: 'list', has_more: true });
    expect(page.body.data[0].id).toBe(b.id);
    const next = await t.http('GET', `/v1/automations?limit=1&after=${b.id}`, { token });
    expect(next.body.data[0].id).toBe(a.id);
    const patched = await t.http('PATCH', `/v1/automations/${a.id}`, { token, body: { name: 'renamed' } });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('renamed');
    expect((await t.http('GET', `/v1/automations/${a.id}`, { token: other })).status).toBe(404);
    // A draft has nothing to stop: disabling it is a no-op.
    expect((await t.http('POST', `/v1/automations/${a.id}/disable`, { token })).body.status).toBe('draft');
    expect((await t.http('POST', `/v1/automations/${a.id}/enable`, { token: other })).body).toEqual({ status_code: 404, name: 'not_found', message: `Automation ${a.id} not found` });
    const del = await t.http('DELETE', `/v1/automations/${b.id}`, { token });
    expect(del.body).toEqual({ object: 'automation', id: b.id, deleted: true });
    expect((await t.http('GET', `/v1/automations/${b.id}`, { token })).status).toBe(404);
    expect((await t.http('GET', '/v1/automations/not-a-uuid', { token })).status).toBe(404);
  });

  it('the steps of an enabled automation cannot be replaced (409); disable first', async () => {
    const a = await create(mailFlow('locked', { status: 'enabled' }));
    expect(a.status).toBe('enabled');
    const steps = [...a.steps.slice(0, 1), { key: 'thank', type: 'send_email', subject: 'Changed', body: 'y' }];
    const r = await t.http('PATCH', `/v1/automations/${a.id}`, { token, body: { steps } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ status_code: 409, name: 'conflict', message: 'The steps of an enabled automation cannot be replaced: disable it first' });
    // Renaming is fine; so is sending the same steps back.
    expect((await t.http('PATCH', `/v1/automations/${a.id}`, { token, body: { name: 'still locked', steps: a.steps } })).status).toBe(200);
    expect((await t.http('POST', `/v1/automations/${a.id}/disable`, { token })).body.status).toBe('disabled');
    const ok = await t.http('PATCH', `/v1/automations/${a.id}`, { token, body: { steps } });
    expect(ok.status).toBe(200);
    expect(ok.body.steps[1].subject).toBe('Changed');
    expect((await t.http('POST', `/v1/automations/${a.id}/enable`, { token })).body.status).toBe('enabled');
    await t.http('POST', `/v1/automations/${a.id}/disable`, { token });
  });

  it('deleting an event used by enabled automations is a 409 with the spec message', async () => {
    expect((await t.http('POST', '/v1/events', { token, body: { name: 'cart.abandoned', schema: { fields: [{ name: 'value', type: 'number' }] } } })).status).toBe(201);
    const flow = (name: string) => ({
      name,
      steps: [{ key: 'trigger', type: 'trigger', event: 'cart.abandoned' }, { key: 'w', type: 'wait', duration: 'PT1H' }],
      connections: [{ from: 'trigger', to: 'w' }],
    });
    const a = await create({ ...flow('a'), status: 'enabled' });
    await create({ ...flow('b'), status: 'enabled' });
    await create(flow('draft'));
    const r = await t.http('DELETE', '/v1/events/cart.abandoned', { token });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ status_code: 409, name: 'conflict', message: 'Event "cart.abandoned" is used by 2 active flow(s). Remove the trigger from those flows first.' });
    await t.http('POST', `/v1/automations/${a.id}/disable`, { token });
    expect((await t.http('DELETE', '/v1/events/cart.abandoned', { token })).body.message).toContain('is used by 1 active flow(s)');
  });

  it('a schema change that breaks an enabled automation is refused (409) unless forced; forced, it is disabled with its issues stored and shown', async () => {
    expect((await t.http('POST', '/v1/events', { token, body: { name: 'invoice.paid', schema: { fields: [{ name: 'amount', type: 'number' }, { name: 'ref', type: 'string' }] } } })).status).toBe(201);
    const a = await create({
      name: 'invoice flow',
      status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'invoice.paid' },
        { key: 'big', type: 'condition', if: { field: 'event.amount', op: 'gte', value: 1000 } },
        { key: 'mail', type: 'send_email', subject: 'Invoice {{ event.ref }}', body: 'Paid {{ event.amount }}' },
      ],
      connections: [{ from: 'trigger', to: 'big' }, { from: 'big', outcome: 'condition_met', to: 'mail' }],
    });
    expect(a.issues).toEqual([]);
    expect(a.broken).toBe(false);
    // amount becomes a string, ref disappears
    const body = { schema: { fields: [{ name: 'amount', type: 'string' }] } };
    const refused = await t.http('PATCH', '/v1/events/invoice.paid', { token, body });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status_code: 409, name: 'conflict', automations: [{ id: a.id, name: 'invoice flow', status: 'enabled' }] });
    expect(refused.body.automations[0].issues).toHaveLength(2);
    expect((await t.http('GET', '/v1/events/invoice.paid', { token })).body.version).toBe(1);
    const upd = await t.http('PATCH', '/v1/events/invoice.paid?force=true', { token, body });
    expect(upd.status).toBe(200);
    expect(upd.body.version).toBe(2);
    const got = await t.http('GET', `/v1/automations/${a.id}`, { token });
    expect(got.body.status).toBe('disabled');
    expect(got.body.broken).toBe(false);
    expect(got.body.issues.map((i: any) => i.message)).toEqual([
      'steps[big].if.op: gte does not apply to string field event.amount (use eq, neq, contains, exists)',
      'steps[mail].subject: unknown field event.ref',
    ]);
    const list = await t.http('GET', '/v1/automations?event=invoice.paid&status=disabled', { token });
    expect(list.body.data.map((x: any) => [x.id, x.issues.length])).toEqual([[a.id, 2]]);
    // …and on the event: the automations it triggers, with the reason.
    const onEvent = await t.http('GET', '/v1/events/invoice.paid/automations', { token });
    expect(onEvent.status).toBe(200);
    expect(onEvent.body.data).toHaveLength(1);
    expect(onEvent.body.data[0]).toMatchObject({ id: a.id, status: 'disabled' });
    expect(onEvent.body.data[0].issues[1].message).toBe('steps[mail].subject: unknown field event.ref');
    expect((await t.http('GET', '/v1/events/nope/automations', { token })).status).toBe(404);
    // Stored, not only computed on read.
    const stored = await t.deps.pool.query('select issues from automations where id = $1', [a.id]);
    expect(stored.rows[0].issues).toHaveLength(2);
    // Re-enabling is refused until fixed.
    expect((await t.http('POST', `/v1/automations/${a.id}/enable`, { token })).status).toBe(422);
  });

  it('disabling cancels runs in progress; new sends start no runs', async () => {
    const a = await create({
      name: 'slow',
      status: 'enabled',
      steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'w', type: 'wait', duration: 'PT1H' }, { key: 'm', type: 'send_email', subject: 's', body: 'b' }],
      connections: [{ from: 'trigger', to: 'w' }, { from: 'w', to: 'm' }],
    });
    await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'a@example.com', data: { order_id: 'o', total: 1 } } });
    await waitFor(async () => (await t.http('GET', `/v1/automations/${a.id}/runs?status=waiting`, { token })).body.data.length === 1, 15_000, 'waiting run');
    expect((await t.http('POST', `/v1/automations/${a.id}/disable`, { token })).status).toBe(200);
    const runs = await t.http('GET', `/v1/automations/${a.id}/runs`, { token });
    expect(runs.body.data[0]).toMatchObject({ status: 'cancelled', error: 'automation disabled', current_step: null });
    const one = await t.http('GET', `/v1/automations/${a.id}/runs/${runs.body.data[0].id}`, { token });
    expect(one.body).toEqual(runs.body.data[0]);
    expect((await t.http('GET', `/v1/automations/${a.id}/runs/${runs.body.data[0].id}`, { token: other })).status).toBe(404);
    const s = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'b@example.com', data: { order_id: 'p', total: 1 } } });
    await waitFor(async () => (await t.http('GET', `/v1/events/order.completed/sends?status=processed`, { token })).body.data.some((x: any) => x.id === s.body.id), 15_000, 'send processed');
    expect((await t.http('GET', `/v1/automations/${a.id}/runs`, { token })).body.data).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('retries with backoff on 5xx and records each status; the body is signed', async () => {
    hooks.requests.length = 0;
    hooks.statusFor = (n) => (n === 1 ? 503 : 200);
    const a = await create({
      name: 'hook',
      status: 'enabled',
      steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'call', type: 'webhook', url: `${hooks.url}/h` }, { key: 'after', type: 'wait', duration: 'PT1H' }],
      connections: [{ from: 'trigger', to: 'call' }, { from: 'call', to: 'after' }],
    });
    await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'hook@example.com', data: { order_id: 'h-1', total: 3 } } });
    const run = await waitFor(async () => {
      const r = (await t.http('GET', `/v1/automations/${a.id}/runs`, { token })).body.data[0];
      return r?.status === 'waiting' ? r : null;
    }, 20_000, 'webhook delivered and run moved on');
    expect(hooks.requests).toHaveLength(2);
    expect(hooks.requests[0]!.body).toBe(hooks.requests[1]!.body);
    expect(hooks.requests[0]!.headers['x-arsel-delivery']).toBe(hooks.requests[1]!.headers['x-arsel-delivery']);
    for (const h of hooks.requests) expect(validSignature(a.webhook_secret, h.body, h.headers['x-arsel-signature'])).toBe(true);
    expect(run.steps[1]).toMatchObject({ step: 'call', outcome: 'delivered', next: 'after', details: { status: 200, attempts: 2 } });
    // each failed attempt keeps its own entry
    expect(run.steps[1].details.failed_attempts).toEqual([{ attempt: 1, at: expect.any(String), status: 503, ms: expect.any(Number), error: expect.stringContaining('503') }]);
    await t.http('POST', `/v1/automations/${a.id}/disable`, { token });
    hooks.statusFor = () => 200;
  });

  it('a 4xx is final: the run fails with the status recorded', async () => {
    hooks.requests.length = 0;
    hooks.statusFor = () => 410;
    const a = await create({
      name: 'gone',
      status: 'enabled',
      steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'call', type: 'webhook', url: `${hooks.url}/gone` }],
      connections: [{ from: 'trigger', to: 'call' }],
    });
    await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'gone@example.com', data: { order_id: 'g', total: 3 } } });
    const run = await waitFor(async () => {
      const r = (await t.http('GET', `/v1/automations/${a.id}/runs`, { token })).body.data[0];
      return r?.status === 'failed' ? r : null;
    }, 15_000, 'run failed');
    expect(run.error).toContain('HTTP 410');
    expect(run.error).toMatch(/^step call: webhook failed after 1 attempt\(s\)/);
    expect(run.current_step ?? null).toBeNull();
    expect(run.finished_at).toBe(run.steps[1].finished_at);
    expect(run.steps[1]).toMatchObject({ outcome: 'failed', details: { status: 410, attempts: 1 } });
    expect(run.steps[1].details.failed_attempts).toMatchObject([{ attempt: 1, status: 410 }]);
    await t.http('POST', `/v1/automations/${a.id}/disable`, { token });
    hooks.statusFor = () => 200;
  });

  it('is refused at send time when the target resolves to a private address and the worker has no allow-list entry', async () => {
    hooks.requests.length = 0;
    const a = await create({
      name: 'ssrf',
      status: 'enabled', // this API process allows 127.0.0.1…
      steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'call', type: 'webhook', url: `${hooks.url}/internal` }],
      connections: [{ from: 'trigger', to: 'call' }],
    });
    // …but a worker configured without the allow-list checks again before connecting.
    await t.close();
    t = await startTestApp({ worker: true, databaseUrl: t.databaseUrl, config: { webhookAllowHosts: [] } });
    await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'ssrf@example.com', data: { order_id: 's', total: 1 } } });
    const run = await waitFor(async () => {
      const r = (await t.http('GET', `/v1/automations/${a.id}/runs`, { token })).body.data[0];
      return r?.status === 'failed' ? r : null;
    }, 15_000, 'run failed');
    expect(run.error).toContain('private, loopback or link-local');
    expect(hooks.requests).toHaveLength(0);
  });
});
