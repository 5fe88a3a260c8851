/** Real receivers for automation tests: an SMTP server (npm smtp-server) and an HTTP webhook endpoint; a worker process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  body: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Sessions currently inside DATA that the server is holding (mode "hold"). */
  held: number;
  /** "accept": take every message; "hold": read DATA but never answer (the client waits). */
  mode: 'accept' | 'hold';
  close(): Promise<void>;
}

function parseMail(raw: string, envelope: { from: string; to: string[] }): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    body = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return { ...envelope, headers, subject: headers.subject ?? '', messageId: headers['message-id'] ?? '', body: body.replace(/\r\n$/, '') };
}

export async function startSmtp(mode: 'accept' | 'hold' = 'accept'): Promise<TestSmtp> {
  const state = { mails: [] as ReceivedMail[], held: 0, mode };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => {});
      stream.on('end', () => {
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
        if (state.mode === 'hold') {
          // Never answer: the sender is stuck "between rendering and delivering" until it dies.
          state.held++;
          return;
        }
        state.mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), envelope));
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `smtp://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as TestSmtp;
}

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  /** epoch ms when the request's body had arrived */
  at: number;
}

export interface TestHookServer {
  url: string;
  requests: ReceivedHook[];
  /** Status to answer with, per request number (default 200). */
  statusFor: (n: number) => number;
  /** Answer this many ms after the request arrived (default 0: at once). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<TestHookServer> {
  const state: TestHookServer = { url: '', requests: [], statusFor: () => 200, delayMs: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      state.requests.push({ headers: req.headers, body, json, at: Date.now() });
      res.statusCode = state.statusFor(state.requests.length);
      if (state.delayMs > 0) setTimeout(() => res.end('ok'), state.delayMs);
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export function validSignature(secret: string, body: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const got = Buffer.from(header.slice('sha256='.length));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Poll until `check` returns a truthy value (no fixed sleeps), or fail after `ms`. */
export async function waitFor<T>(check: () => Promise<T> | T, ms = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const ORDER_COMPLETED = {
  name: 'order.completed',
  schema: {
    fields: [
      { name: 'order_id', type: 'string', required: true },
      { name: 'total', type: 'number', required: true },
      { name: 'is_gift', type: 'boolean', required: false },
      { name: 'placed_at', type: 'date', required: false },
    ],
  },
};

/**
 * A real worker process (`node <main> --role worker`) on `databaseUrl`, its metrics listener on a free
 * port, with `env` on top; its output is printed if it exits with an error (not a signal). Pushed to
 * `children` for the test's cleanup.
 */
export function spawnWorker(main: string, databaseUrl: string, env: Record<string, string>, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, [main, '--role', 'worker'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', WORKER_POLL_SECONDS: '0.5', NODE_ENV: 'production', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  child.on('exit', (code, signal) => {
    if (code && !signal) console.error(`worker exited ${code}: ${out.slice(-2000)}`);
  });
  children.push(child);
  return child;
}
