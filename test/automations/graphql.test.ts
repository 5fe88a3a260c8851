/** The same automation contract over GraphQL: typed documents from the committed SDL, same errors as REST. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutomationDoc, AutomationRunDoc, AutomationRunsDoc, EventAutomationsDoc, AutomationsDoc, CreateAutomationDoc, DeleteAutomationDoc, DisableAutomationDoc, EnableAutomationDoc, UpdateAutomationDoc,
} from '../graphql/automations.documents.js';
import { DeleteEventDoc } from '../graphql/events.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, waitFor } from './helpers.js';

let t: TestApp;
let token: string;
let other: string;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
});
afterAll(() => t?.close());

const input = (subject: string) => ({
  name: 'GraphQL flow',
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'check', type: 'condition', if: { field: 'event.total', op: 'gte', value: 50 } },
    { key: 'thank', type: 'send_email', subject, body: 'Hi {{ contact.email }}' },
  ],
  connections: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'thank', outcome: 'CONDITION_MET' as const },
  ],
});

describe('automations over GraphQL', () => {
  it('create reports issues, enable refuses with VALIDATION_ERROR, update fixes, enable, runs, delete', async () => {
    const c = await t.gql(CreateAutomationDoc, { input: input('Order {{ event.totl }}') }, token);
    expect(c.errors).toBeUndefined();
    const a = c.data!.createAutomation;
    expect(a.status).toBe('DRAFT');
    expect(a.connections[1]).toEqual({ from: 'check', to: 'thank', outcome: 'CONDITION_MET' });
    expect(a.issues).toEqual([{ step: 'thank', path: 'steps[thank].subject', reason: 'unknown field event.totl', message: 'steps[thank].subject: unknown field event.totl' }]);

    const e = await t.gql(EnableAutomationDoc, { id: a.id }, token);
    expect(e.errors![0]!.message).toBe('steps[thank].subject: unknown field event.totl');
    expect(e.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
    expect(e.errors![0]!.extensions.issues).toHaveLength(1);

    const u = await t.gql(UpdateAutomationDoc, { id: a.id, input: { steps: input('Order {{ event.order_id }}').steps } }, token);
    expect(u.data!.updateAutomation.issues).toEqual([]);
    const en = await t.gql(EnableAutomationDoc, { id: a.id }, token);
    expect(en.data!.enableAutomation.status).toBe('ENABLED');

    const locked = await t.gql(UpdateAutomationDoc, { id: a.id, input: { steps: input('Other {{ event.order_id }}').steps } }, token);
    expect(locked.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', status_code: 409 });

    const send = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'g@example.com', data: { order_id: 'q-1', total: 75 } } });
    const runs = await waitFor(async () => {
      const r = await t.gql(AutomationRunsDoc, { filter: { automationId: a.id, status: 'COMPLETED' } }, token);
      return r.data?.automationRuns.edges.length ? r.data.automationRuns : null;
    }, 15_000, 'completed run');
    const run = runs.edges[0]!.node;
    expect(run.sendId).toBe(send.body.id);
    expect(run.steps.map((s) => s.outcome)).toEqual(['triggered', 'condition_met', 'queued']);
    expect(run.steps[1]!.details).toMatchObject({ actual: 75, value: 50, op: 'gte' });
    expect(run.steps[2]!.details).toMatchObject({ subject: 'Order q-1', to: 'g@example.com' });

    const one = await t.gql(AutomationRunDoc, { id: run.id }, token);
    expect(one.data!.automationRun).toMatchObject({ id: run.id, automationId: a.id, status: 'COMPLETED' });
    const onEvent = await t.gql(EventAutomationsDoc, { name: 'order.completed' }, token);
    expect(onEvent.data!.event.automations.edges.map((e) => e.node)).toEqual([{ id: a.id, name: 'GraphQL flow', status: 'ENABLED', broken: false, issues: [] }]);
    expect(onEvent.data!.event.automations.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const list = await t.gql(AutomationsDoc, { status: 'ENABLED', event: 'order.completed' }, token);
    expect(list.data!.automations.edges.map((x) => x.node.id)).toEqual([a.id]);
    expect((await t.gql(AutomationDoc, { id: a.id }, other)).errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', status_code: 404 });

    const d = await t.gql(DisableAutomationDoc, { id: a.id }, token);
    expect(d.data!.disableAutomation.status).toBe('DISABLED');
    const del = await t.gql(DeleteAutomationDoc, { id: a.id }, token);
    expect(del.data!.deleteAutomation).toEqual({ object: 'automation', id: a.id, deleted: true });
    expect((await t.gql(AutomationDoc, { id: a.id }, token)).errors![0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('input rules are the same as REST (class-validator wording)', async () => {
    const r = await t.gql(CreateAutomationDoc, { input: { name: '', steps: [] } }, token);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
    expect(r.errors![0]!.message).toBe('name must be longer than or equal to 1 characters');
  });

  it('deleteEvent of an event an enabled automation uses is CONFLICT with the spec message', async () => {
    const c = await t.gql(CreateAutomationDoc, { input: { ...input('Order {{ event.order_id }}'), status: 'ENABLED' } }, token);
    expect(c.data!.createAutomation.status).toBe('ENABLED');
    const d = await t.gql(DeleteEventDoc, { id: 'order.completed' }, token);
    expect(d.errors![0]!.message).toBe('Event "order.completed" is used by 1 active flow(s). Remove the trigger from those flows first.');
    expect(d.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', status_code: 409 });
  });
});
