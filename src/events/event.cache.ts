/**
 * Live definitions by (org, name) for the send hot path, cached per process.
 * The instance that changes a definition drops its entries at once and NOTIFYs the others
 * (they drop theirs on receipt; CACHE_TTL_MS bounds staleness if a notification is missed).
 */
import type { Deps } from '../shared/context.js';
import { publishInvalidation, applyInvalidation } from '../shared/caches.js';
import type { FieldDef } from './event.entity.js';

export interface LiveDefinition {
  id: string;
  name: string;
  fields: FieldDef[];
  /** Schema version the fields are (recorded on every send validated against them). */
  version: number;
}

/**
 * A cache hit is returned as is, not wrapped in a promise: the send path awaits only on a miss
 * (an await costs the hot path a promise and a microtask per send).
 */
export function findLiveDefinition(deps: Deps, orgId: string, name: string): LiveDefinition | null | Promise<LiveDefinition | null> {
  const key = `${orgId}\u0000${name}`;
  const hit = deps.caches.events.get(key) as LiveDefinition | null | undefined;
  return hit !== undefined ? hit : loadLiveDefinition(deps, orgId, name, key);
}

async function loadLiveDefinition(deps: Deps, orgId: string, name: string, key: string): Promise<LiveDefinition | null> {
  const since = deps.caches.events.version;
  const r = await deps.pool.query<LiveDefinition>({
    name: 'event_def_lookup',
    text: 'select id, name, fields, version from event_definitions where organization_id = $1 and name = $2 and deleted_at is null',
    values: [orgId, name],
  });
  const def = r.rows[0] ?? null;
  deps.caches.events.set(key, def, since);
  return def;
}

/** Call after any create/update/delete of an org's definitions. */
export async function invalidateOrgEvents(deps: Deps, orgId: string): Promise<void> {
  const payload = `events:${orgId}`;
  applyInvalidation(deps.caches, payload);
  await publishInvalidation((t, v) => deps.pool.query(t, v), payload).catch((err) => deps.log.warn({ err }, 'cache invalidation not published'));
}
