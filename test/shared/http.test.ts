/**
 * Transport rules every route shares (spec §2): request bodies, sizes, routing, rate limits,
 * health/readiness, the OpenAPI document and the committed SDL.
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, getOrganization } from '../../src/auth/api-key.service.js';
import { PROJECT_ROOT } from '../../src/config.js';
import { renderSchema } from '../../src/emit-schema.js';
import { REST_MODULES } from '../../src/modules.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const RATE_MESSAGE = 'Too many requests. Please retry after the period indicated in the retry-after header.';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
});
afterAll(() => t?.close());

const bad = (message?: string) => (message ? { status_code: 400, name: 'bad_request', message } : expect.objectContaining({ status_code: 400, name: 'bad_request' }));

describe('request bodies', () => {
  it('unparseable JSON is a 400 bad_request', async () => {
    for (const raw of ['{"name":', '{name: "x"}', "{'a':1}", 'nope', '{"a":1}}']) {
      const r = await t.http('POST', '/v1/events', { token, raw, headers: { 'content-type': 'application/json' } });
      expect(r.status, raw).toBe(400);
      expect(r.body).toEqual(bad('Request body is not valid JSON'));
    }
  });

  it('JSON that is not an object (array, string, number, boolean, null) is a 400', async () => {
    for (const raw of ['[]', '[{"name":"x"}]', '"order.completed"', '42', 'true', 'null']) {
      for (const [method, url] of [['POST', '/v1/events'], ['PATCH', '/v1/events/x']]) {
        const r = await t.http(method, url, { token, raw, headers: { 'content-type': 'application/json' } });
        expect(r.status, `${method} ${raw}`).toBe(400);
        expect(r.body).toEqual(bad('Request body must be a JSON object'));
      }
    }
  });

  it('an empty or missing body is a 400 where a body is needed', async () => {
    const json = { 'content-type': 'application/json' };
    expect((await t.http('POST', '/v1/events', { token, raw: '', headers: json })).body).toEqual(bad('Request body must be a JSON object'));
    expect((await t.http('POST', '/v1/events', { token, raw: '  ', headers: json })).body).toEqual(bad('Request body must be a JSON object'));
    expect((await t.http('POST', '/v1/events', { token })).body).toEqual(bad('Request body must be a JSON object'));
    expect((await t.http('PATCH', '/v1/events/x', { token, headers: json })).body).toEqual(bad('Request body must be a JSON object'));
  });

  it('Content-Type: application/json without a body is fine on GET and DELETE (clients that always send it)', async () => {
    const json = { 'content-type': 'application/json' };
    const c = await t.http('POST', '/v1/events', { token, body: { name: 'ct.delete' } });
    expect((await t.http('GET', `/v1/events/${c.body.id}`, { token, headers: json })).status).toBe(200);
    expect((await t.http('GET', '/v1/events?limit=&after=&search=', { token, headers: json })).status).toBe(200);
    expect((await t.http('DELETE', `/v1/events/${c.body.id}`, { token, headers: json })).body).toEqual({ object: 'event', id: c.body.id, deleted: true });
  });

  it('a body not sent as application/json is a 400', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const r = await t.http('POST', '/v1/events', { token, raw: '{"name":"ct.test"}', headers: { 'content-type': type } });
      expect(r.status, type).toBe(400);
      expect(r.body).toEqual(bad('Content-Type must be application/json'));
    }
    const ok = await t.http('POST', '/v1/events', { token, raw: '{"name":"ct.test"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(ok.status).toBe(201);
  });

  it('a body over 256 KiB is a 413; just under is processed', async () => {
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(256 * 1024) });
    const r = await t.http('POST', '/v1/events', { token, raw: big, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ status_code: 413, name: 'payload_too_large' });
    const under = JSON.stringify({ name: 'big', description: 'x'.repeat(256 * 1024 - 100) });
    const u = await t.http('POST', '/v1/events', { token, raw: under, headers: { 'content-type': 'application/json' } });
    expect(u.status).toBe(422); // read and validated (description too long), not refused for size
  });
});

describe('routing', () => {
  it('unknown routes and methods are 404 not_found', async () => {
    for (const [method, url] of [['GET', '/v1/nope'], ['GET', '/nope'], ['PUT', '/v1/events/x'], ['DELETE', '/v1/events'], ['POST', '/v1/events/x'], ['PATCH', '/v1/events']]) {
      const r = await t.http(method, url, { token, body: method === 'GET' ? undefined : {} });
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.body).toMatchObject({ status_code: 404, name: 'not_found' });
      expect(typeof r.body.message).toBe('string');
    }
  });

  it('error bodies start with status_code, name, message', async () => {
    const r = await t.http('GET', '/v1/nope', { token });
    expect(Object.keys(r.body).slice(0, 3)).toEqual(['status_code', 'name', 'message']);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('every response carries a request id', async () => {
    const r = await t.http('GET', '/v1/events', { token });
    expect(r.headers.get('x-request-id')).toMatch(/^[\w.-]+$/);
    const given = await t.http('GET', '/v1/events', { token, headers: { 'x-request-id': 'my-trace.1' } });
    expect(given.headers.get('x-request-id')).toBe('my-trace.1');
  });
});

describe('health, readiness, docs', () => {
  it('/health and /ready need no key', async () => {
    expect(await t.http('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await t.http('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('/openapi.json is OpenAPI 3.1 and lists every /v1 route', async () => {
    const r = await t.http('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\.1\./);
    // The routes the REST modules actually register, collected from a bare Fastify instance.
    const probe = Fastify();
    const routes: { method: string; url: string }[] = [];
    probe.addHook('onRoute', (route) => {
      for (const m of [route.method].flat()) if (m !== 'HEAD') routes.push({ method: m.toLowerCase(), url: route.url });
    });
    await probe.register(async (v1) => {
      for (const mod of REST_MODULES) await v1.register(mod, { deps: t.deps });
    }, { prefix: '/v1' });
    await probe.ready();
    await probe.close();
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const { method, url } of routes) {
      const p = url.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
      expect(r.body.paths[p]?.[method], `${method} ${p}`).toBeDefined();
    }
    expect(Object.keys(r.body.paths['/v1/events']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(r.body.paths['/v1/events/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(r.body.paths['/v1/events'].post.requestBody).toBeDefined();
  });

  it('the docs page is served', async () => {
    const r = await t.http('GET', '/docs');
    expect([200, 302]).toContain(r.status);
  });

  it('schema/schema.graphql is what the resolvers emit (run `npm run schema:emit` when this fails)', async () => {
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'schema', 'schema.graphql'), 'utf8');
    expect(await renderSchema()).toBe(committed);
  });
});

describe('rate limiting (per organization, across its keys)', () => {
  let rl: TestApp;
  beforeAll(async () => {
    rl = await startTestApp({ config: { rateLimitMax: 5 } });
  });
  afterAll(() => rl?.close());

  it('ratelimit headers on every response; 429 with retry-after and the spec message; shared by two keys', async () => {
    const { orgId, token: a } = await rl.createOrg('Limited');
    const em = rl.deps.orm.em.fork();
    const { token: b } = await createApiKey(em, await getOrganization(em, orgId));
    const other = (await rl.createOrg('Unaffected')).token;

    const calls: [string, string, string][] = [['GET', '/v1/events', a], ['GET', '/v1/nope', b], ['POST', '/v1/events', a], ['GET', '/v1/events', b], ['GET', '/v1/events', a]];
    for (const [i, [method, url, tok]] of calls.entries()) {
      const r = await rl.http(method, url, { token: tok, body: method === 'POST' ? { name: '' } : undefined });
      expect(r.status).toBe([200, 404, 422, 200, 200][i]);
      expect(r.headers.get('ratelimit-limit')).toBe('5');
      expect(r.headers.get('ratelimit-remaining')).toBe(String(4 - i));
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    for (const tok of [b, a]) {
      const r = await rl.http('GET', '/v1/events', { token: tok });
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ status_code: 429, name: 'rate_limit_exceeded', message: RATE_MESSAGE });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-limit')).toBe('5');
    }
    const g = await rl.http('POST', '/graphql', { token: a, body: { query: '{ events { edges { cursor } } }' } });
    expect(g.status).toBe(429);
    expect(g.body.errors[0]).toEqual({ message: RATE_MESSAGE, extensions: { code: 'RATE_LIMITED', status_code: 429 } });
    expect(g.headers.get('retry-after')).toBeTruthy();

    const fine = await rl.http('GET', '/v1/events', { token: other });
    expect(fine.status).toBe(200);
    expect(fine.headers.get('ratelimit-remaining')).toBe('4');
    expect((await rl.http('GET', '/health')).status).toBe(200);
  });
});
