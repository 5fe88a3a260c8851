/**
 * The job side of a process (role worker, or role all): the send worker and the automation worker.
 * It imports no ORM, HTTP or GraphQL module, so src/worker-thread.ts can run it in a thread.
 *
 * Wake-ups (src/shared/wake.ts): the workers share one WakeListener (the in-process
 * BroadcastChannel plus a LISTEN connection for other processes' NOTIFYs) and one WakeSignal for
 * the work they make ready themselves (step jobs, waits, outbox rows).
 */
import { startAutomationWorker } from './automations/automation.worker.js';
import { startStatisticsKeeper } from './db/statistics.js';
import { startPartitionMaintenance } from './sends/partitions.js';
import { startSendWorker } from './sends/send.worker.js';
import { startReplayWorker } from './sends/replay.runner.js';
import type { WorkerDeps } from './shared/context.js';
import { WakeListener, WakeSignal } from './shared/wake.js';

export interface Workers {
  /** Stops fetching, waits for the jobs in hand (pg-boss offWork with wait), stops the deliverer. */
  stop(): Promise<void>;
}

export interface Wake {
  listener: WakeListener;
  signal: WakeSignal;
}

const STARTERS: ((deps: WorkerDeps, wake: Wake) => Promise<{ stop(): Promise<void> }>)[] = [
  // first: a started worker has today's and the next days' send partitions (and retention applied)
  (deps) => startPartitionMaintenance(deps),
  startSendWorker,
  startAutomationWorker,
  (deps) => startReplayWorker(deps),
  // the planner's statistics follow the tables these workers fill (see src/db/statistics.ts)
  async (deps) => startStatisticsKeeper(deps.pool, deps.log),
];

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const listener = new WakeListener(deps.config.wakeNotifyMs > 0 ? (deps.pool as unknown as { options: object }).options : undefined, deps.log);
  const wake: Wake = { listener, signal: new WakeSignal(deps.pool, deps.config.wakeNotifyMs, deps.log) };
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const w of started.splice(0).reverse()) await w.stop();
    wake.signal.close();
    await listener.stop();
  };
  try {
    for (const start of STARTERS) started.push(await start(deps, wake));
    await listener.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
