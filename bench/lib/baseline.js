// The reference server (../shared/baseline, batched mode). It is read-only and is run where it is;
// when it has no node_modules, a private copy outside the repo gets `npm install`ed once.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnTracked, stopChild, waitHttp } from './children.js';
import { PG, connect, dropDatabase, walCounters } from './db.js';

export function resolveBaselineDir(repoRoot) {
  const src = path.resolve(process.env.BASELINE_DIR ?? path.join(repoRoot, '..', 'shared', 'baseline'));
  if (!existsSync(path.join(src, 'src', 'server.js'))) throw new Error(`baseline not found at ${src} (set BASELINE_DIR)`);
  if (existsSync(path.join(src, 'node_modules', 'fastify'))) return src;
  const copy = path.join(os.tmpdir(), 'arsel-bench-baseline');
  const lock = readFileSync(path.join(src, 'package-lock.json'), 'utf8');
  const fresh = existsSync(path.join(copy, 'node_modules', 'fastify')) && existsSync(path.join(copy, 'package-lock.json'))
    && readFileSync(path.join(copy, 'package-lock.json'), 'utf8') === lock;
  if (!fresh) {
    console.error(`bench: ${src} has no node_modules; installing a copy in ${copy} (outside the repo)`);
    const sh = (cmd, args, cwd) => {
      const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    };
    sh('rm', ['-rf', copy]);
    sh('cp', ['-r', src, copy]);
    sh('chmod', ['-R', 'u+w', copy]);
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], copy);
  }
  return copy;
}

export function baselineVersions(dir) {
  const v = (p) => { try { return JSON.parse(readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version; } catch { return '?'; } };
  return { fastify: v('fastify'), pg: v('pg') };
}

/** Fresh database seeded by the baseline's own code, then its server in batched mode. */
export async function startBaseline({ dir, dbName, port, nodeArgs = [] }) {
  const env = { ...process.env, BENCH_DB: dbName, PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user, ADMIN_DB: process.env.ADMIN_DB ?? 'postgres' };
  const seed = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'src', 'common.js')).href)}); await m.recreateDatabase(); console.log(JSON.stringify({ key: m.API_KEY, body: m.BODY }));`],
  { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  if (seed.status !== 0) throw new Error(`baseline seed failed: ${seed.stderr}`);
  const { key, body } = JSON.parse(seed.stdout.trim().split('\n').pop());
  const child = spawnTracked(process.execPath, [...nodeArgs, path.join(dir, 'src', 'server.js')], {
    cwd: dir, env: { ...env, MODE: 'batched', PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitHttp(`http://127.0.0.1:${port}/_stats`, child, 30_000);
  const db = await connect(dbName);
  const stats = async () => (await fetch(`http://127.0.0.1:${port}/_stats`)).json();
  return {
    kind: 'baseline',
    dbName,
    pid: child.pid,
    url: `http://127.0.0.1:${port}/v1/events/send`,
    token: key,
    body,
    async counters() {
      const r = await db.query('select (select count(*) from event_sends)::int as rows, (select count(*) from jobs)::int as jobs');
      const s = await stats();
      return { rows: r.rows[0].rows, jobs: r.rows[0].jobs, jobSends: r.rows[0].jobs, server2xx: s.accepted, batches: s.batches, ...(await walCounters(db)) };
    },
    async stop() {
      await db.end().catch(() => {});
      await stopChild(child);
      await dropDatabase(dbName);
    },
  };
}
