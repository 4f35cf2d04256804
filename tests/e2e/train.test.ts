// The Train view in Chromium on the production build, CPU path: opened from the explorer, a short run on the
// English sample lowers the training and held-out loss while typing in the sentence box keeps being answered;
// the slider shows stored snapshots; "Explore it now" loads the saved model (model=local:…) and the explorer
// computes the same attention the Train view showed; closing the view ends the run. axe finds nothing serious at
// 1280 and 390 px, and both widths are screenshotted.

import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  browserAvailable,
  currentTraceId,
  openPage,
  settledOverflow,
  waitForNewTrace,
  browserSuite,
  SHOT_DIR,
} from './helpers';

const run = browserAvailable();

const stepsDone = (page: Page) =>
  page.evaluate(() =>
    Number(document.querySelector('[data-testid="train-step"]')!.textContent!.split(' ')[0]),
  );

/** The Train view's heatmap: its matrix id and values. */
const trainMatrix = (page: Page) =>
  page.evaluate(() => {
    const svg = document.querySelector('.train-attention svg[data-matrix-id]')!;
    return {
      id: svg.getAttribute('data-matrix-id')!,
      values: svg.getAttribute('data-values')!.split(',').map(Number),
    };
  });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function axeProblems(page: Page): Promise<string[]> {
  // The whole page: the header's view switch and the sentence box as well as the Train view.
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

describe.runIf(run)('Train view in Chromium (CPU)', () => {
  const suite = browserSuite();

  it('trains, keeps the explorer responsive, scrubs snapshots, and explores the saved model', async () => {
    const { page, errors } = await openPage(
      suite.browser,
      `${suite.site.url}?text=the+cat+saw+the+cat+and+the+dog`,
    );
    page.setDefaultTimeout(60_000);
    await page.getByTestId('open-train').click();
    await page.waitForFunction(() => location.search.includes('view=train'));
    await page.getByTestId('train-start').click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="train-step"]')?.textContent?.split(' ')[0]) >= 20,
    );
    expect(await page.getByTestId('train-backend').textContent()).toMatch(
      /^Training on CPU · WASM SIMD · \d+ threads?$/,
    );
    // The English sample is sentences, so the windows start at them, as npm run train's do.
    expect(await page.getByTestId('train-status').textContent()).toContain(
      'Each window starts at a sentence, as the text you type does.',
    );

    // Typing in the explorer's sentence box while the worker trains: the tokens follow within seconds, not after
    // the run (minutes). The bound is loose because CI runs another browser test beside this one on 2 cores;
    // keystroke latency itself is measured by npm run bench -- browser.
    const before = await currentTraceId(page);
    const typed = Date.now();
    await page.locator('#sentence').fill('the dog saw the cat and the dog');
    await waitForNewTrace(page, before);
    const answeredMs = Date.now() - typed;
    expect(answeredMs).toBeLessThan(15_000);
    expect(await page.getByTestId('token-strip').locator('li').count()).toBe(8);

    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="train-step"]')?.textContent?.split(' ')[0]) >= 80,
      null,
      { timeout: 120_000 },
    );
    await page.getByTestId('train-pause').click();
    await page.waitForSelector('[data-testid="train-status"][data-status="paused"]');
    const paused = await stepsDone(page);
    await page.waitForTimeout(500);
    expect(await stepsDone(page)).toBe(paused);

    const chart = page.getByTestId('loss-chart');
    const losses = (await chart.getAttribute('data-train'))!.split(',').map(Number);
    const validation = (await chart.getAttribute('data-validation'))!
      .split(',')
      .map((p) => Number(p.split(':')[1]));
    expect(losses).toHaveLength(paused);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) - 0.5);
    expect(validation.length).toBeGreaterThanOrEqual(4); // step 0, 20, 40, 60 (, 80)
    expect(validation[validation.length - 1]).toBeLessThan(validation[0] - 0.5);
    expect(Number((await page.getByTestId('train-speed').textContent())!.replace(/,/g, ''))).toBeGreaterThan(
      0,
    );

    // A new sentence while paused: a snapshot at the paused step, drawn at once.
    await page.locator('#sentence').fill('the cat saw the dog');
    await page.waitForFunction(
      (step) =>
        document.querySelector('.train-attention svg[data-matrix-id]')?.getAttribute('data-matrix-id') ===
        `train.h0.attn_weights.head0.step${step}`,
      paused,
    );
    await page.waitForFunction(
      () => document.querySelector('.train-attention svg[data-matrix-id]')?.getAttribute('data-rows') === '5',
    );
    const latest = await trainMatrix(page);

    // Scrubbing: the first snapshot is step 0, whose attention differs from the trained one.
    const slider = page.getByTestId('train-snapshot');
    const count = Number(await slider.getAttribute('max')) + 1;
    expect(count).toBeGreaterThanOrEqual(9); // every 10 steps from 0, and the paused step
    await slider.fill('0');
    await page.waitForSelector('[data-testid="train-snapshot"][data-step="0"]');
    const first = await trainMatrix(page);
    expect(first.id).toMatch(/step0$/);
    expect(first.values).not.toEqual(latest.values);
    await slider.fill(String(count - 1));
    await page.waitForSelector(`[data-testid="train-snapshot"][data-step="${paused}"]`);

    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      const overflow = await settledOverflow(page);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('.train-view *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map(
            (e) =>
              `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''} ${Math.round(e.getBoundingClientRect().right)}`,
          ),
      );
      expect(overflow, `${name}: ${wide.slice(0, 8).join('; ')}`).toBeLessThanOrEqual(0);
      expect(await axeProblems(page), name).toEqual([]);
      await page.screenshot({ path: path.join(SHOT_DIR, `${name}-train.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // Save downloads the two files; the weights are a safetensors file with float32 tensors.
    const saved = new Map<string, string>();
    page.on('download', (d) => void d.path().then((file) => saved.set(d.suggestedFilename(), file)));
    await page.getByTestId('train-save').click();
    await expect
      .poll(() => [...saved.keys()].sort(), { timeout: 30_000 })
      .toEqual(['config.json', `trained-micro-step${paused}.safetensors`]);
    const weightsFile = saved.get(`trained-micro-step${paused}.safetensors`);
    const bytes = readFileSync(weightsFile!);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as Record<
      string,
      { dtype: string }
    >;
    expect(header['wte.weight'].dtype).toBe('F32');

    // Explore it now: the explorer loads it from the browser, the address says local, and step 6 shows the same
    // attention the Train view drew.
    await page.getByTestId('train-explore').click();
    const name = `trained-micro-step${paused}.safetensors`;
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="model-info"]')?.textContent?.includes(n),
      name,
    );
    await page.waitForFunction(
      (n) => new URLSearchParams(location.search).get('model') === `local:${n}`,
      name,
    );
    expect(new URL(page.url()).searchParams.get('view')).toBeNull();
    await page.waitForFunction(
      () =>
        document
          .querySelector('.matrix-panel.primary svg[data-matrix-id]')
          ?.getAttribute('data-matrix-id') === 'h0.attn_weights.head0' &&
        document.querySelector('.matrix-panel.primary svg[data-matrix-id]')?.getAttribute('data-rows') ===
          '5',
    );
    // The worker answers the model message first and then recomputes the same request with the new model, so
    // for a moment the heatmap can still hold the built-in model's attention for this text: wait for the
    // recomputed one rather than reading the first 5-row matrix.
    const explored = () =>
      page.evaluate(() =>
        document
          .querySelector('.matrix-panel.primary svg[data-matrix-id]')!
          .getAttribute('data-values')!
          .split(',')
          .map(Number),
      );
    const worstDifference = async () => {
      const values = await explored();
      if (values.length !== latest.values.length) return Infinity;
      return Math.max(...values.map((v, i) => Math.abs(v - latest.values[i])));
    };
    await expect.poll(worstDifference, { timeout: 30_000 }).toBeLessThan(1e-4);

    // The view was closed, so the run ended: opening it again starts from nothing.
    await page.getByTestId('open-train').click();
    await page.waitForSelector('[data-testid="train-status"][data-status="idle"]');
    expect(await page.locator('[data-testid="train-snapshot"]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 400_000);
});
