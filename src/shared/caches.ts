/**
 * Small in-process TTL caches for the hot path (API keys, event definitions, definition lists).
 * The instance that changes a row invalidates its own cache at once; other instances see the
 * change within `ttlMs` (CACHE_TTL_MS, default 5 s), which is the documented bound.
 *
 * A lookup that misses reads `version` before it queries and stores its answer with `set(key,
 * value, version)`: if any invalidation happened meanwhile, the answer may predate the change
 * (read before the writer committed, returned after it invalidated) and is not stored.
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();
  /** Bumped by every invalidation (delete, deletePrefix, clear). */
  version = 0;
  constructor(private readonly ttlMs: number, private readonly maxEntries = 50_000) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Store `value`; with `since` (a `version` read before the lookup), only if nothing was invalidated since. */
  set(key: string, value: V, since?: number): void {
    if (since !== undefined && since !== this.version) return;
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(key, { value, expires: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.version++;
    this.map.delete(key);
  }

  /** Drop every entry whose key starts with `prefix` (e.g. all definitions of one org). */
  deletePrefix(prefix: string): void {
    this.version++;
    for (const k of this.map.keys()) if (k.startsWith(prefix)) this.map.delete(k);
  }

  clear(): void {
    this.version++;
    this.map.clear();
  }
}

export interface CachedKey {
  keyId: string;
  orgId: string;
  orgName: string;
}

export interface Caches {
  /** token hash → key (null = known-bad, cached briefly too) */
  keys: TtlCache<CachedKey | null>;
  /** `${orgId}\0${name}` → definition snapshot used by the send path */
  events: TtlCache<unknown>;
  /** `${orgId}\0${page and search}` → a page of the org's definitions (listEvents) */
  eventLists: TtlCache<unknown>;
  /** `${orgId}\0${contact id}` → the contact exists (send accept path); dropped when a contact is erased */
  contacts: TtlCache<true>;
}

export function createCaches(ttlMs: number): Caches {
  return { keys: new TtlCache(ttlMs), events: new TtlCache(ttlMs), eventLists: new TtlCache(ttlMs, 10_000), contacts: new TtlCache(ttlMs, 100_000) };
}

/** LISTEN/NOTIFY channel that carries cache invalidations between processes (CLI → servers, API ↔ API). */
export const INVALIDATION_CHANNEL = 'arsel_cache';

/** Payloads: `key:<token hash>`, `events:<org id>` or `contacts:<org id>` (a contact was erased). */
export function applyInvalidation(caches: Caches, payload: string): void {
  const [kind, id] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)];
  if (kind === 'key') caches.keys.delete(id);
  else if (kind === 'events') {
    caches.events.deletePrefix(`${id}\u0000`);
    caches.eventLists.deletePrefix(`${id}\u0000`);
  } else if (kind === 'contacts') caches.contacts.deletePrefix(`${id}\u0000`);
  else if (kind === 'all') clearCaches(caches);
}

/** Forget everything (e.g. after missing notifications while disconnected). */
export function clearCaches(caches: Caches): void {
  caches.keys.clear();
  caches.events.clear();
  caches.eventLists.clear();
  caches.contacts.clear();
}

/** Tell every process sharing the database (including this one, which also applies it at once). */
export async function publishInvalidation(
  query: (text: string, values: unknown[]) => Promise<unknown>,
  payload: string,
): Promise<void> {
  await query('select pg_notify($1, $2)', [INVALIDATION_CHANNEL, payload]);
}
