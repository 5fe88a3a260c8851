/**
 * Regression (issue 19 item 7): an event named like a UUID could be sent to but was 404 by name on
 * REST and even on GraphQL `event(name:)` and `sends(filter:{event})`. Rule (src/shared/event-ref.ts):
 * an explicit name is a name; a REST `{id}` (and GraphQL `id` arguments) that is UUID-shaped is an
 * id first and a name when no definition of the org has that id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
});
afterAll(() => t?.close());

const NAMES = {
  'v7 lower': '11111111-2222-7333-8444-555555555555',
  'v4 lower': 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  'v4 upper': 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', // a different name from the lower-case one (names are case-sensitive)
  'v7 upper': '0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B',
  'nil-like': '00000000-0000-0000-0000-000000000000',
};

const enc = encodeURIComponent;
const gql = async (query: string, variables: Record<string, unknown>, tok = token) =>
  (await t.http('POST', '/graphql', { token: tok, body: { query, variables } })).body as { data?: any; errors?: { message: string; extensions: Record<string, any> }[] };
const send = (event: string, data: Record<string, unknown>) => t.http('POST', '/v1/events/send', { token, body: { event, email: 'u@example.com', data } });
const flow = (name: string, event: string) => ({
  name,
  steps: [
    { key: 'trigger', type: 'trigger', event },
    { key: 'mail', type: 'send_email', subject: 'n = {{ event.n }}', body: 'x' },
  ],
  connections: [{ from: 'trigger', to: 'mail' }],
});
const ids = (list: { id: string }[]) => list.map((x) => x.id);

const EVENT_Q = 'query($id: ID, $name: String) { event(id: $id, name: $name) { id name automations(first: 50) { edges { node { id } } } } }';
const SENDS_Q = 'query($event: String, $status: SendStatus) { sends(filter: {event: $event, status: $status}, first: 50) { edges { node { id event status } } } }';
const AUTOMATIONS_Q = 'query($event: String) { automations(event: $event, first: 50) { edges { node { id triggerEvent issues { message } } } } }';

describe.each(Object.entries(NAMES))('an event named like a UUID (%s)', (_label, name) => {
  let id: string;
  let accepted: string;
  let rejected: string;
  let automation: string;

  beforeAll(async () => {
    const c = await t.http('POST', '/v1/events', { token, body: { name, schema: { fields: [{ name: 'n', type: 'number', required: true }] } } });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    id = c.body.id;
    expect(id).not.toBe(name.toLowerCase());
    const a = await send(name, { n: 1 });
    expect(a.status).toBe(202);
    accepted = a.body.id;
    const r = await send(name, { n: 'one' });
    expect(r.status).toBe(422);
    rejected = r.body.id;
    const auto = await t.http('POST', '/v1/automations', { token, body: flow(`on ${name}`, name) });
    expect(auto.status).toBe(201);
    // the trigger names the event: it is found by name and type-checks against its schema
    expect(auto.body.issues).toEqual([]);
    automation = auto.body.id;
  });

  it('REST GET /v1/events/{name} and /v1/events/{id} both find it', async () => {
    for (const ref of [name, id, id.toUpperCase()]) {
      const r = await t.http('GET', `/v1/events/${enc(ref)}`, { token });
      expect(r.status, ref).toBe(200);
      expect(r.body).toMatchObject({ id, name });
    }
  });

  it('REST GET /v1/events/{name|id}/sends lists its sends, status filter included', async () => {
    for (const ref of [name, id]) {
      const all = await t.http('GET', `/v1/events/${enc(ref)}/sends`, { token });
      expect(all.status, ref).toBe(200);
      expect(ids(all.body.data)).toEqual([rejected, accepted]);
      expect(all.body.data.every((s: { event: string }) => s.event === name)).toBe(true);
      const rej = await t.http('GET', `/v1/events/${enc(ref)}/sends?status=rejected`, { token });
      expect(ids(rej.body.data)).toEqual([rejected]);
      // a page past the end is an empty page of this event, not a 404
      const past = await t.http('GET', `/v1/events/${enc(ref)}/sends?after=${accepted}`, { token });
      expect(past.status).toBe(200);
      expect(past.body.data).toEqual([]);
    }
  });

  it('REST GET /v1/events/{name|id}/automations lists the automation it triggers', async () => {
    for (const ref of [name, id]) {
      const r = await t.http('GET', `/v1/events/${enc(ref)}/automations`, { token });
      expect(r.status, ref).toBe(200);
      expect(ids(r.body.data)).toEqual([automation]);
    }
  });

  it('REST ?event= filters and GraphQL automations(event:) take the name', async () => {
    const r = await t.http('GET', `/v1/automations?event=${enc(name)}`, { token });
    expect(ids(r.body.data)).toEqual([automation]);
    const g = await gql(AUTOMATIONS_Q, { event: name });
    expect(g.data.automations.edges.map((e: any) => e.node)).toEqual([{ id: automation, triggerEvent: name, issues: [] }]);
  });

  it('GraphQL event(name:) is a name, event(id:) an id (or a name when no id matches)', async () => {
    const byName = await gql(EVENT_Q, { name });
    expect(byName.errors).toBeUndefined();
    expect(byName.data.event).toEqual({ id, name, automations: { edges: [{ node: { id: automation } }] } });
    expect((await gql(EVENT_Q, { id })).data.event).toMatchObject({ id, name });
    expect((await gql(EVENT_Q, { id: name })).data.event).toMatchObject({ id, name });
    // the id is not a name
    const idAsName = await gql(EVENT_Q, { name: id });
    expect(idAsName.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', status_code: 404 });
  });

  it('GraphQL sends(filter:{event}) takes the name (and still an id)', async () => {
    for (const ref of [name, id]) {
      const g = await gql(SENDS_Q, { event: ref });
      expect(g.errors, ref).toBeUndefined();
      expect(g.data.sends.edges.map((e: any) => e.node)).toEqual([
        { id: rejected, event: name, status: 'REJECTED' },
        { id: accepted, event: name, status: 'ACCEPTED' },
      ]);
    }
    const rej = await gql(SENDS_Q, { event: name, status: 'REJECTED' });
    expect(rej.data.sends.edges.map((e: any) => e.node.id)).toEqual([rejected]);
  });

  it('another organization gets 404 by name and by id, on every route', async () => {
    for (const ref of [name, id]) {
      for (const path of [`/v1/events/${enc(ref)}`, `/v1/events/${enc(ref)}/sends`, `/v1/events/${enc(ref)}/automations`]) {
        const r = await t.http('GET', path, { token: other });
        expect(r.status, path).toBe(404);
        expect(r.body).toEqual({ status_code: 404, name: 'not_found', message: `Event ${ref} not found` });
      }
      expect((await t.http('PATCH', `/v1/events/${enc(ref)}`, { token: other, body: { description: 'x' } })).status).toBe(404);
      expect((await t.http('DELETE', `/v1/events/${enc(ref)}`, { token: other })).status).toBe(404);
      expect((await gql(SENDS_Q, { event: ref }, other)).errors![0].extensions.code).toBe('NOT_FOUND');
    }
    expect((await gql(EVENT_Q, { name }, other)).errors![0].extensions.code).toBe('NOT_FOUND');
  });

  it('PATCH by name (REST and GraphQL updateEvent), DELETE by name; history by name survives the delete', async () => {
    const p = await t.http('PATCH', `/v1/events/${enc(name)}`, { token, body: { description: 'by name' } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id, name, description: 'by name' });
    const u = await gql('mutation($id: ID!) { updateEvent(id: $id, input: {description: "via gql"}) { id description } }', { id: name });
    expect(u.data.updateEvent).toEqual({ id, description: 'via gql' });
    // the enabled automation it triggers blocks the delete, by name as by id
    expect((await t.http('POST', `/v1/automations/${automation}/enable`, { token })).status).toBe(200);
    const blocked = await t.http('DELETE', `/v1/events/${enc(name)}`, { token });
    expect(blocked.status).toBe(409);
    expect(blocked.body.name).toBe('conflict');
    expect((await t.http('POST', `/v1/automations/${automation}/disable`, { token })).status).toBe(200);
    const d = await t.http('DELETE', `/v1/events/${enc(name)}`, { token });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ object: 'event', id, deleted: true });
    expect((await t.http('GET', `/v1/events/${enc(name)}`, { token })).status).toBe(404);
    expect((await t.http('GET', `/v1/events/${id}`, { token })).status).toBe(404);
    expect((await gql(EVENT_Q, { name })).errors![0].extensions.code).toBe('NOT_FOUND');
    // recorded sends of a deleted event stay queryable, by name and by id
    for (const ref of [name, id]) {
      const h = await t.http('GET', `/v1/events/${enc(ref)}/sends`, { token });
      expect(h.status).toBe(200);
      expect(ids(h.body.data)).toEqual([rejected, accepted]);
    }
    expect((await gql(SENDS_Q, { event: name })).data.sends.edges).toHaveLength(2);
  });
});

describe('UUID-shaped references that match nothing', () => {
  const unknown = '0190a1b2-c3d4-7e5f-8a6b-ffffffffffff';
  it('are 404 in the contract shape on every route and query', async () => {
    for (const ref of [unknown, unknown.toUpperCase()]) {
      for (const [method, path] of [['GET', ''], ['GET', '/sends'], ['GET', '/automations'], ['PATCH', ''], ['DELETE', '']] as const) {
        const r = await t.http(method, `/v1/events/${ref}${path}`, { token, ...(method === 'PATCH' ? { body: { description: 'x' } } : {}) });
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.body).toEqual({ status_code: 404, name: 'not_found', message: `Event ${ref} not found` });
      }
      expect((await gql(EVENT_Q, { id: ref })).errors![0].extensions.code).toBe('NOT_FOUND');
      expect((await gql(EVENT_Q, { name: ref })).errors![0].extensions.code).toBe('NOT_FOUND');
      expect((await gql(SENDS_Q, { event: ref })).errors![0].extensions.code).toBe('NOT_FOUND');
    }
  });
});

describe('precedence when an organization names an event like one of its own ids', () => {
  it('a REST {id} (and GraphQL id) finds the id; GraphQL event(name:) and sends(filter:{event}) find the name', async () => {
    const org = (await t.createOrg('Twins')).token;
    const first = await t.http('POST', '/v1/events', { token: org, body: { name: 'first' } });
    const twin = await t.http('POST', '/v1/events', { token: org, body: { name: first.body.id } });
    expect(twin.status).toBe(201);
    const s1 = await t.http('POST', '/v1/events/send', { token: org, body: { event: 'first', email: 'a@example.com', data: {} } });
    const s2 = await t.http('POST', '/v1/events/send', { token: org, body: { event: first.body.id, email: 'a@example.com', data: {} } });
    expect([s1.status, s2.status]).toEqual([202, 202]);

    expect((await t.http('GET', `/v1/events/${first.body.id}`, { token: org })).body.name).toBe('first');
    expect((await t.http('GET', `/v1/events/${first.body.id.toUpperCase()}`, { token: org })).body.name).toBe('first');
    expect(ids((await t.http('GET', `/v1/events/${first.body.id}/sends`, { token: org })).body.data)).toEqual([s1.body.id]);
    expect((await gql(EVENT_Q, { id: first.body.id }, org)).data.event.name).toBe('first');

    expect((await gql(EVENT_Q, { name: first.body.id }, org)).data.event.id).toBe(twin.body.id);
    expect((await gql(SENDS_Q, { event: first.body.id }, org)).data.sends.edges.map((e: any) => e.node.id)).toEqual([s2.body.id]);
    // the twin is still reachable on REST by its own id
    expect((await t.http('GET', `/v1/events/${twin.body.id}/sends`, { token: org })).body.data.map((s: any) => s.id)).toEqual([s2.body.id]);
  });
});
