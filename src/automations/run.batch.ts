/**
 * Set-based start of runs, inside the send worker's transaction: for a batch of processed sends,
 * ONE statement finds the enabled automations they trigger together with every matched send's
 * context (payload, definition, contact) and each automation's graph, the in-memory steps
 * (trigger, condition, send_email rendering) are walked for every run, and then ONE statement
 * writes the runs with their state and step logs and the outbox rows of the runs it inserted, and
 * ONE (pg-boss) the wait jobs. Two or three round trips per batch, whatever its size, instead of a
 * step job per run (measured in bench/RESULTS.md).
 *
 * Guarantees as before: `unique (automation_id, send_id)` with `on conflict do nothing returning`
 * means a retried batch starts no second run, and only the runs this statement inserted get their
 * outbox rows and jobs (whose keys `<run>:<step>` are unique too); everything commits with the
 * send's `processed` mark or not at all.
 */
import type pg from 'pg';
import { fastUuidv7 as uuidv7 } from '../shared/uuidv7.js';
import type { WorkerDeps } from '../shared/context.js';
import type { Connection, Step } from './graph.js';
import { enqueue, RUN_CONTEXT_COLUMNS, runContextFrom, walkRun, type RunContext, type RunContextRow, type WalkResult } from './run.executor.js';
import type { ProcessedSend } from './trigger.js';

export interface BatchStart {
  runs: number;
  effects: number;
  /** Due times of the waits this batch scheduled (a wake-up timer is armed for the earliest). */
  waits: Date[];
}

type Ctx = RunContext & { acceptedAt: Date };

interface MatchRow extends RunContextRow {
  automation_id: string;
  send_id: string;
  org_id: string;
  contact_id: string | null;
  /** the automation's graph, on the first row of each automation only (not repeated per send) */
  a_steps: Step[] | null;
  a_connections: Connection[] | null;
  created_at: Date;
}

/**
 * ONE statement: the enabled automations each send triggers, each automation's graph (once), and
 * every matched send's context (payload, definition fields, contact: what loadRunContext reads for
 * one). One round trip before the steps run, instead of three.
 */
const MATCH = `select a.id as automation_id, u.send_id, u.org_id, u.contact_id,
       case when row_number() over (partition by a.id order by u.send_id) = 1 then a.steps end as a_steps,
       case when row_number() over (partition by a.id order by u.send_id) = 1 then a.connections end as a_connections,
       s.created_at, ${RUN_CONTEXT_COLUMNS}
  from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) as u(send_id, org_id, event_name, contact_id)
  join automations a on a.organization_id = u.org_id and a.trigger_event = u.event_name and a.status = 'enabled' and a.deleted_at is null
  join event_sends s on s.id = u.send_id
  left join event_definitions d on d.id = s.event_definition_id
  left join contacts c on c.id = coalesce(u.contact_id, s.contact_id)`;

/** The context loadRunContext would read for this run, from the match's row; with when its send was accepted. */
const contextOf = (row: MatchRow): Ctx => ({ ...runContextFrom(row), acceptedAt: row.created_at });

/**
 * ONE statement: the runs (`on conflict (automation_id, send_id) do nothing returning id`) and the
 * outbox rows of exactly the runs it inserted (a data-modifying CTE), so a retried batch writes
 * neither twice. Effects are unique per (run, step) as well.
 */
const INSERT_RUNS_AND_EFFECTS = `with ins as (
  insert into automation_runs (id, organization_id, automation_id, send_id, contact_id, status, current_step, steps, error, wait_until, finished_at, accepted_at, started_at)
  select i, o, a, s, c, st, cur, l, e, w, f, acc, sta
    from rows from (unnest($1::uuid[]), unnest($2::uuid[]), unnest($3::uuid[]), unnest($4::uuid[]), unnest($5::uuid[]), unnest($6::text[]),
                    unnest($7::text[]), jsonb_array_elements($8::jsonb), unnest($9::text[]), unnest($10::timestamptz[]), unnest($11::timestamptz[]),
                    unnest($12::timestamptz[]), unnest($13::timestamptz[])) as x(i, o, a, s, c, st, cur, l, e, w, f, acc, sta)
  on conflict (automation_id, send_id) do nothing
  returning id
), eff as (
  insert into automation_outbox (id, organization_id, automation_id, run_id, step_key, kind, idempotency_key, payload, max_attempts, log_index)
  select x.i, x.o, x.a, x.r, x.s, x.k, x.r::text || ':' || x.s, x.p, x.m, x.l
    from rows from (unnest($14::uuid[]), unnest($15::uuid[]), unnest($16::uuid[]), unnest($17::uuid[]), unnest($18::text[]), unnest($19::text[]),
                    jsonb_array_elements($20::jsonb), unnest($21::int[]), unnest($22::int[])) as x(i, o, a, r, s, k, p, m, l)
    join ins on ins.id = x.r
  on conflict (run_id, step_key) do nothing
  returning 1
)
select (select array_agg(id) from ins) as ids`; // eff runs though nothing reads it: a data-modifying CTE always does

export async function startRunsBatch(deps: WorkerDeps, client: pg.ClientBase, sends: ProcessedSend[]): Promise<BatchStart> {
  const none: BatchStart = { runs: 0, effects: 0, waits: [] };
  if (!sends.length) return none;
  const m = await client.query<MatchRow>({
    name: 'automation_batch_match_contexts',
    text: MATCH,
    values: [sends.map((s) => s.id), sends.map((s) => s.orgId), sends.map((s) => s.eventName), sends.map((s) => s.contactId)],
  });
  if (!m.rows.length) return none;
  const defs = new Map<string, { steps: Step[]; connections: Connection[] }>();
  for (const x of m.rows) if (x.a_steps) defs.set(x.automation_id, { steps: x.a_steps, connections: x.a_connections ?? [] });

  const runs: { id: string; org: string; automation: string; send: string; contact: string | null; accepted: Date | null; res: WalkResult }[] = [];
  for (const x of m.rows) {
    const def = defs.get(x.automation_id)!;
    const id = uuidv7();
    const loaded = contextOf(x);
    const res = await walkRun(deps, { id, organization_id: x.org_id, automation_id: x.automation_id, send_id: x.send_id, contact_id: x.contact_id, a_steps: def.steps, a_connections: def.connections }, 'trigger', [], loaded);
    runs.push({ id, org: x.org_id, automation: x.automation_id, send: x.send_id, contact: x.contact_id, accepted: loaded.acceptedAt, res });
  }
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const all = runs.flatMap((r) => r.res.effects);
  const ins = await client.query<{ ids: string[] | null }>({
    name: 'automation_batch_insert_runs_effects',
    text: INSERT_RUNS_AND_EFFECTS,
    values: [
      runs.map((r) => r.id), runs.map((r) => r.org), runs.map((r) => r.automation), runs.map((r) => r.send), runs.map((r) => r.contact),
      runs.map((r) => r.res.status), runs.map((r) => r.res.current), JSON.stringify(runs.map((r) => r.res.log)), runs.map((r) => r.res.error),
      runs.map((r) => iso(r.res.waitUntil)), runs.map((r) => iso(r.res.finishedAt)), runs.map((r) => iso(r.accepted)),
      runs.map((r) => r.res.log[0]?.started_at ?? null),
      all.map((e) => e.id), all.map((e) => e.organizationId), all.map((e) => e.automationId), all.map((e) => e.runId),
      all.map((e) => e.stepKey), all.map((e) => e.kind), JSON.stringify(all.map((e) => e.payload)), all.map((e) => e.maxAttempts), all.map((e) => e.logIndex),
    ],
  });
  const insertedIds = ins.rows[0]?.ids ?? [];
  const won = insertedIds.length === runs.length ? null : new Set(insertedIds);
  const started = won ? runs.filter((r) => won.has(r.id)) : runs;
  const effects = started.flatMap((r) => r.res.effects);
  const jobs = started.flatMap((r) => r.res.jobs);
  await enqueue(deps.boss, client, jobs);
  return { runs: started.length, effects: effects.length, waits: started.flatMap((r) => (r.res.waitUntil ? [r.res.waitUntil] : [])) };
}
