/**
 * Contact use cases. Both transports call these; the send worker uses findOrCreateContacts on its
 * own transaction (plain pg client, batched), erasure lives in contact.erase.ts.
 */
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Cursor, type Page, type PageArgs } from '../shared/pagination.js';
import { pageSizes } from '../shared/page-sizes.js';
import { Contact } from './contact.entity.js';
import { normaliseEmail } from './contact.upsert.js';
import { IDENTIFIERS, type CreateContactInput, type UpdateContactInput } from './contact.inputs.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const IDENTIFIER_REQUIRED = 'Provide at least one of email, phone_number or external_id.';
const LABEL: Record<(typeof IDENTIFIERS)[number], string> = { email: 'email', phoneNumber: 'phone_number', externalId: 'external_id' };

/** 409 naming the identifier another contact of the org already has (the unique indexes settle races). */
async function assertIdentifiersFree(em: EntityManager, org: OrgRef, c: Pick<Contact, 'email' | 'phoneNumber' | 'externalId'>, self?: string): Promise<void> {
  for (const k of IDENTIFIERS) {
    const v = c[k];
    if (v == null) continue;
    const other = await em.findOne(Contact, { organization: org.id, [k]: v, ...(self ? { id: { $ne: self } } : {}) }, { fields: ['id'] });
    if (other) throw new AppError('conflict', `A contact with ${LABEL[k]} ${v} already exists`);
  }
}

async function flushUnique(em: EntityManager, c: Contact, org: OrgRef): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    // lost a race to another request: say which identifier
    if ((err as { code?: string }).code === '23505' || (err as Error).name === 'UniqueConstraintViolationException') {
      const fresh = em.fork();
      await assertIdentifiersFree(fresh, org, c, c.id);
      throw new AppError('conflict', 'A contact with these identifiers already exists');
    }
    throw err;
  }
}

/** POST /v1/contacts, createContact: 409 when an identifier is already a contact of the org. */
export async function createContact(em: EntityManager, org: OrgRef, input: CreateContactInput): Promise<Contact> {
  const email = input.email == null ? null : normaliseEmail(input.email);
  if (email == null && input.phoneNumber == null && input.externalId == null) throw new AppError('validation_error', IDENTIFIER_REQUIRED);
  const ids = { email, phoneNumber: input.phoneNumber ?? null, externalId: input.externalId ?? null };
  // checked before the entity exists: MikroORM flushes pending entities before a query
  await assertIdentifiersFree(em, org, ids);
  const c = em.create(Contact, {
    id: uuidv7(),
    organization: org.id,
    ...ids,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    properties: input.properties ?? {},
    source: 'api',
  });
  await flushUnique(em, c, org);
  return c;
}

/** PATCH /v1/contacts/{id}, updateContact: fields given change, `null` clears; one identifier must remain. */
export async function updateContact(em: EntityManager, org: OrgRef, id: string, input: UpdateContactInput): Promise<Contact> {
  const c = await getContact(em, org, { id });
  const set = <K extends keyof UpdateContactInput>(k: K) => input[k] !== undefined;
  const ids = {
    email: set('email') ? (input.email == null ? null : normaliseEmail(input.email)) : c.email,
    phoneNumber: set('phoneNumber') ? (input.phoneNumber ?? null) : c.phoneNumber,
    externalId: set('externalId') ? (input.externalId ?? null) : c.externalId,
  };
  if (ids.email == null && ids.phoneNumber == null && ids.externalId == null) throw new AppError('validation_error', IDENTIFIER_REQUIRED);
  // checked before the entity changes: MikroORM flushes pending changes before a query
  await assertIdentifiersFree(em, org, ids, c.id);
  Object.assign(c, ids);
  if (set('firstName')) c.firstName = input.firstName ?? null;
  if (set('lastName')) c.lastName = input.lastName ?? null;
  if (set('properties')) c.properties = input.properties ?? {};
  if (input.isSuppressed != null) c.isSuppressed = input.isSuppressed;
  c.updatedAt = new Date();
  await flushUnique(em, c, org);
  return c;
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

export interface ListContactsOptions {
  page: PageArgs;
  email?: string;
  phoneNumber?: string;
  externalId?: string;
}

/** Newest first; each filter is an exact match (email case-insensitive), served by its unique index. */
export async function listContacts(em: EntityManager, org: OrgRef, opts: ListContactsOptions): Promise<Page<Contact>> {
  const where = (cursor: Cursor): FilterQuery<Contact> => ({
    organization: org.id,
    ...(opts.email != null ? { email: normaliseEmail(opts.email) } : {}),
    ...(opts.phoneNumber != null ? { phoneNumber: opts.phoneNumber } : {}),
    ...(opts.externalId != null ? { externalId: opts.externalId } : {}),
    ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
  });
  return keysetPage(
    opts.page,
    (cursor, order, limit) => em.find(Contact, where(cursor), { orderBy: { id: order }, limit }),
    pageSizes(em, Contact, where, ['properties']),
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
