// Request mixes for bench/load.js (the plain `send` scenario uses one fixed body and needs none of this).
//
// mixed (issue 6 item 3): of all requests, 20 % are sends that fail the schema (422, recorded as
// rejected), 10 % carry an Idempotency-Key (half of them a key that already got its answer, same
// body: a replay that must record nothing), 5 % are batches of 100 valid sends, the rest plain sends.
// The tally of what the client saw lets run.js check the database: rows and jobs added must match.

const valid = (i) => ({ event: 'order.completed', email: `u${i % 1000}@b.com`, data: { order_id: `o-${i}`, total: 12.5, is_gift: false } });
const rejected = (i) => ({ event: 'order.completed', email: 'a@b.com', data: { order_id: `o-${i}`, total: '12.5' } });

export const MIX = { rejected: 0.2, idempotent: 0.1, batch: 0.05, batchSize: 100 };

export function scenarioRequests(o, tally) {
  if (o.scenario === 'mixed') return mixed(o, tally);
  if (o.scenario === 'reads') return reads(o, tally);
  throw new Error(`unknown scenario ${o.scenario}`);
}

function mixed(o, tally) {
  let n = 0;
  const answeredKeys = []; // keys whose first answer arrived: safe to replay
  const bodies = new Map();
  const add = (k, v = 1) => { tally[k] = (tally[k] ?? 0) + v; };
  const batchBody = () => JSON.stringify({ events: Array.from({ length: MIX.batchSize }, (_, j) => valid(n * 1000 + j)) });
  return [{
    method: 'POST',
    path: new URL(o.url).pathname,
    setupRequest(req, ctx) {
      const i = ++n;
      const r = Math.random();
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${o.token}` };
      if (r < MIX.rejected) {
        add('sent_rejected');
        ctx.kind = 'rejected';
        return { ...req, headers, body: JSON.stringify(rejected(i)) };
      }
      if (r < MIX.rejected + MIX.idempotent) {
        if (answeredKeys.length && Math.random() < 0.5) {
          const key = answeredKeys[Math.floor(Math.random() * answeredKeys.length)];
          ctx.kind = 'replay';
          add('sent_replay');
          return { ...req, headers: { ...headers, 'idempotency-key': key }, body: bodies.get(key) };
        }
        const key = `bench-${process.pid}-${i}`;
        const body = JSON.stringify(valid(i));
        bodies.set(key, body);
        ctx.kind = 'keyed';
        add('sent_keyed');
        ctx.key = key;
        return { ...req, headers: { ...headers, 'idempotency-key': key }, body };
      }
      if (r < MIX.rejected + MIX.idempotent + MIX.batch) {
        ctx.kind = 'batch';
        add('sent_batch');
        return { ...req, headers, body: batchBody() };
      }
      ctx.kind = 'plain';
      add('sent_plain');
      return { ...req, headers, body: JSON.stringify(valid(i)) };
    },
    onResponse(status, body, ctx, headers) {
      add(`${ctx.kind}_${status}`);
      if (ctx.kind === 'keyed' && status === 202) {
        answeredKeys.push(ctx.key);
        if (answeredKeys.length > 2000) bodies.delete(answeredKeys.shift());
      }
      if (ctx.kind === 'replay' && status === 202) {
        const replayed = headers?.['idempotent-replayed'] ?? headers?.['Idempotent-Replayed'];
        add(replayed === 'true' ? 'replay_header_ok' : 'replay_header_missing');
      }
      if (ctx.kind === 'batch' && status === 202) {
        add('batch_items_accepted', (body.match(/"status":"accepted"/g) ?? []).length);
        add('batch_items_error', (body.match(/"error":/g) ?? []).length);
      }
    },
  }];
}

// reads (issue 6 item 4): GET list endpoints; each connection follows the keyset cursor of its own
// last page (`after=<last id>`), back to the newest page every 20 pages or at the end of the list.
function reads(o, tally) {
  const add = (k) => { tally[k] = (tally[k] ?? 0) + 1; };
  const paths = o.paths; // [{ name, path }]
  return [{
    method: 'GET',
    setupRequest(req, ctx) {
      if (ctx.p === undefined) ctx.p = Math.floor(Math.random() * paths.length);
      const p = paths[ctx.p];
      const sep = p.path.includes('?') ? '&' : '?';
      return { ...req, method: 'GET', path: ctx.next ? `${p.path}${sep}after=${ctx.next}` : p.path, headers: { authorization: `Bearer ${o.token}` }, body: undefined };
    },
    onResponse(status, body, ctx) {
      add(`${paths[ctx.p].name}_${status}`);
      ctx.pages = (ctx.pages ?? 0) + 1;
      // The cursor is the last item's id: items are `{"id":"<uuid>",…}` (found from the end: a regex
      // over every 8-20 KB page took load-generator CPU that the server, on the same cores, needs).
      const last = status === 200 && body.includes('"has_more":true') ? body.lastIndexOf('{"id":"') : -1;
      if (last >= 0 && ctx.pages % 20) {
        ctx.next = body.slice(last + 7, last + 43);
        add('followed_cursor');
      } else {
        ctx.next = undefined;
        ctx.p = Math.floor(Math.random() * paths.length);
      }
    },
  }];
}
