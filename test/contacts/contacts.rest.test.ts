import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContacts } from '../../src/contacts/contact.upsert.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

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
    const r = await t.http('POST', '/v1/contacts', { token, body: { email: 'Jane@Example.COM', properties: { plan: 'pro', nested: { a_b: 1 } } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'jane@example.com',
      phone_number: null,
      external_id: null,
      first_name: null,
      last_name: null,
      source: 'api',
      properties: { plan: 'pro', nested: { a_b: 1 } },
      is_suppressed: false,
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

  it('creates by phone_number or external_id alone, with names; 422 without any identifier or with a bad phone/external_id', async () => {
    const r = await t.http('POST', '/v1/contacts', { token, body: { phone_number: '+14155550100', first_name: 'Ann', last_name: 'Lee' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ email: null, phone_number: '+14155550100', external_id: null, first_name: 'Ann', last_name: 'Lee', source: 'api', properties: {} });
    const x = await t.http('POST', '/v1/contacts', { token, body: { external_id: 'crm-42' } });
    expect(x.status).toBe(201);
    expect(x.body.external_id).toBe('crm-42');
    const none = await t.http('POST', '/v1/contacts', { token, body: { first_name: 'Nobody', properties: { a: 1 } } });
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('Provide at least one of email, phone_number or external_id.');
    const bad = await t.http('POST', '/v1/contacts', { token, body: { phone_number: '0044 20 7946', external_id: 'x'.repeat(256) } });
    expect(bad.status).toBe(422);
    expect(bad.body.message.split(', ').sort()).toEqual([
      'external_id must be shorter than or equal to 255 characters',
      'phone_number must be a phone number in E.164 format (e.g. +14155550100)',
    ]);
    expect((await t.http('POST', '/v1/contacts', { token, body: { external_id: 'x'.repeat(255) } })).status).toBe(201);
    const dupPhone = await t.http('POST', '/v1/contacts', { token, body: { phone_number: '+14155550100' } });
    expect(dupPhone.status).toBe(409);
    expect(dupPhone.body.message).toBe('A contact with phone_number +14155550100 already exists');
    expect((await t.http('POST', '/v1/contacts', { token, body: { external_id: 'crm-42' } })).status).toBe(409);
  });

  it('PATCH changes only the fields given, null clears, one identifier must remain, 409 on a taken identifier', async () => {
    const c = (await t.http('POST', '/v1/contacts', { token, body: { email: 'patch@example.com', properties: { a: 1 } } })).body;
    const p = await t.http('PATCH', `/v1/contacts/${c.id}`, { token, body: { phone_number: '+33612345678', first_name: 'Pat', properties: { b: 2 }, is_suppressed: true } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id: c.id, email: 'patch@example.com', phone_number: '+33612345678', first_name: 'Pat', last_name: null, properties: { b: 2 }, is_suppressed: true, source: 'api' });
    expect(Date.parse(p.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(c.updated_at));
    expect((await t.http('GET', `/v1/contacts/${c.id}`, { token })).body).toEqual(p.body);
    const cleared = await t.http('PATCH', `/v1/contacts/${c.id}`, { token, body: { email: null } });
    expect(cleared.body).toMatchObject({ email: null, phone_number: '+33612345678' });
    const none = await t.http('PATCH', `/v1/contacts/${c.id}`, { token, body: { phone_number: null } });
    expect(none.status).toBe(422);
    await t.http('POST', '/v1/contacts', { token, body: { email: 'taken@example.com' } });
    const taken = await t.http('PATCH', `/v1/contacts/${c.id}`, { token, body: { email: 'TAKEN@example.com' } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toBe('A contact with email taken@example.com already exists');
    expect((await t.http('PATCH', `/v1/contacts/${c.id}`, { token, body: { source: 'event' } })).status).toBe(422);
    expect((await t.http('PATCH', `/v1/contacts/${c.id}`, { token: other, body: { first_name: 'x' } })).status).toBe(404);
  });

  it('GET /v1/contacts filters by email, phone_number and external_id (paginated)', async () => {
    const a = (await t.http('POST', '/v1/contacts', { token, body: { email: 'f1@example.com', phone_number: '+4915112345678', external_id: 'ext-f1' } })).body;
    await t.http('POST', '/v1/contacts', { token, body: { email: 'f2@example.com', phone_number: '+4915112345679', external_id: 'ext-f2' } });
    for (const q of ['email=F1%40example.com', 'phone_number=%2B4915112345678', 'external_id=ext-f1']) {
      const r = await t.http('GET', `/v1/contacts?${q}`, { token });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ object: 'list', has_more: false });
      expect(r.body.data.map((c: { id: string }) => c.id)).toEqual([a.id]);
    }
    expect((await t.http('GET', '/v1/contacts?external_id=nope', { token })).body.data).toEqual([]);
    expect((await t.http('GET', '/v1/contacts?external_id=ext-f1', { token: other })).body.data).toEqual([]);
    expect((await t.http('GET', '/v1/contacts?plan=pro', { token })).status).toBe(422);
  });

  it('a send by a new email creates a contact with source "event"', async () => {
    const w = await startTestApp({ worker: true, databaseUrl: t.databaseUrl });
    try {
      await t.http('POST', '/v1/events', { token, body: { name: 'signup.done' } });
      const s = await t.http('POST', '/v1/events/send', { token, body: { event: 'signup.done', email: 'New.Person@Example.com', data: {} } });
      expect(s.status).toBe(202);
      const found = await until(() => t.http('GET', '/v1/contacts?email=new.person@example.com', { token }), (r) => r.body.data.length === 1);
      expect(found.body.data[0]).toMatchObject({ email: 'new.person@example.com', source: 'event', properties: {}, phone_number: null });
    } finally {
      await w.close();
    }
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
