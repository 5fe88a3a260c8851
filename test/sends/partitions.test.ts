/**
 * event_sends partitioned by day on its UUIDv7 id (migration event_sends_partitioned,
 * src/sends/partitions.ts): the migration converts a populated database in place; a started worker
 * has today's and the next days' partitions; with SEND_RETENTION_DAYS, day partitions past it are
 * dropped whole (their sends gone, newer ones kept), and a job for dropped sends is a no-op.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-key.service.js';
import { Organization } from '../../src/auth/organization.entity.js';
import { ormOptions } from '../../src/orm.config.js';
import { SEND_QUEUE } from '../../src/sends/committer.js';
import { AHEAD_DAYS, listSendPartitions, maintainSendPartitions, uuidAt } from '../../src/sends/partitions.js';
import { processSends } from '../../src/sends/send.worker.js';
import { withDatabase } from '../setup/global-setup.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

const DAY = 86_400_000;
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});

/** A UUIDv7 generated at `ms` (random tail, version 7, variant 10). */
function uuidv7At(ms: number): string {
  const base = uuidAt(ms).replaceAll('-', '').slice(0, 12);
  const r = randomBytes(10).toString('hex');
  const hex = `${base}7${r.slice(0, 3)}${((parseInt(r[3], 16) & 3) | 8).toString(16)}${r.slice(4, 19)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
const dayName = (ms: number) => `event_sends_p${new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`;

async function insertSend(db: pg.Pool | pg.Client, id: string, org: string, def: string, extra: Record<string, unknown> = {}) {
  const row = { status: 'processed', email: 'old@example.com', data: { n: 1 }, errors: null, failure_reason: null, ...extra };
  await db.query(
    `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status, errors, failure_reason, idempotency_key)
     values ($1, $2, $3, 'order.completed', $4, $5, now(), $6, $7, $8, $9)`,
    [id, org, def, row.email, JSON.stringify(row.data), row.status, row.errors === null ? null : JSON.stringify(row.errors), row.failure_reason, (extra.key as string) ?? null],
  );
}

describe('migration on a populated database', () => {
  it('moves sends (every day, odd ids to the default partition) into day partitions; runs, outbox, history and idempotency keep working', async () => {
    const name = `arsel_t_${inject('templateDb').replace('arsel_test_template_', '')}_part_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = withDatabase(inject('adminUrl'), name);

    const orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: 2 } }));
    await orm.migrator.up({ to: 'Migration20261201000002_contact_fields' });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const org = '0195f3a0-0000-7000-8000-000000000001';
    const def = '0195f3a0-0000-7000-8000-000000000003';
    const auto = '0195f3a0-0000-7000-8000-000000000004';
    await db.query(`insert into organizations (id, name) values ($1, 'Old')`, [org]);
    await db.query(`insert into event_definitions (id, organization_id, name, fields) values ($1, $2, 'order.completed', '[]')`, [def, org]);
    await db.query(
      `insert into automations (id, organization_id, name, status, trigger_event, steps, connections, webhook_secret)
       values ($1, $2, 'Old', 'enabled', 'order.completed', '[{"key":"trigger","type":"trigger","event":"order.completed"}]', '[]', 'whsec_x')`,
      [auto, org],
    );
    const now = Date.now();
    const tenDaysAgo = uuidv7At(now - 10 * DAY);
    const yesterday = uuidv7At(now - DAY);
    const rejected = uuidv7At(now - 2 * DAY);
    const failed = uuidv7At(now - 2 * DAY + 1000);
    const today = uuidv7At(now - 1000);
    const v4 = '3f0c6a52-9a1e-4c1b-8d2e-5b7f0e1a2c3d';
    await insertSend(db, tenDaysAgo, org, def);
    await insertSend(db, yesterday, org, def, { key: 'k-1' });
    await insertSend(db, rejected, org, def, { status: 'rejected', errors: [{ field: 'n', message: 'must be a number' }] });
    await insertSend(db, failed, org, def, { status: 'failed', failure_reason: 'boom' });
    await insertSend(db, today, org, def, { status: 'accepted' });
    await insertSend(db, v4, org, def);
    await db.query(`insert into idempotency_keys (organization_id, key, request_hash, status_code, response, expires_at)
                    values ($1, 'k-1', $2, 202, $3, now() + interval '1 day')`, [org, 'a'.repeat(64), JSON.stringify({ id: yesterday, status: 'accepted' })]);
    const run = '0195f3a0-0000-7000-8000-000000000005';
    await db.query(`insert into automation_runs (id, organization_id, automation_id, send_id, status) values ($1, $2, $3, $4, 'completed')`, [run, org, auto, yesterday]);
    await db.query(
      `insert into automation_outbox (id, organization_id, automation_id, run_id, step_key, kind, idempotency_key, payload, log_index)
       values ('0195f3a0-0000-7000-8000-000000000006', $1, $2, $3, 'mail', 'email', $4, '{}', 0)`,
      [org, auto, run, `${run}:mail`],
    );
    const before = (await db.query('select * from event_sends order by id')).rows;

    await orm.migrator.up({ to: 'Migration20261205000001_event_sends_partitioned' });
    expect((await db.query(`select relkind from pg_class where relname = 'event_sends'`)).rows[0].relkind).toBe('p');
    expect((await db.query('select * from event_sends order by id')).rows).toEqual(before);
    // The migrations after it (schema versions add columns to the partitioned table) keep every row.
    await orm.migrator.up();
    await orm.close(true);
    expect((await db.query('select * from event_sends order by id')).rows).toEqual(before.map((r) => ({ ...r, schema_version: 1, replayed_at: null })));
    const where = async (id: string) => (await db.query('select tableoid::regclass::text as p from event_sends where id = $1', [id])).rows[0].p;
    expect(await where(tenDaysAgo)).toBe(dayName(now - 10 * DAY));
    expect(await where(yesterday)).toBe(dayName(now - DAY));
    expect(await where(today)).toBe(dayName(now - 1000));
    expect(await where(v4)).toBe('event_sends_default');
    const parts = await listSendPartitions(db);
    for (let i = 0; i <= AHEAD_DAYS; i++) expect(parts).toContain(dayName(now + i * DAY));
    // the indexes are there on every partition, under their old names on the parent
    const idx = (await db.query(`select indexname from pg_indexes where tablename = $1 order by 1`, [dayName(now - DAY)])).rows.map((r) => r.indexname);
    expect(idx).toHaveLength(4);
    expect((await db.query(`select indexname from pg_indexes where tablename = 'event_sends' order by 1`)).rows.map((r) => r.indexname))
      .toEqual(['event_sends_event', 'event_sends_event_failed', 'event_sends_event_rejected', 'event_sends_pkey']);
    // the primary key still holds across partitions
    await expect(insertSend(db, yesterday, org, def)).rejects.toThrow(/event_sends/);
    expect((await db.query('select count(*)::int as n from automation_outbox')).rows[0].n).toBe(1);
    await db.end();

    const t = await startTestApp({ databaseUrl: url, worker: true });
    apps.push(t);
    const em = t.deps.orm.em.fork();
    const { token } = await createApiKey(em, await em.findOneOrFail(Organization, org));
    const page = await t.http('GET', '/v1/events/order.completed/sends?limit=10', { token });
    expect(page.body.data.map((s: { id: string }) => s.id)).toEqual([today, yesterday, failed, rejected, tenDaysAgo, v4].sort().reverse());
    const rej = await t.http('GET', '/v1/events/order.completed/sends?status=rejected', { token });
    expect(rej.body.data.map((s: { id: string }) => s.id)).toEqual([rejected]);
    const fail = await t.http('GET', '/v1/events/order.completed/sends?status=failed', { token });
    expect(fail.body.data.map((s: { id: string }) => s.id)).toEqual([failed]);
    const p2 = await t.http('GET', `/v1/events/order.completed/sends?limit=2&after=${failed}`, { token });
    expect(p2.body.data.map((s: { id: string }) => s.id)).toEqual([rejected, tenDaysAgo]);
    // the accepted send from before the migration is processed by the worker (its job is enqueued by hand: jobs of the old database would be pg-boss's)
    await t.deps.boss.send(SEND_QUEUE, { ids: [today] });
    await until(() => t.deps.pool.query('select status from event_sends where id = $1', [today]).then((r) => r.rows[0].status), (s) => s === 'processed');
    // a new send lands in today's partition; its Idempotency-Key replays
    const body = { event: 'order.completed', email: 'new@example.com', data: {} };
    const a = await t.http('POST', '/v1/events/send', { token, body, headers: { 'idempotency-key': 'k-2' } });
    expect(a.status).toBe(202);
    const b = await t.http('POST', '/v1/events/send', { token, body, headers: { 'idempotency-key': 'k-2' } });
    expect(b.body).toEqual(a.body);
    const p = await t.deps.pool.query('select tableoid::regclass::text as p from event_sends where id = $1', [a.body.id]);
    expect(p.rows[0].p).toBe(dayName(Date.now()));
  });
});

describe('partition maintenance and retention', () => {
  it('a started worker has today\'s and the next days\' partitions and a default one', async () => {
    const t = await startTestApp({ worker: true });
    apps.push(t);
    const parts = await listSendPartitions(t.deps.pool);
    for (let i = 0; i <= AHEAD_DAYS; i++) expect(parts).toContain(dayName(Date.now() + i * DAY));
    expect(parts).toContain('event_sends_default');
    // days ahead: maintenance with a later clock adds its day and the next ones (days it never saw
    // have no partition: their sends went to the default one, and are moved out when found there)
    const later = Date.now() + 5 * DAY;
    const r = await maintainSendPartitions(t.deps.pool, { now: later });
    expect(r.created).toEqual([5, 6, 7].map((i) => dayName(Date.now() + i * DAY)));
    expect((await maintainSendPartitions(t.deps.pool, { now: later })).created).toEqual([]);
  });

  it('with SEND_RETENTION_DAYS, drops whole day partitions past it: their sends are gone, newer ones stay; a job for dropped sends is a no-op', async () => {
    const t = await startTestApp({ worker: true, config: { sendRetentionDays: 3 } });
    apps.push(t);
    const { token, orgId } = await t.createOrg('Retained');
    expect((await t.http('POST', '/v1/events', { token, body: { name: 'order.completed' } })).status).toBe(201);
    const def = (await t.http('GET', '/v1/events/order.completed', { token })).body.id;
    const now = Date.now();
    // the clock moved: sends with old-dated ids (inserted like the server would, 10, 5 and 2 days ago)
    const old10 = uuidv7At(now - 10 * DAY);
    const old5 = uuidv7At(now - 5 * DAY);
    const old2 = uuidv7At(now - 2 * DAY);
    for (const id of [old10, old5, old2]) await insertSend(t.deps.pool, id, orgId, def, { status: 'accepted' });
    const fresh = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'fresh@example.com', data: {} } });
    expect(fresh.status).toBe(202);
    // they had no partition of their own: the default one took them, the insert did not fail
    expect((await t.deps.pool.query(`select count(*)::int as n from event_sends_default`)).rows[0].n).toBe(3);

    // keep everything: the strays move into their own day partitions
    const kept = await maintainSendPartitions(t.deps.pool, {});
    expect(kept.created).toEqual(expect.arrayContaining([dayName(now - 10 * DAY), dayName(now - 5 * DAY), dayName(now - 2 * DAY)]));
    expect((await t.deps.pool.query(`select count(*)::int as n from event_sends_default`)).rows[0].n).toBe(0);
    expect((await t.deps.pool.query(`select tableoid::regclass::text as p from event_sends where id = $1`, [old10])).rows[0].p).toBe(dayName(now - 10 * DAY));

    // retention 3 days: the 10- and 5-day-old partitions are dropped, the 2-day-old one and today's stay
    const r = await maintainSendPartitions(t.deps.pool, { retentionDays: 3 });
    expect(r.dropped).toEqual(expect.arrayContaining([dayName(now - 10 * DAY), dayName(now - 5 * DAY)]));
    expect(r.dropped).not.toContain(dayName(now - 2 * DAY));
    const parts = await listSendPartitions(t.deps.pool);
    expect(parts).not.toContain(dayName(now - 10 * DAY));
    expect(parts).not.toContain(dayName(now - 5 * DAY));
    expect(parts).toContain(dayName(now - 2 * DAY));
    const left = (await t.deps.pool.query('select id from event_sends where id = any($1::uuid[])', [[old10, old5, old2, fresh.body.id]])).rows.map((x) => x.id);
    expect(left.sort()).toEqual([old2, fresh.body.id].sort());
    // nothing older than the retention is left anywhere
    expect((await t.deps.pool.query(`select count(*)::int as n from event_sends where id < $1`, [uuidAt(now - 4 * DAY)])).rows[0].n).toBe(0);

    // the dropped sends' job: nothing to do, the job completes; the kept accepted one is processed
    expect(await processSends(t.deps, [old10, old5])).toBe(0);
    const job = await t.deps.boss.send(SEND_QUEUE, { ids: [old10, old5, old2] });
    await until(() => t.deps.boss.getJobById(SEND_QUEUE, job!), (j) => j?.state === 'completed');
    expect((await t.deps.pool.query('select status from event_sends where id = $1', [old2])).rows[0].status).toBe('processed');
    // the history still pages over what is left
    const h = await t.http('GET', '/v1/events/order.completed/sends', { token });
    expect(h.body.data.map((s: { id: string }) => s.id)).toEqual([fresh.body.id, old2]);
  });

  it('stray rows in the default partition older than the retention are deleted; a started process applies the retention', async () => {
    const t = await startTestApp({ worker: false });
    apps.push(t);
    const { token, orgId } = await t.createOrg('Strays');
    await t.http('POST', '/v1/events', { token, body: { name: 'order.completed' } });
    const def = (await t.http('GET', '/v1/events/order.completed', { token })).body.id;
    const old = uuidv7At(Date.now() - 30 * DAY);
    await insertSend(t.deps.pool, old, orgId, def);
    // a worker started with SEND_RETENTION_DAYS=7 on this database runs the job at once
    const w = await startTestApp({ databaseUrl: t.databaseUrl, worker: true, config: { sendRetentionDays: 7 } });
    apps.push(w);
    expect((await t.deps.pool.query('select count(*)::int as n from event_sends where id = $1', [old])).rows[0].n).toBe(0);
    expect(await listSendPartitions(t.deps.pool)).not.toContain(dayName(Date.now() - 30 * DAY));
  });
});
