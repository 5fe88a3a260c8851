/**
 * The automations feature's worker half: the step queue's consumer, the outbox deliverer and the
 * stalled-run sweep. Plain SQL and pg-boss only (no ORM), so it runs in the worker thread too.
 *
 * Runs start (and walk their first steps) in the send worker's transaction (run.batch.ts); step jobs
 * are what comes later: a wait's resume (pg-boss startAfter) and the step after a webhook. Workers
 * are woken rather than left to their poll (src/shared/wake.ts): `steps` when a step job is
 * enqueued, `waits` with the due time of a new wait (a timer for the earliest one; the database is
 * asked for the next after it fires, and every minute), `outbox` when rows are committed.
 */
import type { WorkerDeps } from '../shared/context.js';
import { LaneWaker } from '../shared/wake.js';
import type { Wake } from '../workers.js';
import { Deliverer } from './delivery.js';
import { executeStepJob, STEP_QUEUE, type StepJob } from './run.executor.js';
import { rescueStalledRuns } from './run.rescue.js';

/** Step jobs of one fetched batch executed concurrently (each holds one pooled connection). */
const STEP_LANES = 4;
/** Wake-ups of the step lanes are at most this far apart (see LaneWaker). */
const STEP_WAKE_GAP_MS = 10;
/** Longest single timer (setTimeout's limit is ~24.8 days); a later wait re-arms when it fires. */
const MAX_TIMER_MS = 3_600_000;

export async function startAutomationWorker(deps: WorkerDeps, wake?: Wake): Promise<{ stop(): Promise<void> }> {
  const stepLanes = new LaneWaker((id) => deps.boss.notifyWorker(id), STEP_WAKE_GAP_MS);
  const wakeSteps = () => stepLanes.wake();
  const d = new Deliverer(deps, { onStepJob: () => wake?.signal.signal('steps') });
  d.start();

  // The earliest wait to come due gets a timer; when it fires the step workers fetch at once.
  let waitAt = Infinity;
  let waitTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const armWait = (at: number) => {
    if (stopped || !(at < waitAt)) return;
    if (waitTimer) clearTimeout(waitTimer);
    waitAt = at;
    waitTimer = setTimeout(() => void fireWait(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now() + 5)));
    waitTimer.unref();
  };
  const nextWait = async () => {
    const r = await deps.pool.query<{ at: Date | null }>(`select min(wait_until) as at from automation_runs where status = 'waiting' and wait_until > now() - interval '1 second'`);
    if (r.rows[0]?.at) armWait(r.rows[0].at.getTime());
  };
  const fireWait = async () => {
    waitTimer = undefined;
    const due = waitAt <= Date.now() + 5;
    waitAt = Infinity;
    if (due) wakeSteps();
    await nextWait().catch((err) => deps.log.debug({ err }, 'next-wait lookup failed'));
  };

  const rescue = setInterval(() => {
    void rescueStalledRuns(deps).catch((err) => deps.log.warn({ err }, 'stalled-run sweep failed'));
    void nextWait().catch(() => {});
  }, 60_000);
  rescue.unref();
  const options = { batchSize: deps.config.workerBatchSize, localConcurrency: 1, pollingIntervalSeconds: deps.config.pollingIntervalSeconds, burstWhenBatchFull: true };
  const handler = async (jobs: { data: StepJob }[]) => {
    const failed: unknown[] = [];
    const hooks = { onOutbox: () => d.nudge(), onWait: (at: Date) => wake?.signal.signal('waits', at.getTime()) };
    // A few jobs at a time: each is its own short transaction on its own run row.
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        await executeStepJob(deps, j.data, hooks).catch((err) => failed.push(err));
      }
    };
    await Promise.all(Array.from({ length: STEP_LANES }, lane));
    // Failing the batch retries all of its jobs; the ones that ran are no-ops the second time.
    if (failed.length) throw failed[0];
  };
  // One work() per lane so that a wake-up reaches each (pg-boss notifyWorker takes one worker id).
  for (let i = 0; i < deps.config.workerConcurrency; i++) stepLanes.add(await deps.boss.work<StepJob>(STEP_QUEUE, options, stepLanes.handler(handler)));
  const offs = [
    wake?.listener.on('steps', wakeSteps),
    wake?.listener.on('waits', (at) => (at === undefined ? void nextWait().catch(() => {}) : armWait(at))),
    wake?.listener.on('outbox', () => d.nudge()),
  ];
  void nextWait().catch(() => {});
  return {
    async stop() {
      stopped = true;
      clearInterval(rescue);
      if (waitTimer) clearTimeout(waitTimer);
      for (const off of offs) off?.();
      stepLanes.stop();
      await deps.boss.offWork(STEP_QUEUE).catch(() => {});
      await d.stop();
    },
  };
}
