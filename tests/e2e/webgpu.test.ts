// The WebGPU path in Chromium (SwiftShader here): the page shows the same numbers as on the CPU path to 1e-4,
// in naive and trainable mode, and when the GPU process crashes (a real lost device) it moves to the CPU with
// a reason, keeping the text and the view. Without a WebGPU adapter the tests skip, except in CI: they fail.

import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { cliTrace, expectClose, tensorValues } from './expected';
import {
  browserAvailable,
  currentTraceId,
  openPage,
  primaryMatrix,
  waitForNewTrace,
  browserSuite,
} from './helpers';
import { DEFAULT_TEXT } from '../../src/app/data/types';

const run = browserAvailable();

interface View {
  step: number;
  mode?: 'naive' | 'trainable';
  causal?: boolean;
  layer?: number;
  head?: number;
}

const VIEWS: View[] = [
  { step: 5 },
  { step: 6, causal: true },
  { step: 5, mode: 'trainable', layer: 1, head: 2 },
  { step: 6, mode: 'trainable', layer: 1, head: 2 },
  { step: 7, mode: 'trainable', layer: 0, head: 1 },
];

/** Sets a view through the page's own controls (no reload, so the engine is built once per page). */
async function showView(page: Page, view: View): Promise<void> {
  await page.getByLabel(view.mode === 'trainable' ? /Trainable/ : /Naive/).check();
  if (view.mode !== 'trainable')
    await page.getByRole('checkbox', { name: /Causal mask/ }).setChecked(view.causal ?? false);
  if (view.mode === 'trainable') {
    await page.getByLabel('Layer', { exact: true }).selectOption(String(view.layer ?? 0));
    await page.getByLabel('Head', { exact: true }).selectOption(String(view.head ?? 0));
  }
  await page.getByRole('button', { name: new RegExp(`^${view.step} `) }).click();
  await page.waitForSelector(`article[data-step="${view.step}"]`);
  if (view.mode === 'trainable') {
    // Steps 5 to 7 name the layer and head in their kicker. A kicker that is missing or names another head
    // must time out and fail the test, never count as shown.
    const label = `layer ${(view.layer ?? 0) + 1}, head ${(view.head ?? 0) + 1}`;
    await page.waitForFunction(
      (l) => document.querySelector('.step-kicker')?.textContent?.includes(l) === true,
      label,
    );
  }
}

/** Skips (fails in CI) when this Chromium offers no WebGPU adapter. */
async function requireAdapter(page: Page, context: { skip: () => void }): Promise<void> {
  const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
  if (adapter) return;
  if (process.env.CI === 'true')
    throw new Error('Chromium found no WebGPU adapter (CI=true, so this fails).');
  context.skip();
}

/** Waits until the trace of the current layer is shown, then reads the primary matrix. */
async function readView(page: Page, view: View) {
  await showView(page, view);
  await page.waitForFunction(
    (layer) =>
      layer === null
        ? true
        : document.querySelector('.step-kicker')?.textContent?.includes(`layer ${layer + 1}`),
    view.mode === 'trainable' ? (view.layer ?? 0) : null,
    { timeout: 120_000 },
  );
  return primaryMatrix(page);
}

describe.runIf(run)('WebGPU path in Chromium', () => {
  const suite = browserSuite({ webgpu: true });

  it('shows the same numbers as the CPU path, to 1e-4', { timeout: 600_000 }, async (context) => {
    const { page, errors } = await openPage(suite.browser, `${suite.site.url}?backend=webgpu`);
    await requireAdapter(page, context);
    // Chromium offers an adapter here, so the page must really run on it, not fall back.
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 120_000 })
      .toMatch(/WebGPU/);
    const backend = (await page.getByTestId('backend').textContent()) ?? '';
    expect(await page.getByTestId('fallback-reason').count()).toBe(0);
    console.log(`WebGPU path runs on: ${backend}`);
    const cpuPage = await openPage(suite.browser, `${suite.site.url}?backend=cpu`);
    for (const view of VIEWS) {
      const gpu = await readView(page, view);
      const cpu = await readView(cpuPage.page, view);
      expect(gpu.id).toBe(cpu.id);
      expectClose(gpu.values, cpu.values, 1e-4, `${JSON.stringify(view)}: ${cpu.id}`);
    }
    errors.push(...cpuPage.errors);
    await cpuPage.page.context().close();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it(
    'moves to the CPU when the GPU process crashes, keeping the text and the view',
    { timeout: 300_000 },
    async (context) => {
      // Its own browser: the crash takes down the GPU process of every page in it.
      const crashing = await launchChromium(true);
      try {
        const { page, errors } = await openPage(crashing, `${suite.site.url}?backend=webgpu&step=5`);
        await requireAdapter(page, context);
        await expect
          .poll(() => page.getByTestId('backend').textContent(), { timeout: 120_000 })
          .toMatch(/WebGPU/);
        const before = await primaryMatrix(page);
        const cdp = await crashing.newBrowserCDPSession();
        await cdp.send('Browser.crashGpuProcess');
        await expect
          .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
          .toMatch(/CPU/);
        expect(await page.getByTestId('fallback-reason').textContent()).toMatch(/GPU device was lost/);
        // The last good view stays, and typing goes on, now computed on the CPU.
        expect((await primaryMatrix(page)).values).toEqual(before.values);
        const traceId = await currentTraceId(page);
        await page.locator('#sentence').press('End');
        await page.locator('#sentence').pressSequentially(' today', { delay: 20 });
        await waitForNewTrace(page, traceId);
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="token-strip"]')?.textContent?.includes('␣today'),
        );
        expectClose(
          (await primaryMatrix(page)).values,
          tensorValues(await cliTrace(`${DEFAULT_TEXT} today`), 'naive.scores'),
          1e-5,
          'scores typed after the loss',
        );
        expect(errors).toEqual([]);
      } finally {
        await crashing.close();
      }
    },
  );
});
