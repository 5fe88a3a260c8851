/**
 * An app whose database connections go through a TCP proxy the test can cut: an unreachable database
 * is a fast 503 with retry-after on every transport (never a hang or a 500), and the app recovers
 * when the database is back. The same app logs to a captured stream: one line per request with a
 * request id, and never the API key.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createOrganization } from '../../src/auth/api-key.service.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, REDACT, type Runtime } from '../../src/runtime.js';
import { createTestDatabase } from '../setup/harness.js';

/** A TCP proxy to the database that can be cut (refuse + drop connections) and restored on the same port. */
class DbProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

let proxy: DbProxy;
let runtime: Runtime;
let app: FastifyInstance;
let base: string;
let token: string;
const lines: string[] = [];

async function http(method: string, url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const started = Date.now();
  const res = await fetch(base + url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, ms: Date.now() - started };
}

beforeAll(async () => {
  const realUrl = new URL(await createTestDatabase());
  proxy = new DbProxy({ host: realUrl.hostname, port: Number(realUrl.port) });
  await proxy.up();
  const viaProxy = new URL(realUrl);
  viaProxy.port = String(proxy.port);
  const config = loadConfig({}, { databaseUrl: viaProxy.toString(), logLevel: 'info', rateLimitMax: 1000, cacheTtlMs: 60_000 });
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino({ level: 'info', redact: REDACT }, sink);
  runtime = await createRuntime(config, { migrate: false, queue: false, listen: false, log });
  app = await buildApp(runtime.deps);
  // A bug, as far as the error handler can tell: an unexpected Error with internals in its message.
  app.get('/v1/__boom', async () => {
    throw new Error('internal detail: password=hunter2');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  token = (await createOrganization(runtime.deps.orm.em.fork(), 'Logs')).token;
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await proxy?.cut().catch(() => {});
});

describe('request log', () => {
  it('a client that closes its socket mid-body is not a server error: no error line, no 5xx (REST and GraphQL)', async () => {
    lines.length = 0;
    const port = (app.server.address() as AddressInfo).port;
    for (const path of ['/v1/events', '/v1/events/send', '/graphql']) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na`);
      await new Promise((r) => setTimeout(r, 150));
      s.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    // Before: `aborted` (ECONNRESET) was read as a database connection reset: a 503 and a level-50 line per abort.
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.filter((e) => e.level >= 50)).toEqual([]);
    expect(entries.filter((e) => e.statusCode >= 500)).toEqual([]);
    // The server is fine afterwards.
    expect((await http('GET', '/v1/events?limit=1', { token })).status).toBe(200);
  });


  it('one line per request with a request id, method, url and status; the key never appears', async () => {
    lines.length = 0;
    const r = await http('POST', '/v1/events', { token, body: { name: 'logged' }, headers: { 'x-request-id': 'req-log-1' } });
    expect(r.status).toBe(201);
    await http('GET', `/v1/events?api_key=${token}&limit=1`, { token });
    await http('GET', '/v1/events', { headers: { authorization: `Bearer ${token}x` } });
    await http('POST', '/graphql', { token, body: { query: '{ events { edges { cursor } } }' } });
    await new Promise((res) => setTimeout(res, 50));

    const all = lines.join('\n');
    expect(all).not.toContain(token.slice(3));
    const entries = lines.map((l) => JSON.parse(l)).filter((e) => e.msg === 'request');
    expect(entries).toHaveLength(4);
    const first = entries[0];
    expect(first).toMatchObject({ level: 30, reqId: 'req-log-1', method: 'POST', url: '/v1/events', statusCode: 201 });
    expect(typeof first.ms).toBe('number');
    expect(entries[1].url).toContain('api_key=[redacted]');
    expect(entries[2].statusCode).toBe(401);
    expect(entries[3]).toMatchObject({ method: 'POST', url: '/graphql', statusCode: 200 });
    for (const e of entries) expect(String(e.reqId)).toMatch(/^[\w.-]+$/);
    expect(new Set(entries.map((e) => e.reqId)).size).toBe(4);
  });
});

describe('500', () => {
  it('the body is generic; the details and the request id go to the log only', async () => {
    lines.length = 0;
    const r = await http('GET', '/v1/__boom', { token, headers: { 'x-request-id': 'boom-1' } });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ status_code: 500, name: 'internal_server_error', message: 'Internal server error' });
    await new Promise((res) => setTimeout(res, 50));
    const logged = lines.map((l) => JSON.parse(l)).find((e) => e.level >= 50);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('hunter2');
    expect(logged.reqId).toBe('boom-1');
  });
});

describe('database unreachable', () => {
  it('503 service_unavailable with retry-after on REST, GraphQL and /ready; recovers afterwards', async () => {
    expect((await http('GET', '/v1/events', { token })).status).toBe(200); // key cached
    await proxy.cut();
    try {
      const cases = [
        // cached key, query fails (not /v1/events: a definition list read before the outage may be
        // served from the list cache, like the key, for up to CACHE_TTL_MS)
        await http('GET', '/v1/contacts', { token }),
        await http('POST', '/v1/events', { token, body: { name: 'during.outage' } }),
        await http('GET', '/v1/events', { token: `be_${'z'.repeat(43)}` }), // key lookup fails
      ];
      for (const r of cases) {
        expect(r.status).toBe(503);
        expect(r.body).toMatchObject({ status_code: 503, name: 'service_unavailable' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.ms).toBeLessThan(8_000);
      }
      const g = await http('POST', '/graphql', { token, body: { query: '{ contacts { edges { cursor } } }' } });
      expect(g.body.errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status_code: 503 });
      const ready = await http('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();
      expect((await http('GET', '/health')).status).toBe(200);
      expect(lines.join('\n')).not.toContain(token.slice(3));
    } finally {
      await proxy.up();
    }
    let ok = 0;
    for (let i = 0; i < 50 && ok !== 201; i++) {
      ok = (await http('POST', '/v1/events', { token, body: { name: `after.outage` } })).status;
      if (ok !== 201) await new Promise((res) => setTimeout(res, 100));
    }
    expect(ok).toBe(201);
    expect((await http('GET', '/ready')).status).toBe(200);
  });
});
