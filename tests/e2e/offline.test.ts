// Offline use: after a first visit, the page, its code and the default model come from the service worker's
// cache when the server is gone, and the numbers are the CLI's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { cliTrace, expectClose, tensorValues } from './expected';
import { browserAvailable, primaryMatrix, startSite, waitForModel } from './helpers';

const run = browserAvailable();

describe.runIf(run)('the page offline in Chromium', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;

  beforeAll(async () => {
    site = await startSite({ noIsolationHeaders: true });
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('works with no server after the first visit', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.url}?step=6`);
    await waitForModel(page);
    // The worker lists what it keeps in precache.json; wait until the default model is among the kept files.
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const keys = await Promise.all(
              (await caches.keys()).map(async (n) => (await caches.open(n)).keys()),
            );
            return keys.flat().some((r) => r.url.endsWith('models/default/model.safetensors'));
          }),
        { timeout: 30_000 },
      )
      .toBe(true);

    site.server.closeAllConnections();
    await site.close();
    await page.goto(`${site.url}?step=6&text=${encodeURIComponent('the dog sat')}`);
    await waitForModel(page);
    const shown = await primaryMatrix(page);
    expectClose(shown.values, tensorValues(await cliTrace('the dog sat'), 'naive.weights'), 1e-6, 'offline');
    expect(errors).toEqual([]);
    await context.close();
  });
});
