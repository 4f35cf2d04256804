// @vitest-environment jsdom
// The book preset computes chapter 3's example with the engine's attention functions; every number must match
// what the book prints (the PyTorch fixture) to 4 decimals.

import { describe, expect, it } from 'vitest';
import { bookTrace } from '../../src/app/data/book-trace';
import { contextViews, naiveScoresView, weightsView } from '../../src/app/data/select';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import fixtures from '../fixtures/fixtures.json';

const book = fixtures.book_ch03;
const TOL = 5e-5;

function expectClose(actual: Float32Array, expected: number[][]) {
  const flat = expected.flat();
  expect(actual.length).toBe(flat.length);
  flat.forEach((x, i) => expect(Math.abs(actual[i] - x)).toBeLessThan(TOL));
}

describe('book preset', () => {
  const trace = bookTrace(1);
  const naive = { ...DEFAULT_SETTINGS, preset: 'book' as const };
  const trainable = { ...naive, mode: 'trainable' as const };

  it('naive scores, weights and context match §3.3', () => {
    expectClose(naiveScoresView(trace, naive).matrix.data, book.naive_scores);
    expectClose(weightsView(trace, naive).matrix.data, book.naive_weights);
    expectClose(contextViews(trace, naive)[0].matrix.data, book.naive_context);
  });

  it('trainable weights and context match §3.4 without the mask and §3.5 with it', () => {
    expectClose(weightsView(trace, trainable).matrix.data, book.trainable_weights);
    expectClose(contextViews(trace, trainable)[0].matrix.data, book.trainable_context);
    const causal = { ...trainable, causal: true };
    expectClose(weightsView(trace, causal).matrix.data, book.causal_weights);
    expectClose(contextViews(trace, causal)[0].matrix.data, book.causal_context);
  });

  it('explains a score with the book’s numbers', () => {
    const line = naiveScoresView(trace, naive).explain(1, 2);
    expect(line).toBe('ω₂₃ = x⁽²⁾·x⁽³⁾ = 0.5500×0.5700 + 0.8700×0.8500 + 0.6600×0.6400 = 1.4754');
  });

  it('explains a weight as the softmax of its scaled score, ending on the book’s number', () => {
    const line = weightsView(trace, trainable).explain(1, 0);
    expect(line).toMatch(/^α₂₁ = exp\(\(ω\/√dₖ\)₂₁ − max\) \/ Σⱼ exp\(\(ω\/√dₖ\)₂ⱼ − max\) = exp\(/);
    expect(line).not.toContain('− −');
    expect(line.endsWith(`= ${book.trainable_weights[1][0].toFixed(4)}`)).toBe(true);
  });
});
