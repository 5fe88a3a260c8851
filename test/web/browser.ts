/**
 * Real Chromium for the browser tests (playwright-core driving Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH). A page fails its test on any request to a host other than the server under test
 * and on any console error or uncaught exception; screenshots of each page at 1280×800 and 390×844
 * go to test-results/screenshots/ (git-ignored), and at 390 px the page must not scroll sideways.
 *
 * Without Chromium the tests are skipped with one line, except under CI=true where they fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
export const SCREENSHOTS = path.resolve('test-results', 'screenshots');

if (!HAS_CHROMIUM) {
  if (process.env.CI === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Requests to other hosts and console errors seen so far; a test asserts both are empty. */
  problems: string[];
  /** Screenshots of the current page at 1280×800 and 390×844 (full page), checking no sideways scroll at 390. */
  shoot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openPage(browser: Browser, baseUrl: string, init?: { key?: string }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const origin = new URL(baseUrl).origin;
  const problems: string[] = [];
  // Every request leaves through here: one to another host is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request to another host: ${url}`);
    return route.abort();
  });
  if (init?.key) await context.addInitScript((key) => window.localStorage.setItem('arsel.apiKey', key), init.key);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    problems,
    async shoot(name) {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-1280x800.png`), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(100);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-390x844.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
    },
    close: () => context.close(),
  };
}
