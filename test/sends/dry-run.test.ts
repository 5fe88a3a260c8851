/** Validate-only sends: the real send's checks and answers, and nothing recorded, enqueued, counted or created. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateEventDoc, ValidateEventQueryDoc } from '../graphql/features.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;

const order = {
  name: 'order.completed',
  schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }] },
};
const n = async (sql: string) => Number((await t.deps.pool.query(sql)).rows[0].n);
/** Everything a send could leave behind. */
const traces = async () => ({
  sends: await n('select count(*) n from event_sends'),
  jobs: await n(`select count(*) n from pgboss.job where name = 'sends.process'`),
  keys: await n('select count(*) n from idempotency_keys'),
  contacts: await n('select count(*) n from contacts'),
});
const dry = (body: unknown, headers: Record<string, string> = {}, tok = token) => t.http('POST', '/v1/events/send?dry_run=true', { token: tok, body, headers });

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
  expect((await t.http('POST', '/v1/events', { token, body: order })).status).toBe(201);
});
afterAll(() => t?.close());

describe('POST /v1/events/send?dry_run=true', () => {
  it('answers 200 {"status":"valid"} for a valid send and leaves no row, job, key or contact', async () => {
    const r = await dry({ event: 'order.completed', email: 'new@example.com', data: { order_id: 'o-1', total: 3 } }, { 'idempotency-key': 'k-dry-1' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'valid' });
    // the key was not used: a real send with it goes through as new
    expect(await traces()).toEqual({ sends: 0, jobs: 0, keys: 0, contacts: 0 });
  });

  it('answers the real 422 schema_mismatch body without id', async () => {
    const r = await dry({ event: 'order.completed', email: 'a@b.co', data: { total: '12' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      status_code: 422,
      name: 'schema_mismatch',
      message: 'data.total must be a number, data.order_id is required',
      errors: [{ field: 'total', message: 'must be a number' }, { field: 'order_id', message: 'is required' }],
    });
    expect(await traces()).toEqual({ sends: 0, jobs: 0, keys: 0, contacts: 0 });
  });

  it('runs auth, lookup and request checks like a real send', async () => {
    expect((await t.http('POST', '/v1/events/send?dry_run=true', { body: { event: 'order.completed', email: 'a@b.co', data: {} } })).status).toBe(401);
    const missing = await dry({ event: 'nope', email: 'a@b.co', data: {} });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Event nope not found');
    expect((await dry({ event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } }, {}, other)).status).toBe(404);
    expect((await dry({ event: 'order.completed', data: {} })).status).toBe(400);
    expect((await dry({ event: 'order.completed', contact_id: '0195f3a0-0000-7000-8000-000000000000', data: {} })).status).toBe(404);
    const bad = await dry({ event: 'order.completed', email: 'nope', data: {} });
    expect(bad.status).toBe(422);
    expect(bad.body.name).toBe('validation_error');
    expect((await t.http('POST', '/v1/events/send?dry_run=maybe', { token, body: { event: 'order.completed', email: 'a@b.co', data: {} } })).status).toBe(422);
    expect(await traces()).toEqual({ sends: 0, jobs: 0, keys: 0, contacts: 0 });
  });

  it('a batch answers 200 {"results":[…]} with valid or the item error', async () => {
    const r = await dry({
      events: [
        { event: 'order.completed', email: 'a@b.co', data: { order_id: 'o', total: 1 } },
        { event: 'order.completed', email: 'a@b.co', data: { order_id: 'o' } },
        { event: 'nope', email: 'a@b.co', data: {} },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      results: [
        { status: 'valid' },
        { error: { status_code: 422, code: 'schema_mismatch', message: 'data.total is required', errors: [{ field: 'total', message: 'is required' }] } },
        { error: { status_code: 404, code: 'event_not_found', message: 'Event nope not found' } },
      ],
    });
    expect(await traces()).toEqual({ sends: 0, jobs: 0, keys: 0, contacts: 0 });
  });

});

describe('GraphQL validateEvent', () => {
  it('valid, invalid with field errors, request errors raised; nothing recorded', async () => {
    const ok = await t.gql(ValidateEventDoc, { input: { event: 'order.completed', email: 'x@y.co', data: { order_id: 'o', total: 1 } } }, token);
    expect(ok.data!.validateEvent).toEqual({ valid: true, errors: [] });
    const bad = await t.gql(ValidateEventQueryDoc, { input: { event: 'order.completed', email: 'x@y.co', data: { total: 'x' } } }, token);
    expect(bad.data!.validateEvent).toEqual({ valid: false, errors: [{ field: 'total', message: 'must be a number' }, { field: 'order_id', message: 'is required' }] });
    const missing = await t.gql(ValidateEventDoc, { input: { event: 'nope', email: 'x@y.co', data: {} } }, token);
    expect(missing.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', status_code: 404 });
    expect(await traces()).toEqual({ sends: 0, jobs: 0, keys: 0, contacts: 0 });
  });
});

describe('dry_run=false', () => {
  it('dry_run=false is a real send', async () => {
    const r = await t.http('POST', '/v1/events/send?dry_run=false', { token, body: { event: 'order.completed', email: 'a@b.co', data: { order_id: 'o', total: 1 } } });
    expect(r.status).toBe(202);
    expect(await n('select count(*) n from event_sends')).toBe(1);
  });
});
