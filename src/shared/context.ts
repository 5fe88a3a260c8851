import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config.js';
import type { Caches } from './caches.js';

/** Everything a request or a job may need, built once in main.ts (or a test) and passed down. */
export interface Deps {
  config: Config;
  orm: MikroORM;
  /** Plain pg pool for the measured hot paths (send accept, auth miss); see bench/RESULTS.md. */
  pool: pg.Pool;
  /**
   * A small pool whose sessions run prepared statements on their generic plan
   * (`plan_cache_mode = force_generic_plan`): only for named statements written so that every
   * generic plan is the intended index scan (the sends history, see send.history.ts). JIT is off
   * in them: a generic plan over parameter arrays is estimated high enough to be JIT-compiled on
   * every run, for queries that take well under a millisecond.
   */
  genericPool: pg.Pool;
  boss: PgBoss;
  log: FastifyBaseLogger;
  caches: Caches;
  /** Set by feature modules at startup (e.g. the send group-committer). */
  services: Record<string, unknown>;
}

/**
 * What the workers use (send processing, automation steps, outbox delivery): plain SQL on a pool and
 * the queue, no ORM, so the worker thread can run them without loading MikroORM (src/worker-thread.ts).
 */
export type WorkerDeps = Pick<Deps, 'config' | 'pool' | 'boss' | 'log'>;

/** The authenticated caller. */
export interface OrgRef {
  id: string;
  name: string;
  keyId: string;
}

export interface GraphQLContext {
  org: OrgRef;
  em: EntityManager;
  deps: Deps;
  requestId: string;
  headers: Record<string, string | string[] | undefined>;
}
