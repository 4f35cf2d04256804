// Hostile and broken links in Chromium: a ?model= that fails says why and keeps model= in the address bar
// while the built-in model runs, a relative link loads from beside the page, and a huge text keeps a link.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { browserAvailable, FIXTURES_DIR, openPage, startSite } from './helpers';

const run = browserAvailable();

describe.runIf(run)('model links in Chromium', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  const modelDir = mkdtempSync(path.join(tmpdir(), 'links-model-'));
  const brokenDir = mkdtempSync(path.join(tmpdir(), 'links-broken-'));
  const goodWeights = path.join(FIXTURES_DIR, 'tiny-gpt2.safetensors');

  beforeAll(async () => {
    for (const dir of [modelDir, brokenDir])
      copyFileSync(path.join(FIXTURES_DIR, 'tiny-gpt2.config.json'), path.join(dir, 'config.json'));
    copyFileSync(goodWeights, path.join(modelDir, 'model.safetensors'));
    writeFileSync(path.join(brokenDir, 'model.safetensors'), 'this is not a model\n'.repeat(100));
    site = await startSite({ extra: { model: modelDir, broken: brokenDir } });
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const open = async (query: string): Promise<Page> => (await openPage(browser, `${site.url}${query}`)).page;
  const modelError = (page: Page) => page.getByTestId('model-error').textContent();
  const cachedUrls = (page: Page) =>
    page.evaluate(async () =>
      (await (await caches.open('attention-explorer-models-v1')).keys()).map((r) => r.url),
    );

  it.each([
    ['a folder that does not exist', () => `${site.origin}/extra/model/missing/`, /not found \(404\)/],
    ['a javascript: address', () => 'javascript:alert(1)', /not javascript: ones/],
    ['a data: address', () => 'data:text/plain,hello', /not data: ones/],
    ['a file that is not safetensors', () => `${site.origin}/extra/broken/`, /not a safetensors file/],
    ['a local: model from another browser', () => 'local:mine.safetensors', /this browser has no copy of it/],
  ])('%s: says why, runs the built-in model and keeps model= in the link', async (_, link, reason) => {
    let dialogs = 0;
    const page = await open(`?model=${encodeURIComponent(link())}`);
    page.on('dialog', (dialog) => void (dialogs++, dialog.dismiss()));
    await expect.poll(() => modelError(page)).toMatch(/^The model in this link \(.*\) did not load/);
    expect(await modelError(page)).toMatch(reason);
    expect(await page.getByTestId('model-info').textContent()).toMatch(/Default model/);
    expect(new URL(page.url()).searchParams.get('model')).toBe(link());
    expect(await page.getByTestId('token-strip').count()).toBe(1);
    expect(dialogs).toBe(0);
    await page.context().close();
  });

  it('loads a relative link from beside the page, not from the worker’s /assets/', async () => {
    const page = await open(`?model=${encodeURIComponent('../extra/model/')}`);
    await expect
      .poll(() => page.getByTestId('model-info').textContent(), { timeout: 30_000 })
      .toMatch(/2 layers × 4 heads, C = 32/);
    expect(await page.getByTestId('model-error').count()).toBe(0);
    await page.context().close();
  });

  it('caches a broken download not at all, so the fixed file loads next time', async () => {
    const fixing = mkdtempSync(path.join(tmpdir(), 'links-fixing-'));
    copyFileSync(path.join(FIXTURES_DIR, 'tiny-gpt2.config.json'), path.join(fixing, 'config.json'));
    writeFileSync(path.join(fixing, 'model.safetensors'), new Uint8Array(4096));
    const server = await startSite({ extra: { fixing } });
    try {
      const link = `?model=${encodeURIComponent(`${server.origin}/extra/fixing/`)}`;
      const first = (await openPage(browser, `${server.url}${link}`)).page;
      await expect.poll(() => modelError(first)).toMatch(/not a safetensors file/);
      expect(await cachedUrls(first)).toEqual([]);
      copyFileSync(goodWeights, path.join(fixing, 'model.safetensors'));
      const again = await first.context().newPage();
      await again.goto(`${server.url}${link}`);
      await expect
        .poll(() => again.getByTestId('model-info').textContent(), { timeout: 30_000 })
        .toMatch(/2 layers × 4 heads, C = 32/);
      expect((await cachedUrls(again)).length).toBe(2);
      await first.context().close();
    } finally {
      await server.close();
    }
  });

  it('shows a view for a 100k-letter text and keeps the link short enough to open', async () => {
    // Node's server, like most, refuses request lines past 16 KB, so the link itself starts at 12k letters.
    const page = await open(`?text=${'a'.repeat(12_000)}`);
    await page.locator('#sentence').fill('a'.repeat(100_000));
    // 100k letters are one piece for the tokenizer (a few tenths of a second): allow for a busy machine.
    await expect
      .poll(() => page.getByTestId('input-notice').allTextContents(), { timeout: 20_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Cut to \d+ tokens/),
          expect.stringMatching(/address bar keeps/),
        ]),
      );
    await expect.poll(() => page.url().length, { timeout: 20_000 }).toBeLessThan(7000);
    const again = await open(new URL(page.url()).search);
    expect((await again.locator('#sentence').inputValue()).length).toBe(6000);
    await page.context().close();
    await again.context().close();
  });
});
