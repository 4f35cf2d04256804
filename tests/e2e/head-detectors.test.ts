// The head-detector panel in Chromium on the production build: it scores the text once opened, runs the
// induction probe, opens a head's heatmap on click, fits 1280 and 390 px, and is screenshotted at both.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { randomGPT2Weights } from '../../src/model/random';
import { testConfig } from '../helpers/random-models';
import { writeModelFolder } from '../helpers/model-files';
import { browserAvailable, openPage, settledOverflow, browserSuite, SHOT_DIR } from './helpers';

const run = browserAvailable();

/** GPT-2 small's 12 layers × 12 heads on a tiny width: the widest grid the panel must hold. */
const WIDE_MODEL = randomGPT2Weights(testConfig({ nLayer: 12, nHead: 12, nEmbd: 24, nPositions: 64 }), 3);

/** At both widths: the page does not scroll sideways, the panel stays inside the viewport; a screenshot. */
async function checkFit(page: Page, shot: string) {
  const panel = page.locator('section.head-detectors');
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(viewport);
    await panel.scrollIntoViewIfNeeded();
    expect(await settledOverflow(page), `${shot} at ${name}`).toBeLessThanOrEqual(0);
    const box = (await panel.boundingBox())!;
    expect(box.x + box.width, `${shot} at ${name}`).toBeLessThanOrEqual(viewport.width);
    await panel.screenshot({ path: path.join(SHOT_DIR, `${name}-head-detectors-${shot}.png`) });
  }
}

describe.runIf(run)('head detectors in Chromium', () => {
  const suite = browserSuite({
    site: () => ({ extra: { wide: path.dirname(writeModelFolder(WIDE_MODEL, 'official', 'F16')) } }),
  });

  it('scores every head, runs the probe, opens a head, and fits 1280 and 390 px', async () => {
    const { page, errors } = await openPage(
      suite.browser,
      `${suite.site.url}?text=the+cat+saw+the+cat+and+the+dog`,
    );
    page.setDefaultTimeout(30_000);
    const panel = page.locator('section.head-detectors');
    await panel.getByText('Score every head').click();
    await panel.locator('[data-testid="head-scores"] button').first().waitFor();
    const layers = await panel.locator('[data-testid="head-scores"] tbody tr').count();
    const cells = await panel.locator('[data-testid="head-scores"] tbody button').count();
    const { nLayer, nHead } = await page.evaluate(() => {
      const shape = document.querySelector('[data-testid="model-info"]')!.textContent!;
      const [, l, h] = /(\d+) layers × (\d+) heads/.exec(shape)!;
      return { nLayer: Number(l), nHead: Number(h) };
    });
    expect([layers, cells]).toEqual([nLayer, nLayer * nHead]);
    for (const value of await panel.locator('[data-testid="head-scores"] tbody button').allTextContents())
      expect(Number(value)).toBeGreaterThanOrEqual(0);

    await checkFit(page, 'previous');

    await panel.getByLabel('Induction').check();
    await panel.getByRole('button', { name: 'Run the induction probe' }).click();
    await panel.getByText(/random tokens repeated twice \(seed 1\)/).waitFor();
    await checkFit(page, 'induction');

    // The last cell: the last layer's last head, in step 6 of trainable attention.
    await panel.locator('[data-testid="head-scores"] tbody button').last().click();
    await page.waitForSelector('article[data-step="6"]');
    await expect
      .poll(() => page.locator('.mode-tag').textContent())
      .toBe(`trainable, layer ${nLayer}, head ${nHead}`);

    // A model of GPT-2 small's 12 × 12 heads: the new model's scores replace the old ones.
    await page.locator('summary', { hasText: 'Load another' }).click();
    await page.locator('#model-url').fill(`${suite.site.origin}/extra/wide/`);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await panel.getByLabel('Previous token').check();
    await expect.poll(() => panel.locator('[data-testid="head-scores"] tbody button').count()).toBe(144);
    await checkFit(page, 'twelve-heads');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
