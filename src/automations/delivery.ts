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
import { countDelivery } from '../metrics/metrics.js';
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
export const DELIVERY_BATCH = 100;

/** Seconds before retry n (1, 2, 4 … capped at 10 minutes), with jitter. */
/** A failed attempt is the last one: the receiver refused for good, or the attempts are used up. */
const isFinal = (row: Pick<OutboxRow, 'attempts' | 'max_attempts'>, failure: unknown): boolean =>
  failure instanceof PermanentDeliveryError || row.attempts + 1 >= row.max_attempts;

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
        `select o.id, o.run_id, o.automation_id, o.step_key, o.kind, o.idempotency_key, o.payload::text as payload, o.attempts, o.max_attempts, o.log_index, a.webhook_secret
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
      // The payload as text, read by JSON.parse: a webhook's body is a JSON string full of escaped quotes,
      // which would send the generic jsonb reader (shared/json.ts) to its slow path on every row; its
      // keys are our own fixed names (url, headers, body, from, to, subject, text, html), never escaped.
      for (const row of r.rows) row.payload = JSON.parse(row.payload as string);
      // The transports run concurrently; only they are guarded (a database error aborts the claim).
      const results = await Promise.all(
        r.rows.map(async (row) => {
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
          }
        }),
      );
      const stepJobs = await settleBatch(this.deps, client, results);
      for (const { row, failure, res } of results) {
        countDelivery(row.kind, res ? 'sent' : isFinal(row, failure) ? 'failed' : 'retried');
        if (!res) this.deps.log.warn({ outboxId: row.id, kind: row.kind, attempts: row.attempts + 1, err: failure!.message }, 'automation delivery failed');
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

interface Settled {
  row: OutboxRow;
  res?: { responseStatus?: number | null };
  failure?: Error;
  ms: number;
  /** epoch ms when the transport answered */
  at: number;
}

/** A step log entry's patch: keys merged into its `details`, top-level keys set, and (finished_ms) its duration computed from its started_at. */
interface EntryPatch {
  details?: Record<string, unknown>;
  set?: Record<string, unknown>;
  finished_ms?: number;
}

/**
 * ONE statement records the attempts in the runs' step logs and moves on the runs whose webhook
 * settled. It locks the runs in id order (a CTE `for update`: two lanes settling rows of the same
 * runs never deadlock), decides per run whether the settled webhook is still the step the run is
 * at (`adv`: running, current_step = that step; a run cancelled or moved on meanwhile only gets its
 * log patched), and patches the log entries in place in SQL: the step log never travels to the
 * worker and back (it was read, parsed, rewritten and sent whole for every delivery).
 * $2 / $3: per run, the patches by log index, without / with the settling webhook's end.
 */
const SETTLE_RUNS = `with u as (
  select * from rows from (unnest($1::uuid[]), jsonb_array_elements($2::jsonb), jsonb_array_elements($3::jsonb), unnest($4::text[]), unnest($5::bool[]),
                           unnest($6::text[]), unnest($7::timestamptz[]), unnest($8::text[])) as u(id, base, adv, step, ok, nxt, at, err)
), cur as (
  select r.id, coalesce(r.status = 'running' and r.current_step = u.step, false) as adv
    from automation_runs r join u on u.id = r.id
   order by r.id
   for update of r
)
update automation_runs r
   set steps = coalesce((
         select jsonb_agg(case when x.p is null then t.e else t.e
                  || coalesce(x.p->'set', '{}'::jsonb)
                  || case when x.p ? 'details' then jsonb_build_object('details', case when jsonb_typeof(t.e->'details') = 'object' then t.e->'details' else '{}'::jsonb end || (x.p->'details')) else '{}'::jsonb end
                  || case when x.p ? 'finished_ms' then jsonb_build_object('duration_ms', greatest(0, (x.p->>'finished_ms')::bigint - floor(extract(epoch from (t.e->>'started_at')::timestamptz) * 1000)::bigint)) else '{}'::jsonb end
                end order by t.i)
           from jsonb_array_elements(r.steps) with ordinality as t(e, i)
           cross join lateral (select (case when cur.adv then u.adv else u.base end) -> ((t.i - 1)::text) as p) as x
       ), r.steps),
       status = case when not cur.adv then r.status when not u.ok then 'failed' when u.nxt is null then 'completed' else r.status end,
       current_step = case when cur.adv then u.nxt else r.current_step end,
       error = case when cur.adv and not u.ok then u.err else r.error end,
       finished_at = case when not cur.adv then r.finished_at when u.nxt is null then u.at end,
       updated_at = now()
  from u join cur on cur.id = u.id
 where r.id = u.id
returning r.id, cur.adv and u.nxt is not null as job, u.nxt`;

/**
 * Records a claimed batch's delivery attempts with a few multi-row statements, whatever its size:
 * ONE update of the outbox rows (sent / pending with backoff / failed), ONE (SETTLE_RUNS) for their
 * runs' step logs (the attempt's details; a webhook step finishes when its delivery settles and the
 * run goes on, completes or fails), and ONE pg-boss insert of the step jobs of runs that go on past
 * a webhook (plus one read of the automations' graphs when a webhook settled). Returns how many step jobs.
 */
async function settleBatch(deps: WorkerDeps, client: pg.ClientBase, results: Settled[]): Promise<number> {
  const o = { id: [] as string[], status: [] as string[], attempts: [] as number[], rs: [] as (number | null)[], err: [] as (string | null)[], backoff: [] as number[] };
  interface RunPatch {
    base: Record<string, EntryPatch>;
    /** the webhook whose delivery settled (final): the run goes on from it if it is still at it */
    settle?: { row: OutboxRow; ok: boolean; error?: string; at: number; attempts: number };
  }
  const runs = new Map<string, RunPatch>();
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
    let run = runs.get(row.run_id);
    if (!run) runs.set(row.run_id, (run = { base: {} }));
    const key = String(row.log_index);
    if (!res && !final) run.base[key] = { details: { attempts, ...(row.kind === 'webhook' ? { status } : {}), last_error: error } };
    else if (row.kind === 'email') {
      run.base[key] = { details: { delivery: res ? 'sent' : 'failed', attempts, delivered_at: res ? new Date(at).toISOString() : null, ...(error ? { last_error: error } : {}) } };
    } else {
      run.base[key] = { details: { status, attempts, response_ms: ms, ...(error ? { last_error: error } : {}) }, set: { outcome: res ? 'delivered' : 'failed' } };
      // a run waits at one webhook at a time, so a batch settles at most one step a run can be at
      run.settle = { row, ok: !!res, error, at, attempts };
    }
  }
  await client.query({
    name: 'automation_outbox_settle',
    text: `update automation_outbox o
        set status = u.status, attempts = u.attempts, response_status = u.rs, last_error = u.err, updated_at = now(),
            sent_at = case when u.status = 'sent' then now() else o.sent_at end,
            next_attempt_at = case when u.status = 'sent' then o.next_attempt_at else now() + make_interval(secs => u.backoff) end
       from unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::float8[]) as u(id, status, attempts, rs, err, backoff)
      where o.id = u.id`,
    values: [o.id, o.status, o.attempts, o.rs, o.err, o.backoff],
  });
  // The step after each settled webhook, from its automation's graph as it is now.
  const automationIds = [...new Set([...runs.values()].flatMap((r) => (r.settle?.ok ? [r.settle.row.automation_id] : [])))];
  const graphs = new Map<string, Connection[]>();
  if (automationIds.length) {
    const g = await client.query<{ id: string; connections: Connection[] }>({ name: 'automation_settle_graphs', text: 'select id, connections from automations where id = any($1::uuid[])', values: [automationIds] });
    for (const x of g.rows) graphs.set(x.id, x.connections ?? []);
  }
  const w = { id: [] as string[], base: [] as object[], adv: [] as object[], step: [] as (string | null)[], ok: [] as boolean[], next: [] as (string | null)[], at: [] as (string | null)[], err: [] as (string | null)[] };
  for (const [id, run] of runs) {
    const s = run.settle;
    const next = s?.ok ? (nextStep(graphs.get(s.row.automation_id) ?? [], s.row.step_key) ?? null) : null;
    const adv = { ...run.base };
    if (s) {
      const key = String(s.row.log_index);
      adv[key] = { ...adv[key], set: { ...adv[key]?.set, finished_at: new Date(s.at).toISOString(), ...(s.ok ? { next } : {}) }, finished_ms: s.at };
    }
    w.id.push(id);
    w.base.push(run.base);
    w.adv.push(adv);
    w.step.push(s ? s.row.step_key : null);
    w.ok.push(s?.ok ?? true);
    w.next.push(next);
    w.at.push(s ? new Date(s.at).toISOString() : null);
    w.err.push(s && !s.ok ? `step ${s.row.step_key}: webhook failed after ${s.attempts} attempt(s): ${s.error}` : null);
  }
  const settled = await client.query<{ id: string; job: boolean; nxt: string | null }>({
    name: 'automation_settle_runs',
    text: SETTLE_RUNS,
    values: [w.id, JSON.stringify(w.base), JSON.stringify(w.adv), w.step, w.ok, w.next, w.at, w.err],
  });
  const jobs = settled.rows.filter((x) => x.job).map((x) => ({ name: STEP_QUEUE, data: { runId: x.id, stepKey: x.nxt! } }));
  if (jobs.length) await enqueue(deps.boss, client, jobs);
  return jobs.length;
}
