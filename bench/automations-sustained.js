#!/usr/bin/env node
// `node bench/automations-sustained.js`: the three-step flow (condition → send_email → webhook) on
// every send, with ingest held at --level % (default 50) of the accept path's maximum for --duration s
// (default 300). The real server (`node dist/src/main.js`, role all, fresh database), a local webhook
// receiver and, with --email smtp (default), a local smtp-server sink.
//   - the backlog (sends not processed, runs not completed, outbox rows pending) is printed every 10 s;
//   - after the load stops: how long until every accepted send's run completed and its email and
//     webhook arrived (target ≤ 10 s);
//   - send → webhook received p50/p99 from probe sends (one every 100 ms, matched by send_id) during the load;
//   - exactly once at the receivers (by Idempotency-Key / Message-ID, and by count = accepted sends);
//   - the server's peak RSS.
// The maximum is measured first (closed loop, 64 connections, --measure s, on the flow's event) unless --max N.
// Flags: --level 50 --duration 300 --max N --measure 5 --email smtp|log --out bench/RESULTS.md --no-write
import './lib/pinned-node.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, runLoad, sleep } from './lib/children.js';
import { connect, dropDatabase } from './lib/db.js';
import { rssMb } from './lib/proc.js';
import { startProduct } from './lib/product.js';
import { startSmtpSink, startWebhookReceiver, threeStepFlow } from './lib/receivers.js';
import { upsertSection } from './lib/sections.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const { values: a } = parseArgs({
  options: {
    level: { type: 'string', default: '50' },
    duration: { type: 'string', default: '300' },
    max: { type: 'string' },
    measure: { type: 'string', default: '5' },
    email: { type: 'string', default: 'smtp' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DURATION = Number(a.duration);
const SMTP = a.email === 'smtp';
installCleanup((DURATION + 600) * 1000);

const webhook = await startWebhookReceiver({ bySend: true });
const { hooks, url: hookUrl } = webhook;
const sink = await startSmtpSink();
const { mails, url: smtpUrl } = sink;

const dbName = `bench_auto_sustained_${process.pid}`;
const port = await freePort();
const logFile = path.join(os.tmpdir(), `arsel-auto-sustained-${process.pid}.log`);
const srv = await startProduct({ repoRoot: ROOT, dbName, port, logFile, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'warn', ...(SMTP ? { SMTP_URL: smtpUrl } : {}) } });
const auth = { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' };
const db = await connect(dbName);
// startProduct's probe send must be processed before the automation exists, or it would start a run too.
for (let i = 0; i < 300 && (await db.query(`select count(*)::int as n from event_sends where status = 'accepted'`)).rows[0].n > 0; i++) await sleep(100);

const BODY = JSON.stringify({ event: 'order.completed', email: 'load@example.com', data: { order_id: 'load', total: 1 } });
let max = a.max ? Number(a.max) : null;
if (!max) {
  // Measured before the automation exists: the accept path's own maximum.
  const r = await runLoad({ url: `${srv.base}/v1/events/send`, connections: 64, duration: Number(a.measure), token: srv.token, body: BODY }).done;
  max = Math.round(r.ok2xx / r.duration);
  console.error(`accept path maximum (64 connections, ${a.measure} s): ${max} sends/s`);
  for (let i = 0; i < 600 && (await db.query(`select count(*)::int as n from event_sends where status = 'accepted'`)).rows[0].n > 0; i++) await sleep(100);
}
const before = (await db.query(`select count(*)::int as n from event_sends`)).rows[0].n;
const flow = await fetch(`${srv.base}/v1/automations`, {
  method: 'POST', headers: auth,
  body: JSON.stringify(threeStepFlow(hookUrl)),
});
if (flow.status !== 201) throw new Error(`automation: ${flow.status} ${await flow.text()}`);

const rate = Math.max(1, Math.round((max * Number(a.level)) / 100));
console.error(`ingest ${rate} sends/s (${a.level} % of ${max}) for ${DURATION} s, every send running condition → send_email → webhook`);
const started = Date.now();
const load = runLoad({ url: `${srv.base}/v1/events/send`, connections: 32, duration: DURATION, token: srv.token, body: BODY, rate });
let peakRss = 0;
const samples = [];
const sample = async () => {
  const r = (await db.query(`select (select count(*) from event_sends where status = 'accepted')::int as unprocessed,
      (select count(*) from automation_runs where status <> 'completed')::int as open_runs,
      (select count(*) from automation_outbox where status = 'pending')::int as outbox`)).rows[0];
  const rss = rssMb(srv.pid);
  peakRss = Math.max(peakRss, rss);
  const line = `t=${Math.round((Date.now() - started) / 1000)}s backlog: sends unprocessed=${r.unprocessed} runs open=${r.open_runs} outbox pending=${r.outbox}; received webhooks=${hooks.total} emails=${mails.total}; rss=${rss}MB`;
  samples.push(line);
  console.error(line);
  return r;
};
const ticker = setInterval(() => void sample().catch(() => {}), 10_000);
const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, rssMb(srv.pid)); }, 1_000);
// Probes: one send every 100 ms with its own id, timed to its webhook.
const probes = [];
let loadDone = false;
void load.done.finally(() => { loadDone = true; });
while (!loadDone) {
  const sentAt = Date.now();
  const r = await fetch(`${srv.base}/v1/events/send`, { method: 'POST', headers: auth, body: JSON.stringify({ event: 'order.completed', email: 'probe@example.com', data: { order_id: `p${probes.length}`, total: 2 } }) });
  if (r.status === 202) probes.push({ id: (await r.json()).id, sentAt });
  else await r.text();
  await sleep(100);
}
const loadResult = await load.done;
const stoppedAt = Date.now();
clearInterval(ticker);
const accepted = (await db.query(`select count(*)::int as n from event_sends where status <> 'rejected'`)).rows[0].n - before;
let drainedAt = null;
while (Date.now() - stoppedAt < 120_000) {
  const r = (await db.query(`select (select count(*) from automation_runs where status = 'completed')::int as done,
      (select count(*) from automation_outbox where status = 'pending')::int as outbox`)).rows[0];
  if (r.done >= accepted && r.outbox === 0 && hooks.total >= accepted && (!SMTP || mails.total >= accepted)) { drainedAt = Date.now(); break; }
  await sleep(100);
}
await sample();
clearInterval(rssTimer);
await sleep(2_000); // a duplicate would show up here
const runs = (await db.query(`select count(*)::int as n, count(distinct send_id)::int as d, count(*) filter (where status = 'completed')::int as c from automation_runs`)).rows[0];
await db.end();
await srv.stop?.();
sink.close();
webhook.close();
await dropDatabase(dbName);

const q = (xs, p) => { const s = [...xs].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null; };
const lat = probes.map((p) => hooks.bySend.get(p.id) - p.sentAt).filter(Number.isFinite);
const res = {
  rate, max, durationS: DURATION, accepted, loadOk2xx: loadResult.ok2xx, probes: probes.length,
  drainS: drainedAt ? +((drainedAt - stoppedAt) / 1000).toFixed(1) : null,
  webhookP50: q(lat, 50), webhookP99: q(lat, 99), webhookMax: lat.length ? Math.max(...lat) : null, probesReceived: lat.length,
  runs: runs.n, distinctRunSends: runs.d, completed: runs.c,
  webhooks: hooks.total, webhookKeys: hooks.keys.size, emails: SMTP ? mails.total : null, emailIds: SMTP ? mails.ids.size : null,
  peakRssMb: peakRss, load: os.loadavg().map((x) => x.toFixed(1)).join(' '),
};
const once = res.runs === accepted && res.distinctRunSends === accepted && res.completed === accepted && res.webhooks === accepted && res.webhookKeys === accepted && (!SMTP || (res.emails === accepted && res.emailIds === accepted));
const verdict = {
  'backlog drains within 10 s': res.drainS !== null && res.drainS <= 10,
  'send → webhook p99 ≤ 1 s': res.webhookP99 !== null && res.webhookP99 <= 1000,
  'exactly once at the receivers': once,
  'server RSS ≤ 300 MB': peakRss <= 300,
};
console.error(JSON.stringify({ ...res, verdict }));
const cpus = os.cpus();
const table = [
  `Measured ${new Date().toISOString().slice(0, 16)}Z by \`node bench/automations-sustained.js --level ${a.level}${a.max ? ` --max ${a.max}` : ''} --duration ${DURATION} --email ${a.email}\` on ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (load average at the end ${res.load}; the box is shared with other agents).`,
  `Ingest ${rate} sends/s = ${a.level} % of ${a.max ? `${max}/s, given with --max (a rate chosen by hand, not the accept path's measured maximum)` : `the accept path's maximum (${max}/s, measured)`}, every send running trigger → condition → send_email (${SMTP ? 'SMTP sink' : 'log'}) → webhook (local receiver), plus a probe send every 100 ms timed to its webhook.`,
  '',
  '| accepted sends | drained after load stopped | send → webhook p50 / p99 / max (ms) | runs (distinct sends, completed) | webhooks (distinct keys) | emails (distinct Message-IDs) | peak RSS MB |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  `| ${accepted} | ${res.drainS ?? '> 120'} s | ${res.webhookP50} / ${res.webhookP99} / ${res.webhookMax} (${res.probesReceived}/${res.probes} probes) | ${res.runs} (${res.distinctRunSends}, ${res.completed}) | ${res.webhooks} (${res.webhookKeys}) | ${res.emails ?? '–'} (${res.emailIds ?? '–'}) | ${peakRss} |`,
  '',
  ...Object.entries(verdict).map(([k, v]) => `- ${k}: ${v ? 'yes' : 'NO'}`),
  '',
  'Backlog every 10 s:',
  '',
  '```',
  ...samples,
  '```',
].join('\n');
console.log(table);
if (!a['no-write']) upsertSection(a.out ?? path.join(ROOT, 'bench', 'RESULTS.md'), 'automation-sustained', `## Automations sustained (${a.max ? `${rate} sends/s` : `${a.level} % ingest`}, ${DURATION} s)\n\n${table}`);
process.exit(Object.values(verdict).every(Boolean) ? 0 : 1);
