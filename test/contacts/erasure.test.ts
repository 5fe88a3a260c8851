/**
 * Erasure (issue 23): DELETE /v1/contacts/{id} and POST /v1/contacts/bulk-delete remove every copy
 * of a contact's email and payload values from the database — proven by scanning every text, json
 * and jsonb column of every table (pg-boss's schema included) — while its sends keep their rows,
 * ids, events, statuses and times. Also when its sends are still queued: they are erased before a
 * worker sees them and never re-create the contact; a send after the erasure starts a new contact.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  ({ token, orgId } = await t.createOrg('Acme'));
  const ev = await t.http('POST', '/v1/events', {
    token,
    body: { name: 'order.completed', schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }] } },
  });
  expect(ev.status).toBe(201);
  // one automation that renders the payload and the contact into an email, one that waits
  for (const body of [
    {
      name: 'Thanks', status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'order.completed' },
        { key: 'thank', type: 'send_email', subject: 'Order {{ event.order_id }} for {{ contact.email }}', body: 'You spent {{ event.total }} ({{ contact.properties.nick }})' },
      ],
      connections: [{ from: 'trigger', to: 'thank' }],
    },
    {
      name: 'Follow up', status: 'enabled',
      steps: [
        { key: 'trigger', type: 'trigger', event: 'order.completed' },
        { key: 'pause', type: 'wait', duration: 'P1D' },
        { key: 'later', type: 'send_email', subject: 'Still there, {{ contact.email }}?', body: '{{ event.order_id }}' },
      ],
      connections: [{ from: 'trigger', to: 'pause' }, { from: 'pause', to: 'later' }],
    },
  ]) {
    const a = await t.http('POST', '/v1/automations', { token, body });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
  }
});
afterAll(() => t?.close());

/** Every (schema, table, column) of a text-like, json or jsonb type, outside PostgreSQL's own schemas. */
async function textColumns(pool: pg.Pool): Promise<{ s: string; t: string; c: string }[]> {
  const r = await pool.query<{ s: string; t: string; c: string }>(
    `select c.table_schema s, c.table_name t, c.column_name c
       from information_schema.columns c
       join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name and tb.table_type = 'BASE TABLE'
      where c.table_schema not in ('pg_catalog', 'information_schema', 'pg_toast')
        and c.data_type in ('text', 'json', 'jsonb', 'character varying', 'character', 'ARRAY', 'USER-DEFINED')`,
  );
  return r.rows;
}

/** Where (table.column → rows) any of the needles still occurs, case-insensitively. */
async function traces(pool: pg.Pool, needles: string[]): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  const cols = await textColumns(pool);
  expect(cols.some((x) => x.s === 'pgboss' && x.t === 'job' && x.c === 'data')).toBe(true);
  expect(cols.some((x) => x.s === 'public' && x.t === 'event_sends' && x.c === 'data')).toBe(true);
  for (const { s, t: table, c } of cols) {
    const q = `select count(*)::int n from "${s}"."${table}" where exists (select 1 from unnest($1::text[]) x where strpos(lower("${c}"::text), x) > 0)`;
    const n = (await pool.query<{ n: number }>(q, [needles.map((x) => x.toLowerCase())])).rows[0]!.n;
    if (n) found[`${s}.${table}.${c}`] = n;
  }
  return found;
}

const send = (body: Record<string, unknown>) => t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', ...body } });

describe('erasure', () => {
  it('DELETE /v1/contacts/{id} leaves no copy of the email or payload values anywhere; send rows keep id, event, status, times', async () => {
    const email = 'Erase.Me@Example.com';
    const secret = 'order-zq81-secret';
    const keepEmail = 'keep.me@example.com';
    const c = await t.http('POST', '/v1/contacts', { token, body: { email, phone_number: '+14155550123', external_id: 'ext-erase-77', first_name: 'Ezra', properties: { nick: 'nick-zq81' } } });
    expect(c.status).toBe(201);
    const ids: string[] = [];
    ids.push((await send({ email, data: { order_id: secret, total: 4242.17 } })).body.id);
    ids.push((await send({ contact_id: c.body.id, data: { order_id: `${secret}-2`, total: 1 } })).body.id);
    // rejected: the payload is kept with its errors
    const rejected = await send({ email: email.toUpperCase(), data: { order_id: `${secret}-3`, total: 'lots' } });
    expect(rejected.status).toBe(422);
    ids.push(rejected.body.id);
    const kept = (await send({ email: keepEmail, data: { order_id: 'kept-order', total: 5 } })).body.id;

    // processed, emails rendered and delivered (log transport), follow-up runs waiting
    await until(() => t.deps.pool.query(`select count(*)::int n from automation_runs where status = 'waiting'`), (r) => r.rows[0].n === 3, 20_000, 'runs waiting');
    await until(() => t.deps.pool.query(`select count(*)::int n from automation_runs where steps @> '[{"type":"send_email","details":{"delivery":"sent"}}]'`), (r) => r.rows[0].n === 3, 20_000, 'emails sent');
    const before = await traces(t.deps.pool, [email, secret, 'nick-zq81', 'ext-erase-77', '+14155550123']);
    expect(before['public.automation_runs.steps']).toBeGreaterThan(0); // it finds what is there
    expect(before['public.automation_outbox.payload'] ?? 0).toBe(0); // a delivered email's row (its rendered payload) is not kept
    expect(before['public.event_sends.data']).toBe(3);
    const rowsBefore = (await t.deps.pool.query(`select id, event_name, status, created_at, "timestamp" from event_sends where id = any($1) order by id`, [ids])).rows;

    const del = await t.http('DELETE', `/v1/contacts/${c.body.id}`, { token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Contact deleted' });

    expect(await traces(t.deps.pool, [email, secret, 'nick-zq81', 'ext-erase-77', '+14155550123', 'Ezra'])).toEqual({});
    expect((await t.http('GET', `/v1/contacts/${c.body.id}`, { token })).status).toBe(404);
    expect((await t.http('DELETE', `/v1/contacts/${c.body.id}`, { token })).status).toBe(404);
    // the send rows stay (counts and charts stay true), without contact, email, data or errors
    const after = (await t.deps.pool.query(`select id, event_name, status, created_at, "timestamp", email, contact_id, data, errors from event_sends where id = any($1) order by id`, [ids])).rows;
    expect(after.map(({ id, event_name, status, created_at, timestamp }) => ({ id, event_name, status, created_at, timestamp }))).toEqual(rowsBefore);
    for (const r of after) expect({ email: r.email, contact_id: r.contact_id, data: r.data }).toEqual({ email: null, contact_id: null, data: {} });
    expect(after.find((r) => r.id === rejected.body.id)!.errors).toEqual([]);
    // its runs: waiting ones cancelled, logs gone, no outbox rows
    const runs = (await t.deps.pool.query(`select status, steps, contact_id from automation_runs where send_id = any($1)`, [ids])).rows;
    expect(runs.map((r) => r.status).sort()).toEqual(['cancelled', 'cancelled', 'completed', 'completed']);
    for (const r of runs) expect({ steps: r.steps, contact_id: r.contact_id }).toEqual({ steps: [], contact_id: null });
    // the other contact is untouched
    expect((await t.deps.pool.query(`select data from event_sends where id = $1`, [kept])).rows[0].data).toEqual({ order_id: 'kept-order', total: 5 });
    expect((await t.http('GET', `/v1/contacts?email=${keepEmail}`, { token })).body.data).toHaveLength(1);
    const waitingKept = await t.deps.pool.query(`select status from automation_runs where send_id = $1`, [kept]);
    expect(waitingKept.rows.map((r) => r.status).sort()).toEqual(['completed', 'waiting']);
  });

  it('sends still queued are erased too and never re-create the contact; a send after the erasure starts a new contact', async () => {
    // an API without workers: the sends stay queued
    const api = await startTestApp({ databaseUrl: t.databaseUrl });
    const workers: TestApp[] = [];
    try {
      const email = 'queued.person@example.com';
      const secret = 'queued-zx93';
      const c = await api.http('POST', '/v1/contacts', { token, body: { email } });
      // the shared app's worker would process them: stop its workers first by closing it and reopening without
      await t.close();
      t = api;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await send({ email, data: { order_id: `${secret}-${i}`, total: i } })).body.id);
      ids.push((await send({ contact_id: c.body.id, data: { order_id: `${secret}-c`, total: 9 } })).body.id);
      expect((await api.deps.pool.query(`select count(*)::int n from event_sends where id = any($1) and status = 'accepted'`, [ids])).rows[0].n).toBe(4);

      const bulk = await api.http('POST', '/v1/contacts/bulk-delete', { token, body: { ids: [c.body.id, '0195f3a0-0000-7000-8000-000000000000'] } });
      expect(bulk.status).toBe(200);
      expect(bulk.body).toEqual({ message: 'Contacts deleted', deleted: [c.body.id] });
      expect(await traces(api.deps.pool, [email, secret])).toEqual({});

      // now the workers run: the queued jobs complete without bringing anything back
      workers.push(await startTestApp({ databaseUrl: api.databaseUrl, worker: true }));
      await until(
        () => api.deps.pool.query(`select count(*)::int n from pgboss.job where name = 'sends.process' and state not in ('completed', 'failed', 'cancelled')`),
        (r) => r.rows[0].n === 0, 20_000, 'queued send jobs done',
      );
      expect(await traces(api.deps.pool, [email, secret])).toEqual({});
      const rows = (await api.deps.pool.query(`select status, failure_reason from event_sends where id = any($1)`, [ids])).rows;
      expect(rows).toEqual(Array(4).fill({ status: 'failed', failure_reason: 'contact erased' }));
      expect((await api.deps.pool.query(`select count(*)::int n from automation_runs where send_id = any($1)`, [ids])).rows[0].n).toBe(0);

      // the same address sends again after the erasure: a new contact (source "event")
      const again = await send({ email, data: { order_id: 'after-erasure', total: 1 } });
      expect(again.status).toBe(202);
      const fresh = await until(() => api.http('GET', `/v1/contacts?email=${email}`, { token }), (r) => r.body.data.length === 1, 20_000, 'new contact');
      expect(fresh.body.data[0].id).not.toBe(c.body.id);
      expect(fresh.body.data[0].source).toBe('event');
      // a send by the erased contact's id is refused
      expect((await send({ contact_id: c.body.id, data: { order_id: 'x', total: 1 } })).status).toBe(404);
    } finally {
      for (const w of workers) await w.close();
    }
  });

  it('bulk-delete validates its body: 1–1,000 UUIDs', async () => {
    const many = Array.from({ length: 1001 }, () => '0195f3a0-0000-7000-8000-000000000000');
    const tooMany = await t.http('POST', '/v1/contacts/bulk-delete', { token, body: { ids: many } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.message).toBe('ids must contain no more than 1000 elements');
    expect((await t.http('POST', '/v1/contacts/bulk-delete', { token, body: { ids: [] } })).status).toBe(422);
    expect((await t.http('POST', '/v1/contacts/bulk-delete', { token, body: { ids: ['nope'] } })).body.message).toBe('each value in ids must be a UUID');
    expect((await t.http('POST', '/v1/contacts/bulk-delete', { token, body: {} })).status).toBe(422);
    expect((await t.http('DELETE', '/v1/contacts/not-a-uuid', { token })).status).toBe(404);
    void orgId;
  });
});
