/**
 * Event definitions over GraphQL (spec §7) with the codegen-typed documents, and every error
 * through this transport: `extensions.code` is the upper-case name and `extensions.status_code`
 * the REST status, from the same AppError the REST shim turns into `{status_code, name, message}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateEventInput } from '../gql/graphql.js';
import { CreateEventDoc, DeleteEventDoc, EventDoc, EventsDoc, UpdateEventDoc } from '../graphql/events.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
});
afterAll(() => t?.close());

const seedInput: CreateEventInput = {
  name: 'order.completed',
  description: 'Fired when a customer completes checkout.',
  schema: {
    fields: [
      { name: 'order_id', type: 'STRING', required: true },
      { name: 'total', type: 'NUMBER', required: true },
      { name: 'is_gift', type: 'BOOLEAN', required: false },
    ],
  },
};

const createEvent = (input: CreateEventInput, tok = token) => t.gql(CreateEventDoc, { input }, tok);

function expectError(r: { data?: unknown; errors?: { message: string; extensions: Record<string, any> }[] }, code: string, status: number, message?: string) {
  expect(r.errors, JSON.stringify(r)).toHaveLength(1);
  expect(r.errors![0].extensions.code).toBe(code);
  expect(r.errors![0].extensions.status_code).toBe(status);
  expect(r.errors![0].extensions.stacktrace).toBeUndefined();
  if (message !== undefined) expect(r.errors![0].message).toBe(message);
}

describe('createEvent / event', () => {
  it('creates the seed example; the same definition reads back over both transports', async () => {
    const r = await createEvent(seedInput);
    expect(r.errors).toBeUndefined();
    const e = r.data!.createEvent;
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e).toMatchObject({ name: 'order.completed', description: 'Fired when a customer completes checkout.', schema: seedInput.schema });
    expect(e.conversion).toEqual({ enabled: false, valueField: null, currencyField: null, currencies: null });
    expect(e.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e.updatedAt).toBe(e.createdAt);

    expect((await t.gql(EventDoc, { id: e.id }, token)).data!.event).toEqual(e);
    expect((await t.gql(EventDoc, { name: 'order.completed' }, token)).data!.event).toEqual(e);
    const rest = await t.http('GET', `/v1/events/${e.id}`, { token });
    expect(rest.body).toEqual({
      id: e.id, name: e.name, description: e.description,
      schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }, { name: 'is_gift', type: 'boolean', required: false }] },
      conversion: { enabled: false, value_field: null, currency_field: null, currencies: null },
      version: 1, created_at: e.createdAt, updated_at: e.updatedAt,
    });
  });

  it('required defaults to false; description defaults to null', async () => {
    const r = await createEvent({ name: 'defaults', schema: { fields: [{ name: 'a', type: 'DATE' }, { name: 'b', type: 'STRING', required: null }] } });
    expect(r.errors).toBeUndefined();
    expect(r.data!.createEvent.schema.fields).toEqual([{ name: 'a', type: 'DATE', required: false }, { name: 'b', type: 'STRING', required: false }]);
    expect(r.data!.createEvent.description).toBeNull();
  });

  it('CONFLICT 409 for a duplicate name, with the seed message', async () => {
    expectError(await createEvent({ name: 'order.completed' }), 'CONFLICT', 409, 'An event named "order.completed" already exists');
  });

  it('VALIDATION_ERROR 422 with the seed wording, every issue in one message', async () => {
    expectError(await createEvent({ name: '' }), 'VALIDATION_ERROR', 422, 'name must be longer than or equal to 1 characters');
    const r = await createEvent({
      name: 'x'.repeat(81),
      description: 'd'.repeat(2001),
      schema: { fields: [{ name: '1bad', type: 'STRING' }, { name: 'y'.repeat(65), type: 'NUMBER' }] },
    });
    expectError(r, 'VALIDATION_ERROR', 422);
    expect(r.errors![0].message.split(', ')).toEqual([
      'name must be shorter than or equal to 80 characters',
      'description must be shorter than or equal to 2000 characters',
      'schema.fields.0.name must match /^[A-Za-z_][A-Za-z0-9_]*$/ regular expression',
      'schema.fields.1.name must be shorter than or equal to 64 characters',
    ]);
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, type: 'STRING' as const }));
    expectError(await createEvent({ name: 'many', schema: { fields: many } }), 'VALIDATION_ERROR', 422, 'schema.fields must contain no more than 100 elements');
    const dupes = await createEvent({ name: 'dupes', schema: { fields: [{ name: 'a', type: 'STRING' }, { name: 'a', type: 'NUMBER' }] } });
    expectError(dupes, 'VALIDATION_ERROR', 422);
    expect(dupes.errors![0].message).toMatch(/unique/);
  });

  it('conversion errors keep their names as codes (400)', async () => {
    const schema = { fields: [{ name: 'total', type: 'NUMBER' as const }, { name: 'currency', type: 'STRING' as const }] };
    expectError(await createEvent({ name: 'c1', schema, conversion: { enabled: true, valueField: 'currency' } }), 'CONVERSION_VALUE_FIELD_INVALID', 400);
    expectError(await createEvent({ name: 'c2', schema, conversion: { enabled: true, valueField: 'total', currencies: ['SAR', 'USD'] } }), 'CONVERSION_CURRENCY_FIELD_REQUIRED', 400);
    expectError(await createEvent({ name: 'c3', schema, conversion: { enabled: true, valueField: 'total', currencies: ['NOPE'] } }), 'CONVERSION_CURRENCY_UNSUPPORTED', 400);
    expectError(await createEvent({ name: 'c4', schema, conversion: { enabled: true, valueField: 'total', currencyField: 'total' } }), 'CONVERSION_CURRENCY_FIELD_INVALID', 400);
    expectError(await createEvent({ name: 'c5', schema, conversion: { enabled: true, valueField: null, currencies: ['SAR'] } }), 'CONVERSION_CURRENCY_WITHOUT_VALUE', 400);
    expectError(await createEvent({ name: 'c6', schema, conversion: { enabled: true } }), 'VALIDATION_ERROR', 422, 'conversion.valueField must be a string');
    const ok = await createEvent({ name: 'c7', schema, conversion: { enabled: true, valueField: 'total', currencyField: 'currency', currencies: ['SAR', 'EUR'] } });
    expect(ok.data!.createEvent.conversion).toEqual({ enabled: true, valueField: 'total', currencyField: 'currency', currencies: ['SAR', 'EUR'] });
  });

  it('NOT_FOUND 404 names what was missing; another organization sees nothing', async () => {
    const missing = '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a';
    expectError(await t.gql(EventDoc, { id: missing }, token), 'NOT_FOUND', 404, `Event ${missing} not found`);
    expectError(await t.gql(EventDoc, { name: 'nope' }, token), 'NOT_FOUND', 404, 'Event nope not found');
    const mine = (await t.gql(EventDoc, { name: 'order.completed' }, token)).data!.event;
    expectError(await t.gql(EventDoc, { id: mine.id }, other), 'NOT_FOUND', 404, `Event ${mine.id} not found`);
    expect((await t.gql(EventsDoc, {}, other)).data!.events.edges).toEqual([]);
  });

  it('BAD_REQUEST 400 for event() with neither or both of id and name', async () => {
    expectError(await t.gql(EventDoc, {}, token), 'BAD_REQUEST', 400);
    expectError(await t.gql(EventDoc, { id: '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a', name: 'x' }, token), 'BAD_REQUEST', 400);
  });
});

describe('events (Relay connection)', () => {
  let tok: string;
  const ids: string[] = []; // oldest first

  beforeAll(async () => {
    tok = (await t.createOrg('Relay')).token;
    for (const name of ['a.one', 'b.two', 'A.three', 'c.four', 'b.five']) ids.push((await createEvent({ name }, tok)).data!.createEvent.id);
  });
  const list = async (v: Parameters<typeof t.gql<unknown, Record<string, unknown>>>[1]) => {
    const r = await t.gql(EventsDoc, v, tok);
    expect(r.errors).toBeUndefined();
    return r.data!.events;
  };
  const nodeIds = (c: { edges: { node: { id: string } }[] }) => c.edges.map((e) => e.node.id);

  it('newest first, cursors are ids, pageInfo is right in both directions', async () => {
    const newest = [...ids].reverse();
    const all = await list({});
    expect(nodeIds(all)).toEqual(newest);
    expect(all.edges.map((e) => e.cursor)).toEqual(newest);
    expect(all.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: newest[0], endCursor: newest[4] });

    const p1 = await list({ first: 2 });
    expect(nodeIds(p1)).toEqual(newest.slice(0, 2));
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = await list({ first: 2, after: p1.pageInfo.endCursor });
    expect(nodeIds(p2)).toEqual(newest.slice(2, 4));
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await list({ first: 2, after: p2.pageInfo.endCursor });
    expect(nodeIds(p3)).toEqual(newest.slice(4));
    expect(p3.pageInfo.hasNextPage).toBe(false);

    const back = await list({ last: 2, before: p3.pageInfo.startCursor });
    expect(nodeIds(back)).toEqual(newest.slice(2, 4));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const first = await list({ last: 5, before: newest[2] });
    expect(nodeIds(first)).toEqual(newest.slice(0, 2));
    expect(first.pageInfo.hasPreviousPage).toBe(false);
  });

  it('last without a cursor is the end (oldest) of the list', async () => {
    const newest = [...ids].reverse();
    const r = await list({ last: 2 });
    expect(nodeIds(r)).toEqual(newest.slice(3));
    expect(r.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('search is a case-insensitive contains on the name', async () => {
    expect((await list({ search: 'B.' })).edges.map((e) => e.node.name)).toEqual(['b.five', 'b.two']);
    expect((await list({ search: 'a.', first: 1 })).edges.map((e) => e.node.name)).toEqual(['A.three']);
  });

  it('after with before is BAD_REQUEST; first/last outside 1–100 is VALIDATION_ERROR', async () => {
    expectError(await t.gql(EventsDoc, { after: ids[0], before: ids[1] }, tok), 'BAD_REQUEST', 400);
    expectError(await t.gql(EventsDoc, { first: 0 }, tok), 'VALIDATION_ERROR', 422, 'first must not be less than 1');
    expectError(await t.gql(EventsDoc, { last: 101 }, tok), 'VALIDATION_ERROR', 422, 'last must not be greater than 100');
    // Cursors are ids: anything else is refused up front (it reached PostgreSQL as an invalid uuid: a 500).
    expectError(await t.gql(EventsDoc, { before: 'string' }, tok), 'VALIDATION_ERROR', 422, 'before must be a UUID');
    expectError(await t.gql(EventsDoc, { after: ' ', first: 0 }, tok), 'VALIDATION_ERROR', 422, 'first must not be less than 1, after must be a UUID');
  });
});

describe('updateEvent / deleteEvent', () => {
  it('updates description and replaces the field list; conversion follows the spec', async () => {
    const c = (await createEvent({ name: 'upd', description: 'old', schema: { fields: [{ name: 'total', type: 'NUMBER' }, { name: 'x', type: 'STRING' }] } })).data!.createEvent;
    const u = await t.gql(UpdateEventDoc, { id: c.id, input: { description: 'new', schema: { fields: [{ name: 'total', type: 'NUMBER', required: true }] } } }, token);
    expect(u.errors).toBeUndefined();
    expect(u.data!.updateEvent).toMatchObject({ id: c.id, name: 'upd', description: 'new', schema: { fields: [{ name: 'total', type: 'NUMBER', required: true }] } });
    expect(u.data!.updateEvent.createdAt).toBe(c.createdAt);

    const conv = await t.gql(UpdateEventDoc, { id: 'upd', input: { conversion: { enabled: true, valueField: 'total' } } }, token);
    expect(conv.data!.updateEvent.conversion).toEqual({ enabled: true, valueField: 'total', currencyField: null, currencies: null });
    expect(conv.data!.updateEvent.description).toBe('new');
    expectError(await t.gql(UpdateEventDoc, { id: c.id, input: { schema: { fields: [] } } }, token), 'CONVERSION_VALUE_FIELD_INVALID', 400);
    const cleared = await t.gql(UpdateEventDoc, { id: c.id, input: { conversion: { enabled: false } } }, token);
    expect(cleared.data!.updateEvent.conversion.enabled).toBe(false);
    expectError(await t.gql(UpdateEventDoc, { id: c.id, input: { description: 'd'.repeat(2001) } }, token), 'VALIDATION_ERROR', 422, 'description must be shorter than or equal to 2000 characters');
    expectError(await t.gql(UpdateEventDoc, { id: c.id, input: {} }, other), 'NOT_FOUND', 404, `Event ${c.id} not found`);
  });

  it('name is not an UpdateEventInput field (the operation is refused)', async () => {
    const r = await t.http('POST', '/graphql', {
      token,
      body: { query: 'mutation($id: ID!) { updateEvent(id: $id, input: { name: "renamed" }) { id } }', variables: { id: 'upd' } },
    });
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', status_code: 400 });
  });

  it('deleteEvent is a soft delete; the name can be defined again', async () => {
    const c = (await createEvent({ name: 'del' })).data!.createEvent;
    const d = await t.gql(DeleteEventDoc, { id: c.id }, token);
    expect(d.data!.deleteEvent).toEqual({ object: 'event', id: c.id, deleted: true });
    expectError(await t.gql(EventDoc, { id: c.id }, token), 'NOT_FOUND', 404);
    expectError(await t.gql(DeleteEventDoc, { id: c.id }, token), 'NOT_FOUND', 404, `Event ${c.id} not found`);
    const again = await createEvent({ name: 'del' });
    expect(again.data!.createEvent.id).not.toBe(c.id);
  });
});

describe('transport-level errors on /graphql', () => {
  it('UNAUTHENTICATED 401 without a valid key, as a GraphQL error', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer nope' }, { authorization: `Bearer be_${'x'.repeat(43)}` }]) {
      const r = await t.http('POST', '/graphql', { headers, body: { query: '{ events { edges { cursor } } }' } });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errors: [{ message: 'Invalid or missing API key', extensions: { code: 'UNAUTHENTICATED', status_code: 401 } }] });
    }
  });

  it('syntax errors, unknown fields and bad variables carry status_code 400', async () => {
    const bad = async (body: unknown) => (await t.http('POST', '/graphql', { token, body })).body.errors[0].extensions;
    expect(await bad({ query: '{ events { ' })).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', status_code: 400 });
    expect(await bad({ query: '{ nope }' })).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', status_code: 400 });
    expect(await bad({ query: 'mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }', variables: { i: { name: 'x', schema: { fields: [{ name: 'a', type: 'TEXT' }] } } } })).toMatchObject({
      code: 'BAD_USER_INPUT', status_code: 400,
    });
  });

  it('a non-JSON body is a BAD_REQUEST GraphQL error', async () => {
    const r = await t.http('POST', '/graphql', { token, raw: '{not json', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
  });

  it('a body over 256 KiB is PAYLOAD_TOO_LARGE 413', async () => {
    const big = JSON.stringify({ query: `{ events { edges { cursor } } } # ${'x'.repeat(256 * 1024)}` });
    const r = await t.http('POST', '/graphql', { token, raw: big, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', status_code: 413 });
  });

  it('GET queries work with the preflight header', async () => {
    const r = await t.http('GET', `/graphql?query=${encodeURIComponent('{ events(first: 1) { pageInfo { hasNextPage } } }')}`, {
      token, headers: { 'apollo-require-preflight': 'true' },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.events.pageInfo).toBeDefined();
  });
});
