/**
 * Crash test: a real worker process (`node dist/src/main.js --role worker`) renders emails into the
 * outbox and is SIGKILLed while it is delivering them (the SMTP server holds DATA unanswered). After
 * a restart every message is delivered exactly once.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, spawnWorker, startSmtp, waitFor, type TestSmtp } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// The project's build, compiled into a private folder so a concurrent `npm run build` (which cleans dist/) cannot race us.
const OUT = path.join(ROOT, 'node_modules', '.cache', `arsel-crash-${process.pid}`);
const MAIN = path.join(OUT, 'dist', 'src', 'main.js');

let t: TestApp;
let smtp: TestSmtp;
const children: ChildProcess[] = [];

const startWorker = (): ChildProcess => spawnWorker(MAIN, t.databaseUrl, { SMTP_URL: smtp.url }, children);

const outbox = async () => (await t.deps.pool.query<{ status: string; n: number }>(`select status, count(*)::int as n from automation_outbox group by status`)).rows;
const count = (rows: { status: string; n: number }[], s: string) => rows.find((r) => r.status === s)?.n ?? 0;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(OUT, 'dist')], { stdio: 'inherit' });
  smtp = await startSmtp('hold');
  t = await startTestApp({ worker: false }); // API only: the worker is the child process
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.close();
  await smtp?.close();
  fs.rmSync(OUT, { recursive: true, force: true });
});

describe('crash between rendering and delivering', () => {
  it('SIGKILL mid-delivery, restart: every message delivered exactly once', async () => {
    const { token } = await t.createOrg('Acme');
    expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
    const a = await t.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'Receipt',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'receipt', type: 'send_email', subject: 'Receipt {{ event.order_id }}', body: 'Total {{ event.total }}' },
        ],
        connections: [{ from: 'trigger', to: 'receipt' }],
      },
    });
    expect(a.status).toBe(201);
    const N = 6;
    const batch = await t.http('POST', '/v1/events/send', {
      token,
      body: { events: Array.from({ length: N }, (_, i) => ({ event: 'order.completed', email: `buyer${i}@example.com`, data: { order_id: `o-${i}`, total: i } })) },
    });
    expect(batch.status).toBe(202);

    const first = startWorker();
    // Rendered (all outbox rows written) and at least one delivery stuck inside SMTP DATA.
    await waitFor(async () => count(await outbox(), 'pending') === N && smtp.held >= 1, 40_000, 'rendered emails and a delivery in flight');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(smtp.mails).toHaveLength(0);
    expect(count(await outbox(), 'pending')).toBe(N);

    smtp.mode = 'accept';
    const second = startWorker();
    // a delivered row leaves the outbox
    await waitFor(async () => (await outbox()).length === 0 && smtp.mails.length >= N, 40_000, 'all emails sent after restart');
    // Give a duplicate every chance to show up (redelivered jobs, the sweep) before counting.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(smtp.mails).toHaveLength(N);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(N);
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(Array.from({ length: N }, (_, i) => `buyer${i}@example.com`).sort());
    for (const m of smtp.mails) expect(m.subject).toBe(`Receipt o-${m.to[0]!.match(/\d+/)![0]}`);

    const runs = await t.http('GET', `/v1/automations/${a.body.id}/runs?limit=100`, { token });
    expect(runs.body.data).toHaveLength(N);
    for (const r of runs.body.data) {
      expect(r.status).toBe('completed');
      expect(r.steps[1].details.delivery).toBe('sent');
    }
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  });
});
