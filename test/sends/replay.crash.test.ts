/**
 * A replay survives SIGKILL: `node dist/src/main.js --role all` (a private copy of the build) is
 * killed while a replay batch is in flight (held on row locks this test takes, so the kill lands
 * mid-replay every time); started again, the replay resumes from its stored cursor and every send
 * is accepted, processed and triggers its automation exactly once. Needs a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, until } from '../setup/harness.js';

const untilRetrying = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number, what?: string) => until(fn, ok, timeoutMs, what, { retryErrors: true });
const ROOT = process.cwd();
const DIST = path.join(ROOT, '.vitest-tmp', `replay-crash-${process.pid}`);
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

function startServer(databaseUrl: string, port: number) {
  const proc = spawn(process.execPath, [path.join(DIST, 'src', 'main.js'), '--role', 'all'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0', WORKER_POLL_SECONDS: '0.5' },
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

const N = 5000;

describe('replay and SIGKILL', () => {
  it('a server killed mid-replay: started again, the replay continues; every send accepted, processed and triggering once', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = startServer(db, port);
    await untilRetrying(() => fetch(`${base}/health`).then((r) => r.status), (s) => s === 200, 30_000, 'server ready');
    await untilRetrying(async () => /API key \(shown once, store it now\): (be_\S+)/.test(server.output()), Boolean, 10_000, 'key printed');
    const token = /API key \(shown once, store it now\): (be_\S+)/.exec(server.output())![1];
    const call = (method: string, p: string, body?: unknown) =>
      fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const fields = (required: boolean) => ({ schema: { fields: [{ name: 'seq', type: 'number', required: true }, { name: 'plan', type: 'string', required }] } });
    expect((await call('POST', '/v1/events', { name: 'crash', ...fields(true) })).status).toBe(201);
    const flow = await call('POST', '/v1/automations', {
      name: 'on crash', status: 'enabled',
      steps: [{ key: 'trigger', type: 'trigger', event: 'crash' }, { key: 'later', type: 'wait', duration: 'PT1H' }],
      connections: [{ from: 'trigger', to: 'later' }],
    });
    expect(flow.status).toBe(201);

    const pool = new pg.Pool({ connectionString: db, max: 3 });
    const lock = await pool.connect();
    try {
      // N sends rejected for the missing `plan` (recorded as the send path records them)
      await pool.query(
        `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status, errors, schema_version)
         select gen_random_uuid(), d.organization_id, d.id, d.name, 'c' || (i % 50) || '@example.com', jsonb_build_object('seq', i), now(), 'rejected',
                '[{"field":"plan","message":"is required"}]', 1
           from event_definitions d, generate_series(1, ${N}) i where d.name = 'crash'`,
      );
      expect((await call('PATCH', '/v1/events/crash', fields(false))).body.version).toBe(2);

      // hold the 5th batch (rows 2001…) on row locks so the kill lands mid-replay
      await lock.query('begin');
      // (the ids in a subquery: FOR UPDATE with OFFSET would lock the skipped rows too)
      await lock.query(`select id from event_sends where id in (select id from event_sends where status = 'rejected' order by id offset 2000 limit 10) for update`);
      const started = await call('POST', '/v1/events/crash/sends/replay', { status: 'rejected' });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ status: 'running', total: N });
      const id = started.body.id as string;
      await until(() => call('GET', `/v1/events/crash/replays/${id}`), (r) => r.body.done === 2000, 30_000, 'four batches done').catch((e) => {
        throw new Error(`${(e as Error).message}\n${server.output()}`);
      });
      await new Promise((r) => setTimeout(r, 300));
      server.proc.kill('SIGKILL');
      await server.exited;
      await lock.query('rollback');
      const mid = (await pool.query(`select status, done, accepted from event_replays where id = $1`, [id])).rows[0];
      expect(mid).toEqual({ status: 'running', done: 2000, accepted: 2000 });

      server = startServer(db, port);
      await untilRetrying(() => fetch(`${base}/health`).then((r) => r.status), (s) => s === 200, 30_000, 'server ready again');
      const end = await until(() => call('GET', `/v1/events/crash/replays/${id}`), (r) => r.body.status !== 'running', 60_000, 'replay completed');
      expect(end.body).toEqual({ object: 'replay', id, status: 'completed', total: N, done: N, accepted: N, still_rejected: 0, dry_run: false });
      await untilRetrying(() => pool.query(`select count(*)::int n from event_sends where status = 'processed'`).then((r) => r.rows[0].n), (n) => n === N, 60_000, 'all processed');
      const sends = (await pool.query(`select count(*)::int n, count(replayed_at)::int replayed, min(schema_version) v from event_sends`)).rows[0];
      expect(sends).toEqual({ n: N, replayed: N, v: 2 });
      await untilRetrying(() => pool.query(`select count(*)::int n from automation_runs`).then((r) => r.rows[0].n), (n) => n === N, 60_000, 'runs');
      const dup = await pool.query(`select send_id from automation_runs group by send_id having count(*) > 1`);
      expect(dup.rows).toEqual([]);
    } finally {
      lock.release();
      await pool.end();
      server.proc.kill('SIGTERM');
      await server.exited;
    }
  }, 150_000);
});
