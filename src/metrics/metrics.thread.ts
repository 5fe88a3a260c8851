/**
 * Role `all` runs the workers in a worker thread, whose prom-client registry is its own isolate's.
 * At scrape time the main thread asks the thread for its metrics (as JSON) and sums them with its
 * own (prom-client's AggregatorRegistry, the pattern it uses for cluster workers), so a scrape of
 * the main port shows the worker-side counters (deliveries, trigger delay, the thread's pool).
 */
import { parentPort } from 'node:worker_threads';
import type pg from 'pg';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { addMetricsSource, registry, watchPool } from './metrics.js';

export interface ThreadMetrics {
  type: 'metrics';
  id: number;
  metrics: MetricObjectWithValues<MetricValue<string>>[];
}

/** Main thread: registers the thread as a metrics source; `answer` takes its replies. */
export function bridgeThreadMetrics(post: (msg: { type: 'metrics'; id: number }) => void) {
  const waiting = new Map<number, (m: ThreadMetrics['metrics']) => void>();
  let seq = 0;
  const off = addMetricsSource(
    () =>
      new Promise((resolve) => {
        const id = ++seq;
        // a busy or dying thread must not hold the scrape: its part is left out after 2 s
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve([]);
        }, 2_000);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        post({ type: 'metrics', id });
      }),
  );
  return {
    answer(msg: ThreadMetrics) {
      waiting.get(msg.id)?.(msg.metrics);
      waiting.delete(msg.id);
    },
    close() {
      off();
      for (const done of waiting.values()) done([]);
      waiting.clear();
    },
  };
}

/** Worker thread: reports its pool and answers the main thread's metrics requests. */
export function serveThreadMetrics(pool: pg.Pool, post: (msg: ThreadMetrics) => void): void {
  watchPool(pool);
  parentPort!.on('message', (msg: { type?: string; id?: number }) => {
    if (msg.type !== 'metrics') return;
    void registry.getMetricsAsJSON().then((metrics) => post({ type: 'metrics', id: msg.id!, metrics }));
  });
}
