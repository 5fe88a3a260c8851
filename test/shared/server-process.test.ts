/**
 * The built server as a user runs it (`node dist/src/main.js`, as `npm start` does) on a fresh
 * database: the first start prints the Default organization's key and the URLs, the seed's cURL
 * example works verbatim with that key, the request is logged without the key, SIGTERM exits 0
 * quickly, and a second start prints no key.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { createTestDatabase } from '../setup/harness.js';
import { freePort } from '../../src/db/embedded.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

interface Server { proc: ChildProcess; out: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }


async function start(databaseUrl: string, port: number): Promise<Server> {
  const { DATABASE_URL: _a, PORT: _b, LOG_LEVEL: _c, ...env } = process.env;
  const proc = spawn(process.execPath, [MAIN], {
    cwd: PROJECT_ROOT,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 45_000;
  while (!out.includes('arsel-events is ready')) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, out: () => out, exited };
}

async function stop(s: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  s.proc.kill(signal);
  const { code } = await s.exited;
  return { code, ms: Date.now() - t0 };
}

function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-w', '\n%{http_code}', ...args], (err, stdout) => {
      if (err) return reject(err);
      const i = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) });
    });
  });
}

let databaseUrl: string;
let port: number;
let first: Server | undefined;

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  databaseUrl = await createTestDatabase();
  port = await freePort();
});
afterAll(() => {
  if (first && first.proc.exitCode === null) first.proc.kill('SIGKILL');
});

describe('node dist/src/main.js', () => {
  let token: string;

  it('first start on an empty database prints the Default key and the URLs', async () => {
    first = await start(databaseUrl, port);
    const out = first.out();
    const base = `http://127.0.0.1:${port}`;
    expect(out).toContain('"Default" organization');
    const m = out.match(/API key \(shown once, store it now\): (be_[A-Za-z0-9_-]{43})\b/);
    expect(m, out).not.toBeNull();
    token = m![1];
    expect(out).toContain(`${base}/graphql`);
    expect(out).toContain(`${base}/v1`);
    expect(out).toContain(`${base}/docs`);
    expect(out).toContain(`${base}/openapi.json`);
    expect(out).toContain(`${base}/dashboard`);
    expect(out).not.toMatch(/FSTDEP|DeprecationWarning/);
  });

  it('the seed\'s cURL example, run verbatim with that key, returns 201 and the seed\'s shape', async () => {
    const r = await curl([
      '-X', 'POST', `http://127.0.0.1:${port}/v1/events`,
      '-H', `Authorization: Bearer ${token}`,
      '-H', 'Content-Type: application/json',
      '-d', `{
    "name": "order.completed",
    "description": "Fired when a customer completes checkout.",
    "schema": {
      "fields": [
        { "name": "order_id", "type": "string", "required": true },
        { "name": "total", "type": "number", "required": true }
      ]
    }
  }`,
    ]);
    expect(r.status).toBe(201);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({
      name: 'order.completed',
      description: 'Fired when a customer completes checkout.',
      schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }] },
    });
    for (const k of ['id', 'name', 'description', 'schema', 'created_at', 'updated_at']) expect(body).toHaveProperty(k);
    const again = await curl(['-X', 'POST', `http://127.0.0.1:${port}/v1/events`, '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '-d', '{"name":"order.completed"}']);
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body)).toEqual({ status_code: 409, name: 'conflict', message: 'An event named "order.completed" already exists' });
  });

  it('logs one line per request with a request id, never the key', async () => {
    const requestLines = () => first!.out().split('\n').filter((l) => l.includes('"msg":"request"'));
    for (let i = 0; i < 40 && requestLines().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const lines = requestLines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const entry = JSON.parse(lines.find((l) => l.includes('"statusCode":201'))!);
    expect(entry).toMatchObject({ method: 'POST', url: '/v1/events', statusCode: 201 });
    expect(entry.reqId).toBeTruthy();
    // The banner shows the key once; no log line carries it.
    expect(first!.out().split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toContain(token);
  });

  it('SIGTERM: a request in flight completes (its keep-alive connection closed after it), then exit 0 at once', async () => {
    // A keep-alive client mid-upload when the signal arrives: headers and half the body before, the rest after.
    const body = JSON.stringify({ name: 'in.flight' });
    const sock = net.connect(port, '127.0.0.1');
    let response = '';
    sock.on('data', (d) => (response += d));
    const ended = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    sock.write(`POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, 5)}`);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    first!.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    sock.write(body.slice(5)); // no FIN: the client waits for its answer like any HTTP client
    await ended; // the server closes the connection after answering
    expect(response, first!.out().split('\n').slice(-5).join('\n')).toMatch(/^HTTP\/1\.1 201 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(response).toContain('"name":"in.flight"');
    const { code } = await first!.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a second start on the same database prints no key, the key still works; SIGINT exits 0 too', async () => {
    const second = await start(databaseUrl, port);
    try {
      expect(second.out()).not.toMatch(/API key \(shown once/);
      // Every start prints where everything is.
      for (const p of ['/dashboard', '/graphql', '/v1', '/docs', '/openapi.json']) expect(second.out()).toContain(`http://127.0.0.1:${port}${p}`);
      const r = await curl([`http://127.0.0.1:${port}/v1/events/order.completed`, '-H', `Authorization: Bearer ${token}`]);
      expect(r.status).toBe(200);
    } finally {
      const { code, ms } = await stop(second, 'SIGINT');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(8_000);
    }
  });
});
