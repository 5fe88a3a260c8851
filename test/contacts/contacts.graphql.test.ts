import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactDoc, ContactsDoc, CreateContactDoc } from '../graphql/contacts.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
});
afterAll(() => t?.close());

describe('contacts over GraphQL', () => {
  it('createContact, contact(id|email), contacts; CONFLICT on a duplicate; NOT_FOUND across orgs', async () => {
    const c = await t.gql(CreateContactDoc, { input: { email: 'Ann@Example.com', attributes: { vip: true } } }, token);
    expect(c.errors).toBeUndefined();
    expect(c.data!.createContact).toMatchObject({ email: 'ann@example.com', attributes: { vip: true } });
    const id = c.data!.createContact.id;
    expect((await t.gql(ContactDoc, { id }, token)).data!.contact.email).toBe('ann@example.com');
    expect((await t.gql(ContactDoc, { email: 'ANN@example.com' }, token)).data!.contact.id).toBe(id);
    const dup = await t.gql(CreateContactDoc, { input: { email: 'ann@example.com' } }, token);
    expect(dup.errors![0].extensions).toMatchObject({ code: 'CONFLICT', status_code: 409 });
    expect((await t.gql(ContactDoc, { id }, other)).errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.gql(ContactDoc, {}, token)).errors![0].extensions.code).toBe('BAD_REQUEST');
    const list = await t.gql(ContactsDoc, { first: 10 }, token);
    expect(list.data!.contacts.edges.map((e) => e.node.id)).toEqual([id]);
    expect((await t.gql(ContactsDoc, { email: 'nobody@example.com' }, token)).data!.contacts.edges).toEqual([]);
  });
});
