/**
 * The automations feature's API half: its queue, and the hooks on event definitions (no deleting
 * an event enabled automations use; re-check automations when a schema changes). The worker half
 * is automation.worker.ts.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { eventHooks } from '../events/event.service.js';
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { Automation } from './automation.entity.js';
import { refreshIssues } from './automation.service.js';
import { STEP_QUEUE } from './run.executor.js';

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

export const automationsFeature: Feature = {
  queues: [
    // A step job is idempotent (the run row says which step is current), so retrying is always safe.
    { name: STEP_QUEUE, options: { retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60 } },
  ],
  startApi(deps) {
    hookConfig = deps.config;
    hookLog = deps.log;
  },
};
