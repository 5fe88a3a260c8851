/** Send history (ours, spec §4): recorded sends of an org, optionally of one event and one status. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Page, type PageArgs } from '../shared/pagination.js';
import type { SendRecord } from './send.types.js';

export const SEND_STATUSES = ['accepted', 'rejected', 'processed', 'failed'] as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Timestamps leave PostgreSQL as epoch milliseconds (float8, exact for timestamptz(3)) rather than
 * timestamptz text: node-postgres parses that text into a Date with a regex per value, which cost
 * ~6 % of the history route's CPU (3 columns × 51 rows); `new Date(ms)` gives the same instant.
 */
const ms = (col: string) => `round(date_part('epoch', ${col}) * 1000) as ${col}`;
const COLUMNS = `id, event_name, status, errors, contact_id, email, data, ${ms('"timestamp"')}, ${ms('created_at')}, ${ms('processed_at')}, failure_reason`;

/** Sends of the org by id (in no particular order). */
export async function getSends(pool: pg.Pool, org: OrgRef, ids: string[]): Promise<SendRecord[]> {
  const r = await pool.query<SendRecord>({
    name: 'sends_by_ids',
    text: `select ${COLUMNS} from event_sends where organization_id = $1 and id = any($2::uuid[])`,
    values: [org.id, ids],
  });
  return r.rows;
}

export interface ListSendsOptions {
  /** Event id or name; soft-deleted definitions included (their sends stay queryable). */
  event?: string;
  status?: string;
  page: PageArgs;
}

/**
 * The history query, one text per shape (event or not × status × cursor × order): a keyset page on
 * the indexes (organization_id, event_definition_id[, status], id desc); no OFFSET.
 *
 * Sent unnamed on purpose (planned with the actual values every time, ~0.1 ms): as a named
 * prepared statement PostgreSQL may switch to a generic plan after five executions, and the generic
 * plan walks the primary key backwards filtering on event and status (1/n_distinct selectivity):
 * 950 rows read for a page of 51 rejected sends in bench/reads.js's data, the whole table for a
 * status or event with no sends (805 ms at 1 M sends). The definition id is a parameter, never a
 * join column, for the same reason: the planner must see its frequency.
 */
const statements = new Map<string, string>();
/** True exactly for the sends of that status: the predicates of event_sends_event_rejected / _failed. */
const STATUS_PREDICATE: Record<string, string> = { rejected: 'errors is not null', failed: 'failure_reason is not null' };
export function historyStatement(event: boolean, status: boolean, op: '<' | '>' | '', order: 'desc' | 'asc', statusValue?: string): { text: string; params: number[] } {
  // The rejected and failed filters name their partial index's predicate (see the migration
  // event_sends_hot_updates: `status` is in no index, so the worker's update stays HOT).
  const partial = status && statusValue !== undefined ? STATUS_PREDICATE[statusValue] : undefined;
  const key = `${event ? 'e' : 'o'}_${status ? 's' : 'a'}${partial ? `_${statusValue}` : ''}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  // $1 org, $2 limit, then definition id, status, cursor when present (in that order)
  const params = [1, 2];
  let text = statements.get(key);
  const where = ['organization_id = $1'];
  if (event) where.push(`event_definition_id = $${params.push(3)}`);
  if (status) where.push(`status = $${params.push(4)}`);
  if (partial) where.push(partial);
  if (op) where.push(`id ${op} $${params.push(5)}`);
  if (text === undefined) {
    text = `select ${COLUMNS} from event_sends where ${where.join(' and ')} order by id ${order} limit $2`;
    statements.set(key, text);
  }
  return { text, params };
}

/**
 * The definition behind `event` (id or name, soft-deleted ones included, newest first by name): what
 * getEvent with includeDeleted finds, without MikroORM (its fork + findOne + hydration was ~15 % of
 * the history route's CPU).
 */
async function definitionId(pool: pg.Pool, org: OrgRef, event: string): Promise<string | undefined> {
  const byId = UUID_RE.test(event);
  const r = await pool.query<{ id: string }>({
    name: byId ? 'sends_history_definition_by_id' : 'sends_history_definition_by_name',
    text: `select id from event_definitions where organization_id = $1 and ${byId ? 'id = $2::uuid' : 'name = $2 order by id desc limit 1'}`,
    values: [org.id, event],
  });
  return r.rows[0]?.id;
}

export async function listSends(_em: EntityManager, pool: pg.Pool, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendRecord>> {
  if (opts.status !== undefined && !(SEND_STATUSES as readonly string[]).includes(opts.status)) {
    throw new AppError('validation_error', `status must be one of the following values: ${SEND_STATUSES.join(', ')}`);
  }
  const notFound = () => AppError.notFound(`Event ${opts.event} not found`);
  // By id the page is read first: sends of this org with that definition id prove the definition is
  // the org's (sends are only recorded against the org's own definitions, which are never deleted),
  // so the definition lookup is only needed for an empty page. By name it resolves the id first.
  const byId = opts.event !== undefined && UUID_RE.test(opts.event);
  const defId = opts.event === undefined || byId ? opts.event : await definitionId(pool, org, opts.event);
  if (opts.event !== undefined && defId === undefined) throw notFound();
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const st = historyStatement(defId !== undefined, opts.status !== undefined, cursor?.op ?? '', order, opts.status);
    const all = [org.id, Number(limit), defId, opts.status, cursor?.id];
    const r = await pool.query<SendRecord>(st.text, st.params.map((n) => all[n - 1]));
    if (byId && r.rows.length === 0 && (await definitionId(pool, org, opts.event!)) === undefined) throw notFound();
    return r.rows;
  });
}
