// A 128-token text (the default model's whole context) in Chromium at 1280 and 390 px: the attention heatmap
// keeps square cells and token labels, scrolls in its own box, a click on a far row charts it, and the page never scrolls sideways.

import { describe, expect, it } from 'vitest';
import { browserAvailable, horizontalOverflow, openPage, spilledElements, browserSuite } from './helpers';

const run = browserAvailable();

/** Longer than 128 tokens, so the page cuts it to the context. */
const LONG_TEXT = 'the fat cat sat on the mat. it was sleepy. '.repeat(14);
const FAR_ROW = 120;

describe.runIf(run)('a 128-token text in Chromium', () => {
  const suite = browserSuite();

  it.each([1280, 390])(
    'at %i px: square labelled cells, a far row charts on click, no sideways scroll',
    async (width) => {
      const { page, errors } = await openPage(
        suite.browser,
        `${suite.site.url}?step=6&text=${encodeURIComponent(LONG_TEXT)}`,
        { width, height: 900 },
      );
      await page.waitForSelector('.matrix-panel.primary svg[data-matrix-id][data-rows="128"]', {
        timeout: 60_000,
      });
      const shape = await page.evaluate(() => {
        const panel = document.querySelector('.matrix-panel.primary')!;
        const canvas = panel.querySelector('canvas.heatmap-cells')!.getBoundingClientRect();
        const gutter = panel.querySelector('svg.heatmap-rows')!.getBoundingClientRect().width;
        // The grid is padded on every side by the room its first and last labels need (the corner stops short).
        const pad = gutter - panel.querySelector('.heatmap-corner')!.getBoundingClientRect().width;
        const top = panel.querySelector('svg.heatmap-cols')!.getBoundingClientRect().height + pad;
        return {
          cellWide: (canvas.width - gutter - 2 - pad) / 128,
          cellHigh: (canvas.height - top - 2 - pad) / 128,
          gutter,
          top,
          rowLabels: panel.querySelectorAll('.heatmap-rows text').length,
          colLabels: panel.querySelectorAll('.heatmap-cols text').length,
        };
      });
      expect(shape.cellWide).toBe(shape.cellHigh);
      expect(shape.cellWide).toBeGreaterThanOrEqual(6);
      expect(shape.rowLabels).toBeGreaterThan(8);
      expect(shape.colLabels).toBeGreaterThan(8);

      // Scroll the heatmap's own box to the far row, then click a cell in it.
      const point = await page.evaluate(
        ({ row, gutter, top, cell }) => {
          const svg = document.querySelector('.matrix-panel.primary svg[data-matrix-id]')!;
          const box = svg.closest('.matrix-scroll')!;
          box.scrollTop = top + row * cell - box.clientHeight / 2;
          box.scrollIntoView({ block: 'center' });
          const stage = svg.getBoundingClientRect();
          return { x: stage.left + gutter + 2.5 * cell, y: stage.top + top + (row + 0.5) * cell };
        },
        { row: FAR_ROW, gutter: shape.gutter, top: shape.top, cell: shape.cellWide },
      );
      await page.mouse.click(point.x, point.y);
      await page.waitForSelector('.matrix-panel.primary .bar-chart');
      expect(new URL(page.url()).searchParams.get('row')).toBe(String(FAR_ROW));
      expect(
        await page
          .getByTestId(/^readout-/)
          .first()
          .textContent(),
      ).toMatch(/^α₁₂₁,₃ = /);

      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(await spilledElements(page, 'main')).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );
});
