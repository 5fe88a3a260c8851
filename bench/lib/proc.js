// /proc sampling: CPU of the whole machine, of named pids and of all `postgres` processes; peak RSS of a pid.
import { readFileSync, readdirSync } from 'node:fs';

const HZ = 100; // USER_HZ

function ticksOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const f = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

const cmdline = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } };

/**
 * `db`: count only the Postgres backends connected to that database (their title is
 * "postgres: user db host(port) state"), so other tenants' databases on the shared server are not
 * billed to the run; shared background processes (WAL writer, checkpointer…) are then excluded.
 */
export function cpuSnapshot(pids = {}, db = null) {
  const n = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const postgres = {};
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = ticksOf(d);
    if (p && p.comm === 'postgres' && (!db || cmdline(d).includes(` ${db} `))) postgres[d] = p.ticks;
  }
  const named = {};
  for (const [k, pid] of Object.entries(pids)) named[k] = pid ? ticksOf(pid)?.ticks ?? 0 : 0;
  return { t: process.hrtime.bigint(), total: n.slice(0, 8).reduce((a, b) => a + b, 0), idle: n[3] + n[4] + n[7], postgres, named };
}

/** CPU between two snapshots as "% of one core" (200 = both cores of a 2-core box). */
export function cpuDiff(a, b) {
  const secs = Number(b.t - a.t) / 1e9;
  const pct = (ticks) => Math.round((ticks / HZ / secs) * 100);
  let pg = 0;
  for (const [pid, t] of Object.entries(b.postgres)) pg += t - (a.postgres[pid] ?? 0);
  const out = { secs, machineBusy: pct(b.total - a.total - (b.idle - a.idle)), postgres: pct(pg) };
  for (const k of Object.keys(b.named)) out[k] = pct(b.named[k] - (a.named[k] ?? 0));
  return out;
}

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Samples VmRSS of `pid` every `everyMs` until stopped; returns the maximum in MB. */
export function sampleRss(pid, everyMs = 200) {
  let max = rssMb(pid);
  const timer = setInterval(() => { max = Math.max(max, rssMb(pid)); }, everyMs);
  return { stop() { clearInterval(timer); max = Math.max(max, rssMb(pid)); return max; }, get max() { return max; } };
}
