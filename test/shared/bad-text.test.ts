/**
 * Regressions: U+0000 in a name, description, path or query reached PostgreSQL (which refuses it in
 * text/jsonb and breaks the wire message for bound parameters) and came back as a 500; so did a
 * lone UTF-16 surrogate escape ("\ud800") in a send's data (jsonb refuses it) or email (the email
 * validator threw), and a URL whose percent-encoding is not UTF-8 got Fastify's error shape.
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
  expect(literal.status).toBe(400); // refused before any resolver runs (badTextLiteralsPlugin)
  expect(literal.body.data).toBeUndefined();
  const variable = await t.http('POST', '/graphql', { token, body: { query: 'query($n: String) { event(name: $n) { id } }', variables: { n: 'a\u0000' } } });
  expect(variable.status).toBe(400);
  expect(variable.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
  const lookup = await t.http('POST', '/graphql', { token, body: { query: '{ event(name: "x\\u0000") { id } }' } });
  expect(lookup.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', status_code: 400 });
});

const SURROGATE = { status_code: 400, name: 'bad_request', message: 'Text must be valid Unicode: a \\uD800-\\uDFFF escape must be half of a surrogate pair' };

it('REST: a lone surrogate anywhere in a body is a 400 and nothing is stored; a pair is ordinary text', async () => {
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'u.sent', schema: { fields: [{ name: 's', type: 'string' }] } } })).status).toBe(201);
  const cases: unknown[] = [
    { event: 'u.sent', email: 'a@b.co', data: { s: 'x\ud800y' } },
    { event: 'u.sent', email: 'a@b.co', data: { ['s\udc00']: 'x' } },
    { event: 'u.sent', email: 'a\udbff@b.co', data: { s: 'x' } },
    { events: [{ event: 'u.sent', email: 'a@b.co', data: { s: 'ok' } }, { event: 'u.sent', email: 'a@b.co', data: { s: '\ude00' } }] },
    { event: 'u.sent\ud83d', email: 'a@b.co' },
  ];
  for (const body of cases) {
    const r = await t.http('POST', '/v1/events/send', { token, body });
    expect(r.status, JSON.stringify(body)).toBe(400);
    expect(r.body).toEqual(SURROGATE);
  }
  const ev = await t.http('POST', '/v1/events', { token, body: { name: 'u.other', description: 'x\ud800' } });
  expect(ev.status).toBe(400);
  expect(ev.body).toEqual(SURROGATE);

  const ok = await t.http('POST', '/v1/events/send', { token, body: { event: 'u.sent', email: 'a@b.co', data: { s: '\ud83d\ude00 \\ud800' } } });
  expect(ok.status).toBe(202);
  const hist = await t.http('GET', '/v1/events/u.sent/sends', { token });
  expect(hist.body.data.map((s: { data: unknown }) => s.data)).toEqual([{ s: '\ud83d\ude00 \\ud800' }]);
});

it('GraphQL: a lone surrogate in a variable is BAD_REQUEST; the GraphQL parser refuses one in a literal', async () => {
  const variable = await t.http('POST', '/graphql', { token, body: { query: 'query($n: String!) { event(name: $n) { id } }', variables: { n: '\ud800' } } });
  expect(variable.status).toBe(400);
  expect(variable.body.errors[0]).toMatchObject({ message: SURROGATE.message, extensions: { code: 'BAD_REQUEST', status_code: 400 } });
  const literal = await t.http('POST', '/graphql', { token, body: { query: '{ event(name: "\\ud800") { id } }' } });
  expect(literal.status).toBe(400);
  expect(literal.body.errors[0].extensions.status_code).toBe(400);
});

it('a URL whose percent-encoding is not UTF-8 is a 400 in the error shape', async () => {
  for (const url of ['/v1/events/%ED%A0%80', '/v1/events/a%FF/sends']) {
    const r = await t.http('GET', url, { token });
    expect(r.status, url).toBe(400);
    expect(r.body).toEqual({ status_code: 400, name: 'bad_request', message: 'The URL is not valid: a percent-encoded part is not UTF-8' });
  }
});

it('a query string whose percent-encoding is not UTF-8 is the same 400 on every route (it was read as the text "%FF")', async () => {
  const bad = ['%FF', '%C0%AF', '%ED%A0%80', '%E2%82', 'ok%20%F0%9F%98'];
  const routes = (v: string) => [
    `/v1/events?search=${v}`, `/v1/automations?event=${v}`, `/v1/contacts?email=${v}`, `/v1/events/order.completed/sends?status=${v}`,
    `/v1/events?limit=5&after=${v}`, `/v1/events?${v}=1`,
  ];
  for (const v of bad) {
    for (const url of routes(v)) {
      const r = await t.http('GET', url, { token });
      expect(r.status, url).toBe(400);
      expect(r.body, url).toEqual({ status_code: 400, name: 'bad_request', message: 'The URL is not valid: a percent-encoded part is not UTF-8' });
    }
    const g = await t.http('GET', `/graphql?query=${encodeURIComponent('{ events(search: "x') }${v}${encodeURIComponent('") { edges { node { id } } } }')}`, {
      token, headers: { 'apollo-require-preflight': '1' },
    });
    expect(g.status).toBe(400);
    expect(g.body.errors[0]).toMatchObject({ message: 'The URL is not valid: a percent-encoded part is not UTF-8', extensions: { code: 'BAD_REQUEST' } });
  }
  // UTF-8 escapes, an escaped percent sign and a stray % that is no escape are text as before.
  for (const v of ['%C3%A9', '%F0%9F%98%80', '%25FF', '%zz', '100%']) {
    const r = await t.http('GET', `/v1/events?search=${v}`, { token });
    expect(r.status, v).toBe(200);
  }
});
