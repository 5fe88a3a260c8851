/**
 * Every in-process cache is bounded in bytes (issue 19, item 2). Each is driven far past its bound
 * through real HTTP with inputs a tenant is free to invent (cursors, hosts, tokens, event names,
 * addresses); its calculated size must stay within the bound, and the process heap must stay flat
 * where the unbounded cache would have grown by hundreds of megabytes.
 */
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentHashes } from '../../src/auth/api-key.service.js';
import { HOST_CACHE_BYTES, hostCache, hostNameRefusal } from '../../src/automations/net-guard.js';
import { liquid, PARSED_TEMPLATE_BYTES, renderTemplate } from '../../src/automations/templates.js';
import { validEmails } from '../../src/sends/send.service.js';
import { parse } from 'graphql';
import { CACHE_BYTES, graphqlDocumentStore, TtlCache } from '../../src/shared/caches.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

v8.setFlagsFromString('--expose-gc');
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext('gc');

async function heapUsed(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Run `n` tasks, `concurrency` at a time. */
async function inParallel(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  }));
}

const MB = 1 << 20;
let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ config: { logLevel: process.env.TEST_LOG ?? 'silent' } });
  token = (await t.createOrg('Big definitions')).token;
});
afterAll(() => t?.close());

describe('caches stay within their byte bounds', () => {
  it('definition-list pages: hundreds of invented cursors over 100 large definitions keep the cache within 16 MB and the heap flat', async () => {
    // 100 definitions of ~10 KB each: every page of 100 is about 1 MB of JSON.
    await inParallel(100, 4, async (i) => {
      const fields = Array.from({ length: 100 }, (_, k) => ({ name: `f${k}_${'x'.repeat(56)}`, type: 'string' }));
      const r = await t.http('POST', '/v1/events', { token, body: { name: `big.${i}`, description: 'd'.repeat(2000), schema: { fields } } });
      expect(r.status).toBe(201);
    });
    const cache = t.deps.caches.eventLists;
    expect(cache.maxBytes).toBe(CACHE_BYTES.eventLists);
    const before = await heapUsed();
    let largest = 0;
    // UUIDv7 ids start with the time; an invented cursor above them all pages from the newest.
    await inParallel(300, 4, async (i) => {
      const after = `ffffffff-ffff-4fff-8fff-${i.toString(16).padStart(12, '0')}`;
      const r = await fetch(`${t.baseUrl}/v1/events?limit=100&after=${after}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      expect(r.status, text.slice(0, 300)).toBe(200);
      expect(text.length).toBeGreaterThan(900_000);
      largest = Math.max(largest, cache.calculatedSize);
    });
    expect(cache.size).toBeGreaterThan(0); // pages are still cached…
    expect(largest).toBeLessThanOrEqual(cache.maxBytes); // …within the bound at every step
    const after = await heapUsed();
    // Unbounded, the 300 pages would have kept ~450 MB.
    expect(after - before).toBeLessThan(64 * MB);
  }, 180_000);

  it('webhook host checks: thousands of distinct hosts stay within 1 MB; hosts longer than DNS allows are an issue and never cached', async () => {
    // `.example` never resolves (RFC 2606). The sandbox has no working DNS (a lookup may take the
    // resolver's 5 s timeout), so its lookups answer NXDOMAIN at once, as a working resolver would.
    const realLookup = dns.promises.lookup;
    const lookups: string[] = [];
    dns.promises.lookup = (async (host: string, opts: dns.LookupAllOptions) => {
      lookups.push(host);
      if (host.endsWith('.example')) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return realLookup(host, opts);
    }) as typeof realLookup;
    try {
      await driveHosts();
    } finally {
      dns.promises.lookup = realLookup;
    }
    expect(lookups.length).toBe(30 * 99); // every valid host looked up once; none of the too-long ones
  }, 180_000);

  async function driveHosts() {
    const before = await heapUsed();
    const label = (c: string) => c.repeat(63);
    // 30 saves × 100 webhook steps, each with its own (valid, long) host name.
    await inParallel(30, 3, async (i) => {
      const steps: object[] = [{ key: 'trigger', type: 'trigger', event: 'big.0' }];
      const connections: object[] = [];
      for (let j = 0; j < 99; j++) {
        const host = `h${i}-${j}.${label('a')}.${label('b')}.${label('c')}.example`;
        expect(host.length).toBeLessThanOrEqual(253);
        steps.push({ key: `w${j}`, type: 'webhook', url: `https://${host}/hook` });
        connections.push({ from: j ? `w${j - 1}` : 'trigger', to: `w${j}` });
      }
      const r = await t.http('POST', '/v1/automations', { token, body: { name: `hosts ${i}`, steps, connections } });
      expect(r.status).toBe(201);
      expect(hostCache.calculatedSize).toBeLessThanOrEqual(HOST_CACHE_BYTES);
    });
    expect(hostCache.size).toBeGreaterThan(100);
    expect(hostCache.calculatedSize).toBeLessThanOrEqual(HOST_CACHE_BYTES);

    // Too long in all (≈200 KB, as in the report) or in one label: an issue, no lookup, no cache entry.
    const tooLong = [`${'a.'.repeat(100_000)}example`, `${'x'.repeat(64)}.example`, `${'a'.repeat(60)}.`.repeat(5) + 'example'];
    for (let i = 0; i < 300; i++) {
      const host = i < 3 ? tooLong[i]! : `${i}${'a.'.repeat(95_000)}example`;
      const r = await t.http('POST', '/v1/automations', {
        token,
        body: { name: `long ${i}`, steps: [{ key: 'trigger', type: 'trigger', event: 'big.0' }, { key: 'hook', type: 'webhook', url: `https://${host}/x` }], connections: [{ from: 'trigger', to: 'hook' }] },
      });
      expect(r.status).toBe(201);
      const issue = r.body.issues.find((x: { path: string }) => x.path === 'steps[hook].url');
      expect(issue.reason).toMatch(/^host name (is longer than DNS allows \(\d+ characters; at most 253\)|has a label longer than DNS allows \(\d+ characters; at most 63 per label\))$/);
      expect(issue.reason.length).toBeLessThan(120); // the host is not echoed
      expect(hostCache.has(new URL(`https://${host}/`).hostname)).toBe(false);
    }
    const after = await heapUsed();
    // Unbounded, the 300 long hosts alone would have kept ~110 MB.
    expect(after - before).toBeLessThan(48 * MB);
  }

  it('API keys and header digests: thousands of invented tokens stay within their bounds', async () => {
    // The production bound is 8 MB (~16,000 keys); a 256 KB one shows eviction with fewer requests.
    const keys = new TtlCache<unknown>(t.deps.config.cacheTtlMs, 256 * 1024);
    const original = t.deps.caches.keys;
    t.deps.caches.keys = keys as typeof original;
    try {
      await inParallel(3_000, 8, async (i) => {
        // Half of them of ordinary length, half ~800 characters: both are kept by digest, within 2 MB.
        const tok = `be_${randomBytes(i % 2 ? 32 : 600).toString('base64url')}`;
        const r = await t.http('GET', '/v1/events', { token: tok });
        expect(r.status).toBe(401);
        expect(keys.calculatedSize).toBeLessThanOrEqual(keys.maxBytes);
        expect(recentHashes.calculatedSize).toBeLessThanOrEqual(recentHashes.maxSize);
      });
      expect(keys.size).toBeGreaterThan(100);
      expect(recentHashes.size).toBeGreaterThan(100);
      // The real key still works (and is cached again) after all that churn.
      expect((await t.http('GET', '/v1/events?limit=1', { token })).status).toBe(200);
      expect((await t.http('GET', '/v1/events?limit=1', { token })).status).toBe(200);
    } finally {
      t.deps.caches.keys = original;
    }
  }, 120_000);

  it('send-path definitions and valid addresses: thousands of invented event names and addresses stay within their bounds', async () => {
    // The production bound is 16 MB; 256 KB shows eviction with fewer requests.
    const events = new TtlCache<unknown>(t.deps.config.cacheTtlMs, 256 * 1024);
    const original = t.deps.caches.events;
    t.deps.caches.events = events as typeof original;
    try {
      for (let b = 0; b < 6; b++) {
        const items = Array.from({ length: 500 }, (_, i) => ({ event: `unknown.${b}.${i}.${'n'.repeat(60)}`, email: 'jane@example.com', data: {} }));
        const r = await t.http('POST', '/v1/events/send', { token, body: { events: items } });
        expect(r.status).toBe(202);
        expect(r.body.results.every((x: { error?: { code: string } }) => x.error?.code === 'event_not_found')).toBe(true);
        expect(events.calculatedSize).toBeLessThanOrEqual(events.maxBytes);
      }
      expect(events.size).toBeGreaterThan(100);
    } finally {
      t.deps.caches.events = original;
    }

    // Valid addresses are remembered (2 MB at most): 8,000 distinct ~250-character ones.
    const domain = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.com`;
    for (let b = 0; b < 16; b++) {
      const items = Array.from({ length: 500 }, (_, i) => ({ event: 'big.0', email: `u${b}x${i}`.padEnd(60, 'x') + `@${domain}`, data: {} }));
      const r = await t.http('POST', '/v1/events/send', { token, body: { events: items } });
      expect(r.status).toBe(202);
      expect(validEmails.calculatedSize).toBeLessThanOrEqual(validEmails.maxSize);
    }
    expect(validEmails.size).toBeGreaterThan(1_000);
  }, 120_000);

  it('parsed templates: 2,000 distinct 4 KB templates rendered keep the heap within the cache budget', async () => {
    const ctx = { event: { total: 5 }, contact: { email: 'a@example.com' } };
    const line = 'Order {{ event.total | times: 2 }} for {{ contact.email | default: "you" }}{% if event.total > 1 %} big{% endif %}. ';
    // warm up liquid's own structures, then measure
    for (let i = 0; i < 10; i++) await renderTemplate(`${line.repeat(40)}#${i}`, ctx);
    const before = await heapUsed();
    for (let i = 0; i < 2_000; i++) {
      expect(await renderTemplate(`${line.repeat(40)}#w${i}`, ctx)).toContain('Order 10 for a@example.com big.');
    }
    const grown = (await heapUsed()) - before;
    // unbounded, 2,000 × ~4 KB of source at ~38 bytes per character would be ~300 MB
    expect(grown).toBeLessThan(PARSED_TEMPLATE_BYTES + 8 * MB);
  });

  it('LiquidJS keeps no template cache (it would only cache templates loaded from files, and there are none)', () => {
    expect(liquid.options.cache).toBeUndefined();
  });
});

describe('TtlCache', () => {
  it('evicts the least recently used entries to stay within its bytes, keeps null answers, and drops a prefix', () => {
    const c = new TtlCache<string | null>(60_000, 64 * 1024);
    for (let i = 0; i < 1_000; i++) c.set(`org${i % 3}\u0000${i}`, 'v'.repeat(500));
    expect(c.calculatedSize).toBeLessThanOrEqual(64 * 1024);
    expect(c.get('org0\u00000')).toBeUndefined(); // the oldest went first
    expect(c.get('org0\u0000999')).toBe('v'.repeat(500));
    c.set('bad', null);
    expect(c.get('bad')).toBeNull();
    c.deletePrefix('org0\u0000');
    expect(c.get('org0\u0000999')).toBeUndefined();
    expect(c.get('org1\u0000997')).toBe('v'.repeat(500));
    // One entry larger than a quarter of the budget is not kept (it would flush everything else).
    c.set('huge', 'x'.repeat(20_000));
    expect(c.get('huge')).toBeUndefined();
  });

  it('a TTL of 0 keeps nothing', () => {
    const c = new TtlCache<number>(0);
    c.set('k', 1);
    expect(c.get('k')).toBeUndefined();
  });
});

describe('host names longer than DNS allows', () => {
  it('253 characters and 63 per label are the limits (one trailing dot aside)', () => {
    const l63 = 'a'.repeat(63);
    const h253 = `${l63}.${l63}.${l63}.${'b'.repeat(61)}`;
    expect(h253).toHaveLength(253);
    expect(hostNameRefusal(h253)).toBeNull();
    expect(hostNameRefusal(`${h253}.`)).toBeNull();
    expect(hostNameRefusal(`${h253}b`)).toMatch(/longer than DNS allows \(254 characters; at most 253\)/);
    expect(hostNameRefusal(`${l63}.example`)).toBeNull();
    expect(hostNameRefusal(`${l63}a.example`)).toMatch(/label longer than DNS allows \(64 characters/);
    expect(hostNameRefusal(`example.${l63}a`)).toMatch(/label longer than DNS allows/);
  });
});

describe("Apollo's parsed-document cache", () => {
  /** A distinct document of ~1,900 tokens (under the 2,000 limit, one page of one event: cheap to run). */
  const wide = (k: number) =>
    `query Q${k} { events(first: 1, search: "${k}") { edges { node { ${Array.from({ length: 60 }, () => 'id name description createdAt updatedAt').join(' ')} } } } }`;

  it('is bounded by the heap its documents take: 1,000 distinct wide documents through HTTP keep the heap flat', async () => {
    const before = await heapUsed();
    await inParallel(1_000, 8, async (k) => {
      const r = await t.http('POST', '/graphql', { token, body: { query: wide(k) } });
      expect(r.status).toBe(200);
    });
    const grown = (await heapUsed()) - before;
    // Apollo's default store counts JSON length against 30 MiB; these documents take ~3.5× that on the heap,
    // so it kept ~100 MB of them. Counted at 5× their JSON against 16 MB: a few MB.
    expect(grown).toBeLessThan(40 * MB);
  });

  it("counts 5× a document's JSON and never holds more than its budget", async () => {
    const store = graphqlDocumentStore(2 * MB);
    for (let k = 0; k < 300; k++) await store.set(`doc${k}`, parse(wide(k)));
    expect(store.lru.calculatedSize).toBeLessThanOrEqual(2 * MB);
    const one = JSON.stringify(parse(wide(1))).length;
    expect(store.lru.size).toBe(Math.floor((2 * MB) / (5 * one + 96 + 2 * 'doc100'.length)));
    expect(await store.get('doc299')).toBeDefined();
    expect(await store.get('doc0')).toBeUndefined();
    expect(CACHE_BYTES.graphqlDocuments).toBe(16 * MB);
  });
});
