/** Send history (ours, spec §4): recorded sends of an org, optionally of one event and one status. */
import type pg from 'pg';
import type { Deps, OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { eventKeys, eventRefText, findEventDefinition, type EventKey, type EventRef } from '../shared/event-ref.js';
import { keysetPage, PAGE_BYTES, type Page, type PageArgs } from '../shared/pagination.js';
import type { SendRecord } from './send.types.js';

export const SEND_STATUSES = ['accepted', 'rejected', 'processed', 'failed'] as const;

/**
 * Timestamps leave PostgreSQL as epoch milliseconds (float8, exact for timestamptz(3)) rather than
 * timestamptz text: node-postgres parses that text into a Date with a regex per value, which cost
 * ~6 % of the history route's CPU (3 columns × 51 rows); `new Date(ms)` gives the same instant.
 */
const ms = (col: string) => `round(date_part('epoch', ${col}) * 1000) as ${col}`;
const COLUMNS = `id, event_name, status, errors, contact_id, email, data, ${ms('"timestamp"')}, ${ms('created_at')}, ${ms('processed_at')}, failure_reason, schema_version, ${ms('replayed_at')}`;

/**
 * The REST shape of a send (spec §4 history), built by PostgreSQL as one JSON text per row: the
 * route then joins the rows into the list body, so Node neither parses 11 columns per row (with
 * `data` and `errors` through JSON.parse) nor serialises them again. That parsing and
 * serialising was ~20 % of the history route's CPU, and the route is bound by Node's CPU.
 *
 * The text is concatenated, key by key in the REST order: compact like every other body (what
 * row_to_json of a row writes, and ~20 % less of PostgreSQL's time per row than row_to_json, which
 * looks up every column's type category on every row; json_build_object would write
 * `"key" : value`). Text that could hold anything goes through to_json (JSON string escaping);
 * ids are uuids and the status is one of SEND_STATUSES; `data` and `errors` are jsonb's own text,
 * as row_to_json writes them. Timestamps: UTC, millisecond ISO 8601 (what `Date#toISOString`
 * gives for years 1–9999).
 */
const iso = (col: string) => `to_char(s.${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const str = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;
const REST_JSON = `s.id, '{"id":"' || s.id || '","event":' || ${str('s.event_name')} || ',"status":"' || s.status
  || '","errors":' || coalesce(s.errors::text, '[]') || ',"contact_id":' || coalesce('"' || s.contact_id || '"', 'null')
  || ',"email":' || ${str('s.email')} || ',"data":' || s.data::text || ',"timestamp":"' || ${iso('"timestamp"')}
  || '","created_at":"' || ${iso('created_at')} || '","processed_at":' || coalesce('"' || ${iso('processed_at')} || '"', 'null')
  || ',"failure_reason":' || ${str('s.failure_reason')} || ',"schema_version":' || s.schema_version
  || ',"replayed_at":' || coalesce('"' || ${iso('replayed_at')} || '"', 'null') || '}' as json`;

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
  /**
   * The event (shared/event-ref.ts; a string is an id parameter: REST `{id}`); soft-deleted
   * definitions included (their sends stay queryable).
   */
  event?: string | EventRef;
  status?: string;
  page: PageArgs;
}

/**
 * The history query, one text per shape (event or not × status × cursor × order): a keyset page,
 * no OFFSET.
 *
 * With an event (the common case) pages are read in GROUPS (see PageBatcher below): one NAMED
 * prepared statement reads the pages asked for while the previous group ran, each page a LATERAL keyset
 * scan driven by one row of parameter arrays (`unnest(...) with ordinality as q`). It runs on its
 * generic plan (on `deps.genericPool`, whose sessions force generic plans and turn JIT off: the
 * generic plan's estimate of the arrays made PostgreSQL JIT-compile it, ~14 ms per run).
 *
 * The generic plan is right because of how the event is written. Planning the query was ~60 % of
 * PostgreSQL's cost per page (pgbench on 1 M sends: 7.9k pages/s unnamed, 18.7k prepared), but a
 * plain `event_definition_id = $3 … order by id desc` cannot be prepared: a generic plan sees
 * 1/n_distinct selectivity and walks the primary key backwards filtering on the event (the whole
 * table for an event with no sends: 805 ms at 1 M sends). So the event is written as a range the
 * index (organization_id, event_definition_id, id) orders and bounds — `event_definition_id >= def
 * and (event_definition_id, id) < (def, cursor)`, ordered by (event_definition_id, id) — which the
 * primary key cannot order: every page is then a scan of that index (or of the rejected/failed
 * partial one) that starts at the cursor and stops at the first row of another event (3 buffers for
 * an event with no sends). Under the lateral join that is the only plan there is: a nested loop over
 * the parameter rows, one bounded index scan each.
 *
 * Without an event (GraphQL `sends` over the whole organization) it walks the primary key, one page
 * per statement, sent unnamed, so PostgreSQL plans it with the actual values.
 */
const statements = new Map<string, HistoryStatement>();
/** True exactly for the sends of that status: the predicates of event_sends_event_rejected / _failed. */
const STATUS_PREDICATE: Record<string, string> = { rejected: 'errors is not null', failed: 'failure_reason is not null' };
/** The per-page parameters of a history statement, in the order of `HistoryStatement.params`. */
export type HistoryParam = 'org' | 'limit' | 'event' | 'status' | 'cursor';
const PARAM_TYPES: Record<HistoryParam, string> = { org: 'uuid', limit: 'int', event: 'uuid', status: 'text', cursor: 'uuid' };
export interface HistoryStatement {
  text: string;
  /** Which parameters it takes, in order: $1… for a single page, or the arrays of a group. */
  params: HistoryParam[];
  /** Set for the grouped (event) statements: a named prepared statement whose rows carry `page`. */
  name?: string;
  /** Grouped statements: a row of the page without its `page` column. */
  unpaged?: (row: { id: string; page: number }) => { id: string };
}
const unpagedRest = (row: { id: string; json?: string; page_cut?: boolean }) => ({ id: row.id, json: row.json, page_cut: row.page_cut });
const unpagedRecord = ({ page: _, ...row }: { id: string; page: number }) => row;
export function historyStatement(
  event: boolean,
  status: boolean,
  op: '<' | '>' | '',
  order: 'desc' | 'asc',
  statusValue?: string,
  shape: HistoryShape = 'record',
): HistoryStatement {
  // The rejected and failed filters name their partial index's predicate (see the migration
  // event_sends_hot_updates: `status` is in no index, so the worker's update stays HOT).
  const partial = status && statusValue !== undefined ? STATUS_PREDICATE[statusValue] : undefined;
  const key = `${shape}_${event ? 'e' : 'o'}_${status ? 's' : 'a'}${partial ? `_${statusValue}` : ''}_${op === '<' ? 'lt' : op === '>' ? 'gt' : 'no'}_${order}`;
  const cached = statements.get(key);
  if (cached) return cached;
  const params: HistoryParam[] = ['org', 'limit'];
  // A grouped statement reads its parameters from the row q; a single one from $n.
  const p = (name: HistoryParam) => {
    params.push(name);
    return event ? `q.${name}` : `$${params.length}`;
  };
  const where = [`s.organization_id = ${event ? 'q.org' : '$1'}`];
  if (event) {
    params.push('event');
    if (status) where.push(`s.status = ${p('status')}`);
    if (op) {
      where.push(op === '<' ? 's.event_definition_id >= q.event' : 's.event_definition_id <= q.event', `(s.event_definition_id, s.id) ${op} (q.event, ${p('cursor')})`);
    } else {
      where.push('s.event_definition_id >= q.event', 's.event_definition_id <= q.event');
    }
  } else {
    if (status) where.push(`s.status = ${p('status')}`);
    if (op) where.push(`s.id ${op} ${p('cursor')}`);
  }
  if (partial) where.push(`s.${partial}`);
  const orderBy = event ? `s.event_definition_id ${order}, s.id ${order}` : `s.id ${order}`;
  const page = bounded(`from event_sends s where ${where.join(' and ')} order by ${orderBy} limit ${event ? 'q."limit"' : '$2'}`, orderBy, shape);
  const st: HistoryStatement = event
    ? {
        // Each page's rows come out together, in the page's index order (nested loop over q in
        // ordinality order; PageBatcher checks it), tagged with the page's number.
        text: `select p.*, q.page::int as page from unnest(${params.map((n, i) => `$${i + 1}::${PARAM_TYPES[n]}[]`).join(', ')}) with ordinality as q(${params.map((n) => (n === 'limit' ? '"limit"' : n)).join(', ')}, page) cross join lateral (${page}) p`,
        params,
        name: `sends_history_${key}`,
        unpaged: shape === 'rest' ? unpagedRest : unpagedRecord,
      }
    : { text: page, params };
  statements.set(key, st);
  return st;
}

/**
 * A history page that stops at PAGE_BYTES of stored data (the rule of every list of large items,
 * shared/pagination.ts), applied in the page's own statement: no extra round trip, and it works per
 * page inside a grouped statement. `scan` is the keyset scan (`from … where … order by … limit`); the
 * running sum is ordered like the scan's index, so it needs no sort, and it streams under the LIMIT.
 *
 * A send's size (SEND_BYTES) is its `data`'s stored size, read from the value's header without
 * reading the value (`pg_column_size`), unless PostgreSQL compressed it: then the stored size says
 * little (200 KB of one repeated letter is stored in a few KB), so it is the length of its JSON text
 * (the measure of the other lists), which only compressed values pay for. Plus the stored size of
 * `errors`. Stored size undercounts text made of control characters (jsonb keeps them as bytes,
 * JSON writes `\u0001`; pglz leaves random ones uncompressed): up to ~6×, so such a page can reach
 * ~5.5 MB. The exact text of every uncompressed value would cost ~40 ms of PostgreSQL per page of 100
 * sends of 200 KB (stored sizes: 0.2 ms), paid on every such request.
 *
 * The outer level keeps the rows whose sizes before them are ≤ PAGE_BYTES: the page up to the cut
 * plus the row that crosses it (never the first row: a page always holds one), marked
 * `page_cut`; the caller drops that row and answers has_more (it stands in for the look-ahead row).
 *
 * Cost in the common case (small sends): PostgreSQL's time per statement against the same statement
 * without the bound (50,000 small sends, pages of 20, 5 alternating reps of 300 statements, medians,
 * shared 2-core box): one page 1.05× (REST) / 1.09× (GraphQL rows), groups of 16 pages 1.19× / 1.11×.
 * The exact text length of every `data` (a second jsonb-to-text per row) measured 1.16–1.49×, and
 * that plus a stored-size pre-filter level 1.29–1.68×.
 */
const SEND_BYTES = `case when pg_column_compression(s.data) is null then pg_column_size(s.data) else octet_length(s.data::text) end + coalesce(pg_column_size(s.errors), 0)`;
function bounded(scan: string, orderBy: string, shape: HistoryShape): string {
  const sized = `select s.*, ${SEND_BYTES} as bytes_, sum(${SEND_BYTES}) over (order by ${orderBy} rows between unbounded preceding and current row) as run_ ${scan}`;
  return `select ${shape === 'rest' ? REST_JSON : COLUMNS}, s.run_ > ${PAGE_BYTES} and s.run_ > s.bytes_ as page_cut from (${sized}) s where s.run_ - s.bytes_ <= ${PAGE_BYTES}`;
}

/** One page asked of a group: its parameter values (in statement order) and its answer. */
interface PendingPage {
  st: HistoryStatement;
  values: unknown[];
  order: 'desc' | 'asc';
  resolve(rows: { id: string }[]): void;
  reject(err: unknown): void;
}

/**
 * Group reads, like the send path's group commit: one group of pages is read at a time, and the
 * pages asked for meanwhile wait for it and then go together (those of the oldest waiting page's
 * statement: one round trip, one execution). A lone page is not delayed: it goes out at once when
 * no group is running. A group that has run for SLOW_GROUP_MS while pages wait (a page that scans
 * many rows, e.g. `?status=accepted` where nearly all are processed) gives up its turn, so it holds
 * the others up for no longer than that (1.5 × SLOW_GROUP_MS at most); the pool (4 connections)
 * bounds how many run at once.
 *
 * Measured on 1 M sends (reads bench, 64 connections, 2 cores, pages of 20): one statement per page
 * ~4,400-4,600 pages/s, p99 29-31 ms; groups with up to 4 running at once ~5,000-5,900, p99 23-31;
 * one at a time ~6,750-7,050, p99 21. Starting the next group as soon as PostgreSQL has answered,
 * while Node answers this group's pages, measured the same within the noise (6,624-7,163 against
 * 6,499-7,241, three reps each); it is kept because it lets the two overlap. Most of a page's cost
 * was the round trip (a socket write that wakes a backend, Bind / Execute / Sync), not the index
 * scan; and one running group leaves a core to Node, which was otherwise kept waiting for a CPU by
 * the backends it woke. A group holds at most MAX_GROUP pages (bounded parameter arrays).
 */
const SLOW_GROUP_MS = 10;
const MAX_GROUP = 256;
class PageBatcher {
  private queue: PendingPage[] = [];
  /** Gives up the running group's turn; set while a group holds it. */
  private current?: () => void;
  /** When the group holding the turn started (performance.now()). */
  private started = 0;
  /**
   * Checks every SLOW_GROUP_MS / 2 for a group that has held the turn too long while pages wait:
   * one timer while groups keep coming rather than one per group (a setTimeout and clearTimeout per
   * group were ~3 % of the route's CPU); it stops once no group runs. Unref'd: it never keeps the
   * process alive.
   */
  private watchdog?: NodeJS.Timeout;
  constructor(private readonly pool: pg.Pool) {}

  load(st: HistoryStatement, values: unknown[], order: 'desc' | 'asc'): Promise<{ id: string }[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ st, values, order, resolve, reject });
      // Let the other requests read in the same turn of the event loop join the group.
      if (this.queue.length === 1) process.nextTick(() => this.dispatch());
    });
  }

  private dispatch(): void {
    if (this.current || this.queue.length === 0) return;
    const st = this.queue[0].st;
    const group: PendingPage[] = [];
    const rest: PendingPage[] = [];
    for (const p of this.queue) (p.st === st && group.length < MAX_GROUP ? group : rest).push(p);
    this.queue = rest;
    let turn = true;
    const done = () => {
      if (!turn) return;
      turn = false;
      if (this.current === done) this.current = undefined;
      this.dispatch();
    };
    this.current = done;
    this.started = performance.now();
    this.watchdog ??= setInterval(() => {
      if (!this.current) {
        clearInterval(this.watchdog); // idle: stop until the next group
        this.watchdog = undefined;
      } else if (this.queue.length > 0 && performance.now() - this.started >= SLOW_GROUP_MS) this.current();
    }, SLOW_GROUP_MS / 2).unref();
    void this.run(st, group, done);
  }

  /** `done`: called as soon as PostgreSQL has answered, so the next group runs while Node answers this one's pages. */
  private async run(st: HistoryStatement, group: PendingPage[], done: () => void): Promise<void> {
    try {
      const values = st.params.map((_, c) => group.map((g) => g.values[c]));
      let r: pg.QueryResult<{ page: number; id: string }>;
      try {
        r = await this.pool.query<{ page: number; id: string }>({ name: st.name, text: st.text, values });
      } finally {
        done();
      }
      // Each row is copied without its `page` rather than `delete`d: deleting turned every row into
      // a dictionary-mode object (node-postgres clones rows from a template, so it is not V8's fast
      // undo of the last property added): ~15 % of the REST route's CPU in a profile at 64
      // connections, ~200 ns per row against ~10 in a micro-benchmark.
      const pages: { id: string }[][] = group.map(() => []);
      for (const row of r.rows) pages[row.page - 1].push(st.unpaged!(row));
      group.forEach((g, n) => g.resolve(inIndexOrder(pages[n], g.order)));
    } catch (err) {
      for (const g of group) g.reject(err);
    }
  }
}

/**
 * A page's rows in its order (ids: lowercase UUIDs, whose text order is PostgreSQL's uuid order).
 * The nested loop gives them so; without an ORDER BY that is the plan's doing, not a promise, so it
 * is checked (n - 1 comparisons) and sorted if ever it is not.
 */
function inIndexOrder<T extends { id: string }>(rows: T[], order: 'desc' | 'asc'): T[] {
  const sign = order === 'desc' ? -1 : 1;
  for (let i = 1; i < rows.length; i++) {
    if ((rows[i].id > rows[i - 1].id ? 1 : -1) !== sign) return rows.sort((a, b) => (a.id > b.id ? sign : -sign));
  }
  return rows;
}

const batchers = new WeakMap<pg.Pool, PageBatcher>();
function batcherOf(pool: pg.Pool): PageBatcher {
  let b = batchers.get(pool);
  if (!b) batchers.set(pool, (b = new PageBatcher(pool)));
  return b;
}

/**
 * One lookup of the definition behind `event` (soft-deleted ones included, newest first by name):
 * what getEvent with includeDeleted does for each key, without MikroORM (its fork + findOne +
 * hydration was ~15 % of the history route's CPU).
 */
export async function definitionId(pool: pg.Pool, org: OrgRef, key: EventKey): Promise<string | undefined> {
  const byId = 'id' in key;
  const r = await pool.query<{ id: string }>({
    name: byId ? 'sends_history_definition_by_id' : 'sends_history_definition_by_name',
    text: `select id from event_definitions where organization_id = $1 and ${byId ? 'id = $2::uuid' : 'name = $2 order by id desc limit 1'}`,
    values: [org.id, byId ? key.id : key.name],
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
  const ref: EventRef | undefined = typeof opts.event === 'string' ? { idOrName: opts.event } : opts.event;
  const resolve = async () => {
    const id = ref && (await findEventDefinition(ref, (key) => definitionId(pool, org, key)));
    if (id === undefined) throw AppError.notFound(`Event ${eventRefText(ref!)} not found`);
    return id;
  };
  // When an id is tried first, the page is read first: sends of this org with that definition id
  // prove the definition is the org's (sends are only recorded against the org's own definitions,
  // which are never deleted), so the lookup is only needed for an empty page (an event without
  // sends, or no such id: then the lookup falls back to the name). Otherwise the id is resolved first.
  const first = ref && eventKeys(ref)[0];
  const optimistic = first !== undefined && 'id' in first;
  const defId = ref === undefined ? undefined : optimistic ? first.id : await resolve();
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const read = async (event: string | undefined) => {
      const st = historyStatement(event !== undefined, opts.status !== undefined, cursor?.op ?? '', order, opts.status, shape);
      const all: Record<HistoryParam, unknown> = { org: org.id, limit: Number(limit), event, status: opts.status, cursor: cursor?.id };
      const values = st.params.map((n) => all[n]);
      return st.name ? await batcherOf(deps.genericPool).load(st, values, order) : (await pool.query<T>({ text: st.text, values })).rows;
    };
    let rows = await read(defId);
    if (optimistic && rows.length === 0) {
      const found = await resolve();
      if (found !== defId) rows = await read(found);
    }
    // The row that crosses PAGE_BYTES (see bounded) is not part of the page: it says there is more.
    const cut = rows.length > 0 && (rows[rows.length - 1] as { page_cut?: boolean }).page_cut === true;
    if (cut) rows.pop();
    return { rows: rows as T[], cut };
  });
}
