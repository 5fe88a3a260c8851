import net from 'node:net';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitter, SEND_QUEUE, type SendRow } from '../../src/sends/committer.js';
import { sendServices } from '../../src/sends/send.service.js';
import { MARK_PROCESSED, processSends } from '../../src/sends/send.worker.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
let defId: string;

const q = async (sql: string, values: unknown[] = []) => (await t.deps.pool.query(sql, values)).rows;
const send = (body: unknown) => t.http('POST', '/v1/events/send', { token, body });

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  ({ token, orgId } = await t.createOrg('Acme'));
  const r = await t.http('POST', '/v1/events', { token, body: { name: 'signup', schema: { fields: [{ name: 'plan', type: 'string' }] } } });
  defId = r.body.id;
  // An enabled automation triggered by the event (only a trigger step: the run completes at once).
  await q(
    `insert into automations (id, organization_id, name, status, trigger_event, steps, connections, webhook_secret)
     values ($1, $2, 'welcome', 'enabled', 'signup', '[{"key":"trigger","type":"trigger","event":"signup"}]', '[]', 'secret')`,
    [uuidv7(), orgId],
  );
  // A real failure for the retry path: the database refuses to mark this send processed.
  await q(`create function boom() returns trigger language plpgsql as $$
    begin if new.status = 'processed' and new.data->>'plan' = 'boom' then raise exception 'boom: cannot process'; end if; return new; end $$`);
  await q(`create trigger boom before update on event_sends for each row execute function boom()`);
});
afterAll(() => t?.close());

const row = (over: Partial<SendRow> = {}): SendRow => ({
  id: uuidv7(), orgId, definitionId: defId, eventName: 'signup', contactId: null, email: 'x@example.com', data: '{}',
  timestamp: new Date().toISOString(), status: 'accepted', errors: null, idempotencyKey: null, schemaVersion: 1, ...over,
});

describe('group commit atomicity', () => {
  it('a failing request rolls back entirely (neither its sends nor their jobs) while its batch neighbours commit', async () => {
    const { committer } = sendServices(t.deps);
    const existing = row();
    await committer.submit([existing]);
    const good = row();
    const doomed = row(); // committed together with a duplicate primary key → that request must fail
    const results = await Promise.allSettled([committer.submit([good]), committer.submit([doomed, { ...existing }]), committer.submit([row({ status: 'rejected', errors: '[]' })])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await q('select id from event_sends where id = $1', [doomed.id])).toHaveLength(0);
    expect(await q(`select id from pgboss.job where name = $1 and data->'ids' ? $2::text`, [SEND_QUEUE, doomed.id])).toHaveLength(0);
    expect(await q('select id from event_sends where id = $1', [good.id])).toHaveLength(1);
    expect(await q(`select id from pgboss.job where name = $1 and data->'ids' ? $2::text`, [SEND_QUEUE, good.id])).toHaveLength(1);
  });
});

describe('group commit as one statement', () => {
  it('a batch without Idempotency-Keys commits its sends and one job (with the queue policy) in one statement', async () => {
    const committer = new GroupCommitter(t.deps.pool, t.deps.boss, { windowMs: 50 });
    const a = row();
    const b = row();
    const rejected = row({ status: 'rejected', errors: '[{"field":"plan","message":"must be a string"}]' });
    await Promise.all([committer.submit([a]), committer.submit([b, rejected])]);
    expect(committer.stats).toMatchObject({ batches: 1, singleStatement: 1, sends: 3 });
    expect((await q('select id, status from event_sends where id = any($1::uuid[]) order by id', [[a.id, b.id, rejected.id]])).map((r) => r.status)).toEqual(
      [a, b, rejected].sort((x, y) => (x.id < y.id ? -1 : 1)).map((r) => r.status),
    );
    const jobs = await q(`select data, retry_limit, retry_backoff, heartbeat_seconds, expire_seconds from pgboss.job where name = $1 and data->'ids' ? $2::text`, [SEND_QUEUE, a.id]);
    expect(jobs).toHaveLength(1);
    expect([...jobs[0].data.ids].sort()).toEqual([a.id, b.id].sort()); // only the accepted ones
    expect(jobs[0]).toMatchObject({ retry_limit: 3, retry_backoff: true, heartbeat_seconds: 10, expire_seconds: 300 });
  });

  it('requests with an Idempotency-Key commit in a transaction with their key, beside the one statement of the others', async () => {
    const committer = new GroupCommitter(t.deps.pool, t.deps.boss, { windowMs: 50 });
    const a = row();
    const keyed = row({ idempotencyKey: `k-${a.id}` });
    const key = { orgId, key: `k-${a.id}`, hash: 'h', status: 202, response: '{}' };
    expect(await Promise.all([committer.submit([a]), committer.submit([keyed], key)])).toEqual(['committed', 'committed']);
    expect(committer.stats).toMatchObject({ batches: 2, singleStatement: 1, sends: 2 });
    expect(await q('select key from idempotency_keys where organization_id = $1 and key = $2', [orgId, key.key])).toHaveLength(1);
    for (const s of [a, keyed]) expect(await q(`select id from pgboss.job where name = $1 and data->'ids' ? $2::text`, [SEND_QUEUE, s.id])).toHaveLength(1);
  });
});

describe('group commit against a hung database', () => {
  it('bounds every wait (in a commit, or queued behind one) with a 503, never a hang', async () => {
    const sockets: net.Socket[] = [];
    const hung = net.createServer((c) => void sockets.push(c)); // accepts, never answers
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${(hung.address() as net.AddressInfo).port}/x`, max: 1 });
    pool.on('error', () => {});
    const committer = new GroupCommitter(pool, t.deps.boss, { commitTimeoutMs: 300, maxConcurrent: 1 });
    const started = Date.now();
    const first = committer.submit([row()]);
    await new Promise((r) => setTimeout(r, 20)); // the first batch holds the only slot
    const second = committer.submit([row()]);
    await new Promise((r) => setTimeout(r, 200));
    // Queued later: it waits its own full timeout, not the one of the unit ahead of it.
    const third = committer.submit([row()]);
    const thirdSubmitted = Date.now();
    const thirdSettled = third.then(
      () => Date.now(),
      () => Date.now(),
    );
    const results = await Promise.allSettled([first, second, third]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await thirdSettled) - thirdSubmitted).toBeGreaterThanOrEqual(290);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'service_unavailable', headers: { 'retry-after': expect.any(String) } });
    }
    for (const s of sockets) s.destroy();
    hung.close();
    await pool.end().catch(() => {});
  });
});

describe('worker', () => {
  it('processes every accepted send once: contact found or created, one automation run per send, even when re-run', async () => {
    const emails = Array.from({ length: 30 }, (_, i) => `w${i % 10}@Example.com`);
    const r = await send({ events: emails.map((email) => ({ event: 'signup', email, data: { plan: 'pro' } })) });
    const ids: string[] = r.body.results.map((x: { id: string }) => x.id);
    await until(() => q(`select count(*)::int n from event_sends where id = any($1) and status = 'processed'`, [ids]), (x) => x[0].n === 30);
    expect((await q(`select count(*)::int n from contacts where organization_id = $1 and email like 'w%@example.com'`, [orgId]))[0].n).toBe(10);
    expect((await q(`select count(*)::int n from automation_runs where send_id = any($1)`, [ids]))[0].n).toBe(30);
    // at-least-once underneath: processing the same sends again changes nothing
    expect(await processSends(t.deps, ids)).toBe(0);
    expect((await q(`select count(*)::int n from automation_runs where send_id = any($1)`, [ids]))[0].n).toBe(30);
  });

  it('a send that keeps failing is retried with backoff and then marked failed with the error; its batch neighbours are processed', async () => {
    const r = await send({ events: [{ event: 'signup', email: 'ok@example.com', data: { plan: 'pro' } }, { event: 'signup', email: 'bad@example.com', data: { plan: 'boom' } }] });
    const [ok, bad] = r.body.results.map((x: { id: string }) => x.id);
    await until(() => q(`select status from event_sends where id = $1`, [ok]), (x) => x[0].status === 'processed');
    const failed = await until(() => q(`select status, failure_reason, processed_at from event_sends where id = $1`, [bad]), (x) => x[0].status === 'failed', 40_000);
    expect(failed[0].failure_reason).toContain('boom: cannot process');
    // the send is marked inside the handler; pg-boss records the job's failure right after it returns
    const job = await until(() => q(`select state, retry_count, output from pgboss.job where name = $1 and data->'ids' ? $2::text`, [SEND_QUEUE, bad]), (x) => x[0].state === 'failed');
    expect(job[0].state).toBe('failed');
    expect(job[0].retry_count).toBe(3);
    expect(job[0].output.failed).toEqual([{ id: bad, error: 'boom: cannot process' }]);
    const h = await t.http('GET', '/v1/events/signup/sends?status=failed', { token });
    expect(h.body.data[0]).toMatchObject({ id: bad, status: 'failed', failure_reason: expect.stringContaining('boom') });
  }, 60_000);

  it('remembers a contact only once its transaction committed: after a rolled-back attempt the next send creates it', async () => {
    const email = `rolled-back-${uuidv7()}@example.com`;
    // Rows without jobs, so only this test processes them.
    const insert = async (plan: string) => {
      const id = uuidv7();
      await q(`insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status)
               values ($1, $2, $3, 'signup', $4, $5, now(), 'accepted')`, [id, orgId, defId, email.toUpperCase(), JSON.stringify({ plan })]);
      return id;
    };
    const doomed = await insert('boom'); // the contact is created, then the update fails: all rolled back
    await expect(processSends(t.deps, [doomed])).rejects.toThrow(/boom/);
    expect(await q('select id from contacts where organization_id = $1 and email = $2', [orgId, email])).toHaveLength(0);
    const fine = await insert('pro');
    expect(await processSends(t.deps, [fine])).toBe(1);
    const contacts = await q('select id from contacts where organization_id = $1 and email = $2', [orgId, email]);
    expect(contacts).toHaveLength(1);
    expect((await q('select contact_id from event_sends where id = $1', [fine]))[0].contact_id).toBe(contacts[0].id);
    // remembered now: a further send for the address gets the same contact
    const again = await insert('pro');
    expect(await processSends(t.deps, [again])).toBe(1);
    expect((await q('select contact_id from event_sends where id = $1', [again]))[0].contact_id).toBe(contacts[0].id);
  });
});

describe('processing update and the history indexes', () => {
  it('no index of event_sends covers a column the processing update changes, so that update can be HOT', async () => {
    const defs = (await q(`select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'event_sends'::regclass`)) as { name: string; def: string }[];
    expect(defs.length).toBeGreaterThanOrEqual(3);
    for (const d of defs) expect(d.def, d.name).not.toMatch(/\b(status|processed_at|contact_id)\b/);
    // fillfactor is a property of each partition (a partitioned table stores nothing itself)
    const parts = (await q(`select c.relname, c.reloptions from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'event_sends'::regclass`)) as { relname: string; reloptions: string[] | null }[];
    expect(parts.length).toBeGreaterThanOrEqual(4); // today, the next days, default
    for (const p of parts) expect(p.reloptions, p.relname).toContain('fillfactor=50');
  });

  it("the worker's processing UPDATE is heap-only (HOT) on this schema", async () => {
    // Accepted rows written directly (no job, so the running worker leaves them alone), then the
    // worker's own statement in a transaction of ours, whose HOT count PostgreSQL reports at once.
    const ids = Array.from({ length: 40 }, () => uuidv7());
    await q(
      `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status)
       select id, $2, $3, 'signup', 'hot@example.com', '{"plan":"pro"}', now(), 'accepted' from unnest($1::uuid[]) as id`,
      [ids, orgId, defId],
    );
    const contact = uuidv7();
    const c = await t.deps.pool.connect();
    try {
      await c.query('begin');
      const moved = await c.query(MARK_PROCESSED, [ids, ids.map(() => contact)]);
      expect(moved.rows).toHaveLength(40);
      // per partition: the statistics of a partitioned table are its partitions'
      const hot = await c.query(`select sum(pg_stat_get_xact_tuples_hot_updated(inhrelid))::int as n from pg_inherits where inhparent = 'event_sends'::regclass`);
      expect(hot.rows[0].n).toBeGreaterThanOrEqual(36); // fillfactor 50: room on the rows' own pages
      await c.query('commit');
    } finally {
      c.release();
    }
    expect((await q(`select count(*)::int n from event_sends where id = any($1) and status = 'processed' and contact_id = $2`, [ids, contact]))[0].n).toBe(40);
  });

  it('each status filter of the history returns exactly the sends of that status', async () => {
    const r = await t.http('POST', '/v1/events', { token, body: { name: 'statuses', schema: { fields: [] } } });
    const def = r.body.id as string;
    const ids: Record<string, string> = {};
    // Rows written directly (no job), so the worker leaves them as they are.
    for (const status of ['accepted', 'rejected', 'processed', 'failed']) {
      ids[status] = uuidv7();
      await q(
        `insert into event_sends (id, organization_id, event_definition_id, event_name, email, data, "timestamp", status, errors, failure_reason, processed_at)
         values ($1, $2, $3, 'statuses', 'x@example.com', '{}', now(), $4, $5, $6, $7)`,
        [ids[status], orgId, def, status, status === 'rejected' ? '[{"field":"x","message":"is required"}]' : null, status === 'failed' ? 'boom' : null, ['processed', 'failed'].includes(status) ? new Date() : null],
      );
    }
    for (const status of ['accepted', 'rejected', 'processed', 'failed']) {
      const h = await t.http('GET', `/v1/events/${def}/sends?status=${status}`, { token });
      expect(h.status).toBe(200);
      expect(h.body.data.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([[ids[status], status]]);
    }
    const all = await t.http('GET', `/v1/events/statuses/sends`, { token });
    expect(all.body.data).toHaveLength(4);
  });
});
