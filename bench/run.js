#!/usr/bin/env node
// `npm run bench` / `npm run bench:quick`: the baseline's batched mode and our real server, interleaved
// (A, B, A, B…) in one invocation, each on a fresh database, autocannon in its own process.
// Flags: --quick --conns 64,256 --reps 3 --duration 20 --warmup 3 --modes baseline,product
//        (modes: baseline, product = `node dist/src/main.js` with --role, product-api = the same with --role api,
//         any product mode + `@<commit>` = that commit built in a temp folder,
//         product+NAME=value… = product with extra environment, e.g. product+WORKER_BATCH_SIZE=10;
//         product+--flag=value = product with an extra node flag, e.g. product+--max-semi-space-size=16)
//        --role all|api --scenario send|mixed --src dist|HEAD|<commit> --profile --out bench/RESULTS.md --no-write
//        --rate N: a fixed offered load of N req/s (autocannon overallRate) instead of closed-loop maximum,
//         for A/B runs of two builds: below saturation the CPU per 2xx (see `loop µs/2xx` in the
//         console summary) compares their code without the scheduling noise of a saturated box
import './lib/pinned-node.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveBaselineDir, startBaseline } from './lib/baseline.js';
import { freePort, installCleanup, runLoad, sleep } from './lib/children.js';
import { cpuDiff, cpuSnapshot, rssMb, sampleRss } from './lib/proc.js';
import { startProduct } from './lib/product.js';
import { MIX } from './lib/scenarios.js';
import { prepareApp } from './lib/snapshot.js';
import { profileSection } from './lib/profile.js';
import { writeReport } from './lib/report.js';
import { upsertSection } from './lib/sections.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    conns: { type: 'string' },
    reps: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    modes: { type: 'string' },
    role: { type: 'string', default: 'all' },
    scenario: { type: 'string', default: 'send' },
    profile: { type: 'boolean', default: false },
    src: { type: 'string', default: 'dist' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    rate: { type: 'string' },
  },
});
const cfg = {
  quick: a.quick,
  conns: (a.conns ?? '64,256').split(',').map(Number),
  reps: Number(a.reps ?? (a.quick ? 1 : 3)),
  duration: Number(a.duration ?? (a.quick ? 10 : 20)),
  warmup: Number(a.warmup ?? (a.quick ? 2 : 3)),
  modes: (a.modes ?? (a.scenario === 'send' ? 'baseline,product' : 'product')).split(','),
  role: a.role,
  scenario: a.scenario,
  profile: a.profile,
  src: a.src,
  rate: a.rate ? Number(a.rate) : undefined,
};
const runs = cfg.reps * cfg.conns.length * cfg.modes.length;
const budgetMs = (runs * (cfg.duration + cfg.warmup + 25) + 300) * 1000;
installCleanup(budgetMs);

const TMP = path.join(os.tmpdir(), `arsel-bench-${process.pid}`);
mkdirSync(TMP, { recursive: true });


/**
 * mixed: what the client saw (answers per kind, plus requests still in flight when the run ended)
 * bounds what the database must hold. Exact: accepted rows = jobs; no Idempotency-Key twice.
 */
function mixedCheck(t, rows, acceptedRows, jobs, dupKeys) {
  const g = (k) => t[k] ?? 0;
  const answered = (kind) => Object.entries(t).filter(([k]) => k.startsWith(`${kind}_`) && /_\d{3}$/.test(k)).reduce((s, [, v]) => s + v, 0);
  const inflight = (kind) => Math.max(0, g(`sent_${kind}`) - answered(kind));
  const size = MIX.batchSize;
  const accMin = g('plain_202') + g('keyed_202') + g('batch_items_accepted');
  const rowsMin = accMin + g('rejected_422') + g('batch_items_error');
  const extra = inflight('plain') + inflight('keyed') + size * inflight('batch');
  const expected = { plain: 202, rejected: 422, keyed: 202, replay: 202, batch: 202 };
  let unexpected = 0;
  const codes = {};
  for (const [k, v] of Object.entries(t)) {
    const m = /^(\w+?)_(\d{3})$/.exec(k);
    if (m && expected[m[1]] !== Number(m[2])) { unexpected += v; codes[k] = v; }
  }
  const ok = acceptedRows === jobs && dupKeys === 0 && g('replay_header_missing') === 0 && unexpected === 0
    && rows >= rowsMin && rows <= rowsMin + extra + inflight('rejected') && acceptedRows >= accMin && acceptedRows <= accMin + extra;
  return {
    ok, unexpected, unexpectedCodes: codes, answered: ['plain', 'rejected', 'keyed', 'replay', 'batch'].reduce((s, k) => s + answered(k), 0),
    rows, rowsMin, rowsMax: rowsMin + extra + inflight('rejected'), acceptedRows, accMin, accMax: accMin + extra, jobs, dupKeys,
    replays: g('replay_202'), replayHeaderOk: g('replay_header_ok'), batches: g('batch_202'), rejected: g('rejected_422'),
  };
}

const PROFILES = path.join(ROOT, 'bench', 'results', 'profiles');


let seq = 0;
async function runOne(mode, connections, rep, baselineDir) {
  const n = ++seq;
  const port = await freePort();
  // product-api: the same server with `--role api` (no in-process worker), to show the worker's cost.
  // product+NAME=value[+NAME=value…]: our server with extra environment, to compare settings side by side;
  // product+--node-flag[=value]: with an extra node flag after npm start's own (the last one wins).
  // product…@<commit>: that commit, built in a temp folder (A/B of two revisions in one run).
  const [spec, rev] = mode.split('@');
  const [base, ...parts] = spec.split('+');
  const flags = parts.filter((x) => x.startsWith('--'));
  const env = Object.fromEntries(parts.filter((x) => !x.startsWith('--')).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  const role = base === 'product-api' ? 'api' : cfg.role;
  const srv = mode === 'baseline'
    ? await startBaseline({ dir: baselineDir, dbName: `bench_baseline_${process.pid}_${n}`, port, nodeArgs: cfg.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [] })
    : await startProduct({
      repoRoot: appFor(rev ?? cfg.src).dir, dbName: `bench_product_${process.pid}_${n}`, port, role, env,
      logFile: path.join(TMP, `product-${n}.log`),
      nodeArgs: [...flags, ...(cfg.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [])],
    });
  try {
    const load = { url: srv.url, connections, token: srv.token, body: srv.body, idReplacement: srv.idReplacement, scenario: cfg.scenario, rate: cfg.rate };
    const idleRssMb = rssMb(srv.pid); // started, migrated, seeded, no load yet
    await runLoad({ ...load, duration: cfg.warmup }).done; // JIT, pools, caches: not counted
    await sleep(500);
    const c0 = await srv.counters();
    const l = runLoad({ ...load, duration: cfg.duration });
    // loop: the server's main thread alone (its HTTP event loop); server: the whole process, worker thread included.
    const threads = { server: srv.pid, loop: srv.pid ? `${srv.pid}/task/${srv.pid}` : null, loadgen: l.pid };
    const cpu0 = cpuSnapshot(threads, srv.dbName);
    const rss = sampleRss(srv.pid);
    const res = await l.done;
    const cpu = cpuDiff(cpu0, cpuSnapshot(threads, srv.dbName));
    const maxRss = rss.stop();
    cpu.loadgen = Math.round(((res.cpu.user + res.cpu.system) / 1e6 / res.duration) * 100);
    cpu.other = cpu.machineBusy - cpu.server - cpu.postgres - cpu.loadgen;
    await sleep(1000); // in-flight transactions finish
    const c1 = await srv.counters();
    const server2xx = srv.kind === 'baseline' ? c1.server2xx - c0.server2xx : await srv.server2xx(c0, c1);
    const rows = c1.rows - c0.rows;
    const jobs = c1.jobs === null ? null : c1.jobs - c0.jobs;
    const jobSends = c1.jobSends === null ? null : c1.jobSends - c0.jobSends;
    const mix = cfg.scenario === 'mixed' ? mixedCheck(res.tally, rows, c1.acceptedRows - c0.acceptedRows, jobSends, c1.dupKeys) : null;
    const r = {
      mode, pid: srv.pid, target: srv.target ?? 'send', connections, rep, duration: res.duration,
      rps: Math.round(res.ok2xx / res.duration), ok2xx: res.ok2xx, non2xx: res.non2xx, errors: res.errors, timeouts: res.timeouts,
      codes: res.codes, p50: res.p50, p90: res.p90, p99: res.p99, latMax: res.latMax, maxRssMb: maxRss, idleRssMb,
      rows, jobs, jobSends, server2xx, rowsMinus2xx: rows - res.ok2xx,
      // Baseline counts its 202s before replying; the product logs a request when its response is
      // written, so the ≤ `connections` requests autocannon abandons at the end may be missing there.
      correct: (jobSends === null || jobSends === rows) && rows - res.ok2xx >= 0 && rows - res.ok2xx <= connections
        && (srv.kind === 'baseline' ? server2xx === rows : server2xx >= res.ok2xx && server2xx <= rows),
      mix,
      commitsPerFsync: Math.round(((c1.commits - c0.commits) / Math.max(1, c1.walSync - c0.walSync)) * 10) / 10,
      batches: c1.batches !== undefined ? c1.batches - c0.batches : null,
      statuses: srv.statuses ? await srv.statuses() : null,
      tokenVia: srv.tokenVia, queue: srv.queue ?? null,
      cpu,
    };
    if (mix) {
      r.correct = mix.ok;
      r.rps = Math.round(mix.answered / res.duration);
      r.sendsPerSec = Math.round(rows / res.duration);
      r.errorsTotal = res.errors + res.timeouts + mix.unexpected;
    } else r.errorsTotal = res.errors + res.timeouts + res.non2xx;
    console.error(`[${n}/${runs}] ${mode} c=${connections} rep=${rep}: ${r.rps} req/s p50=${r.p50} p99=${r.p99} err=${r.errorsTotal}${mix ? ` mix=${JSON.stringify(mix)}` : ''} rss=${maxRss}MB rows=${rows} jobs=${jobSends} 2xx(server)=${server2xx} ${r.correct ? 'ok' : 'MISMATCH'} cpu srv=${cpu.server}% (loop ${cpu.loop}%) pg=${cpu.postgres}% lg=${cpu.loadgen}% busy=${cpu.machineBusy}%`);
    return r;
  } finally {
    await srv.stop();
  }
}

const apps = new Map();
const appFor = (src) => {
  if (!apps.has(src)) apps.set(src, prepareApp(ROOT, src));
  return apps.get(src);
};
const productSrcs = cfg.modes.filter((m) => m.startsWith('product')).map((m) => m.split('@')[1] ?? cfg.src);
for (const src of productSrcs) appFor(src);
cfg.rev = productSrcs.length ? appFor(productSrcs[0]).rev : null; // the first product mode's revision
const started = new Date();
const baselineDir = cfg.modes.includes('baseline') ? resolveBaselineDir(ROOT) : null;
const results = [];
for (let rep = 1; rep <= cfg.reps; rep++) {
  for (const c of cfg.conns) {
    for (const mode of cfg.modes) results.push(await runOne(mode, c, rep, baselineDir)); // interleaved A, B, A, B…
  }
}
const finished = new Date();
mkdirSync(path.join(HERE, 'results'), { recursive: true });
const raw = path.join(HERE, 'results', `run-${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(raw, JSON.stringify({ cfg, started, finished, results }, null, 2));
const outFile = a['no-write'] ? null : path.resolve(a.out ?? path.join(HERE, 'RESULTS.md'));
// A profiled run's timings are distorted by the profiler: it writes only the `profile` section.
const md = await writeReport({ cfg, started, finished, results, baselineDir, root: ROOT, out: cfg.profile ? null : outFile });
console.log(md);
// CPU per accepted request by mode (medians over the repetitions): the comparison of two builds
// that holds up under noise, above all with --rate (a fixed load below saturation).
{
  const med = (xs) => { const v = [...xs].sort((p, q) => p - q); return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
  const per = (r, k) => (r.cpu?.[k] ?? NaN) / 100 * r.cpu.secs / Math.max(1, r.ok2xx) * 1e6;
  console.log('\nCPU µs per 2xx, median (min–max) over the repetitions: loop = the server\'s main thread, server = its whole process, postgres = its backends');
  for (const c of cfg.conns) {
    for (const mode of cfg.modes) {
      const rs = results.filter((r) => r.mode === mode && r.connections === c && r.cpu);
      if (!rs.length) continue;
      const cell = (k) => { const v = rs.map((r) => per(r, k)); return `${med(v).toFixed(1)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`; };
      console.log(`  ${mode} c=${c}: req/s ${med(rs.map((r) => r.rps)).toFixed(0)}; loop ${cell('loop')}; server ${cell('server')}; postgres ${cell('postgres')}`);
    }
  }
}
if (cfg.profile) {
  const text = profileSection({ dir: PROFILES, since: started, cfg, results });
  if (outFile) upsertSection(outFile, 'profile', text);
  console.log(text);
}
console.error(`raw results: ${path.relative(ROOT, raw)}`);
process.exit(0);
