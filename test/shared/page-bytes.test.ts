/**
 * A page of a list whose items can be large stops at PAGE_BYTES of stored JSON and says has_more
 * (issue 19, item 3: one request must not stall every tenant). 100 automations of ~245 KB (the body
 * limit) made `GET /v1/automations?limit=100` a 22 MB answer: 300–800 ms of one tenant's request on
 * the event loop, while another tenant's `GET /v1/events` waited. Real HTTP, REST and GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_BYTES } from '../../src/shared/pagination.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
const BIG = 6;

/** ~245 KB of stored steps: 99 email steps of 2,400-character bodies. */
function bigAutomation(i: number) {
  const body = `Hello {{ contact.first_name }} ${'lorem ipsum dolor sit amet '.repeat(90)}`.slice(0, 2_400);
  const steps = [{ key: 'trigger', type: 'trigger', event: 'big.page' }, ...Array.from({ length: 99 }, (_, k) => ({ key: `m${k}`, type: 'send_email', subject: `s${k}`, body }))];
  return { name: `big ${i}`, steps, connections: steps.slice(1).map((s, k) => ({ from: steps[k]!.key, to: s.key })) };
}

beforeAll(async () => {
  t = await startTestApp({ config: { logLevel: 'silent' } });
  token = (await t.createOrg('Pages')).token;
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'big.page' } })).status).toBe(201);
  for (let i = 0; i < BIG; i++) expect((await t.http('POST', '/v1/automations', { token, body: bigAutomation(i) })).status).toBe(201);
  for (let i = 0; i < 2; i++) expect((await t.http('POST', '/v1/automations', { token, body: { name: `small ${i}`, steps: [{ key: 'trigger', type: 'trigger', event: 'big.page' }], connections: [] } })).status).toBe(201);
  for (let i = 0; i < BIG; i++) {
    expect((await t.http('POST', '/v1/contacts', { token, body: { email: `big${i}@example.com`, properties: { blob: 'p'.repeat(240_000), i } } })).status).toBe(201);
  }
});
afterAll(() => t?.close());

/** Walk a REST list to its end; every page within the budget (one item may cross it), ids newest first, each once. */
async function walk(path: string): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await t.http('GET', `${path}?limit=100${after ? `&after=${after}` : ''}`, { token });
    expect(r.status).toBe(200);
    expect(r.text.length).toBeLessThan(PAGE_BYTES + 300_000);
    pages.push(r.body.data.length);
    ids.push(...r.body.data.map((x: { id: string }) => x.id));
    if (!r.body.has_more) break;
    after = r.body.data.at(-1).id;
  }
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort().reverse()).toEqual(ids);
  return { ids, pages };
}

describe('pages of large items stop at PAGE_BYTES', () => {
  it('REST automations: pages of 4 large ones, has_more until the end, every automation once', async () => {
    const { ids, pages } = await walk('/v1/automations');
    expect(ids).toHaveLength(BIG + 2);
    expect(pages[0]).toBe(2 + 4); // the 2 small (newest) and 4 large of ~245 KB: a 5th would cross 1 MiB
    expect(pages.length).toBeGreaterThan(1);
    const byEvent = await walk('/v1/events/big.page/automations');
    expect(byEvent.ids).toEqual(ids);
  });

  it('REST contacts: the same rule', async () => {
    const { ids, pages } = await walk('/v1/contacts');
    expect(ids).toHaveLength(BIG);
    expect(Math.max(...pages)).toBe(4);
  });

  it('a page going backwards keeps the items nearest its cursor', async () => {
    const all = (await walk('/v1/automations')).ids;
    const oldest = all.at(-1)!;
    const r = await t.http('GET', `/v1/automations?limit=100&before=${oldest}`, { token });
    expect(r.body.has_more).toBe(true);
    // Newest first, ending just before the cursor.
    expect(r.body.data.map((a: { id: string }) => a.id)).toEqual(all.slice(all.length - 1 - r.body.data.length, all.length - 1));
  });

  it('GraphQL automations and EventDefinition.automations: fewer edges, hasNextPage, and the cursor continues', async () => {
    const q = `query($after: String) { automations(first: 100, after: $after) { edges { node { id steps } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await t.http('POST', '/graphql', { token, body: { query: q, variables: { after } } });
      expect(r.status).toBe(200);
      expect(r.text.length).toBeLessThan(PAGE_BYTES + 300_000);
      const c = r.body.data.automations;
      seen.push(...c.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual((await walk('/v1/automations')).ids);
    const ev = await t.http('POST', '/graphql', { token, body: { query: '{ event(name: "big.page") { automations(first: 80) { edges { node { id } } pageInfo { hasNextPage } } } }' } });
    expect(ev.body.data.event.automations.edges).toHaveLength(6);
    expect(ev.body.data.event.automations.pageInfo.hasNextPage).toBe(true);
  });

  it('small items still fill a page of 100', async () => {
    const org = (await t.createOrg('Small')).token;
    expect((await t.http('POST', '/v1/events', { token: org, body: { name: 'small.page' } })).status).toBe(201);
    for (let i = 0; i < 101; i++) {
      expect((await t.http('POST', '/v1/contacts', { token: org, body: { email: `s${i}@example.com`, properties: { i } } })).status).toBe(201);
    }
    const r = await t.http('GET', '/v1/contacts?limit=100', { token: org });
    expect(r.body.data).toHaveLength(100);
    expect(r.body.has_more).toBe(true);
  });
});
