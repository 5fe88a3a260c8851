/**
 * The seed's story through the dashboard in real Chromium: sign in, define order.completed with
 * the seed's three fields (after seeing an API validation message at its field), send a valid and
 * an invalid test event from the form, see one accepted and one rejected with `total` highlighted,
 * create and enable an automation, send again and read its run's step log; then the Automations
 * and API keys pages. Screenshots of each page go to test-results/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { HAS_CHROMIUM, launch, openPage, type WatchedPage } from './browser.js';

describe.skipIf(!HAS_CHROMIUM)('the dashboard in Chromium', () => {
  let t: TestApp;
  let token: string;
  let browser: Browser;
  let w: WatchedPage;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ worker: true }), launch()]);
    token = (await t.createOrg()).token;
    w = await openPage(browser, t.baseUrl);
  }, 90_000);
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await t?.close();
  });

  it('walks the seed story: define, send valid and invalid, automate, read the run', { timeout: 120_000 }, async () => {
    const { page } = w;
    // `/` sends a browser to the dashboard, which asks for a key.
    await page.goto(`${t.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await page.getByRole('heading', { name: 'Sign in with an API key' }).waitFor();
    await w.shoot('sign-in');
    await page.getByLabel('API key').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Empty state says what to do next.
    await page.getByText('No events defined yet.').waitFor();
    await w.shoot('events-empty');

    // Create order.completed; a bad field name first shows the API's message at that field.
    await page.getByRole('button', { name: 'New event' }).first().click();
    await page.locator('input[name=name]').fill('order.completed');
    await page.locator('input[name=description]').fill('Fired when a customer completes checkout.');
    await page.getByLabel('Field 1 name').fill('order_id');
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.getByLabel('Field 2 name').fill('2total');
    await page.getByLabel('Field 2 type').selectOption('NUMBER');
    await page.getByLabel('Field 2 required').check();
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.getByLabel('Field 3 name').fill('is_gift');
    await page.getByLabel('Field 3 type').selectOption('BOOLEAN');
    await page.getByRole('button', { name: 'Create event' }).click();
    const row2 = page.locator('[data-field-row="1"]');
    await row2.locator('.field-error').waitFor();
    expect(await row2.locator('.field-error').innerText()).toMatch(/^name must/);
    expect(await page.locator('[data-field-row="0"] .field-error').count()).toBe(0);
    await w.shoot('event-editor-error');
    await page.getByLabel('Field 2 name').fill('total');
    await page.getByRole('button', { name: 'Create event' }).click();

    // Event detail: schema, test-send form generated from it, chart, history.
    await page.getByRole('heading', { name: 'order.completed', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/events/order.completed');
    await page.locator('[data-send-field=order_id] input').fill('o-1');
    await page.locator('[data-send-field=total] input').fill('129.99');
    await page.locator('[data-send-field=is_gift] select').selectOption('false');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Accepted: send/).waitFor();

    // Invalid: total left out (required).
    await page.locator('[data-send-field=total] input').fill('');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Rejected by the schema/).waitFor();
    expect(await page.locator('[data-send-field=total]').getAttribute('class')).toContain('has-error');
    expect(await page.locator('[data-send-field=total] .field-error').innerText()).toBe('is required');
    expect(await page.locator('[data-send-field=order_id].has-error').count()).toBe(0);

    // The history shows both (it refreshes itself); the rejected one opens with `total` marked.
    const rejected = page.locator('li.send-rejected');
    await rejected.first().waitFor();
    await page.locator('li.send:not(.send-rejected)').first().waitFor();
    await rejected.first().locator('.send-row').click();
    const totalRow = rejected.first().locator('[data-payload-field=total]');
    await totalRow.waitFor();
    expect(await totalRow.getAttribute('class')).toContain('row-error');
    expect(await totalRow.innerText()).toContain('is required');
    await expect.poll(async () => page.getByTestId('stats-rejected').innerText(), { timeout: 15_000 }).toBe('1');
    expect(await page.getByTestId('stats-accepted').innerText()).toBe('1');
    // Status filter
    await page.getByLabel('Filter sends by status').selectOption('REJECTED');
    await expect.poll(() => page.locator('li.send').count()).toBe(1);
    await w.shoot('event-detail');

    // Automation: created from the event page with the template (condition total >= 100 → email).
    await page.getByRole('link', { name: 'Create an automation' }).click();
    await page.getByRole('heading', { name: 'New automation' }).waitFor();
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    await page.getByText('· no issues').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    const automationUrl = page.url();

    // Send again from the event page, then read the run's step log.
    await page.goto(`${t.baseUrl}/dashboard/events/order.completed`);
    await page.locator('[data-send-field=order_id] input').fill('o-2');
    await page.locator('[data-send-field=total] input').fill('250');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Accepted: send/).waitFor();
    await page.goto(automationUrl);
    const run = page.locator('li.run').first();
    await run.waitFor({ timeout: 30_000 });
    await expect.poll(async () => run.locator('.badge').first().innerText(), { timeout: 30_000 }).toBe('completed');
    await run.locator('.run-row').click();
    await run.locator('[data-log-step=thank]').waitFor();
    expect(await run.locator('[data-log-step=big_order]').innerText()).toMatch(/event\.total gte 100: the value was 250, so the\s+met\s+branch was taken/);
    expect(await run.locator('[data-log-step=thank]').innerText()).toContain('Thanks for order o-2');
    expect(await run.locator('[data-log-step=trigger]').innerText()).toMatch(/after the send/);
    await w.shoot('automation');

    await page.getByRole('navigation').getByRole('link', { name: 'Automations' }).click();
    await page.locator('.list-row').first().waitFor();
    await w.shoot('automations');

    // API keys: create one (shown once, with a copy button).
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('New key label').fill('checkout service');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = await page.locator('code.token').innerText();
    expect(shown).toMatch(/^be_[A-Za-z0-9_-]{43}$/);
    expect((await t.http('GET', '/v1/events', { token: shown })).status).toBe(200);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByText('checkout service').waitFor();
    await w.shoot('keys');

    expect(w.problems).toEqual([]);
  });
});
