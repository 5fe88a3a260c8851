/**
 * Stored issues (issue 19, item 3): the checker runs when an automation is saved or enabled and when
 * its trigger event's definition changes (created, schema updated, deleted); reads only read
 * `automations.issues`. `checked_against` says which definition and checker version the stored
 * issues were computed against, so stale rows are found by one comparison.
 *
 * Concurrency: every write of issues happens in a transaction that holds the trigger name's lock
 * shared (`lockEventName`) and computes against the definition read under it, while creating,
 * updating and deleting a definition hold it exclusively. So stored issues always match the schema
 * current at their commit, and a re-check that starts after a change's commit finds every row that
 * change made stale (rows saved meanwhile were checked against the new schema already).
 *
 * CPU: checking is synchronous work (a Liquid parse per template; 30 automations of 99 email steps
 * held the event loop for seconds). Every check runs in `checkerLane`: one check slice at a time
 * per process, each at most SLICE_MS, with a turn of the event loop (setImmediate) between slices,
 * so other requests wait at most about one slice however many checks are queued.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { FieldDef } from '../events/event.entity.js';
import { lockEventName } from '../events/event.service.js';
import { checkAutomation } from './checker.js';
import { hostsToResolve, resolveHosts } from './net-guard.js';
import type { Connection, Issue, Step } from './graph.js';

/** Bump when the checker's rules change: every stored check becomes stale and the startup sweep redoes it. */
export const CHECKER_VERSION = 'c1';
const NONE = `${CHECKER_VERSION}:none`;
/** The fingerprint of definition row `d` (or of no definition when `d` is null), in SQL: one definition for every query. */
const fingerprintSql = (d: string) => `'${CHECKER_VERSION}:' || coalesce(${d}.id::text || ':' || md5(${d}.fields::text), 'none')`;

/** Longest stretch of checking between two turns of the event loop. */
export const SLICE_MS = 8;
/** A re-check transaction checks rows for at most this long (and at most RECHECK_ROWS rows), then commits. */
const CHUNK_MS = 250;
const RECHECK_ROWS = 10;

export type CheckConfig = Pick<Config, 'webhookAllowHosts'>;

export interface TriggerSchema {
  /** Fields of the live definition named by the trigger; null when there is none. */
  fields: FieldDef[] | null;
  fingerprint: string;
}

/** The live definition an automation triggered by `name` is checked against (inside the caller's transaction). */
export async function triggerSchema(em: EntityManager, orgId: string, name: string | null | undefined): Promise<TriggerSchema> {
  if (!name) return { fields: null, fingerprint: NONE };
  const rows = await em.getConnection().execute<{ fields: FieldDef[]; fingerprint: string }[]>(
    `select d.fields, ${fingerprintSql('d')} as fingerprint from event_definitions d where d.organization_id = ? and d.name = ? and d.deleted_at is null`,
    [orgId, name],
    'all',
    em.getTransactionContext(),
  );
  return rows[0] ? { fields: rows[0].fields, fingerprint: rows[0].fingerprint } : { fields: null, fingerprint: NONE };
}

/** One check lane per process: a FIFO token handed on through setImmediate, so slices of different checks never run back to back. */
const lane = { busy: false, waiters: [] as (() => void)[], sliceStart: 0 };

function acquire(): Promise<void> | void {
  if (!lane.busy) {
    lane.busy = true;
    lane.sliceStart = performance.now();
    return;
  }
  return new Promise<void>((resolve) => lane.waiters.push(resolve)).then(() => {
    lane.sliceStart = performance.now();
  });
}

function release(): void {
  const next = lane.waiters.shift();
  if (next) setImmediate(next);
  else lane.busy = false;
}

/**
 * A full turn of the event loop: two setImmediates. A slice that ran in the poll phase (an HTTP
 * request's handler) and yielded with one would go on in the same iteration's check phase, before
 * the I/O that arrived meanwhile is polled: two templates of 100 KB then ran as one 650 ms block.
 */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

async function pause(): Promise<void> {
  if (performance.now() - lane.sliceStart < SLICE_MS) return;
  release();
  await loopTurn();
  await acquire();
}

/** The URLs of an automation's webhook steps (what the check may look up). */
const webhookUrls = (steps: Step[]): string[] =>
  Array.isArray(steps) ? steps.flatMap((s) => (s && s.type === 'webhook' && typeof s.url === 'string' ? [s.url] : [])) : [];

/**
 * The webhook hosts of `steps` looked up now (undefined when there are none): a save looks them up
 * before its transaction and hands them to the checks inside it, so no lookup waits under its locks
 * (a host the transaction's steps name that is not in the map is looked up there, as before).
 */
export async function lookUpWebhookHosts(steps: Step[], config: CheckConfig): Promise<Map<string, string[] | null> | undefined> {
  const urls = webhookUrls(steps);
  return urls.length ? resolveHosts(urls, config.webhookAllowHosts) : undefined;
}

/**
 * checkAutomation in the lane. `resolvedHosts`: its webhook hosts, looked up beforehand (a re-check
 * resolves before it takes its locks); otherwise they are looked up here unless `resolveDns` is false.
 */
export async function checkIssues(
  steps: Step[],
  connections: Connection[],
  fields: FieldDef[] | null,
  config: CheckConfig,
  opts: { resolveDns?: boolean; resolvedHosts?: Map<string, string[] | null> } = {},
): Promise<Issue[]> {
  // DNS first, outside the lane: the lane is one check at a time for the whole process.
  let resolvedHosts = opts.resolvedHosts;
  if (!resolvedHosts && opts.resolveDns !== false) {
    const urls = webhookUrls(steps);
    if (urls.length) resolvedHosts = await resolveHosts(urls, config.webhookAllowHosts);
  }
  await acquire();
  try {
    return await checkAutomation(steps, connections, { eventFields: fields, webhookAllowHosts: config.webhookAllowHosts, pause, resolveDns: opts.resolveDns, resolvedHosts });
  } finally {
    release();
  }
}

export interface RecheckDeps {
  /** A root EntityManager: each chunk forks it. */
  em: EntityManager;
  config: CheckConfig;
  log: { warn: (obj: object, msg: string) => void };
  /** Set on shutdown: the re-check stops between chunks (the startup sweep finishes it later). */
  stopped?: () => boolean;
}

interface StaleRow {
  id: string;
  status: string;
  steps: Step[];
  connections: Connection[];
  issues: Issue[];
}

/** Up to RECHECK_ROWS live automations of `orgId` triggered by `name` after `after` whose stored issues were not checked against `fingerprint`. */
async function staleRows(em: EntityManager, orgId: string, name: string | null, after: string, fingerprint: string, lock: boolean): Promise<StaleRow[]> {
  return em.getConnection().execute<StaleRow[]>(
    `select id, status, steps, connections, issues from automations
      where organization_id = ? and ${name === null ? 'trigger_event is null' : 'trigger_event = ?'} and deleted_at is null
        and id > ? and checked_against is distinct from ?
      order by id limit ${RECHECK_ROWS}${lock ? ' for update' : ''}`,
    name === null ? [orgId, after, fingerprint] : [orgId, name, after, fingerprint],
    'all',
    em.getTransactionContext(),
  );
}

/** A chunk's locked rows name webhook hosts its lookup before the transaction did not cover (a row changed in between). */
class HostsMissing extends Error {
  constructor(readonly urls: string[]) {
    super('webhook hosts not resolved before the re-check transaction');
  }
}

/** After this many chunk attempts that found unresolved hosts, the last one looks them up under its locks. */
const RESOLVE_ATTEMPTS = 3;

/**
 * Bring the stored issues of every live automation of `orgId` triggered by `name` (null: by no
 * event) up to date with the definition current now. Works in chunks, each its own transaction
 * under the name's shared lock with its rows locked `for update`; a row someone is saving is waited
 * for, then skipped if the save made it current. Returns how many automations were re-checked.
 *
 * DNS is resolved before each chunk's transaction, never under its locks: the chunk's rows are read
 * first without locks and their webhook hosts looked up (row by row, as a save looks up its own);
 * the locked pass checks with those answers. Should a locked row name a host not looked up (it was
 * saved in between), the chunk rolls back, that host is looked up and the chunk goes again.
 */
export async function recheckTrigger(deps: RecheckDeps, orgId: string, name: string | null): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    if (deps.stopped?.()) return total;
    const resolved = new Map<string, string[] | null>(); // this chunk's webhook hosts
    const unresolved = (urls: string[]) => hostsToResolve(urls, deps.config.webhookAllowHosts).some((h) => !resolved.has(h));
    const resolve = async (urls: string[]) => {
      if (unresolved(urls)) for (const [h, addrs] of await resolveHosts(urls, deps.config.webhookAllowHosts)) resolved.set(h, addrs);
    };
    const em = deps.em.fork();
    const peeked = await staleRows(em, orgId, name, after, (await triggerSchema(em, orgId, name)).fingerprint, false);
    for (const r of peeked) await resolve(webhookUrls(r.steps));
    let chunk: { id: string; issues: Issue[] }[] | undefined;
    for (let attempt = 1; !chunk; attempt++) {
      try {
        chunk = await deps.em.fork().transactional(async (tx) => {
          await lockEventName(tx, orgId, [name], 'shared');
          const schema = await triggerSchema(tx, orgId, name);
          const rows = await staleRows(tx, orgId, name, after, schema.fingerprint, true);
          const urls = rows.flatMap((r) => webhookUrls(r.steps));
          if (attempt < RESOLVE_ATTEMPTS && unresolved(urls)) throw new HostsMissing(urls);
          const started = performance.now();
          const done: { id: string; issues: Issue[] }[] = [];
          for (const r of rows) {
            const issues = await checkIssues(r.steps, r.connections, schema.fields, deps.config, { resolvedHosts: resolved });
            done.push({ id: r.id, issues });
            if (r.status === 'enabled' && issues.length && !r.issues.length) {
              // Reported on the automation (issues, broken); the run itself fails only where a value is missing.
              deps.log.warn({ automationId: r.id, event: name, issues: issues.map((i) => i.message) }, 'enabled automation no longer type-checks after its event schema changed');
            }
            if (performance.now() - started > CHUNK_MS) break;
          }
          if (done.length) {
            await tx.getConnection().execute(
              `update automations a set issues = x.issues, checked_against = ? from jsonb_to_recordset(?::jsonb) as x(id uuid, issues jsonb) where a.id = x.id`,
              [schema.fingerprint, JSON.stringify(done)],
              'run',
              tx.getTransactionContext(),
            );
          }
          return done;
        });
      } catch (err) {
        if (!(err instanceof HostsMissing)) throw err;
        await resolve(err.urls);
      }
    }
    if (!chunk.length) return total;
    total += chunk.length;
    after = chunk.at(-1)!.id;
  }
}

/** Every (org, trigger name) with automations whose stored issues are stale: after a crash mid re-check, a checker upgrade or the migration. */
export async function staleTriggers(em: EntityManager): Promise<{ orgId: string; name: string | null }[]> {
  return em.getConnection().execute<{ orgId: string; name: string | null }[]>(
    `select distinct a.organization_id as "orgId", a.trigger_event as name
       from automations a
       left join event_definitions d on d.organization_id = a.organization_id and d.name = a.trigger_event and d.deleted_at is null
      where a.deleted_at is null and a.checked_against is distinct from ${fingerprintSql('d')}`,
  );
}
