// The CPU engine's WebAssembly threads in the real page: a host that sends COOP/COEP gets worker threads at
// once; a static host without them (GitHub Pages) gets them after the service worker's one reload; a page that
// cannot be isolated runs on one thread and says why. The numbers are the CLI's in every case.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { cliTrace, expectClose, tensorValues } from './expected';
import { browserAvailable, primaryMatrix, startSite, waitForModel } from './helpers';

const run = browserAvailable();
const TEXT = 'the fat cat sat on the mat';

describe.runIf(run)('CPU engine threads in Chromium', () => {
  let browser: Browser;
  let isolated: Awaited<ReturnType<typeof startSite>>;
  let plain: Awaited<ReturnType<typeof startSite>>;
  const errors: string[] = [];

  beforeAll(async () => {
    isolated = await startSite();
    plain = await startSite({ noIsolationHeaders: true });
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  async function open(url: string, serviceWorkers: 'allow' | 'block' = 'allow'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}?text=${encodeURIComponent(TEXT)}&step=6&mode=trainable&layer=2&head=3`);
    await waitForModel(page);
    return page;
  }

  async function expectCliNumbers(page: Page) {
    const shown = await primaryMatrix(page);
    const expected = tensorValues(await cliTrace(TEXT), 'h1.attn_weights.head2');
    expectClose(shown.values, expected, 1e-6, 'h1.attn_weights.head2');
  }

  it('runs on worker threads where the host sends COOP/COEP, and the badge says so', async () => {
    const page = await open(isolated.url);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.getByTestId('backend').textContent()).toMatch(/WASM SIMD · [2-8] threads/);
    expect(await page.locator('.badges').textContent()).toMatch(/CPU · WASM SIMD · [2-8] threads/);
    await expectCliNumbers(page);
    await page.context().close();
  });

  it('gets threads on a static host after the service worker reloads the page once', async () => {
    const page = await open(plain.url);
    await expect.poll(() => page.evaluate(() => window.crossOriginIsolated), { timeout: 30_000 }).toBe(true);
    await waitForModel(page);
    await expect.poll(() => page.getByTestId('backend').textContent()).toMatch(/WASM SIMD · [2-8] threads/);
    await expectCliNumbers(page);
    // A second visit is isolated from the start: the worker is installed.
    await page.reload();
    await waitForModel(page);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await page.context().close();
  });

  it('runs on one thread and says why when the page cannot be isolated', async () => {
    const page = await open(plain.url, 'block');
    await expect.poll(() => page.getByTestId('backend').textContent()).toMatch(/WASM SIMD · 1 thread/);
    expect(await page.getByTestId('cpu-note').textContent()).toMatch(/not cross-origin isolated/);
    await expectCliNumbers(page);
    await page.context().close();
  });

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
