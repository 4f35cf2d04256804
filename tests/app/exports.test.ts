// @vitest-environment jsdom
// Export formats: CSV with a header and one line per token at full precision, and an SVG that parses as XML
// with one rect per cell.

import { describe, expect, it } from 'vitest';
import { bookTrace } from '../../src/app/data/book-trace';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { matrixToCsv, matrixToSvg, primaryView, tokensToCsv } from '../../src/app/export/files';

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
    expect(doc.querySelectorAll('rect').length).toBe(36 + 1);
  });

  it('step 1 exports tokens, with quotes where needed', () => {
    expect(tokensToCsv({ ...trace, tokens: ['a,b', 'c'], ids: [1, 2] })).toBe(
      'position,token,id\n1,"a,b",1\n2,c,2\n',
    );
    expect(primaryView(trace, { ...settings, step: 1 })).toBeNull();
  });
});
