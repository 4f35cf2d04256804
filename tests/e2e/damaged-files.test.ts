// Damaged weight files uploaded in Chromium, one of each class in tests/helpers/damaged-files.ts: a refused
// file shows its sentence and keeps the model and view; extra tensors load with a notice; NaN activations say so.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeSafetensors } from '../../src/model/safetensors';
import { damagedCases, SMALL_CONFIG, SMALL_CONFIG_TEXT } from '../helpers/damaged-files';
import { layoutTensors } from '../helpers/model-files';
import { loudRandomWeights } from '../helpers/random-models';
import { browserAvailable, browserSuite, openPage } from './helpers';

const run = browserAvailable();

/** The first refused case of every class, then the loading ones that carry a notice. */
const cases = damagedCases();
const refused = [...new Set(cases.map((c) => c.kind))].flatMap(
  (kind) => cases.find((c) => c.kind === kind && 'refuse' in c.expect) ?? [],
);
const withNotice = cases.find((c) => 'notice' in c.expect && c.expect.notice)!;

describe.runIf(run)('damaged model files in Chromium', () => {
  const suite = browserSuite();
  let page: Page;

  beforeAll(async () => {
    page = (await openPage(suite.browser, suite.site.url)).page;
    await page.locator('summary', { hasText: 'Load another' }).click();
  });

  const upload = (bytes: Uint8Array) =>
    page.getByTestId('model-files').setInputFiles([
      { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) },
      { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(SMALL_CONFIG_TEXT) },
    ]);
  const text = (testId: string) => page.getByTestId(testId).first().textContent();
  const traceId = () => page.getByTestId('token-strip').getAttribute('data-trace-id');

  it.each(refused.map((c) => [c.kind, c.name, c] as const))(
    '%s (%s): says why, keeps model and view',
    async (_, __, c) => {
      const model = await text('model-info');
      const view = await traceId();
      await upload(c.bytes);
      await expect.poll(() => text('model-error')).toMatch('refuse' in c.expect ? c.expect.refuse : /never/);
      expect(await text('model-info')).toBe(model);
      expect(await traceId()).toBe(view);
    },
  );

  it('loads a file with extra tensors and names them above the tokens', async () => {
    await upload(withNotice.bytes);
    await expect.poll(() => text('model-info')).toMatch(/C = 8/);
    await page.locator('#sentence').fill('!#');
    const notice = 'notice' in withNotice.expect ? withNotice.expect.notice! : /never/;
    await expect
      .poll(() => page.getByTestId('input-notice').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(notice)]));
  });

  it('says so when finite weights overflow to NaN activations, and keeps the last view', async () => {
    const weights = loudRandomWeights(SMALL_CONFIG, 9);
    weights.wte.fill(3e38);
    weights.wpe.fill(3e38);
    const view = await traceId();
    await upload(writeSafetensors(layoutTensors(weights, 'official', 'F32')));
    await expect.poll(() => text('input-error')).toMatch(/^The model computed \+Infinity in input_emb/);
    expect(await traceId()).toBe(view);
    // No number on the page is NaN; the messages that say what went wrong may name it.
    const shown = await page.evaluate(() => {
      const body = document.body.cloneNode(true) as HTMLElement;
      body
        .querySelectorAll('[data-testid="input-error"], [data-testid="next-error"]')
        .forEach((e) => e.remove());
      return body.textContent ?? '';
    });
    expect(shown).not.toMatch(/\bNaN\b/);
  });
});
