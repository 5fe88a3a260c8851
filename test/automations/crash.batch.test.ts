/**
 * Crash tests of the set-based paths with real processes (`node <build>/src/main.js --role worker`),
 * three-step flow condition → send_email → webhook, counted at the receivers:
 *
 * 1. SIGKILL in the middle of a batch of runs: the worker's run-start transaction (runs, step logs
 *    and outbox rows of the whole batch in one statement) is held at its insert by a table lock the
 *    test takes, the worker is killed there, the lock released. Its transaction never commits; the
 *    send job comes back (heartbeat), and after a restart every run exists once and completes.
 * 2. SIGKILL in the middle of a batch of deliveries: both receivers hold what they are sent
 *    without answering (SMTP DATA unanswered, webhook request unanswered), the worker is killed with
 *    deliveries in flight; after a restart with the receivers answering, every email and webhook is
 *    received exactly once (by Message-ID / Idempotency-Key, and by count), every run completed.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, spawnWorker, startSmtp, waitFor, type TestSmtp } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// The project's build, compiled into a private folder so a concurrent `npm run build` (which cleans dist/) cannot race us.
const OUT = path.join(ROOT, 'node_modules', '.cache', `arsel-crash-batch-${process.pid}`);
const MAIN = path.join(OUT, 'dist', 'src', 'main.js');
const N = 40;

/** A webhook receiver that answers (and counts) only in mode "accept"; in "hold" it never answers. */
interface Hooks {
  url: string;
  mode: 'accept' | 'hold';
  held: number;
  /** Idempotency-Key of every request answered 2xx, in order */
  keys: string[];
  close(): Promise<void>;
}

async function startHooks(mode: 'accept' | 'hold'): Promise<Hooks> {
  const state = { mode, held: 0, keys: [] as string[] } as Hooks;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (state.mode === 'hold') {
        state.held++;
        return; // never answered: the sender dies waiting
      }
      state.keys.push(String(req.headers['idempotency-key']));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

let t: TestApp;
const children: ChildProcess[] = [];

const startWorker = (smtpUrl: string): ChildProcess => spawnWorker(MAIN, t.databaseUrl, { SMTP_URL: smtpUrl, WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }, children);

const kill = async (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
};

async function flow(token: string, hookUrl: string): Promise<string> {
  const a = await t.http('POST', '/v1/automations', {
    token,
    body: {
      name: 'Three steps',
      status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'order.completed' },
        { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gte', value: 0 } },
        { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}', body: 'Total {{ event.total }}' },
        { key: 'hook', type: 'webhook', url: hookUrl },
      ],
      connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'mail' }, { from: 'mail', to: 'hook' }],
    },
  });
  expect(a.status).toBe(201);
  return a.body.id as string;
}

async function sendAll(token: string, tag: string): Promise<void> {
  const r = await t.http('POST', '/v1/events/send', {
    token,
    body: { events: Array.from({ length: N }, (_, i) => ({ event: 'order.completed', email: `${tag}${i}@example.com`, data: { order_id: `${tag}-${i}`, total: i } })) },
  });
  expect(r.status).toBe(202);
}

/** Every run completed once, every email and webhook received once, by key and by count. */
async function expectExactlyOnce(automationId: string, smtp: TestSmtp, hooks: Hooks): Promise<void> {
  await waitFor(async () => {
    const r = await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_runs where automation_id = $1 and status = 'completed'`, [automationId]);
    return r.rows[0]!.n === N && hooks.keys.length >= N && smtp.mails.length >= N;
  }, 90_000, 'every run completed, every email and webhook received');
  // Give a duplicate every chance to show up (redelivered jobs, the sweep, the rescue) before counting.
  await new Promise((r) => setTimeout(r, 2_500));
  const runs = await t.deps.pool.query<{ n: number; sends: number; completed: number }>(
    `select count(*)::int as n, count(distinct send_id)::int as sends, count(*) filter (where status = 'completed')::int as completed from automation_runs where automation_id = $1`,
    [automationId],
  );
  expect(runs.rows[0]).toEqual({ n: N, sends: N, completed: N });
  expect(hooks.keys).toHaveLength(N);
  expect(new Set(hooks.keys).size).toBe(N);
  expect(smtp.mails).toHaveLength(N);
  expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(N);
  const outbox = await t.deps.pool.query<{ kind: string; status: string; n: number }>(
    `select kind, status, count(*)::int as n from automation_outbox where automation_id = $1 group by kind, status order by kind`,
    [automationId],
  );
  expect(outbox.rows).toEqual([]); // every row delivered: a delivered row leaves the outbox
  const logged = await t.deps.pool.query<{ emails: number; hooks: number }>(
    `select count(*) filter (where steps @> '[{"type":"send_email","details":{"delivery":"sent"}}]')::int as emails,
            count(*) filter (where steps @> '[{"type":"webhook","outcome":"delivered"}]')::int as hooks
       from automation_runs where automation_id = $1`,
    [automationId],
  );
  expect(logged.rows[0]).toEqual({ emails: N, hooks: N });
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(OUT, 'dist')], { stdio: 'inherit' });
  t = await startTestApp({ worker: false, config: { webhookAllowHosts: ['127.0.0.1'] } }); // API only: the worker is the child process
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.close();
  fs.rmSync(OUT, { recursive: true, force: true });
});

describe('SIGKILL of a worker process in the middle of a batch', () => {
  it('of runs: the batch transaction never commits; after restart every run exists once and completes, every delivery once', async () => {
    const smtp = await startSmtp('accept');
    const hooks = await startHooks('accept');
    try {
      const { token } = await t.createOrg('Runs');
      expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
      const automationId = await flow(token, hooks.url);

      // Hold the worker's run-start statement (it inserts outbox rows) at a table lock.
      const locker = new pg.Client({ connectionString: t.databaseUrl });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table automation_outbox in share mode');
        await sendAll(token, 'r');
        const first = startWorker(smtp.url);
        await waitFor(async () => {
          const r = await t.deps.pool.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into automation_runs%'`,
          );
          return r.rows[0]!.n >= 1;
        }, 40_000, 'the run-start statement waiting inside the batch transaction');
        await kill(first, 'SIGKILL');
      } finally {
        await locker.query('commit').catch(() => {});
        await locker.end();
      }
      // The killed transaction never committed: no run, no outbox row, nothing delivered.
      await new Promise((r) => setTimeout(r, 500));
      expect((await t.deps.pool.query(`select 1 from automation_runs where automation_id = $1`, [automationId])).rowCount).toBe(0);
      expect(hooks.keys).toHaveLength(0);
      expect(smtp.mails).toHaveLength(0);

      const second = startWorker(smtp.url);
      await expectExactlyOnce(automationId, smtp, hooks);
      await kill(second, 'SIGTERM');
    } finally {
      await smtp.close();
      await hooks.close();
    }
  }, 180_000);

  it('of deliveries: emails and webhooks in flight when it dies are received exactly once after restart', async () => {
    const smtp = await startSmtp('hold');
    const hooks = await startHooks('hold');
    try {
      const { token } = await t.createOrg('Deliveries');
      expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
      const automationId = await flow(token, hooks.url);
      await sendAll(token, 'd');
      const first = startWorker(smtp.url);
      // Every run started (2 outbox rows each), and deliveries of both kinds stuck at the receivers.
      await waitFor(async () => {
        const r = await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_outbox where automation_id = $1 and status = 'pending'`, [automationId]);
        return r.rows[0]!.n === 2 * N && smtp.held >= 1 && hooks.held >= 1;
      }, 40_000, 'outbox rows written and deliveries in flight');
      await kill(first, 'SIGKILL');
      expect(smtp.mails).toHaveLength(0);
      expect(hooks.keys).toHaveLength(0);
      const pending = await t.deps.pool.query<{ n: number }>(`select count(*)::int as n from automation_outbox where automation_id = $1 and status = 'pending'`, [automationId]);
      expect(pending.rows[0]!.n).toBe(2 * N);

      smtp.mode = 'accept';
      hooks.mode = 'accept';
      const second = startWorker(smtp.url);
      await expectExactlyOnce(automationId, smtp, hooks);
      await kill(second, 'SIGTERM');
    } finally {
      await smtp.close();
      await hooks.close();
    }
  }, 180_000);
});
