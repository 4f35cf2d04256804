// The compact vocabulary is exact, not an approximation: training over the corpus rows plus one shared row
// follows full-vocabulary training of the model whose unused rows all equal that row, step for step, and its
// losses are the full vocabulary's, also where a target is a token on the shared row.

import { referenceKernels } from '../../src/model/cpu/kernels';
import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../../src/model/config';
import { randomGPT2Weights, seededRandom } from '../../src/model/random';
import { AdamW, clipGradNorm, untieGradients } from '../../src/train/adamw';
import { meanLossOver } from '../../src/train/data';
import { GPT2Training } from '../../src/train/gpt2-train';
import { fullVocabLoss } from '../../src/train/report';
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

  it('reports the loss per token of the full vocabulary when a target is on the shared row', () => {
    const random = seededRandom(5);
    const tokens = Int32Array.from({ length: 2 * 8 + 1 }, () => 10 + Math.floor(random() * 5) * 7);
    tokens[5] = 250; // each once, below the count of 2: both fall on the shared row with the unseen tokens
    tokens[12] = 251;
    const vocab = buildTrainVocab(tokens, config.vocabSize, 2);
    const ids = toCompactIds(tokens.slice(), vocab);
    const shared = vocab.size - 1;
    expect(ids.filter((id) => id === shared).length).toBeGreaterThanOrEqual(2);
    const compact = randomGPT2Weights(compactConfig(config, vocab), 4);
    for (let i = 0; i < compact.wte.length; i++) compact.wte[i] *= 30;
    const full = expandWeights(compact, vocab);

    const training = (weights: typeof full, bias: Float32Array | null) =>
      new GPT2Training(weights, 2, 8, bias, referenceKernels);
    const compactTraining = training(compact, sharedRowLogitBias(vocab));
    const fullTraining = training(full, null);
    for (const [t, input] of [
      [compactTraining, ids],
      [fullTraining, tokens],
    ] as const) {
      t.inputs.set(input.subarray(0, 16));
      t.targets.set(input.subarray(1, 17));
    }
    const fullLoss = fullTraining.forward();
    // Without the shared row's log n, the compact loss would be about 2/16 · log 292 ≈ 0.7 lower.
    expect(Math.abs(compactTraining.forward() - fullLoss) / fullLoss).toBeLessThan(1e-6);
    const heldOut = meanLossOver(compactTraining, ids, [0, 8]);
    expect(Math.abs(heldOut - fullVocabLoss(full, tokens, [0, 8], 8)) / heldOut).toBeLessThan(1e-5);
  });
});
