/**
 * Executes a run from an `automations.step` job. One transaction per job: lock the run, check the
 * job is the run's current step (a duplicate or stale job is a no-op), then walk the graph through
 * instant steps (trigger, condition, send_email) until the run ends, waits, or calls a webhook.
 * Side effects are outbox rows keyed by (run, step), written in the same transaction and delivered
 * by delivery.ts; `wait` schedules the next step job with startAfter. Exactly once in effect.
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { v7 as uuidv7 } from 'uuid';
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

/** Load what templates and conditions see: the payload (dates as dates) and the contact. */
export async function loadRunContext(client: pg.ClientBase, run: { send_id: string; contact_id: string | null }): Promise<{ ctx: RenderContext; fields: FieldDef[]; raw: { event: Record<string, unknown>; contact: Record<string, unknown> } } | null> {
  const r = await client.query<{ data: Record<string, unknown>; timestamp: Date; event_name: string; email: string | null; fields: FieldDef[] | null; c_id: string | null; c_email: string | null; c: ContactRow | null }>(
    `select s.data, s."timestamp", s.event_name, s.email, d.fields, c.id as c_id, c.email as c_email, ${CONTACT_COLUMNS}
       from event_sends s
       left join event_definitions d on d.id = s.event_definition_id
       left join contacts c on c.id = coalesce($2::uuid, s.contact_id)
      where s.id = $1`,
    [run.send_id, run.contact_id],
  );
  const row = r.rows[0];
  if (!row) return null;
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

/** The side effect of this (run, step) already exists: an earlier attempt committed it; do nothing. */
class DuplicateEffect extends Error {}

/**
 * The step's side effect goes to the outbox once: the idempotency key `<run>:<step>` is unique, so a
 * retried or duplicated step job finds it taken (DuplicateEffect) instead of sending twice.
 */
async function insertOutbox(
  client: pg.ClientBase,
  run: RunRow,
  stepKey: string,
  kind: 'email' | 'webhook',
  payload: Record<string, unknown>,
  maxAttempts: number,
  logIndex: number,
): Promise<string> {
  const outboxId = uuidv7();
  const ins = await client.query(
    `insert into automation_outbox (id, organization_id, automation_id, run_id, step_key, kind, idempotency_key, payload, max_attempts, log_index)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (idempotency_key) do nothing returning id`,
    [outboxId, run.organization_id, run.automation_id, run.id, stepKey, kind, `${run.id}:${stepKey}`, payload, maxAttempts, logIndex],
  );
  if (!ins.rowCount) throw new DuplicateEffect();
  return outboxId;
}

const jsonSafe = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/**
 * Runs one step job. Returns how many outbox rows (emails, webhooks) it committed; `onOutbox` is
 * called after the commit so the local deliverer starts at once (the sweep covers every other case).
 */
export async function executeStepJob(deps: WorkerDeps, job: StepJob, onOutbox?: () => void): Promise<number> {
  const client = await deps.pool.connect();
  try {
    await client.query('begin');
    const rows = await executeInTx(deps, client, job);
    await client.query('commit');
    if (rows && onOutbox) onOutbox();
    return rows;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    if (err instanceof DuplicateEffect) return 0;
    throw err;
  } finally {
    client.release();
  }
}

async function executeInTx(deps: WorkerDeps, client: pg.ClientBase, job: StepJob): Promise<number> {
  const r = await client.query<RunRow>(
    `select r.id, r.organization_id, r.automation_id, r.send_id, r.contact_id, r.status, r.current_step, r.steps,
            a.status as a_status, a.deleted_at as a_deleted, a.steps as a_steps, a.connections as a_connections
       from automation_runs r join automations a on a.id = r.automation_id
      where r.id = $1 for update of r`,
    [job.runId],
  );
  const run = r.rows[0];
  if (!run || !['running', 'waiting'].includes(run.status) || run.current_step !== job.stepKey) return 0;
  const log = [...run.steps];
  const jobs: { name: string; data: object; startAfter?: Date }[] = [];
  let status: string = 'running';
  let current: string | null = job.stepKey;
  let waitUntil: Date | null = null;
  let error: string | null = null;
  let outboxRows = 0;

  if (run.a_status !== 'enabled' || run.a_deleted) {
    status = 'cancelled';
    error = run.a_deleted ? 'automation deleted' : 'automation disabled';
    current = null;
  } else if (job.stepKey === END) {
    status = 'completed';
    current = null;
  }
  const loaded = status === 'running' ? await loadRunContext(client, run) : null;
  if (status === 'running' && !loaded) {
    status = 'failed';
    error = `send ${run.send_id} not found`;
    current = null;
  }
  const byKey = new Map(run.a_steps.map((s) => [s.key, s]));
  const visited = new Set<string>();

  while (status === 'running' && current) {
    const step = byKey.get(current);
    const started = new Date();
    if (!step || visited.has(current)) {
      status = 'failed';
      error = step ? `step ${current} visited twice` : `step ${current} no longer exists`;
      current = null;
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
          const res = evaluateCondition(spec, loaded!.ctx, loaded!.fields);
          entry.outcome = res.met ? 'condition_met' : 'condition_not_met';
          entry.details = { field: spec.field, op: spec.op, value: spec.value ?? null, actual: jsonSafe(res.actual), met: res.met };
          entry.next = nextStep(run.a_connections, step.key, entry.outcome as 'condition_met') ?? null;
          break;
        }
        case 'send_email': {
          const subject = (await renderTemplate(String(step.subject), loaded!.ctx)).replace(/[\r\n]+/g, ' ').trim();
          const body = await renderTemplate(String(step.body), loaded!.ctx);
          const to = (step.to ? await renderTemplate(String(step.to), loaded!.ctx) : String(loaded!.ctx.contact.email ?? '')).trim();
          if (!/^[^\s@]+@[^\s@]+$/.test(to)) throw new Error(`no valid recipient (got ${JSON.stringify(to)})`);
          const payload = { from: deps.config.mailFrom, to, subject, text: body, ...(/^\s*</.test(body) ? { html: body } : {}) };
          const outboxId = await insertOutbox(client, run, step.key, 'email', payload, 10, log.length);
          outboxRows++;
          entry.outcome = 'queued';
          entry.details = { to, subject, outbox_id: outboxId, delivery: 'pending' };
          entry.next = nextStep(run.a_connections, step.key) ?? null;
          break;
        }
        case 'wait': {
          const ms = parseDuration(String(step.duration));
          if (ms === null || ms <= 0) throw new Error(`invalid duration ${String(step.duration)}`);
          waitUntil = new Date(started.getTime() + ms);
          entry.outcome = 'waiting';
          entry.next = nextStep(run.a_connections, step.key) ?? null;
          entry.details = { duration: step.duration, resume_at: waitUntil.toISOString() };
          jobs.push({ name: STEP_QUEUE, data: { runId: run.id, stepKey: entry.next ?? END }, startAfter: waitUntil });
          status = 'waiting';
          suspend = true;
          break;
        }
        case 'webhook': {
          const body = JSON.stringify({ event: loaded!.raw.event, contact: loaded!.raw.contact, send_id: run.send_id, automation_id: run.automation_id, run_id: run.id, step: step.key });
          const payload = { url: step.url, headers: (step.headers as Record<string, string>) ?? {}, body };
          const outboxId = await insertOutbox(client, run, step.key, 'webhook', payload, 6, log.length);
          outboxRows++;
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
      if (err instanceof DuplicateEffect) throw err;
      entry.outcome = 'failed';
      entry.error = (err as Error).message;
      status = 'failed';
      error = `step ${step.key}: ${(err as Error).message}`;
    }
    const finished = new Date();
    entry.finished_at = finished.toISOString();
    entry.duration_ms = finished.getTime() - started.getTime();
    log.push(entry);
    if (status === 'failed') {
      current = null;
      break;
    }
    if (suspend) {
      current = step.type === 'wait' ? (entry.next ?? END) : step.key;
      break;
    }
    current = entry.next;
    if (!current) status = 'completed';
  }

  const final = ['completed', 'failed', 'cancelled'].includes(status);
  // A run ends when its last step does: now() is the transaction's start, which precedes the steps
  // this transaction ran (issue 19, item 9), so the last step's own clock time counts when later.
  await client.query(
    `update automation_runs set status = $2, current_step = $3, steps = $4, error = $5, wait_until = $6,
            finished_at = case when $7 then greatest(now(), $8::timestamptz) else null end, updated_at = now()
      where id = $1`,
    [run.id, status, current, JSON.stringify(log), error, waitUntil, final, log.at(-1)?.finished_at || null],
  );
  await enqueue(deps.boss, client, jobs);
  return outboxRows;
}

/** Enqueue jobs inside the caller's transaction (pg-boss `insert` through the same client). */
export async function enqueue(boss: PgBoss, client: pg.ClientBase, jobs: { name: string; data: object; startAfter?: Date }[]): Promise<void> {
  const byQueue = new Map<string, { data: object; startAfter?: Date }[]>();
  for (const j of jobs) byQueue.set(j.name, [...(byQueue.get(j.name) ?? []), { data: j.data, ...(j.startAfter ? { startAfter: j.startAfter } : {}) }]);
  for (const [name, list] of byQueue) await boss.insert(name, list, { db: txDb(client) });
}
