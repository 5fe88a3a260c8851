/**
 * Creates and tears down everything a process needs (database, ORM, pool, queue, caches).
 * main.ts, the CLI and the tests all use it, so they boot the same way.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type pino from 'pino';
import type { Config } from './config.js';
import { resolveDatabase, type EmbeddedHandle } from './db/embedded.js';
import { createBoss, createPool } from './db/pools.js';
import { createLogger } from './logger.js';
import { FEATURES } from './modules.js';
import { ormOptions } from './orm.config.js';
import { applyInvalidation, clearCaches, createCaches, INVALIDATION_CHANNEL } from './shared/caches.js';
import type { Deps } from './shared/context.js';

export { createLogger, flushLogger, REDACT } from './logger.js';

export interface Runtime {
  deps: Deps;
  url: string;
  embedded?: EmbeddedHandle;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply pending migrations (under an advisory lock, so concurrent starts are safe). Default true. */
  migrate?: boolean;
  /** Start pg-boss and create the queues. Default true. */
  queue?: boolean;
  /** Listen for cache invalidations from other processes. Default true. */
  listen?: boolean;
  log?: pino.Logger;
  poolSize?: number;
}

const MIGRATION_LOCK = 7_231_911;

export async function migrate(url: string): Promise<void> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: 2 } }));
    try {
      await orm.migrator.up();
    } finally {
      await orm.close(true);
    }
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await lock.end();
  }
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.logLevel);
  const { url, embedded } = await resolveDatabase(config, (line) => log.warn(line));
  try {
    if (opts.migrate !== false) await migrate(url);
    const orm = await MikroORM.init(ormOptions(url));
    const pool = createPool(url, opts.poolSize ?? 10, log);
    const genericPool = createPool(url, 4, log, '-c plan_cache_mode=force_generic_plan -c jit=off');
    const boss = createBoss(url, 6, log);
    const caches = createCaches(config.cacheTtlMs);
    const deps: Deps = { config, orm, pool, genericPool, boss, log, caches, services: {} };
    if (opts.queue !== false) {
      await boss.start();
      for (const f of FEATURES) for (const q of f.queues ?? []) await boss.createQueue(q.name, q.options);
    }
    const listener = opts.listen !== false ? await listenForInvalidations(url, deps) : undefined;
    return {
      deps,
      url,
      embedded,
      async close() {
        await listener?.close();
        await boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true }).catch(() => {});
        await pool.end().catch(() => {});
        await genericPool.end().catch(() => {});
        await orm.close(true).catch(() => {});
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/** LISTEN on the invalidation channel; reconnects with backoff when the database goes away. */
async function listenForInvalidations(url: string, deps: Deps): Promise<{ close(): Promise<void> }> {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (msg) => msg.payload && applyInvalidation(deps.caches, msg.payload));
    c.on('error', () => {
      c.end().catch(() => {});
      if (client === c) client = undefined;
      // Missed notifications while disconnected: drop everything, the TTL would anyway.
      clearCaches(deps.caches);
      if (!closed) timer = setTimeout(() => void connect().catch(() => {}), 1_000);
    });
    try {
      await c.connect();
      await c.query(`listen ${INVALIDATION_CHANNEL}`);
      client = c;
    } catch {
      c.end().catch(() => {});
      if (!closed) timer = setTimeout(() => void connect().catch(() => {}), 1_000);
    }
  };
  await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
