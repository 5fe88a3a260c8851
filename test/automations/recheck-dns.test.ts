/**
 * A re-check after a schema change looks up its automations' webhook hosts before its transaction,
 * not while it holds the event name's lock and the automation rows (a slow resolver would hold them
 * for its whole deadline). The resolver is the only stand-in (a sandbox has no DNS): at the moment
 * it is asked, it looks from another connection whether the automation row is locked.
 */
import dns from 'node:dns';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostCache } from '../../src/automations/net-guard.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
const realLookup = dns.promises.lookup;
const HOST = `h${Date.now()}.recheck.example`;
const HOST2 = `g${Date.now()}.recheck.example`;
let automationId = '';
const seen: { host: string; rowLocked: boolean }[] = [];
/** Run once when the resolver is asked for HOST (a save changing the row between the re-check's look-up and its lock). */
let onLookup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dns.promises.lookup = (async (host: string, opts: dns.LookupAllOptions) => {
    if (host !== HOST && host !== HOST2) return realLookup(host, opts);
    if (automationId) {
      // `skip locked` returns no row while another transaction holds it `for update`.
      const r = await t.deps.pool.query(`select id from automations where id = $1 for update skip locked`, [automationId]);
      seen.push({ host, rowLocked: r.rows.length === 0 });
    }
    const then = onLookup;
    onLookup = undefined;
    await then?.();
    return [{ address: host === HOST ? '10.0.0.7' : '127.0.0.9', family: 4 }];
  }) as typeof dns.promises.lookup;
  t = await startTestApp({ config: { logLevel: 'silent' } });
  token = (await t.createOrg('Recheck DNS')).token;
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'paid', schema: { fields: [{ name: 'total', type: 'number' }] } } })).status).toBe(201);
});
afterAll(async () => {
  dns.promises.lookup = realLookup;
  await t?.close();
});

it('resolves webhook hosts before locking: same issues, the row unlocked while the resolver answers', async () => {
  const a = await t.http('POST', '/v1/automations', {
    token,
    body: {
      name: 'hook',
      steps: [{ key: 'trigger', type: 'trigger', event: 'paid' }, { key: 'h', type: 'webhook', url: `https://${HOST}/hook` }],
      connections: [{ from: 'trigger', to: 'h' }],
    },
  });
  expect(a.status).toBe(201);
  const blocked = [`steps[h].url: host ${HOST} resolves to a private, loopback or link-local address (10.0.0.7); an operator may allow it with WEBHOOK_ALLOW_HOSTS`];
  expect(a.body.issues.map((i: any) => i.message)).toEqual(blocked);
  automationId = a.body.id;
  hostCache.delete(HOST); // the save's answer is cached: make the re-check ask again
  const u = await t.http('PATCH', '/v1/events/paid', { token, body: { schema: { fields: [{ name: 'total', type: 'string' }] } } });
  expect(u.status).toBe(200); // answers after its re-check (well within RECHECK_WAIT_MS here)
  const [row] = (await t.deps.pool.query(`select issues, checked_against from automations where id = $1`, [automationId])).rows;
  expect(row.issues.map((i: any) => i.message)).toEqual(blocked); // the re-check's result is unchanged
  expect(row.checked_against).toMatch(/^c\d+:/);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen).toEqual([{ host: HOST, rowLocked: false }]);
});

it('a row that names a new host between the look-up and the lock: the chunk rolls back, looks it up unlocked, checks again', async () => {
  seen.length = 0;
  hostCache.delete(HOST);
  const steps = [{ key: 'trigger', type: 'trigger', event: 'paid' }, { key: 'h', type: 'webhook', url: `https://${HOST2}/hook` }];
  onLookup = async () => {
    await t.deps.pool.query(`update automations set steps = $2 where id = $1`, [automationId, JSON.stringify(steps)]);
  };
  const u = await t.http('PATCH', '/v1/events/paid', { token, body: { schema: { fields: [{ name: 'total', type: 'number' }] } } });
  expect(u.status).toBe(200);
  const [row] = (await t.deps.pool.query(`select issues from automations where id = $1`, [automationId])).rows;
  expect(row.issues.map((i: any) => i.message)).toEqual([
    `steps[h].url: host ${HOST2} resolves to a private, loopback or link-local address (127.0.0.9); an operator may allow it with WEBHOOK_ALLOW_HOSTS`,
  ]);
  expect(seen).toEqual([{ host: HOST, rowLocked: false }, { host: HOST2, rowLocked: false }]);
});

it('enabling an automation whose stored check is stale looks its hosts up before taking its locks', async () => {
  seen.length = 0;
  hostCache.delete(HOST2);
  await t.deps.pool.query(`update automations set checked_against = 'stale' where id = $1`, [automationId]);
  const r = await t.http('POST', `/v1/automations/${automationId}/enable`, { token });
  // the check ran again (against the current definition) and refused the host's private address
  expect(r.status).toBe(422);
  expect(r.body.message).toBe(
    `steps[h].url: host ${HOST2} resolves to a private, loopback or link-local address (127.0.0.9); an operator may allow it with WEBHOOK_ALLOW_HOSTS`,
  );
  expect(seen).toEqual([{ host: HOST2, rowLocked: false }]);
});
