/**
 * Role `all` as `npm start` runs it: the workers run in a worker thread of the server process
 * (src/worker-thread.ts). Sends are processed there, its log lines come out of the process's one
 * stdout as whole JSON lines, SIGTERM stops it gracefully (exit 0) and a restart finishes whatever
 * was still queued; WORKER_THREAD=0 runs the same workers on the HTTP event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, until } from '../setup/harness.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

interface Server { proc: ChildProcess; out: () => string; exited: Promise<number | null> }

async function start(databaseUrl: string, port: number, extra: Record<string, string> = {}): Promise<Server> {
  const { DATABASE_URL: _a, PORT: _b, LOG_LEVEL: _c, WORKER_THREAD: _d, ...env } = process.env;
  const proc = spawn(process.execPath, ['--max-semi-space-size=16', MAIN], {
    cwd: PROJECT_ROOT,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await until(async () => {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    return out.includes('arsel-events is ready');
  }, (ok) => ok, 45_000, 'server ready');
  return { proc, out: () => out, exited };
}

const jsonLines = (out: string) => out.split('\n').filter((l) => l.startsWith('{'));

/** Nice value of each thread of a process, by thread id (Linux /proc: field 19 of task stat). */
function threadNices(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    out.set(Number(tid), Number(fields[19 - 3]));
  }
  return out;
}

let databaseUrl: string;
let db: pg.Pool;
let token: string;
const servers: Server[] = [];

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  databaseUrl = await createTestDatabase();
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
});
afterAll(async () => {
  for (const s of servers) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
  await db?.end();
});

async function send(port: number, n: number, tag: string): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) => ({ event: 'order.completed', email: `${tag}-${i % 7}@example.com`, data: { order_id: `${tag}-${i}` } }));
  const r = await fetch(`http://127.0.0.1:${port}/v1/events/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(r.status).toBe(202);
  const body = (await r.json()) as { results: { id: string; status: string }[] };
  expect(body.results.every((x) => x.status === 'accepted')).toBe(true);
  return body.results.map((x) => x.id);
}

const statuses = async (ids: string[]) => {
  const r = await db.query<{ status: string; n: number; contacts: number }>(
    `select status, count(*)::int as n, count(distinct contact_id)::int as contacts from event_sends where id = any($1::uuid[]) group by 1`,
    [ids],
  );
  return Object.fromEntries(r.rows.map((x) => [x.status, x]));
};

describe('the worker thread (role all)', () => {
  it('processes sends in the thread; its log lines reach stdout whole, tagged thread=worker', async () => {
    const port = await freePort();
    const s = await start(databaseUrl, port);
    servers.push(s);
    token = /API key \(shown once, store it now\): (be_[A-Za-z0-9_-]{43})\b/.exec(s.out())![1]!;
    const created = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'order.completed', schema: { fields: [{ name: 'order_id', type: 'string', required: true }] } }),
    });
    expect(created.status).toBe(201);
    const ids = [...(await send(port, 300, 'a')), ...(await send(port, 200, 'b'))];
    const done = await until(() => statuses(ids), (x) => x.processed?.n === 500, 20_000, 'all 500 processed');
    expect(done.processed!.contacts).toBe(14); // 7 emails per batch tag, found or created once each
    const lines = jsonLines(s.out());
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    const ready = lines.map((l) => JSON.parse(l)).find((x) => x.msg === 'worker thread ready');
    expect(ready, s.out()).toMatchObject({ thread: 'worker', pid: s.proc.pid });
    // WORKER_THREAD_NICE (default 10): the worker thread, and only it, yields the CPU to the HTTP loop.
    const nices = threadNices(s.proc.pid!);
    const base = nices.get(s.proc.pid!)!; // the main thread: the HTTP event loop keeps the process's priority
    expect([...nices.values()].filter((n) => n !== base), JSON.stringify([...nices])).toEqual([Math.max(base, 10)]);

    // SIGTERM right after accepting more: exit 0; whatever the thread had not fetched stays queued.
    const late = await send(port, 300, 'c');
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const again = await start(databaseUrl, port);
    servers.push(again);
    await until(() => statuses(late), (x) => x.processed?.n === 300, 20_000, 'the late sends processed after the restart');
    again.proc.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('WORKER_THREAD=0 runs the same workers on the HTTP event loop', async () => {
    const port = await freePort();
    const s = await start(databaseUrl, port, { WORKER_THREAD: '0' });
    servers.push(s);
    const ids = await send(port, 100, 'd');
    await until(() => statuses(ids), (x) => x.processed?.n === 100, 20_000, 'all 100 processed');
    expect(s.out()).not.toContain('worker thread ready');
    expect(new Set(threadNices(s.proc.pid!).values()).size).toBe(1); // nothing lowered: the jobs share the HTTP loop
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
