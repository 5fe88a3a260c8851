/**
 * Safety net for runs whose next step job is gone (its retries exhausted during a long database
 * outage, or a queue purged by an operator): every minute, runs in progress that have not moved for
 * a while get their current step enqueued again. Step jobs are idempotent (the run row says which
 * step is current, side effects are keyed by run and step), so a duplicate is a no-op.
 */
import type { WorkerDeps } from '../shared/context.js';
import { STEP_QUEUE } from './run.executor.js';

export async function rescueStalledRuns(deps: WorkerDeps, opts: { staleSeconds?: number; limit?: number } = {}): Promise<number> {
  const r = await deps.pool.query<{ id: string; current_step: string }>(
    `select id, current_step from automation_runs
      where status in ('running', 'waiting') and current_step is not null
        and updated_at < now() - make_interval(secs => $1)
        and (wait_until is null or wait_until < now() - make_interval(secs => $1))
      order by updated_at limit $2`,
    [opts.staleSeconds ?? 600, opts.limit ?? 500],
  );
  if (!r.rows.length) return 0;
  await deps.boss.insert(STEP_QUEUE, r.rows.map((x) => ({ data: { runId: x.id, stepKey: x.current_step } })));
  // Touch them so the next sweep leaves them alone for another window.
  await deps.pool.query(`update automation_runs set updated_at = now() where id = any($1::uuid[])`, [r.rows.map((x) => x.id)]);
  deps.log.warn({ runs: r.rows.length }, 're-enqueued stalled automation runs');
  return r.rows.length;
}
