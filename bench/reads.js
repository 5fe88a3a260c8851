#!/usr/bin/env node
// Issue 6 item 4: reads with 1 million stored sends. Seeds the sends with one bulk INSERT … SELECT
// (UUIDv7-shaped ids in time order, 90 % processed, 5 % rejected, 5 % accepted), ANALYZE, then
// autocannon at --conns (64) against each read endpoint, following keyset cursors (`after=<last id>`)
// page by page, and EXPLAINs the history queries (index scans, no OFFSET).
// Flags: --seed 1000000 --conns 64 --duration 15 --warmup 3 --reps 3 --src dist|HEAD|<commit> --no-write
//        --only 0,1,2 (endpoints) --profile (--cpu-prof into bench/results/profiles)
//        --node-arg <flag> (repeatable: extra flags for the server's node, e.g. --trace-gc)
import './lib/pinned-node.js';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, runLoad, sleep } from './lib/children.js';
import { cpuDiff, cpuSnapshot, sampleRss } from './lib/proc.js';
import { dbUrl } from './lib/db.js';
import { startProduct } from './lib/product.js';
import { upsertSection } from './lib/sections.js';
import { prepareApp } from './lib/snapshot.js';
import { fmt, median, medRange } from './lib/stats.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const { values: a } = parseArgs({
  options: {
    seed: { type: 'string', default: '1000000' },
    conns: { type: 'string', default: '64' },
    duration: { type: 'string', default: '15' },
    reps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    src: { type: 'string', default: 'dist' },
    profile: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    only: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const seedN = Number(a.seed), conns = Number(a.conns), duration = Number(a.duration), warmup = Number(a.warmup), reps = Number(a.reps);
installCleanup((600 + 6 * reps * (duration + warmup + 10)) * 1000);
const TMP = path.join(os.tmpdir(), `arsel-bench-${process.pid}`);
mkdirSync(TMP, { recursive: true });


// The history query of src/sends/send.history.ts (listSends), for EXPLAIN: the app's own statement
// (historyStatement) when the measured build exports it, else the SQL listSends used to run.
const legacyHistorySql = (status) => `select id, event_name, status, errors, contact_id, email, data, "timestamp", created_at, processed_at, failure_reason
    from event_sends where organization_id = $1 and event_definition_id = $2${status ? ` and status = '${status}'` : ''} and id < $3
    order by id desc limit 51`;
const EXPLAIN = 'explain (analyze, buffers off, costs off, timing off, summary off) ';

const APP = prepareApp(ROOT, a.src);
const started = new Date();
const port = await freePort();
const srv = await startProduct({ repoRoot: APP.dir, dbName: `bench_reads_${process.pid}`, port, role: 'api', logFile: path.join(TMP, 'reads.log'),
  nodeArgs: [...(a.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(HERE, 'results', 'profiles')}`] : []), ...a['node-arg']] });
try {
  const { org_id: orgId, def_id: defId } = (await srv.query(`select organization_id as org_id, id as def_id from event_definitions where name = 'order.completed'`)).rows[0];
  const t0 = Date.now();
  // ids: 48-bit ms timestamp (one per row, spread over the last ~days), version 7, variant 8, random tail.
  await srv.query(`insert into event_sends (id, organization_id, event_definition_id, event_name, contact_id, email, data, "timestamp", status, errors, created_at, processed_at)
    select (lpad(to_hex(ms), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
           $1, $2, 'order.completed', null, 'u' || (i % 5000) || '@b.com',
           jsonb_build_object('order_id', 'o-' || i, 'total', (i % 500) + 0.5, 'is_gift', i % 7 = 0),
           to_timestamp(ms / 1000.0),
           case when i % 20 = 0 then 'rejected' when i % 20 = 1 then 'accepted' else 'processed' end,
           case when i % 20 = 0 then '[{"field":"total","message":"must be a number"}]'::jsonb end,
           to_timestamp(ms / 1000.0), case when i % 20 > 1 then to_timestamp(ms / 1000.0 + 1) end
      from (select i, (extract(epoch from now()) * 1000)::bigint - ($3::bigint - i) * 250 as ms, md5(i::text) as h
              from generate_series(1, $3::bigint) as i) s`, [orgId, defId, seedN]);
  // A partitioned event_sends (issue 23, item 3): the seed's earlier days landed in the default
  // partition (the server here is role api, which runs no maintenance). Move them into their day
  // partitions as the worker's maintenance job would have had them, so the reads see the layout of
  // a running installation. Builds without the job skip this.
  const partitions = await import(path.join(APP.dir, 'dist', 'src', 'sends', 'partitions.js')).catch(() => null);
  if (partitions?.maintainSendPartitions) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: dbUrl(srv.dbName), max: 1 });
    const r = await partitions.maintainSendPartitions(pool);
    await pool.end();
    console.error(`partitions: created ${r.created.join(', ') || 'none'}`);
  }
  await srv.query('analyze event_sends');
  const seedSecs = (Date.now() - t0) / 1000;
  console.error(`seeded ${seedN} sends in ${seedSecs.toFixed(1)} s`);
  const mid = (await srv.query(`select id from event_sends order by id desc offset $1 limit 1`, [Math.floor(seedN / 2)])).rows[0].id;
  const plans = {};
  const history = await import(path.join(APP.dir, 'dist', 'src', 'sends', 'send.history.js')).catch(() => ({}));
  const events = await import(path.join(APP.dir, 'dist', 'src', 'events', 'event.service.js')).catch(() => ({}));
  const planOf = async (text, values) => (await srv.query(EXPLAIN + text, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
  // A named history statement runs on PostgreSQL's generic plan once it has run five times: show that plan.
  const genericPlanOf = async (text, values) => {
    await srv.query('set plan_cache_mode = force_generic_plan');
    await srv.query(`prepare bench_history as ${text}`);
    try {
      // EXECUTE takes no bind parameters: its arguments are literals
      const lit = (v) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
      return await planOf(`execute bench_history(${values.map(lit).join(', ')})`, []);
    } finally {
      await srv.query('deallocate bench_history');
      await srv.query('reset plan_cache_mode');
    }
  };
  for (const st of [null, 'rejected']) {
    if (history.historyStatement) {
      const s = history.historyStatement(true, Boolean(st), '<', 'desc', st || undefined, 'rest');
      // Parameters by name (a group statement: one array per parameter, here a group of one page).
      const all = Array.isArray(s.params) && typeof s.params[0] === 'string' ? { org: orgId, limit: 21, event: defId, status: st, cursor: mid } : null;
      const values = all ? s.params.map((n) => (s.name ? `{${all[n]}}` : all[n])) : s.params.map((n) => [orgId, 21, defId, st, mid][n - 1]);
      plans[`history, status ${st ?? 'all'}${s.name ? ' (named statement: its generic plan)' : ''}`] = s.name ? await genericPlanOf(s.text, values) : await planOf(s.text, values);
    } else {
      plans[`history, status ${st ?? 'all'}`] = await planOf(legacyHistorySql(st), [orgId, defId, mid]);
    }
  }
  if (events.listEventsStatement) plans['GET /v1/events (listEvents)'] = await planOf(events.listEventsStatement(false, '', 'desc').text, [orgId, 21]);
  const endpoints = [
    { name: 'GET /v1/events (default page: 20)', path: '/v1/events' },
    { name: 'GET /v1/events/{id}/sends (default keyset pages: 20)', path: `/v1/events/${defId}/sends` },
    { name: 'GET /v1/events/{id}/sends?status=rejected (default keyset pages: 20)', path: `/v1/events/${defId}/sends?status=rejected` },
    { name: 'GET /v1/events/{id}/sends (keyset pages of 50)', path: `/v1/events/${defId}/sends?limit=50` },
    { name: 'GET /v1/events/{id}/sends?status=rejected (keyset pages of 50)', path: `/v1/events/${defId}/sends?status=rejected&limit=50` },
  ];
  // Repetitions go round the endpoints (A, B, C, A, B, C…), so a slow spell of this shared machine
  // hits them alike; the table gives medians and ranges.
  const chosen = a.only ? endpoints.filter((_, i) => a.only.split(',').includes(String(i))) : endpoints;
  const runs = new Map(chosen.map((e) => [e, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const e of chosen) {
      const load = { url: srv.base, connections: conns, token: srv.token, scenario: 'reads', method: 'GET', paths: [{ name: 'r', path: e.path }] };
      await runLoad({ ...load, duration: warmup }).done;
      await sleep(300);
      const l = runLoad({ ...load, duration });
      const c0 = cpuSnapshot({ server: srv.pid, loadgen: l.pid }, srv.dbName);
      const rss = sampleRss(srv.pid);
      const r = await l.done;
      const cpu = cpuDiff(c0, cpuSnapshot({ server: srv.pid, loadgen: l.pid }, srv.dbName));
      runs.get(e).push({ r, cpu, rss: rss.stop() });
      console.error(`${e.name} (rep ${rep + 1}): ${Math.round(r.ok2xx / r.duration)} req/s p50=${r.p50} p99=${r.p99} non2xx=${r.non2xx} err=${r.errors} tally=${JSON.stringify(r.tally)}`);
    }
  }
  const md = ['## Reads with stored sends', ''];
  md.push(`Generated by \`node bench/reads.js\` at ${started.toISOString()} (${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}); product ${APP.rev ? `git ${APP.rev}` : 'working-tree dist'}, \`--role api\`, LOG_LEVEL=info to a file. ${fmt(seedN)} sends seeded in ${seedSecs.toFixed(1)} s with one INSERT … SELECT, then ANALYZE. autocannon, ${conns} connections, ${reps} × ${duration} s per endpoint (round robin over the endpoints) after ${warmup} s warm-up each; medians (min–max) over the repetitions; each connection follows the \`after\` cursor of the page it got (restarting at the newest page every 20 pages). Target: p99 ≤ 20 ms.`, '');
  md.push('| endpoint | req/s | p50 ms | p99 ms | errors + non-2xx | server CPU % | Postgres CPU % | machine busy % | max RSS MB | p99 ≤ 20 ms (median) |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const [e, xs] of runs) {
    const p99 = median(xs.map((x) => x.r.p99));
    const col = (f) => medRange(xs.map(f));
    md.push(`| ${e.name} | ${col((x) => x.r.ok2xx / x.r.duration)} | ${col((x) => x.r.p50)} | ${col((x) => x.r.p99)} | ${xs.reduce((n, x) => n + x.r.errors + x.r.timeouts + x.r.non2xx, 0)} | ${col((x) => x.cpu.server)} | ${col((x) => x.cpu.postgres)} | ${col((x) => x.cpu.machineBusy)} | ${Math.max(...xs.map((x) => x.rss))} | ${p99 <= 20 ? 'met' : `**missed** by ${p99 - 20} ms`} |`);
  }
  md.push('', 'EXPLAIN ANALYZE of the read queries with the values the server sends (history: the statement of `listSends` in src/sends/send.history.ts, cursor in the middle of the data; no OFFSET, keyset `(event_definition_id, id) < (event, cursor)` ordered by the history index, limit 21 (the default page of 20 + 1); events: `listEvents` in src/events/event.service.ts, first page):', '');
  for (const [k, p] of Object.entries(plans)) md.push(`- ${k}: \`${p.split('\n').map((l) => l.trim()).join(' → ')}\` ${/Index (Only )?Scan/.test(p) && !/Seq Scan/.test(p) ? '(index scan)' : '**(not an index scan)**'}`);
  md.push('');
  const text = md.join('\n');
  console.log(text);
  if (!a['no-write']) upsertSection(path.resolve(a.out ?? path.join(HERE, 'RESULTS.md')), 'reads', text);
} finally {
  await srv.stop();
}
process.exit(0);
