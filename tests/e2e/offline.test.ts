// Offline use: after a first visit, the page, its code and the default model come from the service worker's
// cache when the server is gone, and the numbers are the CLI's. Three hosts: a bare static server, one that
// sends `Vary: Origin` and `Cache-Control: no-cache` (as many do), and `vite preview` itself.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { preview } from 'vite';
import { launchChromium } from '../../src/bench/browser-harness';
import { cliTrace, expectClose, tensorValues } from './expected';
import { browserAvailable, primaryMatrix, ROOT, SITE_DIR, startSite, waitForModel } from './helpers';

const run = browserAvailable();

/** A served site: the page's address and how to take the server away. */
interface Host {
  url: string;
  close: () => Promise<void>;
}

/** A static server from the browser harness, with the headers given. */
async function staticHost(headers: Record<string, string> = {}): Promise<Host> {
  const site = await startSite({ noIsolationHeaders: true, headers });
  return {
    url: site.url,
    close: async () => {
      site.server.closeAllConnections();
      await site.close();
    },
  };
}

/** `vite preview` on a free port, serving the built test site with the project's own config. */
async function previewHost(): Promise<Host> {
  await startSite().then((site) => site.close()); // builds dist-e2e if it is missing
  const server = await preview({
    root: ROOT,
    logLevel: 'silent',
    build: { outDir: path.relative(ROOT, SITE_DIR) },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  return { url: server.resolvedUrls!.local[0], close: () => server.close() };
}

describe.runIf(run)('the page offline in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['a bare static server', () => staticHost()],
    [
      'a server that sends Vary: Origin and Cache-Control: no-cache',
      () => staticHost({ vary: 'Origin', 'cache-control': 'no-cache' }),
    ],
    ['vite preview', previewHost],
  ])(
    'works with no server after two visits to %s',
    async (_, start) => {
      const host = await start();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`${host.url}?step=6`);
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
        // A second visit online: the page's own requests (crossorigin scripts and styles) refresh the cache.
        await page.reload();
        await waitForModel(page);

        await host.close();
        await page.goto(`${host.url}?step=6&text=${encodeURIComponent('the dog sat')}`);
        await waitForModel(page);
        const shown = await primaryMatrix(page);
        expectClose(
          shown.values,
          tensorValues(await cliTrace('the dog sat'), 'naive.weights'),
          1e-6,
          'offline',
        );
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        await host.close().catch(() => undefined);
      }
    },
    180_000,
  );
});
