/**
 * The sends history as prepared statements (src/sends/send.history.ts): every shape (cursor or not ×
 * direction × status filter) is run more than five times, so PostgreSQL's generic plans answer most
 * of these pages, and each page is compared with the answer computed here from the rows themselves.
 * Other events of the organization have ids on both sides of the event's (in the index they sort
 * before and after it), and another organization has sends of its own.
 */
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSends, type ListSendsOptions } from '../../src/sends/send.history.js';
import type { OrgRef } from '../../src/shared/context.js';
import { parseJson } from '../../src/shared/json.js';
import { jsonObject, storableText } from '../setup/arbitraries.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
let other: { token: string; orgId: string };
const defs: Record<string, string> = {};
/** Sends of event B of our organization, oldest first. */
const sendsOfB: { id: string; status: string }[] = [];
const STATUSES = ['accepted', 'rejected', 'processed', 'failed'] as const;

beforeAll(async () => {
  t = await startTestApp();
  ({ token, orgId } = await t.createOrg('Paging'));
  const otherOrg = (other = await t.createOrg('Elsewhere'));
  for (const name of ['a.event', 'b.event', 'c.event', 'empty.event']) {
    defs[name] = (await t.http('POST', '/v1/events', { token, body: { name, schema: { fields: [] } } })).body.id;
  }
  const otherDef = (await t.http('POST', '/v1/events', { token: otherOrg.token, body: { name: 'b.event', schema: { fields: [] } } })).body.id;
  const rows: unknown[][] = [];
  for (let i = 0; i < 150; i++) {
    const id = uuidv7();
    const which = i % 5 === 0 ? 'a.event' : i % 5 === 1 ? 'c.event' : i % 5 === 2 ? 'other' : 'b.event';
    const status = STATUSES[(i * 7) % 4];
    if (which === 'b.event') sendsOfB.push({ id, status });
    rows.push([
      id, which === 'other' ? otherOrg.orgId : orgId, which === 'other' ? otherDef : defs[which], status,
      status === 'rejected' ? '[{"field":"x","message":"is required"}]' : null, status === 'failed' ? 'boom' : null,
    ]);
  }
  await t.deps.pool.query(
    `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status, errors, failure_reason)
     select id, o, d, 'x', 'p@example.com', '{}', now(), s, e::jsonb, f
       from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[]) as u(id, o, d, s, e, f)`,
    [0, 1, 2, 3, 4, 5].map((c) => rows.map((r) => r[c])),
  );
});
afterAll(() => t?.close());

const newestFirst = (status?: string) => sendsOfB.filter((s) => !status || s.status === status).map((s) => s.id).reverse();

async function restPage(query: string): Promise<{ ids: string[]; hasMore: boolean }> {
  const r = await t.http('GET', `/v1/events/b.event/sends?${query}`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { ids: r.body.data.map((x: { id: string }) => x.id), hasMore: r.body.has_more };
}

describe('sends history pages (prepared statements)', () => {
  for (const status of [undefined, ...STATUSES]) {
    it(`walks ${status ?? 'all'} sends forward with after= and back with before=, page sizes 1, 4 and 20`, async () => {
      const expected = newestFirst(status);
      expect(expected.length).toBeGreaterThan(5);
      const filter = status ? `&status=${status}` : '';
      for (const limit of [1, 4, 20]) {
        const seen: string[] = [];
        let page = await restPage(`limit=${limit}${filter}`);
        seen.push(...page.ids);
        while (page.hasMore) {
          page = await restPage(`limit=${limit}${filter}&after=${seen[seen.length - 1]}`);
          seen.push(...page.ids);
        }
        expect(seen).toEqual(expected);
        // back from the oldest: before= gives the items just newer than the cursor, newest first
        const back: string[] = [];
        let cursor = expected[expected.length - 1];
        for (;;) {
          const p = await restPage(`limit=${limit}${filter}&before=${cursor}`);
          back.unshift(...p.ids);
          if (!p.hasMore) break;
          cursor = p.ids[0];
        }
        expect(back).toEqual(expected.slice(0, -1));
      }
    });
  }

  it('GraphQL-style pages from the oldest end (last, with and without a cursor) and by event id', async () => {
    const expected = newestFirst();
    const org = { id: orgId, name: 'Paging', keyId: '' };
    for (let i = 0; i < 7; i++) {
      const oldest = await listSends(t.deps, org, { event: defs['b.event'], page: { limit: 3, fromEnd: true } });
      expect(oldest.items.map((x) => x.id)).toEqual(expected.slice(-3));
      const cursor = expected[20 + i];
      const olderThan = await listSends(t.deps, org, { event: 'b.event', page: { limit: 3, after: cursor, fromEnd: true } });
      expect(olderThan.items.map((x) => x.id)).toEqual(expected.slice(-3));
      const newerThan = await listSends(t.deps, org, { event: 'b.event', page: { limit: 2, before: cursor } });
      expect(newerThan.items.map((x) => x.id)).toEqual(expected.slice(18 + i, 20 + i));
    }
  });

  it('pages asked for at the same time are read in groups, and each gets exactly its own rows', async () => {
    // Asks of every shape (status, direction, cursor or not, page size), of four events and two
    // organizations; each is answered alone first (a group of one), then all at once.
    const ours: OrgRef = { id: orgId, name: 'Paging', keyId: '' };
    const theirs: OrgRef = { id: other.orgId, name: 'Elsewhere', keyId: '' };
    const ids = newestFirst();
    const asks: [OrgRef, ListSendsOptions][] = [];
    for (let i = 0; i < 90; i++) {
      const status = [undefined, ...STATUSES][i % 5];
      const cursor = i % 4 === 0 ? undefined : ids[(i * 7) % ids.length];
      const page = { limit: [1, 3, 20][i % 3], ...(cursor ? (i % 8 === 1 ? { before: cursor } : { after: cursor }) : {}), ...(i % 9 === 2 ? { fromEnd: true } : {}) };
      const event = i % 6 === 5 ? 'a.event' : i % 10 === 7 ? defs['c.event'] : i % 11 === 4 ? defs['empty.event'] : 'b.event';
      asks.push([i % 5 === 3 ? theirs : ours, { event: i % 5 === 3 ? 'b.event' : event, status, page }]);
    }
    const alone = [];
    for (const [org, opts] of asks) alone.push(await listSends(t.deps, org, opts));
    expect(alone.filter((p) => p.items.length > 0).length).toBeGreaterThan(60);
    const pool = t.deps.genericPool;
    const query = pool.query.bind(pool);
    let statements = 0;
    pool.query = ((...args: Parameters<typeof query>) => {
      statements++;
      return query(...args);
    }) as typeof pool.query;
    try {
      const together = await Promise.all(asks.map(([org, opts]) => listSends(t.deps, org, opts)));
      expect(together).toEqual(alone);
      // 300 pages of one shape at once: a handful of statements (a group holds up to 256 pages)
      statements = 0;
      const same = Array.from({ length: 300 }, (_, i) => listSends(t.deps, ours, { event: defs['b.event'], page: { limit: 5, after: ids[i % 60] } }));
      const pages = await Promise.all(same);
      expect(statements).toBeGreaterThanOrEqual(2);
      expect(statements).toBeLessThanOrEqual(12);
      pages.forEach((p, i) => expect(p.items.map((x) => x.id)).toEqual(ids.slice((i % 60) + 1, (i % 60) + 6)));
    } finally {
      pool.query = query;
    }
    // And through REST, each organization with its own key.
    const rest = (tok: string, q: string) => t.http('GET', `/v1/events/b.event/sends?${q}`, { token: tok }).then((r) => r.text);
    const queries = ids.slice(0, 40).map((id, i): [string, string] => [i % 3 ? token : other.token, `limit=${1 + (i % 5)}&${i % 2 ? 'after' : 'before'}=${id}${i % 4 ? '' : '&status=rejected'}`]);
    const restAlone = [];
    for (const [tok, q] of queries) restAlone.push(await rest(tok, q));
    expect(await Promise.all(queries.map(([tok, q]) => rest(tok, q)))).toEqual(restAlone);
  });

  it('a page that scans many rows does not hold up the pages asked for after it', async () => {
    // 200,000 processed sends and one accepted send older than all of them: `?status=accepted`
    // reads them all to find it (and, finding it, answers without a further query).
    const bulk = (await t.http('POST', '/v1/events', { token, body: { name: 'bulk.event', schema: { fields: [] } } })).body.id as string;
    const oldest = '00000000-0000-4000-8000-000000000000';
    await t.deps.pool.query(
      `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status)
       select case when i = 0 then $3::uuid else gen_random_uuid() end, $1, $2, 'bulk.event', 'p@example.com', '{}', now(),
              case when i = 0 then 'accepted' else 'processed' end
         from generate_series(0, 200000) as i`,
      [orgId, bulk, oldest],
    );
    await t.deps.pool.query('analyze event_sends');
    const ours: OrgRef = { id: orgId, name: 'Paging', keyId: '' };
    const finished: string[] = [];
    const t0 = performance.now();
    const slow = listSends(t.deps, ours, { event: bulk, status: 'accepted', page: { limit: 20 } }).then((p) => {
      finished.push('slow');
      return { p, ms: performance.now() - t0 };
    });
    await new Promise((r) => setTimeout(r, 2)); // the slow group is running
    const quick = Array.from({ length: 20 }, (_, i) => listSends(t.deps, ours, { event: defs['b.event'], page: { limit: 3, after: newestFirst()[i] } }).then(() => finished.push('quick')));
    await Promise.all([slow, ...quick]);
    const { p, ms } = await slow;
    expect(p.items.map((x) => x.id)).toEqual([oldest]);
    expect(ms).toBeGreaterThan(40); // else this test shows nothing
    expect(finished.indexOf('slow')).toBe(20); // every quick page answered first
  });

  it('an event with no sends gives an empty page every time; an unknown one a 404', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await t.http('GET', `/v1/events/${defs['empty.event']}/sends?after=${sendsOfB[i].id}`, { token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ object: 'list', has_more: false, data: [] });
      expect((await t.http('GET', '/v1/events/empty.event/sends?status=rejected', { token })).body.data).toEqual([]);
    }
    expect((await t.http('GET', '/v1/events/nope.event/sends', { token })).status).toBe(404);
  });
});

describe('REST history JSON (built by PostgreSQL)', () => {
  it('says exactly what the record rows say: fields in order, ISO timestamps, data and errors as stored', async () => {
    const def = (await t.http('POST', '/v1/events', { token, body: { name: 'json.event', schema: { fields: [] } } })).body.id as string;
    const data = { 'ünï "q"\\': 'line\nbreak \u2028 ok', n: 1e21, small: 0.1, neg: -3, nested: { a: [1, { b: null }], t: true }, empty: {} };
    const when = ['0099-03-04T05:06:07.089Z', '2026-11-28T23:59:59.999Z', '1999-12-31T00:00:00.000Z'];
    for (const [i, ts] of when.entries()) {
      await t.deps.pool.query(
        `insert into event_sends (id, organization_id, event_definition_id, event_name, contact_id, email, data, "timestamp", status, errors, failure_reason, processed_at)
         values ($1, $2, $3, 'json.event', $4, $5, $6, $7, $8, $9, $10, $11)`,
        [uuidv7(), orgId, def, i === 0 ? uuidv7() : null, i === 0 ? null : 'j@example.com', JSON.stringify(data), ts,
          ['processed', 'rejected', 'failed'][i], i === 1 ? '[{"field":"x","message":"must be a number"}]' : null, i === 2 ? 'boom "quoted"' : null, i === 1 ? null : ts],
      );
    }
    const r = await t.http('GET', `/v1/events/${def}/sends`, { token });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.text.startsWith('{"object":"list","has_more":false,"data":[{"id":"')).toBe(true); // compact, like every other body
    expect(r.text).not.toContain('" : ');
    const org = { id: orgId, name: 'Paging', keyId: '' };
    const records = (await listSends(t.deps, org, { event: def, page: { limit: 20 } })).items;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    expect(r.body).toEqual({
      object: 'list',
      has_more: false,
      data: records.map((s) => ({
        id: s.id, event: s.event_name, status: s.status, errors: s.errors ?? [], contact_id: s.contact_id, email: s.email, data: s.data,
        timestamp: iso(s.timestamp), created_at: iso(s.created_at), processed_at: iso(s.processed_at), failure_reason: s.failure_reason,
        schema_version: s.schema_version, replayed_at: iso(s.replayed_at),
      })),
    });
    expect(r.body.data.map((s: { timestamp: string }) => s.timestamp)).toEqual([...when].reverse());
    expect(r.body.data[2].data).toEqual(data);
    expect(Object.keys(r.body.data[0])).toEqual(['id', 'event', 'status', 'errors', 'contact_id', 'email', 'data', 'timestamp', 'created_at', 'processed_at', 'failure_reason', 'schema_version', 'replayed_at']);
  });
  it('property: any stored text, data, errors and timestamps come back as they are, in the REST key order', async () => {
    const def = (await t.http('POST', '/v1/events', { token, body: { name: 'prop.event', schema: { fields: [] } } })).body.id as string;
    const date = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    const send = fc.record({
      event: storableText.filter((x) => x.length <= 80),
      status: fc.constantFrom(...STATUSES),
      errors: fc.option(fc.array(fc.record({ field: storableText, message: storableText }), { maxLength: 3 }), { nil: null }),
      contact: fc.boolean(),
      email: fc.option(storableText.filter((x) => x.length <= 320), { nil: null }),
      data: jsonObject,
      timestamp: date,
      created: date,
      processed: fc.option(date, { nil: null }),
      reason: fc.option(storableText, { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(send, { minLength: 1, maxLength: 4 }), async (sends) => {
        await t.deps.pool.query('delete from event_sends where event_definition_id = $1', [def]);
        const expected = [];
        for (const x of sends) {
          const row = {
            id: uuidv7(), event: x.event, status: x.status, errors: x.errors ?? [], contact_id: x.contact ? uuidv7() : null, email: x.email,
            data: x.data, timestamp: x.timestamp.toISOString(), created_at: x.created.toISOString(), processed_at: x.processed?.toISOString() ?? null, failure_reason: x.reason,
            schema_version: 1, replayed_at: null,
          };
          await t.deps.pool.query(
            `insert into event_sends (id, organization_id, event_definition_id, event_name, contact_id, email, data, "timestamp", status, errors, failure_reason, created_at, processed_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
            [row.id, orgId, def, row.event, row.contact_id, row.email, JSON.stringify(row.data), row.timestamp, row.status, x.errors && JSON.stringify(x.errors), row.failure_reason, row.created_at, row.processed_at],
          );
          expected.unshift(row);
        }
        const r = await t.http('GET', `/v1/events/${def}/sends?limit=100`, { token });
        expect(r.status, r.text).toBe(200);
        // Read with parseJson: this process has V8's JSON.parse bug with escaped keys (shared/json.ts).
        const body = parseJson(r.text) as { data: Record<string, unknown>[] };
        expect(body.data.map((s) => Object.keys(s))).toEqual(expected.map((s) => Object.keys(s)));
        // The expected side goes through the same text round trip (drops undefined, -0 → 0), read
        // with parseJson too: JSON.parse here once turned the key `"` into `\\` (seed 1291834940).
        expect(body.data).toEqual(parseJson(JSON.stringify(expected)));
      }),
      { numRuns: 60 },
    );
  });
});
