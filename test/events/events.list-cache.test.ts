/**
 * Definition lists are cached per process (src/events/event.service.ts listEvents): every change
 * made here shows at once on both transports, a change made by another process shows as soon as its
 * NOTIFY arrives, and a page read before a change is never kept after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/shared/caches.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const names = (r: { body: { data: { name: string }[] } }) => r.body.data.map((d) => d.name);
const gqlNames = async (token: string) => {
  const r = await t.http('POST', '/graphql', { token, body: { query: '{ events(first: 20) { edges { node { name description } } } }' } });
  return (r.body.data.events.edges as { node: { name: string; description: string | null } }[]).map((e) => e.node);
};

describe('GET /v1/events and GraphQL events: cached lists stay exact', () => {
  it('create, update and delete on this process show in the next list, REST and GraphQL', async () => {
    const { token } = await t.createOrg('Lists');
    expect(names(await t.http('GET', '/v1/events', { token }))).toEqual([]);
    expect(await gqlNames(token)).toEqual([]);

    const a = await t.http('POST', '/v1/events', { token, body: { name: 'a.one' } });
    expect(a.status).toBe(201);
    expect(names(await t.http('GET', '/v1/events', { token }))).toEqual(['a.one']);
    expect((await gqlNames(token)).map((n) => n.name)).toEqual(['a.one']);

    await t.http('POST', '/v1/events', { token, body: { name: 'b.two' } });
    expect(names(await t.http('GET', '/v1/events', { token }))).toEqual(['b.two', 'a.one']);
    expect(names(await t.http('GET', '/v1/events?limit=1', { token }))).toEqual(['b.two']);

    const patched = await t.http('PATCH', `/v1/events/${a.body.id}`, { token, body: { description: 'now described' } });
    expect(patched.status).toBe(200);
    const listed = await t.http('GET', '/v1/events', { token });
    expect(listed.body.data[1]).toEqual(patched.body);
    expect((await gqlNames(token))[1]).toEqual({ name: 'a.one', description: 'now described' });

    expect((await t.http('DELETE', `/v1/events/${a.body.id}`, { token })).status).toBe(200);
    expect(names(await t.http('GET', '/v1/events', { token }))).toEqual(['b.two']);
    expect(names(await t.http('GET', '/v1/events?limit=1', { token }))).toEqual(['b.two']);
    expect((await gqlNames(token)).map((n) => n.name)).toEqual(['b.two']);
  });

  it('each organization has its own pages: a change in one leaves the other\'s list as it is', async () => {
    const one = await t.createOrg('One');
    const two = await t.createOrg('Two');
    await t.http('POST', '/v1/events', { token: one.token, body: { name: 'only.one' } });
    expect(names(await t.http('GET', '/v1/events', { token: two.token }))).toEqual([]);
    await t.http('POST', '/v1/events', { token: two.token, body: { name: 'only.two' } });
    expect(names(await t.http('GET', '/v1/events', { token: one.token }))).toEqual(['only.one']);
    expect(names(await t.http('GET', '/v1/events', { token: two.token }))).toEqual(['only.two']);
  });

  it('a change made by another process shows as soon as its NOTIFY arrives (long before CACHE_TTL_MS)', async () => {
    const { token, orgId } = await t.createOrg('Remote lists');
    await t.http('POST', '/v1/events', { token, body: { name: 'remote.one', description: 'before' } });
    expect((await t.http('GET', '/v1/events', { token })).body.data[0].description).toBe('before'); // cached now
    // What another server process does: change the row, then NOTIFY (not this process's caches).
    await t.deps.pool.query(`update event_definitions set description = 'after', updated_at = now() where organization_id = $1`, [orgId]);
    await t.deps.pool.query(`select pg_notify('arsel_cache', $1)`, [`events:${orgId}`]);
    let description = 'before';
    const started = Date.now();
    while (description === 'before' && Date.now() - started < 2_000) {
      description = (await t.http('GET', '/v1/events', { token })).body.data[0].description;
      if (description === 'before') await new Promise((r) => setTimeout(r, 10));
    }
    expect(description).toBe('after');
    expect(Date.now() - started).toBeLessThan(t.deps.config.cacheTtlMs);
  });
});

describe('TtlCache', () => {
  it('an answer looked up before an invalidation is not stored after it', () => {
    const c = new TtlCache<string>(60_000);
    const since = c.version; // a lookup starts
    c.deletePrefix('org\u0000'); // a writer commits and invalidates meanwhile
    c.set('org\u0000k', 'stale', since); // the lookup's (older) answer arrives
    expect(c.get('org\u0000k')).toBeUndefined();
    const again = c.version;
    c.set('org\u0000k', 'fresh', again);
    expect(c.get('org\u0000k')).toBe('fresh');
  });

  it('entries expire after the TTL', async () => {
    const c = new TtlCache<number>(20);
    c.set('k', 1);
    expect(c.get('k')).toBe(1);
    await new Promise((r) => setTimeout(r, 40));
    expect(c.get('k')).toBeUndefined();
  });
});
