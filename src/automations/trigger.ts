/**
 * Called by the send worker inside its transaction: start one run of every enabled automation
 * triggered by each processed send. `unique (automation_id, send_id)` makes this idempotent, so a
 * retried or crashed batch never starts a second run.
 */
import type { PgBoss } from 'pg-boss';
import { enqueue, STEP_QUEUE } from './run.executor.js';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

export interface ProcessedSend {
  id: string;
  orgId: string;
  eventName: string;
  contactId: string | null;
}

export interface StartedRun {
  id: string;
  automationId: string;
  sendId: string;
}

/**
 * Returns the runs newly created by this call (none for sends already handled). The send worker
 * passes only sends its processing UPDATE found triggering an enabled automation, so there is no
 * separate "does any automation listen" query here.
 */
export async function startRunsForSends(client: pg.ClientBase, boss: PgBoss, sends: ProcessedSend[]): Promise<StartedRun[]> {
  if (!sends.length) return [];
  const r = await client.query<{ automation_id: string; send_id: string; org_id: string; contact_id: string | null }>(
    `select a.id as automation_id, s.id as send_id, s.org_id, s.contact_id
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) as s(id, org_id, event_name, contact_id)
       join automations a on a.organization_id = s.org_id and a.trigger_event = s.event_name
                         and a.status = 'enabled' and a.deleted_at is null`,
    [sends.map((s) => s.id), sends.map((s) => s.orgId), sends.map((s) => s.eventName), sends.map((s) => s.contactId)],
  );
  if (!r.rows.length) return [];
  const ids = r.rows.map(() => uuidv7());
  const ins = await client.query<{ id: string; automation_id: string; send_id: string }>(
    `insert into automation_runs (id, organization_id, automation_id, send_id, contact_id, current_step)
     select *, 'trigger' from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[])
     on conflict (automation_id, send_id) do nothing
     returning id, automation_id, send_id`,
    [ids, r.rows.map((x) => x.org_id), r.rows.map((x) => x.automation_id), r.rows.map((x) => x.send_id), r.rows.map((x) => x.contact_id)],
  );
  // The first step job of each new run commits with the run (same transaction, same client).
  await enqueue(boss, client, ins.rows.map((x) => ({ name: STEP_QUEUE, data: { runId: x.id, stepKey: 'trigger' } })));
  return ins.rows.map((x) => ({ id: x.id, automationId: x.automation_id, sendId: x.send_id }));
}
