/**
 * Regression (issue 19 item 8): Idempotency-Key compared re-serialised JSON, so the same body with
 * its keys in another order answered 409. Requests are now compared by their canonical JSON
 * (src/shared/canonical-json.ts): key order, whitespace and number spelling do not matter; a changed
 * value, a reordered array or an added key does. Real HTTP, REST and GraphQL.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/shared/canonical-json.js';
import { jsonObject, jsonValue } from '../setup/arbitraries.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ token, orgId } = await t.createOrg('Acme'));
  const order = { name: 'order.completed', schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }] } };
  expect((await t.http('POST', '/v1/events', { token, body: order })).status).toBe(201);
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'free' } })).status).toBe(201); // no fields: any data
});
afterAll(() => t?.close());

let n = 0;
const freshKey = () => `canon-${++n}-${Math.random().toString(36).slice(2)}`;
/** POST the exact text given (the spelling is what is under test). */
const sendRaw = (text: string, key: string) =>
  t.http('POST', '/v1/events/send', { token, raw: text, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
const sendsWithKey = async (key: string) => Number((await t.deps.pool.query('select count(*)::int n from event_sends where idempotency_key = $1', [key])).rows[0].n);

async function expectReplay(first: string, again: string[]) {
  const key = freshKey();
  const a = await sendRaw(first, key);
  expect([202, 422], a.text).toContain(a.status);
  expect(a.headers.get('idempotent-replayed')).toBeNull();
  for (const text of again) {
    const b = await sendRaw(text, key);
    expect(b.status, text).toBe(a.status);
    expect(b.headers.get('idempotent-replayed'), text).toBe('true');
    expect(b.body).toEqual(a.body);
  }
  return { key, first: a };
}

async function expectConflict(first: string, other: string) {
  const key = freshKey();
  const a = await sendRaw(first, key);
  expect([202, 422]).toContain(a.status);
  const b = await sendRaw(other, key);
  expect(b.status, other).toBe(409);
  expect(b.body).toEqual({ status_code: 409, name: 'conflict', message: 'Idempotency-Key reused with a different payload' });
  expect(b.headers.get('idempotent-replayed')).toBeNull();
}

describe('REST: the same request spelled differently replays', () => {
  it('keys reordered at the top level and inside data (nested objects too)', async () => {
    const { key } = await expectReplay(
      '{"event":"order.completed","email":"a@example.com","data":{"order_id":"o-1","total":5,"meta":{"x":1,"y":{"p":true,"q":[{"a":1,"b":2}]}}}}',
      [
        '{"data":{"total":5,"order_id":"o-1","meta":{"y":{"q":[{"b":2,"a":1}],"p":true},"x":1}},"email":"a@example.com","event":"order.completed"}',
        '{"email":"a@example.com","data":{"meta":{"x":1,"y":{"p":true,"q":[{"a":1,"b":2}]}},"order_id":"o-1","total":5},"event":"order.completed"}',
      ],
    );
    expect(await sendsWithKey(key)).toBe(1);
  });

  it('whitespace anywhere between tokens', async () => {
    await expectReplay('{"event":"order.completed","email":"b@example.com","data":{"order_id":"o-2","total":7,"list":[1,2,{"k":"v w"}]}}', [
      ' {\n  "event" : "order.completed",\n  "email":"b@example.com",\r\n\t"data": { "order_id" : "o-2" , "total" : 7 , "list" : [ 1 , 2 , { "k" : "v w" } ] }\n}\n',
      '{"data":{"list":[1,2,{"k":"v w"}],   "total":7,"order_id":"o-2"},"email":"b@example.com","event":"order.completed"}',
    ]);
  });

  it('number spellings: 1, 1.0, 1e0, 10e-1 (and 1E0, 0.1e1) are the same number', async () => {
    const body = (total: string, extra: string) => `{"event":"order.completed","email":"c@example.com","data":{"order_id":"o-3","total":${total},"x":[${extra}]}}`;
    const { key } = await expectReplay(body('1', '1'), [body('1.0', '1.0'), body('1e0', '10e-1'), body('10e-1', '1E0'), body('0.1e1', '1.00')]);
    expect(await sendsWithKey(key)).toBe(1);
    await expectReplay(body('129.99', '2.5'), [body('12999e-2', '25e-1'), body('1.2999E2', '2.50')]);
  });

  it('a batch whose items have their keys reordered (and the same rejected item) replays, 422 entries included', async () => {
    const items = [
      '{"event":"order.completed","email":"d@example.com","data":{"order_id":"o-4","total":1}}',
      '{"event":"order.completed","email":"d@example.com","data":{"total":"bad"}}',
      '{"event":"free","email":"e@example.com","data":{"a":{"b":[1,{"c":2,"d":3}]}}}',
    ];
    const reordered = [
      '{"data":{"total":1.0,"order_id":"o-4"},"email":"d@example.com","event":"order.completed"}',
      '{"data":{"total":"bad"},"event":"order.completed","email":"d@example.com"}',
      '{"data":{"a":{"b":[1,{"d":3,"c":2}]}},"email":"e@example.com","event":"free"}',
    ];
    const { key, first } = await expectReplay(`{"events":[${items.join(',')}]}`, [`{ "events" : [ ${reordered.join(' , ')} ] }`]);
    expect(first.body.results[1].error.code).toBe('schema_mismatch');
    expect(await sendsWithKey(key)).toBe(3); // the rejected one is recorded too
  });
});

describe('REST: a real difference is a 409', () => {
  const base = '{"event":"free","email":"f@example.com","data":{"a":1,"list":[1,2,3],"o":{"x":"y"}}}';
  it.each([
    ['a value changed', '{"event":"free","email":"f@example.com","data":{"a":2,"list":[1,2,3],"o":{"x":"y"}}}'],
    ['a nested value changed', '{"event":"free","email":"f@example.com","data":{"a":1,"list":[1,2,3],"o":{"x":"Y"}}}'],
    ['an array reordered', '{"event":"free","email":"f@example.com","data":{"a":1,"list":[3,2,1],"o":{"x":"y"}}}'],
    ['a key added in data', '{"event":"free","email":"f@example.com","data":{"a":1,"list":[1,2,3],"o":{"x":"y"},"b":null}}'],
    ['a key added at the top', '{"event":"free","email":"f@example.com","data":{"a":1,"list":[1,2,3],"o":{"x":"y"}},"timestamp":"2026-06-01T12:00:00.000Z"}'],
    ['a number that is not the same', '{"event":"free","email":"f@example.com","data":{"a":1.0000001,"list":[1,2,3],"o":{"x":"y"}}}'],
    ['a number written as a string', '{"event":"free","email":"f@example.com","data":{"a":"1","list":[1,2,3],"o":{"x":"y"}}}'],
    ['an element added to an array', '{"event":"free","email":"f@example.com","data":{"a":1,"list":[1,2,3,3],"o":{"x":"y"}}}'],
  ])('%s', async (_what, other) => {
    await expectConflict(base, other);
  });

  it('in a batch: the items reordered, or one item changed', async () => {
    const i1 = '{"event":"free","email":"g@example.com","data":{"n":1}}';
    const i2 = '{"event":"free","email":"g@example.com","data":{"n":2}}';
    await expectConflict(`{"events":[${i1},${i2}]}`, `{"events":[${i2},${i1}]}`);
    await expectConflict(`{"events":[${i1},${i2}]}`, `{"events":[${i1},${i2.replace('"n":2', '"n":3')}]}`);
  });
});

describe('REST: keys written before the canonical hash', () => {
  it('a stored row hashed from JSON.stringify still replays the same request, and a different one is a 409', async () => {
    const body = { event: 'free', email: 'legacy@example.com', data: { b: 1, a: 2 } };
    const legacy = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const stored = { id: '01970000-0000-7000-8000-000000000001', status: 'accepted' };
    await t.deps.pool.query(
      `insert into idempotency_keys (organization_id, key, request_hash, status_code, response, expires_at) values ($1, 'legacy-key', $2, 202, $3, now() + interval '1 hour')`,
      [orgId, legacy, JSON.stringify(stored)],
    );
    const r = await sendRaw(JSON.stringify(body), 'legacy-key');
    expect(r.status).toBe(202);
    expect(r.headers.get('idempotent-replayed')).toBe('true');
    expect(r.body).toEqual(stored);
    expect((await sendRaw(JSON.stringify({ ...body, data: { b: 1, a: 3 } }), 'legacy-key')).status).toBe(409);
  });
});

describe('GraphQL sendEvent / sendEvents with an Idempotency-Key', () => {
  const gqlRaw = (text: string, key: string) =>
    t.http('POST', '/graphql', { token, raw: text, headers: { 'content-type': 'application/json', 'idempotency-key': key } }).then((r) => r.body);
  const SEND = 'mutation($input: SendEventInput!) { sendEvent(input: $input) { id status } }';
  const SENDS = 'mutation($inputs: [SendEventInput!]!) { sendEvents(inputs: $inputs) { id status error { code } } }';
  const count = async (key: string) => sendsWithKey(key);

  it('sendEvent: input keys reordered (variables and nested data), whitespace and number spellings replay', async () => {
    const key = freshKey();
    const q = JSON.stringify(SEND);
    const a = await gqlRaw(`{"query":${q},"variables":{"input":{"event":"order.completed","email":"h@example.com","data":{"order_id":"o-5","total":1,"n":{"x":1,"y":2}}}}}`, key);
    expect(a.errors).toBeUndefined();
    for (const text of [
      `{"variables":{"input":{"data":{"n":{"y":2,"x":1.0},"total":1e0,"order_id":"o-5"},"email":"h@example.com","event":"order.completed"}},"query":${q}}`,
      `{ "query" : ${q} ,\n "variables" : { "input" : { "email" : "h@example.com" , "event" : "order.completed" , "data" : { "total" : 10e-1 , "order_id" : "o-5" , "n" : { "x" : 1 , "y" : 2 } } } } }`,
    ]) {
      const b = await gqlRaw(text, key);
      expect(b.errors, text).toBeUndefined();
      expect(b.data.sendEvent).toEqual(a.data.sendEvent);
    }
    // the same input written inline, fields and data keys in another order, 1.0 for 1
    const inline = `mutation { sendEvent(input: {data: {total: 1.0, n: {y: 2, x: 1}, order_id: "o-5"}, email: "h@example.com", event: "order.completed"}) { id status } }`;
    const c = await gqlRaw(JSON.stringify({ query: inline }), key);
    expect(c.errors).toBeUndefined();
    expect(c.data.sendEvent).toEqual(a.data.sendEvent);
    expect(await count(key)).toBe(1);
    const changed = await gqlRaw(JSON.stringify({ query: SEND, variables: { input: { event: 'order.completed', email: 'h@example.com', data: { order_id: 'o-5', total: 1, n: { x: 1, y: 3 } } } } }), key);
    expect(changed.errors[0]).toMatchObject({ message: 'Idempotency-Key reused with a different payload', extensions: { code: 'CONFLICT', status_code: 409 } });
  });

  it('sendEvents: items with reordered keys replay; reordered items are a CONFLICT', async () => {
    const key = freshKey();
    const i1 = { event: 'free', email: 'i@example.com', data: { a: 1, b: { c: [1, 2] } } };
    const i2 = { event: 'order.completed', email: 'i@example.com', data: { total: 'bad' } };
    const a = await gqlRaw(JSON.stringify({ query: SENDS, variables: { inputs: [i1, i2] } }), key);
    expect(a.data.sendEvents.map((r: any) => r.status)).toEqual(['ACCEPTED', 'REJECTED']);
    const r1 = { data: { b: { c: [1, 2] }, a: 1.0 }, email: 'i@example.com', event: 'free' };
    const r2 = { data: { total: 'bad' }, email: 'i@example.com', event: 'order.completed' };
    const b = await gqlRaw(JSON.stringify({ variables: { inputs: [r1, r2] }, query: SENDS }), key);
    expect(b.data.sendEvents).toEqual(a.data.sendEvents);
    expect(await count(key)).toBe(2);
    const swapped = await gqlRaw(JSON.stringify({ query: SENDS, variables: { inputs: [i2, i1] } }), key);
    expect(swapped.errors[0].extensions.code).toBe('CONFLICT');
  });
});

/** JSON text of `v` with every object's keys shuffled, random whitespace and random number spellings. */
function respell(v: unknown, rnd: () => number): string {
  const ws = () => [' ', '', '\n', '\t', '\r\n', '  '][Math.floor(rnd() * 6)];
  const num = (x: number): string => {
    const plain = JSON.stringify(x);
    const options = [plain, x.toExponential(), x.toExponential().toUpperCase()];
    if (Number.isInteger(x) && Math.abs(x) < 1e15 && x !== 0) options.push(`${x}.0`, `${x}e0`, `${x}0e-1`, `${x}.000E+0`);
    return options[Math.floor(rnd() * options.length)];
  };
  // iterative like the server's canonicaliser: the values here are shallow, but keep to one habit
  const walk = (x: unknown): string => {
    if (typeof x === 'number') return num(x);
    if (x === null || typeof x !== 'object') return JSON.stringify(x);
    if (Array.isArray(x)) return `[${ws()}${x.map((e) => walk(e)).join(`${ws()},${ws()}`)}${ws()}]`;
    const keys = Object.keys(x);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    return `{${ws()}${keys.map((k) => `${JSON.stringify(k)}${ws()}:${ws()}${walk((x as Record<string, unknown>)[k])}`).join(`${ws()},${ws()}`)}${ws()}}`;
  };
  return ws() + walk(v) + ws();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('property: random JSON, random key order, random whitespace and number spelling → replays', () => {
  it('REST single and batch bodies', async () => {
    const body = fc.oneof(
      fc.record({ event: fc.constant('free'), email: fc.constant('p@example.com'), data: jsonObject }),
      fc.record({ events: fc.array(fc.record({ event: fc.constant('free'), email: fc.constant('p@example.com'), data: jsonObject }), { minLength: 1, maxLength: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.integer(), async (b, seed) => {
        const rnd = mulberry32(seed);
        const key = freshKey();
        const a = await sendRaw(JSON.stringify(b), key);
        expect(a.status, a.text).toBe(202);
        const again = await sendRaw(respell(b, rnd), key);
        expect(again.status, again.text).toBe(202);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(a.body);
      }),
      { numRuns: 60 },
    );
  });

  it('canonicalJson: equal to JSON.stringify with keys sorted, whatever the key order', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    fc.assert(
      fc.property(jsonValue, fc.integer(), (v, seed) => {
        const text = canonicalJson(v);
        expect(text).toBe(JSON.stringify(sorted(v)));
        expect(canonicalJson(JSON.parse(respell(v, mulberry32(seed))))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('canonicalJson on deep and odd input', () => {
  it('does not recurse: 200,000 levels (objects in arrays in objects)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    const text = canonicalJson(deep);
    expect(text.length).toBe(100_000 * 8 + 1);
    expect(text.startsWith('{"a":[{"a":[')).toBe(true);
  });

  it('numbers by value (-0 is 0), non-finite numbers distinct from null and from each other, undefined left out', () => {
    expect(canonicalJson(JSON.parse('[1,1.0,1e0,10e-1,-0,0.0]'))).toBe('[1,1,1,1,0,0]');
    expect(new Set([canonicalJson([Infinity]), canonicalJson([-Infinity]), canonicalJson([null]), canonicalJson([NaN])]).size).toBe(4);
    expect(canonicalJson({ b: undefined, a: new Date(0) })).toBe('{"a":"1970-01-01T00:00:00.000Z"}');
  });

  it('a deep body with an Idempotency-Key over REST replays (60 levels, near the 64-level nesting limit)', async () => {
    let inner = '1';
    let reordered = '1';
    for (let i = 0; i < 60; i++) {
      inner = `{"a":${inner},"b":${i}}`;
      reordered = `{"b":${i},"a":${reordered}}`;
    }
    await expectReplay(`{"event":"free","email":"deep@example.com","data":${inner}}`, [`{"data":${reordered},"email":"deep@example.com","event":"free"}`]);
  });

  it('a body 10,000 levels deep: canonicalJson handles it without recursion, and over REST it is a 400 (nesting limit) before the key is looked at, never a 500', async () => {
    let a = '1';
    let b = '2';
    for (let i = 0; i < 10_000; i++) {
      a = `{"x":${a},"y":[]}`;
      b = `{"x":${b},"y":[]}`;
    }
    // The comparison alone: iterative, so deep values neither overflow nor collide.
    expect(canonicalJson(JSON.parse(a))).not.toBe(canonicalJson(JSON.parse(b)));
    expect(canonicalJson(JSON.parse(a)).length).toBe(a.length);
    const deep = await sendRaw(`{"event":"free","email":"deeper@example.com","data":${a}}`, 'deep-key');
    expect(deep.status).toBe(400);
    expect(deep.body.name).toBe('bad_request');
    expect((await t.deps.pool.query(`select 1 from idempotency_keys where key = 'deep-key'`)).rowCount).toBe(0);
  });
});
