// The attribution of a head's scores against a float64 computation written from the definition (on random
// models of unusual shapes the engine never saw), and its terms against the engine's own scaled scores.

import { describe, expect, it } from 'vitest';
import {
  attributionAt,
  attributionComponents,
  attributionParts,
  attributionRequest,
  attributionTerms,
  attributionWeightedMean,
} from '../../src/model/attribution';
import { cpuForward } from '../../src/model/cpu/forward';
import { headBlock } from '../../src/model/trace';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { referenceAttribution } from '../helpers/reference-attribution';
import { defaultCpuKernels } from '../../src/model/wasm/select';

const MODELS = [
  { nEmbd: 24, nHead: 3, nLayer: 3, seed: 11, layer: 2, head: 1, ids: [5, 900, 5, 31, 47, 5, 2] },
  { nEmbd: 16, nHead: 4, nLayer: 2, seed: 12, layer: 1, head: 3, ids: [50256, 7, 8, 9, 7, 8] },
  { nEmbd: 20, nHead: 2, nLayer: 2, seed: 13, layer: 0, head: 0, ids: [1, 2, 3, 1, 2] },
];

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('attribution of a head score over the residual stream', () => {
  it('names token, position, each earlier head, attention bias, MLP, then bias', () => {
    expect(attributionComponents(2, 2)).toEqual([
      'token',
      'position',
      'L1 H1',
      'L1 H2',
      'L1 attention bias',
      'L1 MLP',
      'L2 H1',
      'L2 H2',
      'L2 attention bias',
      'L2 MLP',
      'bias',
    ]);
  });

  it.each(MODELS)(
    'matches a float64 reference and sums to the scaled scores (C=$nEmbd, NH=$nHead, layer $layer, head $head)',
    ({ seed, layer, head, ids, ...shape }) => {
      const weights = loudRandomWeights(testConfig(shape), seed, 0.3);
      const T = ids.length;
      const tensors = cpuForward(weights, ids, attributionRequest(layer, head), defaultCpuKernels());
      const parts = attributionParts(weights, tensors, layer, head);
      const terms = attributionTerms(parts);
      const reference = referenceAttribution(weights, ids, layer, head);
      expect(parts.components).toEqual(reference.names);
      const N = parts.components.length;
      expect(terms.length).toBe(N * N * T * T);
      // The engine's trace is float32 throughout, the reference float64: relative to the largest term.
      const scale = maxAbs(reference.terms);
      for (let n = 0; n < terms.length; n++)
        expect(Math.abs(terms[n] - reference.terms[n])).toBeLessThan(2e-4 * scale);
      // The terms of each cell add up to the engine's own scaled score (float32 rounding only).
      const scaled = tensors[`h${layer}.scaled_scores.head${head}`].data;
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          let sum = 0;
          for (let ab = 0; ab < N * N; ab++) sum += terms[ab * T * T + i * T + j];
          expect(Math.abs(sum - scaled[i * T + j])).toBeLessThan(1e-4 * Math.max(1, maxAbs(scaled)));
          expect(Math.abs(sum - reference.scaled[i * T + j])).toBeLessThan(
            1e-4 * Math.max(1, maxAbs(scaled)),
          );
        }
    },
  );

  it('gives one cell and the attention-weighted mean as slices of the full terms', () => {
    const { seed, layer, head, ids, ...shape } = MODELS[0];
    const weights = loudRandomWeights(testConfig(shape), seed, 0.3);
    const T = ids.length;
    const tensors = cpuForward(weights, ids, attributionRequest(layer, head), defaultCpuKernels());
    const parts = attributionParts(weights, tensors, layer, head);
    const terms = attributionTerms(parts);
    const N = parts.components.length;
    const cell = attributionAt(parts, 4, 2);
    for (let ab = 0; ab < N * N; ab++) expect(cell[ab]).toBeCloseTo(terms[ab * T * T + 4 * T + 2], 4);
    const attention = tensors[`h${layer}.attn_weights.head${head}`].data;
    const mean = attributionWeightedMean(parts, attention);
    for (let ab = 0; ab < N * N; ab++) {
      let expected = 0;
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) expected += attention[i * T + j] * terms[ab * T * T + i * T + j];
      expect(mean[ab]).toBeCloseTo(expected / T, 4);
    }
    // The head's average score, Σ w·s over queries, is the sum of the whole grid.
    const scaled = headBlock(tensors[`h${layer}.scaled_scores.head${head}`].data, 0, T, T);
    let averageScore = 0;
    for (let i = 0; i < T; i++)
      for (let j = 0; j <= i; j++) averageScore += attention[i * T + j] * scaled[i * T + j];
    expect(mean.reduce((s, x) => s + x, 0)).toBeCloseTo(averageScore / T, 3);
  });
});
