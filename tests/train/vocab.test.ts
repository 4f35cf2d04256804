// The compact vocabulary is exact, not an approximation: training over the corpus rows plus one shared row
// follows full-vocabulary training of the model whose unused rows all equal that row, step for step.

import { referenceKernels } from '../../src/model/cpu/kernels';
import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../../src/model/config';
import { randomGPT2Weights, seededRandom } from '../../src/model/random';
import { AdamW, clipGradNorm, untieGradients } from '../../src/train/adamw';
import { GPT2Training } from '../../src/train/gpt2-train';
import {
  buildTrainVocab,
  compactConfig,
  expandWeights,
  sharedRowLogitBias,
  sharedRowSpan,
  toCompactIds,
} from '../../src/train/vocab';
import { relativeError } from '../helpers/fixtures';

const config: GPT2Config = {
  vocabSize: 300,
  nPositions: 8,
  nEmbd: 8,
  nLayer: 1,
  nHead: 2,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
};

describe('the compact training vocabulary', () => {
  it('trains exactly like the full vocabulary with identical unused rows', () => {
    const random = seededRandom(3);
    const tokens = Int32Array.from({ length: 2 * 8 + 1 }, () => 10 + Math.floor(random() * 20) * 7);
    const vocab = buildTrainVocab(tokens, config.vocabSize);
    const compact = randomGPT2Weights(compactConfig(config, vocab), 9);
    for (let i = 0; i < compact.wte.length; i++) compact.wte[i] *= 30; // sharp logits, so the shared row matters
    const full = expandWeights(compact, vocab);

    const run = (
      weights: typeof full,
      ids: Int32Array,
      bias: Float32Array | null,
      tied = sharedRowSpan(vocab, 8),
    ) => {
      // The reference kernels sum in float64, so the two vocabularies agree to rounding, not to float32 noise.
      const training = new GPT2Training(weights, 2, 8, bias, referenceKernels);
      training.inputs.set(ids.subarray(0, 16));
      training.targets.set(ids.subarray(1, 17));
      const optimizer = new AdamW(training.params, { weightDecay: 0.1 });
      const losses: number[] = [];
      for (let step = 0; step < 5; step++) {
        losses.push(training.forward());
        training.backward();
        untieGradients(training.params.grads, tied);
        clipGradNorm(training.params.grads, 0.5, tied);
        optimizer.update(3e-3);
      }
      return { losses, weights: training.weights };
    };
    const fullRun = run(full, tokens, null, []);
    const compactRun = run(compact, toCompactIds(tokens.slice(), vocab), sharedRowLogitBias(vocab));
    expect(compactRun.losses[0]).toBeGreaterThan(Math.log(vocab.sharedCount) * 0.1);
    compactRun.losses.forEach((loss, i) =>
      expect(Math.abs(loss - fullRun.losses[i]) / loss).toBeLessThan(1e-5),
    );
    const expanded = expandWeights(compactRun.weights, vocab);
    expect(relativeError(expanded.wte, fullRun.weights.wte)).toBeLessThan(1e-5);
    expect(relativeError(expanded.layers[0].qkvWeight, fullRun.weights.layers[0].qkvWeight)).toBeLessThan(
      1e-5,
    );
  });
});
