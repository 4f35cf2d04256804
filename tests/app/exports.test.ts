// @vitest-environment jsdom
// Export formats: CSV with a header and one line per token at full precision, an SVG that parses as XML with
// one rect per cell, its title line and its colour legend, and file names that count from 1 as the page does.

import { csvParseRows } from 'd3';
import { describe, expect, it } from 'vitest';
import { bookTrace } from '../../src/app/data/book-trace';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { matrix } from '../../src/model/attention';
import {
  exportCaption,
  exportFileBase,
  matrixToCsv,
  matrixToSvg,
  primaryView,
  tokensToCsv,
} from '../../src/app/export/files';
import { modelTrace } from '../helpers/model-trace';

const trace = bookTrace(1);
const settings = { ...DEFAULT_SETTINGS, preset: 'book' as const, step: 6 };

describe('exports', () => {
  it('CSV holds the labels and the exact float32 values', () => {
    const view = primaryView(trace, settings)!;
    const lines = matrixToCsv(view).trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('token,Your,journey,starts,with,one,step');
    const second = lines[2].split(',');
    expect(second[0]).toBe('journey');
    expect(Number(second[2])).toBe(view.matrix.data[1 * 6 + 1]);
  });

  it('SVG is well-formed and has a rect per cell', () => {
    const svg = matrixToSvg(primaryView(trace, settings)!);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    expect(doc.querySelectorAll('rect > title').length).toBe(36);
  });

  it('SVG carries a title line and the colour legend', async () => {
    const model = await modelTrace('the fat cat');
    const trainable = { ...DEFAULT_SETTINGS, mode: 'trainable' as const, step: 6, head: 2 };
    const caption = exportCaption(model, trainable, 'Default model (trained)');
    expect(caption).toBe(
      '“the fat cat” · Default model (trained) · step 6: Attention weights · layer 1, head 3',
    );
    const doc = new DOMParser().parseFromString(
      matrixToSvg(primaryView(model, trainable)!, caption),
      'image/svg+xml',
    );
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts[0]).toBe(caption);
    expect(texts).toContain('weight (0 = ignored)');
    expect(doc.querySelectorAll('linearGradient stop').length).toBe(11);
  });

  it('SVG stays well-formed XML when a model file name or a token holds control characters', async () => {
    const model = await modelTrace('the fat cat');
    const trainable = { ...DEFAULT_SETTINGS, mode: 'trainable' as const, step: 6 };
    const name = 'bad\u0001name\u001b[31m\u0000\ud800.safetensors';
    const caption = exportCaption(model, trainable, name);
    const view = primaryView(model, trainable)!;
    const labels = view.rowLabels.map((label, i) => (i === 0 ? `\u0007${label}\u000c` : label));
    const svg = matrixToSvg({ ...view, rowLabels: labels, colLabels: labels }, caption);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const title = doc.querySelector('text')!.textContent!;
    // Each control character shows as its picture, so the title still tells what the name held.
    expect(title).toContain('bad␁name␛[31m␀\ufffd.safetensors');
    expect([...doc.querySelectorAll('text')].map((t) => t.textContent)).toContain(`␇${view.rowLabels[0]}␌`);
  });

  it('SVG of a 128-token matrix is legible: square cells, thinned labels, title and legend', () => {
    const T = 128;
    const m = matrix(T, T);
    for (let r = 0; r < T; r++) for (let c = 0; c <= r; c++) m.data[r * T + c] = 1 / (r + 1);
    const tokens = Array.from({ length: T }, (_, i) => `␣word${i}`);
    const view = {
      ...primaryView(trace, settings)!,
      matrix: m,
      rowLabels: tokens,
      colLabels: tokens,
      masked: (r: number, c: number) => c > r,
    };
    const caption = '“a long text” · Default model (trained) · step 6: Attention weights · layer 1, head 1';
    const doc = new DOMParser().parseFromString(matrixToSvg(view, caption), 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const root = doc.documentElement;
    // A picture a screen or a page can hold, not a 4 × 16 px strip per cell.
    expect(Number(root.getAttribute('width'))).toBeLessThanOrEqual(1300);
    const cells = [...doc.querySelectorAll('rect')].filter((r) => r.querySelector('title'));
    expect(cells).toHaveLength(T * T);
    for (const cell of [cells[0], cells[T * T - 1], cells[77 * T + 3]]) {
      expect(cell.getAttribute('width')).toBe(cell.getAttribute('height'));
      expect(Number(cell.getAttribute('width'))).toBeGreaterThanOrEqual(5);
    }
    // Row and column labels thinned so that neighbours never overlap (12 px text), the first and last kept.
    const texts = [...doc.querySelectorAll('text')];
    const rowYs = texts
      .filter((t) => t.getAttribute('text-anchor') === 'end')
      .map((t) => Number(t.getAttribute('y')));
    const colXs = texts
      .map((t) => /translate\(([\d.]+)/.exec(t.getAttribute('transform') ?? '')?.[1])
      .filter((x) => x !== undefined)
      .map(Number);
    for (const positions of [rowYs, colXs]) {
      expect(positions.length).toBeGreaterThan(20);
      expect(positions.length).toBeLessThan(T);
      positions.slice(1).forEach((p, i) => expect(p - positions[i]).toBeGreaterThanOrEqual(12));
    }
    expect(texts.map((t) => t.textContent)).toEqual(expect.arrayContaining(['␣word0', '␣word127']));
    // The first row's label sits below the column labels; the last one inside the picture.
    const firstCell = Number(cells[0].getAttribute('y'));
    expect(rowYs[0] - 6).toBeGreaterThanOrEqual(firstCell - 7);
    expect(
      Math.abs(rowYs[0] - (firstCell + Number(cells[0].getAttribute('height')) / 2)),
    ).toBeLessThanOrEqual(1);
    // Title and legend, as for a short text.
    expect(texts[0].textContent).toBe(caption);
    expect(texts.map((t) => t.textContent)).toContain('weight (0 = ignored)');
    expect(doc.querySelectorAll('linearGradient stop').length).toBe(11);
    const legendTop = Number(doc.querySelector('rect[fill^="url("]')!.getAttribute('y'));
    expect(legendTop).toBeGreaterThan(Number(cells[T * T - 1].getAttribute('y')) + 5);
    expect(legendTop + 12).toBeLessThanOrEqual(Number(root.getAttribute('height')));
  });

  it('file names count layers and heads from 1, as the page does', async () => {
    const model = await modelTrace('the fat cat', 1);
    const trainable = { ...DEFAULT_SETTINGS, mode: 'trainable' as const, step: 6, layer: 1, head: 0 };
    expect(exportFileBase(6, primaryView(model, trainable))).toBe(
      'attention-step6-layer2.attn_weights.head1',
    );
    expect(exportFileBase(1, null)).toBe('attention-step1-tokens');
  });

  it('step 1 exports tokens, with quotes where needed', () => {
    expect(tokensToCsv({ ...trace, tokens: ['a,b', 'c'], ids: [1, 2] })).toBe(
      'position,token,id\n1,"a,b",1\n2,c,2\n',
    );
    expect(primaryView(trace, { ...settings, step: 1 })).toBeNull();
  });

  it('CSV quotes any label a CSV reader would split: comma, quote, newline, carriage return', () => {
    const labels = ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere'];
    const view = {
      ...primaryView(trace, settings)!,
      matrix: matrix(
        4,
        4,
        Float32Array.from({ length: 16 }, (_, i) => i / 3),
      ),
      rowLabels: labels,
      colLabels: labels,
    };
    const rows = csvParseRows(matrixToCsv(view));
    expect(rows[0]).toEqual(['token', ...labels]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(labels);
    expect(rows.slice(1).flatMap((row) => row.slice(1).map(Number))).toEqual(Array.from(view.matrix.data));
    const tokens = csvParseRows(tokensToCsv({ ...trace, tokens: labels, ids: [1, 2, 3, 4] }));
    expect(tokens.slice(1).map((row) => row[1])).toEqual(labels);
  });
});
