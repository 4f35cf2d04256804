// Helpers for the browser tests: serve the built site from /explorer/, open pages that record console errors,
// and read the numbers a heatmap shows (the heatmap's SVG carries its exact values in data-values).

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  buildSite,
  CHROMIUM,
  launchChromium,
  serveSite,
  type ServeOptions,
} from '../../src/bench/browser-harness';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const SITE_DIR = path.join(ROOT, 'dist-e2e');
export const FIXTURES_DIR = path.join(ROOT, 'tests/fixtures');
/** Where the browser tests write their screenshots: $SHOT_DIR, else /tmp/explorer-shots. */
export const SHOT_DIR = process.env.SHOT_DIR ?? '/tmp/explorer-shots';

/** Whether the browser tests can run here; in CI a missing browser is a failure, never a skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM} (CI=true).`);
  return false;
}

type SiteOptions = Omit<ServeOptions, 'siteDir'>;

export async function startSite(options: SiteOptions = {}) {
  if (!existsSync(path.join(SITE_DIR, 'index.html'))) buildSite(ROOT, 'dist-e2e');
  return serveSite({ siteDir: SITE_DIR, extra: { fixtures: FIXTURES_DIR }, ...options });
}

export type Site = Awaited<ReturnType<typeof startSite>>;

/** What a browser suite shares: set once its beforeAll has run. */
export interface BrowserSuite {
  browser: Browser;
  site: Site;
}

/**
 * The set-up most browser suites share, registered in the calling `describe`: before its tests, SHOT_DIR is
 * made, the built site served (with `site` options, computed then when they are a function, so nothing is
 * written while tests are only collected) and Chromium launched (with WebGPU when `webgpu`); after them, both
 * are closed.
 */
export function browserSuite(
  options: { site?: SiteOptions | (() => SiteOptions); webgpu?: boolean } = {},
): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    mkdirSync(SHOT_DIR, { recursive: true });
    suite.site = await startSite(typeof options.site === 'function' ? options.site() : options.site);
    suite.browser = await launchChromium(options.webgpu ?? false);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.site?.close();
  });
  return suite;
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await waitForModel(page);
  return { page, errors };
}

/**
 * Waits until a model is loaded, a first view is drawn, and the side panel has its first next tokens. They come
 * last (blank rows hold their place, so nothing below moves), and once they are in the page has settled: no
 * second forward pass competes with what a test does next.
 */
export async function waitForModel(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="model-info"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="token-strip"]', { timeout: 60_000 });
  await page.waitForFunction(
    () =>
      !document
        .querySelector('section.next-token .hint')
        ?.textContent?.startsWith('Computing the next-token probabilities'),
    null,
    { timeout: 60_000 },
  );
}

/** The values of the primary matrix of the current step, row-major, with its id and shape. */
export async function primaryMatrix(
  page: Page,
): Promise<{ id: string; values: number[]; rows: number; cols: number }> {
  await page.waitForSelector('.matrix-panel.primary svg[data-matrix-id]', { timeout: 120_000 });
  return page.evaluate(() => {
    const svg = document.querySelector('.matrix-panel.primary svg[data-matrix-id]')!;
    return {
      id: svg.getAttribute('data-matrix-id')!,
      values: svg.getAttribute('data-values')!.split(',').map(Number),
      rows: Number(svg.getAttribute('data-rows')),
      cols: Number(svg.getAttribute('data-cols')),
    };
  });
}

/** Waits for the primary matrix to be redrawn from a newer trace than `afterTraceId`. */
export async function waitForNewTrace(page: Page, afterTraceId: number): Promise<number> {
  const handle = await page.waitForFunction(
    (after) => {
      const id = Number(
        document.querySelector('[data-testid="token-strip"]')?.getAttribute('data-trace-id') ?? 0,
      );
      return id > after ? id : false;
    },
    afterTraceId,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

export async function currentTraceId(page: Page): Promise<number> {
  return page.evaluate(() =>
    Number(document.querySelector('[data-testid="token-strip"]')?.getAttribute('data-trace-id') ?? 0),
  );
}

/** Every element wider than the viewport that is not inside a scrolling matrix box. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * The sideways overflow once the layout has settled: widths follow a ResizeObserver and a React render, which
 * a busy machine can take a while to finish after a resize or a navigation. Polls until there is none (up to
 * `timeoutMs`) and returns the last value, so that a test can assert on it with its own message.
 */
export async function settledOverflow(page: Page, timeoutMs = 5_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let overflow = await horizontalOverflow(page);
  while (overflow > 0 && Date.now() < until) {
    await page.waitForTimeout(100);
    overflow = await horizontalOverflow(page);
  }
  return overflow;
}

/** Elements under `selector` whose content spills sideways out of their own box (overflow visible). */
export async function spilledElements(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (root) =>
      [...document.querySelectorAll(`${root} *`)]
        .filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        .filter((e) => getComputedStyle(e).overflowX === 'visible')
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.clientWidth} < ${e.scrollWidth}`),
    selector,
  );
}
