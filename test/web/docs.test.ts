/**
 * /docs tells the truth: every REST route documents its success body and its error statuses (in
 * the error shape), the request examples succeed when sent as they are (in the seed's order),
 * automation steps are documented per type, /graphql is not a REST route, and the page reads on a
 * phone and carries our title.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let spec: any;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  token = (await t.createOrg()).token;
  spec = (await t.http('GET', '/openapi.json')).body;
});
afterAll(() => t?.close());

const ops = () =>
  Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })));

it('documents every route: a success body, 401 and each error in the error shape; /graphql is not listed', () => {
  expect(Object.keys(spec.paths).some((p) => p.startsWith('/graphql'))).toBe(false);
  expect(ops().length).toBeGreaterThanOrEqual(20);
  for (const { path, method, op } of ops()) {
    const codes = Object.keys(op.responses ?? {});
    const ok = codes.filter((c) => /^2/.test(c));
    expect(ok, `${method} ${path}`).toHaveLength(1);
    expect(op.responses[ok[0]].content['application/json'].schema.type, `${method} ${path}`).toBe('object');
    expect(codes, `${method} ${path}`).toContain('401');
    for (const c of codes.filter((x) => /^[45]/.test(x))) {
      expect(op.responses[c].content['application/json'].schema.required, `${method} ${path} ${c}`).toEqual(['status_code', 'name', 'message']);
    }
  }
  const created = spec.paths['/v1/events/send'].post.responses;
  expect(Object.keys(created)).toEqual(expect.arrayContaining(['202', '404', '422']));
  expect(spec.paths['/v1/events'].post.responses['201']).toBeDefined();
});

it('documents automation steps one type at a time', () => {
  const schema = spec.paths['/v1/automations'].post.requestBody.content['application/json'].schema;
  const variants = schema.properties.steps.items.oneOf;
  expect(variants.map((v: any) => v.title)).toEqual(['trigger', 'condition', 'send_email', 'wait', 'webhook']);
  expect(variants[1].properties.if.properties.op.enum).toContain('gte');
});

it('the request examples succeed as they are, in the seed order', async () => {
  const example = (path: string, method: string) => spec.paths[path][method].requestBody.content['application/json'].example;
  const expectStatus = async (method: string, path: string, body: unknown, status: number) => {
    const r = await t.http(method, path, { token, body });
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };
  await expectStatus('POST', '/v1/events', example('/v1/events', 'post'), 201);
  await expectStatus('PATCH', '/v1/events/order.completed', example('/v1/events/{id}', 'patch'), 200);
  await expectStatus('POST', '/v1/events/send', example('/v1/events/send', 'post'), 202);
  await expectStatus('POST', '/v1/contacts', example('/v1/contacts', 'post'), 201);
  const a = await expectStatus('POST', '/v1/automations', example('/v1/automations', 'post'), 201);
  expect(a.issues).toEqual([]);
  await expectStatus('PATCH', `/v1/automations/${a.id}`, example('/v1/automations/{id}', 'patch'), 200);
  await expectStatus('POST', `/v1/automations/${a.id}/enable`, undefined, 200);
  // The event's path parameter example is the event's name.
  expect(spec.paths['/v1/events/{id}'].get.parameters[0].examples ?? spec.paths['/v1/events/{id}'].get.parameters[0].example).toBeTruthy();
});

it('the docs page has a viewport meta and our title, and offers the dashboard key', async () => {
  const page = await t.http('GET', '/docs');
  const html = page.text as string;
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(html).toMatch(/<title>arsel-events REST API<\/title>/);
  const init = await t.http('GET', '/docs/static/swagger-initializer.js');
  expect(init.text).toMatch(/localStorage\.getItem\(["']arsel\.apiKey["']\)/);
  expect(init.text).toMatch(/"?persistAuthorization"?: ?true/);
});
