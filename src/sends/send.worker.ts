/**
 * The send worker (spec §5): pg-boss queue `sends.process`, one job per group commit carrying the
 * ids of its accepted sends. A fetched batch of jobs is processed in ONE transaction: read the
 * sends still `accepted`, find-or-create their contacts, mark them `processed`, start the
 * automation runs (unique per (automation, send)) of those this transaction moved. If that transaction fails, each job and then each
 * send is tried alone so the others complete; pg-boss retries a failing job with backoff (only
 * its still-`accepted` sends are redone) and after the last attempt they are marked `failed` with
 * the error kept. At-least-once underneath, exactly-once in effect: only rows the UPDATE moves
 * from `accepted` (re-checked under its row lock) start runs, and runs are unique per send.
 */
import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { startRunsBatch, type BatchStart } from '../automations/run.batch.js';
import { findOrCreateContacts, normaliseEmail } from '../contacts/contact.upsert.js';
import type { WorkerDeps } from '../shared/context.js';
import { LaneWaker } from '../shared/wake.js';
import type { Wake } from '../workers.js';
import { SEND_QUEUE, type SendJob } from './committer.js';

/** How often this process asks pg-boss to fail/retry jobs whose worker stopped heartbeating. */
const SUPERVISE_EVERY_MS = 5_000;
const CLEANUP_EVERY_MS = 60_000;

interface SendToProcess {
  id: string;
  organization_id: string;
  event_name: string;
  contact_id: string | null;
  email: string | null;
}

/**
 * Marks sends processed ($1 ids, $2 their contact ids) if still `accepted`; returns the moved ids,
 * each with whether an enabled automation is triggered by its event (so a batch that triggers none,
 * the common case, needs no further query).
 * A heap-only (HOT) update on the indexes of migration event_sends_hot_updates: it changes no
 * indexed column (test/sends/sends.worker.test.ts holds it to that).
 */
export const MARK_PROCESSED = `update event_sends s set status = 'processed', processed_at = now(), contact_id = u.contact_id
  from unnest($1::uuid[], $2::uuid[]) as u(id, contact_id)
  where s.id = u.id and s.status = 'accepted'
  returning s.id, exists (select 1 from automations a where a.organization_id = s.organization_id and a.trigger_event = s.event_name
                                                     and a.status = 'enabled' and a.deleted_at is null) as triggers`;

/**
 * Processes the given sends in one transaction; returns how many this call moved from `accepted`.
 *
 * No `select … for update`: locking the rows first cost a WAL record and a tuple-header write per
 * send. The UPDATE itself takes the row locks and re-checks `status = 'accepted'` after waiting
 * for any other transaction holding the row, so of two workers racing on one send (a redelivered
 * job) exactly one moves it, and only that one starts its automation runs.
 */
export async function processSends(deps: WorkerDeps, ids: string[], after?: (started: BatchStart) => void): Promise<number> {
  const client = await deps.pool.connect();
  let ok = false;
  try {
    await client.query('begin');
    // An existing contact comes with the read (an index probe per send, no extra round trip); only
    // new addresses (or ones whose case folds differently in JS) go through findOrCreateContacts.
    // Erased sends are no longer `accepted` (src/contacts/contact.erase.ts), so they are never read here.
    // `status` is filtered here, not in SQL: with `status = 'accepted'` in the WHERE the planner
    // estimates a handful of rows (statistics see almost every send processed) where a batch has
    // hundreds, and on a growing contacts table it chose a nested loop that compared every send with
    // every contact. Without it the estimate is the id list's length and the join is planned as one.
    const r = await client.query<SendToProcess & { status: string }>({
      name: 'worker_sends_to_process',
      text: `select s.id, s.organization_id, s.event_name, coalesce(s.contact_id, c.id) as contact_id, s.email, s.status
               from event_sends s
               left join contacts c on s.contact_id is null and c.organization_id = s.organization_id and c.email = lower(s.email)
              where s.id = any($1::uuid[])`,
      values: [ids],
    });
    let sends: SendToProcess[] = r.rows.filter((s) => s.status === 'accepted');
    const created = new Set<string>();
    let started: BatchStart | undefined;
    if (sends.length) {
      const unknown: { send: SendToProcess; key: string }[] = [];
      for (const s of sends) {
        if (s.contact_id || !s.email) continue;
        unknown.push({ send: s, key: `${s.organization_id}\u0000${normaliseEmail(s.email)}` });
      }
      if (unknown.length) {
        const contacts = await findOrCreateContacts(client, unknown.map((u) => ({ orgId: u.send.organization_id, email: u.send.email! })), created);
        for (const u of unknown) u.send.contact_id = contacts.get(u.key) ?? null;
      }
      // In id order, so two transactions updating overlapping sets (a redelivered job) tend to lock
      // rows in the same order; a deadlock still only fails the attempt, and pg-boss retries it.
      sends.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const moved = await client.query<{ id: string; triggers: boolean }>({
        name: 'worker_mark_processed',
        text: MARK_PROCESSED,
        values: [sends.map((s) => s.id), sends.map((s) => s.contact_id)],
      });
      const triggering = new Set<string>();
      for (const m of moved.rows) if (m.triggers) triggering.add(m.id);
      if (moved.rows.length !== sends.length) {
        const won = new Set(moved.rows.map((x) => x.id));
        sends = sends.filter((s) => won.has(s.id));
        // A send erased (or processed elsewhere) after our read must not leave behind a contact this
        // transaction created for it: an erased address would come back.
        const used = new Set(sends.map((s) => s.contact_id));
        const orphans = [...created].filter((id) => !used.has(id));
        if (orphans.length) await client.query('delete from contacts where id = any($1::uuid[])', [orphans]);
      }
      if (triggering.size) {
        // The runs start here, in this transaction, and walk their in-memory steps (run.batch.ts).
        started = await startRunsBatch(
          deps,
          client,
          sends.filter((s) => triggering.has(s.id)).map((s) => ({ id: s.id, orgId: s.organization_id, eventName: s.event_name, contactId: s.contact_id })),
        );
      }
    }
    await client.query('commit');
    ok = true;
    if (started?.runs && after) after(started);
    return sends.length;
  } finally {
    if (!ok) await client.query('rollback').catch(() => {});
    client.release();
  }
}

async function markFailed(deps: WorkerDeps, id: string, err: unknown): Promise<void> {
  const reason = err instanceof Error ? err.message : String(err);
  await deps.pool.query(
    `update event_sends set status = 'failed', failure_reason = $2, processed_at = now() where id = $1 and status = 'accepted'`,
    [id, reason.slice(0, 2000)],
  );
}

export interface SendWorker {
  stop(): Promise<void>;
}


/** Sends per processing transaction when several small jobs are fetched together. */
const MAX_SENDS_PER_TX = 500;

type Outcome = { id: string; status: 'completed' | 'failed'; output?: unknown };

/**
 * One job = the sends of one group commit. Tries the job's sends in one transaction; if that
 * fails, each send alone, so the others complete. Sends that still fail keep status `accepted`
 * and the job fails (pg-boss retries it with backoff; processed sends are skipped then); on the
 * last attempt they are marked `failed` with their error.
 */
async function processJob(deps: WorkerDeps, job: JobWithMetadata<SendJob>, after?: (started: BatchStart) => void): Promise<Outcome> {
  const ids = job.data?.ids ?? [];
  try {
    await processSends(deps, ids, after);
    return { id: job.id, status: 'completed' };
  } catch (err) {
    if (ids.length === 1) return failJob(deps, job, [[ids[0], err]]);
  }
  const failures: [string, unknown][] = [];
  for (const id of ids) {
    try {
      await processSends(deps, [id], after);
    } catch (err) {
      failures.push([id, err]);
    }
  }
  return failures.length ? failJob(deps, job, failures) : { id: job.id, status: 'completed' };
}

async function failJob(deps: WorkerDeps, job: JobWithMetadata<SendJob>, failures: [string, unknown][]): Promise<Outcome> {
  const last = job.retryCount >= job.retryLimit;
  for (const [id, err] of failures) {
    deps.log.warn({ err, sendId: id, jobId: job.id, retryCount: job.retryCount, last }, 'send processing failed');
    if (last) await markFailed(deps, id, err).catch((e) => deps.log.error({ err: e, sendId: id }, 'could not mark send failed'));
  }
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return { id: job.id, status: 'failed', output: { failed: failures.map(([id, e]) => ({ id, error: message(e) })) } };
}

export async function startSendWorker(deps: WorkerDeps, wake?: Wake): Promise<SendWorker> {
  const { config } = deps;
  const options = {
    batchSize: config.sendJobsPerFetch,
    burstWhenBatchFull: true,
    // One work() per lane, so a wake-up can reach each of them (pg-boss notifyWorker takes one worker id).
    localConcurrency: 1,
    pollingIntervalSeconds: Math.max(0.5, config.pollingIntervalSeconds), // pg-boss's minimum
    includeMetadata: true,
    perJobResults: true,
  } as const;
  // Runs started by a committed batch: deliver their outbox rows now, and wake up for their waits.
  const after = (started: BatchStart) => {
    if (started.effects) wake?.signal.signal('outbox');
    if (started.waits.length) wake?.signal.signal('waits', Math.min(...started.waits.map((d) => d.getTime())));
  };
  const handler = async (jobs: JobWithMetadata<SendJob>[]) => {
    // Several small jobs share one transaction (fewer commits); a failing group falls back to one job at a time.
    const results: Outcome[] = [];
    let group: JobWithMetadata<SendJob>[] = [];
    let n = 0;
    const flush = async () => {
      if (!group.length) return;
      const g = group;
      group = [];
      n = 0;
      if (g.length > 1) {
        try {
          await processSends(deps, g.flatMap((j) => j.data?.ids ?? []), after);
          for (const j of g) results.push({ id: j.id, status: 'completed' });
          return;
        } catch (err) {
          deps.log.warn({ err, jobs: g.length }, 'send batch failed; processing its jobs one by one');
        }
      }
      for (const j of g) results.push(await processJob(deps, j, after));
    };
    for (const job of jobs) {
      const size = job.data?.ids?.length ?? 0;
      if (n + size > MAX_SENDS_PER_TX) await flush();
      group.push(job);
      n += size;
    }
    await flush();
    return results;
  };
  const workIds: string[] = [];
  // A group commit landed (this process's API thread, or another process's NOTIFY): an idle lane
  // fetches now, at most one wake-up per SEND_WAKE_GAP_MS (config.sendWakeGapMs) across the lanes: under load a fetch takes many group commits at a time (see LaneWaker).
  const lanes = new LaneWaker((id) => deps.boss.notifyWorker(id), config.sendWakeGapMs);
  for (let i = 0; i < config.workerConcurrency; i++) {
    const id = await deps.boss.work<SendJob, unknown, typeof options>(SEND_QUEUE, options, lanes.handler(handler));
    lanes.add(id);
    workIds.push(id);
  }
  // A quiet commit hands over its ids (same process): an idle lane processes them at once, without
  // fetching the job first; the job, fetched later, finds them processed (a no-op), as a redelivered
  // job would. Failing here changes nothing: the job is still there and goes the usual way.
  const inHand = new Set<Promise<unknown>>();
  const direct = (ids: string[]) => {
    const p = processSends(deps, ids, after)
      .catch((err) => {
        deps.log.debug({ err }, 'direct send processing failed; the job will retry');
        lanes.wake();
      })
      .finally(() => inHand.delete(p));
    inHand.add(p);
    return p;
  };
  const offWake = wake?.listener.on('sends', (_at, ids) => {
    if (ids?.length && lanes.tryRun(() => direct(ids))) return;
    lanes.wake();
  });

  // pg-boss's own monitor (which fails jobs whose worker stopped heartbeating, e.g. a SIGKILLed
  // process) runs at most once a minute per database. A small supervisor-only instance on the same
  // pool runs that pass for our queue every few seconds, so orphaned sends resume within ~15 s.
  const monitor = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => deps.pool.query(text, values) },
    schema: 'pgboss',
    supervise: false,
    schedule: false,
    migrate: false,
    createSchema: false,
    monitorIntervalSeconds: Math.max(1, Math.floor(SUPERVISE_EVERY_MS / 1000)),
    // only the job monitor: the main instance keeps doing the heavier housekeeping once a minute
    reindex: false,
    monitorVacuum: false,
    persistWarnings: false,
    persistQueueStats: false,
  } as ConstructorParameters<typeof PgBoss>[0]);
  monitor.on('error', (err) => deps.log.debug({ err }, 'send supervisor error'));
  let monitorStarted = false;
  let lastCleanup = 0;
  let superviseRunning = false;
  const tick = async () => {
    if (superviseRunning) return;
    superviseRunning = true;
    try {
      if (!monitorStarted) {
        await monitor.start();
        monitorStarted = true;
      }
      await monitor.supervise(SEND_QUEUE);
      if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
        lastCleanup = Date.now();
        // Idempotency keys live 24 h; expired ones are ignored on lookup and replaced on reuse, and removed here.
        await deps.pool.query(`delete from idempotency_keys where ctid in (select ctid from idempotency_keys where expires_at <= now() limit 10000)`);
      }
    } catch (err) {
      deps.log.debug({ err }, 'send supervise pass failed');
    } finally {
      superviseRunning = false;
    }
  };
  const timer = setInterval(() => void tick(), SUPERVISE_EVERY_MS);
  timer.unref();
  void tick();

  return {
    async stop() {
      clearInterval(timer);
      offWake?.();
      lanes.stop();
      await Promise.all(inHand);
      await Promise.all(workIds.map((id) => deps.boss.offWork(SEND_QUEUE, { id, wait: true }).catch(() => {})));
      while (superviseRunning) await new Promise((r) => setTimeout(r, 20));
      if (monitorStarted) await monitor.stop({ graceful: false, close: false }).catch(() => {});
    },
  };
}

