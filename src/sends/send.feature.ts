/**
 * The sends feature's API wiring: the `sends.process` queue and the API-side group committer
 * (role api/all; flushed on stop). The worker half is send.worker.ts, started by workers.ts.
 */
import type { Feature } from '../modules.js';
import type { Deps } from '../shared/context.js';
import { GroupCommitter, SEND_QUEUE, SEND_QUEUE_OPTIONS } from './committer.js';
import { IdempotencyGate } from './idempotency.js';
import { EventBudget, type SendServices } from './send.service.js';

export const sendsFeature: Feature = {
  queues: [{ name: SEND_QUEUE, options: SEND_QUEUE_OPTIONS }],
  startApi(deps) {
    const services: SendServices = {
      committer: new GroupCommitter(deps.pool, deps.boss, { windowMs: deps.config.commitWindowMs, maxConcurrent: deps.config.commitConcurrency }),
      gate: new IdempotencyGate(deps.pool),
      budget: new EventBudget(deps.config.eventBudget),
    };
    deps.services.sends = services;
  },
  async stop(deps) {
    const s = deps.services.sends as SendServices | undefined;
    await s?.committer.drain();
  },
};
