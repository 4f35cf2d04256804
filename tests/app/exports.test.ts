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
