/**
 * /metrics from the real server processes (dist/, as `npm start` runs it): `--role worker` listens
 * on METRICS_PORT with only /metrics, /health and /ready; `--role all` runs its workers in a worker
 * thread, and a scrape of the main port shows the thread's counters (deliveries, trigger delay).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, startTestApp, until, type TestApp } from '../setup/harness.js';
import { parsePrometheus } from './prom-text.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
const procs: ChildProcess[] = [];
const output = new Map<ChildProcess, string>();
let databaseUrl: string;
let api: TestApp;

async function start(role: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const { DATABASE_URL: _a, PORT: _b, LOG_LEVEL: _c, METRICS_TOKEN: _d, METRICS_PORT: _e, ...base } = process.env;
  const proc = spawn(process.execPath, [MAIN, '--role', role], {
    cwd: PROJECT_ROOT,
    env: { ...base, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => output.set(proc, (out += d)));
  proc.stderr!.on('data', (d) => output.set(proc, (out += d)));
  const deadline = Date.now() + 45_000;
  while (!out.includes(ready)) {
    if (proc.exitCode !== null) throw new Error(`exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

const get = async (url: string, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
};

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first');
  databaseUrl = await createTestDatabase();
  api = await startTestApp({ databaseUrl }); // to create the org, event and automation
});
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await api?.close();
});

it('--role worker serves /metrics, /health and /ready on METRICS_PORT (token enforced), nothing else', async () => {
  const port = await freePort();
  await start('worker', { METRICS_PORT: String(port), METRICS_TOKEN: 'w-token' }, 'arsel-events worker is ready');
  const base = `http://127.0.0.1:${port}`;
  expect((await get(`${base}/health`)).status).toBe(200);
  expect(JSON.parse((await get(`${base}/ready`)).text)).toEqual({ status: 'ready' });
  const denied = await get(`${base}/metrics`);
  expect(denied.status).toBe(401);
  expect(JSON.parse(denied.text)).toMatchObject({ status_code: 401, name: 'unauthorized' });
  const ok = await get(`${base}/metrics`, { authorization: 'Bearer w-token' });
  expect(ok.status).toBe(200);
  expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
  const m = parsePrometheus(ok.text);
  expect(m.types.get('arsel_deliveries_total')).toBe('counter');
  expect(m.samples.some((s) => s.name === 'arsel_queue_depth' && s.labels.queue === 'sends.process')).toBe(true);
  expect(m.types.get('process_resident_memory_bytes')).toBe('gauge');
  expect((await get(`${base}/v1/events`)).status).toBe(404);
  // the worker processes what the API accepts (it is the only worker on this database)
  const { token } = await api.createOrg('W');
  await api.http('POST', '/v1/events', { token, body: { name: 'w.event' } });
  await api.http('POST', '/v1/automations', {
    token,
    body: { name: 'M', status: 'enabled', steps: [{ key: 'trigger', type: 'trigger', event: 'w.event' }, { key: 'm', type: 'send_email', subject: 's', body: 'b' }], connections: [{ from: 'trigger', to: 'm' }] },
  });
  expect((await api.http('POST', '/v1/events/send', { token, body: { event: 'w.event', email: 'w@example.com', data: {} } })).status).toBe(202);
  await until(
    async () => parsePrometheus((await get(`${base}/metrics`, { authorization: 'Bearer w-token' })).text),
    (s) => s.sum('arsel_deliveries_total', { channel: 'email', outcome: 'sent' }) === 1 && s.sum('arsel_send_to_first_step_seconds_count') === 1,
    20_000, 'worker counters',
  );
  procs[0]!.kill('SIGTERM');
  await new Promise((r) => procs[0]!.once('exit', r));
});

it('--role all: a scrape of the main port includes the worker thread\'s counters', async () => {
  const port = await freePort();
  await start('all', { PORT: String(port), METRICS_PORT: '0' }, 'arsel-events is ready');
  const base = `http://127.0.0.1:${port}`;
  const { token } = await api.createOrg('All');
  await api.http('POST', '/v1/events', { token, body: { name: 'a.event' } });
  await api.http('POST', '/v1/automations', {
    token,
    body: { name: 'M', status: 'enabled', steps: [{ key: 'trigger', type: 'trigger', event: 'a.event' }, { key: 'm', type: 'send_email', subject: 's', body: 'b' }], connections: [{ from: 'trigger', to: 'm' }] },
  });
  for (let i = 0; i < 2; i++) expect((await fetch(`${base}/v1/events/send`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ event: 'a.event', email: `a${i}@example.com`, data: {} }) })).status).toBe(202);
  const m = await until(
    async () => parsePrometheus((await get(`${base}/metrics`)).text),
    (s) => s.sum('arsel_deliveries_total', { channel: 'email', outcome: 'sent' }) === 2,
    20_000, 'thread deliveries on the main port',
  );
  expect(m.sum('arsel_sends_total', { status: 'accepted' })).toBe(2); // HTTP side
  expect(m.sum('arsel_send_to_first_step_seconds_count')).toBe(2); // thread side
  expect(m.sum('arsel_http_request_duration_seconds_count', { route: '/v1/events/send', status: '202' })).toBe(2);
  expect(m.sum('arsel_db_pool_connections')).toBeGreaterThan(0);
});

it('--role worker with its metrics port taken: the default port only costs the listener; an explicit METRICS_PORT stops the start and names the variable', async () => {
  const holders: net.Server[] = [];
  const hold = (port: number) =>
    new Promise<void>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve()); // someone else holds it: taken either way
      s.listen(port, '127.0.0.1', () => (holders.push(s), resolve()));
    });
  try {
    await hold(9464);
    const w = await start('worker', {}, 'arsel-events worker is ready');
    expect(output.get(w)).toContain('port 9464 is in use: this worker serves no /metrics');
    w.kill('SIGTERM');
    await new Promise((r) => w.once('exit', r));

    const port = await freePort();
    await hold(port);
    const { DATABASE_URL: _a, PORT: _b, METRICS_PORT: _e, ...base } = process.env;
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const p = spawn(process.execPath, [MAIN, '--role', 'worker'], { cwd: PROJECT_ROOT, env: { ...base, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', METRICS_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      procs.push(p);
      let text = '';
      p.stdout!.on('data', (d) => (text += d));
      p.stderr!.on('data', (d) => (text += d));
      p.once('exit', (code) => resolve({ code, text }));
    });
    expect(out.code).not.toBe(0);
    expect(out.text).toContain(`port ${port} is in use. Set METRICS_PORT to a free port.`);
  } finally {
    for (const s of holders) s.close();
  }
});
