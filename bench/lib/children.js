// Every child process the bench starts is tracked here and killed on exit, failure or signal.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const live = new Set();

export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function spawnTracked(cmd, args, opts) {
  return track(spawn(cmd, args, opts));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(child, graceMs = 8_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}

export function killAllSync() {
  for (const c of live) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

let installed = false;
/** Kill children on exit and on SIGINT/SIGTERM/uncaught errors; abort the whole bench after `maxMs`. */
export function installCleanup(maxMs, onAbort) {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { console.error(`bench: ${sig}, stopping children`); killAllSync(); process.exit(130); });
  }
  process.on('uncaughtException', (err) => { console.error('bench failed:', err); killAllSync(); process.exit(1); });
  process.on('unhandledRejection', (err) => { console.error('bench failed:', err); killAllSync(); process.exit(1); });
  const t = setTimeout(async () => {
    console.error(`bench: exceeded its time budget (${Math.round(maxMs / 1000)} s), aborting`);
    await onAbort?.().catch(() => {});
    killAllSync();
    process.exit(2);
  }, maxMs);
  t.unref();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 2xx or `timeoutMs` passes; fails early if `child` exits. */
export async function waitHttp(url, child, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: server exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch { /* not up yet */ }
    await sleep(150);
  }
  throw new Error(`${url}: not ready after ${timeoutMs} ms`);
}

const LOAD_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'load.js');

/** autocannon in its own process (bench/load.js): `done` resolves to its JSON summary. */
export function runLoad(opts) {
  const child = track(spawn(process.execPath, [LOAD_JS, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const done = new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
  return { pid: child.pid, done };
}
