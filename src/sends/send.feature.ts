/**
 * The sends feature's API wiring: the `sends.process` queue and the API-side group committer
 * (role api/all; flushed on stop). The worker half is send.worker.ts, started by workers.ts.
 */
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { WakeSignal } from '../shared/wake.js';
import { GroupCommitter, SEND_QUEUE, SEND_QUEUE_OPTIONS } from './committer.js';
import { IdempotencyGate } from './idempotency.js';
import { EventBudget, type SendServices } from './send.service.js';

const wakes = new WeakMap<Deps, WakeSignal>();

export const sendsFeature: Feature = {
  queues: [{ name: SEND_QUEUE, options: SEND_QUEUE_OPTIONS }],
  startApi(deps) {
    // Each commit wakes the send workers: this process's (worker thread, BroadcastChannel) at once,
    // other processes' by a coalesced NOTIFY (src/shared/wake.ts).
    const wake = new WakeSignal(deps.pool, deps.config.wakeNotifyMs, deps.log);
    wakes.set(deps, wake);
    const services: SendServices = {
      committer: new GroupCommitter(deps.pool, deps.boss, { windowMs: deps.config.commitWindowMs, maxConcurrent: deps.config.commitConcurrency, quietMs: 50, onCommit: (ids) => wake.signal('sends', undefined, ids) }),
      gate: new IdempotencyGate(deps.pool),
      budget: new EventBudget(deps.config.eventBudget),
    };
    deps.services.sends = services;
  },
  async stop(deps) {
    const s = deps.services.sends as SendServices | undefined;
    await s?.committer.drain();
    wakes.get(deps)?.close();
    wakes.delete(deps);
  },
};
