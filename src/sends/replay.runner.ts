/**
 * Replays of rejected sends, the job side (plain SQL and pg-boss only: it runs in the worker
 * thread too). A replay re-validates the rejected sends of one event against its CURRENT schema,
 * in bounded batches, each ONE transaction:
 *
 *   lock the replay row (and check this worker still holds its lease) → the next REPLAY_BATCH
 *   rejected sends after the replay's cursor, `for update` → validate each (data-validator.ts) →
 *   flip the passing ones to `accepted` (same id, `replayed_at`, the new `schema_version`, data
 *   normalised) with `where status = 'rejected'` re-checked under the row lock, and enqueue ONE
 *   `sends.process` job carrying their ids, as the group commit does (committer.ts) → store the
 *   others' new errors and version → advance the cursor and counters → commit.
 *
 * So the send worker processes a replayed send exactly like a fresh one (contact, automations,
 * exactly once: only rows its update moves from `accepted` start runs); a replay of a million
 * sends is many short transactions; two replays over the same sends cannot both accept one (the
 * second's update finds it no longer `rejected`); and a killed worker loses at most the batch in
 * hand, which rolled back: the next driver resumes after the stored cursor.
 *
 * Who drives: a lease (owner, until) on the replay row, taken atomically and renewed every batch.
 * The `sends.replay` job (enqueued with the replay) starts it at once; every worker also sweeps for
 * running replays whose lease is missing or expired (a SIGKILLed driver) and takes them over.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { FieldDef } from '../events/event.entity.js';
import type { WorkerDeps } from '../shared/context.js';
import { isConnectionError } from '../shared/errors.js';
import { SEND_QUEUE, type SendJob } from './committer.js';
import { validateData, type FieldError } from './data-validator.js';

export const REPLAY_QUEUE = 'sends.replay';
/** Sends per batch transaction. */
export const REPLAY_BATCH = 500;
/** How long a driver's lease lasts without a renewal (a batch renews it). */
export const REPLAY_LEASE_MS = 10_000;
/** How often each worker looks for replays nobody drives. */
export const REPLAY_SWEEP_MS = 2_000;

export interface ReplayJob {
  replayId: string;
}

export interface ReplayFilterStored {
  from?: string | null;
  to?: string | null;
  ids?: string[] | null;
}

/** The sends a replay covers (after `cursor`): rejected sends of its definition matching its filter. $1 org, $2 definition, $3 from, $4 to, $5 ids, $6 cursor. */
export const REPLAY_WHERE = `organization_id = $1 and event_definition_id = $2 and errors is not null and status = 'rejected'
    and ($3::timestamptz is null or created_at >= $3) and ($4::timestamptz is null or created_at < $4)
    and ($5::uuid[] is null or id = any($5)) and ($6::uuid is null or id > $6)`;

export const filterValues = (orgId: string, defId: string, f: ReplayFilterStored, cursor: string | null) => [
  orgId, defId, f.from ?? null, f.to ?? null, f.ids?.length ? f.ids : null, cursor,
];

interface ReplayRow {
  id: string;
  organization_id: string;
  event_definition_id: string;
  status: string;
  dry_run: boolean;
  filter: ReplayFilterStored;
  cursor: string | null;
  lease_owner: string | null;
  fields: FieldDef[] | null;
  version: number | null;
  def_deleted: Date | null;
}

/** Take the lease of a running replay nobody (alive) drives; false when another driver holds it. */
async function claim(pool: pg.Pool, id: string, owner: string): Promise<boolean> {
  const r = await pool.query(
    `update event_replays set lease_owner = $2, lease_until = now() + make_interval(secs => $3), updated_at = now()
      where id = $1 and status = 'running' and (lease_until is null or lease_until < now() or lease_owner = $2)`,
    [id, owner, REPLAY_LEASE_MS / 1000],
  );
  return r.rowCount === 1;
}

/** Enqueue the processing of accepted sends in the caller's transaction: one `sends.process` job, as the group commit does. */
export async function enqueueSendJob(boss: PgBoss, client: pg.ClientBase, ids: string[]): Promise<void> {
  const data: SendJob = { ids };
  await boss.insert(SEND_QUEUE, [{ data }], { db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) } });
}

type BatchResult = 'more' | 'done' | 'lost';

/** One batch in one transaction. */
async function runBatch(deps: Pick<WorkerDeps, 'pool' | 'boss'>, id: string, owner: string, batch: number): Promise<BatchResult> {
  const client = await deps.pool.connect();
  let ok = false;
  try {
    await client.query('begin');
    const r = await client.query<ReplayRow>(
      `select r.id, r.organization_id, r.event_definition_id, r.status, r.dry_run, r.filter, r.cursor, r.lease_owner,
              d.fields, d.version, d.deleted_at as def_deleted
         from event_replays r left join event_definitions d on d.id = r.event_definition_id
        where r.id = $1 for update of r`,
      [id],
    );
    const rep = r.rows[0];
    if (!rep || rep.status !== 'running' || rep.lease_owner !== owner) {
      await client.query('commit');
      ok = true;
      return 'lost';
    }
    if (!rep.fields || rep.def_deleted) {
      await client.query(`update event_replays set status = 'failed', error = 'the event was deleted', finished_at = now(), updated_at = now(), lease_owner = null, lease_until = null where id = $1`, [id]);
      await client.query('commit');
      ok = true;
      return 'done';
    }
    const sends = await client.query<{ id: string; data: Record<string, unknown> }>(
      `select id, data from event_sends where ${REPLAY_WHERE} order by id limit $7 for update`,
      [...filterValues(rep.organization_id, rep.event_definition_id, rep.filter ?? {}, rep.cursor), batch],
    );
    const passed: { id: string; data: string }[] = [];
    const failed: { id: string; errors: FieldError[] }[] = [];
    for (const s of sends.rows) {
      const checked = validateData(rep.fields, s.data ?? {});
      if (checked.ok) passed.push({ id: s.id, data: JSON.stringify(checked.data) });
      else failed.push({ id: s.id, errors: checked.errors });
    }
    let accepted = passed.length;
    if (!rep.dry_run) {
      if (passed.length) {
        const moved = await client.query<{ id: string }>(
          `update event_sends s set status = 'accepted', errors = null, data = u.data, schema_version = $3, replayed_at = now()
             from rows from (unnest($1::uuid[]), jsonb_array_elements($2::jsonb)) as u(id, data)
            where s.id = u.id and s.status = 'rejected'
           returning s.id`,
          [passed.map((p) => p.id), `[${passed.map((p) => p.data).join(',')}]`, rep.version],
        );
        accepted = moved.rows.length;
        if (accepted) await enqueueSendJob(deps.boss, client, moved.rows.map((x) => x.id));
      }
      if (failed.length) {
        await client.query(
          `update event_sends s set errors = u.errors, schema_version = $3
             from rows from (unnest($1::uuid[]), jsonb_array_elements($2::jsonb)) as u(id, errors)
            where s.id = u.id and s.status = 'rejected'`,
          [failed.map((f) => f.id), JSON.stringify(failed.map((f) => f.errors)), rep.version],
        );
      }
    }
    const last = sends.rows.at(-1)?.id ?? rep.cursor;
    const finished = sends.rows.length < batch;
    await client.query(
      `update event_replays set done = done + $2, accepted = accepted + $3, still_rejected = still_rejected + $4, cursor = $5, updated_at = now(),
              status = case when $6 then 'completed' else status end, finished_at = case when $6 then now() else null end,
              lease_until = case when $6 then null else now() + make_interval(secs => $7) end,
              lease_owner = case when $6 then null else lease_owner end
        where id = $1`,
      [id, sends.rows.length, accepted, failed.length, last, finished, REPLAY_LEASE_MS / 1000],
    );
    await client.query('commit');
    ok = true;
    return finished ? 'done' : 'more';
  } finally {
    if (!ok) await client.query('rollback').catch(() => {});
    client.release();
  }
}

export interface DriveOptions {
  /** Checked between batches: a stopping worker hands the replay back (lease released). */
  stopping?: () => boolean;
  /** Called after every batch (the CLI's progress bar). */
  onBatch?: () => void;
  batch?: number;
  owner?: string;
}

/**
 * Drive a replay to its end if this caller can take its lease; returns false when another driver
 * holds it. A failure that is not the database being unreachable marks the replay failed with the
 * reason; an unreachable database leaves it running for the sweep to resume.
 */
export async function driveReplay(deps: Pick<WorkerDeps, 'pool' | 'boss' | 'log'>, id: string, opts: DriveOptions = {}): Promise<boolean> {
  const owner = opts.owner ?? randomUUID();
  if (!(await claim(deps.pool, id, owner))) return false;
  try {
    for (;;) {
      const r = await runBatch(deps, id, owner, opts.batch ?? REPLAY_BATCH);
      opts.onBatch?.();
      if (r !== 'more') return true;
      if (opts.stopping?.()) {
        await deps.pool.query(`update event_replays set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2`, [id, owner]);
        return true;
      }
    }
  } catch (err) {
    if (isConnectionError(err)) throw err;
    deps.log.error({ err, replayId: id }, 'replay failed');
    await deps.pool.query(
      `update event_replays set status = 'failed', error = $2, finished_at = now(), updated_at = now(), lease_owner = null, lease_until = null where id = $1 and status = 'running'`,
      [id, `internal error: ${(err as Error).message}`.slice(0, 500)],
    );
    return true;
  }
}

/** Running replays nobody drives (no lease, or an expired one: a killed driver). */
export async function orphanedReplays(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ id: string }>(`select id from event_replays where status = 'running' and (lease_until is null or lease_until < now()) order by id limit 20`);
  return r.rows.map((x) => x.id);
}

/** The worker half: the `sends.replay` queue's consumer and the sweep for orphaned replays. */
export async function startReplayWorker(deps: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  let stopping = false;
  const active = new Set<Promise<unknown>>();
  const drive = (id: string) => {
    const p = driveReplay(deps, id, { stopping: () => stopping }).catch((err) => deps.log.warn({ err, replayId: id }, 'replay paused (will resume)'));
    active.add(p);
    void p.finally(() => active.delete(p));
    return p;
  };
  await deps.boss.work<ReplayJob>(REPLAY_QUEUE, { batchSize: 1, pollingIntervalSeconds: deps.config.pollingIntervalSeconds }, async ([job]) => {
    if (job?.data?.replayId) await drive(job.data.replayId);
  });
  let sweeping = false;
  const sweep = async () => {
    if (sweeping || stopping) return;
    sweeping = true;
    try {
      for (const id of await orphanedReplays(deps.pool)) if (!stopping && active.size < 4) void drive(id);
    } catch (err) {
      deps.log.debug({ err }, 'replay sweep failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), REPLAY_SWEEP_MS);
  timer.unref();
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await deps.boss.offWork(REPLAY_QUEUE).catch(() => {});
      await Promise.allSettled([...active]);
    },
  };
}

export const REPLAY_QUEUE_OPTIONS = { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 4 * 3600 };
