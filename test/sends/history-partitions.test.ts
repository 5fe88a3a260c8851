/**
 * History pages across event_sends' day partitions: sends of one event spread over five day
 * partitions and the default partition (ids days ahead and non-UUIDv7 ids stay there), read in pages
 * of every size from 1 to 7 in both directions, so cursors land on and just past every partition
 * boundary; each walk must give exactly the event's sends in id order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSendPartitions, maintainSendPartitions, uuidAt } from '../../src/sends/partitions.js';
import { listSends } from '../../src/sends/send.history.js';
import type { OrgRef } from '../../src/shared/context.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const DAY = 86_400_000;
let t: TestApp;
let token: string;
let org: OrgRef;
let defB: string;
/** Sends of b.event, in id order. */
let ofB: { id: string; status: string }[] = [];

/** A UUIDv7 generated at `ms` (random tail, version 7, variant 10). */
function uuidv7At(ms: number): string {
  const base = uuidAt(ms).replaceAll('-', '').slice(0, 12);
  const r = randomBytes(10).toString('hex');
  const hex = `${base}7${r.slice(0, 3)}${((parseInt(r[3], 16) & 3) | 8).toString(16)}${r.slice(4, 19)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

beforeAll(async () => {
  t = await startTestApp();
  const o = await t.createOrg('Days');
  token = o.token;
  org = { id: o.orgId, name: 'Days', keyId: o.keyId };
  const defs: Record<string, string> = {};
  for (const name of ['a.event', 'b.event', 'c.event']) {
    defs[name] = (await t.http('POST', '/v1/events', { token, body: { name, schema: { fields: [] } } })).body.id;
  }
  defB = defs['b.event'];
  const today = Math.floor(Date.now() / DAY) * DAY;
  const ids: string[] = [];
  // 4 past days and today: each day's first and last milliseconds and some in between
  for (let d = -4; d <= 0; d++) {
    for (const at of [0, 1, 3_600_000, 40_000_000, DAY - 2, DAY - 1]) if (today + d * DAY + at < Date.now()) ids.push(uuidv7At(today + d * DAY + at));
  }
  // left in the default partition: ids 10 days ahead (no partition yet) and non-UUIDv7 ids
  ids.push(uuidv7At(today + 10 * DAY), uuidv7At(today + 10 * DAY + 5), randomUUID(), randomUUID(), '00000001-0000-4000-8000-000000000000');
  const rows = ids.flatMap((id, i) => {
    const status = ['processed', 'rejected', 'failed', 'accepted'][i % 4];
    // every id once for b.event; a neighbour id for the other events (before and after b in the index)
    return [
      { id, def: defB, status },
      { id: id.replace(/.$/, (c) => (c === 'f' ? 'e' : 'f')), def: i % 2 ? defs['a.event'] : defs['c.event'], status },
    ];
  });
  await t.deps.pool.query(
    `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status, errors, failure_reason)
     select id, $1, d, 'x', 'p@example.com', '{}', now(), s,
            case when s = 'rejected' then '[{"field":"x","message":"is required"}]'::jsonb end, case when s = 'failed' then 'boom' end
       from unnest($2::uuid[], $3::uuid[], $4::text[]) as u(id, d, s)`,
    [org.id, rows.map((r) => r.id), rows.map((r) => r.def), rows.map((r) => r.status)],
  );
  // the past days' sends land in the default partition; maintenance creates their partitions
  await maintainSendPartitions(t.deps.pool);
  ofB = rows.filter((r) => r.def === defB).sort((a, b) => (a.id < b.id ? -1 : 1));
});
afterAll(() => t?.close());

describe('history pages over day partitions', () => {
  it('the sends are spread over five day partitions and the default one', async () => {
    const r = await t.deps.pool.query<{ part: string; n: number }>(
      `select tableoid::regclass::text as part, count(*)::int as n from event_sends where event_definition_id = $1 group by 1`,
      [defB],
    );
    const parts = new Map(r.rows.map((x) => [x.part, x.n]));
    expect(parts.get('event_sends_default')).toBe(5);
    expect([...parts.keys()].filter((p) => p.startsWith('event_sends_p')).length).toBe(5);
    expect((await listSendPartitions(t.deps.pool)).length).toBeGreaterThanOrEqual(8);
  });

  for (const status of [undefined, 'rejected', 'failed']) {
    it(`walks ${status ?? 'all'} sends newest first and back, pages of 1 to 7, with cursors crossing partition boundaries`, async () => {
      const expected = ofB.filter((s) => !status || s.status === status).map((s) => s.id).reverse();
      expect(expected.length).toBeGreaterThan(status ? 5 : 30);
      for (let limit = 1; limit <= 7; limit++) {
        const seen: string[] = [];
        let page = await listSends(t.deps, org, { event: defB, status, page: { limit } });
        seen.push(...page.items.map((x) => x.id));
        while (page.hasMore) {
          page = await listSends(t.deps, org, { event: 'b.event', status, page: { limit, after: seen[seen.length - 1] } });
          seen.push(...page.items.map((x) => x.id));
        }
        expect(seen).toEqual(expected);
        // oldest first (GraphQL `last`), then newer than a cursor, page by page
        const up: string[] = [];
        let p = await listSends(t.deps, org, { event: defB, status, page: { limit, fromEnd: true } });
        up.unshift(...p.items.map((x) => x.id));
        while (p.hasMore) {
          p = await listSends(t.deps, org, { event: defB, status, page: { limit, before: up[0] } });
          up.unshift(...p.items.map((x) => x.id));
        }
        expect(up).toEqual(expected);
      }
    });
  }

  it('REST pages agree, and pages asked for at once (one grouped statement) each get their own rows', async () => {
    const expected = ofB.map((s) => s.id).reverse();
    const asks = expected.map((id, i) => ({ limit: 1 + (i % 7), after: id }));
    const pages = await Promise.all(asks.map((page) => listSends(t.deps, org, { event: defB, page })));
    pages.forEach((pg, i) => expect(pg.items.map((x) => x.id)).toEqual(expected.slice(i + 1, i + 1 + asks[i].limit)));
    const r = await t.http('GET', `/v1/events/b.event/sends?limit=7&after=${expected[3]}`, { token });
    expect(r.status).toBe(200);
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual(expected.slice(4, 11));
  });

});
