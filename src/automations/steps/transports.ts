/**
 * Transports that deliver outbox rows. Email: a log transport by default, SMTP (nodemailer) when
 * SMTP_URL is set; the Message-ID is derived from the outbox id so a receiver can drop the rare
 * duplicate of a crash between the server's acceptance and our commit. Webhook: a signed JSON POST
 * over node:http(s) whose DNS lookup refuses private addresses.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import type { Deps } from '../../shared/context.js';
import { guardedLookup, urlRefusal } from '../net-guard.js';

export interface EmailPayload {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface WebhookPayload {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryResult {
  responseStatus?: number;
  detail?: Record<string, unknown>;
}

/** A failure that retrying will not fix (refused address, 4xx). */
export class PermanentDeliveryError extends Error {
  constructor(message: string, readonly responseStatus?: number) {
    super(message);
  }
}

export class TransientDeliveryError extends Error {
  constructor(message: string, readonly responseStatus?: number) {
    super(message);
  }
}

export interface EmailTransport {
  readonly name: string;
  /**
   * At most this many emails in one claimed delivery batch (unset: as many as the batch takes). A batch
   * is recorded, and its lane claims again, when its last delivery answers: SMTP sends ~1 ms of CPU
   * per message through SMTP_POOL_CONNECTIONS connections, so a batch of hundreds would hold up the
   * webhooks claimed with it and those waiting for a lane.
   */
  readonly batchLimit?: number;
  send(msg: EmailPayload, ids: { outboxId: string; idempotencyKey: string }): Promise<DeliveryResult>;
  close?(): void;
  /** Loads what the first message would otherwise wait for (worker start). */
  warm?(): void;
}

/** SMTP connections kept open to the relay (nodemailer pool): at most this many messages in flight (10: 5 left the deliverer waiting on the relay's replies). */
export const SMTP_POOL_CONNECTIONS = 10;
/**
 * Webhook connections per destination (host:port) kept alive and reused: at most this many requests
 * in flight to one receiver. 16 rather than 8: a delivery batch's webhooks waited for sockets (three
 * alternating 30,000-send pairs of the three-step flow: 2,190-2,611 vs 1,536-2,168 runs/s).
 */
export const WEBHOOK_SOCKETS_PER_HOST = 16;
const keepAlive = { keepAlive: true, maxSockets: WEBHOOK_SOCKETS_PER_HOST, maxFreeSockets: WEBHOOK_SOCKETS_PER_HOST, timeout: 30_000 };
const httpAgent = new http.Agent(keepAlive);
const httpsAgent = new https.Agent(keepAlive);

export function createEmailTransport(deps: Pick<Deps, 'config' | 'log'>): EmailTransport {
  if (!deps.config.smtpUrl) {
    return {
      name: 'log',
      async send(msg, ids) {
        deps.log.info({ outboxId: ids.outboxId, to: msg.to, subject: msg.subject }, 'email (log transport)');
        return { detail: { transport: 'log' } };
      },
    };
  }
  const smtpUrl = deps.config.smtpUrl;
  // nodemailer is loaded with the first email, not at start: it is ~15 MB of heap in every isolate
  // that imports this module (the HTTP side and the worker thread), most of which never send one.
  let transporter: Promise<Transporter> | undefined;
  let composer: Promise<typeof import('nodemailer/lib/mail-composer').default> | undefined;
  const connect = () =>
    // Pooled: a few SMTP connections kept open and reused for every message (bounded concurrency
    // towards the one relay), instead of a connect + EHLO + QUIT per email.
    (transporter ??= import('nodemailer').then((m) =>
      m.default.createTransport({ url: smtpUrl, pool: true, maxConnections: SMTP_POOL_CONNECTIONS, maxMessages: 10_000, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never),
    ));
  const mailComposer = () => (composer ??= import('nodemailer/lib/mail-composer').then((m) => m.default));
  return {
    name: 'smtp',
    batchLimit: SMTP_POOL_CONNECTIONS * 10,
    async send(msg, ids) {
      try {
        // The message is built into one buffer by nodemailer's own MailComposer: streamed from its MIME
        // tree, each header line and part went to the socket as its own write (a system call each;
        // ~30 % of the worker's time at 500 emails/s). No sendMail plugins run (nothing is fetched for
        // a data: or http: image in the HTML).
        const node = new (await mailComposer())({
          from: msg.from,
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          messageId: `<${ids.outboxId}@arsel.automations>`,
          headers: { 'X-Arsel-Idempotency-Key': ids.idempotencyKey },
        }).compile();
        const raw = await node.build();
        // The buffer goes to the pooled transport as the built message (nodemailer's transport
        // interface: a mail whose `message` gives the envelope, the Message-ID and a stream). Through
        // sendMail, a `raw` message was composed a second time (a MIME tree, a Message-ID, plugins):
        // 1,115 → 996 µs of server CPU per email run without it (3 runs each, docs/realtime.md). A
        // requeued message (a pooled connection closed before sending) gets a fresh stream.
        const envelope = node.getEnvelope();
        const messageId = node.messageId();
        const message = {
          getEnvelope: () => envelope,
          messageId: () => messageId,
          getHeader: (key: string) => (key.toLowerCase() === 'message-id' ? messageId : node.getHeader(key)),
          createReadStream: () => Readable.from([raw], { objectMode: false }),
        };
        const transport = (await connect()).transporter as unknown as { send(mail: object, cb: (err: Error | null, info: { response?: string }) => void): void };
        const info = await new Promise<{ response?: string }>((resolve, reject) =>
          transport.send({ data: {}, message }, (err, res) => (err ? reject(err) : resolve(res))),
        );
        return { detail: { transport: 'smtp', response: String(info.response ?? '').slice(0, 200) } };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code && code >= 500 && code < 600) throw new PermanentDeliveryError(`SMTP ${code}: ${(err as Error).message}`, code);
        throw new TransientDeliveryError(`SMTP: ${(err as Error).message}`, code);
      }
    },
    close: () => void transporter?.then((t) => t.close()),
    // The worker loads nodemailer at start rather than on the first email, which would wait for it.
    warm: () => void Promise.all([connect(), mailComposer()]).catch(() => {}),
  };
}

export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export async function postWebhook(
  config: Pick<Config, 'webhookAllowHosts'>,
  payload: WebhookPayload,
  ids: { outboxId: string; idempotencyKey: string; secret: string },
  timeoutMs = 10_000,
): Promise<DeliveryResult> {
  // Literal addresses never reach the lookup, so check them (and the scheme) here first.
  const refusal = await urlRefusal(payload.url, config.webhookAllowHosts, false);
  if (refusal) throw new PermanentDeliveryError(refusal);
  const url = new URL(payload.url);
  const body = Buffer.from(payload.body);
  const headers = {
    ...payload.headers,
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'arsel-automations/1',
    'x-arsel-signature': signBody(ids.secret, payload.body),
    'x-arsel-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-arsel-delivery': ids.outboxId,
    'idempotency-key': ids.idempotencyKey,
  };
  const lib = url.protocol === 'https:' ? https : http;
  const status = await new Promise<number>((resolve, reject) => {
    // A keep-alive agent per scheme: connections to a receiver are reused (each new one still goes
    // through the guarded lookup); maxSockets bounds the requests in flight per destination.
    const agent = url.protocol === 'https:' ? httpsAgent : httpAgent;
    const req = lib.request(url, { method: 'POST', headers, lookup: guardedLookup(config.webhookAllowHosts), timeout: timeoutMs, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new TransientDeliveryError(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EBLOCKEDADDRESS') reject(new PermanentDeliveryError(err.message));
      else reject(err instanceof TransientDeliveryError ? err : new TransientDeliveryError(err.message));
    });
    req.end(body);
  });
  if (status >= 200 && status < 300) return { responseStatus: status };
  // 408/429 and 5xx are worth retrying; other 4xx mean the receiver refuses this request.
  if (status === 408 || status === 429 || status >= 500) throw new TransientDeliveryError(`HTTP ${status}`, status);
  throw new PermanentDeliveryError(`HTTP ${status}`, status);
}
