/**
 * The database clients a process opens: plain pg pools and the pg-boss instance. One place for
 * their options, used by the runtime (main thread, CLI, tests) and by the worker thread (which
 * loads no ORM, so this module imports only pg and pg-boss).
 */
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { parseJson } from '../shared/json.js';

// json and jsonb columns are read with parseJson (shared/json.ts: JSON.parse alone can decode an
// escaped key wrongly), for our pools and the ORM's alike (both use this pg module's type registry).
pg.types.setTypeParser(pg.types.builtins.JSON, parseJson);
pg.types.setTypeParser(pg.types.builtins.JSONB, parseJson);

interface Log {
  warn(obj: object, msg: string): void;
}

/** A pool that logs (instead of crashing on) errors of idle connections; `options` = libpq session options. */
export function createPool(url: string, max: number, log: Log, options?: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, ...(options ? { options } : {}) });
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  // A checked-out client that is not running a query (a delivery holding its claim while the
  // transport runs, a worker between statements) has no listener of the pool's: a dropped
  // connection would be an uncaught 'error' event and crash the process. Its next query fails
  // instead, and the transaction is retried like any other failure.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err }, 'database connection failed')));
  return pool;
}

/** pg-boss on the `pgboss` schema; not started. */
export function createBoss(url: string, max: number, log: Log): PgBoss {
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max, connectionTimeoutMillis: 5_000 } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on('error', (err) => log.warn({ err }, 'pg-boss error'));
  return boss;
}
