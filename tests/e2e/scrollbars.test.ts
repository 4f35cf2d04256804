// The page never scrolls sideways with classic scrollbars (issue 12 defect 4: opening "Load another GPT-2 model"
// made it 10 px wider than a 1280 px window). Playwright hides scrollbars in headless Chromium by default
// (--hide-scrollbars), so the other browser tests cannot see such a defect; this one keeps them. It did not
// reproduce here (scrollWidth equals clientWidth before and after opening); the test keeps it that way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from '../../src/bench/browser-harness';
import { browserAvailable, startSite, waitForModel } from './helpers';

const run = browserAvailable();

const LONG_TEXT = 'the fat cat sat on the mat. it was sleepy. '.repeat(14);

/** How far the page reaches past its viewport sideways, and what reaches furthest. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const widest = [...document.querySelectorAll('body *')]
      .map((e) => ({ e, right: e.getBoundingClientRect().right }))
      .filter(({ right }) => right > root.clientWidth + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 3)
      .map(({ e, right }) => `${e.tagName.toLowerCase()}.${String(e.className)} right=${right}`);
    return { over: root.scrollWidth - root.clientWidth, clientWidth: root.clientWidth, widest };
  });
}

describe.runIf(run)('classic scrollbars', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;

  beforeAll(async () => {
    site = await startSite();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      ignoreDefaultArgs: ['--hide-scrollbars'],
      args: ['--no-sandbox', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  // 'fit': the window is made just taller than the page, so the scrollbar appears only when the panel opens.
  for (const [width, height] of [
    [1280, 900],
    [390, 900],
    [1280, 'fit'],
  ] as const) {
    for (const [name, query] of [
      ['the default text', ''],
      ['a long text', `?step=6&text=${encodeURIComponent(LONG_TEXT)}`],
    ]) {
      it(`at ${width} x ${height} px on ${name}: opening "Load another GPT-2 model" adds no sideways scroll`, async () => {
        const viewport = { width, height: height === 'fit' ? 900 : height };
        const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
        const page = await context.newPage();
        await page.goto(`${site.url}${query}`);
        await waitForModel(page);
        await page.waitForSelector('.matrix-panel, [data-testid="token-strip"]');
        if (height === 'fit') {
          // The page may still grow a little (a panel that fills in late), so fit again until no scrollbar.
          const scrollbar = () =>
            page.evaluate(() => window.innerWidth - document.documentElement.clientWidth);
          for (let tries = 0; tries < 5; tries++) {
            const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
            await page.setViewportSize({ width, height: pageHeight + 4 });
            await page.waitForTimeout(250);
            if ((await scrollbar()) === 0) break;
          }
          expect(await scrollbar()).toBe(0);
        }
        expect(await overflow(page)).toMatchObject({ over: 0 });
        await page.getByText('Load another GPT-2 model').click();
        await page.waitForSelector('details.load-model[open]');
        // The scrollbar is really there: the root's client width is the window's less its width.
        const classic = await page.evaluate(() => window.innerWidth - document.documentElement.clientWidth);
        expect(classic).toBeGreaterThan(0);
        const after = await overflow(page);
        expect(after).toMatchObject({ over: 0 });
        await context.close();
      });
    }
  }
});
