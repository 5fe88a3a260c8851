// Regression: an invalid email on GraphQL sendEvent was Apollo's BAD_USER_INPUT (400) while REST
// answers 422 validation_error; one error model means both say the input rule was broken.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SendEventDoc } from '../graphql/sends.documents.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = (await t.createOrg()).token;
  await t.http('POST', '/v1/events', { token, body: { name: 'order.completed' } });
});
afterAll(() => t?.close());

it('invalid email: 422 validation_error on REST and VALIDATION_ERROR (422) on GraphQL', async () => {
  const rest = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'not-an-email', data: {} } });
  expect(rest.status).toBe(422);
  expect(rest.body).toMatchObject({ status_code: 422, name: 'validation_error', message: 'email must be an email' });

  const gql = await t.gql(SendEventDoc, { input: { event: 'order.completed', email: 'not-an-email', data: {} } }, token);
  expect(gql.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_ERROR', status_code: 422 });
  expect(gql.errors?.[0].message).toBe('email must be an email');
});
