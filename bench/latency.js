#!/usr/bin/env node
// `node bench/latency.js`: automation latency measured where the customer sees it. The real server
// (`node dist/src/main.js`, role all, on a fresh database) with two enabled automations on
// order.completed: `trigger → webhook` (to a receiver on 127.0.0.1) and `trigger → send_email`
// (SMTP to a local smtp-server sink). Probe sends go one at a time (spaced), and for each we record:
//   send → first step      the trigger step's finished_at in the run log minus the moment the client sent
//   send → webhook received at the receiver (matched by the body's send_id)
//   send → email received   at the SMTP sink (matched by the order id in the subject)
// p50/p90/p99/max, idle and with background ingest (autocannon at a fixed rate, on an event no
// automation listens to) at 50 % and 80 % of the accept path's maximum, measured first for a few
// seconds (closed loop, 64 connections) unless --max is given.
// Flags: --probes 40 --gap 100 --levels 0,50,80 --max N --measure 5 --out bench/RESULTS.md --no-write
import './lib/pinned-node.js';
import http from 'node:http';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { freePort, installCleanup, runLoad, sleep } from './lib/children.js';
import { connect, dropDatabase } from './lib/db.js';
import { startProduct } from './lib/product.js';
import { upsertSection } from './lib/sections.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const { values: a } = parseArgs({
  options: {
    probes: { type: 'string', default: '40' },
    gap: { type: 'string', default: '100' },
    levels: { type: 'string', default: '0,50,80' },
    max: { type: 'string' },
    measure: { type: 'string', default: '5' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const PROBES = Number(a.probes);
const GAP = Number(a.gap);
const LEVELS = a.levels.split(',').map(Number);

installCleanup(15 * 60_000);

// Receivers: arrival times by send id (webhook) and by order id (email).
const hookAt = new Map();
const hooks = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    try {
      const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!hookAt.has(j.send_id)) hookAt.set(j.send_id, at);
    } catch { /* not ours */ }
    res.end('ok');
  });
});
await new Promise((r) => hooks.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${hooks.address().port}/hook`;
const mailAt = new Map();
const smtp = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
  onData(stream, _session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const at = Date.now();
      const m = /Subject: probe (\S+)/.exec(Buffer.concat(chunks).toString('utf8'));
      if (m && !mailAt.has(m[1])) mailAt.set(m[1], at);
      cb();
    });
  },
});
await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
const smtpUrl = `smtp://127.0.0.1:${smtp.server.address().port}`;

const dbName = `bench_latency_${process.pid}`;
const port = await freePort();
const logFile = path.join(os.tmpdir(), `arsel-latency-${process.pid}.log`);
const srv = await startProduct({ repoRoot: ROOT, dbName, port, logFile, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', SMTP_URL: smtpUrl, LOG_LEVEL: 'warn' } });
const auth = { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' };
const post = async (p, body) => {
  const r = await fetch(`${srv.base}${p}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  return r.json();
};
await post('/v1/events', { name: 'bench.noise', schema: { fields: [{ name: 'n', type: 'number' }] } });
await post('/v1/automations', { name: 'latency hook', status: 'enabled', steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'hook', type: 'webhook', url: hookUrl }], connections: [{ from: 'trigger', to: 'hook' }] });
await post('/v1/automations', { name: 'latency mail', status: 'enabled', steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'mail', type: 'send_email', subject: 'probe {{ event.order_id }}', body: 'b' }], connections: [{ from: 'trigger', to: 'mail' }] });
const db = await connect(dbName);

const NOISE = JSON.stringify({ event: 'bench.noise', email: 'noise@example.com', data: { n: 1 } });
let max = a.max ? Number(a.max) : null;
if (!max && LEVELS.some((l) => l > 0)) {
  const r = await runLoad({ url: `${srv.base}/v1/events/send`, connections: 64, duration: Number(a.measure), token: srv.token, body: NOISE }).done;
  max = Math.round(r.ok2xx / r.duration);
  console.error(`accept path maximum (64 connections, ${a.measure} s): ${max} sends/s`);
  await sleep(2_000);
}

const q = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const rows = [];
for (const level of LEVELS) {
  const rate = level ? Math.round((max * level) / 100) : 0;
  const load = rate ? runLoad({ url: `${srv.base}/v1/events/send`, connections: 32, duration: Math.ceil((PROBES * (GAP + 60)) / 1000) + 6, token: srv.token, body: NOISE, rate }) : null;
  if (load) await sleep(2_000);
  const probes = [];
  for (let i = 0; i < PROBES; i++) {
    const orderId = `L${level}-${i}-${process.pid}`;
    const sentAt = Date.now();
    const r = await fetch(`${srv.base}/v1/events/send`, { method: 'POST', headers: auth, body: JSON.stringify({ event: 'order.completed', email: `probe${i}@example.com`, data: { order_id: orderId, total: i } }) });
    const body = await r.json();
    probes.push({ sendId: body.id, orderId, sentAt });
    await sleep(GAP);
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && probes.some((p) => !hookAt.has(p.sendId) || !mailAt.has(p.orderId))) await sleep(50);
  if (load) await load.done;
  const runs = await db.query(`select send_id, (steps -> 0 ->> 'finished_at') as first from automation_runs where send_id = any($1::uuid[])`, [probes.map((p) => p.sendId)]);
  const firstAt = new Map();
  for (const r of runs.rows) if (r.first) firstAt.set(r.send_id, Math.min(firstAt.get(r.send_id) ?? Infinity, Date.parse(r.first)));
  const series = {
    'send → first step': probes.map((p) => firstAt.get(p.sendId) - p.sentAt).filter(Number.isFinite),
    'send → webhook received': probes.map((p) => hookAt.get(p.sendId) - p.sentAt).filter(Number.isFinite),
    'send → email received': probes.map((p) => mailAt.get(p.orderId) - p.sentAt).filter(Number.isFinite),
  };
  for (const [what, xs] of Object.entries(series)) {
    const row = { load: level ? `${level} % (${rate}/s)` : 'idle', what, n: `${xs.length}/${PROBES}`, p50: q(xs, 50), p90: q(xs, 90), p99: q(xs, 99), max: xs.length ? Math.max(...xs) : null };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
}

await db.end();
await srv.stop?.();
smtp.close();
hooks.close();
await dropDatabase(dbName);

const cpus = os.cpus();
const table = [
  `Measured ${new Date().toISOString().slice(0, 16)}Z by \`node bench/latency.js\` on ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; the box is shared, so figures are noisy).`,
  `${PROBES} probe sends per row, ${GAP} ms apart, one at a time; background ingest on an event no automation listens to${max ? ` (accept path maximum measured at ${max} sends/s)` : ''}. Times in ms, taken at the receiver (webhook, SMTP sink) or from the run log's first step.`,
  '',
  '| ingest | measure | received | p50 | p90 | p99 | max |',
  '|---|---|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.load} | ${r.what} | ${r.n} | ${r.p50 ?? '–'} | ${r.p90 ?? '–'} | ${r.p99 ?? '–'} | ${r.max ?? '–'} |`),
].join('\n');
console.log(table);
if (!a['no-write']) {
  const out = a.out ?? path.join(ROOT, 'bench', 'RESULTS.md');
  mkdirSync(path.dirname(out), { recursive: true });
  upsertSection(out, 'automation-latency', `## Automation latency (send → first step / webhook / email)\n\n${table}`);
}
process.exit(0);
