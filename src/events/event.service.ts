/**
 * Event-definition use cases. Both transports call these; all rules beyond input shape live here.
 */
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TtlCache, Caches } from '../shared/caches.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { eventRefText, findEventDefinition, type EventRef } from '../shared/event-ref.js';
import { keysetPage, type Page, type PageArgs } from '../shared/pagination.js';
import { DEFAULT_CONVERSION, EventDefinition, type ConversionDef, type FieldDef } from './event.entity.js';
import type { ConversionInput, CreateEventInput, EventSchemaInput, UpdateEventInput } from './event.inputs.js';
import { applyFields, recordVersion } from './event.versions.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * Hooks other features register. `beforeDelete` runs inside the delete's transaction, under the
 * definition's exclusive lock (automations refuse deleting an event enabled automations use);
 * `afterSchemaChange` runs after a create, a schema update or a delete has committed (automations
 * re-check the automations triggered by that name).
 */
export const eventHooks: {
  beforeDelete: Array<(em: EntityManager, org: OrgRef, def: EventDefinition) => Promise<void>>;
  afterSchemaChange: Array<(em: EntityManager, org: OrgRef, def: EventDefinition) => Promise<void>>;
} = { beforeDelete: [], afterSchemaChange: [] };

/**
 * The lock of "the live definition named `name` in this org" (a transaction-scoped advisory lock,
 * so it also exists while no such definition does). Creating, updating and deleting a definition
 * hold it exclusively; whatever checks or enables an automation against that definition holds it
 * shared until its commit. So a rule read under the lock ("no enabled automation uses it", "these
 * are the schema's fields") still holds when the other side commits, however the requests interleave.
 * Take several names in one call (sorted here, so two transactions never wait on each other in a cycle).
 */
export async function lockEventName(em: EntityManager, orgId: string, names: ReadonlyArray<string | null | undefined>, mode: 'shared' | 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  for (const name of [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort()) {
    await em.getConnection().execute(`select ${fn}(hashtextextended(?, 0))`, [`arsel.event:${orgId}:${name}`], 'run', em.getTransactionContext());
  }
}

export const toFields = (schema?: EventSchemaInput): FieldDef[] =>
  (schema?.fields ?? []).map((f) => ({ name: f.name, type: f.type, required: f.required ?? false }));

/** Check a conversion against the field list; returns the stored shape. Errors are the public API's 400s. */
export function resolveConversion(input: ConversionInput | ConversionDef | undefined, fields: FieldDef[]): ConversionDef {
  if (!input || !input.enabled) return { ...DEFAULT_CONVERSION };
  const i = input as Partial<ConversionInput & ConversionDef>;
  const valueField = (i.valueField !== undefined ? i.valueField : i.value_field) ?? null;
  const currencyField = (i.currencyField !== undefined ? i.currencyField : i.currency_field) ?? null;
  // Codes are kept as given (upper-case ISO 4217 or refused), so a definition reads back unchanged.
  const currencies = i.currencies ?? null;
  const byName = new Map(fields.map((f) => [f.name, f]));
  if (valueField !== null && byName.get(valueField)?.type !== 'number') {
    throw new AppError('conversion_value_field_invalid', `value_field "${valueField}" must name a number field of the schema`);
  }
  if (valueField === null && (currencyField !== null || currencies)) {
    throw new AppError('conversion_currency_without_value', 'Currencies need a value_field: a count-only conversion has no currency');
  }
  if (currencyField !== null && byName.get(currencyField)?.type !== 'string') {
    throw new AppError('conversion_currency_field_invalid', `currency_field "${currencyField}" must name a string field of the schema`);
  }
  for (const c of currencies ?? []) {
    if (!CURRENCIES.has(c)) throw new AppError('conversion_currency_unsupported', `Currency "${c}" is not a supported ISO 4217 code`);
  }
  if (currencies && currencies.length > 1 && currencyField === null) {
    throw new AppError('conversion_currency_field_required', 'currency_field is required when more than one currency is accepted');
  }
  return { enabled: true, value_field: valueField, currency_field: currencyField, currencies };
}

function notFound(idOrName: string): AppError {
  return AppError.notFound(`Event ${idOrName} not found`);
}

export interface GetEventOptions {
  /** Also return soft-deleted definitions (history). */
  includeDeleted?: boolean;
}

/**
 * By a reference (shared/event-ref.ts: which keys are tried, in which order); a plain string is an
 * id parameter (REST `{id}`: the id when UUID-shaped and found, else the name). Another org's
 * definition is "not found".
 */
export async function getEvent(em: EntityManager, org: OrgRef, ref: string | EventRef, opts: GetEventOptions = {}): Promise<EventDefinition> {
  const r: EventRef = typeof ref === 'string' ? { idOrName: ref } : ref;
  const def = await findEventDefinition(r, (key) =>
    em.findOne(EventDefinition, { ...key, organization: org.id, ...(opts.includeDeleted ? {} : { deletedAt: null }) }, { orderBy: { id: 'desc' } }),
  );
  if (!def) throw notFound(eventRefText(r));
  return def;
}

export async function createEvent(em: EntityManager, org: OrgRef, input: CreateEventInput, onChange?: (orgId: string) => Promise<void>): Promise<EventDefinition> {
  const fields = toFields(input.schema);
  const conversion = resolveConversion(input.conversion, fields);
  let def: EventDefinition;
  try {
    // Under the name's lock: an automation being checked against "no event of this name" commits first.
    def = await em.transactional(async (tx) => {
      await lockEventName(tx, org.id, [input.name], 'exclusive');
      const created = tx.create(EventDefinition, {
        organization: org.id,
        name: input.name,
        description: input.description ?? null,
        fields,
        conversion,
      });
      recordVersion(tx, created); // version 1
      return created;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new AppError('conflict', `An event named "${input.name}" already exists`);
    }
    throw err;
  }
  await onChange?.(org.id);
  await runAfterSchemaChange(em, org, def);
  return def;
}

/**
 * One statement per shape (search × cursor × order), run as a named prepared statement on the ORM's
 * own pg pool: `em.find` + entity hydration cost ~0.5 ms of server CPU for a page of one definition
 * (bench/reads.js, GET /v1/events at 64 connections). Read-only: the rows are never flushed, so plain
 * objects of the entity's shape are returned instead of managed entities. Timestamps come back as
 * epoch ms (the ORM pool keeps timestamptz as text).
 */
const listStatements = new Map<string, { name: string; text: string }>();
export function listEventsStatement(search: boolean, op: '<' | '>' | '', order: 'desc' | 'asc') {
  const key = `${search ? 's' : 'a'}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  let st = listStatements.get(key);
  if (!st) {
    const where = ['organization_id = $1', 'deleted_at is null'];
    let n = 2;
    if (search) where.push(`name ilike $${++n}`);
    if (op) where.push(`id ${op} $${++n}`);
    st = {
      name: `events_list_${key}`,
      text: `select id, name, description, fields, conversion, version, round(date_part('epoch', created_at) * 1000) as created_ms,
               round(date_part('epoch', updated_at) * 1000) as updated_ms
             from event_definitions where ${where.join(' and ')} order by id ${order} limit $2`,
    };
    listStatements.set(key, st);
  }
  return st;
}

interface EventRow {
  id: string;
  name: string;
  description: string | null;
  fields: FieldDef[];
  conversion: ConversionDef;
  version: number;
  created_ms: number;
  updated_ms: number;
}

/**
 * Reads only through `em.getConnection()` (no identity map): callers may pass the global EntityManager.
 *
 * With `caches`, pages are kept per org and query in `caches.eventLists` (frozen: callers only read
 * them): definitions change rarely and are read often (GET /v1/events was bound by this query's
 * round trip). Every change drops the org's pages here at once (invalidateOrgEvents) and on other
 * processes when its NOTIFY arrives; CACHE_TTL_MS bounds a missed one, as for the send path's
 * definitions.
 */
export async function listEvents(em: EntityManager, org: OrgRef, opts: { page: PageArgs; search?: string; caches?: Caches }): Promise<Page<EventDefinition>> {
  const cache = opts.caches?.eventLists as TtlCache<Page<EventDefinition>> | undefined;
  const { limit, after, before } = opts.page;
  const fromEnd = opts.page.fromEnd ?? Boolean(before);
  // search last: it is the one free-form part, so the key stays unambiguous
  const key = `${org.id}\u0000${limit}\u0000${after ?? ''}\u0000${before ?? ''}\u0000${fromEnd ? 1 : 0}\u0000${opts.search ?? ''}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const since = cache?.version;
  const page = await queryEvents(em, org, opts);
  if (cache) {
    page.items.forEach((d) => Object.freeze(d));
    Object.freeze(page.items);
    cache.set(key, Object.freeze(page), since);
  }
  return page;
}

async function queryEvents(em: EntityManager, org: OrgRef, opts: { page: PageArgs; search?: string }): Promise<Page<EventDefinition>> {
  const search = opts.search ? `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const pool = await em.getConnection().getNativeClient();
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const st = listEventsStatement(search !== undefined, cursor?.op ?? '', order);
    const values: unknown[] = [org.id, limit];
    if (search !== undefined) values.push(search);
    if (cursor) values.push(cursor.id);
    const r = await pool.query<EventRow>({ ...st, values });
    return r.rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      fields: row.fields,
      conversion: row.conversion,
      version: row.version,
      createdAt: new Date(row.created_ms),
      updatedAt: new Date(row.updated_ms),
      deletedAt: null,
    }) as EventDefinition);
  });
}

/** The definition again, under its name's exclusive lock and its row lock (it may have changed or gone while we waited). */
async function lockForChange(tx: EntityManager, org: OrgRef, found: EventDefinition, idOrName: string): Promise<EventDefinition> {
  await lockEventName(tx, org.id, [found.name], 'exclusive');
  const def = await tx.findOne(EventDefinition, { id: found.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!def) throw notFound(idOrName);
  return def;
}

/** The fields and conversion an update leaves: an omitted schema stays; an omitted conversion stays but must still fit a new schema; enabled:false clears it. */
export function plannedUpdate(def: EventDefinition, input: UpdateEventInput): { fields: FieldDef[]; conversion: ConversionDef } {
  const fields = input.schema !== undefined ? toFields(input.schema) : def.fields;
  const conversion = input.conversion !== undefined ? resolveConversion(input.conversion, fields) : resolveConversion(def.conversion, fields);
  return { fields, conversion };
}

export interface UpdateEventOptions {
  /** Called after the commit (cache invalidation). */
  onChange?: (orgId: string) => Promise<void>;
  /**
   * Runs in the update's transaction, under the name's exclusive lock and the definition's row lock,
   * with the definition as it is now and the fields the update leaves, before anything changes
   * (event.preview.ts updateEventSafely: the enabled-automations check). Automation rows it locks are
   * locked after the name, the order every automation change uses (the reverse deadlocked with an enable).
   */
  beforeSave?: (tx: EntityManager, current: EventDefinition, fields: FieldDef[]) => Promise<void>;
}

export async function updateEvent(em: EntityManager, org: OrgRef, idOrName: string, input: UpdateEventInput, opts: UpdateEventOptions = {}): Promise<EventDefinition> {
  const found = await getEvent(em, org, idOrName);
  const def = await em.transactional(async (tx) => {
    const def = await lockForChange(tx, org, found, idOrName);
    const { fields, conversion } = plannedUpdate(def, input);
    await opts.beforeSave?.(tx, def, fields);
    if (input.description !== undefined) def.description = input.description;
    applyFields(tx, def, fields); // the next schema version when the fields differ
    def.conversion = conversion;
    def.updatedAt = new Date();
    return def;
  });
  await opts.onChange?.(org.id);
  if (input.schema !== undefined) await runAfterSchemaChange(em, org, def); // after the commit: re-check stored issues
  return def;
}

/** The afterSchemaChange hooks (automations re-check their stored issues); call after the change committed. */
export async function runAfterSchemaChange(em: EntityManager, org: OrgRef, def: EventDefinition): Promise<void> {
  for (const hook of eventHooks.afterSchemaChange) await hook(em, org, def);
}

export async function deleteEvent(em: EntityManager, org: OrgRef, idOrName: string, onChange?: (orgId: string) => Promise<void>): Promise<EventDefinition> {
  const found = await getEvent(em, org, idOrName);
  const def = await em.transactional(async (tx) => {
    const def = await lockForChange(tx, org, found, idOrName);
    for (const hook of eventHooks.beforeDelete) await hook(tx, org, def);
    def.deletedAt = new Date();
    return def;
  });
  // The cache is dropped after the commit and before answering: a send this instance receives after
  // the 200 reads the definition again and gets 404 (docs/notes-sec-automations.md, "delete vs send").
  await onChange?.(org.id);
  await runAfterSchemaChange(em, org, def);
  return def;
}
