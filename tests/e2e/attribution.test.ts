// "Why does this head look there?" in Chromium on the built site: the panel opens on the head average, a cell
// chosen on the weights heatmap with the keyboard splits that one score, a layer expands head by head, a
// 128-token text keeps the page responsive, and screenshots at 1280 and 390 px go to $SHOT_DIR.

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

/** Well over 128 tokens: cut to the default model's context of 128. */
const LONG_TEXT = Array.from(
  { length: 12 },
  (_, n) => `the cat ${n} sat on the mat and the dog ran to the park.`,
).join(' ');

/** Waits until the panel shows an answer for what is asked now (not dimmed). */
async function settledPanel(page: Page) {
  await page.waitForSelector('[data-testid="attribution-grid"]', { timeout: 60_000 });
  await page.waitForFunction(() => !document.querySelector('.attribution-body[data-busy]'), undefined, {
    timeout: 60_000,
  });
}

describe.runIf(run)('why does this head look there? (Chromium)', () => {
  const suite = browserSuite();

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`${name}: head average, one cell, a layer expanded, a 128-token text`, async () => {
      const { page, errors } = await openPage(
        suite.browser,
        `${suite.site.url}?step=6&mode=trainable`,
        viewport,
      );
      page.setDefaultTimeout(60_000);
      await page.getByLabel('Layer', { exact: true }).selectOption({ label: '4 of 4' });
      await page.waitForFunction(() => document.querySelector('.mode-tag')?.textContent?.includes('layer 4'));
      const panel = page.getByTestId('attribution-panel');
      await panel.getByRole('button', { name: 'Split the score' }).click();
      await settledPanel(page);
      await expect
        .poll(() => panel.getByTestId('attribution-summary').textContent())
        .toMatch(/The whole head/);
      expect(await panel.locator('[data-testid="attribution-top"] li').count()).toBe(3);
      // token, position, L1–L3 (each summed), bias.
      expect(await panel.getByTestId('attribution-grid').getAttribute('data-size')).toBe('6');

      // The keyboard: the weights heatmap's cursor starts at query 1, key 1; two rows down, one right, Enter.
      const heatmap = page.locator('.matrix-panel.primary svg[data-matrix-id]');
      await heatmap.focus();
      for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'Enter'])
        await page.keyboard.press(key);
      await settledPanel(page);
      await expect
        .poll(() => panel.getByTestId('attribution-summary').textContent())
        .toMatch(/^Query 4 “.*” looking at key 2 “.*”: scaled score [+−]\d+\.\d\d/);
      // The chosen cell is outlined on the heatmap.
      expect(await page.locator('.matrix-panel.primary [data-testid="selected-cell"]').count()).toBe(1);
      await page
        .locator('.matrix-panel.primary')
        .screenshot({ path: path.join(SHOT_DIR, `${name}-why-heatmap.png`) });
      await panel.getByRole('button', { name: 'L2' }).click();
      expect(await panel.getByTestId('attribution-grid').getAttribute('data-size')).toBe(String(6 + 5));
      expect(await settledOverflow(page), `the page scrolls sideways at ${name}`).toBeLessThanOrEqual(0);
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOT_DIR, `${name}-why-cell.png`), fullPage: true });
      await panel.screenshot({ path: path.join(SHOT_DIR, `${name}-why-panel.png`) });

      // Step 5's scaled scores choose a cell the same way.
      await page.locator('.step-nav ol button').nth(4).click();
      await page.waitForSelector('article[data-step="5"]');
      await page.locator('.matrix-panel.primary svg[data-matrix-id]').focus();
      for (const key of ['ArrowDown', 'Enter']) await page.keyboard.press(key);
      await settledPanel(page);
      await expect
        .poll(() => panel.getByTestId('attribution-summary').textContent())
        .toMatch(/^Query 2 “.*” looking at key 1 “.*”/);

      // Back to the head average, then a long text: the panel follows it, and typing is never held up.
      await panel.getByRole('button', { name: 'Show the head average' }).click();
      await settledPanel(page);
      const before = await currentTraceId(page);
      await page.locator('#sentence').fill(LONG_TEXT);
      await waitForNewTrace(page, before);
      await settledPanel(page);
      const note = await panel.locator('.attribution-body > .hint').textContent();
      expect(note).toMatch(/computed in the worker in \d+ ms/);
      console.log(`${name}, 128 tokens, layer 4: ${note}`);
      await panel.screenshot({ path: path.join(SHOT_DIR, `${name}-why-long.png`) });
      expect(errors).toEqual([]);
      await page.context().close();
    }, 180_000);
  }
});
