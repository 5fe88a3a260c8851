/** The replays feature's queue (the worker half is replay.runner.ts startReplayWorker, started by workers.ts). */
import type { Feature } from '../modules.js';
import { REPLAY_QUEUE, REPLAY_QUEUE_OPTIONS } from './replay.runner.js';

export const replaysFeature: Feature = {
  queues: [{ name: REPLAY_QUEUE, options: REPLAY_QUEUE_OPTIONS }],
};
