/**
 * Keyset pagination over UUIDv7 ids (time-ordered, so id order = creation order), newest first.
 * REST: `{object:"list", has_more, data}` with limit/after/before. GraphQL: Relay connections.
 * One implementation of the rules; both transports call it.
 */
import { AppError } from './errors.js';

export interface PageArgs {
  limit: number;
  after?: string;
  before?: string;
  /**
   * Take the page from the far (oldest) end of the filtered list instead of the newest end. REST's
   * `before` does this (the items just newer than the cursor); GraphQL's `last` does it with or
   * without a cursor (Relay: `last: 2` is the two oldest). Default: `Boolean(before)`.
   */
  fromEnd?: boolean;
}

export interface Page<T> {
  items: T[];
  /** More items beyond the page in the direction of travel. */
  hasMore: boolean;
  /** True when paging backwards (before=…). */
  backwards: boolean;
}

/** A page's size when none is asked for, and the largest page (REST `limit`, GraphQL `first`/`last`). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Cursors are item ids (UUIDs); anything else would reach PostgreSQL as an invalid uuid (a 500). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parse REST list query strings; numbers arrive as text. */
export function parseListQuery(q: Record<string, unknown>, extra: string[] = []): { page: PageArgs; search?: string; rest: Record<string, string> } {
  const allowed = new Set(['limit', 'after', 'before', 'search', ...extra]);
  const issues: string[] = [];
  for (const k of Object.keys(q)) if (!allowed.has(k)) issues.push(`property ${k} should not exist`);
  const str = (k: string) => (Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]) as string | undefined;
  let limit = DEFAULT_PAGE_SIZE;
  const rawLimit = str('limit');
  if (rawLimit !== undefined && rawLimit !== '') {
    const n = Number(rawLimit);
    if (!/^-?\d+$/.test(String(rawLimit).trim()) || !Number.isInteger(n)) issues.push('limit must be an integer number');
    else if (n < 1) issues.push('limit must not be less than 1');
    else if (n > MAX_PAGE_SIZE) issues.push(`limit must not be greater than ${MAX_PAGE_SIZE}`);
    else limit = n;
  }
  const uuid = UUID;
  const after = str('after') || undefined;
  const before = str('before') || undefined;
  if (after && before) throw new AppError('bad_request', 'Provide either after or before, not both.');
  if (after && !uuid.test(after)) issues.push('after must be a UUID');
  if (before && !uuid.test(before)) issues.push('before must be a UUID');
  if (issues.length) throw new AppError('validation_error', issues.join(', '));
  const rest: Record<string, string> = {};
  for (const k of extra) if (str(k) !== undefined) rest[k] = String(str(k));
  const search = str('search');
  return { page: { limit, after, before }, search: search === undefined ? undefined : String(search), rest };
}

/** GraphQL first/after/last/before → PageArgs (same rules). */
export function relayToPage(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): PageArgs {
  if (args.after && args.before) throw new AppError('bad_request', 'Provide either after or before, not both.');
  const issues: string[] = [];
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v == null) continue;
    if (v < 1) issues.push(`${k} must not be less than 1`);
    else if (v > MAX_PAGE_SIZE) issues.push(`${k} must not be greater than ${MAX_PAGE_SIZE}`);
  }
  if (args.after && !UUID.test(args.after)) issues.push('after must be a UUID');
  if (args.before && !UUID.test(args.before)) issues.push('before must be a UUID');
  if (issues.length) throw new AppError('validation_error', issues.join(', '));
  const fromEnd = args.last != null;
  return { limit: (fromEnd ? args.last : args.first) ?? DEFAULT_PAGE_SIZE, after: args.after ?? undefined, before: args.before ?? undefined, fromEnd };
}

/**
 * At most this many bytes of stored JSON per page of a list whose items can each be large (automations
 * with their steps, contacts with their properties, runs with their step logs): a page stops before
 * the item that would cross it (a page always holds at least one item) and says `has_more`, and the
 * next page continues from its last item. Without it a page of 100 items of ~250 KB (the body limit)
 * was ~22 MB that one request parsed and serialised on the event loop: 300–800 ms during which every
 * other tenant's requests waited.
 */
export const PAGE_BYTES = 1 << 20;

export type Cursor = { op: '<' | '>'; id: string } | undefined;
/** The stored size in bytes of each item the page query would return, in its order. */
export type PageSizes = (cursor: Cursor, order: 'desc' | 'asc', limit: number) => Promise<number[]>;

/**
 * What a `fetch` that applies PAGE_BYTES itself returns (send history: one statement computes the
 * sizes and the rows): the rows up to the cut, and whether it cut the page short.
 */
export interface CutRows<T> {
  rows: T[];
  cut: boolean;
}

/**
 * Apply a keyset page to a query: caller supplies `fetch(where, order, limit)`.
 * Items come back newest first in both directions. With `sizes`, the page also stops at PAGE_BYTES
 * (one more small query first: the sizes of the rows the page would hold). A `fetch` may also apply
 * PAGE_BYTES itself in its one query and say so (`CutRows`).
 */
export async function keysetPage<T extends { id: string }>(
  page: PageArgs,
  fetch: (cursor: Cursor, order: 'desc' | 'asc', limit: number) => Promise<T[] | CutRows<T>>,
  sizes?: PageSizes,
): Promise<Page<T>> {
  const backwards = page.fromEnd ?? Boolean(page.before);
  const cursor = page.after ? { op: '<' as const, id: page.after } : page.before ? { op: '>' as const, id: page.before } : undefined;
  const order = backwards ? 'asc' : 'desc';
  let limit = page.limit;
  let cut = false;
  if (sizes) {
    const bytes = await sizes(cursor, order, page.limit);
    let total = 0;
    for (let n = 0; n < bytes.length; n++) {
      total += bytes[n]!;
      if (n > 0 && total > PAGE_BYTES) {
        limit = n;
        cut = true;
        break;
      }
    }
  }
  // Cut short: the rows past the cut exist, so no look-ahead row is needed.
  const got = await fetch(cursor, order, cut ? limit : limit + 1);
  const rows = Array.isArray(got) ? got : got.rows;
  const hasMore = cut || (!Array.isArray(got) && got.cut) || rows.length > limit;
  const items = rows.slice(0, limit);
  if (backwards) items.reverse();
  return { items, hasMore, backwards };
}

export function restList<T>(page: Page<unknown>, data: T[]): { object: 'list'; has_more: boolean; data: T[] } {
  return { object: 'list', has_more: page.hasMore, data };
}

/** restList's body as JSON text, for items that are already JSON texts (spliced in as they are). */
export function restListJson(page: Page<unknown>, items: string[]): string {
  return `{"object":"list","has_more":${page.hasMore},"data":[${items.join(',')}]}`;
}
