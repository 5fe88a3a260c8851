/**
 * The automations feature: queues, the step worker, the outbox deliverer, and the hooks on event
 * definitions (no deleting an event enabled automations use; re-check automations when a schema changes).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { eventHooks } from '../events/event.service.js';
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { Automation } from './automation.entity.js';
import { refreshIssues } from './automation.service.js';
import { Deliverer } from './delivery.js';
import { executeStepJob, STEP_QUEUE, type StepJob } from './run.executor.js';
import { rescueStalledRuns } from './run.rescue.js';

let hookConfig: Pick<Config, 'webhookAllowHosts'> = { webhookAllowHosts: [] };
let hookLog: Pick<Deps['log'], 'warn'> = { warn: () => {} };

eventHooks.beforeDelete.push(async (em: EntityManager, org, def) => {
  const n = await em.count(Automation, { organization: org.id, triggerEvent: def.name, status: 'enabled', deletedAt: null });
  if (n > 0) throw new AppError('conflict', `Event "${def.name}" is used by ${n} active flow(s). Remove the trigger from those flows first.`);
});

eventHooks.afterSchemaChange.push(async (em: EntityManager, org, def) => {
  const list = await em.find(Automation, { organization: org.id, triggerEvent: def.name, deletedAt: null });
  const before = new Map(list.map((a) => [a.id, a.issues.length]));
  await refreshIssues(em, org.id, list, hookConfig);
  for (const a of list) {
    if (a.status === 'enabled' && a.issues.length && !before.get(a.id)) {
      // Reported on the automation (issues, broken) — the run itself fails only where a value is missing.
      hookLog.warn({ automationId: a.id, event: def.name, issues: a.issues.map((i) => i.message) }, 'enabled automation no longer type-checks after its event schema changed');
    }
  }
});

const deliverers = new WeakMap<Deps, Deliverer>();
const rescuers = new WeakMap<Deps, NodeJS.Timeout>();
/** Step jobs of one fetched batch executed concurrently (each holds one pooled connection). */
const STEP_LANES = 4;

export const automationsFeature: Feature = {
  queues: [
    // A step job is idempotent (the run row says which step is current), so retrying is always safe.
    { name: STEP_QUEUE, options: { retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60 } },
  ],
  startApi(deps) {
    hookConfig = deps.config;
    hookLog = deps.log;
  },
  async startWorker(deps) {
    hookConfig = deps.config;
    hookLog = deps.log;
    const d = new Deliverer(deps);
    deliverers.set(deps, d);
    d.start();
    const rescue = setInterval(() => void rescueStalledRuns(deps).catch((err) => deps.log.warn({ err }, 'stalled-run sweep failed')), 60_000);
    rescue.unref();
    rescuers.set(deps, rescue);
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
  },
  async stop(deps) {
    clearInterval(rescuers.get(deps));
    await deps.boss.offWork(STEP_QUEUE).catch(() => {});
    await deliverers.get(deps)?.stop();
  },
};
