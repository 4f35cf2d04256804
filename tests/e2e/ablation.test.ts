// Head surgery in Chromium on the production build and the default model: knocking out layer 1 head 4 (its
// best previous-token head) changes the next-token list and the later heads' scores, the URL carries the
// ablation both ways, bad links get one sentence, and axe finds nothing serious at 1280 and 390 px.

import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, openPage, settledOverflow, browserSuite, SHOT_DIR } from './helpers';

const run = browserAvailable();
const TEXT = 'the cat sat on the mat and the cat sat on the rug';
const LONG_TEXT =
  'the fat cat sat on the mat. it was sleepy. the small dogs ran to the park and they were happy. ' +
  'the old man saw the bird on the tree. he smiled at it. the girls played with the red ball ' +
  'until the sun went down, and then they walked home. the cat was happy too.';
/** Trainable attention, step 6, all heads of the first layer. */
const GRID = `text=${encodeURIComponent(TEXT)}&mode=trainable&step=6&heads=1`;

const nextTokens = (page: Page) => page.locator('[data-testid="next-tokens"]').innerText();

/** The comparison's rows as text, once it is there for the trace on screen. */
async function comparison(page: Page) {
  await page.waitForSelector('[data-testid="ablation-compare"]:not(.stale) [data-testid="ablation-heads"]', {
    timeout: 60_000,
  });
  return page.evaluate(() => {
    const rows = (id: string) =>
      Array.from(document.querySelectorAll(`[data-testid="${id}"] tbody tr`), (tr) =>
        Array.from(tr.querySelectorAll('th, td'), (cell) => (cell as HTMLElement).innerText.trim()),
      );
    return { next: rows('ablation-next'), heads: rows('ablation-heads') };
  });
}

async function axeProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .setLegacyMode(true)
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.html}`));
}

describe.runIf(run)('head surgery in Chromium', () => {
  const suite = browserSuite();

  it('knocking out layer 1 head 4 changes the next tokens and later heads, and the link keeps it', async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.site.url}?${GRID}`);
    page.setDefaultTimeout(30_000);
    const intactNext = await nextTokens(page);
    await page.getByTestId('knock-out-1.4').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('ablate')).toBe('1.4');
    expect(await page.getByTestId('knock-out-1.4').getAttribute('aria-pressed')).toBe('true');
    const { next, heads } = await comparison(page);
    // Token | before | after: at least one probability moved, and the page's own list moved with it.
    expect(next.some(([, before, after]) => before !== after)).toBe(true);
    await expect.poll(() => nextTokens(page), { timeout: 30_000 }).not.toBe(intactNext);
    // Later heads (layers 2–4 of 4 × 4): previous-token scores "a → b" differ somewhere, attention moved.
    expect(heads).toHaveLength(12);
    expect(heads.some(([, , previous]) => previous.split(' → ')[0] !== previous.split(' → ')[1])).toBe(true);
    expect(Math.max(...heads.map(([, moved]) => Number(moved)))).toBeGreaterThan(0);

    const link = page.url();
    const { page: shared } = await openPage(suite.browser, link);
    await shared.getByTestId('ablation-chips').waitFor();
    expect(await shared.getByTestId('ablation-chips').innerText()).toMatch(/Layer 1 head 4/);
    expect((await comparison(shared)).heads).toEqual(heads);
    await shared.getByRole('button', { name: 'Layer 1 head 4: bring it back' }).click();
    await expect.poll(() => new URL(shared.url()).searchParams.get('ablate')).toBeNull();
    await shared.context().close();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it.each([
    [
      'an unknown head',
      '9.1',
      /\(9\.1\) were dropped: Head 9\.1 does not exist: this model has layers 1 to 4\./,
    ],
    ['a duplicate', '1.4,1.4', /Head 1\.4 is named twice/],
    [
      'every head at once',
      Array.from({ length: 16 }, (_, i) => `${Math.floor(i / 4) + 1}.${(i % 4) + 1}`).join(','),
      /Knocking out all 16 heads leaves no attention at all/,
    ],
    ['a malformed list', 'one', /"one" is not a head/],
  ])(
    'a link with %s gets one sentence and runs the intact model',
    async (_, ablate, message) => {
      const { page, errors } = await openPage(
        suite.browser,
        `${suite.site.url}?${GRID}&ablate=${encodeURIComponent(ablate)}`,
      );
      const notice = page.getByTestId('ablation-notice');
      await notice.waitFor();
      expect(await notice.innerText()).toMatch(message);
      await expect.poll(() => new URL(page.url()).searchParams.get('ablate')).toBeNull();
      expect(await page.getByTestId('ablation-chips').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    },
    120_000,
  );

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`axe passes with an ablation on at ${viewport.width} px, short and long text`, async () => {
      const { page } = await openPage(
        suite.browser,
        `${suite.site.url}?${GRID}&ablate=1.4&ablatemode=mean`,
        viewport,
      );
      page.setDefaultTimeout(30_000);
      await comparison(page);
      expect(await axeProblems(page)).toEqual([]);
      expect(await settledOverflow(page)).toBeLessThanOrEqual(0);
      await page
        .getByTestId('ablation-panel')
        .screenshot({ path: path.join(SHOT_DIR, `${name}-ablation.png`) });
      await page.locator('.all-heads').screenshot({ path: path.join(SHOT_DIR, `${name}-ablation-grid.png`) });
      await page.locator('#sentence').fill(LONG_TEXT);
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="ablation-loss"] li').length > 60,
        null,
        {
          timeout: 60_000,
        },
      );
      await comparison(page);
      expect(await axeProblems(page)).toEqual([]);
      await page
        .getByTestId('ablation-panel')
        .screenshot({ path: path.join(SHOT_DIR, `${name}-ablation-long.png`) });
      // The detectors' knock-out click mode, with the knocked-out cell marked.
      const detectors = page.locator('section.head-detectors');
      await detectors.getByText('Score every head').click();
      await detectors.getByLabel('Knock out').check();
      await detectors.locator('[data-testid="head-scores"] button.knocked-out').waitFor();
      expect(await axeProblems(page)).toEqual([]);
      await detectors.screenshot({ path: path.join(SHOT_DIR, `${name}-ablation-detectors.png`) });
      await page.context().close();
    }, 240_000);
  }
});
