#!/usr/bin/env node
// Issue 6 items 3 and 5, product only:
//   --mode sustained: one server (API + worker in one process), an enabled automation on the event,
//     a fixed offered load at 70 % of the measured maximum for --duration s (default 300); the queue
//     backlog is printed every 10 s, then every accepted send must end processed (one run each).
//   --mode scaleout: two `--role api` and two `--role worker` processes on one database, load on both
//     APIs (closed loop, --conns each), then drain: zero duplicate runs, every send processed once.
// Flags: --rate <req/s> (skip the 10 s max measurement) --conns 64 --duration s --drain 180 --no-write
import './lib/pinned-node.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, runLoad, sleep } from './lib/children.js';
import { dropDatabase } from './lib/db.js';
import { cpuDiff, cpuSnapshot, rssMb } from './lib/proc.js';
import { SEND_BODY, startExtra, startProduct } from './lib/product.js';
import { upsertSection } from './lib/sections.js';
import { prepareApp } from './lib/snapshot.js';
import { fmt } from './lib/stats.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'sustained' },
    rate: { type: 'string' },
    conns: { type: 'string', default: '64' },
    duration: { type: 'string' },
    drain: { type: 'string', default: '180' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    src: { type: 'string', default: 'dist' },
  },
});
const mode = a.mode;
const duration = Number(a.duration ?? (mode === 'sustained' ? 300 : 30));
const conns = Number(a.conns);
const drainSecs = Number(a.drain);
installCleanup((duration + drainSecs + 240) * 1000);
const TMP = path.join(os.tmpdir(), `arsel-bench-${process.pid}`);
mkdirSync(TMP, { recursive: true });


let enabledAt = null; // sends created after this must each get exactly one run
const AUTOMATION = {
  name: 'bench: big orders',
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gt', value: 100 } },
    { key: 'thank', type: 'send_email', subject: 'Thanks for order {{ event.order_id }}', body: 'Hello {{ contact.email }}' },
  ],
  connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'thank' }],
};

async function createAutomation(base, token) {
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const r = await fetch(`${base}/v1/automations`, { method: 'POST', headers: h, body: JSON.stringify(AUTOMATION) });
  if (r.status !== 201 && r.status !== 200) return { ok: false, why: `POST /v1/automations → ${r.status} ${(await r.text()).slice(0, 200)}` };
  const { id } = await r.json();
  const e = await fetch(`${base}/v1/automations/${id}/enable`, { method: 'POST', headers: h, body: '{}' });
  if (!e.ok) return { ok: false, why: `enable → ${e.status} ${(await e.text()).slice(0, 200)}` };
  enabledAt = new Date(Date.now() + 1000); // margin: a send accepted just before enabling may miss it
  return { ok: true, id };
}

// Sends covered by the queue's jobs: one job per send, or one per group commit carrying the ids.
const JOB_SENDS = `(select coalesce(sum(coalesce((select jsonb_array_length(v) from jsonb_each(j.data) e(k, v)
    where jsonb_typeof(v) = 'array' limit 1), 1)), 0) from pgboss.job j where j.name = $1)::int`;

async function snapshotDb(srv) {
  const q = await srv.query(`select
      (select count(*) from pgboss.job where name = $1 and state in ('created', 'retry', 'active'))::int as backlog,
      (select count(*) from pgboss.job where name = $1)::int as jobs,
      ${JOB_SENDS} as job_sends,
      (select count(*) from event_sends where status = 'accepted')::int as accepted,
      (select count(*) from event_sends where status = 'processed')::int as processed,
      (select count(*) from event_sends where status = 'failed')::int as failed,
      (select count(*) from event_sends where status <> 'rejected')::int as accepted_total,
      (select count(*) from automation_runs)::int as runs,
      (select count(*) from event_sends s where s.status = 'processed' and s.created_at >= $2
         and not exists (select 1 from automation_runs r where r.send_id = s.id))::int as missing_runs,
      (select count(*) from (select 1 from automation_runs group by automation_id, send_id having count(*) > 1) d)::int as dup_runs`,
  [srv.queue, enabledAt ?? new Date(8.64e15)]).catch(async () => (await srv.query(`select
      (select count(*) from pgboss.job where name = $1 and state in ('created', 'retry', 'active'))::int as backlog,
      (select count(*) from pgboss.job where name = $1)::int as jobs,
      ${JOB_SENDS} as job_sends,
      (select count(*) from event_sends where status = 'accepted')::int as accepted,
      (select count(*) from event_sends where status = 'processed')::int as processed,
      (select count(*) from event_sends where status = 'failed')::int as failed,
      (select count(*) from event_sends where status <> 'rejected')::int as accepted_total,
      null::int as runs, null::int as missing_runs, null::int as dup_runs`, [srv.queue])));
  return q.rows[0];
}

const APP = prepareApp(ROOT, a.src);
const started = new Date();
const dbName = `bench_${mode}_${process.pid}`;
const port = await freePort();
const srv = await startProduct({ repoRoot: APP.dir, dbName, port, role: mode === 'scaleout' ? 'api' : 'all', logFile: path.join(TMP, 'api-1.log') });
const extras = [];
const lines = [];
const say = (s) => { console.error(s); lines.push(s); };
try {
  if (srv.target !== 'send') throw new Error('POST /v1/events/send is not available in this build');
  const pids = { api1: srv.pid };
  const urls = [srv.url];
  if (mode === 'scaleout') {
    const p2 = await freePort();
    const api2 = await startExtra({ repoRoot: APP.dir, dbName, port: p2, role: 'api', logFile: path.join(TMP, 'api-2.log') });
    extras.push(api2);
    pids.api2 = api2.pid;
    urls.push(`http://127.0.0.1:${p2}/v1/events/send`);
    for (const i of [1, 2]) {
      // METRICS_PORT=0: each worker's /metrics listener on a free port (two workers cannot share the default 9464)
      const w = await startExtra({ repoRoot: APP.dir, dbName, role: 'worker', env: { METRICS_PORT: '0' }, logFile: path.join(TMP, `worker-${i}.log`) });
      extras.push(w);
      pids[`worker${i}`] = w.pid;
    }
  }
  const auto = await createAutomation(srv.base, srv.token);
  say(auto.ok ? `automation ${auto.id} enabled (trigger order.completed)` : `no automation: ${auto.why}`);
  const load = (url, extra) => runLoad({ url, connections: conns, token: srv.token, body: SEND_BODY, ...extra });

  let rate = a.rate ? Number(a.rate) : null, maxRps = null;
  if (mode === 'sustained' && !rate) {
    await load(urls[0], { duration: 3 }).done;
    const m = await load(urls[0], { duration: 10 }).done;
    maxRps = Math.round(m.ok2xx / m.duration);
    rate = Math.round(maxRps * 0.7);
    say(`measured max ${maxRps} req/s at ${conns} connections (10 s, worker running); sustained rate = 70 % = ${rate} req/s`);
  } else if (mode === 'scaleout') {
    await Promise.all(urls.map((u) => load(u, { duration: 3 }).done));
  }
  await sleep(1000); // warm-up requests still in flight commit before the baseline snapshot
  const s0 = await snapshotDb(srv);
  const x0 = Number((await srv.query('select xact_commit from pg_stat_database where datname = current_database()')).rows[0].xact_commit);
  const q0 = Object.fromEntries((await srv.query('select name, count(*)::int as n from pgboss.job group by name')).rows.map((r) => [r.name, r.n]));
  const cpu0 = cpuSnapshot(pids, dbName);
  const loads = urls.map((u) => load(u, { duration, ...(rate ? { rate } : {}) }));
  const t0 = Date.now();
  const samples = [];
  let maxRss = {};
  const tick = setInterval(async () => {
    const s = await snapshotDb(srv).catch(() => null);
    if (!s) return;
    const rss = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, rssMb(p)]));
    for (const [k, v] of Object.entries(rss)) maxRss[k] = Math.max(maxRss[k] ?? 0, v);
    const t = Math.round((Date.now() - t0) / 1000);
    samples.push({ t, ...s, rss });
    say(`t=${t}s backlog=${s.backlog} accepted(unprocessed)=${s.accepted} processed=${s.processed - s0.processed} failed=${s.failed} runs=${s.runs ?? 'n/a'} rss=${JSON.stringify(rss)}`);
  }, 10_000);
  const res = await Promise.all(loads.map((l) => l.done));
  clearInterval(tick);
  const cpu = cpuDiff(cpu0, cpuSnapshot(pids, dbName));
  const endLoad = await snapshotDb(srv);
  const xacts = async () => Number((await srv.query('select xact_commit from pg_stat_database where datname = current_database()')).rows[0].xact_commit);
  // Drain: every accepted send must end processed.
  const d0 = Date.now();
  let end = endLoad;
  while ((end.accepted > 0 || end.backlog > 0) && Date.now() - d0 < drainSecs * 1000) {
    await sleep(1000);
    end = await snapshotDb(srv);
  }
  const drained = Math.round((Date.now() - d0) / 100) / 10;
  // Work per accepted send, load + drain: committed transactions (all clients of this database) and jobs per queue.
  const perSend = (n) => (n / Math.max(1, end.accepted_total - s0.accepted_total)).toFixed(2);
  const txPerSend = perSend((await xacts()) - x0);
  const q1 = (await srv.query('select name, count(*)::int as n from pgboss.job group by name order by name')).rows;
  const jobsPerSend = q1.map((r) => `${r.name} ${perSend(r.n - (q0[r.name] ?? 0))}`).join(', ');
  const ok2xx = res.reduce((s, r) => s + r.ok2xx, 0);
  const sent = end.accepted_total - s0.accepted_total;
  const checks = {
    allProcessed: end.accepted === 0 && end.backlog === 0,
    noFailed: end.failed === 0,
    jobsEqRows: end.job_sends === end.accepted_total,
    rowsCover2xx: sent >= ok2xx && sent - ok2xx <= conns * urls.length,
    everySendOneRun: auto.ok ? end.missing_runs === 0 : null,
    noDupRuns: end.dup_runs === null ? null : end.dup_runs === 0,
  };
  const backlogs = samples.map((s) => s.backlog);
  const md = [];
  md.push(mode === 'sustained' ? '## Sustained load: 70 % of the maximum, worker and automations in the same process' : '## Scale-out: two API and two worker processes on one database', '');
  md.push(`Generated by \`node bench/sustained.js --mode ${mode}\` at ${started.toISOString()} (${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}); product ${APP.rev ? `git ${APP.rev}` : 'working-tree dist'}. ${auto.ok ? 'One enabled automation triggered by order.completed (condition on event.total; not met, so each run ends after the condition).' : `No automation: ${auto.why}.`}`, '');
  md.push('| | |', '|---|---|');
  if (maxRps) md.push(`| measured maximum (10 s, ${conns} conns) | ${fmt(maxRps)} req/s |`);
  md.push(`| offered load | ${rate ? `${fmt(rate)} req/s (autocannon overallRate) per API` : `closed loop, ${conns} connections per API`}, ${duration} s, ${urls.length} API process(es)${mode === 'scaleout' ? ' + 2 worker processes' : ''} |`);
  md.push(`| achieved | ${res.map((r, i) => `API ${i + 1}: ${fmt(r.ok2xx / r.duration)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors+timeouts+non-2xx ${r.errors + r.timeouts + r.non2xx}`).join('; ')}; **total ${fmt(ok2xx / res[0].duration)} req/s** |`);
  md.push(`| CPU % of one core | ${Object.entries(cpu).filter(([k]) => k !== 'secs').map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  md.push(`| max RSS MB | ${Object.entries(maxRss).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  md.push(`| queue backlog (created/retry/active jobs) every 10 s | ${backlogs.join(', ') || 'n/a'}; max ${backlogs.length ? Math.max(...backlogs) : 'n/a'}, at end of load ${endLoad.backlog} |`);
  md.push(`| work per accepted send (load + drain) | ${txPerSend} committed transactions; pg-boss jobs: ${jobsPerSend} |`);
  md.push(`| drain after load | ${drained} s until no accepted send was left (limit ${drainSecs} s) |`);
  md.push(`| accepted sends / sends in jobs (jobs) / processed / failed / runs / processed sends without a run | ${end.accepted_total} / ${end.job_sends} (${end.jobs}) / ${end.processed} / ${end.failed} / ${end.runs ?? 'n/a'} / ${end.missing_runs ?? 'n/a'} (counted from 1 s after the automation was enabled; the harness's one probe send comes before it, so runs may be accepted sends − 1) |`);
  md.push(`| checks | ${Object.entries(checks).map(([k, v]) => `${k}: ${v === null ? 'n/a' : v ? 'yes' : '**NO**'}`).join(', ')} |`);
  md.push('');
  const text = md.join('\n');
  console.log(text);
  if (!a['no-write']) upsertSection(path.resolve(a.out ?? path.join(HERE, 'RESULTS.md')), mode, text);
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(path.join(HERE, 'results', `${mode}-${started.toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ samples, res, cpu, end, checks, lines }, null, 2));
} finally {
  for (const e of extras) await e.stop();
  await srv.stop();
  await dropDatabase(dbName);
}
process.exit(0);
