#!/usr/bin/env node
// `node bench/automations.js`: automation throughput counted where the customer sees it. The real
// server (`node dist/src/main.js`, role all, on a fresh database) with one enabled automation on
// order.completed: condition (always met) → send_email → webhook. --sends N sends are accepted as
// fast as the API takes them (batches of 500 per request, a few requests in flight), and the
// deliveries are counted at a local webhook receiver (by Idempotency-Key) and, with --email smtp,
// at a local smtp-server sink (by Message-ID): every run must complete, and every webhook and email
// must arrive exactly once. Runs/s = sends / (first send → last webhook received).
// Flags: --sends 10000 --email log|smtp --reps 3 --out bench/RESULTS.md --no-write --keep-db
//        --node-args "--cpu-prof --cpu-prof-dir=/tmp/prof" (flags for the server's node)
import './lib/pinned-node.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, sleep } from './lib/children.js';
import { connect, dropDatabase } from './lib/db.js';
import { startProduct } from './lib/product.js';
import { cpuDiff, cpuSnapshot, rssMb } from './lib/proc.js';
import { startSmtpSink, startWebhookReceiver, threeStepFlow } from './lib/receivers.js';
import { upsertSection } from './lib/sections.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const { values: a } = parseArgs({
  options: {
    sends: { type: 'string', default: '10000' },
    email: { type: 'string', default: 'log' },
    reps: { type: 'string', default: '1' },
    'node-args': { type: 'string', default: '' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
  },
});
const N = Number(a.sends);
const SMTP = a.email === 'smtp';
installCleanup(60 * 60_000);

// Receivers, counting every arrival and the distinct keys.
const webhook = await startWebhookReceiver();
const { hooks, url: hookUrl } = webhook;
const sink = await startSmtpSink();
const { mails, url: smtpUrl } = sink;

async function once(rep) {
  webhook.reset();
  sink.reset();
  const dbName = `bench_automations_${process.pid}_${rep}`;
  const port = await freePort();
  const logFile = path.join(os.tmpdir(), `arsel-automations-${process.pid}-${rep}.log`);
  const nodeArgs = a['node-args'] ? a['node-args'].split(/\s+/) : [];
  const srv = await startProduct({
    repoRoot: ROOT, dbName, port, logFile, nodeArgs,
    env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'warn', ...(SMTP ? { SMTP_URL: smtpUrl } : {}) },
  });
  const auth = { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' };
  const post = async (p, body) => {
    const r = await fetch(`${srv.base}${p}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  // startProduct's probe send must be processed before the automation exists, or it would start a run too.
  {
    const db0 = await connect(dbName);
    const until = Date.now() + 30_000;
    while ((await db0.query(`select count(*)::int as n from event_sends where status = 'accepted'`)).rows[0].n > 0 && Date.now() < until) await sleep(100);
    await db0.end();
  }
  await post('/v1/automations', threeStepFlow(hookUrl));
  const db = await connect(dbName);
  const cpu0 = cpuSnapshot({ server: srv.pid }, dbName);
  const started = Date.now();
  let next = 0;
  const sender = async () => {
    while (next < N) {
      const i = next;
      next += 500;
      const events = Array.from({ length: Math.min(500, N - i) }, (_, j) => ({ event: 'order.completed', email: `b${(i + j) % 5000}@example.com`, data: { order_id: `o-${i + j}`, total: j } }));
      await post('/v1/events/send', { events });
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
  const acceptedS = (Date.now() - started) / 1000;
  const samples = [];
  let peakRss = 0;
  let lastSample = 0;
  const deadline = Date.now() + Math.max(120_000, N * 20);
  while (Date.now() < deadline) {
    const done = hooks.total >= N && (!SMTP || mails.total >= N);
    if (done || Date.now() - lastSample >= 5_000) {
      lastSample = Date.now();
      const r = (await db.query(`select (select count(*) from event_sends where status = 'accepted')::int as unprocessed,
          (select count(*) from automation_runs where status = 'completed')::int as completed,
          (select count(*) from automation_outbox where status = 'pending')::int as outbox`)).rows[0];
      const rss = rssMb(srv.pid) ?? 0;
      peakRss = Math.max(peakRss, rss);
      samples.push(`t=${((Date.now() - started) / 1000).toFixed(0)}s unprocessed=${r.unprocessed} runs completed=${r.completed} outbox pending=${r.outbox} webhooks=${hooks.total} emails=${mails.total} rss=${rss}MB`);
      console.error(samples.at(-1));
      if (done && r.completed >= N) break;
    }
    await sleep(100);
  }
  const cpu = cpuDiff(cpu0, cpuSnapshot({ server: srv.pid }, dbName));
  const endAt = Math.max(hooks.last, SMTP ? mails.last : 0);
  const totalS = (endAt - started) / 1000;
  const runs = (await db.query(`select count(*)::int as n, count(distinct send_id)::int as d, count(*) filter (where status = 'completed')::int as c from automation_runs`)).rows[0];
  await db.end();
  await srv.stop?.();
  if (!a['keep-db']) await dropDatabase(dbName);
  const res = {
    rep, sends: N, email: a.email, acceptedS: +acceptedS.toFixed(1), totalS: +totalS.toFixed(1), runsPerS: Math.round(N / totalS),
    emailsPerS: SMTP ? Math.round(mails.total / ((mails.last - started) / 1000)) : null,
    runs: runs.n, completed: runs.c, dupRuns: runs.n - runs.d,
    webhooks: hooks.total, webhookKeys: hooks.keys.size, emails: SMTP ? mails.total : null, emailIds: SMTP ? mails.ids.size : null,
    peakRssMb: peakRss,
    // CPU over the run as % of one core, and per run in µs (server = all its threads; postgres = this database's backends)
    cpu: { machine: cpu.machineBusy, server: cpu.server, postgres: cpu.postgres, serverUsPerRun: Math.round((cpu.server / 100) * cpu.secs * 1e6 / N), postgresUsPerRun: Math.round((cpu.postgres / 100) * cpu.secs * 1e6 / N) },
    load: os.loadavg().map((x) => x.toFixed(1)).join(' '),
  };
  res.ok = res.completed === N && res.webhooks === N && res.webhookKeys === N && res.dupRuns === 0 && (!SMTP || (res.emails === N && res.emailIds === N));
  console.error(JSON.stringify(res));
  return res;
}

const results = [];
for (let rep = 1; rep <= Number(a.reps); rep++) results.push(await once(rep));
sink.close();
webhook.close();

const med = (xs) => { const s = xs.filter((x) => x != null).sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
const range = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
const cpus = os.cpus();
const table = [
  `Measured ${new Date().toISOString().slice(0, 16)}Z by \`node bench/automations.js --sends ${N} --email ${a.email} --reps ${a.reps}\` on ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (load average at the end of each run: ${results.map((r) => r.load.split(' ')[0]).join(', ')}; the box is shared with other agents, so figures are noisy).`,
  `Flow: trigger → condition (always met) → send_email (${SMTP ? 'SMTP to a local smtp-server sink, pooled' : 'log transport'}) → webhook (local receiver). Runs/s = sends / (first send → last delivery received).`,
  '',
  '| run | sends | accepted in s | all delivered in s | runs/s | emails/s | runs completed | webhooks (distinct keys) | emails (distinct Message-IDs) | duplicate runs | peak RSS MB | CPU % server / postgres / machine | µs per run server / postgres | exactly once |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...results.map((r) => `| ${r.rep} | ${r.sends} | ${r.acceptedS} | ${r.totalS} | ${r.runsPerS} | ${r.emailsPerS ?? '–'} | ${r.completed} | ${r.webhooks} (${r.webhookKeys}) | ${r.emails ?? '–'} (${r.emailIds ?? '–'}) | ${r.dupRuns} | ${r.peakRssMb} | ${r.cpu.server} / ${r.cpu.postgres} / ${r.cpu.machine} | ${r.cpu.serverUsPerRun} / ${r.cpu.postgresUsPerRun} | ${r.ok ? 'yes' : 'NO'} |`),
  `| median (range) | | | ${med(results.map((r) => r.totalS))} | ${med(results.map((r) => r.runsPerS))} (${range(results.map((r) => r.runsPerS))}) | ${SMTP ? `${med(results.map((r) => r.emailsPerS))} (${range(results.map((r) => r.emailsPerS))})` : '–'} | | | | | | | ${med(results.map((r) => r.cpu.serverUsPerRun))} / ${med(results.map((r) => r.cpu.postgresUsPerRun))} | |`,
].join('\n');
console.log(table);
if (!a['no-write']) {
  const out = a.out ?? path.join(ROOT, 'bench', 'RESULTS.md');
  upsertSection(out, `automation-throughput-${a.email}`, `## Automation throughput (three-step flow, ${SMTP ? 'SMTP sink' : 'log email transport'})\n\n${table}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
