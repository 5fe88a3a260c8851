import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContacts } from '../../src/contacts/contact.upsert.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
let other: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ token, orgId } = await t.createOrg('Acme'));
  other = (await t.createOrg('Other')).token;
});
afterAll(() => t?.close());

describe('contacts over REST', () => {
  it('creates a contact (email stored lower-cased), gets it, 409 on a duplicate email in the same org', async () => {
    const r = await t.http('POST', '/v1/contacts', { token, body: { email: 'Jane@Example.COM', attributes: { plan: 'pro', nested: { a_b: 1 } } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'jane@example.com',
      attributes: { plan: 'pro', nested: { a_b: 1 } },
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const got = await t.http('GET', `/v1/contacts/${r.body.id}`, { token });
    expect(got.body).toEqual(r.body);
    const dup = await t.http('POST', '/v1/contacts', { token, body: { email: 'jane@example.com' } });
    expect(dup.status).toBe(409);
    expect(dup.body.name).toBe('conflict');
    // another organization has its own contacts and cannot see this one
    expect((await t.http('POST', '/v1/contacts', { token: other, body: { email: 'jane@example.com' } })).status).toBe(201);
    expect((await t.http('GET', `/v1/contacts/${r.body.id}`, { token: other })).status).toBe(404);
  });

  it('422 for a bad email or unknown properties; 404 for unknown ids', async () => {
    const r = await t.http('POST', '/v1/contacts', { token, body: { email: 'nope', foo: 1 } });
    expect(r.status).toBe(422);
    expect(r.body.message.split(', ').sort()).toEqual(['email must be an email', 'property foo should not exist']);
    expect((await t.http('GET', '/v1/contacts/0195f3a0-0000-7000-8000-000000000000', { token })).status).toBe(404);
    expect((await t.http('GET', '/v1/contacts/not-a-uuid', { token })).status).toBe(404);
  });

  it('lists newest first with keyset pages and an email filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.http('POST', '/v1/contacts', { token, body: { email: `list${i}@example.com` } })).body.id);
    const p1 = await t.http('GET', '/v1/contacts?limit=2', { token });
    expect(p1.body).toMatchObject({ object: 'list', has_more: true });
    expect(p1.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const p2 = await t.http('GET', `/v1/contacts?limit=2&after=${ids[1]}`, { token });
    expect(p2.body.data[0].id).toBe(ids[0]);
    const byEmail = await t.http('GET', '/v1/contacts?email=LIST1@example.com', { token });
    expect(byEmail.body.data.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
  });

  it('find-or-create is race-safe: concurrent transactions creating the same contacts get one row each', async () => {
    const emails = ['race1@example.com', 'RACE2@example.com', 'race1@example.com'];
    const run = async () => {
      const c = await t.deps.pool.connect();
      try {
        await c.query('begin');
        const m = await findOrCreateContacts(c, emails.map((email) => ({ orgId, email })));
        await c.query('commit');
        return m;
      } finally {
        c.release();
      }
    };
    const maps = await Promise.all(Array.from({ length: 8 }, run));
    const ids = maps.map((m) => m.get(`${orgId}\u0000race1@example.com`));
    expect(new Set(ids).size).toBe(1);
    expect(maps.every((m) => m.size === 2)).toBe(true);
    const n = await t.deps.pool.query(`select count(*)::int n from contacts where organization_id = $1 and email like 'race%'`, [orgId]);
    expect(n.rows[0].n).toBe(2);
  });
});
