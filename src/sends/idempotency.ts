/**
 * Idempotency-Key (spec §4): same key + same body → the first response again, with
 * `Idempotent-Replayed: true`; same key + different body → 409; 24 h; scoped to the org.
 *
 * - The key row is written by the group committer in the SAME transaction as the sends it covers,
 *   so a replayable response exists exactly when its sends are committed.
 * - In-flight duplicates on this process wait for the first request (bounded) and replay it.
 * - Duplicates racing on another process: each reaches the database; the key insert
 *   (`on conflict do nothing`-style) blocks on the first's uncommitted row, and the loser writes
 *   nothing and replays the winner's committed response (UnitResult 'key_taken').
 * - "Same body" means the same parsed JSON, compared in canonical form (shared/canonical-json.ts:
 *   keys sorted at every level, numbers by value, no whitespace), as Stripe-style APIs do: keys
 *   in another order, other whitespace or `1.0` for `1` replay; a changed value, a reordered array
 *   or an added key is a 409. Only a SHA-256 of that text is kept (`request_hash`, hex).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson } from '../shared/canonical-json.js';
import { AppError } from '../shared/errors.js';

export const MAX_KEY_LENGTH = 256;
const WAIT_MS = 10_000;

export const MESSAGES = {
  reused: 'Idempotency-Key reused with a different payload',
  inFlight: 'A request with this Idempotency-Key is still processing — retry shortly',
} as const;

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed?: boolean;
}

export interface IdempotencyContext {
  orgId: string;
  key: string;
  /** requestHash(body) */
  hash: string;
  /** What was hashed (only read to compare with a row of the legacy hash; see matches). */
  body: unknown;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The request's hash: of its canonical JSON, so only a difference in meaning is a different request. */
export const requestHash = (body: unknown): string => sha256(canonicalJson(body));

/** The key context of a request (computed only when it carries an Idempotency-Key). */
export const idempotencyContext = (orgId: string, key: string, body: unknown): IdempotencyContext => ({ orgId, key, hash: requestHash(body), body });

/**
 * Rows written before the canonical hash (at most 24 h old when it ships) hold a SHA-256 of
 * `JSON.stringify(body)`; a retry of the same request still replays them. Checked only when the
 * canonical hash differs (the 409 path). It cannot make two different requests match: the legacy
 * text of a body equal to the canonical text of another means the two parse to the same value.
 * JSON.stringify recurses, so a body too deep for it simply does not match.
 */
function matches(storedHash: string, ctx: Pick<IdempotencyContext, 'hash' | 'body'>): boolean {
  if (storedHash === ctx.hash) return true;
  try {
    return storedHash === sha256(JSON.stringify(ctx.body) ?? '');
  } catch {
    return false;
  }
}

export function checkKey(key: string): void {
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw new AppError('validation_error', `Idempotency-Key must be between 1 and ${MAX_KEY_LENGTH} characters`);
  }
}

/** The committed response for (org, key), if any and not expired. */
export async function findStored(pool: pg.Pool, orgId: string, key: string): Promise<{ hash: string; response: StoredResponse } | null> {
  const r = await pool.query<{ request_hash: string; status_code: number; response: unknown }>({
    name: 'idem_lookup',
    text: 'select request_hash, status_code, response from idempotency_keys where organization_id = $1 and key = $2 and expires_at > now()',
    values: [orgId, key],
  });
  const row = r.rows[0];
  return row ? { hash: row.request_hash, response: { status: row.status_code, body: row.response } } : null;
}

export function replay(stored: { hash: string; response: StoredResponse }, ctx: Pick<IdempotencyContext, 'hash' | 'body'>): StoredResponse {
  if (!matches(stored.hash, ctx)) throw new AppError('conflict', MESSAGES.reused);
  return { ...stored.response, replayed: true };
}

interface InFlight {
  hash: string;
  done: Promise<StoredResponse | null>;
}

/** Per-process registry of keyed requests in flight. */
export class IdempotencyGate {
  private readonly inflight = new Map<string, InFlight>();
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Run `fn` at most once per (org, key) at a time; `fn` must write the key row with its sends and
   * return the response it committed.
   */
  async run(ctx: IdempotencyContext, fn: () => Promise<StoredResponse>, attempt = 0): Promise<StoredResponse> {
    const id = `${ctx.orgId}\u0000${ctx.key}`;
    const other = this.inflight.get(id);
    if (other) {
      if (other.hash !== ctx.hash) throw new AppError('conflict', MESSAGES.reused);
      let timer: NodeJS.Timeout | undefined;
      const res = await Promise.race([
        other.done,
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), WAIT_MS))),
      ]).finally(() => clearTimeout(timer));
      if (res === 'timeout') throw AppError.unavailable(MESSAGES.inFlight, 1);
      if (res) return { ...res, replayed: true };
      // The first one recorded nothing (it failed): try ourselves.
      if (attempt > 2) throw AppError.unavailable(MESSAGES.inFlight, 1);
      return this.run(ctx, fn, attempt + 1);
    }
    let settle!: (r: StoredResponse | null) => void;
    const done = new Promise<StoredResponse | null>((r) => (settle = r));
    this.inflight.set(id, { hash: ctx.hash, done });
    let result: StoredResponse | null = null;
    try {
      const stored = await findStored(this.pool, ctx.orgId, ctx.key);
      result = stored ? replay(stored, ctx) : await fn();
      return result;
    } finally {
      this.inflight.delete(id);
      settle(result && { status: result.status, body: result.body });
    }
  }
}
