/**
 * Keeps the planner's statistics of the tables the workers write in step with their growth.
 *
 * Why: autovacuum analyzes a table once 10 % of it changed, but looks only once a minute
 * (autovacuum_naptime, a server-wide setting). A new server fills its tables faster than that: on a
 * fresh database, 20,000 sends through an automation reached the worker's batch queries while the
 * statistics still said contacts held 66 rows and that almost no send was `accepted`, and the
 * planner scanned every contact of the organization once per send (600–900 ms per batch of 500
 * instead of a few; PostgreSQL became the bound at about 800 runs/s). The same happens to any table
 * that grows several-fold within a minute: runs, outbox rows, the day's send partition.
 *
 * Every few seconds one cheap query over pg_stat_user_tables finds the watched tables whose size
 * moved by more than a fifth from what the planner knows (at least MIN_CHANGES rows), and runs
 * ANALYZE on those (a sample of 30,000 rows at most: tens of milliseconds, and it takes no lock that
 * blocks reads or writes). The threshold grows with the table, so a steady server analyzes rarely
 * and autovacuum carries on as before; a table that doubles gets fresh statistics within seconds.
 * Several processes may do it at once: each ANALYZE simply replaces the statistics.
 */
import type pg from 'pg';

/** Tables (and, for event_sends, its day partitions) whose growth the worker drives. */
const WATCHED = ['contacts', 'automation_runs', 'automation_outbox', 'event_sends_%', 'idempotency_keys'];
const MIN_CHANGES = 1_000;
const EVERY_MS = 3_000;

/**
 * The watched tables due for an ANALYZE: their live row count (kept by the statistics system as rows
 * are inserted and deleted) differs from the planner's (pg_class.reltuples, set by the last ANALYZE
 * or VACUUM) by ≥ 20 % of it and ≥ MIN_CHANGES rows. Not n_mod_since_analyze: an ANALYZE of some
 * columns (ours) does not reset it, so it would call the same table due every time.
 */
export const DUE_FOR_ANALYZE = `select quote_ident(s.schemaname) || '.' || quote_ident(s.relname) as name,
       (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           and (a.atttypid in ('uuid'::regtype, 'timestamptz'::regtype, 'int4'::regtype, 'int8'::regtype, 'bool'::regtype) or a.attname = 'status')) as columns
  from pg_stat_user_tables s join pg_class c on c.oid = s.relid
 where s.schemaname = current_schema() and s.relname like any($1::text[])
   and pg_has_role(c.relowner, 'USAGE') -- ANALYZE needs the table's owner: a role that is not skips it (with a warning) every time
   and abs(s.n_live_tup - greatest(c.reltuples, 0)) >= greatest($2::bigint, 0.2 * greatest(c.reltuples, 0))
 order by abs(s.n_live_tup - greatest(c.reltuples, 0)) desc
 limit 8`;

/**
 * ANALYZEs the grown tables, only their ids, times, numbers and `status`: the worker's plans turn on
 * those (the address lookups go through unique indexes), while the JSON documents (payloads, step
 * logs, send data) and strings made up most of the work: an outbox ANALYZE took 366 ms with every
 * column, 291 ms without the JSON and text ones (sorting 30,000 sampled idempotency keys by
 * collation); with these and a smaller sample (below), 70 ms (runs: 32 ms, the day's sends: 14 ms).
 */
export async function analyzeGrownTables(pool: pg.Pool): Promise<string[]> {
  const due = (await pool.query<{ name: string; columns: string | null }>(DUE_FOR_ANALYZE, [WATCHED, MIN_CHANGES])).rows;
  // names and columns from the catalog, quoted by quote_ident
  for (const t of due) {
    // A sample of 3,000 rows (statistics target 10) instead of 30,000: the outbox, updated row by row
    // as deliveries settle, took ~300 ms to sample at the default target; coarse statistics are
    // enough to tell a table of ten rows from one of a hundred thousand. Autovacuum's own ANALYZE
    // (all columns, the default target) still comes by as before.
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('set local default_statistics_target = 10');
      await client.query(`analyze ${t.name}${t.columns ? ` (${t.columns})` : ''}`);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  return due.map((t) => t.name);
}

interface Log {
  debug(obj: object, msg: string): void;
}

/** Runs analyzeGrownTables every few seconds until stopped; failures are logged and retried next time. */
export function startStatisticsKeeper(pool: pg.Pool, log: Log): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = analyzeGrownTables(pool)
      .then((tables) => tables.length && log.debug({ tables }, 'statistics refreshed'))
      .catch((err) => log.debug({ err }, 'statistics refresh failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
