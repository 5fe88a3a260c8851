/**
 * Test harness: one fresh database per call (cloned from the migrated template), the real runtime
 * (ORM, pg pool, pg-boss) and the real Fastify app listening on 127.0.0.1, driven over HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { FastifyInstance } from 'fastify';
import { print } from 'graphql';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createOrganization } from '../../src/auth/api-key.service.js';
import { loadConfig, type Config } from '../../src/config.js';
import { FEATURES } from '../../src/modules.js';
import { parseJson } from '../../src/shared/json.js';
import { createLogger, createRuntime, type Runtime } from '../../src/runtime.js';
import { startWorkers, type Workers } from '../../src/workers.js';
import { withDatabase } from './global-setup.js';

export async function createTestDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  // Named after the run's template (its setup pid), so a run's teardown drops only its own databases.
  const name = `arsel_t_${inject('templateDb').replace('arsel_test_template_', '')}_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`create database ${name} template ${inject('templateDb')}`);
  } finally {
    await admin.end();
  }
  return withDatabase(inject('adminUrl'), name);
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  deps: Runtime['deps'];
  databaseUrl: string;
  baseUrl: string;
  /** A new organization and its API key. */
  createOrg(name?: string): Promise<{ orgId: string; token: string; keyId: string }>;
  http<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<HttpResult<T>>;
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token: string): Promise<{ data?: R | null; errors?: { message: string; extensions: Record<string, any> }[] }>;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Partial<Config>;
  /** Start the workers (sends/automations) in this process too. Default false. */
  worker?: boolean;
  databaseUrl?: string;
}

export async function startTestApp(opts: StartOptions = {}): Promise<TestApp> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({}, { databaseUrl, logLevel: 'silent', rateLimitMax: 0, pollingIntervalSeconds: 0.5, ...opts.config });
  const runtime = await createRuntime(config, { migrate: false, log: createLogger(config.logLevel) });
  const { deps } = runtime;
  for (const f of FEATURES) await f.startApi?.(deps);
  const workers: Workers | undefined = opts.worker ? await startWorkers(deps) : undefined;
  const app = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const http: TestApp['http'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      // parseJson, not JSON.parse: the test process has V8's bug with escaped object keys too
      // (src/shared/json.ts), and property tests send arbitrary keys.
      parsed = text ? parseJson(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as any, text };
  };

  return {
    app,
    runtime,
    deps,
    databaseUrl,
    baseUrl,
    http,
    async createOrg(name = 'Acme') {
      const { org, key, token } = await createOrganization(deps.orm.em.fork(), name);
      return { orgId: org.id, token, keyId: key.id };
    },
    async gql(doc, variables, token) {
      const r = await http('POST', '/graphql', { token, body: { query: print(doc), variables } });
      return r.body;
    },
    async close() {
      await app.close();
      for (const f of [...FEATURES].reverse()) await f.stop?.(deps);
      await workers?.stop();
      await runtime.close();
    },
  };
}

/**
 * Poll `fn` until `ok(value)` holds; throws (naming `what` and the last value) after `timeoutMs`.
 * With `retryErrors`, a throwing `fn` counts as "not yet" (a server still starting, a database cut).
 */
export async function until<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  what = 'condition',
  opts: { retryErrors?: boolean } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = opts.retryErrors ? await fn().catch(() => undefined as T) : await fn();
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what} not met in ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
