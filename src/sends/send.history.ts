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
 * The history query, one text per shape (event by id / by name / none × status × cursor × order),
 * run as a named prepared statement (parsed and planned once per connection).
 *
 * With an event, the definition is resolved in the same statement (lateral join) instead of a
 * MikroORM `findOne` per request (that round trip + fork + hydration was ~15 % of the route's CPU
 * and a second query): no row back = no such definition (404), one row with a null id = an empty
 * page. Keyset on the indexes (organization_id, event_definition_id[, status], id desc); no OFFSET.
 */
interface Statement {
  name: string;
  text: string;
  /** Which of [org, limit, event, status, cursor] (1-based) fill $1, $2, … */
  params: number[];
}
const statements = new Map<string, Statement>();
function historyStatement(event: 'id' | 'name' | 'none', status: boolean, op: '<' | '>' | '', order: 'desc' | 'asc'): Statement {
  const key = `${event}_${status ? 's' : 'a'}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  let st = statements.get(key);
  if (st) return st;
  // $1 org, $2 limit, $3 event, $4 status, $5 cursor (unused ones are left out of the text)
  const where = ['organization_id = $1'];
  if (event !== 'none') where.push('event_definition_id = d.id');
  if (status) where.push('status = $4');
  if (op) where.push(`id ${op} $5`);
  const sends = `select ${COLUMNS} from event_sends where ${where.join(' and ')} order by id ${order} limit $2`;
  let text = sends;
  if (event !== 'none') {
    const def = event === 'id'
      ? 'select id from event_definitions where organization_id = $1 and id = $3::uuid'
      : 'select id from event_definitions where organization_id = $1 and name = $3 order by id desc limit 1';
    text = `select d.id as definition_id, s.* from (${def}) d left join lateral (${sends}) s on true`;
  }
  // Unused parameter numbers may not be skipped in a prepared statement; renumber densely.
  const used = [...new Set([...text.matchAll(/\$(\d)/g)].map((m) => Number(m[1])))].sort((x, y) => x - y);
  const renum = new Map(used.map((n, i) => [n, i + 1]));
  text = text.replace(/\$(\d)/g, (_, n) => `$${renum.get(Number(n))}`);
  st = { name: `sends_history_${key}`, text, params: used };
  statements.set(key, st);
  return st;
}

export async function listSends(_em: EntityManager, pool: pg.Pool, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendRecord>> {
  if (opts.status !== undefined && !(SEND_STATUSES as readonly string[]).includes(opts.status)) {
    throw new AppError('validation_error', `status must be one of the following values: ${SEND_STATUSES.join(', ')}`);
  }
  const event = opts.event === undefined ? 'none' : UUID_RE.test(opts.event) ? 'id' : 'name';
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const st = historyStatement(event, opts.status !== undefined, cursor?.op ?? '', order);
    const all = [org.id, Number(limit), opts.event, opts.status, cursor?.id];
    const r = await pool.query<SendRecord & { definition_id?: string }>({ name: st.name, text: st.text, values: st.params.map((n) => all[n - 1]) });
    if (event === 'none') return r.rows;
    if (r.rows.length === 0) throw AppError.notFound(`Event ${opts.event} not found`);
    return r.rows[0]!.id === null ? [] : r.rows;
  });
}
