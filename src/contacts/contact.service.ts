/**
 * Contact use cases. Both transports call these; the send worker uses findOrCreateContacts on its
 * own transaction (plain pg client, batched).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Page, type PageArgs } from '../shared/pagination.js';
import { Contact } from './contact.entity.js';
import { normaliseEmail } from './contact.upsert.js';
import type { CreateContactInput } from './contact.inputs.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** POST /v1/contacts, createContact: 409 when the email is already a contact of the org. */
export async function createContact(em: EntityManager, org: OrgRef, input: CreateContactInput): Promise<Contact> {
  const email = normaliseEmail(input.email);
  const conn = em.getConnection();
  // insert … on conflict do nothing: a racing worker's find-or-create never turns into a 500.
  const id = uuidv7();
  const rows = await conn.execute<{ id: string }[]>(
    `insert into contacts (id, organization_id, email, attributes) values (?, ?, ?, ?)
     on conflict (organization_id, email) do nothing returning id`,
    [id, org.id, email, JSON.stringify(input.attributes ?? {})],
  );
  if (!rows.length) throw new AppError('conflict', `A contact with email ${email} already exists`);
  return (await em.findOne(Contact, { id }))!;
}

export interface GetContactOptions {
  id?: string | null;
  email?: string | null;
}

/** By id or by email (case-insensitive); another org's contact is "not found". */
export async function getContact(em: EntityManager, org: OrgRef, opts: GetContactOptions): Promise<Contact> {
  if ((opts.id == null) === (opts.email == null)) throw new AppError('bad_request', 'Provide either id or email.');
  let c: Contact | null = null;
  if (opts.id != null) c = UUID_RE.test(opts.id) ? await em.findOne(Contact, { id: opts.id, organization: org.id }) : null;
  else c = await em.findOne(Contact, { email: normaliseEmail(opts.email!), organization: org.id });
  if (!c) throw AppError.notFound(`Contact ${opts.id ?? opts.email} not found`);
  return c;
}

export async function listContacts(em: EntityManager, org: OrgRef, opts: { page: PageArgs; email?: string }): Promise<Page<Contact>> {
  return keysetPage(opts.page, (cursor, order, limit) =>
    em.find(
      Contact,
      {
        organization: org.id,
        ...(opts.email ? { email: normaliseEmail(opts.email) } : {}),
        ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
      },
      { orderBy: { id: order }, limit },
    ),
  );
}

/** Whether a contact id exists in the org (send accept path; plain pool, it runs per request). */
export async function contactExists(pool: pg.Pool, orgId: string, id: string): Promise<boolean> {
  if (!UUID_RE.test(id)) return false;
  const r = await pool.query({ name: 'contact_exists', text: 'select 1 from contacts where id = $1 and organization_id = $2', values: [id, orgId] });
  return r.rowCount! > 0;
}

/** Which of these ids are contacts of the org (one query for a whole batch of sends). */
export async function existingContacts(pool: pg.Pool, orgId: string, ids: string[]): Promise<Set<string>> {
  const valid = [...new Set(ids.filter((id) => UUID_RE.test(id)))];
  if (!valid.length) return new Set();
  const r = await pool.query<{ id: string }>('select id from contacts where organization_id = $1 and id = any($2::uuid[])', [orgId, valid]);
  return new Set(r.rows.map((x) => x.id));
}
