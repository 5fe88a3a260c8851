/** Environment parsing (src/config.ts): defaults, and a clear error for a value out of range. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('WORKER_THREAD_NICE: 10 by default, 0 turns it off, 0–19 only', () => {
    expect(loadConfig({}).workerThreadNice).toBe(10);
    expect(loadConfig({ WORKER_THREAD_NICE: '0' }).workerThreadNice).toBe(0);
    expect(loadConfig({ WORKER_THREAD_NICE: '19' }).workerThreadNice).toBe(19);
    for (const bad of ['20', '-1', 'low', '2.5']) {
      expect(() => loadConfig({ WORKER_THREAD_NICE: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ WORKER_THREAD_NICE: bad }), bad).toThrow(`WORKER_THREAD_NICE must be an integer from 0 to 19 (got "${bad}")`);
    }
  });

  it('other integers keep their ">= min" wording', () => {
    expect(() => loadConfig({ COMMIT_CONCURRENCY: '0' })).toThrow('COMMIT_CONCURRENCY must be an integer >= 1 (got "0")');
  });
});
