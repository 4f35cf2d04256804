// The production build in Chromium (CPU path), served from /explorer/: typing, toggles checked against the CLI
// trace, the repeated token's cosines (step 4) and score split (step 5), the book preset, a corrupt model file,
// loading by URL with the cache, the URL round trip, the exports, the next-token panel keeping its height while its
// list is computed; every test also fails on a console error or uncaught exception in any page it opened.

import { mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/bench/browser-harness';
import { traceFromJson } from '../../src/model/trace-json';
import fixtures from '../fixtures/fixtures.json';
import { DEFAULT_TEXT } from '../../src/app/data/types';
import { cliTrace, expectClose, tensorValues, topNextToken } from './expected';
import {
  browserAvailable,
  currentTraceId,
  FIXTURES_DIR,
  openPage,
  primaryMatrix,
  type OpenedPage,
  startSite,
  waitForModel,
  waitForNewTrace,
} from './helpers';

const run = browserAvailable();
const TEXT = DEFAULT_TEXT;

describe.runIf(run)('explorer in Chromium (CPU path)', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  /** The pages the running test opened, for its console check. */
  let pages: OpenedPage[] = [];
  const modelDir = mkdtempSync(path.join(tmpdir(), 'explorer-model-'));

  beforeAll(async () => {
    copyFileSync(path.join(FIXTURES_DIR, 'tiny-gpt2.safetensors'), path.join(modelDir, 'model.safetensors'));
    copyFileSync(path.join(FIXTURES_DIR, 'tiny-gpt2.config.json'), path.join(modelDir, 'config.json'));
    site = await startSite({ extra: { model: modelDir } });
    browser = await launchChromium(false);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** Opens `query` on `base` (the test site unless given) and records the page for this test's check. */
  async function open(query = '', base = site.url): Promise<Page> {
    const opened = await openPage(browser, `${base}${query}`);
    pages.push(opened);
    return opened.page;
  }

  // Each test checks the pages it opened itself, so an error fails the test that caused it, whatever ran
  // before it (a single test run with -t, or an earlier test that failed before closing its page).
  afterEach(() => {
    const errors = pages.flatMap((p) => p.errors);
    pages = [];
    expect(errors, "console errors and uncaught exceptions in this test's pages").toEqual([]);
  });

  it('runs on the CPU without --enable-unsafe-webgpu, and says why', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('backend').textContent()).toMatch(/CPU/);
    expect(await page.getByTestId('fallback-reason').textContent()).toMatch(/WebGPU|adapter/);
    await page.context().close();
  });

  // The list comes last, after the trace and one more forward pass; until then blank rows hold its place, so the
  // panels below (head detectors, export, model loader) do not move under the pointer when it lands.
  for (const width of [1280, 390]) {
    it(`at ${width} px the next-token list arrives without moving the panels below it`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      pages.push({ page, errors });
      // The panel's height after every change to the page, in each state: a MutationObserver runs before the
      // next paint, so every state that is ever drawn is seen.
      await page.addInitScript(() => {
        const heights = { blank: [] as number[], list: [] as number[] };
        Object.assign(window, { nextPanelHeights: heights });
        new MutationObserver(() => {
          const panel = document.querySelector('section.next-token');
          if (!panel) return;
          const height = panel.getBoundingClientRect().height;
          if (panel.querySelector('[data-testid="next-tokens-placeholder"]')) heights.blank.push(height);
          else if (panel.querySelector('[data-testid="next-tokens"]')) heights.list.push(height);
        }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
      });
      await page.goto(site.url);
      await waitForModel(page);
      const heights = await page.evaluate(
        () =>
          (window as unknown as { nextPanelHeights: { blank: number[]; list: number[] } }).nextPanelHeights,
      );
      expect(heights.blank.length, 'the blank rows were drawn before the list').toBeGreaterThan(0);
      expect(heights.list.length).toBeGreaterThan(0);
      expect(Math.abs(heights.list[0] - heights.blank.at(-1)!)).toBeLessThanOrEqual(2);
      await context.close();
    });
  }

  it('typing updates the token strip and the heatmap', async () => {
    const page = await open('?step=5');
    const before = await currentTraceId(page);
    await page.locator('#sentence').press('End');
    await page.locator('#sentence').pressSequentially(' today', { delay: 20 });
    await waitForNewTrace(page, before);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="token-strip"]')?.textContent?.includes('␣today'),
    );
    const matrix = await primaryMatrix(page);
    expect(matrix.rows).toBe(9);
    expectClose(
      matrix.values,
      tensorValues(await cliTrace(`${TEXT} today`), 'naive.scores'),
      1e-5,
      'scores after typing',
    );
    // The next-token panel follows, a frame later, with the CLI's most likely token and its probability.
    const traceId = await currentTraceId(page);
    await page.waitForFunction(
      (id) =>
        Number(document.querySelector('[data-testid="next-tokens"]')?.getAttribute('data-trace-id')) === id,
      traceId,
    );
    const { token, percent } = topNextToken(await cliTrace(`${TEXT} today`));
    const first = page.getByTestId('next-tokens').locator('li').first();
    expect(await first.locator('.piece').textContent()).toBe(token);
    expect(await first.locator('.p').textContent()).toBe(percent);
    await page.close();
  });

  it('each toggle shows the numbers the CLI trace has', async () => {
    const page = await open('?step=5');
    const trace = await cliTrace(TEXT);
    const check = async (name: string) => {
      await page.waitForFunction(
        (id) => document.querySelector('.matrix-panel.primary svg')?.getAttribute('data-matrix-id') === id,
        name.replace(/^h(\d+)\.(\w+)\.head/, 'h$1.$2.head'),
      );
      const shown = await primaryMatrix(page);
      expectClose(shown.values, tensorValues(trace, name), 1e-5, name);
    };
    await check('naive.scores');
    await page.getByRole('checkbox', { name: /Position embeddings/ }).uncheck();
    await check('naive_nopos.scores');
    await page.getByRole('checkbox', { name: /Position embeddings/ }).check();
    await page.getByRole('button', { name: 'Next step' }).click();
    await check('naive.weights');
    await page.getByLabel(/Causal mask/).check();
    await check('naive.causal_weights');
    await page.getByLabel(/Trainable/).check();
    await page.getByLabel('Layer', { exact: true }).selectOption('1');
    await page.getByLabel('Head', { exact: true }).selectOption('2');
    await page.waitForFunction(() =>
      document.querySelector('.step-kicker')?.textContent?.includes('layer 2, head 3'),
    );
    await check('h1.attn_weights.head2');
    // The pickers keep the arrow keys for themselves, so step back from the page body.
    await page.locator('h1').click();
    await page.keyboard.press('ArrowLeft');
    await check('h1.scaled_scores.head2');
    await page.close();
  });

  // Issue 28: the default sentence's two “␣the” are the page's lesson. The numbers are recomputed here in float64 from
  // the CLI trace's embeddings, not read from the page's own code.
  it('step 4 gives the cosines of the two “␣the”, and step 5 splits their score', async () => {
    const page = await open('?step=4');
    const trace = await cliTrace(TEXT);
    const [T, C] = trace.tensors.tok_emb.shape;
    const [first, second] = trace.ids.flatMap((id, i) => (id === 262 ? [i] : []));
    const row = (name: string, i: number) =>
      Array.from(trace.tensors[name].data.subarray(i * C, (i + 1) * C));
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, c) => sum + x * b[c], 0);
    const cos = (name: string) => {
      const [a, b] = [row(name, first), row(name, second)];
      return (dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))).toFixed(3);
    };
    const note = page.getByTestId('repeat-similarity');
    await note.waitFor();
    expect(await note.locator('.callout').textContent()).toBe(
      `“␣the” stands at rows ${first + 1} and ${second + 1}. Its two token embeddings are the same row of wte: ` +
        `cosine similarity 1.000. Their position embeddings have cosine ${cos('pos_emb')}, and their sums, the ` +
        `input embeddings, ${cos('input_emb')}: the copies still point almost the same way, but no longer exactly.`,
    );
    expect(await page.getByTestId('row-compare-summary').textContent()).toMatch(
      new RegExp(`^Input embeddings: cosine similarity ${cos('input_emb')};`),
    );

    await page.getByRole('button', { name: 'Next step' }).click();
    const copies = page.getByTestId('copy-score');
    await copies.waitFor();
    const token = row('tok_emb', first);
    const tokenPart = dot(token, token);
    const total = trace.tensors['naive.scores'].data[first * T + second];
    const text = (await copies.textContent())!;
    const [shownTotal, shownToken, shownPosition] = [...text.matchAll(/−?\d+\.\d{4}/g)].map((m) =>
      Number(m[0].replace('−', '-')),
    );
    expect(shownTotal).toBeCloseTo(total, 3);
    expect(shownToken).toBeCloseTo(tokenPart, 3);
    expect(shownPosition).toBeCloseTo(total - tokenPart, 3);
    expect(await page.locator('.score-split-grid h4').allTextContents()).toEqual([
      'token · token',
      '+ token · position',
      '+ position · token',
      '+ position · position',
    ]);
    await page.close();
  });

  it('the book preset shows the book’s numbers', async () => {
    const page = await open('?preset=book&step=5');
    const shown = await primaryMatrix(page);
    expectClose(shown.values, fixtures.book_ch03.naive_scores.flat(), 1e-4, 'book scores');
    // The cells are painted on a canvas (its printing is tested with the component); the table alternative
    // prints the same four decimals as text.
    await page.locator('.matrix-panel.primary summary', { hasText: 'as a table' }).click();
    const text = await page.locator('.matrix-panel.primary table').textContent();
    for (const printed of ['0.9995', '0.9544', '1.4950', '0.6310']) expect(text).toContain(printed);
    await page.goto(`${site.url}?preset=book&step=6&mode=trainable`);
    expectClose(
      (await primaryMatrix(page)).values,
      fixtures.book_ch03.trainable_weights.flat(),
      1e-4,
      'book weights',
    );
    await page.close();
  });

  it('a corrupt model file shows an error and keeps the old model', async () => {
    const page = await open();
    const before = await page.getByTestId('model-info').textContent();
    await page.locator('summary', { hasText: 'Load another' }).click();
    await page.getByTestId('model-files').setInputFiles([
      {
        name: 'broken.safetensors',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('this is not a safetensors file at all'),
      },
      {
        name: 'config.json',
        mimeType: 'application/json',
        buffer: readFileSync(path.join(FIXTURES_DIR, 'tiny-gpt2.config.json')),
      },
    ]);
    await expect.poll(() => page.getByTestId('model-error').textContent()).toMatch(/broken\.safetensors/);
    expect(await page.getByTestId('model-info').textContent()).toBe(before);
    await page.close();
  });

  it('loads a model by URL, shows it, and keeps it in Cache Storage', async () => {
    const page = await open();
    await page.locator('summary', { hasText: 'Load another' }).click();
    await page.locator('#model-url').fill(`${site.origin}/extra/model/`);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('model-info').textContent(), { timeout: 30_000 })
      .toMatch(/2 layers × 4 heads, C = 32/);
    const cached = await page.evaluate(async () =>
      (await (await caches.open('attention-explorer-models-v1')).keys()).map((r) => r.url),
    );
    expect(cached.some((u) => u.endsWith('/extra/model/model.safetensors'))).toBe(true);
    expect(page.url()).toContain('model=');
    await page.close();
  });

  it('a slow download can be cancelled, and the previous model stays', async () => {
    const slow = await startSite({ extra: { model: modelDir }, throttleBytesPer100ms: 64 * 1024 });
    try {
      const page = await open('', slow.url);
      const before = await page.getByTestId('model-info').textContent();
      await page.locator('summary', { hasText: 'Load another' }).click();
      await page.locator('#model-url').fill(`${slow.origin}/extra/model/`);
      await page.getByRole('button', { name: 'Load', exact: true }).click();
      await expect
        .poll(() => page.getByTestId('load-progress').textContent())
        .toMatch(/Downloading model\.safetensors/);
      await page.getByTestId('load-progress').getByRole('button', { name: 'Cancel' }).click();
      await expect
        .poll(() => page.getByTestId('model-error').textContent())
        .toMatch(/cancelled; the previous model stays/);
      expect(await page.getByTestId('model-info').textContent()).toBe(before);
      expect(await page.getByTestId('load-progress').count()).toBe(0);
      await page.context().close();
    } finally {
      await slow.close();
    }
  });

  it('the URL round-trips the view', async () => {
    const page = await open();
    await page.locator('#sentence').fill('one two one two');
    await page.getByLabel(/Trainable/).check();
    await page.getByLabel('Head', { exact: true }).selectOption('1');
    await page.getByLabel(/All heads grid/).check();
    await page.getByRole('button', { name: /Attention weights/ }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="token-strip"]')?.textContent?.includes('two'),
    );
    const url = page.url();
    const shown = await primaryMatrix(page);
    const again = await open(new URL(url).search);
    expect(await again.locator('#sentence').inputValue()).toBe('one two one two');
    expect(await again.getByLabel(/Trainable/).isChecked()).toBe(true);
    expect(await again.getByLabel('Head', { exact: true }).inputValue()).toBe('1');
    expect(await again.locator('.heads-grid button').count()).toBeGreaterThan(1);
    expect(await primaryMatrix(again)).toEqual(shown);
    await page.close();
    await again.close();
  });

  it('each export produces a valid file', async () => {
    const page = await open('?step=6');
    const save = async (label: string) => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: label, exact: true }).click(),
      ]);
      return readFileSync((await download.path())!);
    };
    const svg = (await save('SVG')).toString('utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const png = await save('PNG');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const csv = (await save('CSV')).toString('utf8').trim().split('\n');
    expect(csv).toHaveLength(9);
    const trace = await cliTrace(TEXT);
    expectClose(
      csv.slice(1).flatMap((line) => line.split(',').slice(1).map(Number)),
      tensorValues(trace, 'naive.weights'),
      1e-6,
      'csv',
    );
    const json = traceFromJson(JSON.parse((await save('Trace JSON')).toString('utf8')));
    expect(json.tokens).toHaveLength(8);
    expect(json.tensors.logits.shape).toEqual([8, json.config.vocabSize]);
    expectClose(
      Array.from(json.tensors['h0.attn_weights'].data),
      tensorValues(trace, 'h0.attn_weights'),
      1e-5,
      'trace json',
    );
    await page.close();
  });

  it('falls back to the untrained model, clearly labelled, when models/default is absent', async () => {
    const bare = await startSite({ hideDefaultModel: true });
    try {
      const page = await open('?step=6', bare.url);
      expect(await page.getByTestId('model-info').textContent()).toMatch(/Untrained GPT-2.*untrained/);
      expect(await page.locator('.badges').textContent()).toContain('untrained');
      await page.waitForSelector('.matrix-panel.primary svg[data-matrix-id]');
      await page.context().close();
    } finally {
      await bare.close();
    }
  });
});
