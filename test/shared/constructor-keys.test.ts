/**
 * Regression (found by the fast-check property): an own `constructor` key in a request object,
 * e.g. `{"name":{"constructor":true}}`, made class-transformer call `true` as a class: a 500 on every
 * route that validates a body. Outside opaque JSON it is now an unknown property (422); inside opaque
 * JSON (event data, contact properties) it is ordinary data, kept as sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Ctor')).token;
});
afterAll(() => t?.close());

const err422 = (message: string) => ({ status_code: 422, name: 'validation_error', message });

it('constructor / __proto__ keys in an input are 422s listing every issue, never a 500', async () => {
  const cases: [string, string, unknown, string][] = [
    ['POST', '/v1/events', { name: { constructor: true } }, 'name must be longer than or equal to 1 and shorter than or equal to 80 characters, name must be a string, name.property constructor should not exist'],
    ['POST', '/v1/events', { name: 'ok', constructor: 1 }, 'property constructor should not exist'],
    ['POST', '/v1/events', { name: 'ok', schema: { fields: [{ name: 'a', type: 'string', constructor: {} }] } }, 'schema.fields.0.property constructor should not exist'],
    ['POST', '/v1/events', JSON.parse('{"name":"ok","__proto__":{"name":""}}'), 'property __proto__ should not exist'],
    ['PATCH', '/v1/events/x', { description: { constructor: 'x' } }, 'description must be shorter than or equal to 2000 characters, description must be a string, description.property constructor should not exist'],
  ];
  for (const [method, url, body, message] of cases) {
    const r = await t.http(method, url, { token, body });
    expect(r.status, JSON.stringify(body)).toBe(422);
    expect(r.body).toEqual(err422(message));
  }
});

it('inside opaque JSON a constructor key is ordinary data', async () => {
  const def = await t.http('POST', '/v1/events', { token, body: { name: 'ctor.event', schema: { fields: [{ name: 'constructor', type: 'string', required: true }] } } });
  expect(def.status).toBe(201);
  expect(def.body.schema.fields[0].name).toBe('constructor');
  const sent = await t.http('POST', '/v1/events/send', { token, body: { event: 'ctor.event', email: 'a@b.co', data: { constructor: 'x' } } });
  expect(sent.status).toBe(202);
  const bad = await t.http('POST', '/v1/events/send', { token, body: { event: 'ctor.event', email: 'a@b.co', data: { constructor: 'x' }, extra: 1 } });
  expect(bad.status).toBe(422);
  expect(bad.body.message).toBe('property extra should not exist');
  const contact = await t.http('POST', '/v1/contacts', { token, body: { email: 'c@d.co', properties: { constructor: 1, nested: { constructor: [1] } } } });
  expect(contact.status, contact.text).toBeLessThan(300);
  expect(contact.body.properties).toEqual({ constructor: 1, nested: { constructor: [1] } });
});

it('GraphQL: constructor keys inside JSONObject values are data too', async () => {
  const r = await t.http('POST', '/graphql', {
    token,
    body: { query: 'mutation($d: JSONObject!) { sendEvent(input: { event: "ctor.event", email: "g@b.co", data: $d }) { id status } }', variables: { d: { constructor: 'y' } } },
  });
  expect(r.body.errors, r.text).toBeUndefined();
  expect(r.body.data.sendEvent.status).toBe('ACCEPTED');
});
