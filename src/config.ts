import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the checkout (works from src/ under vitest and from dist/src/ when built). */
export const PROJECT_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', '..') : path.resolve(here, '..');
})();

export type Role = 'api' | 'worker' | 'all';

export interface Config {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /** Unset: use (or start) the embedded PostgreSQL in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** Requests per organization per minute; 0 disables. */
  readonly rateLimitMax: number;
  /** Events (a batch item counts one) per organization per 60 s window; 0 disables. */
  readonly eventBudget: number;
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  /** Hosts (or IPs) that webhooks may reach although they resolve to private/loopback addresses. */
  readonly webhookAllowHosts: readonly string[];
  /** How long another instance may keep serving a deleted/changed definition or a revoked key from its cache. */
  readonly cacheTtlMs: number;
  readonly shutdownTimeoutMs: number;
  /** A request's headers must arrive within this (Node's headersTimeout); else 408 and the socket is closed. */
  readonly headersTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this (Node's requestTimeout); else 408 and close. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /**
   * GraphQL operations costing more than this (graphql-armor's cost, page sizes multiplying) are a
   * 400. 8,000 admits one page of 100 sends with every field (7,440) or the dashboard's 100 events
   * (7,016), not two: measured, four parallel loops of one such page kept another organization's
   * `GET /v1/events` at p50 12–14 ms, two pages at 23–40 ms (docs/notes-sec-http.md).
   */
  readonly graphqlMaxCost: number;
  readonly workerBatchSize: number;
  readonly workerConcurrency: number;
  readonly pollingIntervalSeconds: number;
  /** `sends.process` jobs (one per group commit) fetched at a time; while fetches come back full the worker fetches again at once. */
  readonly sendJobsPerFetch: number;
  readonly commitWindowMs: number;
  readonly commitConcurrency: number;
  /**
   * Role `all`: run the workers in a worker thread of the process (its own event loop, pools and
   * pg-boss; no ORM loaded) instead of on the HTTP event loop. `WORKER_THREAD=0` turns it off.
   */
  readonly workerThread: boolean;
  /**
   * The worker thread's OS scheduling priority (nice, 0–19; Linux only): under CPU contention the
   * HTTP event loop wins and processing takes what is left, catching up when load drops. 0 = as the
   * process.
   */
  readonly workerThreadNice: number;
  /** Role `worker`: the port of its HTTP listener for /metrics, /health and /ready (roles api/all serve them on `port`). */
  readonly metricsPort: number;
  /** METRICS_PORT was set: a busy port stops the start (the default port being busy only costs the listener). */
  readonly metricsPortSet: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** Sends older than this many days are dropped a whole day-partition at a time (src/sends/partitions.ts); unset = kept forever. */
  readonly sendRetentionDays?: number;
  /**
   * Cross-process wake-ups (src/shared/wake.ts): at most one PostgreSQL NOTIFY per topic per this
   * many ms (0 = none: other processes find new work by polling; threads of one process are always
   * woken at once).
   */
  readonly wakeNotifyMs: number;
  /**
   * Send lanes are woken at most once per this many ms under load (the first wake-up after a quiet
   * spell goes at once): larger = more group commits per fetch and processing transaction (less
   * PostgreSQL work per send), smaller = less delay from a send to its first step under load.
   */
  readonly sendWakeGapMs: number;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min = 0, max?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new ConfigError(`${name} must be an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`} (got "${raw}")`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (got "${env[name]}")`);
}

/** Reads and validates the environment once; nothing below main.ts reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const role = (overrides.role ?? env.ARSEL_ROLE ?? 'all') as Role;
  if (!['api', 'worker', 'all'].includes(role)) throw new ConfigError(`role must be api, worker or all (got "${role}")`);
  const cfg: Config = {
    role,
    host: env.HOST || '0.0.0.0',
    port: int(env, 'PORT', 3000),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.ARSEL_DATA_DIR || path.join(PROJECT_ROOT, '.arsel', 'pgdata')),
    logLevel: env.LOG_LEVEL || 'info',
    rateLimitMax: int(env, 'RATE_LIMIT_MAX', 60_000),
    eventBudget: int(env, 'EVENT_BUDGET_PER_MINUTE', 600_000),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Arsel <no-reply@localhost>',
    webhookAllowHosts: (env.WEBHOOK_ALLOW_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    cacheTtlMs: int(env, 'CACHE_TTL_MS', 5_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 1),
    requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1),
    keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 1),
    graphqlMaxCost: int(env, 'GRAPHQL_MAX_COST', 8_000, 1),
    workerBatchSize: int(env, 'WORKER_BATCH_SIZE', 100, 1),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 2, 1),
    pollingIntervalSeconds: Number(env.WORKER_POLL_SECONDS || 0.5),
    sendJobsPerFetch: int(env, 'SEND_WORKER_JOBS', 100, 1),
    commitWindowMs: int(env, 'COMMIT_WINDOW_MS', 2),
    commitConcurrency: int(env, 'COMMIT_CONCURRENCY', 4, 1),
    workerThread: bool(env, 'WORKER_THREAD', true),
    workerThreadNice: int(env, 'WORKER_THREAD_NICE', 10, 0, 19),
    metricsPort: int(env, 'METRICS_PORT', 9464, 0, 65535),
    metricsPortSet: Boolean(env.METRICS_PORT),
    metricsToken: env.METRICS_TOKEN || undefined,
    sendRetentionDays: env.SEND_RETENTION_DAYS ? int(env, 'SEND_RETENTION_DAYS', 0, 1, 100_000) : undefined,
    wakeNotifyMs: int(env, 'WAKE_NOTIFY_MS', 5, 0, 60_000),
    sendWakeGapMs: int(env, 'SEND_WAKE_GAP_MS', 200, 0, 10_000),
    ...overrides,
  };
  // Node refuses a headers timeout longer than the whole-request timeout.
  if (cfg.headersTimeoutMs > cfg.requestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS (${cfg.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${cfg.requestTimeoutMs})`);
  }
  return Object.freeze(cfg);
}
