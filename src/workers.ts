/**
 * The job side of a process (role worker, or role all): the send worker and the automation worker.
 * It imports no ORM, HTTP or GraphQL module, so src/worker-thread.ts can run it in a thread.
 */
import { startAutomationWorker } from './automations/automation.worker.js';
import { startPartitionMaintenance } from './sends/partitions.js';
import { startSendWorker } from './sends/send.worker.js';
import { startReplayWorker } from './sends/replay.runner.js';
import type { WorkerDeps } from './shared/context.js';

export interface Workers {
  /** Stops fetching, waits for the jobs in hand (pg-boss offWork with wait), stops the deliverer. */
  stop(): Promise<void>;
}

const STARTERS: ((deps: WorkerDeps) => Promise<{ stop(): Promise<void> }>)[] = [
  // first: a started worker has today's and the next days' send partitions (and retention applied)
  startPartitionMaintenance,
  startSendWorker,
  startAutomationWorker,
  startReplayWorker,
];

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const w of started.splice(0).reverse()) await w.stop();
  };
  try {
    for (const start of STARTERS) started.push(await start(deps));
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
