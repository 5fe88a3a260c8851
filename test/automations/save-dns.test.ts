/**
 * Save-time webhook host lookups are bounded (issue 19, item 3): getaddrinfo runs on libuv's 4-thread
 * pool and a resolver that never answers holds a thread ~5 s. Before: each webhook step was looked up
 * in turn inside the process-wide check lane (800 ms each), so one save naming 30 such hosts held the
 * lane ~24 s — every other tenant's save waited — and all its lookups could occupy the thread pool.
 * Now an automation's hosts are looked up before it takes the lane, at most MAX_SAVE_LOOKUPS at once,
 * under one shared deadline. The resolver is the only stand-in here (a sandbox has no DNS to stall).
 */
import dns from 'node:dns';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_SAVE_LOOKUPS } from '../../src/automations/net-guard.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let a: string;
let b: string;
const realLookup = dns.promises.lookup;
let inFlight = 0;
let most = 0;
let calls = 0;

beforeAll(async () => {
  // A resolver that answers nothing for 3 s, like an unreachable nameserver.
  dns.promises.lookup = (async (host: string) => {
    if (!host.endsWith('.stall.example')) return realLookup(host, { all: true });
    calls++;
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 3_000));
    inFlight--;
    throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' });
  }) as typeof dns.promises.lookup;
  t = await startTestApp({ config: { logLevel: 'silent' } });
  a = (await t.createOrg('Slow DNS')).token;
  b = (await t.createOrg('Other')).token;
  for (const token of [a, b]) expect((await t.http('POST', '/v1/events', { token, body: { name: 'order.paid' } })).status).toBe(201);
});
afterAll(async () => {
  dns.promises.lookup = realLookup;
  await t?.close();
});

it("a save naming 30 unresolvable hosts answers within one deadline and does not hold up another tenant's save", async () => {
  const steps = [{ key: 'trigger', type: 'trigger', event: 'order.paid' }, ...Array.from({ length: 30 }, (_, i) => ({ key: `h${i}`, type: 'webhook', url: `https://h${i}-${Date.now()}.stall.example/hook` }))];
  const heavy = { name: 'many hosts', steps, connections: steps.slice(1).map((s, i) => ({ from: steps[i]!.key, to: s.key })) };
  const t0 = performance.now();
  const saving = t.http('POST', '/v1/automations', { token: a, body: heavy });
  await new Promise((r) => setTimeout(r, 100));
  const o0 = performance.now();
  const other = await t.http('POST', '/v1/automations', { token: b, body: { name: 'plain', steps: [{ key: 'trigger', type: 'trigger', event: 'order.paid' }], connections: [] } });
  const otherMs = performance.now() - o0;
  const saved = await saving;
  const savedMs = performance.now() - t0;
  expect(other.status).toBe(201);
  expect(saved.status).toBe(201);
  expect(saved.body.issues).toEqual([]); // unknown hosts: the send-time guard decides
  // Before: 30 × 800 ms in the lane (~24 s), the other save behind it.
  expect(savedMs).toBeLessThan(3_000);
  expect(otherMs).toBeLessThan(1_000);
  expect(most).toBeLessThanOrEqual(MAX_SAVE_LOOKUPS);
  expect(calls).toBeLessThanOrEqual(MAX_SAVE_LOOKUPS * 2);
});
