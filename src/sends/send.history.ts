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
 * The history query, one text per shape (event or none × status × cursor × order). With an event,
 * the definition is checked in the same statement instead of a MikroORM `findOne` per request (that
 * round trip + fork + hydration was ~15 % of the route's CPU): no row back = no such definition
 * (404), one row with a null id = an empty page. Keyset on the indexes (organization_id,
 * event_definition_id[, status], id desc); no OFFSET.
 *
 * Sent unnamed on purpose (planned with the actual values every time, ~0.1 ms): as a named
 * prepared statement PostgreSQL switches to a generic plan after five executions, and the generic
 * plan walks the primary key backwards filtering on event and status (1/n_distinct selectivity):
 * 950 rows read for a page of 51 rejected sends in bench/reads.js's data, the whole table for a
 * status or event with no sends. The definition id is a parameter of the sends scan (not a join
 * column) for the same reason: the planner sees its frequency.
 */
interface Statement {
  text: string;
  /** Which of [org, limit, definition id, status, cursor] (1-based) fill $1, $2, … */
  params: number[];
}
const statements = new Map<string, Statement>();
export function historyStatement(event: boolean, status: boolean, op: '<' | '>' | '', order: 'desc' | 'asc'): Statement {
  const key = `${event ? 'e' : 'o'}_${status ? 's' : 'a'}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  let st = statements.get(key);
  if (st) return st;
  // $1 org, $2 limit, $3 definition id, $4 status, $5 cursor (unused ones are left out of the text)
  const where = ['organization_id = $1'];
  if (event) where.push('event_definition_id = $3::uuid');
  if (status) where.push('status = $4');
  if (op) where.push(`id ${op} $5`);
  const sends = `select ${COLUMNS} from event_sends where ${where.join(' and ')} order by id ${order} limit $2`;
  let text = sends;
  if (event) {
    text = `select d.id as definition_id, s.* from (select id from event_definitions where organization_id = $1 and id = $3::uuid) d left join (${sends}) s on true`;
  }
  // Unused parameter numbers may not be skipped; renumber densely.
  const used = [...new Set([...text.matchAll(/\$(\d)/g)].map((m) => Number(m[1])))].sort((x, y) => x - y);
  const renum = new Map(used.map((n, i) => [n, i + 1]));
  text = text.replace(/\$(\d)/g, (_, n) => `$${renum.get(Number(n))}`);
  st = { text, params: used };
  statements.set(key, st);
  return st;
}

/** A definition by name, soft-deleted ones included, newest first (what getEvent with includeDeleted finds). */
async function definitionIdByName(pool: pg.Pool, org: OrgRef, name: string): Promise<string | undefined> {
  const r = await pool.query<{ id: string }>({
    name: 'sends_history_definition_by_name',
    text: 'select id from event_definitions where organization_id = $1 and name = $2 order by id desc limit 1',
    values: [org.id, name],
  });
  return r.rows[0]?.id;
}

export async function listSends(_em: EntityManager, pool: pg.Pool, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendRecord>> {
  if (opts.status !== undefined && !(SEND_STATUSES as readonly string[]).includes(opts.status)) {
    throw new AppError('validation_error', `status must be one of the following values: ${SEND_STATUSES.join(', ')}`);
  }
  const notFound = () => AppError.notFound(`Event ${opts.event} not found`);
  let definitionId: string | undefined;
  if (opts.event !== undefined) {
    // By id: checked inside the history statement. By name (GraphQL filters, REST by name): one lookup first.
    definitionId = UUID_RE.test(opts.event) ? opts.event : await definitionIdByName(pool, org, opts.event);
    if (definitionId === undefined) throw notFound();
  }
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const st = historyStatement(definitionId !== undefined, opts.status !== undefined, cursor?.op ?? '', order);
    const all = [org.id, Number(limit), definitionId, opts.status, cursor?.id];
    const r = await pool.query<SendRecord & { definition_id?: string }>(st.text, st.params.map((n) => all[n - 1]));
    if (definitionId === undefined) return r.rows;
    if (r.rows.length === 0) throw notFound();
    return r.rows[0]!.id === null ? [] : r.rows;
  });
}
