// The "why" panel's grouping and words: a layer sums to one row until expanded, grouped grids keep the total
// (so they still split the score exactly), and the largest terms are named, with previous-token heads called so.

import { describe, expect, it } from 'vitest';
import { attributionComponents } from '../../src/model/attribution';
import {
  cellText,
  groupComponents,
  groupGrid,
  signed,
  topTerms,
} from '../../src/app/views/attribution/attribution-groups';

const components = attributionComponents(2, 2); // token, position, L1 H1, L1 H2, L1 attention bias, L1 MLP, L2 …, bias
const N = components.length;
const grid = Float32Array.from({ length: N * N }, (_, n) => ((n * 7) % 11) - 5 + n / 100);
const total = (rows: number[][]) => rows.flat().reduce((s, x) => s + x, 0);

describe('attribution groups', () => {
  it('sums each layer into one row until it is expanded, keeping the total', () => {
    const collapsed = groupComponents(components, new Set());
    expect(collapsed.map((g) => g.label)).toEqual(['token', 'position', 'L1', 'L2', 'bias']);
    expect(collapsed[2].members).toEqual([2, 3, 4, 5]);
    const expanded = groupComponents(components, new Set([2]));
    expect(expanded.map((g) => g.label)).toEqual([
      'token',
      'position',
      'L1',
      'L2 H1',
      'L2 H2',
      'L2 attention bias',
      'L2 MLP',
      'bias',
    ]);
    const sum = Array.from(grid).reduce((s, x) => s + x, 0);
    expect(total(groupGrid(grid, N, collapsed))).toBeCloseTo(sum, 3);
    expect(total(groupGrid(grid, N, expanded))).toBeCloseTo(sum, 3);
    // Query side L1 (rows 2–5) against key side token (column 0).
    const l1Token = [2, 3, 4, 5].reduce((s, a) => s + grid[a * N], 0);
    expect(groupGrid(grid, N, collapsed)[2][0]).toBeCloseTo(l1Token, 4);
  });

  it('names the largest terms in words, a previous-token head included', () => {
    const terms = new Float32Array(N * N);
    terms[N * N - N + 3] = 3.104; // query's bias with key's L1 H2
    terms[0] = -1.5; // token with token
    terms[N + 1] = 0.2;
    const [first, second, third] = topTerms(terms, components, [[0.1, 0.83]]);
    expect(first.sentence).toBe(
      'The query’s constant bias with the key’s L1 H2 output, a previous-token head, adds +3.10.',
    );
    expect(second.sentence).toBe('The query’s token embedding with the key’s token embedding adds −1.50.');
    expect(third.sentence).toMatch(/position embedding with the key’s position embedding adds \+0\.20/);
    expect(topTerms(terms, components, null)[0].sentence).not.toMatch(/previous-token/);
  });

  it('never prints −0.00', () => {
    expect(cellText(-0.001)).toBe('0.00');
    expect(cellText(-0.5)).toBe('−0.50');
    expect(signed(-0.001)).toBe('0.00');
    expect(signed(2)).toBe('+2.00');
  });
});
