/**
 * Sending events (spec §4): request checks → cached definition → data validation → the group
 * committer. Both transports call acceptSends; only the response shape differs per transport.
 */
import { isEmail, isISO8601 } from 'class-validator';
import { countSends } from '../metrics/metrics.js';
import { contactExists, existingContacts } from '../contacts/contact.service.js';
import { findLiveDefinition } from '../events/event.cache.js';
import type { Deps, OrgRef } from '../shared/context.js';
import { byteLru } from '../shared/caches.js';
import { AppError, MESSAGES as APP_MESSAGES, type ErrorName } from '../shared/errors.js';
import { validateInput, type Naming } from '../shared/validation.js';
import type { GroupCommitter, KeyRow, SendRow } from './committer.js';
import { describeErrors, validateData, type FieldError } from './data-validator.js';
import { newSendId } from './ids.js';
import { findStored, replay, type IdempotencyContext, type IdempotencyGate, type StoredResponse } from './idempotency.js';
import { SendEventInput } from './send.inputs.js';

export const MAX_BATCH = 500;

/** Batch item error codes (spec §4). */
export type ItemCode = 'schema_mismatch' | 'event_not_found' | 'contact_not_found' | 'contact_required' | 'contact_ambiguous' | 'validation_error';

export type ItemOutcome =
  | { kind: 'recorded'; row: SendRow; /** the normalised data, of which row.data is the JSON text */ data: Record<string, unknown>; errors?: FieldError[] }
  | { kind: 'error'; code: ItemCode; error: AppError };

export interface SendServices {
  committer: GroupCommitter;
  gate: IdempotencyGate;
  budget: EventBudget;
}

export const sendServices = (deps: Deps): SendServices => {
  const s = deps.services.sends as SendServices | undefined;
  if (!s) throw AppError.unavailable('The send service is not running on this instance.');
  return s;
};

/** Per-organization events per 60 s window (fixed window, per process); 0 disables. */
export class EventBudget {
  private readonly windows = new Map<string, { start: number; used: number }>();
  constructor(private readonly perMinute: number) {}

  spend(orgId: string, n: number): void {
    if (this.perMinute <= 0) return;
    const now = Date.now();
    let w = this.windows.get(orgId);
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 10_000) this.windows.clear();
      w = { start: now, used: 0 };
      this.windows.set(orgId, w);
    }
    if (w.used + n > this.perMinute) {
      const retry = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
      throw new AppError('rate_limit_exceeded', APP_MESSAGES.rateLimited, { headers: { 'retry-after': String(retry) } });
    }
    w.used += n;
  }
}

const REST_KEYS = new Set(['event', 'email', 'contact_id', 'data', 'timestamp']);
const GQL_KEYS = new Set(['event', 'email', 'contactId', 'data', 'timestamp']);

// isEmail is the costliest check of a typical send; addresses repeat a lot, so remember valid ones
// (at most 2 MB of them, least recently used first out).
export const validEmails = byteLru<true>(2 << 20);
function emailOk(email: string): boolean {
  if (validEmails.get(email)) return true;
  if (email.length > 320 || !isEmail(email)) return false;
  validEmails.set(email, true);
  return true;
}

// A contact seen once is remembered (single sends by contact_id skip the lookup after the first)
// until it is erased: erasure drops the org's entries here and, by NOTIFY, in every other process;
// a missed notification is bounded by CACHE_TTL_MS (src/contacts/contact.erase.ts).
async function contactKnown(deps: Deps, orgId: string, id: string): Promise<boolean> {
  const k = `${orgId}\u0000${id.toLowerCase()}`;
  if (deps.caches.contacts.get(k)) return true;
  const since = deps.caches.contacts.version;
  if (!(await contactExists(deps.pool, orgId, id))) return false;
  deps.caches.contacts.set(k, true, since);
  return true;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The common, valid request shape checked with class-validator's own predicates (no messages
 * needed). Anything else goes through validateInput for class-validator's exact wording.
 */
function obviouslyValid(raw: Record<string, unknown>, naming: Naming): boolean {
  const keys = naming === 'rest' ? REST_KEYS : GQL_KEYS;
  for (const k in raw) if (!keys.has(k)) return false;
  const ev = raw.event;
  if (typeof ev !== 'string' || ev.length < 1 || ev.length > 80) return false;
  const email = raw.email;
  if (email != null && (typeof email !== 'string' || !emailOk(email))) return false;
  const cid = naming === 'rest' ? raw.contact_id : raw.contactId;
  if (cid != null && typeof cid !== 'string') return false;
  if (!isPlainObject(raw.data)) return false;
  const ts = raw.timestamp;
  if (ts != null && !(ts instanceof Date) && (typeof ts !== 'string' || !isISO8601(ts, { strict: true }))) return false;
  return true;
}

/**
 * The current time as ISO 8601 text, formatted once per millisecond: Date#toISOString is a C++
 * builtin costing ~1 µs, and under load many sends share a millisecond.
 */
let isoMs = -1;
let isoText = '';
function nowIso(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

function itemError(code: ItemCode, name: ErrorName, message: string): ItemOutcome {
  return { kind: 'error', code, error: new AppError(name, message) };
}

/** Checks one send and builds its row (accepted or rejected); never writes. */
export async function prepareItem(
  deps: Deps,
  org: OrgRef,
  raw: unknown,
  naming: Naming,
  idempotencyKey: string | null,
  /** Contact ids known to exist (a batch checks all of its contact_ids in one query). */
  knownContacts?: Set<string>,
): Promise<ItemOutcome> {
  if (!isPlainObject(raw)) return itemError('validation_error', 'validation_error', 'each event must be a JSON object');
  const cidKey = naming === 'rest' ? 'contact_id' : 'contactId';
  const hasEmail = raw.email != null;
  const hasContact = raw[cidKey] != null;
  if (hasEmail === hasContact) return itemError(hasEmail ? 'contact_ambiguous' : 'contact_required', 'bad_request', APP_MESSAGES.contactChoice);
  if (!obviouslyValid(raw, naming)) {
    try {
      await validateInput(SendEventInput, raw, { naming, opaque: new Set(['data']) });
    } catch (err) {
      if (err instanceof AppError) return { kind: 'error', code: 'validation_error', error: err };
      throw err;
    }
  }
  const eventName = raw.event as string;
  const found = findLiveDefinition(deps, org.id, eventName);
  const def = found instanceof Promise ? await found : found;
  if (!def) return itemError('event_not_found', 'not_found', `Event ${eventName} not found`);
  const contactId = hasContact ? String(raw[cidKey]) : null;
  if (contactId && !(knownContacts ? knownContacts.has(contactId.toLowerCase()) : await contactKnown(deps, org.id, contactId))) {
    return itemError('contact_not_found', 'not_found', `Contact ${contactId} not found`);
  }
  const ts = raw.timestamp;
  let timestamp: string;
  if (ts == null) timestamp = nowIso();
  else {
    const when = ts instanceof Date ? ts : new Date(ts as string);
    // ISO 8601 allows dates JavaScript (and PostgreSQL) cannot hold, e.g. extended years.
    if (Number.isNaN(when.getTime()) || when.getUTCFullYear() < 1 || when.getUTCFullYear() > 9999) {
      return itemError('validation_error', 'validation_error', 'timestamp must be a valid ISO 8601 date string');
    }
    timestamp = when.toISOString();
  }
  const checked = validateData(def.fields, raw.data as Record<string, unknown>);
  const data = JSON.stringify(checked.data);
  // PostgreSQL's jsonb cannot hold U+0000; refuse it here instead of failing the insert.
  if (data.includes('\\u0000')) return itemError('validation_error', 'validation_error', 'data must not contain \\u0000 characters');
  const row: SendRow = {
    id: newSendId(),
    orgId: org.id,
    definitionId: def.id,
    eventName: def.name,
    contactId,
    email: hasEmail ? (raw.email as string) : null,
    data,
    timestamp,
    status: checked.ok ? 'accepted' : 'rejected',
    errors: checked.ok ? null : JSON.stringify(checked.errors),
    idempotencyKey,
    schemaVersion: def.version,
  };
  return checked.ok ? { kind: 'recorded', row, data: checked.data } : { kind: 'recorded', row, data: checked.data, errors: checked.errors };
}

export function schemaMismatch(id: string, errors: FieldError[]): AppError {
  return new AppError('schema_mismatch', describeErrors(errors), { details: { id, errors } });
}

export interface AcceptOptions {
  naming: Naming;
  batch: boolean;
  idempotency?: IdempotencyContext;
}

export interface AcceptResult {
  response: StoredResponse;
  outcomes?: ItemOutcome[];
}

/** REST body of one batch entry. */
export function itemToRest(o: ItemOutcome): Record<string, unknown> {
  if (o.kind === 'error') return { error: { status_code: o.error.status, code: o.code, message: o.error.message } };
  if (o.errors) {
    const e = schemaMismatch(o.row.id, o.errors);
    return { error: { status_code: 422, code: 'schema_mismatch', message: e.message, id: o.row.id, errors: o.errors } };
  }
  return { id: o.row.id, status: 'accepted' };
}

/**
 * The contact ids of a batch that exist, in one query (prepareItem's `knownContacts`); undefined for
 * a single send or a batch without contact ids (prepareItem then looks one up, cached).
 */
export async function batchContacts(deps: Deps, orgId: string, items: unknown[], naming: Naming): Promise<Set<string> | undefined> {
  const cidKey = naming === 'rest' ? 'contact_id' : 'contactId';
  const contactIds = items.length > 1 ? items.flatMap((i) => (isPlainObject(i) && typeof i[cidKey] === 'string' ? [i[cidKey] as string] : [])) : [];
  return contactIds.length ? await existingContacts(deps.pool, orgId, contactIds) : undefined;
}

/**
 * Records a request's sends (one item, or a batch) through the group committer and returns the
 * response to give (and to store under its Idempotency-Key). A single send that fails request
 * checks throws its AppError (nothing recorded); a rejected one is recorded and answered 422.
 */
export async function acceptSends(deps: Deps, org: OrgRef, items: unknown[], opts: AcceptOptions): Promise<AcceptResult> {
  const svc = sendServices(deps);
  svc.budget.spend(org.id, items.length);
  const known = await batchContacts(deps, org.id, items, opts.naming);
  const idemKey = opts.idempotency?.key ?? null;
  // A single send (the common call) skips Promise.all and its extra promises.
  const outcomes =
    items.length === 1
      ? [await prepareItem(deps, org, items[0], opts.naming, idemKey, known)]
      : await Promise.all(items.map((raw) => prepareItem(deps, org, raw, opts.naming, idemKey, known)));
  let response: StoredResponse;
  if (opts.batch) {
    response = { status: 202, body: { results: outcomes.map(itemToRest) } };
  } else {
    const o = outcomes[0];
    if (o.kind === 'error') throw o.error;
    response = o.errors
      ? { status: 422, body: { status_code: 422, name: 'schema_mismatch', message: describeErrors(o.errors), id: o.row.id, errors: o.errors } }
      : { status: 202, body: { id: o.row.id, status: 'accepted' } };
  }
  const rows: SendRow[] = [];
  for (const o of outcomes) if (o.kind === 'recorded') rows.push(o.row);
  const idem = opts.idempotency;
  if (!rows.length && !idem) return { response, outcomes };
  const key: KeyRow | undefined = idem && { orgId: org.id, key: idem.key, hash: idem.hash, status: response.status, response: JSON.stringify(response.body) };
  const result = await svc.committer.submit(rows, key);
  if (result === 'key_taken') {
    // Another instance committed this key first: nothing of ours was written; answer as it did.
    const stored = await findStored(deps.pool, org.id, idem!.key);
    if (!stored) throw AppError.unavailable();
    return { response: replay(stored, idem!) };
  }
  countSends(rows);
  return { response, outcomes };
}
