import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const seedBody = {
  name: 'order.completed',
  description: 'Fired when a customer completes checkout.',
  schema: {
    fields: [
      { name: 'order_id', type: 'string', required: true },
      { name: 'total', type: 'number', required: true },
      { name: 'is_gift', type: 'boolean', required: false },
    ],
  },
};

describe('POST /v1/events (seed 001)', () => {
  it('creates the seed example and returns its response shape', async () => {
    const r = await t.http('POST', '/v1/events', { token, body: seedBody });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body)).toEqual(['id', 'name', 'description', 'schema', 'conversion', 'version', 'created_at', 'updated_at']);
    expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.body.schema).toEqual(seedBody.schema);
    expect(r.body.conversion).toEqual({ enabled: false, value_field: null, currency_field: null, currencies: null });
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.updated_at).toBe(r.body.created_at);
    const got = await t.http('GET', `/v1/events/${r.body.id}`, { token });
    expect(got.body).toEqual(r.body);
  });

  it('409 on a duplicate name, with the seed message', async () => {
    const r = await t.http('POST', '/v1/events', { token, body: { name: 'order.completed' } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ status_code: 409, name: 'conflict', message: 'An event named "order.completed" already exists' });
  });

  it('422 with the seed wording for an empty name', async () => {
    const r = await t.http('POST', '/v1/events', { token, body: { name: '' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ status_code: 422, name: 'validation_error', message: 'name must be longer than or equal to 1 characters' });
  });

  it('lists every issue in one message, unknown properties included', async () => {
    const r = await t.http('POST', '/v1/events', { token, body: { name: 'x'.repeat(81), description: 'd'.repeat(2001), foo: 1 } });
    expect(r.status).toBe(422);
    expect(r.body.message.split(', ').sort()).toEqual(
      ['property foo should not exist', 'name must be shorter than or equal to 80 characters', 'description must be shorter than or equal to 2000 characters'].sort(),
    );
  });

  it('401 without a valid key, with the seed message', async () => {
    for (const auth of [undefined, 'Bearer nope', 'Basic abc', `Bearer be_${'a'.repeat(43)}`]) {
      const r = await t.http('POST', '/v1/events', { body: seedBody, headers: auth ? { authorization: auth } : {} });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ status_code: 401, name: 'unauthorized', message: 'Invalid or missing API key' });
    }
  });

  it('another organization sees 404 for the definition', async () => {
    const r = await t.http('GET', '/v1/events/order.completed', { token: other });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ status_code: 404, name: 'not_found', message: 'Event order.completed not found' });
  });

  it('two racing creates: one 201, one 409 (database constraint)', async () => {
    const [a, b] = await Promise.all([
      t.http('POST', '/v1/events', { token, body: { name: 'race.test' } }),
      t.http('POST', '/v1/events', { token, body: { name: 'race.test' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
  });
});
