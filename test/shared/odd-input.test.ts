/**
 * Odd input gets a clear 4xx, never a 500 and never a silent change (issue 19, item 6), through
 * real HTTP on both transports:
 * - JSON nested deeper than MAX_JSON_DEPTH (64) in data, attributes, an automation, a description,
 *   a GraphQL variable or a GraphQL literal: 400 (it was a 500, "Maximum call stack size exceeded");
 * - text whose length PostgreSQL counts differently from validator.js (41 × "a\uFE0F"): 422 at the
 *   boundary with class-validator's wording (it was a 500 from the varchar column);
 * - numbers that would be stored as something else (1e400 → null, -0 → 0, 1e-400 → 0, integers
 *   beyond 2^53, more than 17 significant digits): 400 naming the problem;
 * - a body that is not UTF-8: 400 (it became U+FFFD).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, numberIssue } from '../../src/shared/input-guard.js';
import { charLength } from '../../src/shared/validation.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Odd')).token;
  const r = await t.http('POST', '/v1/events', { token, body: { name: 'odd.sent', schema: { fields: [{ name: 's', type: 'string' }] } } });
  expect(r.status).toBe(201);
});
afterAll(() => t?.close());

/** A JSON text nesting `levels` arrays/objects (alternating), innermost 1. */
const nestedText = (levels: number): string => {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    if (i % 2) (open += '[', close = `]${close}`);
    else (open += '{"k":', close = `}${close}`);
  }
  return `${open}1${close}`;
};
/** The same nesting as a GraphQL input literal. */
const nestedLiteral = (levels: number): string => nestedText(levels).replace(/"k":/g, 'k: ');

const TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays) is not accepted`;
const bad400 = (message: string) => ({ status_code: 400, name: 'bad_request', message });

async function raw(method: string, path: string, body: string | Buffer, contentType = 'application/json') {
  const res = await fetch(t.baseUrl + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

const gqlSend = 'mutation($input: SendEventInput!) { sendEvent(input: $input) { id status data } }';

describe('deep nesting', () => {
  it('REST: 5,000 levels in data, attributes, an automation step or a description are a 400; the limit itself is accepted', async () => {
    const deep = nestedText(5_000);
    const cases: [string, string][] = [
      ['/v1/events/send', `{"event":"odd.sent","email":"a@b.co","data":${deep}}`],
      ['/v1/events/send', `{"events":[{"event":"odd.sent","email":"a@b.co","data":{"x":${deep}}}]}`],
      ['/v1/contacts', `{"email":"deep@b.co","attributes":${deep}}`],
      ['/v1/automations', `{"name":"deep","steps":[{"key":"trigger","type":"trigger","event":"odd.sent","extra":${deep}}]}`],
      ['/v1/events', `{"name":"deep.desc","description":${deep}}`],
    ];
    for (const [path, body] of cases) {
      const r = await raw('POST', path, body);
      expect(r.status, path).toBe(400);
      expect(r.body).toEqual(bad400(TOO_DEEP));
    }
    // The body is level 1, so data may nest MAX_JSON_DEPTH - 1 levels; one more is refused.
    const atLimit = await raw('POST', '/v1/events/send', `{"event":"odd.sent","email":"a@b.co","data":${nestedText(MAX_JSON_DEPTH - 1)}}`);
    expect(atLimit.status).toBe(202);
    const over = await raw('POST', '/v1/events/send', `{"event":"odd.sent","email":"a@b.co","data":${nestedText(MAX_JSON_DEPTH)}}`);
    expect(over.status).toBe(400);
  });

  it('GraphQL: the same limit for a variable and for an inline literal; 5,000 levels are a 400 BAD_REQUEST either way', async () => {
    const viaVariable = (levels: number) =>
      raw('POST', '/graphql', `{"query":${JSON.stringify(gqlSend)},"variables":{"input":{"event":"odd.sent","email":"a@b.co","data":${nestedText(levels)}}}}`);
    const viaLiteral = (levels: number) =>
      t.http('POST', '/graphql', { token, body: { query: `mutation { sendEvent(input: {event: "odd.sent", email: "a@b.co", data: ${nestedLiteral(levels)}}) { id status } }` } });
    for (const r of [await viaVariable(5_000), await viaLiteral(5_000), await viaVariable(MAX_JSON_DEPTH), await viaLiteral(MAX_JSON_DEPTH)]) {
      expect(r.status).toBe(400);
      expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', status_code: 400 });
      expect(r.body.data ?? undefined).toBeUndefined();
    }
    expect((await viaVariable(MAX_JSON_DEPTH)).body.errors[0].message).toBe(TOO_DEEP);
    expect((await viaLiteral(MAX_JSON_DEPTH)).body.errors[0].message).toBe(TOO_DEEP);
    // As on REST: data (input is level 1) may nest MAX_JSON_DEPTH - 1 levels.
    for (const r of [await viaVariable(MAX_JSON_DEPTH - 1), await viaLiteral(MAX_JSON_DEPTH - 1)]) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.data.sendEvent.status).toBe('ACCEPTED');
    }
  });
});

describe('characters as PostgreSQL counts them', () => {
  const fe0f = (n: number) => 'a\ufe0f'.repeat(n); // 2 code points each; validator.js counted 1

  it('REST and GraphQL: 41 × "a\\uFE0F" as an event name, 1001 in a description, 101 in an automation name are 422s; at the limit they are stored as sent', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/events', { name: fe0f(41) }, 'name must be shorter than or equal to 80 characters'],
      ['POST', '/v1/events', { name: 'desc.long', description: fe0f(1001) }, 'description must be shorter than or equal to 2000 characters'],
      ['PATCH', '/v1/events/odd.sent', { description: fe0f(1001) }, 'description must be shorter than or equal to 2000 characters'],
      ['POST', '/v1/automations', { name: fe0f(101), steps: [{ key: 'trigger', type: 'trigger', event: 'odd.sent' }] }, 'name must be shorter than or equal to 200 characters'],
      ['POST', '/v1/events/send', { event: fe0f(41), email: 'a@b.co', data: {} }, 'event must be shorter than or equal to 80 characters'],
      ['POST', '/v1/events', { name: '😀'.repeat(81) }, 'name must be shorter than or equal to 80 characters'],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await t.http(method, path, { token, body });
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(422);
      expect(r.body).toEqual({ status_code: 422, name: 'validation_error', message });
    }
    const g = await t.http('POST', '/graphql', { token, body: { query: 'mutation($n: String!) { createEvent(input: {name: $n}) { id } }', variables: { n: fe0f(41) } } });
    expect(g.body.errors[0]).toMatchObject({ message: 'name must be shorter than or equal to 80 characters', extensions: { code: 'VALIDATION_ERROR', status_code: 422 } });

    // At the limit: stored and read back unchanged (a surrogate pair is one character, as in PostgreSQL).
    for (const name of [fe0f(40), '😀'.repeat(80)]) {
      const ok = await t.http('POST', '/v1/events', { token, body: { name, description: fe0f(1000) } });
      expect(ok.status).toBe(201);
      const back = await t.http('GET', `/v1/events/${ok.body.id}`, { token });
      expect(back.body.name).toBe(name);
      expect(back.body.description).toBe(fe0f(1000));
    }
  });

  it('property: an event name is stored iff it has 1–80 code points, whatever the code points; never a 500', async () => {
    const piece = fc.constantFrom('a', '\ufe0f', '\u0301', '😀', 'é', '\u200d', 'z', '𝔸');
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 70, maxLength: 90 }), async (parts) => {
        const name = `${(i++).toString(36).padStart(3, '0')}${parts.join('')}`;
        const r = await t.http('POST', '/v1/events', { token, body: { name } });
        const len = charLength(name);
        expect(len).toBe([...name].length);
        if (len <= 80) {
          expect(r.status, JSON.stringify(r.body)).toBe(201);
          expect(r.body.name).toBe(name);
        } else {
          expect(r.status).toBe(422);
          expect(r.body.message).toBe('name must be shorter than or equal to 80 characters');
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('numbers kept exactly or refused', () => {
  const send = (dataText: string) => raw('POST', '/v1/events/send', `{"event":"odd.sent","email":"n@b.co","data":{"s":"x","v":${dataText}}}`);

  it('REST: overflow, underflow, -0, integers beyond 2^53 and over-long fractions are 400s naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['1e400', /^Number 1e400 is out of range/],
      ['-1E+400', /^Number -1E\+400 is out of range/],
      [`1${'0'.repeat(400)}`, /is out of range/],
      ['1e-400', /^Number 1e-400 is too small: it would be stored as 0/],
      [`0.${'0'.repeat(400)}1`, /is too small/],
      ['-0', /^Number -0 is a negative zero/],
      ['-0.0e5', /is a negative zero/],
      ['12345678901234567890', /is an integer beyond what a double holds exactly .* stored as 12345678901234567000/],
      ['9007199254740993', /is an integer beyond/],
      ['0.123456789012345678901', /has more significant digits than a double keeps \(17\)/],
      ['[1, {"deep": 1e999}]', /^Number 1e999 is out of range/],
    ];
    for (const [text, message] of cases) {
      const r = await send(text);
      expect(r.status, text).toBe(400);
      expect(r.body.name).toBe('bad_request');
      expect(r.body.message).toMatch(message);
    }
  });

  it('REST: numbers a double holds are accepted and read back as the same number', async () => {
    const cases: [string, unknown][] = [
      ['0', 0], ['1e2', 100], ['1.5e-300', 1.5e-300], ['9007199254740991', 9007199254740991], ['-0.5', -0.5],
      ['0.10000000000000001', 0.1], ['1.7976931348623157e308', 1.7976931348623157e308], ['5e-324', 5e-324], ['12345678901234567e3', 12345678901234567000],
    ];
    for (const [text, value] of cases) {
      const r = await send(text);
      expect(r.status, `${text} ${JSON.stringify(r.body)}`).toBe(202);
      const page = await t.http('GET', `/v1/events/odd.sent/sends?limit=1`, { token });
      expect(page.body.data[0].id).toBe(r.body.id);
      expect(page.body.data[0].data.v, text).toBe(value);
    }
    // Dates and ids that look like "-0…" or "…7e3…" inside strings are text, not numbers.
    expect((await send('"2026-06-01T00:00:00-00:00 0197e312-7e3a-7000-8000-000000000000"')).status).toBe(202);
  });

  it('GraphQL: the same refusals for a variable and for a literal of a JSON scalar', async () => {
    const v = await raw('POST', '/graphql', `{"query":${JSON.stringify(gqlSend)},"variables":{"input":{"event":"odd.sent","email":"a@b.co","data":{"v":1e400}}}}`);
    expect(v.status).toBe(400);
    expect(v.body.errors[0]).toMatchObject({ message: expect.stringMatching(/^Number 1e400 is out of range/), extensions: { code: 'BAD_REQUEST', status_code: 400 } });
    for (const lit of ['1e400', '-0', '1e-400', '12345678901234567890']) {
      const r = await t.http('POST', '/graphql', { token, body: { query: `mutation { sendEvent(input: {event: "odd.sent", email: "a@b.co", data: {v: [${lit}]}}) { id } }` } });
      expect(r.status, lit).toBe(400);
      expect(r.body.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', status_code: 400 });
      expect(r.body.errors[0].message).toContain(`Number ${lit} `);
    }
    const ok = await t.http('POST', '/graphql', { token, body: { query: 'mutation { sendEvent(input: {event: "odd.sent", email: "a@b.co", data: {v: 1.5e-300, w: -0.5}}) { status data } }' } });
    expect(ok.body.data.sendEvent).toEqual({ status: 'ACCEPTED', data: { v: 1.5e-300, w: -0.5 } });
  });

  it('property: every finite double but -0, written as JavaScript writes it, is accepted; integer literals are refused exactly when they would be stored as another number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        // JavaScript writes -0 as "0"; a client writing "-0" is refused.
        if (Object.is(d, -0)) expect(numberIssue('-0', d)).toMatch(/negative zero/);
        else expect(numberIssue(JSON.stringify(d), d)).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      // Below 1e21 JavaScript writes integers without an exponent, so "stored as sent" is plain text equality.
      fc.property(fc.bigInt({ min: -(10n ** 21n) + 1n, max: 10n ** 21n - 1n }), (n) => {
        const src = n.toString();
        const exact = String(Number(src)) === src;
        expect(numberIssue(src, Number(src)) === undefined).toBe(exact);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('UTF-8', () => {
  const body = (inner: Buffer) => Buffer.concat([Buffer.from('{"event":"odd.sent","email":"u@b.co","data":{"s":"'), inner, Buffer.from('"}}')]);

  it('REST and GraphQL: invalid UTF-8 bytes anywhere in a body are a 400 (never U+FFFD); valid multi-byte text is kept', async () => {
    const invalid = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80])];
    for (const bytes of invalid) {
      const r = await raw('POST', '/v1/events/send', body(bytes));
      expect(r.status, bytes.toString('hex')).toBe(400);
      expect(r.body).toEqual(bad400('Request body is not valid UTF-8'));
      const g = await raw('POST', '/graphql', Buffer.concat([Buffer.from(`{"query":"{ event(name: \\"`), bytes, Buffer.from('\\") { id } }"}')]));
      expect(g.status).toBe(400);
      expect(g.body).toEqual({ errors: [{ message: 'Request body is not valid UTF-8', extensions: { code: 'BAD_REQUEST', status_code: 400 } }] });
    }
    const ok = await raw('POST', '/v1/events/send', body(Buffer.from('é😀€', 'utf8')));
    expect(ok.status).toBe(202);
    const page = await t.http('GET', '/v1/events/odd.sent/sends?limit=1', { token });
    expect(page.body.data[0].data.s).toBe('é😀€');
  });
});
