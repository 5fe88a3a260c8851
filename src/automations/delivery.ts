/**
 * Delivers outbox rows (emails, webhooks). A row is claimed with `for update skip locked` and the
 * transport runs while that transaction holds it: a worker that dies mid-delivery releases the row
 * (its connection closes), which stays pending, so the next worker delivers it — nothing is lost,
 * and nothing is sent twice unless a crash lands between the receiver's acceptance and our commit
 * (then the Message-ID / Idempotency-Key, both derived from the row, let the receiver drop it).
 * The outbox holds what is still to deliver (and final failures): a delivered row is deleted by the
 * transaction that records the delivery in its run's step log (the record a user reads), which is
 * ~30 µs of PostgreSQL per run less than updating it in place and its indexes (docs/realtime.md),
 * and a rendered payload is not kept once sent. An effect is never written twice for all that: a
 * run's step writes its effect only while the run is at that step, under the run's row lock, and the
 * run has moved past it when its row is deleted (and while the row exists, its key is unique).
 * Woken right after a step commits outbox rows (same process), and by a sweep every second on every
 * worker, which also does the retries (backoff) and picks up what a dead worker left.
 */
import type pg from 'pg';
import { countDelivery, slowDestinations as slowDestinationsGauge } from '../metrics/metrics.js';
import type { WorkerDeps } from '../shared/context.js';
import type { RunStepLog } from './automation.entity.js';
import { nextStep, type Connection } from './graph.js';
import { enqueue, STEP_QUEUE } from './run.executor.js';
import { createEmailTransport, PermanentDeliveryError, postWebhook, type EmailPayload, type EmailTransport, type WebhookPayload } from './steps/transports.js';

interface OutboxRow {
  id: string;
  run_id: string;
  automation_id: string;
  step_key: string;
  kind: 'email' | 'webhook';
  idempotency_key: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  log_index: number;
  webhook_secret: string;
  /** DESTINATION_SQL: 'smtp', or the webhook URL's host:port */
  destination: string;
}

/**
 * Outbox rows claimed and delivered together by one sweep lane (one transaction). Per row, the claim,
 * the commit and the settle's statements cost less in larger batches, and a batch's objects live
 * until its last delivery answers (they survive into the old generation), so larger batches hold more
 * memory. 100 → 250 rows: 1,949 → 2,200 and 2,059 → 2,518 runs/s (alternating pairs of 30,000 sends
 * through the three-step flow); 500 rows did a little more than 250 in two pairs, but raised the
 * sustained benchmark's p99 and took its peak RSS over 300 MB (docs/realtime.md, "Fourth pass").
 */
export const DELIVERY_BATCH = 250;
/**
 * ...and at most this many bytes of payload (the rendered emails and webhook bodies as text, as the
 * lane holds them), except that a batch always takes its first row: what a lane holds in memory stays
 * bounded whatever the templates render. Rows over the budget stay locked (the other lanes skip them)
 * until the batch commits, and are claimed by the next.
 */
export const DELIVERY_BATCH_BYTES = 8 * 1024 * 1024;

/** Seconds before retry n (1, 2, 4 … capped at 10 minutes), with jitter. */
/** A failed attempt is the last one: the receiver refused for good, or the attempts are used up. */
const isFinal = (row: Pick<OutboxRow, 'attempts' | 'max_attempts'>, failure: unknown): boolean =>
  failure instanceof PermanentDeliveryError || row.attempts + 1 >= row.max_attempts;

/**
 * Slow destinations get their own lane. A claimed batch is recorded when its last delivery answers,
 * so one receiver that takes the whole timeout (10 s) would hold up every other row of its batch,
 * other tenants' included, and with a few such rows in the queue every lane. A destination (the SMTP
 * relay, or a webhook URL's host:port) whose delivery is still unanswered after SLOW_DELIVERY_MS is
 * marked slow for SLOW_FOR_MS: the normal lanes leave its rows to one lane of its own (rows of slow
 * destinations only), which retries them as before. Per worker, in memory (at most MAX_SLOW).
 */
export const SLOW_DELIVERY_MS = 2_000;
export const SLOW_FOR_MS = 60_000;
const MAX_SLOW = 1_000;
/** A row's destination: the claim filters on it and returns it (one definition for both). */
const DESTINATION_SQL = `(case when o.kind = 'email' then 'smtp' else split_part(o.payload->>'url', '/', 3) end)`;

export const backoffSeconds = (attempt: number): number => Math.min(600, 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);

export class Deliverer {
  private readonly email: EmailTransport;
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private again = false;
  private stopped = false;
  /** destination → until (epoch ms) it counts as slow */
  private readonly slow = new Map<string, number>();
  private slowLaneRunning = false;

  constructor(private readonly deps: WorkerDeps, private readonly opts: { webhookTimeoutMs?: number; sweepMs?: number; lanes?: number; batchBytes?: number; onStepJob?: () => void } = {}) {
    this.email = createEmailTransport(deps);
  }

  start(): void {
    this.email.warm?.();
    const tick = () => {
      if (this.stopped) return;
      void this.sweep().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.sweepMs ?? 1_000);
      });
    };
    this.timer = setTimeout(tick, 200);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Let an in-flight delivery finish, but not forever: an unfinished one stays pending (its row lock
    // goes with the connection) and another worker delivers it.
    const until = Date.now() + 5_000;
    while ((this.sweeping || this.slowLaneRunning) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    this.email.close?.();
  }

  /** New rows are committed: deliver now rather than at the next tick. */
  nudge(): void {
    if (this.stopped) return;
    if (this.sweeping) this.again = true;
    else void this.sweep();
  }

  /** Deliver every due row (until none is left or we stop), in a few parallel lanes (one row per transaction each). */
  async sweep(): Promise<void> {
    this.runSlowLane();
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      do {
        this.again = false;
        const lane = async () => {
          while (!this.stopped && (await this.deliverBatch())) {
            /* next */
          }
        };
        await Promise.all(Array.from({ length: this.opts.lanes ?? 3 }, lane));
      } while (this.again && !this.stopped);
    } catch (err) {
      this.deps.log.warn({ err }, 'automation outbox sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  /** The destinations slow now (expired marks dropped). */
  slowDestinations(): string[] {
    const now = Date.now();
    for (const [d, until] of this.slow) if (until <= now) this.slow.delete(d);
    slowDestinationsGauge.set(this.slow.size);
    return [...this.slow.keys()];
  }

  private markSlow(destination: string, kind: string): void {
    if (!this.slow.has(destination)) {
      if (this.slow.size >= MAX_SLOW) this.slow.delete(this.slow.keys().next().value!);
      this.deps.log.warn({ destination, kind, afterMs: SLOW_DELIVERY_MS }, 'slow delivery destination: its rows go through their own lane for a while');
    }
    this.slow.set(destination, Date.now() + SLOW_FOR_MS);
    slowDestinationsGauge.set(this.slow.size);
  }

  /** The slow destinations' lane: one at a time, apart from the sweep (whose lanes never wait for it). */
  private runSlowLane(): void {
    if (this.slowLaneRunning || this.stopped || !this.slow.size) return;
    this.slowLaneRunning = true;
    void (async () => {
      try {
        while (!this.stopped && (await this.deliverBatch(DELIVERY_BATCH, undefined, 'slow'))) {
          /* next */
        }
      } catch (err) {
        this.deps.log.warn({ err }, 'automation outbox slow lane failed');
      } finally {
        this.slowLaneRunning = false;
      }
    })();
  }

  /** Claim and deliver one due row (a given one, or the oldest due). Returns whether one was handled. */
  async deliverOne(id?: string): Promise<boolean> {
    return (await this.deliverBatch(1, id)) > 0;
  }

  /**
   * Claim up to `limit` due rows (and DELIVERY_BATCH_BYTES of payload) in one transaction (`for
   * update skip locked`: held while their transports run, so a worker killed mid-batch releases them
   * all, still pending), deliver them concurrently (the pooled SMTP transport and the keep-alive agent
   * bound what reaches one destination at once), record every attempt, commit. Returns how many rows
   * were handled.
   */
  async deliverBatch(limit = DELIVERY_BATCH, id?: string, lane: 'normal' | 'slow' = 'normal'): Promise<number> {
    const slow = id ? [] : this.slowDestinations();
    if (lane === 'slow' && !slow.length) return 0;
    const only = id ? 'and o.id = $2' : lane === 'slow' ? `and ${DESTINATION_SQL} = any($2::text[])` : slow.length ? `and ${DESTINATION_SQL} <> all($2::text[])` : '';
    const onlyArgs: unknown[] = id ? [id] : only ? [slow] : []; // what `only` reads as $2
    const client = await this.deps.pool.connect();
    try {
      await client.query('begin');
      // One statement locks the due rows and reads, in due order, those within the byte budget (their
      // payloads' size as text, which is what this lane holds); the rest stay locked until the commit.
      // A transport that takes few emails per batch (SMTP) gets its own claim for them, after the webhooks'.
      const budget = this.opts.batchBytes ?? DELIVERY_BATCH_BYTES;
      const claim = async (kind: '' | 'email' | 'webhook', n: number, bytes: number, first: boolean) => {
        const r = await client.query<OutboxRow & { bytes: string }>(
          `with c as (
             select o.id from automation_outbox o
              where o.status = 'pending' and o.next_attempt_at <= now() ${only} ${kind ? `and o.kind = '${kind}'` : ''}
              order by o.next_attempt_at limit $1
              for update of o skip locked
           ), r as (
             select x.*, row_number() over w as n, sum(octet_length(x.payload)) over w as upto
               from (select o.id, o.run_id, o.automation_id, o.step_key, o.kind, o.idempotency_key, o.payload::text as payload, o.attempts, o.max_attempts,
                            o.log_index, a.webhook_secret, ${DESTINATION_SQL} as destination, o.next_attempt_at
                       from c join automation_outbox o on o.id = c.id join automations a on a.id = o.automation_id) x
             window w as (order by x.next_attempt_at, x.id)
           )
           select id, run_id, automation_id, step_key, kind, idempotency_key, payload, attempts, max_attempts, log_index, webhook_secret, destination, upto as bytes
             from r where (n = 1 and $${onlyArgs.length + 3}::boolean) or upto <= $${onlyArgs.length + 2}`,
          [n, ...onlyArgs, bytes, first],
        );
        return r.rows;
      };
      const emailLimit = id ? undefined : this.email.batchLimit;
      let rows: (OutboxRow & { bytes: string })[];
      if (emailLimit) {
        const hooks = await claim('webhook', limit, budget, true);
        const used = hooks.length ? Number(hooks[hooks.length - 1]!.bytes) : 0;
        rows = used < budget ? [...hooks, ...(await claim('email', Math.min(limit, emailLimit), budget - used, !hooks.length))] : hooks;
      } else {
        rows = await claim('', limit, budget, true);
      }
      if (!rows.length) {
        await client.query('commit');
        return 0;
      }
      // The payload as text, read by JSON.parse: a webhook's body is a JSON string full of escaped quotes,
      // which would send the generic jsonb reader (shared/json.ts) to its slow path on every row; its
      // keys are our own fixed names (url, headers, body, from, to, subject, text, html), never escaped.
      for (const row of rows) row.payload = JSON.parse(row.payload as string);
      // The transports run concurrently; only they are guarded (a database error aborts the claim).
      // A row still unanswered after SLOW_DELIVERY_MS marks its destination slow at once, so the other
      // lanes stop claiming its rows while this batch waits for it.
      const pending = new Set(rows);
      const slowTimer = setTimeout(() => {
        for (const row of pending) this.markSlow(row.destination, row.kind);
        this.runSlowLane();
      }, SLOW_DELIVERY_MS);
      const results = await Promise.all(
        rows.map(async (row) => {
          const started = Date.now();
          try {
            const res =
              row.kind === 'email'
                ? await this.email.send(row.payload as EmailPayload, { outboxId: row.id, idempotencyKey: row.idempotency_key })
                : await postWebhook(this.deps.config, row.payload as WebhookPayload, { outboxId: row.id, idempotencyKey: row.idempotency_key, secret: row.webhook_secret }, this.opts.webhookTimeoutMs);
            const at = Date.now();
            return { row, res, ms: at - started, at };
          } catch (err) {
            const at = Date.now();
            return { row, failure: err as Error, ms: at - started, at };
          } finally {
            pending.delete(row);
          }
        }),
      ).finally(() => clearTimeout(slowTimer));
      const stepJobs = await settleBatch(this.deps, client, results);
      for (const { row, failure, res } of results) {
        countDelivery(row.kind, res ? 'sent' : isFinal(row, failure) ? 'failed' : 'retried');
        if (!res) this.deps.log.warn({ outboxId: row.id, kind: row.kind, attempts: row.attempts + 1, err: failure!.message }, 'automation delivery failed');
      }
      await client.query('commit');
      if (stepJobs) this.opts.onStepJob?.();
      return rows.length;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}

interface Settled {
  row: OutboxRow;
  res?: { responseStatus?: number | null };
  failure?: Error;
  ms: number;
  /** epoch ms when the transport answered */
  at: number;
}

/** One failed delivery attempt in a step's log (`details.failed_attempts`). */
interface FailedAttempt {
  attempt: number;
  at: string;
  status?: number | null;
  ms: number;
  error: string;
}

interface RunLock {
  id: string;
  status: string;
  current_step: string | null;
  steps: RunStepLog[];
  connections: Connection[];
}

/**
 * Records a claimed batch's delivery attempts with a few multi-row statements, whatever its size:
 * ONE statement for the outbox rows (a delivered row is deleted; a failed attempt's row stays pending
 * with backoff, or failed when it was the last), ONE select of their runs
 * (`for update`, in id order), ONE update writing each run's step log (the attempt's details; a
 * webhook step finishes when its delivery settles and the run goes on, completes or fails), and ONE
 * pg-boss insert of the step jobs of runs that go on past a webhook. Returns how many step jobs.
 */
async function settleBatch(deps: WorkerDeps, client: pg.ClientBase, results: Settled[]): Promise<number> {
  const o = { id: [] as string[], status: [] as string[], attempts: [] as number[], rs: [] as (number | null)[], err: [] as (string | null)[], backoff: [] as number[] };
  type Patch = { row: OutboxRow; patch: Record<string, unknown>; failedAttempt?: FailedAttempt; outcome?: string; settle?: { ok: boolean; error?: string; at: number; attempts: number } };
  const patches = new Map<string, Patch[]>();
  for (const { row, res, failure, ms, at } of results) {
    const attempts = row.attempts + 1;
    const status = res ? (res.responseStatus ?? null) : ((failure as { responseStatus?: number }).responseStatus ?? null);
    const final = !res && isFinal(row, failure);
    const error = failure ? failure.message : undefined;
    o.id.push(row.id);
    o.status.push(res ? 'sent' : final ? 'failed' : 'pending');
    o.attempts.push(attempts);
    o.rs.push(status);
    o.err.push(error ? error.slice(0, 1000) : null);
    o.backoff.push(res || final ? 0 : backoffSeconds(attempts));
    let p: Patch;
    if (!res && !final) p = { row, patch: { attempts, ...(row.kind === 'webhook' ? { status } : {}), last_error: error } };
    else if (row.kind === 'email') {
      p = { row, patch: { delivery: res ? 'sent' : 'failed', attempts, delivered_at: res ? new Date(at).toISOString() : null, ...(error ? { last_error: error } : {}) } };
    } else {
      p = { row, patch: { status, attempts, response_ms: ms, ...(error ? { last_error: error } : {}) }, outcome: res ? 'delivered' : 'failed', settle: { ok: !!res, error, at, attempts } };
    }
    // every failed attempt keeps its own entry (at most max_attempts); a delivered one is delivered_at / status
    if (!res) p.failedAttempt = { attempt: attempts, at: new Date(at).toISOString(), ...(row.kind === 'webhook' ? { status } : {}), ms, error: (error ?? '').slice(0, 300) };
    const list = patches.get(row.run_id);
    if (list) list.push(p);
    else patches.set(row.run_id, [p]);
  }
  await client.query({
    name: 'automation_outbox_settle',
    text: `with del as (
        delete from automation_outbox o using unnest($1::uuid[], $2::text[]) as u(id, status) where o.id = u.id and u.status = 'sent'
      )
      update automation_outbox o
        set status = u.status, attempts = u.attempts, response_status = u.rs, last_error = u.err, updated_at = now(),
            next_attempt_at = now() + make_interval(secs => u.backoff)
       from unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::float8[]) as u(id, status, attempts, rs, err, backoff)
      where o.id = u.id and u.status <> 'sent'`,
    values: [o.id, o.status, o.attempts, o.rs, o.err, o.backoff],
  });
  const runIds = [...patches.keys()].sort();
  const locked = await client.query<RunLock>({
    name: 'automation_settle_runs',
    text: `select r.id, r.status, r.current_step, r.steps, a.connections from automation_runs r join automations a on a.id = r.automation_id
      where r.id = any($1::uuid[]) order by r.id for update of r`,
    values: [runIds],
  });
  const w = { id: [] as string[], steps: [] as RunStepLog[][], status: [] as string[], current: [] as (string | null)[], error: [] as (string | null)[], finished: [] as (string | null)[], touchFinished: [] as boolean[] };
  const jobs: { name: string; data: object }[] = [];
  for (const run of locked.rows) {
    const steps = run.steps;
    let status = run.status;
    let current = run.current_step;
    let error: string | null = null;
    let finished: string | null = null;
    let touchFinished = false;
    for (const { row, patch, failedAttempt, outcome, settle } of patches.get(run.id) ?? []) {
      const entry = steps[row.log_index] as (RunStepLog & Record<string, unknown>) | undefined;
      if (!entry) continue;
      const failed = (entry.details?.failed_attempts as FailedAttempt[] | undefined) ?? [];
      entry.details = { ...(entry.details ?? {}), ...patch, ...(failedAttempt ? { failed_attempts: [...failed, failedAttempt] } : {}) };
      if (outcome) (entry as { outcome: string }).outcome = outcome;
      if (!settle || status !== 'running' || current !== row.step_key) continue; // an email, or the run was cancelled meanwhile
      // The webhook step finishes when its delivery settles: its log entry's finished_at / duration_ms
      // say so, and a run it ends ends then (the transport's answer, not the transaction's start).
      const at = new Date(settle.at).toISOString();
      entry.finished_at = at;
      entry.duration_ms = Math.max(0, Math.floor(settle.at - Date.parse(String(entry.started_at))));
      touchFinished = true;
      if (!settle.ok) {
        status = 'failed';
        current = null;
        error = `step ${row.step_key}: webhook failed after ${settle.attempts} attempt(s): ${settle.error}`;
        finished = at;
      } else {
        const next = nextStep(run.connections, row.step_key);
        entry.next = next ?? null;
        current = next ?? null;
        if (next) {
          finished = null;
          jobs.push({ name: STEP_QUEUE, data: { runId: run.id, stepKey: next } });
        } else {
          status = 'completed';
          finished = at;
        }
      }
    }
    w.id.push(run.id);
    w.steps.push(steps);
    w.status.push(status);
    w.current.push(current);
    w.error.push(error);
    w.finished.push(finished);
    w.touchFinished.push(touchFinished);
  }
  if (w.id.length) {
    await client.query({
      name: 'automation_settle_runs_write',
      text: `update automation_runs r
          set steps = u.steps, status = u.status, current_step = u.cur, updated_at = now(),
              error = case when u.touch and u.status = 'failed' then u.err else r.error end,
              finished_at = case when u.touch then u.fin else r.finished_at end
         from rows from (unnest($1::uuid[]), jsonb_array_elements($2::jsonb), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]),
                         unnest($6::timestamptz[]), unnest($7::bool[])) as u(id, steps, status, cur, err, fin, touch)
        where r.id = u.id`,
      values: [w.id, JSON.stringify(w.steps), w.status, w.current, w.error, w.finished, w.touchFinished],
    });
  }
  if (jobs.length) await enqueue(deps.boss, client, jobs);
  return jobs.length;
}
