/** Send history (ours, spec §4): recorded sends of an org, optionally of one event and one status. */
import type pg from 'pg';
import type { Deps, OrgRef } from '../shared/context.js';
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

/**
 * The REST shape of a send (spec §4 history), built by PostgreSQL as one JSON text per row (the
 * row_to_json of a row with the REST keys, in order): the
 * route then joins the rows into the list body, so Node neither parses 11 columns per row (with
 * `data` and `errors` through JSON.parse) nor serialises them again. That parsing and
 * serialising was ~20 % of the history route's CPU, and the route is bound by Node's CPU.
 * Timestamps: UTC, millisecond ISO 8601 (what `Date#toISOString` gives for years 1–9999).
 */
const iso = (col: string) => `to_char(s.${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
// row_to_json of a row keeps the column order and writes compact JSON (json_build_object would
// write `"key" : value`).
const REST_JSON = `id, (select row_to_json(r) from (select s.id, s.event_name as event, s.status, coalesce(s.errors, '[]'::jsonb) as errors,
  s.contact_id, s.email, s.data, ${iso('"timestamp"')} as "timestamp", ${iso('created_at')} as created_at,
  ${iso('processed_at')} as processed_at, s.failure_reason) as r)::text as json`;

/** A send as its REST JSON text (see REST_JSON). */
export interface SendJson {
  id: string;
  json: string;
}

/** What a history page returns: rows for GraphQL (`record`), or REST JSON texts (`rest`). */
export type HistoryShape = 'record' | 'rest';

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
 * The history query, one text per shape (event or not × status × cursor × order): a keyset page,
 * no OFFSET.
 *
 * With an event (the common case) it is a NAMED prepared statement run on its generic plan (on
 * `deps.genericPool`, whose sessions force generic plans) — and that generic plan is right:
 * planning the query was ~60 % of PostgreSQL's cost per page (pgbench on 1 M sends: 7.9k pages/s
 * unnamed, 18.7k prepared). A plain `event_definition_id = $3 … order by id desc` cannot be
 * prepared: a generic plan sees 1/n_distinct selectivity and walks the primary key backwards
 * filtering on the event (the whole table for an event with no sends: 805 ms at 1 M sends). So the
 * event is written as a range the index (organization_id, event_definition_id, id) orders and
 * bounds — `event_definition_id >= $3 and (event_definition_id, id) < ($3, cursor)`, ordered by
 * (event_definition_id, id) — which the primary key cannot order: every plan is then a scan of
 * that index (or of the rejected/failed partial one) that starts at the cursor and stops at the
 * first row of another event (3 buffers for an event with no sends).
 *
 * Without an event (GraphQL `sends` over the whole organization) it walks the primary key and is
 * sent unnamed, so PostgreSQL plans it with the actual values.
 */
const statements = new Map<string, { text: string; params: number[]; name?: string }>();
/** True exactly for the sends of that status: the predicates of event_sends_event_rejected / _failed. */
const STATUS_PREDICATE: Record<string, string> = { rejected: 'errors is not null', failed: 'failure_reason is not null' };
export function historyStatement(
  event: boolean,
  status: boolean,
  op: '<' | '>' | '',
  order: 'desc' | 'asc',
  statusValue?: string,
  shape: HistoryShape = 'record',
): { text: string; params: number[]; name?: string } {
  // The rejected and failed filters name their partial index's predicate (see the migration
  // event_sends_hot_updates: `status` is in no index, so the worker's update stays HOT).
  const partial = status && statusValue !== undefined ? STATUS_PREDICATE[statusValue] : undefined;
  const key = `${shape}_${event ? 'e' : 'o'}_${status ? 's' : 'a'}${partial ? `_${statusValue}` : ''}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  const cached = statements.get(key);
  if (cached) return cached;
  // $1 org, $2 limit, then definition id, status, cursor when present (in that order)
  const params = [1, 2];
  const where = ['organization_id = $1'];
  if (event) {
    const d = `$${params.push(3)}`;
    if (status) where.push(`status = $${params.push(4)}`);
    if (op) {
      const c = `$${params.push(5)}`;
      where.push(op === '<' ? `event_definition_id >= ${d}` : `event_definition_id <= ${d}`, `(event_definition_id, id) ${op} (${d}, ${c})`);
    } else {
      where.push(`event_definition_id >= ${d}`, `event_definition_id <= ${d}`);
    }
  } else {
    if (status) where.push(`status = $${params.push(4)}`);
    if (op) where.push(`id ${op} $${params.push(5)}`);
  }
  if (partial) where.push(partial);
  const orderBy = event ? `event_definition_id ${order}, id ${order}` : `id ${order}`;
  const st = { text: `select ${shape === 'rest' ? REST_JSON : COLUMNS} from event_sends s where ${where.join(' and ')} order by ${orderBy} limit $2`, params, name: event ? `sends_history_${key}` : undefined };
  statements.set(key, st);
  return st;
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

/** A page of history as rows (GraphQL). */
export function listSends(deps: Pick<Deps, 'pool' | 'genericPool'>, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendRecord>> {
  return historyPage<SendRecord>(deps, org, opts, 'record');
}

/** A page of history as REST JSON texts, one per send (REST: joined into the list body as they are). */
export function listSendsJson(deps: Pick<Deps, 'pool' | 'genericPool'>, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendJson>> {
  return historyPage<SendJson>(deps, org, opts, 'rest');
}

async function historyPage<T extends { id: string }>(deps: Pick<Deps, 'pool' | 'genericPool'>, org: OrgRef, opts: ListSendsOptions, shape: HistoryShape): Promise<Page<T>> {
  const { pool } = deps;
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
    const st = historyStatement(defId !== undefined, opts.status !== undefined, cursor?.op ?? '', order, opts.status, shape);
    const all = [org.id, Number(limit), defId, opts.status, cursor?.id];
    const values = st.params.map((n) => all[n - 1]);
    // A named statement runs on its generic plan (genericPool): left to choose, PostgreSQL kept
    // planning it per page, because a custom plan's estimate (1 row) always undercut the generic one.
    const r = st.name ? await deps.genericPool.query<T>({ name: st.name, text: st.text, values }) : await pool.query<T>({ text: st.text, values });
    if (byId && r.rows.length === 0 && (await definitionId(pool, org, opts.event!)) === undefined) throw notFound();
    return r.rows;
  });
}
