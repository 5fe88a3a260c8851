/**
 * In-process caches for the hot path (API keys, event definitions, definition lists), each an LRU
 * bounded in bytes (lru-cache `maxSize` + `sizeCalculation`) with a TTL. The instance that changes a
 * row invalidates its own cache at once; other instances see the change within `ttlMs`
 * (CACHE_TTL_MS, default 5 s), which is the documented bound. A cache never holds more than its
 * byte budget (CACHE_BYTES): the least recently used entries go first, and an expired entry is
 * dropped when it is read or when room is needed, whichever comes first.
 *
 * A lookup that misses reads `version` before it queries and stores its answer with `set(key,
 * value, version)`: if any invalidation happened meanwhile, the answer may predate the change
 * (read before the writer committed, returned after it invalidated) and is not stored.
 */
import { LRUCache } from 'lru-cache';

/**
 * A cheap estimate of what a JSON-like value costs on the V8 heap, in bytes: two bytes per string
 * character (V8 uses one for Latin-1, so this errs high) plus fixed headers for strings, numbers,
 * objects, arrays and their slots. Computed once, when an entry is stored.
 */
export function approxBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'number':
    case 'bigint':
      return 16;
    case 'object': {
      if (value === null) return 0;
      if (depth > 32) return 65_536; // not the shape of anything cached here: count it as costly
      if (value instanceof Date) return 48;
      if (Array.isArray(value)) {
        let n = 32 + 8 * value.length;
        for (const v of value) n += approxBytes(v, depth + 1);
        return n;
      }
      let n = 32;
      for (const k in value) n += 16 + 2 * k.length + approxBytes((value as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default:
      return 8;
  }
}

/** Per entry: the LRU's own slots and the key string's header. */
export const ENTRY_OVERHEAD = 96;

/** `null` is a value here (a known-bad key, an unknown event); lru-cache stores only non-nullish ones. */
const NULL: unique symbol = Symbol('null');

export class TtlCache<V> {
  private readonly lru: LRUCache<string, NonNullable<V> | typeof NULL>;
  /** Bumped by every invalidation (delete, deletePrefix, clear). */
  version = 0;
  /** CACHE_TTL_MS=0: nothing is kept (lru-cache would read a ttl of 0 as "forever"). */
  private readonly off: boolean;
  /**
   * @param maxBytes the budget for all entries (keys and values as `sizeOf` estimates them)
   * @param sizeOf the value's size in bytes; by default `approxBytes`
   */
  constructor(ttlMs: number, readonly maxBytes: number = 16 << 20, sizeOf: (value: V) => number = approxBytes) {
    this.off = ttlMs <= 0;
    this.lru = new LRUCache<string, NonNullable<V> | typeof NULL>({
      maxSize: maxBytes,
      // One entry may take at most a quarter of the budget, so a single huge page cannot flush the rest.
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
      sizeCalculation: (v, k) => ENTRY_OVERHEAD + 2 * k.length + (v === NULL ? 0 : sizeOf(v as V)),
      ttl: ttlMs,
    });
  }

  /** A plain synchronous lookup; undefined when absent or expired. */
  get(key: string): V | undefined {
    const v = this.lru.get(key);
    return (v === NULL ? null : v) as V | undefined;
  }

  /** Store `value`; with `since` (a `version` read before the lookup), only if nothing was invalidated since. */
  set(key: string, value: V, since?: number): void {
    if (this.off || (since !== undefined && since !== this.version)) return;
    this.lru.set(key, value === null || value === undefined ? NULL : (value as NonNullable<V>));
  }

  delete(key: string): void {
    this.version++;
    this.lru.delete(key);
  }

  /** Drop every entry whose key starts with `prefix` (e.g. all definitions of one org). */
  deletePrefix(prefix: string): void {
    this.version++;
    const doomed: string[] = [];
    for (const k of this.lru.keys()) if (k.startsWith(prefix)) doomed.push(k);
    for (const k of doomed) this.lru.delete(k);
  }

  clear(): void {
    this.version++;
    this.lru.clear();
  }

  /** Bytes held now (the sum of the entries' estimated sizes); never more than `maxBytes`. */
  get calculatedSize(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }
}

/**
 * A string-keyed LRU bounded in bytes (key and value estimated as above), for the per-process memos
 * that are not invalidated (header digests, valid addresses, known contacts). An entry larger than
 * `maxEntryBytes` is not kept at all.
 */
export function byteLru<V extends {}>(maxBytes: number, opts: { maxEntryBytes?: number; ttlMs?: number } = {}): LRUCache<string, V> {
  return new LRUCache<string, V>({
    maxSize: maxBytes,
    maxEntrySize: opts.maxEntryBytes ?? Math.max(1, Math.floor(maxBytes / 4)),
    sizeCalculation: (v, k) => ENTRY_OVERHEAD + 2 * k.length + approxBytes(v),
    ...(opts.ttlMs ? { ttl: opts.ttlMs } : {}),
  });
}

/** Byte budgets of the per-process caches (about 40 MB together at most). */
export const CACHE_BYTES = {
  /** token hash → key: an entry is ~0.5 KB, so ~16,000 keys (good or bad) */
  keys: 8 << 20,
  /** (org, event name) → definition for the send path: ~1–30 KB each */
  events: 16 << 20,
  /** (org, page, search) → a page of definitions: up to a few MB each (a quarter of the budget at most) */
  eventLists: 16 << 20,
  /** (org, contact id) → the contact exists (send accept path): ~0.2 KB each, ~20,000 contacts */
  contacts: 4 << 20,
  /** Apollo's parsed GraphQL documents (query text → validated DocumentNode): tenants choose the documents */
  graphqlDocuments: 16 << 20,
} as const;

/**
 * Apollo's document store (`documentStore`): the parsed and validated document of each distinct query
 * text. Apollo's default counts a document's JSON length against 30 MiB, but a parsed document (AST,
 * locations, the token list they keep) takes up to ~5× its JSON on the heap: 20,000 distinct documents
 * of 2,000 tokens (any tenant can send them) took the server from 470 MB to 870 MB RSS. This one counts
 * 5× the JSON length (measured 1.0–4.8× for small, wide, long-string and nested documents) against
 * CACHE_BYTES.graphqlDocuments; least recently used documents go first.
 */
export function graphqlDocumentStore<V extends object>(maxBytes: number = CACHE_BYTES.graphqlDocuments) {
  const lru = new LRUCache<string, V>({
    maxSize: maxBytes,
    maxEntrySize: Math.floor(maxBytes / 4),
    sizeCalculation: (doc, key) => ENTRY_OVERHEAD + 2 * key.length + 5 * JSON.stringify(doc).length,
  });
  return {
    lru,
    get: async (key: string) => lru.get(key),
    set: async (key: string, value: V) => void lru.set(key, value),
    delete: async (key: string) => lru.delete(key),
  };
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

export function createCaches(ttlMs: number, bytes: { [K in keyof Caches]: number } = CACHE_BYTES): Caches {
  return { keys: new TtlCache(ttlMs, bytes.keys), events: new TtlCache(ttlMs, bytes.events), eventLists: new TtlCache(ttlMs, bytes.eventLists), contacts: new TtlCache(ttlMs, bytes.contacts) };
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
