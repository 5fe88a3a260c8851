/**
 * Properties (fast-check):
 *  1. arbitrary JSON bodies (and path/query text) sent to every /v1 route never yield a 5xx, and every
 *     error body is `{status_code, name, message}` with status_code equal to the HTTP status;
 *  2. every definition the API accepts reads back unchanged through GET (REST) and over GraphQL.
 */
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_MODULES } from '../../src/modules.js';
import { print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { CreateEventDoc, DeleteEventDoc, EventDoc, EventsDoc, UpdateEventDoc } from '../graphql/events.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let routes: { method: string; url: string }[] = [];
let existingId: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Props')).token;
  existingId = (await t.http('POST', '/v1/events', { token, body: { name: 'existing', schema: { fields: [{ name: 'n', type: 'number' }] } } })).body.id;
  // The routes the REST modules register (so new features are covered without editing this file).
  const probe = Fastify();
  probe.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD' && m !== 'OPTIONS') routes.push({ method: m, url: r.url });
  });
  await probe.register(async (v1) => {
    for (const mod of REST_MODULES) await v1.register(mod, { deps: t.deps });
  }, { prefix: '/v1' });
  await probe.ready();
  await probe.close();
  routes = routes.filter((r, i) => routes.findIndex((o) => o.method === r.method && o.url === r.url) === i);
  routes.push({ method: 'POST', url: '/graphql' });
});
afterAll(() => t?.close());

const key = fc.oneof(
  fc.constantFrom('name', 'description', 'schema', 'fields', 'type', 'required', 'conversion', 'enabled', 'value_field', 'currency_field', 'currencies',
    'event', 'email', 'contact_id', 'data', 'timestamp', 'trigger', 'steps', 'limit', 'id', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }),
);
/** JSON values biased toward the shapes our inputs have, so validation is exercised deeply. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 10 }),
    fc.constantFrom('string', 'number', 'boolean', 'date', 'SAR', 'order.completed', 'a@b.co', '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a', '2026-06-01T12:00:00.000Z', 'nul\u0000'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;
const body = fc.oneof(fc.dictionary(key, json, { maxKeys: 6 }), json);
const segment = fc.oneof(fc.constant('existing'), fc.constant('a\u0000'), fc.constant('01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a'), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 6 }));

function expectWellFormed(r: { status: number; body: any; text: string }, what: string) {
  expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (what.includes(' /graphql ')) {
    for (const e of r.body?.errors ?? []) {
      expect(e.extensions?.status_code, `${what} → ${r.text.slice(0, 300)}`).toBeLessThan(500);
      expect(typeof e.extensions?.code).toBe('string');
    }
    return;
  }
  if (r.status >= 400) {
    expect(Object.keys(r.body).slice(0, 3), what).toEqual(['status_code', 'name', 'message']);
    expect(r.body.status_code).toBe(r.status);
    expect(typeof r.body.message).toBe('string');
  }
}

describe('property: never a 5xx', () => {
  it('arbitrary JSON bodies to every /v1 route and to /graphql', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(5);
    await fc.assert(
      fc.asyncProperty(fc.nat(), body, segment, async (pick, payload, seg) => {
        const route = routes[pick % routes.length];
        const id = seg === 'existing' ? existingId : seg;
        const url = route.url.replace(/:(\w+)/g, () => encodeURIComponent(id));
        const withBody = route.method !== 'GET' && route.method !== 'DELETE';
        const r = await t.http(route.method, url, { token, body: withBody ? payload : undefined });
        expectWellFormed(r, `${route.method} ${url} ${JSON.stringify(payload).slice(0, 200)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary variables to every GraphQL operation of the typed documents', async () => {
    // Every operation in test/graphql/*.documents.ts (events here; other features' too), with arbitrary
    // JSON for each of its declared variables.
    const modules = import.meta.glob<Record<string, unknown>>('../graphql/*.documents.ts', { eager: true });
    const ops: { query: string; vars: string[] }[] = [];
    for (const mod of Object.values(modules)) {
      for (const doc of Object.values(mod)) {
        const def = (doc as DocumentNode)?.definitions?.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
        if (def) ops.push({ query: print(doc as DocumentNode), vars: (def.variableDefinitions ?? []).map((v) => v.variable.name.value) });
      }
    }
    for (const d of [CreateEventDoc, UpdateEventDoc, DeleteEventDoc, EventsDoc, EventDoc]) expect(ops.map((o) => o.query)).toContain(print(d));
    const arb = fc.nat().chain((pick) => {
      const op = ops[pick % ops.length];
      const names = op.vars.length ? op.vars : ['x'];
      return fc.record({ query: fc.constant(op.query), variables: fc.dictionary(fc.constantFrom(...names), json, { maxKeys: names.length }) });
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ query, variables }) => {
        const r = await t.http('POST', '/graphql', { token, body: { query, variables } });
        expectWellFormed(r, `POST /graphql ${query.slice(0, 60).replace(/\s+/g, ' ')} ${JSON.stringify(variables).slice(0, 200)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary query strings to every GET list', async () => {
    const lists = routes.filter((r) => r.method === 'GET' && !r.url.includes(':'));
    const query = fc.dictionary(fc.constantFrom('limit', 'after', 'before', 'search', 'status', 'event', 'email', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.integer().map(String)), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(fc.nat(), query, async (pick, q) => {
        const route = lists[pick % lists.length];
        const url = `${route.url}?${new URLSearchParams(q).toString()}`;
        expectWellFormed(await t.http('GET', url, { token }), `GET ${url}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('property: accepted definitions round-trip', () => {
  const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/);
  const field = fc.record(
    { name: fieldName, type: fc.constantFrom('string', 'number', 'boolean', 'date'), required: fc.boolean() },
    { requiredKeys: ['name', 'type'] },
  );
  const fields = fc.uniqueArray(field, { selector: (f) => f.name, maxLength: 12 });
  /** Conversions over the definition's own fields: plausible ones (mostly accepted) and random ones (mostly refused). */
  const conversion = (fs: { name: string; type: string }[]) => {
    const of = (type: string) => fs.filter((f) => f.type === type).map((f) => f.name);
    const pick = (names: string[]) => (names.length ? fc.option(fc.constantFrom(...names), { nil: null, freq: 3 }) : fc.constant(null));
    const codes = (from: string[]) => fc.option(fc.uniqueArray(fc.constantFrom(...from), { minLength: 1, maxLength: 3 }), { nil: null });
    const plausible = fc.record(
      { enabled: fc.constant(true), value_field: pick(of('number')), currency_field: pick(of('string')), currencies: codes(['SAR', 'USD', 'EUR']) },
      { requiredKeys: ['enabled', 'value_field'] },
    );
    const ref = fc.option(fc.oneof(pick(fs.map((f) => f.name)), fieldName), { nil: null });
    const random = fc.record(
      { enabled: fc.boolean(), value_field: ref, currency_field: ref, currencies: codes(['SAR', 'usd', 'XXZ', 'EUR']) },
      { requiredKeys: ['enabled', 'value_field'] },
    );
    return fc.oneof(plausible, random);
  };
  const definition = fields.chain((fs) =>
    fc.record(
      {
        name: fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })),
        description: fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 40 })), { nil: null }),
        schema: fc.constant({ fields: fs }),
        conversion: conversion(fs),
      },
      { requiredKeys: ['name'] },
    ),
  );
  let n = 0;

  it('POST → GET by id returns what was sent (defaults filled in), REST and GraphQL agree', async () => {
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        const tok = (await t.createOrg(`rt${n++}`)).token; // names may repeat across runs
        const created = await t.http('POST', '/v1/events', { token: tok, body: def });
        expectWellFormed(created, JSON.stringify(def));
        if (created.status !== 201) return; // refused (e.g. a name longer than 80 code units): not a round-trip case
        const expected = {
          name: def.name,
          description: def.description ?? null,
          schema: { fields: (def.schema?.fields ?? []).map((f) => ({ name: f.name, type: f.type, required: f.required ?? false })) },
          // enabled:false clears the rest (spec §3); an enabled one is returned as sent.
          conversion: def.conversion?.enabled
            ? { enabled: true, value_field: def.conversion.value_field, currency_field: def.conversion.currency_field ?? null, currencies: def.conversion.currencies ?? null }
            : { enabled: false, value_field: null, currency_field: null, currencies: null },
        };
        expect(created.body).toMatchObject(expected);
        const got = await t.http('GET', `/v1/events/${created.body.id}`, { token: tok });
        expect(got.status).toBe(200);
        expect(got.body).toEqual(created.body);
        // By name too, unless the name looks like an id, or is "." / ".." (URL dot-segments: clients resolve them away).
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(def.name) && def.name !== '.' && def.name !== '..') {
          const byName = await t.http('GET', `/v1/events/${encodeURIComponent(def.name)}`, { token: tok });
          expect(byName.body).toEqual(created.body);
        }
        const g = await t.gql(EventDoc, { id: created.body.id }, tok);
        expect(g.data?.event).toMatchObject({ id: created.body.id, name: def.name, description: expected.description, createdAt: created.body.created_at });
        expect(g.data!.event.schema.fields.map((f) => ({ ...f, type: f.type.toLowerCase() }))).toEqual(expected.schema.fields);
      }),
      { numRuns: 100 },
    );
  });
});
