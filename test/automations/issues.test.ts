/**
 * Typed checking: each wrong automation is stored with its issues (step key + path + reason) and
 * refused on enable (422 listing them). Table-driven.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED } from './helpers.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
});
afterAll(() => t?.close());

type Flow = { name: string; steps: any[]; connections: any[] };

function valid(): Flow {
  return {
    name: 'Valid',
    steps: [
      { key: 'trigger', type: 'trigger', event: 'order.completed' },
      { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gt', value: 100 } },
      { key: 'thank', type: 'send_email', subject: 'Thanks for {{ event.order_id }}', body: 'Total {{ event.total }} at {{ event.placed_at | date: "%Y" }} for {{ contact.email }}' },
      { key: 'pause', type: 'wait', duration: 'PT1H' },
      { key: 'hook', type: 'webhook', url: 'https://93.184.216.34/hook', headers: { 'X-Team': 'ops' } },
    ],
    connections: [
      { from: 'trigger', to: 'check' },
      { from: 'check', outcome: 'condition_met', to: 'thank' },
      { from: 'check', outcome: 'condition_not_met', to: 'pause' },
      { from: 'pause', to: 'hook' },
    ],
  };
}

const step = (f: Flow, key: string) => f.steps.find((s) => s.key === key)!;

/** [description, mutation, expected step key, expected path, expected reason (substring)] */
const CASES: [string, (f: Flow) => void, string | null, string, string][] = [
  ['trigger names an unknown event', (f) => (step(f, 'trigger').event = 'order.complete'), 'trigger', 'steps[trigger].event', 'unknown event order.complete'],
  ['no trigger step', (f) => ((f.steps = f.steps.filter((s) => s.key !== 'trigger')), (f.connections = f.connections.filter((c) => c.from !== 'trigger'))), null, 'steps', 'missing the trigger step'],
  ['condition on an undeclared field', (f) => (step(f, 'check').if.field = 'event.totl'), 'check', 'steps[check].if.field', 'unknown field event.totl'],
  ['condition value of the wrong type', (f) => (step(f, 'check').if.value = '100'), 'check', 'steps[check].if.value', 'expected a number for event.total'],
  ['op that does not fit a boolean', (f) => (step(f, 'check').if = { field: 'event.is_gift', op: 'gt', value: true }), 'check', 'steps[check].if.op', 'gt does not apply to boolean field event.is_gift'],
  ['contains on a number', (f) => (step(f, 'check').if.op = 'contains'), 'check', 'steps[check].if.op', 'contains does not apply to number field event.total'],
  ['unknown op', (f) => (step(f, 'check').if.op = 'between'), 'check', 'steps[check].if.op', 'unknown op between'],
  ['date compared with a non-date', (f) => (step(f, 'check').if = { field: 'event.placed_at', op: 'gt', value: 'yesterday' }), 'check', 'steps[check].if.value', 'expected an ISO 8601 date for event.placed_at'],
  ['unknown contact field', (f) => (step(f, 'check').if = { field: 'contact.phone', op: 'exists' }), 'check', 'steps[check].if.field', 'unknown field contact.phone'],
  ['condition without if', (f) => delete step(f, 'check').if, 'check', 'steps[check].if', 'required'],
  ['template variable not declared', (f) => (step(f, 'thank').subject = 'Thanks {{ event.totl }}'), 'thank', 'steps[thank].subject', 'unknown field event.totl'],
  ['template that does not parse', (f) => (step(f, 'thank').body = '{% if event.total > 1 %}big'), 'thank', 'steps[thank].body', 'template does not parse'],
  ['template with an unknown filter', (f) => (step(f, 'thank').body = '{{ event.total | bogus }}'), 'thank', 'steps[thank].body', 'template does not parse: undefined filter: bogus'],
  ['template with an unknown variable', (f) => (step(f, 'thank').body = 'Hi {{ customer.name }}'), 'thank', 'steps[thank].body', 'unknown variable customer.name'],
  ['send_email without subject', (f) => delete step(f, 'thank').subject, 'thank', 'steps[thank].subject', 'required'],
  ['recipient template with an undeclared field', (f) => (step(f, 'thank').to = '{{ event.email }}'), 'thank', 'steps[thank].to', 'unknown field event.email'],
  ['unknown property on a step', (f) => (step(f, 'thank').cc = 'boss@example.com'), 'thank', 'steps[thank].cc', 'unknown property cc for a send_email step'],
  ['wait with a non-ISO duration', (f) => (step(f, 'pause').duration = '1h'), 'pause', 'steps[pause].duration', 'not an ISO 8601 duration'],
  ['wait of zero', (f) => (step(f, 'pause').duration = 'PT0S'), 'pause', 'steps[pause].duration', 'must be longer than zero'],
  ['webhook to a private address', (f) => (step(f, 'hook').url = 'http://10.1.2.3/hook'), 'hook', 'steps[hook].url', 'private, loopback or link-local address (10.1.2.3)'],
  ['webhook to loopback', (f) => (step(f, 'hook').url = 'http://127.0.0.1:8080/hook'), 'hook', 'steps[hook].url', 'loopback'],
  ['webhook to link-local metadata', (f) => (step(f, 'hook').url = 'http://169.254.169.254/latest/meta-data'), 'hook', 'steps[hook].url', '169.254.169.254'],
  ['webhook with a non-http scheme', (f) => (step(f, 'hook').url = 'ftp://example.com/x'), 'hook', 'steps[hook].url', 'only http and https'],
  ['webhook overriding the signature header', (f) => (step(f, 'hook').headers = { 'X-Arsel-Signature': 'x' }), 'hook', 'steps[hook].headers.X-Arsel-Signature', 'set by the server'],
  ['unknown step type', (f) => (step(f, 'hook').type = 'sms'), 'hook', 'steps[hook].type', 'unknown step type sms'],
  ['duplicate step key', (f) => f.steps.push({ key: 'thank', type: 'wait', duration: 'PT1M' }), 'thank', 'steps[thank].key', 'duplicate key thank'],
  ['unreachable step', (f) => f.steps.push({ key: 'orphan', type: 'wait', duration: 'PT1M' }), 'orphan', 'steps[orphan]', 'not reachable from the trigger'],
  ['cycle', (f) => f.connections.push({ from: 'hook', to: 'check' }), 'hook', 'connections', 'cycle check → pause → hook → check'],
  ['connection to an unknown step', (f) => f.connections.push({ from: 'thank', to: 'nope' }), null, 'connections[4].to', 'unknown step nope'],
  ['condition connection without outcome', (f) => (f.connections[1] = { from: 'check', to: 'thank' }), 'check', 'connections[1].outcome', 'needs an outcome'],
  ['outcome on a non-condition step', (f) => (f.connections[3] = { from: 'pause', outcome: 'condition_met', to: 'hook' }), 'pause', 'connections[3].outcome', 'only condition steps have outcomes'],
  ['two connections for one outcome', (f) => f.connections.push({ from: 'check', outcome: 'condition_met', to: 'hook' }), 'check', 'connections[4]', 'already has a condition_met connection'],
  ['connection back to the trigger', (f) => f.connections.push({ from: 'thank', to: 'trigger' }), 'trigger', 'connections[4].to', 'no connection may lead to the trigger'],
  [
    'more than 100 steps',
    (f) => {
      for (let i = 0; i < 100; i++) f.steps.push({ key: `w${i}`, type: 'wait', duration: 'PT1M' });
      f.connections.push({ from: 'thank', to: 'w0' });
      for (let i = 1; i < 100; i++) f.connections.push({ from: `w${i - 1}`, to: `w${i}` });
    },
    null,
    'steps',
    'at most 100 steps (got 105)',
  ],
];

describe('typed checking of automations', () => {
  it('a valid automation has no issues and enables', async () => {
    const r = await t.http('POST', '/v1/automations', { token, body: valid() });
    expect(r.status).toBe(201);
    expect(r.body.issues).toEqual([]);
    const e = await t.http('POST', `/v1/automations/${r.body.id}/enable`, { token });
    expect(e.status).toBe(200);
    expect(e.body.status).toBe('enabled');
  });

  it(`has at least 20 wrong automations in the table (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('%s: stored with the issue, refused on enable', async (_name, mutate, stepKey, path, reason) => {
    const flow = valid();
    flow.name = _name;
    mutate(flow);
    const r = await t.http('POST', '/v1/automations', { token, body: flow });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.status).toBe('draft');
    const hit = r.body.issues.find((i: any) => i.path === path && i.reason.includes(reason));
    expect(hit, `issues were: ${JSON.stringify(r.body.issues.map((i: any) => i.message))}`).toBeTruthy();
    expect(hit.step).toBe(stepKey);
    expect(hit.message).toBe(`${path}: ${hit.reason}`);

    const e = await t.http('POST', `/v1/automations/${r.body.id}/enable`, { token });
    expect(e.status).toBe(422);
    expect(e.body.status_code).toBe(422);
    expect(e.body.name).toBe('validation_error');
    expect(e.body.message).toContain(hit.message);
    expect(e.body.issues).toEqual(r.body.issues);

    const got = await t.http('GET', `/v1/automations/${r.body.id}`, { token });
    expect(got.body.status).toBe('draft');
    expect(got.body.issues).toEqual(r.body.issues);
  });

  it('the spec example: steps[thank].subject: unknown field event.totl', async () => {
    const flow = valid();
    step(flow, 'thank').subject = 'Your order of {{ event.totl }}';
    const r = await t.http('POST', '/v1/automations', { token, body: flow });
    expect(r.body.issues.map((i: any) => i.message)).toEqual(['steps[thank].subject: unknown field event.totl']);
  });

  it('creating with status enabled and issues is a 422 and stores nothing', async () => {
    const flow = { ...valid(), name: 'enabled-with-issues', status: 'enabled' };
    step(flow, 'check').if.field = 'event.nope';
    const r = await t.http('POST', '/v1/automations', { token, body: flow });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('steps[check].if.field: unknown field event.nope');
    const list = await t.http('GET', '/v1/automations?limit=100', { token });
    expect(list.body.data.some((a: any) => a.name === 'enabled-with-issues')).toBe(false);
  });

  it('a malformed body is a 422 validation_error, not an issue', async () => {
    const cases: [unknown, string][] = [
      [{ steps: [] }, 'name must be a string'],
      [{ name: 'x', steps: 'nope' }, 'steps must be an array'],
      [{ name: 'x', steps: [{ type: 'wait' }] }, 'steps.0.key must be a non-empty string'],
      [{ name: 'x', steps: [], connections: [{ from: 'a' }] }, 'connections.0.to must be a string'],
      [{ name: 'x', steps: [], connections: [{ from: 'a', to: 'b', outcome: 'maybe' }] }, 'connections.0.outcome must be one of the following values'],
      [{ name: 'x', steps: [], foo: 1 }, 'property foo should not exist'],
    ];
    for (const [body, msg] of cases) {
      const r = await t.http('POST', '/v1/automations', { token, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.name).toBe('validation_error');
      expect(r.body.message).toContain(msg);
    }
  });
});
