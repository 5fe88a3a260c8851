// The customer's side of an automation benchmark, on 127.0.0.1: a webhook receiver and an SMTP sink
// that count every arrival and the distinct Idempotency-Keys / Message-IDs (exactly once is measured
// where the customer would see it), and the three-step flow they receive from.
import http from 'node:http';
import { SMTPServer } from 'smtp-server';

/**
 * A webhook receiver. `hooks.total` / `hooks.keys` (distinct Idempotency-Keys) / `hooks.last` (epoch
 * ms of the latest arrival); with `bySend`, also the first arrival time per body `send_id`.
 */
export async function startWebhookReceiver({ bySend = false } = {}) {
  const hooks = { total: 0, keys: new Set(), last: 0, bySend: new Map() };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => { if (bySend) chunks.push(c); });
    req.on('end', () => {
      const at = Date.now();
      hooks.total++;
      hooks.keys.add(String(req.headers['idempotency-key']));
      hooks.last = at;
      if (bySend) {
        try {
          const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (j.send_id && !hooks.bySend.has(j.send_id)) hooks.bySend.set(j.send_id, at);
        } catch { /* counted anyway */ }
      }
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    hooks,
    url: `http://127.0.0.1:${server.address().port}/hook`,
    reset: () => { hooks.total = 0; hooks.keys.clear(); hooks.bySend.clear(); },
    close: () => server.close(),
  };
}

/** An SMTP sink: `mails.total` / `mails.ids` (distinct Message-IDs) / `mails.last`. */
export async function startSmtpSink() {
  const mails = { total: 0, ids: new Set(), last: 0 };
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, maxClients: 100,
    onData(stream, _session, cb) {
      let head = '';
      stream.on('data', (c) => { if (head.length < 4096) head += c.toString('utf8'); });
      stream.on('end', () => {
        const m = /^Message-ID:\s*(\S+)/im.exec(head);
        mails.total++;
        mails.ids.add(m ? m[1] : `none-${mails.total}`);
        mails.last = Date.now();
        cb();
      });
    },
  });
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  return {
    mails,
    url: `smtp://127.0.0.1:${smtp.server.address().port}`,
    reset: () => { mails.total = 0; mails.ids.clear(); },
    close: () => smtp.close(),
  };
}

/** The benchmarks' automation: condition (always met) → send_email → webhook, enabled. */
export const threeStepFlow = (hookUrl) => ({
  name: 'three steps', status: 'enabled',
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gte', value: 0 } },
    { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}', body: 'Total {{ event.total }}' },
    { key: 'hook', type: 'webhook', url: hookUrl },
  ],
  connections: [{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'mail' }, { from: 'mail', to: 'hook' }],
});
