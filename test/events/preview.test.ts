/** Impact preview (?dry_run=true, previewEventUpdate) and safe changes (409 unless ?force=true). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForceUpdateEventDoc, PreviewEventUpdateDoc } from '../graphql/features.documents.js';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let flow: { id: string };
let draft: { id: string };

const f = (name: string, type: string, required = false) => ({ name, type, required });
const fields = [f('order_id', 'string', true), f('total', 'number', true), f('coupon', 'string')];
const newSchema = { schema: { fields: [f('order_id', 'string'), f('total', 'string', true), f('note', 'string')] } };
const create = async (body: unknown) => {
  const r = await t.http('POST', '/v1/automations', { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};
const q = async (sql: string, v: unknown[] = []) => (await t.deps.pool.query(sql, v)).rows;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg('Acme')).token;
  expect((await t.http('POST', '/v1/events', { token, body: { name: 'order', schema: { fields } } })).status).toBe(201);
  flow = await create({
    name: 'big orders',
    status: 'enabled',
    steps: [
      { key: 'trigger', type: 'trigger', event: 'order' },
      { key: 'later', type: 'wait', duration: 'PT1H' },
      { key: 'big', type: 'condition', if: { field: 'event.total', op: 'gte', value: 100 } },
      { key: 'mail', type: 'send_email', subject: 'Order {{ event.order_id }}', body: 'Thanks' },
    ],
    connections: [{ from: 'trigger', to: 'later' }, { from: 'later', to: 'big' }, { from: 'big', outcome: 'condition_met', to: 'mail' }],
  });
  draft = await create({
    name: 'coupons',
    steps: [{ key: 'trigger', type: 'trigger', event: 'order' }, { key: 'mail', type: 'send_email', subject: 'Coupon {{ event.coupon }}', body: 'x' }],
    connections: [{ from: 'trigger', to: 'mail' }],
  });
  for (let i = 0; i < 7; i++) {
    const r = await t.http('POST', '/v1/events/send', { token, body: { event: 'order', email: `c${i}@example.com`, data: { order_id: `o${i}`, total: 10 * i } } });
    expect(r.status).toBe(202);
  }
  expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'order', email: 'x@example.com', data: { total: 'no' } } })).status).toBe(422);
  // the enabled flow's runs wait an hour
  await until(() => q(`select count(*)::int n from automation_runs where automation_id = $1 and status = 'waiting'`, [flow.id]), (r) => r[0].n === 7);
});
afterAll(() => t?.close());

describe('PATCH /v1/events/{id}?dry_run=true', () => {
  it('answers the preview and saves nothing', async () => {
    const r = await t.http('PATCH', '/v1/events/order?dry_run=true', { token, body: newSchema });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'event_update_preview', sends_checked: 7, sends_rejected: 7 });
    expect(r.body.event).toMatchObject({ name: 'order', version: 2, schema: newSchema.schema });
    expect(r.body.changes).toEqual([
      { field: 'order_id', change: 'now_optional' },
      { field: 'total', change: 'type_changed', from: 'number', to: 'string' },
      { field: 'coupon', change: 'removed' },
      { field: 'note', change: 'added' },
    ]);
    expect(r.body.automations.map((a: any) => [a.id, a.name, a.status])).toEqual([[draft.id, 'coupons', 'draft'], [flow.id, 'big orders', 'enabled']].sort((a, b) => (a[0] < b[0] ? 1 : -1)));
    const big = r.body.automations.find((a: any) => a.id === flow.id);
    expect(big.issues).toEqual([
      { step: 'big', path: 'steps[big].if.op', reason: 'gte does not apply to string field event.total (use eq, neq, contains, exists)', message: 'steps[big].if.op: gte does not apply to string field event.total (use eq, neq, contains, exists)' },
    ]);
    expect(r.body.examples).toHaveLength(5);
    expect(r.body.examples[0]).toEqual({ send_id: expect.any(String), errors: [{ field: 'total', message: 'must be a string' }] });
    // nothing saved
    const now = await t.http('GET', '/v1/events/order', { token });
    expect(now.body.version).toBe(1);
    expect(now.body.schema.fields).toEqual(fields);
    expect((await t.http('GET', `/v1/automations/${flow.id}`, { token })).body).toMatchObject({ status: 'enabled', issues: [] });
  });

  it('a change that breaks nothing lists nothing; bad input is the update\'s own 4xx', async () => {
    const r = await t.http('PATCH', '/v1/events/order?dry_run=true', { token, body: { description: 'd' } });
    expect(r.body).toMatchObject({ changes: [], automations: [], sends_checked: 7, sends_rejected: 0, examples: [] });
    expect(r.body.event.version).toBe(1);
    expect((await t.http('PATCH', '/v1/events/order?dry_run=true', { token, body: { conversion: { enabled: true, value_field: 'order_id' } } })).status).toBe(400);
    expect((await t.http('PATCH', '/v1/events/nope?dry_run=true', { token, body: {} })).status).toBe(404);
    expect((await t.http('PATCH', '/v1/events/order?dry_run=perhaps', { token, body: {} })).status).toBe(422);
  });

  it('reads stored issues checked against the current definition instead of checking it again', async () => {
    const [row] = await q(`select issues, checked_against from automations where id = $1`, [flow.id]);
    expect(row.checked_against).toMatch(/^c\d+:/); // current: the preview reads it
    const listed = async () => (await t.http('PATCH', '/v1/events/order?dry_run=true', { token, body: newSchema })).body.automations.map((a: any) => a.id);
    expect(await listed()).toContain(flow.id);
    // The issue the new schema adds, stored as if the current schema had it already: not "added".
    const already = [{ step: 'big', path: 'steps[big].if.op', reason: 'r', message: 'steps[big].if.op: gte does not apply to string field event.total (use eq, neq, contains, exists)' }];
    try {
      await q(`update automations set issues = $2 where id = $1`, [flow.id, JSON.stringify(already)]);
      expect(await listed()).not.toContain(flow.id);
      // Stale stored issues are not read: the current schema is checked again.
      await q(`update automations set checked_against = 'stale' where id = $1`, [flow.id]);
      expect(await listed()).toContain(flow.id);
    } finally {
      await q(`update automations set issues = $2, checked_against = $3 where id = $1`, [flow.id, JSON.stringify(row.issues), row.checked_against]);
    }
  });

  it('GraphQL previewEventUpdate gives the same', async () => {
    const r = await t.gql(PreviewEventUpdateDoc, { id: 'order', input: { schema: { fields: [{ name: 'order_id', type: 'STRING' }, { name: 'total', type: 'STRING', required: true }, { name: 'note', type: 'STRING' }] } } }, token);
    expect(r.errors).toBeUndefined();
    const p = r.data!.previewEventUpdate;
    expect(p.event.version).toBe(2);
    expect(p.changes[1]).toEqual({ field: 'total', change: 'TYPE_CHANGED', from: 'NUMBER', to: 'STRING' });
    expect(p.automations.map((a) => a.status).sort()).toEqual(['DRAFT', 'ENABLED']);
    expect([p.sendsChecked, p.sendsRejected, p.examples.length]).toEqual([7, 7, 5]);
  });
});

describe('PATCH /v1/events/{id}: safe changes', () => {
  it('refuses a change that breaks an enabled automation with 409 and the automations; nothing saved', async () => {
    const r = await t.http('PATCH', '/v1/events/order', { token, body: newSchema });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status_code: 409, name: 'conflict' });
    expect(r.body.automations).toEqual([{ id: flow.id, name: 'big orders', status: 'enabled', issues: [expect.objectContaining({ step: 'big', path: 'steps[big].if.op' })] }]);
    const g = await t.gql(ForceUpdateEventDoc, { id: 'order', input: { schema: { fields: [{ name: 'total', type: 'STRING' }] } } }, token);
    expect(g.errors![0].extensions).toMatchObject({ code: 'CONFLICT', status_code: 409, automations: [{ id: flow.id }] });
    expect((await t.http('GET', '/v1/events/order', { token })).body.version).toBe(1);
    // a change breaking only a draft goes through
    expect((await t.http('PATCH', '/v1/events/order', { token, body: { description: 'fine' } })).status).toBe(200);
  });

  it('?force=true saves it, disables the automation with its issues and cancels its waiting runs, in one transaction', async () => {
    const r = await t.http('PATCH', '/v1/events/order?force=true', { token, body: newSchema });
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(2);
    const a = (await t.http('GET', `/v1/automations/${flow.id}`, { token })).body;
    expect(a.status).toBe('disabled');
    expect(a.issues.map((i: any) => i.path)).toEqual(['steps[big].if.op']);
    const runs = await q(`select status, error from automation_runs where automation_id = $1`, [flow.id]);
    expect(runs).toHaveLength(7);
    expect(runs.every((x) => x.status === 'cancelled')).toBe(true);
    expect((await t.http('GET', `/v1/automations/${draft.id}`, { token })).body.status).toBe('draft');
    expect((await t.http('GET', '/v1/events/order/versions', { token })).body.data.map((v: any) => v.version)).toEqual([2, 1]);
  });

  it('GraphQL updateEvent(force: true)', async () => {
    await t.http('POST', `/v1/automations/${flow.id}/disable`, { token });
    const g = await t.gql(ForceUpdateEventDoc, { id: 'order', input: { schema: { fields: [{ name: 'total', type: 'NUMBER' }] } }, force: true }, token);
    expect(g.errors).toBeUndefined();
    expect(g.data!.updateEvent.version).toBe(3);
  });
});
