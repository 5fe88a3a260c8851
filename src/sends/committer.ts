/**
 * The durable accept path: GROUP COMMIT.
 *
 * Concurrent requests are coalesced (a `windowMs` window after the first, or `maxBatch` sends) into
 * one commit, and only then is each waiting request answered (synchronous_commit on). Up to
 * `maxConcurrent` batches commit at once. This is the design ../shared/baseline measured at
 * ~3.5× one-transaction-per-request (B raw-batched); hand-written SQL is deliberate here.
 *
 * A batch without Idempotency-Keys (the common case) is ONE statement, autocommitted: the
 * multi-row `insert … select from rows from (unnest(…), …)` of its sends (insertSends) as a CTE in front of pg-boss's own insert
 * of its job (composeWithJobInsert). A batch holding a key is a transaction: the key rows (a key
 * another request committed first is not ours, and neither are its sends), the sends, the job,
 * COMMIT. Why one statement: under load the event loop is busy, and each round trip waits for it to
 * read the answer. Measured with 64 connections, each of begin / insert / job / commit took about
 * 2 ms (7–8 ms each at 256), so a 4-round-trip commit spent ~9 ms (~37 ms) mostly waiting. One
 * round trip lifted throughput from 0.70× to 0.84× the baseline at 64 connections (bench/RESULTS.md).
 *
 * Jobs: ONE pg-boss job per batch, carrying the ids of the batch's accepted sends
 * (`{ ids: [...] }`), inserted by pg-boss's insert statement in the batch's commit. Measured on this box
 * (64-row batches): pg-boss's multi-row insert cost about twice the sends insert itself (3.3 ms vs
 * 1.8 ms), while one job row is near-constant; and the worker's pg-boss overhead (fetch, complete,
 * each an UPDATE of the job row) is then paid per batch instead of per send, which matters when API
 * and worker share the 2 cores (role all). Per-send retry semantics are kept by the send's own
 * status: the worker processes only sends still `accepted`, retries a failed job for the sends
 * that failed, and marks exactly those `failed` after the last attempt (see send.worker.ts).
 *
 * Isolation: if a batch transaction fails for any reason but the database being unreachable,
 * each request in it is retried in its own transaction, so one bad item never fails its
 * neighbours. Waiting is bounded (`commitTimeoutMs`): a request never hangs on a dead database;
 * it gets 503 (AppError.unavailable) and the pool reconnects by itself later.
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { AppError, isConnectionError } from '../shared/errors.js';

export const SEND_QUEUE = 'sends.process';

/** Queue policy (jobs carry the sends of one group commit): 3 retries with exponential backoff (≈1 s, 2 s, 4 s …, capped), heartbeats so a killed worker's jobs come back. */
export const SEND_QUEUE_OPTIONS = {
  retryLimit: 3,
  retryDelay: 1,
  retryBackoff: true,
  retryDelayMax: 60,
  heartbeatSeconds: 10,
  expireInSeconds: 300,
};

/** A `sends.process` job: the accepted sends of one group commit. */
export interface SendJob {
  ids: string[];
}

/** One send row, already serialised for the insert. */
export interface SendRow {
  id: string;
  orgId: string;
  definitionId: string;
  eventName: string;
  contactId: string | null;
  email: string | null;
  /** JSON text of the (normalised) data */
  data: string;
  /** ISO 8601 */
  timestamp: string;
  status: 'accepted' | 'rejected';
  /** JSON text of FieldError[] for rejected sends */
  errors: string | null;
  idempotencyKey: string | null;
  /** The definition's schema version the data was validated against. */
  schemaVersion: number;
}

/** The Idempotency-Key record covering a whole request; committed with its sends. */
export interface KeyRow {
  orgId: string;
  key: string;
  hash: string;
  status: number;
  /** JSON text of the response body */
  response: string;
}

/** `key_taken`: another request committed this Idempotency-Key first; nothing of this unit was written. */
export type UnitResult = 'committed' | 'key_taken';

interface Unit {
  sends: SendRow[];
  key?: KeyRow;
  /** Date.now() when it was submitted (the wait for a commit slot is bounded from here). */
  since: number;
  /** It arrived after a quiet spell and was committed at once, alone (see quietMs). */
  quiet?: boolean;
  settle(err: unknown, result?: UnitResult): void;
}

export interface CommitterOptions {
  maxBatch?: number;
  windowMs?: number;
  maxConcurrent?: number;
  commitTimeoutMs?: number;
  idempotencyTtlHours?: number;
  /**
   * A request arriving at least this long after the previous one, with no commit in flight, commits
   * at once instead of waiting `windowMs` for company (0 = never). The server uses 50 ms.
   */
  quietMs?: number;
  /**
   * Called after each commit that wrote accepted sends (a `sends.process` job): wakes the workers.
   * With the accepted ids when the batch is one request that came after a quiet spell (quietMs),
   * so an idle worker can process them at once without fetching the job first; never under load.
   */
  onCommit?: (ids?: string[]) => void;
}

/**
 * The multi-row insert of a batch's sends; its 12 parameters start after `offset`. ROWS FROM zips
 * the columns in order (like a multi-argument unnest). `data` and `errors` come as ONE jsonb array
 * each instead of jsonb[] arrays: pg writes an array parameter as a literal, escaping every element
 * with two regex replaces and `+=`, and a JSON document is the one element full of characters to
 * escape. Measured per batch of 80 sends (1,500 batches each, alternated): the parameters cost the
 * event loop ~160 µs instead of ~300 µs, and PostgreSQL ~0.78 ms instead of ~0.90 ms to read.
 * (All 11 columns as one json document read by json_to_recordset cost the event loop least, ~45 µs,
 * but PostgreSQL the most, ~1.0 ms: it builds a hash table per row.)
 */
const insertSends = (offset: number) => {
  const p = (i: number, type: string) => `unnest($${offset + i}::${type}[])`;
  const j = (i: number) => `jsonb_array_elements($${offset + i}::jsonb)`;
  return `insert into event_sends
  (id, organization_id, event_definition_id, event_name, contact_id, email, data, "timestamp", status, errors, idempotency_key, schema_version)
  select i, o, d, n, c, e, j, t, s, nullif(r, 'null'::jsonb), k, v
  from rows from (${p(1, 'uuid')}, ${p(2, 'uuid')}, ${p(3, 'uuid')}, ${p(4, 'text')}, ${p(5, 'uuid')}, ${p(6, 'text')}, ${j(7)},
                  ${p(8, 'timestamptz')}, ${p(9, 'text')}, ${j(10)}, ${p(11, 'text')}, ${p(12, 'int')}) as x(i, o, d, n, c, e, j, t, s, r, k, v)`;
};
const INSERT_SENDS = insertSends(0);

/** One column of JSON texts (or null, kept as JSON null and stored as SQL NULL) as one JSON array text. */
function jsonArray(rows: SendRow[], col: (s: SendRow) => string | null): string {
  let out = '[';
  for (let i = 0; i < rows.length; i++) out += `${i ? ',' : ''}${col(rows[i]) ?? 'null'}`;
  return `${out}]`;
}

/** The characters an array literal's quoted element escapes: one test, then a replace only when needed. */
const ARRAY_ESCAPE = /["\\]/;
const ARRAY_ESCAPE_ALL = /["\\]/g;
/**
 * One column of text values as the PostgreSQL array literal pg would write for a JS array (every
 * element quoted, `"` and `\` escaped, null as NULL), built in one pass: pg's own runs two regex
 * replaces and string concatenations per element, ~1.6 KB of garbage per send in the heap profile.
 */
function pgArray(rows: SendRow[], col: (s: SendRow) => string | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = col(rows[i]);
    if (i) out += ',';
    out += v === null ? 'NULL' : ARRAY_ESCAPE.test(v) ? `"${v.replace(ARRAY_ESCAPE_ALL, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}

const sendValues = (rows: SendRow[]): unknown[] => [
  pgArray(rows, (s) => s.id), pgArray(rows, (s) => s.orgId), pgArray(rows, (s) => s.definitionId), pgArray(rows, (s) => s.eventName),
  pgArray(rows, (s) => s.contactId), pgArray(rows, (s) => s.email), jsonArray(rows, (s) => s.data), pgArray(rows, (s) => s.timestamp),
  pgArray(rows, (s) => s.status), jsonArray(rows, (s) => s.errors), pgArray(rows, (s) => s.idempotencyKey),
  pgArray(rows, (s) => String(s.schemaVersion)),
];

/**
 * pg-boss's own job insert for the batch with the sends insert as a CTE in front of it: ONE
 * statement, so ONE round trip that commits by itself (autocommit; a statement is atomic), instead
 * of begin / insert / insert / commit. Under load each round trip waits for a busy event loop to
 * read its answer, so this is what a commit's latency is made of (measured below the class).
 * pg-boss's statement (one `$1`: the jobs as JSON) is taken as it would run it, from a recording
 * adapter; null (so the caller uses a transaction) if its shape is not the one this composes with.
 */
export function composeWithJobInsert(bossText: string): string | null {
  const t = bossText.trim();
  if (/\$(?:[02-9]|1\d)/.test(t)) return null;
  const cte = `sends_ins as (${insertSends(1)})`;
  if (/^insert\s/i.test(t)) return `with ${cte}\n${t}`;
  if (/^with\s/i.test(t)) return `with ${cte},\n${t.replace(/^with\s+/i, '')}`;
  return null;
}

// An expired key (older than 24 h) is replaced; a live one is left alone and not returned.
const INSERT_KEYS = `insert into idempotency_keys (organization_id, key, request_hash, status_code, response, expires_at)
  select o, k, h, s, r, now() + make_interval(hours => $6)
  from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::jsonb[]) as t(o, k, h, s, r)
  on conflict (organization_id, key) do update
    set request_hash = excluded.request_hash, status_code = excluded.status_code, response = excluded.response,
        headers = '{}', created_at = now(), expires_at = excluded.expires_at
    where idempotency_keys.expires_at <= now()
  returning organization_id, key`;

// pg-boss sends its (large, per-queue constant) insert SQL unnamed, so PostgreSQL would parse and
// plan it for every batch; naming it makes it a prepared statement per connection.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `boss_${statementNames.size}`;
    if (statementNames.size < 50) statementNames.set(text, name);
    else return '';
  }
  return name;
}

const acceptedIds = (rows: SendRow[]): string[] => {
  const ids: string[] = [];
  for (const s of rows) if (s.status === 'accepted') ids.push(s.id);
  return ids;
};

// pg-boss's statement for a queue is constant, so its composition is made (and named) once.
const composedByText = new Map<string, { name: string; text: string } | null>();
function composedStatement(bossText: string): { name: string; text: string } | null {
  let c = composedByText.get(bossText);
  if (c === undefined) {
    const text = composeWithJobInsert(bossText);
    c = text ? { name: `ins_sends_job_${composedByText.size}`, text } : null;
    if (composedByText.size < 50) composedByText.set(bossText, c);
  }
  return c;
}

export class GroupCommitter {
  private pending: Unit[] = [];
  private pendingSends = 0;
  private timer: NodeJS.Timeout | undefined;
  /** One timer for the bounded wait of all pending units (they are FIFO: it tracks the oldest). */
  private watchdog: NodeJS.Timeout | undefined;
  private inflight = 0;
  private closed = false;
  /** A flush found every commit slot busy: the next free slot takes the pending requests at once. */
  private overdue = false;
  /** Date.now() of the latest submit (see quietMs). */
  private lastArrival = 0;
  private idle: Array<() => void> = [];
  /** `singleStatement`: batches committed as one autocommitted statement (no Idempotency-Key in them). */
  readonly stats = { batches: 0, sends: 0, retriedBatches: 0, singleStatement: 0 };
  private readonly o: Required<Omit<CommitterOptions, 'onCommit'>>;
  private readonly onCommit?: (ids?: string[]) => void;

  constructor(private readonly pool: pg.Pool, private readonly boss: PgBoss, opts: CommitterOptions = {}) {
    const { onCommit, ...o } = opts;
    this.o = { maxBatch: 200, windowMs: 2, maxConcurrent: 4, commitTimeoutMs: 10_000, idempotencyTtlHours: 24, quietMs: 0, ...o };
    this.onCommit = onCommit;
  }

  /** Resolves once the unit's rows are committed (or its key was taken); rejects with an AppError-able error. */
  submit(sends: SendRow[], key?: KeyRow): Promise<UnitResult> {
    if (this.closed) return Promise.reject(AppError.unavailable());
    return new Promise<UnitResult>((resolve, reject) => {
      let done = false;
      const unit: Unit = {
        sends,
        key,
        since: Date.now(),
        quiet: false,
        settle: (err, result) => {
          if (done) return;
          done = true;
          if (err) reject(err);
          else resolve(result!);
        },
      };
      this.pending.push(unit);
      this.pendingSends += Math.max(1, sends.length);
      this.watchdog ??= this.armWatchdog();
      const quiet = this.o.quietMs > 0 && unit.since - this.lastArrival >= this.o.quietMs;
      this.lastArrival = unit.since;
      // An idle server has no company to wait for: the first request after a quiet spell commits at
      // once (saves the window on send → automation latency); under load arrivals never pause that long.
      if (quiet && this.inflight === 0 && this.pending.length === 1) {
        unit.quiet = true;
        this.flush();
      } else if (this.pendingSends >= this.o.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.o.windowMs);
    });
  }

  /**
   * Bounded wait for a commit slot too (a hung database holds all of them): a unit still pending
   * `commitTimeoutMs` after it was submitted gets 503, never a hang (once committing, the commit
   * timeout governs). One timer for the whole queue instead of one per request: the oldest unit
   * is first, so the timer waits for its deadline, expires what is due, and re-arms for the next.
   */
  private armWatchdog(): NodeJS.Timeout | undefined {
    if (!this.pending.length) return undefined;
    const delay = Math.max(0, this.pending[0].since + this.o.commitTimeoutMs - Date.now());
    return setTimeout(() => {
      const due = Date.now() - this.o.commitTimeoutMs;
      while (this.pending.length && this.pending[0].since <= due) {
        const unit = this.pending.shift()!;
        this.pendingSends -= Math.max(1, unit.sends.length);
        unit.settle(AppError.unavailable());
      }
      this.watchdog = this.armWatchdog();
    }, delay);
  }

  /** Commit whatever is pending and wait for every batch in flight (shutdown). */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.pending.length || this.inflight) {
      this.flush();
      await new Promise<void>((r) => this.idle.push(r));
    }
    // Nothing is pending any more: the watchdog must not hold the process open for up to commitTimeoutMs.
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length && this.inflight < this.o.maxConcurrent) {
      const batch: Unit[] = [];
      let n = 0;
      while (this.pending.length && (batch.length === 0 || n + this.pending[0].sends.length <= this.o.maxBatch)) {
        const u = this.pending.shift()!;
        n += Math.max(1, u.sends.length);
        batch.push(u);
      }
      this.pendingSends -= n;
      this.inflight++;
      void this.run(batch).finally(() => {
        this.inflight--;
        // Requests whose window passed while every slot was busy go now; younger ones keep
        // gathering company until their window ends (bigger batches = fewer commits per send).
        if (this.pending.length && (this.overdue || this.pendingSends >= this.o.maxBatch || this.closed)) this.flush();
        else if (!this.pending.length && !this.inflight) for (const r of this.idle.splice(0)) r();
      });
    }
    this.overdue = this.pending.length > 0;
  }

  /**
   * Requests with an Idempotency-Key commit in a transaction (their key decides whether their sends
   * are written); the others, committed beside them, keep the one-statement commit.
   */
  private async run(batch: Unit[]): Promise<void> {
    const keyed = batch.filter((u) => u.key);
    if (keyed.length && keyed.length < batch.length) {
      await Promise.all([this.runPart(batch.filter((u) => !u.key)), this.runPart(keyed)]);
    } else {
      await this.runPart(batch);
    }
  }

  private async runPart(batch: Unit[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (err) {
      if (batch.length > 1 && !isConnectionError(err) && !(err instanceof AppError)) {
        // Find the culprit: every request alone, so its neighbours still commit.
        this.stats.retriedBatches++;
        await Promise.all(batch.map((u) => this.commit([u]).catch((e) => u.settle(e))));
      } else {
        for (const u of batch) u.settle(err);
      }
    }
  }

  private countBatch(rows: SendRow[]): void {
    this.stats.batches++;
    this.stats.sends += rows.length;
  }

  /**
   * pg-boss's insert of the one `sends.process` job carrying `ids`, exactly as pg-boss would run it
   * (its queue policy and defaults), recorded by an adapter instead of run: both commit paths run
   * it themselves, the transaction as is, the single statement behind the sends insert.
   */
  private async jobInsert(ids: string[]): Promise<{ text: string; values: unknown[] }> {
    let captured: { text: string; values: unknown[] } | undefined;
    const job: SendJob = { ids };
    await this.boss.insert(SEND_QUEUE, [{ data: job }], {
      db: {
        executeSql: async (text: string, values?: unknown[]) => {
          captured = { text, values: values ?? [] };
          return { rows: [] };
        },
      },
    });
    if (!captured) throw new Error('pg-boss did not build its job insert');
    return captured;
  }

  /**
   * A batch without Idempotency-Keys as ONE autocommitted statement (see composeWithJobInsert): its
   * sends and, when some are accepted, their job. Null when pg-boss's statement does not compose.
   */
  private async singleStatement(units: Unit[]): Promise<{ query: pg.QueryConfig; rows: SendRow[]; /** the accepted ids, when the statement also inserts their job */ ids?: string[] } | null> {
    const rows: SendRow[] = [];
    for (const u of units) rows.push(...u.sends);
    if (!rows.length) return null;
    const ids = acceptedIds(rows);
    if (!ids.length) return { query: { name: 'ins_sends', text: INSERT_SENDS, values: sendValues(rows) }, rows };
    const job = await this.jobInsert(ids);
    const composed = job.values.length === 1 ? composedStatement(job.text) : null;
    if (!composed) return null;
    return { query: { name: composed.name, text: composed.text, values: [job.values[0], ...sendValues(rows)] }, rows, ids };
  }

  private async commit(units: Unit[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let client: pg.PoolClient | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(AppError.unavailable());
      }, this.o.commitTimeoutMs);
    });
    const work = async (): Promise<Set<Unit>> => {
      const c = await this.pool.connect();
      if (timedOut) {
        // The caller already got its 503; nobody will release this one.
        c.release();
        throw AppError.unavailable();
      }
      client = c;
      if (!units.some((u) => u.key)) {
        const single = await this.singleStatement(units);
        if (single) {
          if (timedOut) throw AppError.unavailable();
          await c.query(single.query);
          this.countBatch(single.rows);
          this.stats.singleStatement++;
          // The ids only for a request that came after a quiet spell: an idle worker takes them directly.
          if (single.ids) this.onCommit?.(units.length === 1 && units[0].quiet ? single.ids : undefined);
          return new Set<Unit>();
        }
      }
      let ok = false;
      try {
        await c.query('begin');
        const taken = new Set<Unit>();
        const keyed = units.filter((u) => u.key);
        if (keyed.length) {
          const k = keyed.map((u) => u.key!);
          const r = await c.query<{ organization_id: string; key: string }>({
            name: 'ins_idem_keys',
            text: INSERT_KEYS,
            values: [k.map((x) => x.orgId), k.map((x) => x.key), k.map((x) => x.hash), k.map((x) => x.status), k.map((x) => x.response), this.o.idempotencyTtlHours],
          });
          const won = new Set(r.rows.map((x) => `${x.organization_id}\u0000${x.key}`));
          for (const u of keyed) if (!won.has(`${u.key!.orgId}\u0000${u.key!.key}`)) taken.add(u);
        }
        const rows: SendRow[] = [];
        for (const u of units) if (!taken.has(u)) rows.push(...u.sends);
        let jobbed = false;
        if (rows.length) {
          await c.query({ name: 'ins_sends', text: INSERT_SENDS, values: sendValues(rows) });
          const ids = acceptedIds(rows);
          jobbed = ids.length > 0;
          if (ids.length) {
            const job = await this.jobInsert(ids);
            await c.query({ name: statementName(job.text), text: job.text, values: job.values });
          }
        }
        if (timedOut) throw AppError.unavailable();
        await c.query('commit');
        ok = true;
        this.countBatch(rows);
        if (jobbed) this.onCommit?.();
        return taken;
      } finally {
        if (!ok) await c.query('rollback').catch(() => {});
      }
    };
    try {
      const taken = await Promise.race([work(), timeout]);
      for (const u of units) u.settle(null, taken.has(u) ? 'key_taken' : 'committed');
      (client as pg.PoolClient | undefined)?.release();
    } catch (err) {
      // A timed-out or broken connection is destroyed rather than returned to the pool.
      (client as pg.PoolClient | undefined)?.release(timedOut || isConnectionError(err) ? new Error('discarded') : undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
