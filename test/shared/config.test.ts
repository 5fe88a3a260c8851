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

  it('HTTP timeouts: 10 s headers, 30 s whole request, 72 s keep-alive by default; headers may not outlast the request', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, graphqlMaxCost: 8_000 });
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '5000' })).toMatchObject({ headersTimeoutMs: 2_000, requestTimeoutMs: 5_000 });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '5000' })).toThrow('HTTP_HEADERS_TIMEOUT_MS (20000) must not exceed HTTP_REQUEST_TIMEOUT_MS (5000)');
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow('HTTP_REQUEST_TIMEOUT_MS must be an integer >= 1 (got "0")');
  });
});
