/**
 * Delivers outbox rows (emails, webhooks). A row is claimed with `for update skip locked` and the
 * transport runs while that transaction holds it: a worker that dies mid-delivery releases the row
 * (its connection closes), which stays pending, so the next worker delivers it — nothing is lost,
 * and nothing is sent twice unless a crash lands between the receiver's acceptance and our commit
 * (then the Message-ID / Idempotency-Key, both derived from the row, let the receiver drop it).
 * Woken right after a step commits outbox rows (same process), and by a sweep every second on every
 * worker, which also does the retries (backoff) and picks up what a dead worker left.
 */
import type pg from 'pg';
import type { WorkerDeps } from '../shared/context.js';
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
}

/** Outbox rows claimed and delivered together by one sweep lane (one transaction). */
export const DELIVERY_BATCH = 25;

/** Seconds before retry n (1, 2, 4 … capped at 10 minutes), with jitter. */
export const backoffSeconds = (attempt: number): number => Math.min(600, 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);

export class Deliverer {
  private readonly email: EmailTransport;
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: WorkerDeps, private readonly opts: { webhookTimeoutMs?: number; sweepMs?: number; lanes?: number; onStepJob?: () => void } = {}) {
    this.email = createEmailTransport(deps);
  }

  start(): void {
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
    while (this.sweeping && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
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

  /** Claim and deliver one due row (a given one, or the oldest due). Returns whether one was handled. */
  async deliverOne(id?: string): Promise<boolean> {
    return (await this.deliverBatch(1, id)) > 0;
  }

  /**
   * Claim up to `limit` due rows in one transaction (`for update skip locked`: held while their
   * transports run, so a worker killed mid-batch releases them all, still pending), deliver them
   * concurrently (the pooled SMTP transport and the keep-alive agent bound what reaches one
   * destination at once), record every attempt, commit. Returns how many rows were handled.
   */
  async deliverBatch(limit = DELIVERY_BATCH, id?: string): Promise<number> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('begin');
      const r = await client.query<OutboxRow>(
        `select o.id, o.run_id, o.automation_id, o.step_key, o.kind, o.idempotency_key, o.payload, o.attempts, o.max_attempts, o.log_index, a.webhook_secret
           from automation_outbox o join automations a on a.id = o.automation_id
          where o.status = 'pending' and o.next_attempt_at <= now() ${id ? 'and o.id = $2' : ''}
          order by o.next_attempt_at limit $1
          for update of o skip locked`,
        id ? [limit, id] : [limit],
      );
      if (!r.rows.length) {
        await client.query('commit');
        return 0;
      }
      // The transports run concurrently; only they are guarded (a database error aborts the claim).
      const results = await Promise.all(
        r.rows.map(async (row) => {
          const started = Date.now();
          try {
            const res =
              row.kind === 'email'
                ? await this.email.send(row.payload as EmailPayload, { outboxId: row.id, idempotencyKey: row.idempotency_key })
                : await postWebhook(this.deps.config, row.payload as WebhookPayload, { outboxId: row.id, idempotencyKey: row.idempotency_key, secret: row.webhook_secret }, this.opts.webhookTimeoutMs);
            return { row, res, ms: Date.now() - started };
          } catch (err) {
            return { row, failure: err as Error, ms: Date.now() - started };
          }
        }),
      );
      let stepJobs = 0;
      for (const { row, res, failure, ms } of results) {
        const attempts = row.attempts + 1;
        if (res) {
          await client.query(
            `update automation_outbox set status = 'sent', attempts = $2, response_status = $3, last_error = null, sent_at = now(), updated_at = now() where id = $1`,
            [row.id, attempts, res.responseStatus ?? null],
          );
          if (await settleRun(this.deps, client, row, { ok: true, attempts, status: res.responseStatus ?? null, ms })) stepJobs++;
        } else {
          const message = failure!.message;
          const responseStatus = (failure as { responseStatus?: number }).responseStatus ?? null;
          const final = failure instanceof PermanentDeliveryError || attempts >= row.max_attempts;
          await client.query(
            `update automation_outbox set status = $2, attempts = $3, last_error = $4, response_status = $5,
                    next_attempt_at = now() + make_interval(secs => $6), updated_at = now() where id = $1`,
            [row.id, final ? 'failed' : 'pending', attempts, message.slice(0, 1000), responseStatus, final ? 0 : backoffSeconds(attempts)],
          );
          if (final) await settleRun(this.deps, client, row, { ok: false, attempts, status: responseStatus, error: message, ms });
          else await recordAttempt(client, row, { attempts, status: responseStatus, error: message });
          this.deps.log.warn({ outboxId: row.id, kind: row.kind, attempts, final, err: message }, 'automation delivery failed');
        }
      }
      await client.query('commit');
      if (stepJobs) this.opts.onStepJob?.();
      return r.rows.length;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}

const mergeDetails = (client: pg.ClientBase, runId: string, index: number, patch: Record<string, unknown>, outcome?: string) =>
  client.query(
    `update automation_runs
        set steps = jsonb_set(${outcome ? `jsonb_set(steps, array[$4::text, 'outcome'], to_jsonb($5::text))` : 'steps'},
                              array[$4::text, 'details'], coalesce(steps -> $2::int -> 'details', '{}'::jsonb) || $3::jsonb),
            updated_at = now()
      where id = $1 and jsonb_array_length(steps) > $2::int`,
    outcome ? [runId, index, JSON.stringify(patch), String(index), outcome] : [runId, index, JSON.stringify(patch), String(index)],
  );

async function recordAttempt(client: pg.ClientBase, row: OutboxRow, a: { attempts: number; status: number | null; error: string }): Promise<void> {
  await mergeDetails(client, row.run_id, row.log_index, { attempts: a.attempts, ...(row.kind === 'webhook' ? { status: a.status } : {}), last_error: a.error });
}

/** Record the delivery on the run's log; a webhook step then lets the run go on (or fail). */
async function settleRun(deps: WorkerDeps, client: pg.ClientBase, row: OutboxRow, res: { ok: boolean; attempts: number; status: number | null; error?: string; ms: number }): Promise<boolean> {
  const at = new Date().toISOString();
  if (row.kind === 'email') {
    await mergeDetails(client, row.run_id, row.log_index, { delivery: res.ok ? 'sent' : 'failed', attempts: res.attempts, delivered_at: res.ok ? at : null, ...(res.error ? { last_error: res.error } : {}) });
    return false;
  }
  await mergeDetails(client, row.run_id, row.log_index, { status: res.status, attempts: res.attempts, response_ms: res.ms, ...(res.error ? { last_error: res.error } : {}) }, res.ok ? 'delivered' : 'failed');
  const r = await client.query<{ status: string; current_step: string | null; connections: Connection[] }>(
    `select r.status, r.current_step, a.connections from automation_runs r join automations a on a.id = r.automation_id where r.id = $1 for update of r`,
    [row.run_id],
  );
  const run = r.rows[0];
  if (!run || run.status !== 'running' || run.current_step !== row.step_key) return false; // cancelled meanwhile
  // The webhook step finishes when its delivery settles: its log entry's finished_at / duration_ms
  // say so, and a run it ends ends then (the clock now, not the transaction's start).
  const finishStep = `jsonb_set(jsonb_set(steps, array[$3::text, 'finished_at'], to_jsonb($5::text)), array[$3::text, 'duration_ms'],
            to_jsonb(greatest(0, floor(extract(epoch from ($5::timestamptz - (steps -> $3::int ->> 'started_at')::timestamptz)) * 1000))::int))`;
  if (!res.ok) {
    await client.query(
      `update automation_runs set status = 'failed', current_step = null, error = $2, finished_at = $5::timestamptz, updated_at = now(),
              steps = ${finishStep}
        where id = $1 and $4::text is null`,
      [row.run_id, `step ${row.step_key}: webhook failed after ${res.attempts} attempt(s): ${res.error}`, String(row.log_index), null, new Date().toISOString()],
    );
    return false;
  }
  const next = nextStep(run.connections, row.step_key);
  await client.query(
    `update automation_runs set current_step = $2::text, status = case when $2::text is null then 'completed' else status end,
            finished_at = case when $2::text is null then $5::timestamptz else null end, updated_at = now(),
            steps = jsonb_set(${finishStep}, array[$3::text, 'next'], coalesce(to_jsonb($4::text), 'null'::jsonb)) where id = $1`,
    [row.run_id, next ?? null, String(row.log_index), next ?? null, new Date().toISOString()],
  );
  if (next) await enqueue(deps.boss, client, [{ name: STEP_QUEUE, data: { runId: row.run_id, stepKey: next } }]);
  return !!next;
}
