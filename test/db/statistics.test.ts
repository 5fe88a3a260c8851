/**
 * The workers' statistics keeper (src/db/statistics.ts): a watched table that grew past a fifth of
 * its size since its last ANALYZE is analyzed (its planner row count follows), only its scalar
 * columns; one that did not grow is left alone; unwatched tables are never touched.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeGrownTables } from '../../src/db/statistics.js';
import { createTestDatabase } from '../setup/harness.js';

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 2 });
  await pool.query(`insert into organizations (id, name) values ('00000000-0000-7000-8000-000000000001', 'S')`);
});
afterAll(async () => {
  await pool?.end();
});

const reltuples = async (table: string) => Number((await pool.query(`select reltuples from pg_class where relname = $1`, [table])).rows[0].reltuples);
// pg_stat counters reach the shared view when a backend reports them (at most about once a second, PostgreSQL 15)
const flushStats = async () => {
  await pool.query('select pg_stat_force_next_flush()');
  await pool.query('select pg_stat_clear_snapshot()');
};

it('analyzes a watched table that grew, and leaves it alone until it grows again', async () => {
  await pool.query('analyze contacts'); // empty, analyzed: the state a new server starts in
  expect(await reltuples('contacts')).toBe(0);
  await pool.query(
    `insert into contacts (id, organization_id, email, source)
     select gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'c' || i || '@example.com', 'event' from generate_series(1, 5000) i`,
  );
  await flushStats();
  const done = await analyzeGrownTables(pool);
  expect(done).toContain('public.contacts');
  expect(await reltuples('contacts')).toBe(5000);
  // only ids, times, numbers and status get statistics (JSON and strings are skipped)
  const cols = (await pool.query(`select attname from pg_stats where tablename = 'contacts' order by 1`)).rows.map((r) => r.attname);
  expect(cols).toContain('organization_id');
  expect(cols).not.toContain('properties');
  expect(cols).not.toContain('email');

  await flushStats();
  expect(await analyzeGrownTables(pool)).not.toContain('public.contacts'); // nothing changed since

  // 10 % more: under the threshold (a fifth of the size); 30 % more: over it
  await pool.query(`insert into contacts (id, organization_id, email, source) select gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'd' || i || '@example.com', 'event' from generate_series(1, 500) i`);
  await flushStats();
  expect(await analyzeGrownTables(pool)).not.toContain('public.contacts');
  await pool.query(`insert into contacts (id, organization_id, email, source) select gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'e' || i || '@example.com', 'event' from generate_series(1, 1000) i`);
  await flushStats();
  expect(await analyzeGrownTables(pool)).toContain('public.contacts');
  expect(await reltuples('contacts')).toBe(6500);
});

it('never analyzes tables it does not watch', async () => {
  await pool.query('analyze organizations');
  await pool.query(`insert into organizations (id, name) select gen_random_uuid(), 'o' || i from generate_series(1, 3000) i`);
  await flushStats();
  const done = await analyzeGrownTables(pool);
  expect(done).not.toContain('public.organizations');
  expect(await reltuples('organizations')).toBe(1);
});
