import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactDoc, ContactsDoc, CreateContactDoc, DeleteContactDoc, DeleteContactsDoc, UpdateContactDoc } from '../graphql/contacts.documents.js';
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
    const c = await t.gql(CreateContactDoc, { input: { email: 'Ann@Example.com', externalId: 'crm-1', firstName: 'Ann', properties: { vip: true } } }, token);
    expect(c.errors).toBeUndefined();
    expect(c.data!.createContact).toMatchObject({
      email: 'ann@example.com', phoneNumber: null, externalId: 'crm-1', firstName: 'Ann', lastName: null, source: 'API', properties: { vip: true }, isSuppressed: false,
    });
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
    expect((await t.gql(ContactsDoc, { externalId: 'crm-1' }, token)).data!.contacts.edges.map((e) => e.node.id)).toEqual([id]);
  });

  it('updateContact and deleteContact / deleteContacts; the same rules as REST', async () => {
    const c = (await t.gql(CreateContactDoc, { input: { phoneNumber: '+14155550199' } }, token)).data!.createContact;
    const u = await t.gql(UpdateContactDoc, { id: c.id, input: { lastName: 'Doe', isSuppressed: true, properties: { tier: 2 } } }, token);
    expect(u.errors).toBeUndefined();
    expect(u.data!.updateContact).toMatchObject({ phoneNumber: '+14155550199', lastName: 'Doe', isSuppressed: true, properties: { tier: 2 } });
    const none = await t.gql(UpdateContactDoc, { id: c.id, input: { phoneNumber: null } }, token);
    expect(none.errors![0].extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
    expect(none.errors![0].message).toBe('Provide at least one of email, phone_number or external_id.');
    const bad = await t.gql(CreateContactDoc, { input: { phoneNumber: '12345' } }, token);
    expect(bad.errors![0].message).toBe('phoneNumber must be a phone number in E.164 format (e.g. +14155550100)');
    expect((await t.gql(DeleteContactDoc, { id: c.id }, other)).errors![0].extensions.code).toBe('NOT_FOUND');
    const d = await t.gql(DeleteContactDoc, { id: c.id }, token);
    expect(d.data!.deleteContact).toEqual({ id: c.id, deleted: true, message: 'Contact deleted' });
    expect((await t.gql(ContactDoc, { id: c.id }, token)).errors![0].extensions.code).toBe('NOT_FOUND');
    const b = (await t.gql(CreateContactDoc, { input: { externalId: 'bulk-1' } }, token)).data!.createContact;
    const many = await t.gql(DeleteContactsDoc, { input: { ids: [b.id, c.id] } }, token);
    expect(many.data!.deleteContacts).toEqual({ message: 'Contacts deleted', deleted: [b.id] });
  });
});
