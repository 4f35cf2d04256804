// Screenshots of every step in both modes, at desktop and phone width (390 px), into $SHOT_DIR (default
// /tmp/explorer-shots), checking on the way that the page never scrolls sideways and logs no errors.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  browserAvailable,
  openPage,
  settledOverflow,
  spilledElements,
  browserSuite,
  SHOT_DIR,
} from './helpers';

const run = browserAvailable();

describe.runIf(run)('screenshots of each step', () => {
  const suite = browserSuite();

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`${name}: every step and mode, no sideways scroll, no console errors`, async () => {
      const { page, errors } = await openPage(suite.browser, suite.site.url, viewport);
      for (const mode of ['naive', 'trainable'] as const) {
        for (let step = 1; step <= 7; step++) {
          if (mode === 'trainable' && step < 5) continue;
          await page.goto(
            `${suite.site.url}?step=${step}&mode=${mode}${mode === 'trainable' ? '&heads=1' : ''}`,
          );
          await page.waitForSelector(`article[data-step="${step}"]`);
          const overflow = await settledOverflow(page);
          await page.screenshot({
            path: path.join(SHOT_DIR, `${name}-${mode}-step${step}.png`),
            fullPage: true,
          });
          expect(overflow, `step ${step} ${mode} at ${name}`).toBeLessThanOrEqual(0);
        }
      }
      await page.goto(`${suite.site.url}?preset=book&step=6`);
      await page.waitForSelector('article[data-step="6"]');
      await page.screenshot({ path: path.join(SHOT_DIR, `${name}-book-step6.png`), fullPage: true });
      // The side panels with the model loader open: nothing may widen the page or spill out of its box.
      await page.goto(`${suite.site.url}?step=6`);
      await page.waitForSelector('[data-testid="next-tokens"]');
      await page.getByText('Load another GPT-2 model').click();
      await page.screenshot({ path: path.join(SHOT_DIR, `${name}-model-panel.png`), fullPage: true });
      expect(await settledOverflow(page), `model panel at ${name}`).toBeLessThanOrEqual(0);
      expect(await spilledElements(page, 'aside')).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }
});
