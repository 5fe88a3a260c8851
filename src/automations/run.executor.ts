/**
 * Executes a run from an `automations.step` job. One transaction per job: lock the run, check the
 * job is the run's current step (a duplicate or stale job is a no-op), then walk the graph through
 * instant steps (trigger, condition, send_email) until the run ends, waits, or calls a webhook.
 * Side effects are outbox rows keyed by (run, step), written in the same transaction and delivered
 * by delivery.ts; `wait` schedules the next step job with startAfter. Exactly once in effect.
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { fastUuidv7 as uuidv7 } from '../shared/uuidv7.js';
import type { FieldDef } from '../events/event.entity.js';
import type { WorkerDeps } from '../shared/context.js';
import type { RunStepLog } from './automation.entity.js';
import { parseDuration } from './duration.js';
import { nextStep, type Connection, type Step } from './graph.js';
import { evaluateCondition, type ConditionSpec } from './steps/condition.js';
import { renderTemplate, typedPayload, type RenderContext } from './templates.js';
import { CONTACT_COLUMNS, contactContext, type ContactRow } from '../contacts/contact.context.js';
import { observeFirstStep } from '../metrics/metrics.js';

export const STEP_QUEUE = 'automations.step';
/** current_step of a run whose last step was a wait: the resume job completes it. */
export const END = '$end';

export interface StepJob {
  runId: string;
  stepKey: string;
}

interface RunRow {
  id: string;
  organization_id: string;
  automation_id: string;
  send_id: string;
  contact_id: string | null;
  status: string;
  current_step: string | null;
  steps: RunStepLog[];
  a_status: string;
  a_deleted: Date | null;
  a_steps: Step[];
  a_connections: Connection[];
}

export const txDb = (client: pg.ClientBase) => ({ executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) });

/** What a run's context is made of: its send, the send's definition fields and its contact (row of RUN_CONTEXT_COLUMNS). */
export interface RunContextRow {
  data: Record<string, unknown>;
  timestamp: Date;
  event_name: string;
  email: string | null;
  fields: FieldDef[] | null;
  c_email: string | null;
  c: ContactRow | null;
}
export type RunContext = { ctx: RenderContext; fields: FieldDef[]; raw: { event: Record<string, unknown>; contact: Record<string, unknown> } };
/** The select list of a RunContextRow, over event_sends s, event_definitions d and contacts c. */
export const RUN_CONTEXT_COLUMNS = `s.data, s."timestamp", s.event_name, s.email, d.fields, c.email as c_email, ${CONTACT_COLUMNS}`;

/** What templates and conditions see (the payload with dates as dates, the contact) and the run log's raw copy. */
export function runContextFrom(row: RunContextRow): RunContext {
  const fields = row.fields ?? [];
  const contact = contactContext(row.c, row.c_email ?? row.email);
  return {
    ctx: { event: typedPayload(row.data ?? {}, fields), contact },
    fields,
    raw: {
      event: { name: row.event_name, data: row.data, timestamp: row.timestamp.toISOString() },
      contact: { ...contact, created_at: jsonSafe(contact.created_at), updated_at: jsonSafe(contact.updated_at) },
    },
  };
}

/** Load what templates and conditions see: the payload (dates as dates) and the contact. */
export async function loadRunContext(client: pg.ClientBase, run: { send_id: string; contact_id: string | null }): Promise<RunContext | null> {
  const r = await client.query<RunContextRow>(
    `select ${RUN_CONTEXT_COLUMNS}
       from event_sends s
       left join event_definitions d on d.id = s.event_definition_id
       left join contacts c on c.id = coalesce($2::uuid, s.contact_id)
      where s.id = $1`,
    [run.send_id, run.contact_id],
  );
  const row = r.rows[0];
  return row ? runContextFrom(row) : null;
}

/** The side effect of this (run, step) already exists: an earlier attempt committed it; do nothing. */
class DuplicateEffect extends Error {}

export const jsonSafe = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/** What walking a run needs: the run, its automation's graph and (unless it is cancelled) its context. */
export interface WalkRun {
  id: string;
  organization_id: string;
  automation_id: string;
  send_id: string;
  contact_id: string | null;
  a_steps: Step[];
  a_connections: Connection[];
}

/** A side effect decided by a walk: one outbox row, keyed `<run>:<step>`. */
export interface Effect {
  id: string;
  runId: string;
  organizationId: string;
  automationId: string;
  stepKey: string;
  kind: 'email' | 'webhook';
  payload: Record<string, unknown>;
  maxAttempts: number;
  logIndex: number;
}

export interface WalkResult {
  status: 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
  current: string | null;
  waitUntil: Date | null;
  error: string | null;
  log: RunStepLog[];
  /** The clock time the run ended (the end of the step that finished it); null while it goes on. */
  finishedAt: Date | null;
  effects: Effect[];
  jobs: { name: string; data: object; startAfter?: Date }[];
}

/** A send_email step rendered: the subject on one line, `to` defaulting to the contact's email (also for test runs). */
export async function renderEmail(step: Step, ctx: RenderContext): Promise<{ to: string; subject: string; body: string }> {
  const subject = (await renderTemplate(String(step.subject), ctx)).replace(/[\r\n]+/g, ' ').trim();
  const body = await renderTemplate(String(step.body), ctx);
  const to = (step.to ? await renderTemplate(String(step.to), ctx) : String(ctx.contact.email ?? '')).trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(to)) throw new Error(`no valid recipient (got ${JSON.stringify(to)})`);
  return { to, subject, body };
}

/** The JSON a webhook step posts (also shown by test runs, whose send and run ids are null). */
export function webhookBody(
  raw: { event: Record<string, unknown>; contact: Record<string, unknown> },
  ids: { send_id: string | null; automation_id: string; run_id: string | null; step: string },
): string {
  return JSON.stringify({ event: raw.event, contact: raw.contact, send_id: ids.send_id, automation_id: ids.automation_id, run_id: ids.run_id, step: ids.step });
}

/**
 * Walks a run from `startKey` through the steps that need no waiting (trigger, condition,
 * send_email), in memory: stops when the run ends, waits (a step job with startAfter) or calls a
 * webhook (an outbox row; delivery.ts lets the run go on). Writes nothing: the caller writes the
 * run, its effects and its jobs, for one run (executeStepJob) or for a batch (run.batch.ts).
 * Every timestamp is the clock at that step, not the transaction's start.
 */
export async function walkRun(deps: WorkerDeps, run: WalkRun, startKey: string, priorLog: RunStepLog[], loaded: Awaited<ReturnType<typeof loadRunContext>>): Promise<WalkResult> {
  const log = [...priorLog];
  const res: WalkResult = { status: 'running', current: startKey, waitUntil: null, error: null, log, finishedAt: null, effects: [], jobs: [] };
  if (startKey === END) {
    res.status = 'completed';
    res.current = null;
  } else if (!loaded) {
    res.status = 'failed';
    res.error = `send ${run.send_id} not found`;
    res.current = null;
  }
  const byKey = new Map(run.a_steps.map((s) => [s.key, s]));
  const visited = new Set<string>();
  const effect = (step: Step, kind: Effect['kind'], payload: Record<string, unknown>, maxAttempts: number): string => {
    const id = uuidv7();
    res.effects.push({ id, runId: run.id, organizationId: run.organization_id, automationId: run.automation_id, stepKey: step.key, kind, payload, maxAttempts, logIndex: log.length });
    return id;
  };

  while (res.status === 'running' && res.current) {
    const current: string = res.current;
    const step = byKey.get(current);
    const started = new Date();
    if (!step || visited.has(current)) {
      res.status = 'failed';
      res.error = step ? `step ${current} visited twice` : `step ${current} no longer exists`;
      res.current = null;
      break;
    }
    visited.add(current);
    const entry: RunStepLog = { step: step.key, type: step.type, started_at: started.toISOString(), finished_at: '', duration_ms: 0, outcome: '', details: {}, next: null };
    let suspend = false;
    try {
      switch (step.type) {
        case 'trigger':
          observeFirstStep(run.send_id);
          entry.outcome = 'triggered';
          entry.details = { event: step.event, send_id: run.send_id, contact_id: run.contact_id };
          entry.next = nextStep(run.a_connections, step.key) ?? null;
          break;
        case 'condition': {
          const spec = step.if as ConditionSpec;
          const r = evaluateCondition(spec, loaded!.ctx, loaded!.fields);
          entry.outcome = r.met ? 'condition_met' : 'condition_not_met';
          entry.details = { field: spec.field, op: spec.op, value: spec.value ?? null, actual: jsonSafe(r.actual), met: r.met };
          entry.next = nextStep(run.a_connections, step.key, entry.outcome as 'condition_met') ?? null;
          break;
        }
        case 'send_email': {
          const { to, subject, body } = await renderEmail(step, loaded!.ctx);
          const payload = { from: deps.config.mailFrom, to, subject, text: body, ...(/^\s*</.test(body) ? { html: body } : {}) };
          const outboxId = effect(step, 'email', payload, 10);
          entry.outcome = 'queued';
          entry.details = { to, subject, outbox_id: outboxId, delivery: 'pending' };
          entry.next = nextStep(run.a_connections, step.key) ?? null;
          break;
        }
        case 'wait': {
          const ms = parseDuration(String(step.duration));
          if (ms === null || ms <= 0) throw new Error(`invalid duration ${String(step.duration)}`);
          res.waitUntil = new Date(started.getTime() + ms);
          entry.outcome = 'waiting';
          entry.next = nextStep(run.a_connections, step.key) ?? null;
          entry.details = { duration: step.duration, resume_at: res.waitUntil.toISOString() };
          res.jobs.push({ name: STEP_QUEUE, data: { runId: run.id, stepKey: entry.next ?? END }, startAfter: res.waitUntil });
          res.status = 'waiting';
          suspend = true;
          break;
        }
        case 'webhook': {
          const body = webhookBody(loaded!.raw, { send_id: run.send_id, automation_id: run.automation_id, run_id: run.id, step: step.key });
          const payload = { url: step.url, headers: (step.headers as Record<string, string>) ?? {}, body };
          const outboxId = effect(step, 'webhook', payload, 6);
          entry.outcome = 'pending';
          entry.details = { url: step.url, outbox_id: outboxId, attempts: 0, status: null };
          // The run goes on when the delivery settles (delivery.ts), so the log shows the response first.
          suspend = true;
          break;
        }
        default:
          throw new Error(`unknown step type ${step.type}`);
      }
    } catch (err) {
      entry.outcome = 'failed';
      entry.error = (err as Error).message;
      res.status = 'failed';
      res.error = `step ${step.key}: ${(err as Error).message}`;
    }
    const finished = new Date();
    entry.finished_at = finished.toISOString();
    entry.duration_ms = finished.getTime() - started.getTime();
    log.push(entry);
    if (res.status === 'failed') {
      res.current = null;
      res.finishedAt = finished;
      break;
    }
    if (suspend) {
      res.current = step.type === 'wait' ? (entry.next ?? END) : step.key;
      break;
    }
    res.current = entry.next;
    if (!res.current) {
      res.status = 'completed';
      res.finishedAt = finished;
    }
  }
  if (!res.finishedAt && ['completed', 'failed', 'cancelled'].includes(res.status)) res.finishedAt = new Date();
  return res;
}

/**
 * Runs one step job. Returns how many outbox rows (emails, webhooks) it committed; `hooks` are
 * called after the commit (outbox rows to deliver, a wait to wake up for).
 */
export async function executeStepJob(deps: WorkerDeps, job: StepJob, hooks?: { onOutbox?: () => void; onWait?: (at: Date) => void } | (() => void)): Promise<number> {
  const h = typeof hooks === 'function' ? { onOutbox: hooks } : (hooks ?? {});
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const res = await executeInTx(deps, client, job);
    await client.query('commit');
    if (res.effects && h.onOutbox) h.onOutbox();
    if (res.waitUntil && h.onWait) h.onWait(res.waitUntil);
    return res.effects;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    if (err instanceof DuplicateEffect) return 0;
    throw err;
  } finally {
    client.release();
  }
}

async function executeInTx(deps: WorkerDeps, client: pg.ClientBase, job: StepJob): Promise<{ effects: number; waitUntil: Date | null }> {
  const r = await client.query<RunRow>(
    `select r.id, r.organization_id, r.automation_id, r.send_id, r.contact_id, r.status, r.current_step, r.steps,
            a.status as a_status, a.deleted_at as a_deleted, a.steps as a_steps, a.connections as a_connections
       from automation_runs r join automations a on a.id = r.automation_id
      where r.id = $1 for update of r`,
    [job.runId],
  );
  const run = r.rows[0];
  if (!run || !['running', 'waiting'].includes(run.status) || run.current_step !== job.stepKey) return { effects: 0, waitUntil: null };
  let res: WalkResult;
  if (run.a_status !== 'enabled' || run.a_deleted) {
    res = { status: 'cancelled', current: null, waitUntil: null, error: run.a_deleted ? 'automation deleted' : 'automation disabled', log: run.steps, finishedAt: new Date(), effects: [], jobs: [] };
  } else {
    const loaded = job.stepKey === END ? null : await loadRunContext(client, run);
    res = await walkRun(deps, run, job.stepKey, run.steps, job.stepKey === END ? ({} as never) : loaded);
  }
  if (res.effects.length) {
    const ins = await insertEffects(client, res.effects);
    if (ins !== res.effects.length) throw new DuplicateEffect();
  }
  await client.query(
    `update automation_runs set status = $2, current_step = $3, steps = $4, error = $5, wait_until = $6, finished_at = $7,
            started_at = coalesce(started_at, $8), updated_at = now()
      where id = $1`,
    [run.id, res.status, res.current, JSON.stringify(res.log), res.error, res.waitUntil, res.finishedAt, res.log[0]?.started_at ?? null],
  );
  await enqueue(deps.boss, client, res.jobs);
  return { effects: res.effects.length, waitUntil: res.waitUntil };
}

/**
 * The outbox rows of many (run, step) effects in one statement. An outbox row is unique per (run, step)
 * (its idempotency key is `<run>:<step>`), so an effect committed before is not written again; returns
 * how many were written.
 */
export async function insertEffects(client: pg.ClientBase, effects: Effect[]): Promise<number> {
  if (!effects.length) return 0;
  const r = await client.query({
    name: 'automation_outbox_insert',
    text: `insert into automation_outbox (id, organization_id, automation_id, run_id, step_key, kind, idempotency_key, payload, max_attempts, log_index)
     select i, o, a, r, s, k, r::text || ':' || s, p, m, l
       from rows from (unnest($1::uuid[]), unnest($2::uuid[]), unnest($3::uuid[]), unnest($4::uuid[]), unnest($5::text[]), unnest($6::text[]),
                       jsonb_array_elements($7::jsonb), unnest($8::int[]), unnest($9::int[])) as x(i, o, a, r, s, k, p, m, l)
     on conflict (run_id, step_key) do nothing`,
    values: [
      effects.map((e) => e.id), effects.map((e) => e.organizationId), effects.map((e) => e.automationId), effects.map((e) => e.runId),
      effects.map((e) => e.stepKey), effects.map((e) => e.kind), JSON.stringify(effects.map((e) => e.payload)),
      effects.map((e) => e.maxAttempts), effects.map((e) => e.logIndex),
    ],
  });
  return r.rowCount ?? 0;
}

/** Enqueue jobs inside the caller's transaction (pg-boss `insert` through the same client). */
export async function enqueue(boss: PgBoss, client: pg.ClientBase, jobs: { name: string; data: object; startAfter?: Date }[]): Promise<void> {
  const byQueue = new Map<string, { data: object; startAfter?: Date }[]>();
  for (const j of jobs) byQueue.set(j.name, [...(byQueue.get(j.name) ?? []), { data: j.data, ...(j.startAfter ? { startAfter: j.startAfter } : {}) }]);
  for (const [name, list] of byQueue) await boss.insert(name, list, { db: txDb(client) });
}
