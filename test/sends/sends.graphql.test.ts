import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateEventDoc } from '../graphql/events.documents.js';
import { SendEventDoc, SendEventsDoc, SendsDoc } from '../graphql/sends.documents.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;


beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
  const r = await t.gql(CreateEventDoc, {
    input: { name: 'order.completed', schema: { fields: [{ name: 'order_id', type: 'STRING', required: true }, { name: 'total', type: 'NUMBER', required: true }, { name: 'on', type: 'DATE' }] } },
  }, token);
  expect(r.errors).toBeUndefined();
});
afterAll(() => t?.close());

describe('sendEvent', () => {
  it('returns the recorded send for an accepted one; it turns PROCESSED with a contact', async () => {
    const r = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'jane@example.com', data: { order_id: 'o-1', total: 1.5, on: '2026-06-01T12:00:00+03:00' }, timestamp: '2026-06-01T12:00:00.000Z' } }, token);
    expect(r.errors).toBeUndefined();
    const s = r.data!.sendEvent;
    expect(s).toMatchObject({ event: 'order.completed', status: 'ACCEPTED', errors: [], email: 'jane@example.com', contactId: null, timestamp: '2026-06-01T12:00:00.000Z', processedAt: null });
    expect(s.data).toEqual({ order_id: 'o-1', total: 1.5, on: '2026-06-01T09:00:00.000Z' });
    const page = await until(() => t.gql(SendsDoc, { filter: { event: 'order.completed', status: 'PROCESSED' } }, token), (x) => (x.data?.sends.edges.length ?? 0) > 0);
    const node = page.data!.sends.edges[0].node;
    expect(node.id).toBe(s.id);
    expect(node.contactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(node.processedAt).toMatch(/Z$/);
  });

  it('raises SCHEMA_MISMATCH with the send id and field errors; the send is recorded REJECTED', async () => {
    const r = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'a@b.co', data: { total: '12' } } }, token);
    expect(r.data).toBeNull();
    const e = r.errors![0];
    expect(e.message).toBe('data.total must be a number, data.order_id is required');
    expect(e.extensions).toMatchObject({ code: 'SCHEMA_MISMATCH', status_code: 422, errors: [{ field: 'total', message: 'must be a number' }, { field: 'order_id', message: 'is required' }] });
    const rejected = await t.gql(SendsDoc, { filter: { status: 'REJECTED' } }, token);
    expect(rejected.data!.sends.edges.map((x) => x.node.id)).toContain(e.extensions.id);
    expect(rejected.data!.sends.edges[0].node.errors).toHaveLength(2);
  });

  it('reports request errors with the REST codes: BAD_REQUEST, NOT_FOUND', async () => {
    const both = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'a@b.co', contactId: '0195f3a0-0000-7000-8000-000000000000', data: {} } }, token);
    expect(both.errors![0]).toMatchObject({ message: 'Provide either email or contact_id.', extensions: { code: 'BAD_REQUEST', status_code: 400 } });
    const neither = await t.gql(SendEventDoc, { input: { event: 'order.completed', data: {} } }, token);
    expect(neither.errors![0].extensions.code).toBe('BAD_REQUEST');
    const noEvent = await t.gql(SendEventDoc, { input: { event: 'nope', email: 'a@b.co', data: {} } }, token);
    expect(noEvent.errors![0]).toMatchObject({ message: 'Event nope not found', extensions: { code: 'NOT_FOUND', status_code: 404 } });
    const noContact = await t.gql(SendEventDoc, { input: { event: 'order.completed', contactId: '0195f3a0-0000-7000-8000-000000000000', data: {} } }, token);
    expect(noContact.errors![0].extensions.code).toBe('NOT_FOUND');
    const otherOrg = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'a@b.co', data: { order_id: 'x', total: 1 } } }, other);
    expect(otherOrg.errors![0].extensions.code).toBe('NOT_FOUND');
    const badEmail = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'nope', data: {} } }, token);
    expect(badEmail.errors).toHaveLength(1);
  });
});

describe('sendEvents', () => {
  it('one result per input, in order; valid ones accepted when others fail', async () => {
    const r = await t.gql(SendEventsDoc, {
      inputs: [
        { event: 'order.completed', email: 'a@b.co', data: { order_id: '1', total: 1 } },
        { event: 'order.completed', email: 'a@b.co', data: { order_id: 1, total: 1 } },
        { event: 'missing', email: 'a@b.co', data: {} },
        { event: 'order.completed', data: {} },
        { event: 'order.completed', email: 'a@b.co', data: { order_id: '5', total: 5 } },
      ],
    }, token);
    expect(r.errors).toBeUndefined();
    const res = r.data!.sendEvents;
    expect(res.map((x) => x.status ?? x.error!.code)).toEqual(['ACCEPTED', 'REJECTED', 'event_not_found', 'contact_required', 'ACCEPTED']);
    expect(res[1]).toMatchObject({ id: expect.any(String), errors: [{ field: 'order_id', message: 'must be a string' }], error: { statusCode: 422, code: 'schema_mismatch' } });
    expect(res[2].error).toEqual({ statusCode: 404, code: 'event_not_found', message: 'Event missing not found' });
  });
});

describe('sends query', () => {
  it('pages with first/after, newest first', async () => {
    const p1 = await t.gql(SendsDoc, { filter: { event: 'order.completed' }, first: 2 }, token);
    expect(p1.data!.sends.pageInfo.hasNextPage).toBe(true);
    const p2 = await t.gql(SendsDoc, { filter: { event: 'order.completed' }, first: 2, after: p1.data!.sends.pageInfo.endCursor }, token);
    const ids = [...p1.data!.sends.edges, ...p2.data!.sends.edges].map((e) => e.node.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    const none = await t.gql(SendsDoc, { filter: { event: 'order.completed' } }, other);
    expect(none.errors![0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('Idempotency-Key over GraphQL', () => {
  const gqlKeyed = (doc: Parameters<typeof print>[0], variables: unknown, key: string) =>
    t.http('POST', '/graphql', { token, body: { query: print(doc), variables }, headers: { 'idempotency-key': key } }).then((r) => r.body);
  const input = { event: 'order.completed', email: 'k@example.com', data: { order_id: 'k-1', total: 3 } };

  it('sendEvent: racing duplicates record one send and return it; another input is CONFLICT', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => gqlKeyed(SendEventDoc, { input }, 'gql-key')));
    const ids = new Set(all.map((r) => r.data?.sendEvent.id));
    expect(ids.size).toBe(1);
    expect(all[0].data.sendEvent).toMatchObject({ status: 'ACCEPTED', event: 'order.completed', email: 'k@example.com' });
    const n = await t.deps.pool.query(`select count(*)::int n from event_sends where idempotency_key = 'gql-key'`);
    expect(n.rows[0].n).toBe(1);
    const other = await gqlKeyed(SendEventDoc, { input: { ...input, data: { order_id: 'k-2', total: 3 } } }, 'gql-key');
    expect(other.errors[0]).toMatchObject({ message: 'Idempotency-Key reused with a different payload', extensions: { code: 'CONFLICT', status_code: 409 } });
    const rejected1 = await gqlKeyed(SendEventDoc, { input: { ...input, data: {} } }, 'gql-rej');
    const rejected2 = await gqlKeyed(SendEventDoc, { input: { ...input, data: {} } }, 'gql-rej');
    expect(rejected2.errors[0].extensions).toEqual(rejected1.errors[0].extensions);
    expect(rejected1.errors[0].extensions.code).toBe('SCHEMA_MISMATCH');
  });

  it('sendEvents: the replay is the first result list', async () => {
    const inputs = [input, { ...input, data: {} }, { ...input, event: 'nope' }];
    const a = await gqlKeyed(SendEventsDoc, { inputs }, 'gql-batch');
    const b = await gqlKeyed(SendEventsDoc, { inputs }, 'gql-batch');
    expect(b.data).toEqual(a.data);
    expect(a.data.sendEvents.map((x: { status: string | null }) => x.status)).toEqual(['ACCEPTED', 'REJECTED', null]);
  });
});
