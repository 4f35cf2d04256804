// One-click GPT-2 in Chromium, against a local stand-in for the Hub (?hub=): the weights come through a 302 to
// a CDN on another origin under COEP require-corp; cancel, a cut download and a CORS refusal keep the model.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { startMockHub, type MockHub } from '../helpers/mock-hub';
import { browserAvailable, startSite, waitForModel } from './helpers';

/** Each test waits on several downloads (polls of up to 30 s); a CI machine running other browser tests beside
 * these took over the default 60 s once. */
const PRESET_TEST_TIMEOUT_MS = 180_000;

const run = browserAvailable();

describe.runIf(run)('GPT-2 presets in Chromium', () => {
  let browser: Browser;
  let hub: MockHub;
  let isolated: Awaited<ReturnType<typeof startSite>>;
  let plain: Awaited<ReturnType<typeof startSite>>;
  const errors: string[] = [];

  beforeAll(async () => {
    hub = await startMockHub();
    isolated = await startSite();
    plain = await startSite({ noIsolationHeaders: true });
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    await hub?.close();
  });

  /** A fresh context each time, so Cache Storage starts empty. */
  async function open(siteUrl: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${siteUrl}?hub=${encodeURIComponent(hub.hub)}`);
    await waitForModel(page);
    return page;
  }
  const modelInfo = (page: Page) => page.getByTestId('model-info').textContent();
  const modelError = (page: Page) => page.getByTestId('model-error').textContent();
  const cachedUrls = (page: Page) =>
    page.evaluate(async () =>
      (await (await caches.open('attention-explorer-models-v1')).keys()).map((r) => r.url).sort(),
    );

  it(
    'loads both layouts through the redirect under the service worker’s isolation, then from the cache',
    async () => {
      hub.setMode('ok');
      const page = await open(plain.url);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const gpt2 = page.getByTestId('preset-gpt2');
      const distil = page.getByTestId('preset-distilgpt2');
      expect(await gpt2.textContent()).toBe('GPT-2 small, 548 MB');
      expect(await distil.textContent()).toBe('distilgpt2, 353 MB');
      expect(await page.getByTestId('preset-cost').textContent()).toMatch(
        /^On this CPU engine \(WASM SIMD · \d threads?\), a keystroke will take about [\d.]+ s with GPT-2 small/,
      );
      expect(await page.getByTestId('model-presets').textContent()).toContain(
        `Downloaded from ${hub.hub} (the link’s hub=)`,
      );

      hub.log.length = 0;
      await gpt2.click();
      await expect
        .poll(() => modelInfo(page), { timeout: 30_000 })
        .toMatch(/GPT-2 small.*2 layers × 2 heads/);
      const base = '/openai-community/gpt2/resolve/main';
      expect(hub.log.map((r) => `${r.server} ${r.path} ${r.mode}`)).toEqual([
        `hub ${base}/config.json cors`,
        `hub ${base}/model.safetensors cors`,
        `cdn /cdn${base}/model.safetensors cors`,
      ]);
      expect(hub.log[0].origin).toBe(plain.origin);
      expect(await gpt2.textContent()).toBe('GPT-2 small, loaded');
      expect(new URL(page.url()).searchParams.get('model')).toBe(`${hub.hub}${base}/`);
      // The settings rewrote the address; a link copied now still downloads from the same hub.
      expect(new URL(page.url()).searchParams.get('hub')).toBe(hub.hub);

      await distil.click();
      await expect.poll(() => modelInfo(page), { timeout: 30_000 }).toMatch(/distilgpt2.*2 layers × 2 heads/);
      await expect.poll(() => gpt2.textContent()).toBe('GPT-2 small, cached');
      expect(await cachedUrls(page)).toHaveLength(4);

      hub.log.length = 0;
      await gpt2.click();
      await expect.poll(() => modelInfo(page), { timeout: 30_000 }).toMatch(/GPT-2 small/);
      expect(hub.log).toEqual([]); // from Cache Storage: no network
      expect(await page.getByTestId('model-error').count()).toBe(0);
      expect(await page.getByTestId('token-strip').count()).toBe(1);
      await page.context().close();
    },
    PRESET_TEST_TIMEOUT_MS,
  );

  it(
    'cancelled, cut off or refused by CORS: says so and keeps the current model',
    async () => {
      const page = await open(isolated.url);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const before = await modelInfo(page);
      expect(before).toMatch(/Default model/);
      const gpt2 = page.getByTestId('preset-gpt2');

      hub.setMode('slow');
      await gpt2.click();
      await expect
        .poll(() => page.getByTestId('load-progress').textContent(), { timeout: 15_000 })
        .toMatch(/Downloading model\.safetensors: \d\.\d of 1\.6 MB/);
      await page.getByTestId('load-progress').getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => modelError(page)).toBe('Loading was cancelled; the previous model stays.');
      expect(await modelInfo(page)).toBe(before);

      hub.setMode('cut');
      await gpt2.click();
      await expect
        .poll(() => modelError(page), { timeout: 15_000 })
        .toMatch(/model\.safetensors: the connection broke after \d+ of \d+ bytes\./);
      expect(await modelInfo(page)).toBe(before);

      hub.setMode('no-cors');
      await gpt2.click();
      await expect
        .poll(() => modelError(page), { timeout: 15_000 })
        .toMatch(
          /model\.safetensors: the server did not answer, or it does not allow this page to read it\./,
        );
      expect(await modelInfo(page)).toBe(before);
      expect(await cachedUrls(page)).toEqual([]);
      expect(await gpt2.textContent()).toBe('GPT-2 small, 548 MB');
      expect(await page.getByTestId('token-strip').count()).toBe(1);
      await page.context().close();
    },
    PRESET_TEST_TIMEOUT_MS,
  );

  it('shows no page errors', () => expect(errors).toEqual([]));
});
