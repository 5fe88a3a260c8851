/**
 * The automations feature's worker half: the step queue's consumer, the outbox deliverer and the
 * stalled-run sweep. Plain SQL and pg-boss only (no ORM), so it runs in the worker thread too.
 */
import type { WorkerDeps } from '../shared/context.js';
import { Deliverer } from './delivery.js';
import { executeStepJob, STEP_QUEUE, type StepJob } from './run.executor.js';
import { rescueStalledRuns } from './run.rescue.js';

/** Step jobs of one fetched batch executed concurrently (each holds one pooled connection). */
const STEP_LANES = 4;

export async function startAutomationWorker(deps: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  const d = new Deliverer(deps);
  d.start();
  const rescue = setInterval(() => void rescueStalledRuns(deps).catch((err) => deps.log.warn({ err }, 'stalled-run sweep failed')), 60_000);
  rescue.unref();
  await deps.boss.work<StepJob>(
    STEP_QUEUE,
    { batchSize: deps.config.workerBatchSize, localConcurrency: deps.config.workerConcurrency, pollingIntervalSeconds: deps.config.pollingIntervalSeconds, burstWhenBatchFull: true },
    async (jobs) => {
      const failed: unknown[] = [];
      const nudge = () => d.nudge();
      // A few jobs at a time: each is its own short transaction on its own run row.
      let next = 0;
      const lane = async () => {
        while (next < jobs.length) {
          const j = jobs[next++]!;
          await executeStepJob(deps, j.data, nudge).catch((err) => failed.push(err));
        }
      };
      await Promise.all(Array.from({ length: STEP_LANES }, lane));
      // Failing the batch retries all of its jobs; the ones that ran are no-ops the second time.
      if (failed.length) throw failed[0];
    },
  );
  return {
    async stop() {
      clearInterval(rescue);
      await deps.boss.offWork(STEP_QUEUE).catch(() => {});
      await d.stop();
    },
  };
}
