/** Replays of rejected sends: re-validated against the current schema, accepted once, processed and triggering once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayDoc, ReplaySendsDoc } from '../graphql/features.documents.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;
let flowId: string;

const f = (name: string, type: string, required = false) => ({ name, type, required });
const q = async (sql: string, v: unknown[] = []) => (await t.deps.pool.query(sql, v)).rows;
const send = (data: Record<string, unknown>, event = 'signup') => t.http('POST', '/v1/events/send', { token, body: { event, email: 'r@example.com', data } });
const replay = (body: unknown, event = 'signup', tok = token) => t.http('POST', `/v1/events/${event}/sends/replay`, { token: tok, body });
const follow = (event: string, id: string) =>
  until(() => t.http('GET', `/v1/events/${event}/replays/${id}`, { token }).then((r) => r.body), (b) => b.status !== 'running', 30_000, 'replay finished');

async function rejected(n: number, data: (i: number) => Record<string, unknown>, event = 'signup'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await send(data(i), event);
    expect(r.status).toBe(422);
    ids.push(r.body.id);
  }
  return ids;
}

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'signup', schema: { fields: [f('plan', 'string', true), f('seats', 'number', true)] } } })).status).toBe(201);
  const a = await t.http('POST', '/v1/automations', {
    token,
    body: {
      name: 'welcome',
      status: 'enabled',
      steps: [{ key: 'trigger', type: 'trigger', event: 'signup' }, { key: 'later', type: 'wait', duration: 'PT1H' }],
      connections: [{ from: 'trigger', to: 'later' }],
    },
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  flowId = a.body.id;
});
afterAll(() => t?.close());

describe('POST /v1/events/{id}/sends/replay', () => {
  it('after a schema fix, 100 sends rejected for a missing field become accepted (same id, replayed_at, new version), each processed and triggering once; the others stay rejected with their new errors', async () => {
    const fixable = await rejected(100, (i) => ({ plan: `p${i}` }));
    const broken = await rejected(3, () => ({ plan: 5 }));
    expect((await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number')] } } })).body.version).toBe(2);

    const r = await replay({ status: 'rejected' });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ object: 'replay', id: expect.any(String), status: 'running', total: 103, done: 0, accepted: 0, still_rejected: 0, dry_run: false });
    const done = await follow('signup', r.body.id);
    expect(done).toEqual({ object: 'replay', id: r.body.id, status: 'completed', total: 103, done: 103, accepted: 100, still_rejected: 3, dry_run: false });

    await until(() => q(`select count(*)::int n from event_sends where id = any($1) and status = 'processed'`, [fixable]), (x) => x[0].n === 100, 30_000, 'replayed sends processed');
    const rows = await q(`select id, status, schema_version, replayed_at, errors from event_sends where id = any($1)`, [[...fixable, ...broken]]);
    for (const row of rows.filter((x) => fixable.includes(x.id))) expect(row).toMatchObject({ status: 'processed', schema_version: 2, errors: null, replayed_at: expect.any(Date) });
    for (const row of rows.filter((x) => broken.includes(x.id))) {
      expect(row).toMatchObject({ status: 'rejected', schema_version: 2, replayed_at: null, errors: [{ field: 'plan', message: 'must be a string' }] });
    }
    const runs = await q(`select send_id, count(*)::int n from automation_runs where automation_id = $1 group by send_id`, [flowId]);
    expect(runs).toHaveLength(100);
    expect(runs.every((x) => x.n === 1 && fixable.includes(x.send_id))).toBe(true);
    // history shows it
    const hist = await t.http('GET', '/v1/events/signup/sends?limit=1', { token });
    expect(hist.body.data[0]).toMatchObject({ status: 'rejected', schema_version: 2 });

    // replaying again accepts nothing twice
    const again = await replay({ status: 'rejected' });
    expect(await follow('signup', again.body.id)).toMatchObject({ total: 3, done: 3, accepted: 0, still_rejected: 3 });
    expect((await q(`select count(*)::int n from automation_runs where automation_id = $1`, [flowId]))[0].n).toBe(100);
    expect((await q(`select count(*)::int n from pgboss.job where name = 'sends.process' and data->'ids' ?| $1::text[]`, [fixable]))[0].n).toBeGreaterThan(0);
  });

  it('two replays racing over the same sends never accept one twice', async () => {
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number', true)] } } });
    const ids = await rejected(60, (i) => ({ plan: `race${i}` }));
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number')] } } });
    const [a, b] = await Promise.all([replay({ status: 'rejected', ids }), replay({ status: 'rejected', ids })]);
    const [ra, rb] = await Promise.all([follow('signup', a.body.id), follow('signup', b.body.id)]);
    expect(ra.accepted + rb.accepted).toBe(60);
    await until(() => q(`select count(*)::int n from automation_runs where send_id = any($1)`, [ids]), (x) => x[0].n === 60, 30_000, 'runs');
    const per = await q(`select count(*)::int n from automation_runs where send_id = any($1) group by send_id having count(*) > 1`, [ids]);
    expect(per).toEqual([]);
  });

  it('dry_run counts what would pass and changes nothing; ids, from and to narrow it', async () => {
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number', true)] } } });
    const start = new Date().toISOString();
    const ids = await rejected(4, (i) => ({ plan: `dry${i}` }));
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number')] } } });
    const dry = await replay({ status: 'rejected', dry_run: true, from: start });
    expect(dry.body).toMatchObject({ status: 'running', total: 4, dry_run: true });
    expect(await follow('signup', dry.body.id)).toMatchObject({ status: 'completed', done: 4, accepted: 4, still_rejected: 0, dry_run: true });
    expect((await q(`select count(*)::int n from event_sends where id = any($1) and status = 'rejected'`, [ids]))[0].n).toBe(4);
    const one = await replay({ status: 'rejected', ids: [ids[0]] });
    expect(one.body.total).toBe(1);
    expect(await follow('signup', one.body.id)).toMatchObject({ accepted: 1 });
    const none = await replay({ status: 'rejected', from: start, to: start });
    expect(none.status).toBe(422);
    const future = await replay({ status: 'rejected', from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.body).toMatchObject({ status: 'completed', total: 0 });
  });

  it('bad requests are clear 4xx', async () => {
    expect((await replay({})).status).toBe(422);
    expect((await replay({ status: 'accepted' })).body.message).toBe('status must be one of the following values: rejected');
    expect((await replay({ status: 'rejected', ids: ['nope'] })).status).toBe(422);
    expect((await replay({ status: 'rejected', from: 'yesterday' })).status).toBe(422);
    expect((await replay({ status: 'rejected', extra: 1 })).status).toBe(422);
    expect((await replay({ status: 'rejected' }, 'nope')).status).toBe(404);
    expect((await replay({ status: 'rejected' }, 'signup', other)).status).toBe(404);
    expect((await t.http('GET', '/v1/events/signup/replays/0195f3a0-0000-7000-8000-000000000000', { token })).status).toBe(404);
    expect((await t.http('GET', '/v1/events/signup/replays/nope', { token })).status).toBe(404);
  });

  it('GraphQL replaySends and replay', async () => {
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number', true)] } } });
    const from = new Date().toISOString();
    await rejected(2, (i) => ({ plan: `gql${i}` }));
    await rejected(1, () => ({ plan: 1 }));
    await t.http('PATCH', '/v1/events/signup', { token, body: { schema: { fields: [f('plan', 'string', true), f('seats', 'number')] } } });
    const r = await t.gql(ReplaySendsDoc, { event: 'signup', filter: { status: 'REJECTED', from } }, token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.replaySends).toMatchObject({ event: 'signup', status: 'RUNNING', total: 3, done: 0, dryRun: false });
    const end = await until(() => t.gql(ReplayDoc, { id: r.data!.replaySends.id }, token), (x) => x.data?.replay.status !== 'RUNNING', 30_000);
    expect(end.data!.replay).toMatchObject({ status: 'COMPLETED', done: 3, accepted: 2, stillRejected: 1, reason: null });
    expect((await t.gql(ReplayDoc, { id: r.data!.replaySends.id }, other)).errors![0].extensions.code).toBe('NOT_FOUND');
    const bad = await t.gql(ReplaySendsDoc, { event: 'signup', filter: { status: 'ACCEPTED' } }, token);
    expect(bad.errors![0].extensions.code).toBe('VALIDATION_ERROR');
  });
});
