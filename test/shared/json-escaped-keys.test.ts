/**
 * Regression: V8's JSON.parse (nodejs/node#63785) decoded an escaped object key through a key it had
 * seen before: after a body with the key "\\" (a backslash), a body with the key "\"" (a quote)
 * was stored under "\\". Found by the send round-trip property test. Bodies, and json/jsonb
 * columns read back by pg and by the ORM, go through shared/json.ts parseJson.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseJson } from '../../src/shared/json.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

// Raw JSON texts: the first one's key is one backslash, the second one's a double quote.
const POISON = String.raw`{"s":"2","\\":"y"}`;
const VICTIM = String.raw`{"s":"1","\"":"x","\n":"nl","\u0041":"A"}`;
const JSON_TYPE = { 'content-type': 'application/json' };

it('parseJson reads escaped keys right after the key cache was poisoned, and refuses what JSON.parse refuses', () => {
  for (let i = 0; i < 3; i++) {
    expect(Object.keys(parseJson(POISON) as object)).toEqual(['s', '\\']);
    expect(parseJson(VICTIM)).toEqual({ s: '1', '"': 'x', '\n': 'nl', A: 'A' });
  }
  const proto = parseJson(String.raw`{"__proto__":{"x":1},"k\"":2}`) as Record<string, unknown>;
  expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  expect(Object.keys(proto)).toEqual(['__proto__', 'k"']);
  for (const bad of ["{a:1}", "{'a':1}", '[1,]', '{"a\\x":1}', '// c\n1']) expect(() => parseJson(bad), bad).toThrow(SyntaxError);
});

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Keys')).token;
});
afterAll(() => t?.close());

it('sends and contacts keep escaped keys exactly, through the body, the database and the ORM', async () => {
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'keys.event' } })).status).toBe(201);
  const send = (data: string) => t.http('POST', '/v1/events/send', { token, raw: `{"event":"keys.event","email":"a@b.co","data":${data}}`, headers: JSON_TYPE });
  const first = await send(POISON);
  const second = await send(VICTIM);
  expect([first.status, second.status]).toEqual([202, 202]);
  const rows = await t.deps.pool.query('select id, data from event_sends where id = any($1::uuid[])', [[first.body.id, second.body.id]]);
  const data = new Map(rows.rows.map((r) => [r.id, r.data]));
  expect(data.get(first.body.id)).toEqual({ s: '2', '\\': 'y' });
  expect(data.get(second.body.id)).toEqual({ s: '1', '"': 'x', '\n': 'nl', A: 'A' });

  for (const properties of [POISON, VICTIM]) {
    const c = await t.http('POST', '/v1/contacts', { token, raw: `{"email":"k${properties.length}@b.co","properties":${properties}}`, headers: JSON_TYPE });
    expect(c.status, c.text).toBe(201);
    const got = await t.http('GET', `/v1/contacts/${c.body.id}`, { token });
    // Read with parseJson: this test process has the same V8 as the server.
    const read = (parseJson(got.text) as { properties: object }).properties;
    expect(read).toEqual(parseJson(properties));
  }
});
