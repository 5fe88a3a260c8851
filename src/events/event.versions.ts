/**
 * Schema versions of event definitions (issue 22): version 1 at creation, the next one for every
 * update that changes the field list (description or conversion alone do not). Each version's
 * field list is kept (event_definition_versions); every recorded send carries the version it was
 * validated against (event_sends.schema_version, written by the group commit from the cached live
 * definition: no extra query on the accept path).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { DEFAULT_PAGE_SIZE, keysetPage, MAX_PAGE_SIZE, parseListQuery, type Page, type PageArgs } from '../shared/pagination.js';
import { EventDefinitionVersion } from './event-version.entity.js';
import type { EventDefinition, FieldDef } from './event.entity.js';
import { getEvent } from './event.service.js';

/** Same field list (names, types, required, order): no new version. */
export function sameFields(a: readonly FieldDef[], b: readonly FieldDef[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i].name && f.type === b[i].type && f.required === b[i].required);
}

/** The version a definition would have with `fields` (its own when the field list is unchanged). */
export const versionFor = (def: Pick<EventDefinition, 'version' | 'fields'>, fields: readonly FieldDef[]): number =>
  sameFields(def.fields, fields) ? def.version : def.version + 1;

/** Record the definition's current field list as its current version (flushed with the definition). */
export function recordVersion(em: EntityManager, def: EventDefinition): void {
  em.create(EventDefinitionVersion, { eventDefinition: def, version: def.version, fields: def.fields.map((f) => ({ ...f })) });
}

/** Apply a new field list to a managed definition: the next version when it differs. */
export function applyFields(em: EntityManager, def: EventDefinition, fields: FieldDef[]): void {
  if (sameFields(def.fields, fields)) return;
  def.fields = fields;
  def.version += 1;
  recordVersion(em, def);
}

/** A page of versions, newest first; cursors are version numbers. */
export interface VersionItem {
  /** The version as text: the page cursor. */
  id: string;
  version: number;
  fields: FieldDef[];
  createdAt: Date;
}

const VERSION_CURSOR = /^[1-9]\d{0,8}$/;

/** REST `?limit&after&before` for versions: like every list, but the cursors are version numbers. */
export function parseVersionQuery(q: Record<string, unknown>): PageArgs {
  const str = (k: string) => (Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]) as string | undefined;
  const after = str('after') || undefined;
  const before = str('before') || undefined;
  const { after: _a, before: _b, ...rest } = q;
  const { page } = parseListQuery(rest);
  return { ...page, ...cursors(after, before) };
}

/** GraphQL first/after/last/before for versions (cursors are version numbers). */
export function versionPageFromRelay(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): PageArgs {
  const issues: string[] = [];
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v != null && v < 1) issues.push(`${k} must not be less than 1`);
    else if (v != null && v > MAX_PAGE_SIZE) issues.push(`${k} must not be greater than ${MAX_PAGE_SIZE}`);
  }
  if (issues.length) throw new AppError('validation_error', issues.join(', '));
  const fromEnd = args.last != null;
  return { limit: (fromEnd ? args.last : args.first) ?? DEFAULT_PAGE_SIZE, ...cursors(args.after ?? undefined, args.before ?? undefined), fromEnd };
}

function cursors(after: string | undefined, before: string | undefined): { after?: string; before?: string } {
  if (after && before) throw new AppError('bad_request', 'Provide either after or before, not both.');
  const issues: string[] = [];
  if (after && !VERSION_CURSOR.test(after)) issues.push('after must be a version number');
  if (before && !VERSION_CURSOR.test(before)) issues.push('before must be a version number');
  if (issues.length) throw new AppError('validation_error', issues.join(', '));
  return { after, before };
}

/** The versions of a live definition (by id or name), newest first. */
export async function listEventVersions(em: EntityManager, org: OrgRef, ref: string | EventDefinition, page: PageArgs): Promise<Page<VersionItem>> {
  const def = typeof ref === 'string' ? await getEvent(em, org, ref) : ref;
  return listVersionsOf(em, def.id, page);
}

export async function listVersionsOf(em: EntityManager, definitionId: string, page: PageArgs): Promise<Page<VersionItem>> {
  return keysetPage(page, async (cursor, order, limit) => {
    const rows = await em.find(
      EventDefinitionVersion,
      { eventDefinition: definitionId, ...(cursor ? { version: cursor.op === '<' ? { $lt: Number(cursor.id) } : { $gt: Number(cursor.id) } } : {}) },
      { orderBy: { version: order }, limit },
    );
    return rows.map((v) => ({ id: String(v.version), version: v.version, fields: v.fields, createdAt: v.createdAt }));
  });
}

export const versionToRest = (v: VersionItem) => ({
  version: v.version,
  schema: { fields: v.fields.map((f) => ({ name: f.name, type: f.type, required: f.required })) },
  created_at: v.createdAt.toISOString(),
});
