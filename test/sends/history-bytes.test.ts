/**
 * Send history pages stop at PAGE_BYTES of stored data and say has_more / hasNextPage (issue 19,
 * item 3: one request must not stall every tenant). 100 sends of ~210 KB `data` made one page a
 * 21 MB answer. Real HTTP, REST and GraphQL; the grouped (event) statements and the whole-org one.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_BYTES } from '../../src/shared/pagination.js';
import { SendsDoc } from '../graphql/sends.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
const defs: Record<string, string> = {};
/** Ids per event, newest first. */
const ids: Record<string, string[]> = {};
const BIG = 20;
const SMALL = 30;
/** ~200 KB of JSON text: random (stored ~ as large) or one repeated letter (compresses to ~2 KB). */
const bigData = (compressible: boolean) => ({ blob: compressible ? 'a'.repeat(200_000) : randomBytes(150_000).toString('base64') });

beforeAll(async () => {
  t = await startTestApp({ config: { logLevel: 'silent' } });
  ({ token, orgId } = await t.createOrg('HistoryBytes'));
  for (const name of ['big.event', 'packed.event', 'small.event']) {
    defs[name] = (await t.http('POST', '/v1/events', { token, body: { name, schema: { fields: [] } } })).body.id;
    ids[name] = [];
  }
  // small first, then the large ones: the whole-org history (newest first) starts with the large
  const insert = async (event: string, n: number, data: () => unknown) => {
    for (let i = 0; i < n; i++) {
      const id = uuidv7();
      ids[event]!.unshift(id);
      await t.deps.pool.query(
        `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status)
         values ($1, $2, $3, $4, 'p@example.com', $5::jsonb, now(), 'processed')`,
        [id, orgId, defs[event], event, JSON.stringify(data())],
      );
    }
  };
  await insert('small.event', SMALL, () => ({ n: 1, s: 'small' }));
  await insert('packed.event', BIG, () => bigData(true));
  await insert('big.event', BIG, () => bigData(false));
});
afterAll(() => t?.close());

/** Walk `GET /v1/events/{event}/sends` to its end (after=), checking each page's size. */
async function walkRest(event: string, limit: number): Promise<{ seen: string[]; pages: number[] }> {
  const seen: string[] = [];
  const pages: number[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await t.http('GET', `/v1/events/${event}/sends?limit=${limit}${after ? `&after=${after}` : ''}`, { token });
    expect(r.status).toBe(200);
    expect(r.text.length).toBeLessThan(PAGE_BYTES + 300_000);
    expect(r.body.data.length).toBeGreaterThan(0);
    pages.push(r.body.data.length);
    seen.push(...r.body.data.map((x: { id: string }) => x.id));
    if (!r.body.has_more) break;
    after = seen.at(-1);
  }
  return { seen, pages };
}

describe('send history pages stop at PAGE_BYTES', () => {
  it('REST: pages of 20 sends of ~200 KB hold 5, say has_more, and continue without gaps or duplicates', async () => {
    const { seen, pages } = await walkRest('big.event', 20);
    expect(seen).toEqual(ids['big.event']);
    expect(pages).toEqual([5, 5, 5, 5]); // 5 × ~200 KB ≤ 1 MiB; a 6th would cross it
    // the same with limit 100, and backwards with before= from the oldest
    expect((await walkRest('big.event', 100)).seen).toEqual(ids['big.event']);
    const back: string[] = [];
    let before = ids['big.event']!.at(-1)!;
    for (;;) {
      const r = await t.http('GET', `/v1/events/big.event/sends?limit=20&before=${before}`, { token });
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(5);
      back.unshift(...r.body.data.map((x: { id: string }) => x.id));
      if (!r.body.has_more) break;
      before = r.body.data[0].id;
    }
    expect(back).toEqual(ids['big.event']!.slice(0, -1));
  });

  it('REST: data that compresses well in storage counts by its JSON text, not its compressed size', async () => {
    const stored = await t.deps.pool.query(`select max(pg_column_size(data))::int n from event_sends where event_definition_id = $1`, [defs['packed.event']]);
    expect(stored.rows[0].n).toBeLessThan(20_000);
    const { seen, pages } = await walkRest('packed.event', 20);
    expect(seen).toEqual(ids['packed.event']);
    expect(pages).toEqual([5, 5, 5, 5]);
  });

  it('REST: every page holds at least one send; small sends still fill whole pages', async () => {
    const one = await t.http('GET', '/v1/events/big.event/sends?limit=1', { token });
    expect(one.body.data).toHaveLength(1);
    expect(one.body.has_more).toBe(true);
    const { seen, pages } = await walkRest('small.event', 20);
    expect(seen).toEqual(ids['small.event']);
    expect(pages).toEqual([20, 10]);
  });

  it('GraphQL: sends(first: 20) of one event and of the whole organization stop at PAGE_BYTES, hasNextPage until the end', async () => {
    const walk = async (filter: { event?: string }) => {
      const seen: string[] = [];
      const pages: number[] = [];
      let after: string | undefined;
      for (;;) {
        const r = await t.gql(SendsDoc, { filter, first: 20, after }, token);
        expect(r.errors).toBeUndefined();
        const c = r.data!.sends;
        expect(c.edges.length).toBeGreaterThan(0);
        pages.push(c.edges.length);
        seen.push(...c.edges.map((e) => e.node.id));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor!;
      }
      return { seen, pages };
    };
    const big = await walk({ event: 'big.event' });
    expect(big.seen).toEqual(ids['big.event']);
    expect(big.pages).toEqual([5, 5, 5, 5]);
    const all = await walk({});
    expect(all.seen).toEqual([...ids['big.event']!, ...ids['packed.event']!, ...ids['small.event']!]);
    // 4 pages of 5 big, 3 of 5 packed; then the last 5 packed (~1,000 KB) leave room for 15 small ones
    // within 1 MiB (the page stops at its limit of 20), and the last 15 small ones
    expect(all.pages).toEqual([5, 5, 5, 5, 5, 5, 5, 20, 15]);
  });
});
