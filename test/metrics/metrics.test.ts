/**
 * GET /metrics (issue 23): Prometheus text through prom-client; counters move with real sends and
 * real deliveries; queue backlog read from pg-boss; no organization ids, emails or event names in
 * labels; METRICS_TOKEN enforced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, until, type TestApp } from '../setup/harness.js';
import { parsePrometheus } from './prom-text.js';

let t: TestApp;
let token: string;
let orgId: string;

const scrape = async (app: TestApp = t, headers: Record<string, string> = {}) => {
  const r = await app.http('GET', '/metrics', { headers });
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: r.text, m: parsePrometheus(r.text) };
};

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  ({ token, orgId } = await t.createOrg('Acme'));
});
afterAll(() => t?.close());

describe('/metrics', () => {
  it('is Prometheus text with the documented families and the default process metrics', async () => {
    const { m } = await scrape();
    expect(m.types.get('arsel_http_request_duration_seconds')).toBe('histogram');
    expect(m.types.get('arsel_sends_total')).toBe('counter');
    expect(m.types.get('arsel_send_to_first_step_seconds')).toBe('histogram');
    expect(m.types.get('arsel_queue_depth')).toBe('gauge');
    expect(m.types.get('arsel_queue_oldest_seconds')).toBe('gauge');
    expect(m.types.get('arsel_deliveries_total')).toBe('counter');
    expect(m.types.get('arsel_db_pool_connections')).toBe('gauge');
    expect(m.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(m.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(m.samples.filter((s) => s.name === 'arsel_queue_depth').map((s) => s.labels.queue)).toEqual(expect.arrayContaining(['sends.process', 'automations.step']));
    expect(new Set(m.samples.filter((s) => s.name === 'arsel_db_pool_connections').map((s) => s.labels.state))).toEqual(new Set(['active', 'idle', 'waiting']));
  });

  it('counters move with real sends and deliveries; labels carry no org id, email or event name', async () => {
    await t.http('POST', '/v1/events', { token, body: { name: 'secret.event', schema: { fields: [{ name: 'n', type: 'number', required: true }] } } });
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'Mail', status: 'enabled',
        steps: [{ key: 'trigger', type: 'trigger', event: 'secret.event' }, { key: 'mail', type: 'send_email', subject: 'Hi', body: 'n={{ event.n }}' }],
        connections: [{ from: 'trigger', to: 'mail' }],
      },
    });
    expect(a.status).toBe(201);
    const before = (await scrape()).m;
    for (let i = 0; i < 3; i++) expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'secret.event', email: `who${i}@metrics.test`, data: { n: i } } })).status).toBe(202);
    expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'secret.event', email: 'who@metrics.test', data: { n: 'x' } } })).status).toBe(422);
    const batch = await t.http('POST', '/v1/events/send', { token, body: { events: [{ event: 'secret.event', email: 'b@metrics.test', data: { n: 1 } }, { event: 'secret.event', email: 'b@metrics.test', data: {} }] } });
    expect(batch.status).toBe(202);

    const after = await until(
      () => scrape(),
      (s) => s.m.sum('arsel_deliveries_total', { channel: 'email', outcome: 'sent' }) - before.sum('arsel_deliveries_total', { channel: 'email', outcome: 'sent' }) === 4,
      20_000, 'emails delivered',
    );
    const delta = (name: string, labels?: Record<string, string>) => after.m.sum(name, labels) - before.sum(name, labels);
    expect(delta('arsel_sends_total', { status: 'accepted' })).toBe(4);
    expect(delta('arsel_sends_total', { status: 'rejected' })).toBe(2);
    expect(delta('arsel_send_to_first_step_seconds_count')).toBe(4);
    expect(delta('arsel_http_request_duration_seconds_count', { method: 'POST', route: '/v1/events/send', status: '202' })).toBe(4);
    expect(delta('arsel_http_request_duration_seconds_count', { method: 'POST', route: '/v1/events/send', status: '422' })).toBe(1);
    // an unknown path is one series, not one per URL
    await t.http('GET', `/v1/nope/${orgId}`, { token });
    expect((await scrape()).m.sum('arsel_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    const labels = (await scrape()).m.samples.flatMap((s) => Object.values(s.labels)).join('\n');
    for (const leak of [orgId, 'metrics.test', 'secret.event']) expect(labels).not.toContain(leak);
  });

  it('reports the backlog of a queue from pg-boss', async () => {
    const api = await startTestApp({ databaseUrl: t.databaseUrl }); // a queue no worker takes: its jobs stay due
    try {
      await api.deps.boss.createQueue('metrics.probe');
      await api.deps.boss.send('metrics.probe', { x: 1 });
      await api.deps.boss.send('metrics.probe', { x: 2 });
      await new Promise((r) => setTimeout(r, 1100));
      const { m } = await scrape(api);
      expect(m.sum('arsel_queue_depth', { queue: 'metrics.probe' })).toBe(2);
      expect(m.sum('arsel_queue_oldest_seconds', { queue: 'metrics.probe' })).toBeGreaterThanOrEqual(1);
    } finally {
      await api.close();
    }
  });

  it('METRICS_TOKEN: 401 without the Bearer token or with a wrong one', async () => {
    const app = await startTestApp({ databaseUrl: t.databaseUrl, config: { metricsToken: 'm-tok-123' } });
    try {
      const none = await app.http('GET', '/metrics');
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ status_code: 401, name: 'unauthorized' });
      expect((await app.http('GET', '/metrics', { headers: { authorization: 'Bearer m-tok-12' } })).status).toBe(401);
      expect((await app.http('GET', '/metrics', { token })).status).toBe(401); // an API key is not the metrics token
      await scrape(app, { authorization: 'Bearer m-tok-123' });
    } finally {
      await app.close();
    }
  });

  it('an app reports its pools until it closes (the pools close after it), not after', async () => {
    const app = await startTestApp({ databaseUrl: t.databaseUrl });
    const { isPoolWatched } = await import('../../src/metrics/metrics.js');
    expect([isPoolWatched(app.deps.pool), isPoolWatched(app.deps.genericPool)]).toEqual([true, true]);
    await app.close();
    expect([isPoolWatched(app.deps.pool), isPoolWatched(app.deps.genericPool)]).toEqual([false, false]);
    expect(isPoolWatched(t.deps.pool)).toBe(true); // the other app's stay
  });
});
