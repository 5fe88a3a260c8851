/**
 * Role `all` runs its workers (send processing, automation steps, outbox delivery) in a worker
 * thread: their own event loop, so processing never queues behind HTTP requests on the API's loop
 * (measured in bench/RESULTS.md). The thread loads only pg, pg-boss, pino and the job code (no
 * ORM, no HTTP, no GraphQL: each of those isolates would cost memory for nothing) and has its own
 * pools and pg-boss instance on the same database, exactly like a `--role worker` process.
 *
 * Main thread: startWorkerThread() resolves when the workers are running, and its stop() stops
 * them gracefully (in-hand jobs finish). If the thread dies, onFatal is called: a process whose
 * worker is gone must not keep accepting sends, so main.ts shuts down (its supervisor restarts it;
 * nothing accepted is lost, every send is a durable job).
 * Thread: everything below `if (!isMainThread …)`. Its log lines go to the main thread, which
 * writes them through its own logger stream (one writer on stdout).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import v8 from 'node:v8';
import os from 'node:os';
import { readlinkSync } from 'node:fs';
import pino from 'pino';
import type { Config } from './config.js';
import { createBoss, createPool } from './db/pools.js';
import { REDACT, rawLineWriter } from './logger.js';
import type { WorkerDeps } from './shared/context.js';
import { startWorkers } from './workers.js';
import { bridgeThreadMetrics, serveThreadMetrics, type ThreadMetrics } from './metrics/metrics.thread.js';

const KIND = 'arsel-workers';

interface Init {
  kind: typeof KIND;
  config: Config;
  url: string;
}

type ToMain = { type: 'log'; line: string } | { type: 'ready' } | { type: 'start-failed'; message: string; stack?: string } | { type: 'stopped' } | ThreadMetrics;
type ToThread = { type: 'stop' } | { type: 'metrics'; id: number };

export interface WorkerThread {
  stop(): Promise<void>;
}

/**
 * Semi-space of the thread's heap, in MB (its young generation is about 3x this). The workers
 * allocate far less per second than the HTTP side and do not need `npm start`'s
 * --max-semi-space-size=16 (tens of MB of nursery in this isolate too). 8 MB: with batched runs and
 * deliveries the thread allocates more, and at 4 MB the scavenger took 14-16 % of its time; on the
 * 20,000-send three-step benchmark 8 and 16 MB ran ~1.3x as many runs/s as 4 MB (a busy box, paired
 * runs), 8 MB at about the RSS of 4 MB (252-254 MB peak) and 16 MB at +15 MB.
 * V8 flags are process-wide and win over a Worker's resourceLimits, so the flag is lowered while
 * the thread's isolate is created and restored once it is online (it is read at isolate creation
 * only; the main isolate keeps the heap it was configured with).
 */
const THREAD_SEMI_SPACE_MB = 8;

/** The --max-semi-space-size this process was started with (0 = V8's default). */
function processSemiSpaceFlag(): number {
  let mb = 0; // the last one given wins, NODE_OPTIONS before the command line
  for (const a of [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) mb = Number(m[1]);
  }
  return mb;
}

export function startWorkerThread(config: Config, url: string, log: pino.Logger, onFatal: (err: Error) => void): Promise<WorkerThread> {
  const write = rawLineWriter(log);
  const processSemiSpace = processSemiSpaceFlag();
  v8.setFlagsFromString(`--max-semi-space-size=${THREAD_SEMI_SPACE_MB}`);
  let restored = false;
  const restoreFlag = () => {
    if (!restored) v8.setFlagsFromString(`--max-semi-space-size=${processSemiSpace}`);
    restored = true;
  };
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { kind: KIND, config, url } satisfies Init,
    resourceLimits: { maxYoungGenerationSizeMb: THREAD_SEMI_SPACE_MB * 3 },
    stdout: false,
    stderr: false,
  });
  worker.once('online', restoreFlag);
  let stopping = false;
  let exited = false;
  let stopped: (() => void) | undefined;
  const metrics = bridgeThreadMetrics((msg: ToThread) => worker.postMessage(msg)); // the thread's counters reach the main port's /metrics
  worker.once('exit', metrics.close);
  return new Promise((resolve, reject) => {
    let ready = false;
    worker.on('message', (msg: ToMain) => {
      if (msg.type === 'log') write(msg.line);
      else if (msg.type === 'metrics') metrics.answer(msg);
      else if (msg.type === 'stopped') void worker.terminate(); // all closed; end the thread even if a stray timer would keep it
      else if (msg.type === 'ready') {
        ready = true;
        resolve({
          stop() {
            if (stopping || exited) return Promise.resolve(); // a dead thread has nothing left to stop
            stopping = true;
            return new Promise<void>((done) => {
              stopped = done;
              worker.postMessage({ type: 'stop' } satisfies ToThread);
            });
          },
        });
      } else if (msg.type === 'start-failed') {
        const err = new Error(`workers failed to start: ${msg.message}`);
        err.stack = msg.stack ?? err.stack;
        reject(err);
      }
    });
    worker.on('error', (err) => {
      restoreFlag();
      if (!ready) reject(err);
      else if (!stopping) onFatal(err);
    });
    worker.on('exit', (code) => {
      exited = true;
      if (stopped) stopped();
      else if (!ready) reject(new Error(`the worker thread exited (code ${code}) before it was ready`));
      else if (!stopping) onFatal(new Error(`the worker thread exited unexpectedly (code ${code})`));
    });
  });
}

/**
 * Gives this thread (only: on Linux a thread is its own scheduling entity, addressed by its thread
 * id) the given nice value, so the kernel prefers the HTTP event loop when both want a core. Six
 * interleaved pairs at 64 connections (npm run bench:quick, nice 10 vs WORKER_THREAD_NICE=0):
 * median 7,601 vs 7,413 req/s (higher in 4 of 6 pairs), p99 27.5 vs 30.5 ms, every send processed
 * by the end of each run. Raising one's own nice value needs no privilege. Returns why it could not
 * be done (not Linux, say), or undefined when it was done or there was nothing to do (nice 0).
 */
export function lowerThreadPriority(nice: number): string | undefined {
  if (!nice) return undefined;
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return 'no thread id';
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function runThread(init: Init): Promise<void> {
  const port = parentPort!;
  const post = (msg: ToMain) => port.postMessage(msg);
  const { config, url } = init;
  const notNiced = lowerThreadPriority(config.workerThreadNice);
  const log = pino({ level: config.logLevel, redact: REDACT, base: { pid: process.pid, thread: 'worker' } }, { write: (line: string) => post({ type: 'log', line }) });
  const pool = createPool(url, 10, log);
  const boss = createBoss(url, 4, log);
  const deps: WorkerDeps = { config, pool, boss, log };
  const close = async () => {
    await boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true }).catch(() => {});
    await pool.end().catch(() => {});
  };
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  try {
    await boss.start(); // the queues exist: the main thread created them before starting this thread
    workers = await startWorkers(deps);
  } catch (err) {
    await close();
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'start-failed', message: e.message, stack: e.stack });
    return;
  }
  serveThreadMetrics(pool, post);
  port.on('message', (msg: ToThread) => {
    if (msg.type !== 'stop') return;
    void (async () => {
      try {
        await workers.stop();
      } catch (err) {
        log.warn({ err }, 'stopping the workers failed');
      }
      await close();
      post({ type: 'stopped' });
    })();
  });
  if (notNiced) log.debug({ reason: notNiced }, 'worker thread priority left as the process\'s');
  log.debug('worker thread ready');
  post({ type: 'ready' });
}

if (!isMainThread && (workerData as Init | undefined)?.kind === KIND) void runThread(workerData as Init);
