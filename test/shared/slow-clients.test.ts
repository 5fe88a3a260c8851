/**
 * Slow clients against the built server (`node dist/src/main.js`): a client that sends its headers,
 * or its body, one byte at a time is cut off at HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS
 * with a 408 and a closed socket; and with such a socket open (and an idle keep-alive one, and one
 * that never sent a byte), SIGTERM still exits 0 well within SHUTDOWN_TIMEOUT_MS while a normal
 * request in flight completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase } from '../setup/harness.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

interface Server { proc: ChildProcess; port: number; token?: string; out: () => string; exited: Promise<number | null> }
const servers: Server[] = [];

async function start(databaseUrl: string, extraEnv: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const { DATABASE_URL: _a, PORT: _b, LOG_LEVEL: _c, ...env } = process.env;
  const proc = spawn(process.execPath, [MAIN], {
    cwd: PROJECT_ROOT,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 45_000;
  while (!out.includes('arsel-events is ready')) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = /API key \(shown once, store it now\): (be_[A-Za-z0-9_-]{43})\b/.exec(out)?.[1];
  const s = { proc, port, token, out: () => out, exited };
  servers.push(s);
  return s;
}

/** A raw socket that records what the server writes and when it closes. */
function rawSocket(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  let received = '';
  sock.on('data', (d) => (received += d));
  sock.on('error', () => {});
  const t0 = Date.now();
  const closed = new Promise<number>((resolve) => sock.on('close', () => resolve(Date.now() - t0)));
  const connected = new Promise<void>((resolve) => sock.on('connect', () => resolve()));
  return { sock, closed, connected, received: () => received };
}

/** Writes `text` one byte per `everyMs` until the socket closes (or the text runs out). */
function drip(sock: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (sock.destroyed || i >= text.length) return clearInterval(timer);
    sock.write(text[i++]);
  }, everyMs);
  sock.on('close', () => clearInterval(timer));
}

let databaseUrl: string;
beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
});
// A fresh database per test: its first start prints the Default organization's key.
beforeEach(async () => {
  databaseUrl = await createTestDatabase();
});
afterEach(() => {
  for (const s of servers.splice(0)) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
});

describe('slow clients', () => {
  it('a body sent one byte per second is cut off at HTTP_REQUEST_TIMEOUT_MS with a 408; dripped headers at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const s = await start(databaseUrl, { HTTP_HEADERS_TIMEOUT_MS: '1500', HTTP_REQUEST_TIMEOUT_MS: '3000' });
    const body = JSON.stringify({ name: 'never.finished', description: 'x'.repeat(200) });

    const slowBody = rawSocket(s.port);
    await slowBody.connected;
    slowBody.sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    drip(slowBody.sock, body, 1_000);

    const slowHeaders = rawSocket(s.port);
    await slowHeaders.connected;
    drip(slowHeaders.sock, `GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: ${'y'.repeat(100)}\r\n\r\n`, 200);

    const [bodyMs, headersMs] = await Promise.all([slowBody.closed, slowHeaders.closed]);
    // Deadline plus Node's 1 s check interval plus scheduling slack; the drip alone would take 200+ s.
    expect(bodyMs).toBeGreaterThanOrEqual(2_900);
    expect(bodyMs).toBeLessThan(6_000);
    expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(headersMs).toBeGreaterThanOrEqual(1_400);
    expect(headersMs).toBeLessThan(4_500);
    expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408 |^$/);

    // The server is fine afterwards.
    const r = await fetch(`http://127.0.0.1:${s.port}/health`);
    expect(r.status).toBe(200);
  }, 30_000);

  it('SIGTERM with a stalled upload, an idle keep-alive socket and a silent socket open: a normal request in flight completes, exit 0 well within SHUTDOWN_TIMEOUT_MS', async () => {
    // Default request timeout (30 s): only shutdown can end the stalled upload in time.
    const s = await start(databaseUrl, { SHUTDOWN_TIMEOUT_MS: '4000' });
    const key = s.token!;

    const stalled = rawSocket(s.port);
    await stalled.connected;
    stalled.sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    drip(stalled.sock, '"name":"x"'.repeat(100), 1_000);

    const idle = rawSocket(s.port);
    await idle.connected;
    idle.sock.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const silent = rawSocket(s.port);
    await silent.connected;

    // A normal request whose body completes shortly after the signal.
    const body = JSON.stringify({ name: 'in.flight' });
    const inflight = rawSocket(s.port);
    await inflight.connected;
    inflight.sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 4)}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 /);

    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    inflight.sock.write(body.slice(4));
    const code = await s.exited;
    const ms = Date.now() - t0;
    expect(code, s.out().split('\n').slice(-8).join('\n')).toBe(0);
    expect(ms).toBeLessThan(4_000);
    expect(inflight.received()).toMatch(/^HTTP\/1\.1 201 /);
    await Promise.all([stalled.closed, idle.closed, silent.closed, inflight.closed]);
  }, 40_000);
});
