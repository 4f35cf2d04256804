// The unigram and bigram baselines against probabilities worked out by hand.

import { describe, expect, it } from 'vitest';
import { bigramLoss, unigramLoss } from '../../src/train/baselines';

describe('baselines', () => {
  // Training text over a 5-token vocabulary: 0 1 0 1 0 2 (counts 0:3, 1:2, 2:1, 3:0, 4:0).
  const train = [0, 1, 0, 1, 0, 2];
  const V = 5;
  const uni = (id: number) => ([3, 2, 1, 0, 0][id] + 1) / (train.length + V);

  it('unigram: add-one over the whole vocabulary', () => {
    expect(unigramLoss(train, [0, 3], V)).toBeCloseTo(-(Math.log(uni(0)) + Math.log(uni(3))) / 2, 12);
  });

  it('bigram: Witten–Bell interpolation with the unigram, and the unigram after an unseen context', () => {
    // After 0: pairs 0→1 twice, 0→2 once (c(0) = 3, two distinct followers).
    const after0 = (b: number) => ((b === 1 ? 2 : b === 2 ? 1 : 0) + 2 * uni(b)) / (3 + 2);
    // After 1: 1→0 twice (c(1) = 2, one follower). Token 2 ends the text, so it is never a context.
    const after1 = (b: number) => ((b === 0 ? 2 : 0) + 1 * uni(b)) / (2 + 1);
    const expected =
      -(Math.log(after0(1)) + Math.log(after0(4)) + Math.log(after1(0)) + Math.log(uni(3))) / 4;
    expect(bigramLoss(train, [0, 0, 1, 2], [1, 4, 0, 3], V)).toBeCloseTo(expected, 12);
  });

  it('bigram probabilities after a context sum to one', () => {
    const targets = [0, 1, 2, 3, 4];
    for (const a of [0, 1, 2]) {
      let sum = 0;
      for (const b of targets) sum += Math.exp(-bigramLoss(train, [a], [b], V));
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});
