/**
 * Organizations and API keys (spec §1): key format, hash-only storage, last_used_at, the 401 on
 * every route for missing/malformed/unknown/revoked keys, and tenant isolation.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, getOrganization, listApiKeys, revokeApiKey } from '../../src/auth/api-key.service.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const UNAUTHORIZED = { status_code: 401, name: 'unauthorized', message: 'Invalid or missing API key' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('API keys', () => {
  it('are be_ + 43 url-safe random characters, and only their SHA-256 is stored', async () => {
    const a = await t.createOrg('Hash');
    const b = await t.createOrg('Hash2');
    expect(a.token).toMatch(/^be_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    const rows = await t.deps.pool.query('select * from api_keys where id = $1', [a.keyId]);
    const row = rows.rows[0];
    expect(row.token_hash.trim()).toBe(createHash('sha256').update(a.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(a.token.slice(3));
    expect(row.token_prefix).toBe(a.token.slice(0, row.token_prefix.length));
    expect(row.token_prefix.length).toBeLessThanOrEqual(12);
  });

  it('record last_used_at', async () => {
    const a = await t.createOrg('Used');
    const before = await t.deps.pool.query('select last_used_at from api_keys where id = $1', [a.keyId]);
    expect(before.rows[0].last_used_at).toBeNull();
    expect((await t.http('GET', '/v1/events', { token: a.token })).status).toBe(200);
    let used: Date | null = null;
    for (let i = 0; i < 40 && !used; i++) {
      used = (await t.deps.pool.query('select last_used_at from api_keys where id = $1', [a.keyId])).rows[0].last_used_at;
      if (!used) await new Promise((r) => setTimeout(r, 25));
    }
    expect(used).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - used!.getTime())).toBeLessThan(60_000);
  });

  it('the auth scheme is case-insensitive', async () => {
    const a = await t.createOrg('Scheme');
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await t.http('GET', '/v1/events', { headers: { authorization: `${scheme} ${a.token}` } })).status).toBe(200);
    }
  });
});

describe('401 unauthorized', () => {
  const bad = (token: string) => [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    `Basic ${Buffer.from('user:pass').toString('base64')}`,
    'Bearer nope',
    `Bearer be_${'a'.repeat(31)}`,
    `Bearer be_${'a'.repeat(43)}`,
    `Bearer ${token.slice(3)}`,
    `Bearer ${token}x`,
    `Bearer ${token} extra`,
    `Token ${token}`,
    token,
  ];

  it('for missing, malformed and unknown keys on REST routes (known or not)', async () => {
    const { token } = await t.createOrg('Keys');
    for (const [method, url] of [['GET', '/v1/events'], ['POST', '/v1/events'], ['GET', '/v1/events/x'], ['PATCH', '/v1/events/x'], ['DELETE', '/v1/events/x'], ['GET', '/v1/unknown']]) {
      for (const auth of bad(token)) {
        const r = await t.http(method, url, { headers: auth === undefined ? {} : { authorization: auth }, body: method === 'POST' || method === 'PATCH' ? { name: 'x' } : undefined });
        expect(r.status, `${method} ${url} ${auth}`).toBe(401);
        expect(r.body).toEqual(UNAUTHORIZED);
      }
    }
  });

  it('for GraphQL, as UNAUTHENTICATED', async () => {
    const { token } = await t.createOrg('GqlKeys');
    for (const auth of bad(token)) {
      const r = await t.http('POST', '/graphql', { headers: auth === undefined ? {} : { authorization: auth }, body: { query: '{ events { edges { cursor } } }' } });
      expect(r.status).toBe(401);
      expect(r.body.errors[0]).toEqual({ message: UNAUTHORIZED.message, extensions: { code: 'UNAUTHENTICATED', status_code: 401 } });
    }
  });

  it('a revoked key is refused at once; the organization\'s other keys keep working', async () => {
    const a = await t.createOrg('Revoke');
    const em = t.deps.orm.em.fork();
    const second = await createApiKey(em, await getOrganization(em, a.orgId));
    expect((await t.http('GET', '/v1/events', { token: second.token })).status).toBe(200);
    await revokeApiKey(t.deps.orm.em.fork(), second.key.id, t.deps.caches);
    const r = await t.http('GET', '/v1/events', { token: second.token });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(UNAUTHORIZED);
    expect((await t.http('GET', '/v1/events', { token: a.token })).status).toBe(200);
    const keys = await listApiKeys(t.deps.orm.em.fork(), a.orgId);
    expect(keys.find((k) => k.id === second.key.id)!.revokedAt).toBeInstanceOf(Date);
  });

  it('a key revoked from another process (NOTIFY only, no shared cache) is refused at once', async () => {
    const a = await t.createOrg('Remote');
    expect((await t.http('GET', '/v1/events', { token: a.token })).status).toBe(200); // cached now
    // Revoke without this process's caches: only the LISTEN/NOTIFY invalidation can reach them.
    await revokeApiKey(t.deps.orm.em.fork(), a.keyId);
    let status = 200;
    for (let i = 0; i < 20 && status === 200; i++) {
      status = (await t.http('GET', '/v1/events', { token: a.token })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe(401);
  });

  it('public endpoints need no key', async () => {
    for (const url of ['/health', '/ready', '/openapi.json']) expect((await t.http('GET', url)).status, url).toBe(200);
  });
});

describe('tenant isolation', () => {
  it('another organization\'s definition behaves exactly like one that does not exist', async () => {
    const a = await t.createOrg('A');
    const b = await t.createOrg('B');
    const mine = (await t.http('POST', '/v1/events', { token: a.token, body: { name: 'private.event' } })).body;
    const missing = '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a';
    for (const [method, body] of [['GET', undefined], ['PATCH', { description: 'x' }], ['DELETE', undefined]] as const) {
      const foreign = await t.http(method, `/v1/events/${mine.id}`, { token: b.token, body });
      const absent = await t.http(method, `/v1/events/${missing}`, { token: b.token, body });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ ...absent.body, message: absent.body.message.replace(missing, mine.id) });
    }
    expect((await t.http('GET', '/v1/events?search=private', { token: b.token })).body.data).toEqual([]);
    // B may use the same name: names are unique per organization only.
    expect((await t.http('POST', '/v1/events', { token: b.token, body: { name: 'private.event' } })).status).toBe(201);
    expect((await t.http('GET', `/v1/events/${mine.id}`, { token: a.token })).body).toEqual(mine);
  });
});
