/**
 * Faults with real processes on 127.0.0.1: `node dist/src/main.js` (a private copy of the build,
 * so a concurrent `npm run build` cannot pull it away mid-test) against a fresh database.
 * Needs a build: `npm test` runs it first (pretest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, startTestApp, until } from '../setup/harness.js';

/** Processes are starting and the database is cut on purpose here: a failing probe means "not yet". */
const untilRetrying = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number, what?: string) =>
  until(fn, ok, timeoutMs, what, { retryErrors: true });

const ROOT = process.cwd();
const DIST = path.join(ROOT, '.vitest-tmp', `sends-faults-${process.pid}`);
const children = new Set<ChildProcess>();

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'main.js'))) throw new Error('run `npm run build` first');
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'dist'), DIST, { recursive: true });
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(DIST, { recursive: true, force: true });
});



interface Server {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function startServer(databaseUrl: string, port: number, role: 'all' | 'api' | 'worker', env: Record<string, string> = {}): Server {
  const proc = spawn(process.execPath, [path.join(DIST, 'src', 'main.js'), '--role', role], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0', WORKER_POLL_SECONDS: '0.5', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  void exited.then(() => children.delete(proc));
  return { proc, output: () => out, exited };
}

async function ready(port: number): Promise<void> {
  await untilRetrying(() => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status), (s) => s === 200, 30_000, 'server ready');
}

const post = (port: number, token: string, p: string, body: unknown) =>
  fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function boot(db: string, port: number, role: 'all' | 'api', env: Record<string, string> = {}): Promise<{ server: Server; token: string }> {
  const server = startServer(db, port, role, env);
  await ready(port).catch((e) => {
    throw new Error(`${(e as Error).message}\n${server.output()}`);
  });
  const keyRe = /API key \(shown once, store it now\): (be_\S+)/;
  await untilRetrying(async () => keyRe.test(server.output()), Boolean, 10_000, 'key printed').catch(() => {});
  const token = keyRe.exec(server.output())?.[1];
  if (!token) throw new Error(`no key printed:\n${server.output()}`);
  expect((await post(port, token, '/v1/events', { name: 'order.completed', schema: { fields: [{ name: 'seq', type: 'number', required: true }] } })).status).toBe(201);
  return { server, token };
}

describe('SIGKILL', () => {
  it('the API while clients send: every 202 is in the database after restart, none lost, none duplicated', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const { server, token } = await boot(db, port, 'all');
    const acked = new Map<number, string>();
    let seq = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const n = seq++;
        try {
          const r = await post(port, token, '/v1/events/send', { event: 'order.completed', email: `c${n % 50}@example.com`, data: { seq: n } });
          if (r.status === 202) acked.set(n, ((await r.json()) as { id: string }).id);
          else await r.body?.cancel();
        } catch {
          return; // connection refused/reset: the server is gone
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    await untilRetrying(async () => acked.size, (n) => n >= 500, 20_000, '500 acknowledged sends');
    server.proc.kill('SIGKILL');
    await server.exited;
    stop = true;
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThanOrEqual(500);

    const again = startServer(db, port, 'all');
    await ready(port);
    const pool = new pg.Pool({ connectionString: db, max: 2 });
    try {
      const rows = (await pool.query<{ id: string; seq: number }>(`select id, (data->>'seq')::int seq from event_sends`)).rows;
      const bySeq = new Map<number, string[]>();
      for (const r of rows) bySeq.set(r.seq, [...(bySeq.get(r.seq) ?? []), r.id]);
      for (const [n, id] of acked) expect(bySeq.get(n)).toEqual([id]); // present, exactly once
      expect([...bySeq.values()].every((ids) => ids.length === 1)).toBe(true); // nothing recorded twice
      // every recorded send has its job: after restart they all end processed
      await untilRetrying(() => pool.query(`select count(*)::int n from event_sends where status <> 'processed'`).then((r) => r.rows[0].n), (n) => n === 0, 30_000, 'all processed');
    } finally {
      await pool.end();
      again.proc.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);

  it('a worker mid-batch: a new worker finishes every accepted send and no (automation, send) runs twice', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const { server: api, token } = await boot(db, port, 'api');
    const pool = new pg.Pool({ connectionString: db, max: 2 });
    try {
      await pool.query(
        `insert into automations (id, organization_id, name, status, trigger_event, steps, connections, webhook_secret)
         select gen_random_uuid(), id, 'a', 'enabled', 'order.completed', '[{"key":"trigger","type":"trigger","event":"order.completed"}]', '[]', 's' from organizations`,
      );
      const total = 6000;
      for (let b = 0; b < total / 500; b++) {
        const r = await post(port, token, '/v1/events/send', { events: Array.from({ length: 500 }, (_, i) => ({ event: 'order.completed', email: `w${i % 100}@example.com`, data: { seq: b * 500 + i } })) });
        expect(r.status).toBe(202);
      }
      const processed = () => pool.query(`select count(*)::int n from event_sends where status = 'processed'`).then((r) => r.rows[0].n as number);
      const w1 = startServer(db, port, 'worker', { WORKER_BATCH_SIZE: '100' });
      await untilRetrying(processed, (n) => n > 0, 30_000, 'worker started processing');
      w1.proc.kill('SIGKILL');
      await w1.exited;
      const mid = await processed();
      expect(mid).toBeLessThan(total);

      const w2 = startServer(db, port, 'worker');
      try {
        // The killed worker's fetched jobs come back once its heartbeat lapses (10 s) and the monitor
        // (every 5 s) fails them for a retry with backoff: allow for a busy machine.
        await untilRetrying(processed, (n) => n === total, 80_000, 'every send processed').catch(async (err: Error) => {
          // Say why: the sends' states, the queue's jobs and both workers' logs.
          const sends = (await pool.query(`select status, count(*)::int n from event_sends group by 1`)).rows;
          const jobs = (await pool.query(`select state, retry_count, count(*)::int n from pgboss.job where name = 'sends.process' group by 1, 2`)).rows;
          throw new Error(`${err.message}\nsends ${JSON.stringify(sends)}\njobs ${JSON.stringify(jobs)}\nw1:\n${w1.output().slice(-4000)}\nw2:\n${w2.output().slice(-4000)}`);
        });
        const runs = (await pool.query(`select count(*)::int n, count(distinct (automation_id, send_id))::int d from automation_runs`)).rows[0];
        expect(runs).toEqual({ n: total, d: total });
      } finally {
        w2.proc.kill('SIGTERM');
        await w2.exited;
      }
    } finally {
      await pool.end();
      api.proc.kill('SIGTERM');
      await api.exited;
    }
  }, 130_000);
});

describe('database unreachable', () => {
  it('sends get 503 with Retry-After quickly, and the server recovers by itself', async () => {
    const db = new URL(await createTestDatabase());
    // A TCP proxy in front of PostgreSQL that the test can cut and restore.
    const sockets = new Set<net.Socket>();
    let proxy: net.Server | undefined;
    const proxyPort = await freePort();
    let isOpen = false;
    const open = () =>
      isOpen ? Promise.resolve() : new Promise<void>((resolve) => {
        isOpen = true;
        proxy = net.createServer((c) => {
          const u = net.connect(Number(db.port || 5432), db.hostname);
          sockets.add(c).add(u);
          c.pipe(u).pipe(c);
          const end = () => (c.destroy(), u.destroy());
          c.on('error', end).on('close', end);
          u.on('error', end).on('close', end);
        }).listen(proxyPort, '127.0.0.1', () => resolve());
      });
    const cut = () =>
      new Promise<void>((resolve) => {
        isOpen = false;
        proxy!.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    await open();
    const viaProxy = new URL(db);
    viaProxy.host = `127.0.0.1:${proxyPort}`;
    const t = await startTestApp({ databaseUrl: viaProxy.toString() });
    try {
      const { token } = await t.createOrg();
      await t.http('POST', '/v1/events', { token, body: { name: 'ping' } });
      const body = { event: 'ping', email: 'a@b.co', data: {} };
      expect((await t.http('POST', '/v1/events/send', { token, body })).status).toBe(202);
      await cut();
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const r = await t.http('POST', '/v1/events/send', { token, body });
        expect(Date.now() - started).toBeLessThan(6_000);
        expect(r.status).toBe(503);
        expect(r.body).toMatchObject({ status_code: 503, name: 'service_unavailable' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      await open();
      const back = await untilRetrying(() => t.http('POST', '/v1/events/send', { token, body }), (r) => r.status === 202, 20_000, 'recovery');
      expect(back.body.status).toBe('accepted');
    } finally {
      await open().catch(() => {});
      await t.close();
      proxy?.close();
    }
  }, 60_000);
});
