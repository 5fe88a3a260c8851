/**
 * Set-based start of runs, inside the send worker's transaction: for a batch of processed sends,
 * one statement finds the enabled automations they trigger, one loads every send's context
 * (payload, definition, contact), the in-memory steps (trigger, condition, send_email rendering)
 * are walked for every run, and then ONE multi-row insert writes the runs with their state and step
 * logs, ONE the outbox rows, ONE (pg-boss) the wait jobs. A few statements per batch, whatever its
 * size, instead of a step job per run (measured in bench/RESULTS.md).
 *
 * Guarantees as before: `unique (automation_id, send_id)` with `on conflict do nothing returning`
 * means a retried batch starts no second run, and only the runs this statement inserted get their
 * outbox rows and jobs (whose keys `<run>:<step>` are unique too); everything commits with the
 * send's `processed` mark or not at all.
 */
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { FieldDef } from '../events/event.entity.js';
import type { WorkerDeps } from '../shared/context.js';
import type { Connection, Step } from './graph.js';
import { enqueue, insertEffects, walkRun, type WalkResult } from './run.executor.js';
import { typedPayload, type RenderContext } from './templates.js';
import type { ProcessedSend } from './trigger.js';

export interface BatchStart {
  runs: number;
  effects: number;
  /** Due times of the waits this batch scheduled (a wake-up timer is armed for the earliest). */
  waits: Date[];
}

interface Ctx {
  ctx: RenderContext;
  fields: FieldDef[];
  raw: { event: Record<string, unknown>; contact: Record<string, unknown> };
  acceptedAt: Date;
}

/** Every send's context in one query (what loadRunContext reads for one). */
async function loadContexts(client: pg.ClientBase, sends: { id: string; contactId: string | null }[]): Promise<Map<string, Ctx>> {
  const r = await client.query<{ id: string; data: Record<string, unknown>; timestamp: Date; created_at: Date; event_name: string; email: string | null; fields: FieldDef[] | null; c_id: string | null; c_email: string | null; c_attributes: Record<string, unknown> | null; c_created_at: Date | null }>({
    name: 'automation_batch_contexts',
    text: `select s.id, s.data, s."timestamp", s.created_at, s.event_name, s.email, d.fields, c.id as c_id, c.email as c_email, c.attributes as c_attributes, c.created_at as c_created_at
       from unnest($1::uuid[], $2::uuid[]) as u(send_id, contact_id)
       join event_sends s on s.id = u.send_id
       left join event_definitions d on d.id = s.event_definition_id
       left join contacts c on c.id = coalesce(u.contact_id, s.contact_id)`,
    values: [sends.map((s) => s.id), sends.map((s) => s.contactId)],
  });
  const out = new Map<string, Ctx>();
  for (const row of r.rows) {
    const fields = row.fields ?? [];
    const contact = { id: row.c_id, email: row.c_email ?? row.email, attributes: row.c_attributes ?? {}, created_at: row.c_created_at };
    out.set(row.id, {
      ctx: { event: typedPayload(row.data ?? {}, fields), contact },
      fields,
      raw: {
        event: { name: row.event_name, data: row.data, timestamp: row.timestamp.toISOString() },
        contact: { id: row.c_id, email: contact.email, attributes: contact.attributes },
      },
      acceptedAt: row.created_at,
    });
  }
  return out;
}

export async function startRunsBatch(deps: WorkerDeps, client: pg.ClientBase, sends: ProcessedSend[]): Promise<BatchStart> {
  const none: BatchStart = { runs: 0, effects: 0, waits: [] };
  if (!sends.length) return none;
  const m = await client.query<{ automation_id: string; send_id: string; org_id: string; contact_id: string | null }>({
    name: 'automation_batch_match',
    text: `select a.id as automation_id, s.id as send_id, s.org_id, s.contact_id
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) as s(id, org_id, event_name, contact_id)
       join automations a on a.organization_id = s.org_id and a.trigger_event = s.event_name
                         and a.status = 'enabled' and a.deleted_at is null`,
    values: [sends.map((s) => s.id), sends.map((s) => s.orgId), sends.map((s) => s.eventName), sends.map((s) => s.contactId)],
  });
  if (!m.rows.length) return none;
  const automationIds = [...new Set(m.rows.map((x) => x.automation_id))];
  const matched = new Set(m.rows.map((x) => x.send_id));
  const [defs, contexts] = await Promise.all([
    client.query<{ id: string; steps: Step[]; connections: Connection[] }>({ name: 'automation_batch_defs', text: `select id, steps, connections from automations where id = any($1::uuid[])`, values: [automationIds] }),
    loadContexts(client, sends.filter((s) => matched.has(s.id)).map((s) => ({ id: s.id, contactId: s.contactId }))),
  ]);
  const byId = new Map(defs.rows.map((d) => [d.id, d]));

  const runs: { id: string; org: string; automation: string; send: string; contact: string | null; accepted: Date | null; res: WalkResult }[] = [];
  for (const x of m.rows) {
    const def = byId.get(x.automation_id)!;
    const id = uuidv7();
    const loaded = contexts.get(x.send_id) ?? null;
    const res = await walkRun(deps, { id, organization_id: x.org_id, automation_id: x.automation_id, send_id: x.send_id, contact_id: x.contact_id, a_steps: def.steps, a_connections: def.connections }, 'trigger', [], loaded);
    runs.push({ id, org: x.org_id, automation: x.automation_id, send: x.send_id, contact: x.contact_id, accepted: loaded?.acceptedAt ?? null, res });
  }
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const ins = await client.query<{ id: string }>({
    name: 'automation_batch_insert_runs',
    text: `insert into automation_runs (id, organization_id, automation_id, send_id, contact_id, status, current_step, steps, error, wait_until, finished_at, accepted_at, started_at)
     select i, o, a, s, c, st, cur, l, e, w, f, acc, sta
       from rows from (unnest($1::uuid[]), unnest($2::uuid[]), unnest($3::uuid[]), unnest($4::uuid[]), unnest($5::uuid[]), unnest($6::text[]),
                       unnest($7::text[]), jsonb_array_elements($8::jsonb), unnest($9::text[]), unnest($10::timestamptz[]), unnest($11::timestamptz[]),
                       unnest($12::timestamptz[]), unnest($13::timestamptz[])) as x(i, o, a, s, c, st, cur, l, e, w, f, acc, sta)
     on conflict (automation_id, send_id) do nothing
     returning id`,
    values: [
      runs.map((r) => r.id), runs.map((r) => r.org), runs.map((r) => r.automation), runs.map((r) => r.send), runs.map((r) => r.contact),
      runs.map((r) => r.res.status), runs.map((r) => r.res.current), JSON.stringify(runs.map((r) => r.res.log)), runs.map((r) => r.res.error),
      runs.map((r) => iso(r.res.waitUntil)), runs.map((r) => iso(r.res.finishedAt)), runs.map((r) => iso(r.accepted)),
      runs.map((r) => r.res.log[0]?.started_at ?? null),
    ],
  });
  const won = ins.rows.length === runs.length ? null : new Set(ins.rows.map((x) => x.id));
  const started = won ? runs.filter((r) => won.has(r.id)) : runs;
  const effects = started.flatMap((r) => r.res.effects);
  await insertEffects(client, effects);
  const jobs = started.flatMap((r) => r.res.jobs);
  await enqueue(deps.boss, client, jobs);
  return { runs: started.length, effects: effects.length, waits: started.flatMap((r) => (r.res.waitUntil ? [r.res.waitUntil] : [])) };
}
