import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
let other: string;

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const order = {
  name: 'order.completed',
  schema: {
    fields: [
      { name: 'order_id', type: 'string', required: true },
      { name: 'total', type: 'number', required: true },
      { name: 'is_gift', type: 'boolean', required: false },
      { name: 'shipped_on', type: 'date', required: false },
    ],
  },
};


const send = (body: unknown, headers: Record<string, string> = {}, tok = token) => t.http('POST', '/v1/events/send', { token: tok, body, headers });
const count = async (sql: string, values: unknown[] = []) => Number((await t.deps.pool.query(sql, values)).rows[0].n);

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  ({ token, orgId } = await t.createOrg('Acme'));
  other = (await t.createOrg('Other')).token;
  expect((await t.http('POST', '/v1/events', { token, body: order })).status).toBe(201);
});
afterAll(() => t?.close());

describe('POST /v1/events/send', () => {
  it('accepts a valid send: 202 {id, status}, stored with its job, then processed with the contact created', async () => {
    const r = await send({ event: 'order.completed', email: 'Jane@Example.com', data: { order_id: 'o-1', total: 129.99, is_gift: false, extra: { deep: [1] } }, timestamp: '2026-06-01T12:00:00.000Z' });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: expect.stringMatching(UUID7), status: 'accepted' });
    const row = (await t.deps.pool.query('select * from event_sends where id = $1', [r.body.id])).rows[0];
    // Stored accepted; an idle worker may already have processed it by the time we look (wake-ups).
    expect(['accepted', 'processed']).toContain(row.status);
    expect(row).toMatchObject({ event_name: 'order.completed', email: 'Jane@Example.com', organization_id: orgId });
    expect(row.data).toEqual({ order_id: 'o-1', total: 129.99, is_gift: false, extra: { deep: [1] } });
    expect(row.timestamp.toISOString()).toBe('2026-06-01T12:00:00.000Z');
    const processed = await until(
      () => t.deps.pool.query('select status, contact_id, processed_at from event_sends where id = $1', [r.body.id]).then((x) => x.rows[0]),
      (x) => x.status === 'processed',
    );
    expect(processed.processed_at).toBeInstanceOf(Date);
    const contact = (await t.deps.pool.query('select * from contacts where id = $1', [processed.contact_id])).rows[0];
    expect(contact).toMatchObject({ email: 'jane@example.com', organization_id: orgId });
  });

  it('rejects a schema mismatch with every failing field; the rejected send is recorded with its errors and no job', async () => {
    const r = await send({ event: 'order.completed', email: 'a@b.co', data: { total: '12', shipped_on: '2026-13-45' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      status_code: 422,
      name: 'schema_mismatch',
      message: 'data.total must be a number, data.shipped_on must be an ISO 8601 date or date-time, data.order_id is required',
      id: expect.stringMatching(UUID7),
      errors: [
        { field: 'total', message: 'must be a number' },
        { field: 'shipped_on', message: 'must be an ISO 8601 date or date-time' },
        { field: 'order_id', message: 'is required' },
      ],
    });
    const row = (await t.deps.pool.query('select status, errors from event_sends where id = $1', [r.body.id])).rows[0];
    expect(row.status).toBe('rejected');
    expect(row.errors).toEqual(r.body.errors);
    expect(await count(`select count(*) n from pgboss.job where name = 'sends.process' and data->'ids' ? $1::text`, [r.body.id])).toBe(0);
  });

  it('normalises dates and keeps undeclared keys', async () => {
    const r = await send({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1, shipped_on: '2026-06-01T12:00:00+03:00', free: 'kept' } });
    expect(r.status).toBe(202);
    const row = (await t.deps.pool.query('select data from event_sends where id = $1', [r.body.id])).rows[0];
    expect(row.data).toEqual({ order_id: 'x', total: 1, shipped_on: '2026-06-01T09:00:00.000Z', free: 'kept' });
  });

  it('both or neither of email / contact_id → 400', async () => {
    for (const body of [
      { event: 'order.completed', data: { order_id: 'x', total: 1 } },
      { event: 'order.completed', email: 'a@b.co', contact_id: '0195f3a0-0000-7000-8000-000000000000', data: { order_id: 'x', total: 1 } },
    ]) {
      const r = await send(body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status_code: 400, name: 'bad_request', message: 'Provide either email or contact_id.' });
    }
  });

  it('invalid email → 422; unknown contact_id, unknown or deleted event → 404; data required', async () => {
    let r = await send({ event: 'order.completed', email: 'not-an-email', data: {} });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ status_code: 422, name: 'validation_error', message: 'email must be an email' });
    r = await send({ event: 'order.completed', contact_id: '0195f3a0-0000-7000-8000-000000000000', data: {} });
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('Contact 0195f3a0-0000-7000-8000-000000000000 not found');
    r = await send({ event: 'order.nope', email: 'a@b.co', data: {} });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ status_code: 404, name: 'not_found', message: 'Event order.nope not found' });
    r = await send({ event: 'order.completed', email: 'a@b.co' });
    expect(r.status).toBe(422);
    expect(r.body.name).toBe('validation_error');
    expect(r.body.message).toContain('data must be an object');
    r = await send({ event: 'order.completed', email: 'a@b.co', data: [1] });
    expect(r.status).toBe(422);
    r = await send({ event: 'order.completed', email: 'a@b.co', data: {}, timestamp: '+275760-09-13T00:00:00.001Z' });
    expect(r.status).toBe(422);
    r = await send({ event: 'order.completed', email: 'a@b.co', data: {}, timestamp: 'yesterday', foo: 1 });
    expect(r.status).toBe(422);
    expect(r.body.message.split(', ').sort()).toEqual(['property foo should not exist', 'timestamp must be a valid ISO 8601 date string']);
    // another org cannot send to this org's event
    r = await send({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } }, {}, other);
    expect(r.status).toBe(404);
    // a deleted event 404s at once
    await t.http('POST', '/v1/events', { token, body: { name: 'temp.event' } });
    expect((await send({ event: 'temp.event', email: 'a@b.co', data: {} })).status).toBe(202);
    expect((await t.http('DELETE', '/v1/events/temp.event', { token })).status).toBe(200);
    r = await send({ event: 'temp.event', email: 'a@b.co', data: {} });
    expect(r.status).toBe(404);
    // its sends stay queryable
    const h = await t.http('GET', '/v1/events/temp.event/sends', { token });
    expect(h.status).toBe(200);
    expect(h.body.data).toHaveLength(1);
  });

  it('sends by contact_id to an existing contact', async () => {
    const c = await t.http('POST', '/v1/contacts', { token, body: { email: 'Known@Example.com', properties: { plan: 'pro' } } });
    expect(c.status).toBe(201);
    const r = await send({ event: 'order.completed', contact_id: c.body.id, data: { order_id: 'x', total: 2 } });
    expect(r.status).toBe(202);
    const row = await until(
      () => t.deps.pool.query('select status, contact_id from event_sends where id = $1', [r.body.id]).then((x) => x.rows[0]),
      (x) => x.status === 'processed',
    );
    expect(row.contact_id).toBe(c.body.id);
  });
});

describe('batch', () => {
  it('answers one result per item, in order, accepting the valid ones', async () => {
    const c = await t.http('POST', '/v1/contacts', { token, body: { email: 'batch@example.com' } });
    const events = [
      { event: 'order.completed', email: 'b1@example.com', data: { order_id: '1', total: 1 } },
      { event: 'order.completed', email: 'b2@example.com', data: { order_id: 2, total: 1 } },
      { event: 'nope', email: 'b3@example.com', data: {} },
      { event: 'order.completed', data: { order_id: '4', total: 4 } },
      { event: 'order.completed', email: 'x@y.co', contact_id: c.body.id, data: {} },
      { event: 'order.completed', contact_id: '0195f3a0-0000-7000-8000-000000000000', data: {} },
      { event: 'order.completed', email: 'bad', data: {} },
      { event: 'order.completed', contact_id: c.body.id, data: { order_id: '8', total: 8 } },
    ];
    const r = await send({ events });
    expect(r.status).toBe(202);
    const res = r.body.results;
    expect(res).toHaveLength(8);
    expect(res[0]).toEqual({ id: expect.stringMatching(UUID7), status: 'accepted' });
    expect(res[1]).toEqual({ error: { status_code: 422, code: 'schema_mismatch', message: 'data.order_id must be a string', id: expect.stringMatching(UUID7), errors: [{ field: 'order_id', message: 'must be a string' }] } });
    expect(res[2]).toEqual({ error: { status_code: 404, code: 'event_not_found', message: 'Event nope not found' } });
    expect(res[3]).toEqual({ error: { status_code: 400, code: 'contact_required', message: 'Provide either email or contact_id.' } });
    expect(res[4]).toEqual({ error: { status_code: 400, code: 'contact_ambiguous', message: 'Provide either email or contact_id.' } });
    expect(res[5].error).toMatchObject({ status_code: 404, code: 'contact_not_found' });
    expect(res[6]).toEqual({ error: { status_code: 422, code: 'validation_error', message: 'email must be an email' } });
    expect(res[7]).toEqual({ id: expect.stringMatching(UUID7), status: 'accepted' });
    const rows = (await t.deps.pool.query('select id, status from event_sends where id = any($1)', [[res[0].id, res[1].error.id, res[7].id]])).rows;
    expect(rows).toHaveLength(3);
  });

  it('batch envelope limits: 1..500 items, no other keys', async () => {
    let r = await send({ events: [] });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('events must contain at least 1 elements');
    r = await send({ events: Array.from({ length: 501 }, () => ({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } })) });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('events must contain no more than 500 elements');
    r = await send({ events: 'x', foo: 1 });
    expect(r.status).toBe(422);
    r = await send({ events: Array.from({ length: 500 }, (_, i) => ({ event: 'order.completed', email: `big${i}@b.co`, data: { order_id: String(i), total: i } })) });
    expect(r.status).toBe(202);
    expect(r.body.results.every((x: { status: string }) => x.status === 'accepted')).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  const body = { event: 'order.completed', email: 'idem@example.com', data: { order_id: 'i-1', total: 5 } };

  it('replays the first response and records nothing new; a different body is a 409', async () => {
    const h = { 'idempotency-key': 'key-1' };
    const a = await send(body, h);
    expect(a.status).toBe(202);
    expect(a.headers.get('idempotent-replayed')).toBeNull();
    const b = await send(body, h);
    expect(b.status).toBe(202);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(`select count(*) n from event_sends where idempotency_key = 'key-1'`)).toBe(1);
    const c = await send({ ...body, data: { order_id: 'i-2', total: 5 } }, h);
    expect(c.status).toBe(409);
    expect(c.body).toEqual({ status_code: 409, name: 'conflict', message: 'Idempotency-Key reused with a different payload' });
    // scoped to the organization: another org may use the same key
    await t.http('POST', '/v1/events', { token: other, body: { name: 'order.completed' } });
    expect((await send(body, h, other)).headers.get('idempotent-replayed')).toBeNull();
  });

  it('20 identical requests racing record one send and all get the same answer', async () => {
    const h = { 'idempotency-key': 'race-20' };
    const all = await Promise.all(Array.from({ length: 20 }, () => send(body, h)));
    const ids = new Set(all.map((r) => r.body.id));
    expect(all.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(ids.size).toBe(1);
    expect(all.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(await count(`select count(*) n from event_sends where idempotency_key = 'race-20'`)).toBe(1);
    expect(await count(`select count(*) n from pgboss.job where name = 'sends.process' and data->'ids' ? $1::text`, [[...ids][0]])).toBe(1);
  });

  it('covers a batch and replays a rejected (422) response too', async () => {
    const h = { 'idempotency-key': 'batch-key' };
    const batch = { events: [body, { ...body, data: {} }] };
    const a = await send(batch, h);
    const b = await send(batch, h);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(`select count(*) n from event_sends where idempotency_key = 'batch-key'`)).toBe(2);
    const r1 = await send({ ...body, data: {} }, { 'idempotency-key': 'rej' });
    const r2 = await send({ ...body, data: {} }, { 'idempotency-key': 'rej' });
    expect(r1.status).toBe(422);
    expect(r2.status).toBe(422);
    expect(r2.body).toEqual(r1.body);
    expect(await count(`select count(*) n from event_sends where idempotency_key = 'rej'`)).toBe(1);
  });

  it('racing on two API instances sharing the database: one send, every request answered alike', async () => {
    const second = await startTestApp({ databaseUrl: t.databaseUrl });
    try {
      const h = { 'idempotency-key': 'two-instances' };
      const all = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? second : t).http('POST', '/v1/events/send', { token, body, headers: h })),
      );
      expect(all.map((r) => r.status)).toEqual(Array(20).fill(202));
      expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
      expect(await count(`select count(*) n from event_sends where idempotency_key = 'two-instances'`)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('an expired key (older than 24 h) can be used again', async () => {
    await t.deps.pool.query(
      `insert into idempotency_keys (organization_id, key, request_hash, status_code, response, expires_at)
       values ($1, 'old-key', 'x', 202, '{"id":"old","status":"accepted"}', now() - interval '1 second')`,
      [orgId],
    );
    const r = await send(body, { 'idempotency-key': 'old-key' });
    expect(r.status).toBe(202);
    expect(r.body.id).not.toBe('old');
    expect(r.headers.get('idempotent-replayed')).toBeNull();
    expect((await send(body, { 'idempotency-key': 'old-key' })).body.id).toBe(r.body.id);
  });

  it('a key longer than 256 characters is refused', async () => {
    const r = await send(body, { 'idempotency-key': 'k'.repeat(257) });
    expect(r.status).toBe(422);
  });
});

describe('history', () => {
  it('lists sends newest first with status filter and keyset pages, rejected ones with their errors', async () => {
    await t.http('POST', '/v1/events', { token, body: { name: 'hist.event', schema: { fields: [{ name: 'n', type: 'number', required: true }] } } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send({ event: 'hist.event', email: 'h@example.com', data: { n: i % 2 ? 'bad' : i } })).body.id);
    const all = await t.http('GET', '/v1/events/hist.event/sends?limit=2', { token });
    expect(all.status).toBe(200);
    expect(all.body.object).toBe('list');
    expect(all.body.has_more).toBe(true);
    expect(all.body.data.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    expect(Object.keys(all.body.data[0])).toEqual(['id', 'event', 'status', 'errors', 'contact_id', 'email', 'data', 'timestamp', 'created_at', 'processed_at', 'failure_reason', 'schema_version', 'replayed_at']);
    const next = await t.http('GET', `/v1/events/hist.event/sends?limit=2&after=${ids[3]}`, { token });
    expect(next.body.data.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const prev = await t.http('GET', `/v1/events/hist.event/sends?limit=2&before=${ids[1]}`, { token });
    expect(prev.body.data.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[2]]);
    const eventId = (await t.http('GET', '/v1/events/hist.event', { token })).body.id;
    const byId = await t.http('GET', `/v1/events/${eventId}/sends?limit=1`, { token });
    expect(byId.body.data[0].id).toBe(ids[4]);
    const rejected = await t.http('GET', '/v1/events/hist.event/sends?status=rejected', { token });
    expect(rejected.body.data.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[1]]);
    expect(rejected.body.data[0].errors).toEqual([{ field: 'n', message: 'must be a number' }]);
    const processed = await until(
      () => t.http('GET', '/v1/events/hist.event/sends?status=processed', { token }),
      (r) => r.body.data.length === 3,
    );
    expect(processed.body.data[0].processed_at).toMatch(/Z$/);
    expect(processed.body.data[0].contact_id).toMatch(UUID7);
    const bad = await t.http('GET', '/v1/events/hist.event/sends?status=nope', { token });
    expect(bad.status).toBe(422);
    expect((await t.http('GET', '/v1/events/hist.event/sends', { token: other })).status).toBe(404);
  });
});

describe('event budget', () => {
  it('429s once an organization spent its events for the window (a batch spends one per item)', async () => {
    const b = await startTestApp({ config: { eventBudget: 3 }, databaseUrl: t.databaseUrl });
    try {
      const ok = await b.http('POST', '/v1/events/send', { token, body: { events: [1, 2].map(() => ({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } })) } });
      expect(ok.status).toBe(202);
      const r = await b.http('POST', '/v1/events/send', { token, body: { events: [1, 2].map(() => ({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } })) } });
      expect(r.status).toBe(429);
      expect(r.body.name).toBe('rate_limit_exceeded');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await b.close();
    }
  });
});
