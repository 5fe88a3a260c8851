/**
 * GET /graphql in a browser: GraphiQL served by us (no CDN), the headers editor filled with the
 * dashboard's key, a query run from the page. JSON clients still get the API as before.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { HAS_CHROMIUM, launch, openPage, type WatchedPage } from './browser.js';

describe.skipIf(!HAS_CHROMIUM)('the GraphQL playground in Chromium', () => {
  let t: TestApp;
  let token: string;
  let browser: Browser;
  let w: WatchedPage;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launch()]);
    token = (await t.createOrg()).token;
    await t.http('POST', '/v1/events', { token, body: { name: 'order.completed', schema: { fields: [{ name: 'total', type: 'number', required: true }] } } });
    // Signed in on the dashboard earlier: the playground takes the key from there.
    w = await openPage(browser, t.baseUrl, { key: token });
  }, 90_000);
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await t?.close();
  });

  it('runs the example query with the key from the dashboard, everything served by the server', { timeout: 90_000 }, async () => {
    const { page } = w;
    const scripts: string[] = [];
    page.on('request', (r) => scripts.push(r.url()));
    await page.goto(`${t.baseUrl}/graphql`);
    expect(await page.title()).toBe('GraphQL playground · arsel-events');
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    // The headers editor holds the dashboard's key.
    await expect.poll(() => page.evaluate(() => document.body.innerText.includes('Authorization')), { timeout: 15_000 }).toBe(true);
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect.poll(async () => result.innerText(), { timeout: 30_000 }).toContain('order.completed');
    await w.shoot('playground');
    // Introspection worked with that key: the docs explorer lists the schema's root types.
    await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
    await page.getByText('Root Types').waitFor();
    await page.screenshot({ path: 'test-results/screenshots/playground-docs-1280x800.png' });
    expect(scripts.some((u) => u.includes('/dashboard/assets/') && u.endsWith('.js'))).toBe(true);
    expect(w.problems).toEqual([]);
  });

  it('the REST docs page reads on a phone, has our title and tries a route with the dashboard key', { timeout: 60_000 }, async () => {
    const { page } = w;
    await page.goto(`${t.baseUrl}/docs`);
    expect(await page.title()).toBe('arsel-events REST API');
    await page.locator('.swagger-ui .opblock-tag').first().waitFor({ timeout: 30_000 });
    // Try GET /v1/events as it is: it answers 200 with the dashboard's key.
    const op = page.locator('.opblock', { has: page.locator('.opblock-summary-path[data-path="/v1/events"]') }).filter({ has: page.locator('.opblock-summary-method', { hasText: 'GET' }) });
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(async () => op.locator('.live-responses-table tbody .response-col_status').first().innerText(), { timeout: 15_000 }).toBe('200');
    await w.shoot('rest-docs');
    expect(w.problems).toEqual([]);
  });

  it('JSON requests to /graphql behave as before (a GET with a query and no key is a 401)', async () => {
    const r = await fetch(`${t.baseUrl}/graphql?query=%7B__typename%7D`);
    expect(r.status).toBe(401);
    const ok = await t.http('POST', '/graphql', { token, body: { query: '{ __typename }' } });
    expect(ok.body).toEqual({ data: { __typename: 'Query' } });
  });
});
