// The four naive score terms add up to the naive scores the engine computes, and each is the plain dot product.

import { describe, expect, it } from 'vitest';
import { cpuForward } from '../../src/model/cpu/forward';
import { naiveScoreTerms } from '../../src/model/naive-terms';
import { randomGPT2Weights } from '../../src/model/random';
import { defaultCpuKernels } from '../../src/model/wasm/select';

describe('naiveScoreTerms', () => {
  it('sums to the naive scores, and term [1][0] is position_i · token_j', () => {
    const config = {
      vocabSize: 97,
      nPositions: 16,
      nEmbd: 24,
      nLayer: 1,
      nHead: 2,
      layerNormEpsilon: 1e-5,
      activation: 'gelu_new' as const,
    };
    const weights = randomGPT2Weights(config, 5);
    const ids = [3, 17, 3, 40, 3, 96, 0];
    const T = ids.length;
    const C = config.nEmbd;
    const trace = cpuForward(
      weights,
      ids,
      {
        include: ['tok_emb', 'pos_emb', 'naive.scores'],
        logits: 'none',
      },
      defaultCpuKernels(),
    );
    const terms = naiveScoreTerms(trace.tok_emb.data, trace.pos_emb.data, T, C);
    const scores = trace['naive.scores'].data;
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += terms[k * T * T + i * T + j];
        expect(Math.abs(sum - scores[i * T + j])).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(scores[i * T + j])),
        );
        let expected = 0;
        for (let c = 0; c < C; c++) expected += weights.wpe[i * C + c] * weights.wte[ids[j] * C + c];
        expect(terms[2 * T * T + i * T + j]).toBeCloseTo(expected, 6);
      }
    }
  });
});
