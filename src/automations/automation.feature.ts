/**
 * The automations feature's API half: its queue, and the hooks on event definitions (no deleting
 * an event enabled automations use; re-check automations when a definition changes). The worker
 * half is automation.worker.ts.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { eventHooks } from '../events/event.service.js';
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { Automation } from './automation.entity.js';
import { recheckTrigger, staleTriggers, type RecheckDeps } from './issues.js';
import { STEP_QUEUE } from './run.executor.js';

/** How long a definition change waits for its automations' re-check before answering (the rest finishes in the background). */
export const RECHECK_WAIT_MS = 2_000;

/**
 * Re-checks in this process: one at a time (they share the check lane anyway, and one at a time
 * bounds the connections they hold), at most one per (org, event name): a change arriving while
 * that name's re-check runs makes it pass again instead of starting a second one.
 */
class Rechecker {
  private deps: RecheckDeps | null = null;
  private stopped = false;
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  private chain: Promise<unknown> = Promise.resolve();

  start(deps: Deps): void {
    this.stopped = false;
    this.deps = { em: deps.orm.em, config: deps.config, log: deps.log, stopped: () => this.stopped };
  }

  request(orgId: string, name: string | null): Promise<void> {
    const deps = this.deps;
    if (!deps || this.stopped) return Promise.resolve();
    const key = `${orgId}\u0000${name ?? ''}`;
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.again && !this.stopped) {
          entry.again = false;
          const pass = this.chain.then(() => recheckTrigger(deps, orgId, name));
          this.chain = pass.catch(() => {});
          await pass;
        }
      } catch (err) {
        // Left stale (checked_against says so): the next change or the startup sweep re-checks it.
        if (!this.stopped) deps.log.warn({ err, orgId, event: name }, 'automation re-check failed');
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, entry);
    return entry.done;
  }

  /** Every automation whose stored issues are stale (crash mid re-check, checker upgrade, migration). */
  async sweep(): Promise<void> {
    if (!this.deps) return;
    const deps = this.deps;
    try {
      for (const g of await staleTriggers(deps.em)) await this.request(g.orgId, g.name);
    } catch (err) {
      if (!this.stopped) deps.log.warn({ err }, 'automation re-check sweep failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}

export const rechecker = new Rechecker();

eventHooks.beforeDelete.push(async (em: EntityManager, org, def) => {
  // Runs under the name's exclusive lock: an enable or create-enabled of an automation it triggers
  // either committed before (counted here) or waits and then finds the event gone (an issue: 422).
  const n = await em.count(Automation, { organization: org.id, triggerEvent: def.name, status: 'enabled', deletedAt: null });
  if (n > 0) throw new AppError('conflict', `Event "${def.name}" is used by ${n} active flow(s). Remove the trigger from those flows first.`);
});

eventHooks.afterSchemaChange.push(async (_em: EntityManager, org, def) => {
  const done = rechecker.request(org.id, def.name);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, RECHECK_WAIT_MS)))]);
  clearTimeout(timer);
});

export const automationsFeature: Feature = {
  queues: [
    // A step job is idempotent (the run row says which step is current), so retrying is always safe.
    { name: STEP_QUEUE, options: { retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60 } },
  ],
  startApi(deps, opts) {
    // Started everywhere (a definition change made here re-checks its automations); the sweep of
    // stale issues is a long-running server's background job, not a one-shot command's.
    rechecker.start(deps);
    if (!opts?.oneShot) void rechecker.sweep();
  },
  async stop() {
    await rechecker.stop();
  },
};
