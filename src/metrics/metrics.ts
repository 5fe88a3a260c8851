/**
 * Prometheus metrics (prom-client), one registry per isolate. The HTTP side, the workers (also in
 * the worker thread of role `all`) and the scrape handlers import this module; nothing here imports
 * the ORM, HTTP or GraphQL, so the worker thread can load it.
 *
 * Labels never carry organization ids, emails or event names: only method, route pattern, status,
 * queue name, channel and outcome, all from small fixed sets.
 */
import type pg from 'pg';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export const registry = new Registry();

export const httpDuration = new Histogram({
  name: 'arsel_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const sendsTotal = new Counter({
  name: 'arsel_sends_total',
  help: 'Sends recorded, by status (accepted, rejected)',
  labelNames: ['status'] as const,
  registers: [registry],
});
const accepted = sendsTotal.labels('accepted');
const rejected = sendsTotal.labels('rejected');

export const sendToFirstStep = new Histogram({
  name: 'arsel_send_to_first_step_seconds',
  help: 'Time from a send being accepted to the first step (trigger) of an automation run it started',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const deliveriesTotal = new Counter({
  name: 'arsel_deliveries_total',
  help: 'Automation side-effect deliveries by channel (email, webhook) and outcome (sent, failed: final, retried: will be tried again)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

/** Destinations (the SMTP relay, webhook host:port) whose rows go through the slow lane now (src/automations/delivery.ts). */
export const slowDestinations = new Gauge({
  name: 'arsel_delivery_slow_destinations',
  help: 'Delivery destinations marked slow (a delivery unanswered after 2 s): their rows go through a lane of their own for 60 s',
  registers: [registry],
});

/**
 * Pools whose connections this isolate reports (main pool, generic pool, the thread's pool). Whoever
 * watches a pool unwatches it when it stops serving metrics, before the pool is closed: the API's
 * /metrics on the app's close, the worker role's metrics server on its close. The worker thread's
 * pool stays watched: it lives as long as the thread's isolate (and its registry).
 */
const pools = new Set<pg.Pool>();
export function watchPool(pool: pg.Pool): void {
  pools.add(pool);
}
export function unwatchPool(pool: pg.Pool): void {
  pools.delete(pool);
}
/** Whether `pool` is reported (tests). */
export const isPoolWatched = (pool: pg.Pool): boolean => pools.has(pool);

new Gauge({
  name: 'arsel_db_pool_connections',
  help: 'PostgreSQL client pool connections by state (active: checked out, idle, waiting: requests queued for a connection)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    let total = 0;
    let idle = 0;
    let waiting = 0;
    for (const p of pools) {
      total += p.totalCount;
      idle += p.idleCount;
      waiting += p.waitingCount;
    }
    this.set({ state: 'active' }, total - idle);
    this.set({ state: 'idle' }, idle);
    this.set({ state: 'waiting' }, waiting);
  },
});

/** Counts the sends of one committed request (accept path: one loop, no allocation). */
export function countSends(rows: readonly { status: string }[]): void {
  let a = 0;
  for (const r of rows) if (r.status === 'accepted') a++;
  if (a) accepted.inc(a);
  if (rows.length > a) rejected.inc(rows.length - a);
}

export function countDelivery(channel: string, outcome: 'sent' | 'failed' | 'retried'): void {
  deliveriesTotal.inc({ channel, outcome });
}

/** A run's trigger step ran: the send's UUIDv7 id carries its accept time (ms), so no query is needed. */
export function observeFirstStep(sendId: string): void {
  const acceptedAt = parseInt(sendId.slice(0, 8) + sendId.slice(9, 13), 16);
  if (Number.isFinite(acceptedAt)) sendToFirstStep.observe(Math.max(0, Date.now() - acceptedAt) / 1000);
}

let queueGaugesOn = false;
/**
 * Queue backlog, read from pg-boss's tables at scrape time (one query): jobs due and not started
 * (`created`/`retry` with start_after <= now; a wait step scheduled for tomorrow is not backlog),
 * and how long the oldest of them has been due. One process per role registers it (not the
 * worker thread), so role `all` does not report it twice.
 */
export function watchQueues(pool: pg.Pool): void {
  if (queueGaugesOn) return;
  queueGaugesOn = true;
  let pending: Promise<{ name: string; depth: number; oldest: number }[]> | undefined;
  const read = () => {
    // both gauges collect in the same scrape: one query for the two
    pending ??= pool
      .query<{ name: string; depth: number; oldest: number }>(
        `select q.name, count(j.id)::int as depth, coalesce(extract(epoch from now() - min(j.start_after)), 0)::float8 as oldest
           from pgboss.queue q
           left join pgboss.job j on j.name = q.name and j.state < 'active' and j.start_after <= now()
          group by q.name`,
      )
      .then((r) => r.rows)
      .finally(() => setTimeout(() => (pending = undefined), 100));
    return pending;
  };
  new Gauge({
    name: 'arsel_queue_depth',
    help: 'Jobs due and waiting to be processed, by pg-boss queue',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await read().catch(() => [])) this.set({ queue: q.name }, q.depth);
    },
  });
  new Gauge({
    name: 'arsel_queue_oldest_seconds',
    help: 'Age of the oldest due, unstarted job, by pg-boss queue (0 when none)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await read().catch(() => [])) this.set({ queue: q.name }, q.oldest);
    },
  });
}

let defaultsOn = false;
/** The client's default process and event-loop metrics (once per process, from the main thread). */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: registry });
}

/** Metrics of another isolate (the worker thread), fetched at scrape time. */
type Source = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
const sources = new Set<Source>();
export function addMetricsSource(source: Source): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

export const CONTENT_TYPE = registry.contentType;

/** The scrape: this isolate's metrics, summed with the worker thread's when there is one. */
export async function scrape(): Promise<string> {
  let text: string;
  if (!sources.size) text = await registry.metrics();
  else {
    const parts = await Promise.all([registry.getMetricsAsJSON(), ...[...sources].map((s) => s().catch(() => []))]);
    text = await AggregatorRegistry.aggregate(parts).metrics();
  }
  // prom-client writes an unset value (the event-loop lag before its first sample) as `Nan`;
  // Prometheus reads any case, but the exposition format spells it `NaN` and strict parsers want that.
  return text.includes(' Nan') ? text.replace(/ Nan$/gm, ' NaN') : text;
}
