/**
 * Small in-process TTL caches for the hot path (API keys, event definitions).
 * The instance that changes a row invalidates its own cache at once; other instances see the
 * change within `ttlMs` (CACHE_TTL_MS, default 5 s), which is the documented bound.
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();
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

  set(key: string, value: V): void {
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(key, { value, expires: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drop every entry whose key starts with `prefix` (e.g. all definitions of one org). */
  deletePrefix(prefix: string): void {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) this.map.delete(k);
  }

  clear(): void {
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
}

export function createCaches(ttlMs: number): Caches {
  return { keys: new TtlCache(ttlMs), events: new TtlCache(ttlMs) };
}

/** LISTEN/NOTIFY channel that carries cache invalidations between processes (CLI → servers, API ↔ API). */
export const INVALIDATION_CHANNEL = 'arsel_cache';

/** Payloads: `key:<token hash>` or `events:<org id>`. */
export function applyInvalidation(caches: Caches, payload: string): void {
  const [kind, id] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)];
  if (kind === 'key') caches.keys.delete(id);
  else if (kind === 'events') caches.events.deletePrefix(`${id}\u0000`);
  else if (kind === 'all') {
    caches.keys.clear();
    caches.events.clear();
  }
}

/** Tell every process sharing the database (including this one, which also applies it at once). */
export async function publishInvalidation(
  query: (text: string, values: unknown[]) => Promise<unknown>,
  payload: string,
): Promise<void> {
  await query('select pg_notify($1, $2)', [INVALIDATION_CHANNEL, payload]);
}
