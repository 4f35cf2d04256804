// The WebGPU path in Chromium (SwiftShader here): the page shows the same numbers as on the CPU path to 1e-4,
// in naive and trainable mode. Without a WebGPU adapter the test skips, except in CI, where it fails.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { expectClose } from './expected';
import { browserAvailable, openPage, primaryMatrix, startSite } from './helpers';

const run = browserAvailable();

const VIEWS = [
  '?step=5',
  '?step=6&causal=1',
  '?step=5&mode=trainable&layer=1&head=2',
  '?step=6&mode=trainable&layer=1&head=2',
  '?step=7&mode=trainable&head=1',
];

describe.runIf(run)('WebGPU path in Chromium', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  beforeAll(async () => {
    site = await startSite();
    browser = await launchChromium(true);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('shows the same numbers as the CPU path, to 1e-4', { timeout: 300_000 }, async (context) => {
    const { page, errors } = await openPage(browser, `${site.url}?backend=webgpu`);
    const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
    if (!adapter) {
      if (process.env.CI === 'true')
        throw new Error('Chromium found no WebGPU adapter (CI=true, so this fails).');
      context.skip();
    }
    const backend = (await page.getByTestId('backend').textContent()) ?? '';
    const reason = await page.getByTestId('fallback-reason').count();
    // Either WebGPU runs, or the page says why it fell back: it never silently claims the GPU.
    expect(backend.includes('WebGPU') || reason > 0, backend).toBe(true);
    console.log(`WebGPU path runs on: ${backend}`);
    for (const query of VIEWS) {
      await page.goto(`${site.url}${query}&backend=webgpu`);
      await page.waitForSelector('.matrix-panel.primary svg[data-matrix-id]');
      const gpu = await primaryMatrix(page);
      await page.goto(`${site.url}${query}&backend=cpu`);
      await page.waitForSelector('.matrix-panel.primary svg[data-matrix-id]');
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="backend"]')?.textContent?.includes('CPU'),
      );
      const cpu = await primaryMatrix(page);
      expect(gpu.id).toBe(cpu.id);
      expectClose(gpu.values, cpu.values, 1e-4, `${query}: ${cpu.id}`);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
