/**
 * Regression: U+0000 in a name, description, path or query reached PostgreSQL (which refuses it in
 * text/jsonb and breaks the wire message for bound parameters) and came back as a 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Nul')).token;
});
afterAll(() => t?.close());

const NUL = { status_code: 400, name: 'bad_request', message: 'Text must not contain NUL (\\u0000) characters' };

it('REST: NUL in body strings, keys, the path or the query is a 400, never a 500', async () => {
  const cases: [string, string, unknown][] = [
    ['POST', '/v1/events', { name: 'a\u0000b' }],
    ['POST', '/v1/events', { name: 'ok', description: 'x\u0000' }],
    ['POST', '/v1/events', { name: 'ok', schema: { fields: [{ name: 'a', type: 'string', 'x\u0000': 1 }] } }],
    ['PATCH', '/v1/events/whatever', { description: '\u0000' }],
    ['GET', '/v1/events/a%00b', undefined],
    ['GET', '/v1/events?search=%00', undefined],
  ];
  for (const [method, url, body] of cases) {
    const r = await t.http(method, url, { token, body });
    expect(r.status, `${method} ${url}`).toBe(400);
    expect(r.body).toEqual(NUL);
  }
  // An escaped backslash followed by "u0000" is ordinary text.
  const ok = await t.http('POST', '/v1/events', { token, body: { name: 'slash\\u0000' } });
  expect(ok.status).toBe(201);
  expect(ok.body.name).toBe('slash\\u0000');
});

it('GraphQL: a \\u0000 escape in a string literal or a variable is BAD_REQUEST', async () => {
  const literal = await t.http('POST', '/graphql', { token, body: { query: 'mutation { createEvent(input: { name: "a\\u0000" }) { id } }' } });
  expect(literal.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
  const variable = await t.http('POST', '/graphql', { token, body: { query: 'query($n: String) { event(name: $n) { id } }', variables: { n: 'a\u0000' } } });
  expect(variable.status).toBe(400);
  expect(variable.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
  const lookup = await t.http('POST', '/graphql', { token, body: { query: '{ event(name: "x\\u0000") { id } }' } });
  expect(lookup.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
});
