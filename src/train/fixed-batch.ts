// The fixed-batch check: AdamW on one batch, the first B·T+1 tokens of a text, step after step, over the full
// vocabulary of any GPT-2 model. Its losses are what PyTorch's AdamW gives on the same model and batch.

import type { CpuKernels } from '../model/cpu/kernels';
import { createSyncKernels } from '../model/wasm/select';
import type { GPT2Weights } from '../model/weights';
import { AdamW, clipGradNorm } from './adamw';
import { GPT2Training } from './gpt2-train';
import { checkLoss, FIXED_BATCH_ADVICE } from './divergence';

export interface FixedBatchOptions {
  B: number;
  T: number;
  steps: number;
  lr: number;
  weightDecay: number;
  /** clip_grad_norm_ before each update, or none. */
  gradClip?: number;
}

/** Fills inputs with tokens[0..B·T) and targets with tokens[1..B·T]: row b is the b-th run of T tokens. */
export function fixedBatch(training: GPT2Training, tokens: ArrayLike<number>): void {
  const N = training.B * training.T;
  if (tokens.length < N + 1) {
    throw new Error(
      `the text has ${tokens.length} tokens; a ${training.B}×${training.T} batch needs ${N + 1}`,
    );
  }
  const V = training.weights.config.vocabSize;
  for (let i = 0; i <= N; i++) {
    if (tokens[i] >= V) throw new Error(`token id ${tokens[i]} is outside the vocabulary of ${V}`);
  }
  for (let i = 0; i < N; i++) {
    training.inputs[i] = tokens[i];
    training.targets[i] = tokens[i + 1];
  }
}

/**
 * Trains a copy of `weights` on `kernels`; calls onStep with each step's loss before its update, and returns
 * all of them.
 */
export function trainFixedBatch(
  weights: GPT2Weights,
  tokens: ArrayLike<number>,
  options: FixedBatchOptions,
  onStep: (step: number, loss: number) => void = () => {},
  kernels: CpuKernels = createSyncKernels(),
): { losses: number[]; training: GPT2Training } {
  const training = new GPT2Training(weights, options.B, options.T, null, kernels);
  fixedBatch(training, tokens);
  const optimizer = new AdamW(
    training.params,
    { weightDecay: options.weightDecay, decay: 'all' },
    training.kernels,
  );
  const losses: number[] = [];
  for (let step = 0; step < options.steps; step++) {
    const loss = training.forward();
    losses.push(loss);
    onStep(step, loss);
    checkLoss(loss, step, FIXED_BATCH_ADVICE);
    training.backward();
    if (options.gradClip !== undefined) clipGradNorm(training.params.grads, options.gradClip);
    optimizer.update(options.lr);
  }
  return { losses, training };
}
