/** Schema versions: version 1 at creation, +1 per schema change only; the list; sends keep their version. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventVersionsDoc, SendVersionsDoc } from '../graphql/features.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let other: string;

const f = (name: string, type: string, required = false) => ({ name, type, required });
const patch = (body: unknown) => t.http('PATCH', '/v1/events/signup', { token, body });
const send = (data: Record<string, unknown>) => t.http('POST', '/v1/events/send', { token, body: { event: 'signup', email: 'v@example.com', data } });

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg('Acme')).token;
  other = (await t.createOrg('Other')).token;
});
afterAll(() => t?.close());

describe('schema versions', () => {
  it('version 1 at creation; schema changes make the next version, description/conversion/same schema do not', async () => {
    const c = await t.http('POST', '/v1/events', { token, body: { name: 'signup', schema: { fields: [f('plan', 'string', true)] } } });
    expect(c.status).toBe(201);
    expect(c.body.version).toBe(1);
    const s1 = await send({ plan: 'pro' });
    expect(s1.status).toBe(202);

    expect((await patch({ description: 'new' })).body.version).toBe(1);
    expect((await patch({ schema: { fields: [f('plan', 'string', true)] } })).body.version).toBe(1);
    const p2 = await patch({ schema: { fields: [f('plan', 'string', true), f('seats', 'number')] } });
    expect(p2.status).toBe(200);
    expect(p2.body.version).toBe(2);
    const s2 = await send({ plan: 'pro', seats: 3 });
    const s2bad = await send({ seats: 'x' });
    expect(s2bad.status).toBe(422);
    expect((await patch({ schema: { fields: [f('plan', 'string')] } })).body.version).toBe(3);
    expect((await t.http('GET', '/v1/events/signup', { token })).body.version).toBe(3);
    expect((await t.http('GET', '/v1/events', { token })).body.data[0].version).toBe(3);

    const v = await t.http('GET', '/v1/events/signup/versions', { token });
    expect(v.status).toBe(200);
    expect(v.body).toEqual({
      object: 'list',
      has_more: false,
      data: [
        { version: 3, schema: { fields: [f('plan', 'string')] }, created_at: expect.any(String) },
        { version: 2, schema: { fields: [f('plan', 'string', true), f('seats', 'number')] }, created_at: expect.any(String) },
        { version: 1, schema: { fields: [f('plan', 'string', true)] }, created_at: expect.any(String) },
      ],
    });
    const page = await t.http('GET', '/v1/events/signup/versions?limit=1&after=3', { token });
    expect(page.body).toMatchObject({ has_more: true, data: [{ version: 2 }] });
    const back = await t.http('GET', '/v1/events/signup/versions?limit=1&before=1', { token });
    expect(back.body).toMatchObject({ has_more: true, data: [{ version: 2 }] });
    expect((await t.http('GET', '/v1/events/signup/versions?after=abc', { token })).status).toBe(422);
    expect((await t.http('GET', `/v1/events/${c.body.id}/versions?limit=2`, { token })).body.data.map((x: { version: number }) => x.version)).toEqual([3, 2]);
    expect((await t.http('GET', '/v1/events/signup/versions', { token: other })).status).toBe(404);

    // every recorded send keeps the version it was validated against
    const hist = await t.http('GET', '/v1/events/signup/sends', { token });
    const byId = new Map(hist.body.data.map((s: { id: string; schema_version: number }) => [s.id, s.schema_version]));
    expect(byId.get(s1.body.id)).toBe(1);
    expect(byId.get(s2.body.id)).toBe(2);
    expect(byId.get(s2bad.body.id)).toBe(2);
    const g = await t.gql(SendVersionsDoc, { filter: { event: 'signup' } }, token);
    const gById = new Map(g.data!.sends.edges.map((e) => [e.node.id, e.node.schemaVersion]));
    expect(gById.get(s1.body.id)).toBe(1);
    expect(gById.get(s2.body.id)).toBe(2);
    expect(g.data!.sends.edges[0].node.replayedAt).toBeNull();
  });

  it('GraphQL EventDefinition.version and versions (a Relay connection)', async () => {
    const r = await t.gql(EventVersionsDoc, { name: 'signup', first: 2 }, token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.event.version).toBe(3);
    const conn = r.data!.event.versions;
    expect(conn.edges.map((e) => e.node.version)).toEqual([3, 2]);
    expect(conn.edges[1].node.schema.fields).toEqual([{ name: 'plan', type: 'STRING', required: true }, { name: 'seats', type: 'NUMBER', required: false }]);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(EventVersionsDoc, { name: 'signup', first: 2, after: conn.pageInfo.endCursor }, token);
    expect(next.data!.event.versions.edges.map((e) => e.node.version)).toEqual([1]);
  });
});
