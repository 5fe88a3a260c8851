/**
 * The sends feature's process wiring: the `sends.process` queue, the API-side group committer
 * (role api/all; flushed on stop) and the worker (role worker/all).
 */
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { GroupCommitter, SEND_QUEUE } from './committer.js';
import { IdempotencyGate } from './idempotency.js';
import { EventBudget, type SendServices } from './send.service.js';
import { SEND_QUEUE_OPTIONS, startSendWorker, type SendWorker } from './send.worker.js';

const workers = new WeakMap<Deps, SendWorker>();

export const sendsFeature: Feature = {
  queues: [{ name: SEND_QUEUE, options: SEND_QUEUE_OPTIONS }],
  startApi(deps) {
    const services: SendServices = {
      committer: new GroupCommitter(deps.pool, deps.boss),
      gate: new IdempotencyGate(deps.pool),
      budget: new EventBudget(deps.config.eventBudget),
    };
    deps.services.sends = services;
  },
  async startWorker(deps) {
    workers.set(deps, await startSendWorker(deps));
  },
  async stop(deps) {
    const s = deps.services.sends as SendServices | undefined;
    await s?.committer.drain();
    await workers.get(deps)?.stop();
    workers.delete(deps);
  },
};
