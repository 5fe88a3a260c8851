/**
 * Regression (issue 19, item 3): `GET /v1/events/{id}/automations` with 3,001 automations answered
 * `has_more: false` with 1,000 items, and GraphQL `EventDefinition.automations` stopped at 1,000 too.
 * Both are now keyset pages like every other list: REST `limit` 1–100 with `after`/`before`,
 * GraphQL a Relay connection (`first/after/last/before`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { EventAutomationsDoc } from '../graphql/automations.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const N = 3_001;
let t: TestApp;
let token: string;
let orgId: string;
let ids: string[];

beforeAll(async () => {
  t = await startTestApp();
  ({ token, orgId } = await t.createOrg('Many'));
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'many.flows', schema: { fields: [{ name: 'n', type: 'number' }] } } })).status).toBe(201);
  // One automation over HTTP (the real shape), the rest copied by SQL: this test is about reading them back.
  const first = await t.http('POST', '/v1/automations', {
    token,
    body: { name: 'flow 0', steps: [{ key: 'trigger', type: 'trigger', event: 'many.flows' }, { key: 'w', type: 'wait', duration: 'PT1H' }], connections: [{ from: 'trigger', to: 'w' }] },
  });
  expect(first.status).toBe(201);
  const more = Array.from({ length: N - 1 }, () => uuidv7());
  await t.deps.pool.query(
    `insert into automations (id, organization_id, name, status, trigger_event, steps, connections, issues, checked_against, webhook_secret)
     select x.id, a.organization_id, 'flow ' || x.n, a.status, a.trigger_event, a.steps, a.connections, a.issues, a.checked_against, a.webhook_secret
       from automations a, unnest($2::uuid[]) with ordinality as x(id, n) where a.id = $1`,
    [first.body.id, more],
  );
  // A deleted one is not listed.
  await t.deps.pool.query(`update automations set deleted_at = now() where id = $1`, [more[10]]);
  ids = [first.body.id, ...more].filter((id) => id !== more[10]).reverse(); // newest first
  void orgId;
}, 120_000);
afterAll(() => t?.close());

describe('automations of an event are paginated', () => {
  it('REST: every automation once, newest first, has_more honest, limit 1–100', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await t.http('GET', `/v1/events/many.flows/automations?limit=100${after ? `&after=${after}` : ''}`, { token });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(r.body.object).toBe('list');
      seen.push(...r.body.data.map((a: any) => a.id));
      pages++;
      if (!r.body.has_more) break;
      expect(r.body.data).toHaveLength(100);
      after = r.body.data.at(-1).id;
    }
    expect(seen).toEqual(ids);
    expect(pages).toBe(Math.ceil(ids.length / 100));
    // default page size, and `before` pages back to newer items
    const d = await t.http('GET', '/v1/events/many.flows/automations', { token });
    expect(d.body.data).toHaveLength(20);
    expect(d.body.has_more).toBe(true);
    const back = await t.http('GET', `/v1/events/many.flows/automations?limit=5&before=${ids[25]}`, { token });
    expect(back.body.data.map((a: any) => a.id)).toEqual(ids.slice(20, 25));
    for (const [q, msg] of [['limit=101', 'limit must not be greater than 100'], ['limit=0', 'limit must not be less than 1'], ['after=nope', 'after must be a UUID']] as const) {
      const r = await t.http('GET', `/v1/events/many.flows/automations?${q}`, { token });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({ status_code: 422, name: 'validation_error', message: msg });
    }
    const both = await t.http('GET', `/v1/events/many.flows/automations?after=${ids[0]}&before=${ids[1]}`, { token });
    expect(both.status).toBe(400);
  });

  it('GraphQL: EventDefinition.automations is a Relay connection over all of them', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      // 80 a page: 100 with every field costs more than GRAPHQL_MAX_COST allows.
      const r = await t.gql(EventAutomationsDoc, { name: 'many.flows', first: 80, after }, token);
      expect(r.errors).toBeUndefined();
      const conn = r.data!.event.automations;
      seen.push(...conn.edges.map((e) => e.node.id));
      expect(conn.edges.map((e) => e.cursor)).toEqual(conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor!;
    }
    expect(seen).toEqual(ids);
    const last = await t.gql(EventAutomationsDoc, { name: 'many.flows', last: 2 }, token);
    expect(last.data!.event.automations.edges.map((e) => e.node.id)).toEqual(ids.slice(-2));
    const tooMany = await t.gql(EventAutomationsDoc, { name: 'many.flows', first: 101 }, token);
    expect(tooMany.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
    expect(tooMany.errors![0]!.message).toBe('first must not be greater than 100');
  });
});
