/**
 * Regression (issue 19, item 3): reading automations re-ran the type checker (a Liquid parse of every
 * template) on the HTTP event loop for every read. 30 drafts of 99 email steps made one
 * `GET /v1/events/{name}/automations` take 4.3 s, and a GraphQL query with 5 aliases of
 * `event(name){automations{id}}` 19 s while `/health` waited 15 s. Reads now only read stored issues.
 *
 * The numbers are printed (the report quotes them); the assertions are loose bounds that the old code
 * broke by an order of magnitude on the shared dev box.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_BYTES } from '../../src/shared/pagination.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
const EVENT = 'order.heavy';

/** 99 send_email steps of ~2.4 KB templates each (close to the 256 KiB body limit), every one distinct. */
function heavyFlow(n: number) {
  const steps: Record<string, unknown>[] = [{ key: 'trigger', type: 'trigger', event: EVENT }];
  const connections: { from: string; to: string }[] = [];
  let prev = 'trigger';
  for (let i = 0; i < 99; i++) {
    const chunk = `Step ${i} of flow ${n}: hello {{ contact.email }}, order {{ event.order_id }} for {{ event.total | round: 2 }}{% if event.total > ${i} %} big{% endif %}. `;
    steps.push({ key: `m${i}`, type: 'send_email', subject: `Order {{ event.order_id }} #${i}`, body: chunk.repeat(Math.ceil(2300 / chunk.length)) });
    connections.push({ from: prev, to: `m${i}` });
    prev = `m${i}`;
  }
  return { name: `heavy ${n}`, steps, connections };
}

/** Poll /health back to back while `work` runs; the slowest answer is how long the event loop was held. */
async function healthDuring<T>(work: Promise<T>): Promise<{ result: T; worstHealthMs: number; workMs: number }> {
  const start = performance.now();
  let done = false;
  let workMs = 0;
  const tracked = work.finally(() => {
    done = true;
    workMs = performance.now() - start;
  });
  let worst = 0;
  while (!done) {
    const t0 = performance.now();
    const r = await fetch(`${t.baseUrl}/health`);
    await r.text();
    worst = Math.max(worst, performance.now() - t0);
  }
  return { result: await tracked, worstHealthMs: worst, workMs };
}

beforeAll(async () => {
  t = await startTestApp({ config: { logLevel: (process.env.TEST_LOG as never) ?? 'silent' } });
  token = (await t.createOrg('Heavy')).token;
  const ev = await t.http('POST', '/v1/events', { token, body: { name: EVENT, schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }] } } });
  expect(ev.status).toBe(201);
  for (let n = 0; n < 30; n++) {
    const r = await t.http('POST', '/v1/automations', { token, body: heavyFlow(n) });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.body.issues).toEqual([]);
  }
}, 300_000);
afterAll(() => t?.close());

describe('reading automations does not re-run the checker', () => {
  it('GET /v1/events/{name}/automations (limit 20) answers quickly', async () => {
    await t.http('GET', `/v1/events/${EVENT}/automations?limit=20`, { token }); // warm-up
    const t0 = performance.now();
    const r = await t.http('GET', `/v1/events/${EVENT}/automations?limit=20`, { token });
    const ms = performance.now() - t0;
    console.log(`[read-cost] GET /v1/events/${EVENT}/automations?limit=20: ${ms.toFixed(0)} ms (${r.text.length} bytes)`);
    expect(r.status).toBe(200);
    // ~245 KB each: a page stops at PAGE_BYTES (1 MiB of stored JSON), so 4 of the 20 asked for, and has_more.
    expect(r.body.data).toHaveLength(4);
    expect(r.text.length).toBeLessThan(PAGE_BYTES + 300_000);
    expect(r.body.has_more).toBe(true);
    expect(ms).toBeLessThan(2_000);
  });

  it('GraphQL: 5 aliases of event(name){automations} while /health keeps answering', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `e${i}: event(name: "${EVENT}") { automations(first: 20) { edges { node { id } } } }`).join(' ');
    const query = `{ ${aliases} }`;
    const { result, worstHealthMs, workMs } = await healthDuring(t.http('POST', '/graphql', { token, body: { query } }));
    console.log(`[read-cost] GraphQL 5 aliases: ${workMs.toFixed(0)} ms; slowest /health meanwhile: ${worstHealthMs.toFixed(0)} ms`);
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.e4.automations.edges).toHaveLength(4); // PAGE_BYTES, as above
    expect(workMs).toBeLessThan(5_000);
    expect(worstHealthMs).toBeLessThan(2_500);
  });

  it('GET /v1/automations and GET /v1/automations/{id} read stored issues', async () => {
    const list = await t.http('GET', '/v1/automations?limit=20', { token });
    expect(list.status).toBe(200);
    const t0 = performance.now();
    const one = await t.http('GET', `/v1/automations/${list.body.data[0].id}`, { token });
    const ms = performance.now() - t0;
    console.log(`[read-cost] GET /v1/automations/{id}: ${ms.toFixed(0)} ms`);
    expect(one.status).toBe(200);
    expect(one.body.issues).toEqual([]);
    expect(ms).toBeLessThan(500);
  });
});

describe('re-checking after a schema change does not stall other requests', () => {
  it('PATCH of the schema re-checks all 30 heavy automations in slices; /health keeps answering', async () => {
    const broken = { schema: { fields: [{ name: 'order_id', type: 'string', required: true }] } }; // total removed
    const { result, worstHealthMs, workMs } = await healthDuring(t.http('PATCH', `/v1/events/${EVENT}`, { token, body: broken }));
    console.log(`[read-cost] PATCH schema (re-check of 30 × 99 steps): ${workMs.toFixed(0)} ms; slowest /health meanwhile: ${worstHealthMs.toFixed(0)} ms`);
    expect(result.status).toBe(200);
    // Every automation ends checked against the new schema (the PATCH waits up to 2 s, the rest runs in the background).
    await until(
      async () => (await t.deps.pool.query(`select count(*)::int as n from automations where trigger_event = $1 and jsonb_array_length(issues) > 0`, [EVENT])).rows[0].n,
      (n) => n === 30,
      20_000,
      'all 30 re-checked',
    );
    const one = await t.http('GET', `/v1/events/${EVENT}/automations?limit=1`, { token });
    expect(one.body.data[0].issues.some((i: any) => i.message === 'steps[m0].body: unknown field event.total')).toBe(true);
    expect(worstHealthMs).toBeLessThan(500);
  });
});
