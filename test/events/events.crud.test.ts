/**
 * Event definitions over REST beyond creation (spec §3, seed 001): list pages, get by id or name,
 * PATCH, soft DELETE, and every field rule with class-validator's exact wording.
 */
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

const create = (body: unknown, tok = token) => t.http('POST', '/v1/events', { token: tok, body });
const field = (name: string, type = 'string', required?: boolean) => (required === undefined ? { name, type } : { name, type, required });
const err422 = (message: string) => ({ status_code: 422, name: 'validation_error', message });

describe('GET /v1/events (lists)', () => {
  const ids: string[] = []; // creation order: ids[0] oldest
  let lt: string; // an organization of its own, so other tests' definitions don't show up

  beforeAll(async () => {
    lt = (await t.createOrg('Lists')).token;
    for (const name of ['order.completed', 'order.refunded', 'trial.started', 'Trial.Ended', 'user_signed_up', 'ORDER.shipped', 'pct%name', 'under_score']) {
      const r = await create({ name }, lt);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
  });
  const newestFirst = () => [...ids].reverse();

  it('is {"object":"list","has_more","data"} newest first, default limit 20', async () => {
    const r = await t.http('GET', '/v1/events', { token: lt });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['object', 'has_more', 'data']);
    expect(r.body.object).toBe('list');
    expect(r.body.has_more).toBe(false);
    expect(r.body.data.map((d: { id: string }) => d.id)).toEqual(newestFirst());
    expect(Object.keys(r.body.data[0])).toEqual(['id', 'name', 'description', 'schema', 'conversion', 'version', 'created_at', 'updated_at']);
  });

  it('pages forward with limit (as text) and after, exclusive, until has_more is false', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await t.http('GET', `/v1/events?limit=3${after ? `&after=${after}` : ''}`, { token: lt });
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.data.map((d: { id: string }) => d.id));
      if (!r.body.has_more) break;
      after = r.body.data.at(-1).id;
    }
    expect(seen).toEqual(newestFirst());
  });

  it('before pages backwards (newer items), exclusive, still newest first', async () => {
    const all = newestFirst();
    const r = await t.http('GET', `/v1/events?limit=2&before=${all[4]}`, { token: lt });
    expect(r.status).toBe(200);
    expect(r.body.data.map((d: { id: string }) => d.id)).toEqual([all[2], all[3]]);
    expect(r.body.has_more).toBe(true);
    const first = await t.http('GET', `/v1/events?limit=5&before=${all[2]}`, { token: lt });
    expect(first.body.data.map((d: { id: string }) => d.id)).toEqual([all[0], all[1]]);
    expect(first.body.has_more).toBe(false);
  });

  it('limit bounds are 1–100; 100 is accepted', async () => {
    expect((await t.http('GET', '/v1/events?limit=1', { token: lt })).body).toMatchObject({ has_more: true, data: [{ id: newestFirst()[0] }] });
    expect((await t.http('GET', '/v1/events?limit=100', { token: lt })).status).toBe(200);
    for (const [q, msg] of [
      ['limit=0', 'limit must not be less than 1'],
      ['limit=101', 'limit must not be greater than 100'],
      ['limit=abc', 'limit must be an integer number'],
      ['limit=1.5', 'limit must be an integer number'],
    ]) {
      const r = await t.http('GET', `/v1/events?${q}`, { token: lt });
      expect(r.status, q).toBe(422);
      expect(r.body).toEqual(err422(msg));
    }
  });

  it('after together with before is a 400 bad_request', async () => {
    const [a, b] = newestFirst();
    const r = await t.http('GET', `/v1/events?after=${a}&before=${b}`, { token: lt });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status_code: 400, name: 'bad_request' });
    expect(typeof r.body.message).toBe('string');
  });

  it('a cursor that is not an id is a 422, an unknown query parameter too', async () => {
    expect((await t.http('GET', '/v1/events?after=nope', { token: lt })).body).toEqual(err422('after must be a UUID'));
    expect((await t.http('GET', '/v1/events?foo=1', { token: lt })).body).toEqual(err422('property foo should not exist'));
  });

  it('search is a case-insensitive contains on the name, wildcards taken literally', async () => {
    const names = async (q: string) => (await t.http('GET', `/v1/events?search=${encodeURIComponent(q)}`, { token: lt })).body.data.map((d: { name: string }) => d.name);
    expect(await names('order')).toEqual(['ORDER.shipped', 'order.refunded', 'order.completed']);
    expect(await names('TRIAL')).toEqual(['Trial.Ended', 'trial.started']);
    expect(await names('ed.')).toEqual([]);
    expect(await names('%')).toEqual(['pct%name']);
    expect(await names('_')).toEqual(['under_score', 'user_signed_up']);
    const paged = await t.http('GET', '/v1/events?search=order&limit=2', { token: lt });
    expect(paged.body.has_more).toBe(true);
    const rest = await t.http('GET', `/v1/events?search=order&limit=2&after=${paged.body.data[1].id}`, { token: lt });
    expect(rest.body.data.map((d: { name: string }) => d.name)).toEqual(['order.completed']);
    expect(rest.body.has_more).toBe(false);
  });

  it('never shows another organization\'s definitions', async () => {
    const r = await t.http('GET', '/v1/events', { token: other });
    expect(r.body.data.every((d: { id: string }) => !ids.includes(d.id))).toBe(true);
  });
});

describe('GET /v1/events/{id}', () => {
  it('by id and by URL-encoded name; 404 names what was missing', async () => {
    const c = await create({ name: 'get me/please', description: 'x' });
    expect(c.status).toBe(201);
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).body).toEqual(c.body);
    expect((await t.http('GET', `/v1/events/${encodeURIComponent('get me/please')}`, { token })).body).toEqual(c.body);
    const missing = '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a';
    expect(await t.http('GET', `/v1/events/${missing}`, { token })).toMatchObject({
      status: 404,
      body: { status_code: 404, name: 'not_found', message: `Event ${missing} not found` },
    });
    // Another organization's id behaves exactly like one that does not exist.
    expect(await t.http('GET', `/v1/events/${c.body.id}`, { token: other })).toMatchObject({
      status: 404,
      body: { status_code: 404, name: 'not_found', message: `Event ${c.body.id} not found` },
    });
  });

  it('description is null when absent', async () => {
    const c = await create({ name: 'no.description' });
    expect(c.body.description).toBeNull();
    expect(c.body.schema).toEqual({ fields: [] });
  });
});

describe('PATCH /v1/events/{id}', () => {
  it('updates the description and replaces the whole field list', async () => {
    const c = await create({ name: 'patch.me', description: 'old', schema: { fields: [field('a', 'string', true), field('b', 'number')] } });
    await new Promise((r) => setTimeout(r, 5));
    const r = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { description: 'new', schema: { fields: [field('c', 'boolean')] } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: c.body.id, name: 'patch.me', description: 'new', schema: { fields: [{ name: 'c', type: 'boolean', required: false }] } });
    expect(r.body.created_at).toBe(c.body.created_at);
    expect(Date.parse(r.body.updated_at)).toBeGreaterThan(Date.parse(c.body.updated_at));
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).body).toEqual(r.body);

    // Omitted keys stay; description can be cleared with null; by name works too.
    const d = await t.http('PATCH', '/v1/events/patch.me', { token, body: { description: null } });
    expect(d.status).toBe(200);
    expect(d.body.description).toBeNull();
    expect(d.body.schema).toEqual(r.body.schema);
    const empty = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.schema).toEqual(r.body.schema);
  });

  it('name is not accepted: 422 property name should not exist', async () => {
    const c = await create({ name: 'immutable.name' });
    const r = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { name: 'renamed' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(err422('property name should not exist'));
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).body.name).toBe('immutable.name');
  });

  it('applies the same field rules as create, and 404s for unknown or foreign ids', async () => {
    const c = await create({ name: 'patch.rules' });
    const r = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { description: 'd'.repeat(2001), schema: { fields: [field('1bad')] } } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('description must be shorter than or equal to 2000 characters, schema.fields.0.name must match /^[A-Za-z_][A-Za-z0-9_]*$/ regular expression');
    const missing = '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a';
    expect((await t.http('PATCH', `/v1/events/${missing}`, { token, body: {} })).body).toEqual({ status_code: 404, name: 'not_found', message: `Event ${missing} not found` });
    expect((await t.http('PATCH', `/v1/events/${c.body.id}`, { token: other, body: { description: 'x' } })).status).toBe(404);
  });
});

describe('DELETE /v1/events/{id}', () => {
  it('is a soft delete: 200 {object,id,deleted}, then 404, and the name can be defined again', async () => {
    const c = await create({ name: 'delete.me' });
    const r = await t.http('DELETE', `/v1/events/${c.body.id}`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ object: 'event', id: c.body.id, deleted: true });
    expect(Object.keys(r.body)).toEqual(['object', 'id', 'deleted']);
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).status).toBe(404);
    expect((await t.http('GET', '/v1/events/delete.me', { token })).status).toBe(404);
    expect((await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: {} })).status).toBe(404);
    expect((await t.http('DELETE', `/v1/events/${c.body.id}`, { token })).body).toEqual({
      status_code: 404, name: 'not_found', message: `Event ${c.body.id} not found`,
    });
    const list = await t.http('GET', '/v1/events?search=delete.me', { token });
    expect(list.body.data).toEqual([]);

    const again = await create({ name: 'delete.me' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(c.body.id);
    expect((await t.http('GET', '/v1/events/delete.me', { token })).body.id).toBe(again.body.id);
    // The row is kept (history), only marked deleted.
    const row = await t.deps.pool.query('select deleted_at from event_definitions where id = $1', [c.body.id]);
    expect(row.rows[0].deleted_at).toBeInstanceOf(Date);
  });

  it('by name; another organization gets 404 and the definition survives', async () => {
    const c = await create({ name: 'keep.me' });
    expect((await t.http('DELETE', `/v1/events/${c.body.id}`, { token: other })).status).toBe(404);
    expect((await t.http('DELETE', '/v1/events/keep.me', { token: other })).status).toBe(404);
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).status).toBe(200);
    expect((await t.http('DELETE', '/v1/events/keep.me', { token })).body).toEqual({ object: 'event', id: c.body.id, deleted: true });
  });
});

describe('field rules (seed 001, spec §3)', () => {
  it('name 1–80, description ≤ 2000: boundaries accepted', async () => {
    expect((await create({ name: 'n'.repeat(80), description: 'd'.repeat(2000) })).status).toBe(201);
    expect((await create({ name: 'n' })).status).toBe(201);
    expect((await create({ name: 'n'.repeat(81) })).body).toEqual(err422('name must be shorter than or equal to 80 characters'));
  });

  it('name is required and a string; names are case-sensitive; same name in another org is fine', async () => {
    const missing = 'name must be longer than or equal to 1 characters, name must be a string';
    expect((await create({})).body).toEqual(err422(missing));
    expect((await create({ name: null })).body).toEqual(err422(missing));
    expect((await create({ name: 42 })).body).toEqual(err422('name must be longer than or equal to 1 and shorter than or equal to 80 characters, name must be a string'));
    expect((await create({ name: 'Case.Test' })).status).toBe(201);
    expect((await create({ name: 'case.test' })).status).toBe(201);
    expect((await create({ name: 'Case.Test' }, other)).status).toBe(201);
    expect((await create({ name: 'Case.Test' })).body).toEqual({ status_code: 409, name: 'conflict', message: 'An event named "Case.Test" already exists' });
    expect((await create({ name: 'x', description: 5 })).body).toEqual(err422('description must be shorter than or equal to 2000 characters, description must be a string'));
  });

  it('field names: letters, digits, underscores, not starting with a digit, at most 64', async () => {
    const ok = ['a', '_', 'A1', '_x_9', 'x'.repeat(64)];
    const r = await create({ name: 'fields.ok', schema: { fields: ok.map((n) => field(n)) } });
    expect(r.status).toBe(201);
    expect(r.body.schema.fields.map((f: { name: string }) => f.name)).toEqual(ok);
    for (const bad of ['1a', 'a-b', 'a.b', 'a b', '', 'é']) {
      const b = await create({ name: `bad.${bad}`, schema: { fields: [field(bad)] } });
      expect(b.status, bad).toBe(422);
      expect(b.body.message).toBe('schema.fields.0.name must match /^[A-Za-z_][A-Za-z0-9_]*$/ regular expression');
    }
    const long = await create({ name: 'too.long', schema: { fields: [field('ok'), field('y'.repeat(65))] } });
    expect(long.body).toEqual(err422('schema.fields.1.name must be shorter than or equal to 64 characters'));
  });

  it('field names are unique within a schema', async () => {
    const r = await create({ name: 'dupe.fields', schema: { fields: [field('a'), field('b', 'number'), field('a', 'number')] } });
    expect(r.status).toBe(422);
    expect(r.body.name).toBe('validation_error');
    expect(r.body.message).toMatch(/schema\.fields/);
    expect(r.body.message).toMatch(/unique/);
  });

  it('at most 100 fields', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => field(`f${i}`));
    expect((await create({ name: 'hundred', schema: { fields: many(100) } })).status).toBe(201);
    expect((await create({ name: 'hundred.one', schema: { fields: many(101) } })).body).toEqual(err422('schema.fields must contain no more than 100 elements'));
  });

  it('types are string|number|boolean|date; required defaults to false and must be a boolean', async () => {
    const r = await create({ name: 'types', schema: { fields: [field('s'), field('n', 'number', true), field('b', 'boolean', false), field('d', 'date')] } });
    expect(r.status).toBe(201);
    expect(r.body.schema.fields).toEqual([
      { name: 's', type: 'string', required: false },
      { name: 'n', type: 'number', required: true },
      { name: 'b', type: 'boolean', required: false },
      { name: 'd', type: 'date', required: false },
    ]);
    expect((await create({ name: 'bad.type', schema: { fields: [field('x', 'integer')] } })).body).toEqual(
      err422('schema.fields.0.type must be one of the following values: string, number, boolean, date'),
    );
    expect((await create({ name: 'upper.type', schema: { fields: [field('x', 'STRING')] } })).status).toBe(422);
    expect((await create({ name: 'bad.required', schema: { fields: [{ name: 'x', type: 'string', required: 'yes' }] } })).body).toEqual(
      err422('schema.fields.0.required must be a boolean value'),
    );
  });

  it('unknown keys anywhere are rejected, every issue in one message', async () => {
    const r = await create({ name: '', extra: 1, schema: { fields: [{ name: 'a', type: 'string', colour: 'red' }], other: true } });
    expect(r.status).toBe(422);
    expect(r.body.message.split(', ').sort()).toEqual(
      ['name must be longer than or equal to 1 characters', 'property extra should not exist', 'schema.property other should not exist', 'schema.fields.0.property colour should not exist'].sort(),
    );
  });

  it('schema.fields must be an array of objects', async () => {
    for (const schema of [{}, { fields: 'x' }, { fields: [1] }, { fields: [null] }, 'x', 1, []]) {
      const r = await create({ name: 'bad.schema', schema });
      expect(r.status, JSON.stringify(schema)).toBe(422);
      expect(r.body.name).toBe('validation_error');
    }
    expect((await create({ name: 'bad.schema', schema: [] })).body).toEqual(err422('schema must be an object'));
    expect((await create({ name: 'bad.conversion', conversion: [] })).body).toEqual(err422('conversion must be an object'));
    expect((await t.http('PATCH', '/v1/events/x', { token, body: { schema: 'x' } })).status).toBe(422);
  });
});

describe('conversion (spec §3)', () => {
  const schema = { fields: [field('total', 'number', true), field('currency'), field('flag', 'boolean')] };
  const conv = (c: Record<string, unknown>) => ({ enabled: true, value_field: 'total', currency_field: null, currencies: null, ...c });

  it('defaults to disabled and is always returned', async () => {
    const r = await create({ name: 'conv.default', schema });
    expect(r.body.conversion).toEqual({ enabled: false, value_field: null, currency_field: null, currencies: null });
  });

  it('accepts a valid value / currency configuration, count-only too', async () => {
    const a = await create({ name: 'conv.value', schema, conversion: conv({ currency_field: 'currency', currencies: ['SAR', 'USD'] }) });
    expect(a.status).toBe(201);
    expect(a.body.conversion).toEqual({ enabled: true, value_field: 'total', currency_field: 'currency', currencies: ['SAR', 'USD'] });
    const b = await create({ name: 'conv.count', schema, conversion: { enabled: true, value_field: null } });
    expect(b.status).toBe(201);
    expect(b.body.conversion).toEqual({ enabled: true, value_field: null, currency_field: null, currencies: null });
    const c = await create({ name: 'conv.single', schema, conversion: conv({ currencies: ['SAR'] }) });
    expect(c.body.conversion).toEqual({ enabled: true, value_field: 'total', currency_field: null, currencies: ['SAR'] });
    expect((await t.http('GET', `/v1/events/${a.body.id}`, { token })).body.conversion).toEqual(a.body.conversion);
  });

  it('bad references are 400s whose name says which', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [conv({ value_field: 'missing' }), 'conversion_value_field_invalid'],
      [conv({ value_field: 'currency' }), 'conversion_value_field_invalid'],
      [conv({ currency_field: 'total', currencies: ['SAR'] }), 'conversion_currency_field_invalid'],
      [conv({ currency_field: 'nope' }), 'conversion_currency_field_invalid'],
      [conv({ currencies: ['SAR', 'USD'] }), 'conversion_currency_field_required'],
      [conv({ currencies: ['XYZ1'] }), 'conversion_currency_unsupported'],
      [conv({ currencies: ['sar'] }), 'conversion_currency_unsupported'], // codes are upper-case; kept as given, never rewritten
      [{ enabled: true, value_field: null, currencies: ['SAR'] }, 'conversion_currency_without_value'],
      [{ enabled: true, value_field: null, currency_field: 'currency' }, 'conversion_currency_without_value'],
    ];
    for (const [conversion, name] of cases) {
      const r = await create({ name: 'conv.bad', schema, conversion });
      expect(r.status, JSON.stringify(conversion)).toBe(400);
      expect(r.body).toMatchObject({ status_code: 400, name });
      expect(typeof r.body.message).toBe('string');
    }
    expect((await t.http('GET', '/v1/events/conv.bad', { token })).status).toBe(404);
  });

  it('enabling without the value_field key is a 422; wrong types too', async () => {
    const r = await create({ name: 'conv.422', schema, conversion: { enabled: true } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(err422('conversion.value_field must be a string'));
    expect((await create({ name: 'conv.422b', schema, conversion: {} })).body).toEqual(err422('conversion.enabled should not be null or undefined, conversion.enabled must be a boolean value'));
    expect((await create({ name: 'conv.422c', schema, conversion: { enabled: false, bogus: 1 } })).body).toEqual(err422('conversion.property bogus should not exist'));
    expect((await create({ name: 'conv.422d', schema, conversion: conv({ currencies: [] }) })).body).toEqual(err422('conversion.currencies must contain at least 1 elements'));
    expect((await create({ name: 'conv.422e', schema, conversion: conv({ currencies: ['SAR', 1] }) })).body).toEqual(err422('each value in conversion.currencies must be a string'));
  });

  it('update: omitted stays, enabled:false clears, a schema change that breaks it is refused', async () => {
    const c = await create({ name: 'conv.update', schema, conversion: conv({ currency_field: 'currency', currencies: ['SAR', 'USD'] }) });
    const kept = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { description: 'x' } });
    expect(kept.body.conversion).toEqual(c.body.conversion);

    const broken = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { schema: { fields: [field('currency')] } } });
    expect(broken.status).toBe(400);
    expect(broken.body.name).toBe('conversion_value_field_invalid');
    const retyped = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { schema: { fields: [field('total', 'number'), field('currency', 'number')] } } });
    expect(retyped.body.name).toBe('conversion_currency_field_invalid');
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token })).body.schema).toEqual(c.body.schema);

    const cleared = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { conversion: { enabled: false, value_field: 'total' } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.conversion).toEqual({ enabled: false, value_field: null, currency_field: null, currencies: null });
    const nowFree = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { schema: { fields: [field('other')] } } });
    expect(nowFree.status).toBe(200);

    const enabled = await t.http('PATCH', `/v1/events/${c.body.id}`, { token, body: { schema, conversion: conv({}) } });
    expect(enabled.status).toBe(200);
    expect(enabled.body.conversion).toEqual(conv({}));
  });
});
