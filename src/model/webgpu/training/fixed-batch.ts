// The fixed-batch check on the GPU, the twin of trainFixedBatch (src/train/fixed-batch.ts): AdamW with
// PyTorch's defaults on one batch, the first B·T+1 tokens of a text, step after step, so its losses can be held
// against the CPU engine's and PyTorch's.

import type { GPT2Weights } from '../../weights';
import { GpuTraining } from './gpu-training';

/** The same fields as FixedBatchOptions in src/train/fixed-batch.ts. */
export interface GpuFixedBatchOptions {
  B: number;
  T: number;
  steps: number;
  lr: number;
  weightDecay: number;
  /** clip_grad_norm_ before each update, or none. */
  gradClip?: number;
}

/** Trains in place on the GPU; calls onStep with each step's loss before its update, and returns all of them.
 * The caller disposes the returned training. */
export async function trainFixedBatchOnGpu(
  device: GPUDevice,
  weights: GPT2Weights,
  tokens: ArrayLike<number>,
  options: GpuFixedBatchOptions,
  onStep: (step: number, loss: number) => void = () => {},
): Promise<{ losses: number[]; training: GpuTraining }> {
  const { B, T } = options;
  const N = B * T;
  const V = weights.config.vocabSize;
  if (tokens.length < N + 1) {
    throw new Error(`the text has ${tokens.length} tokens; a ${B}×${T} batch needs ${N + 1}`);
  }
  for (let i = 0; i <= N; i++) {
    if (tokens[i] >= V) throw new Error(`token id ${tokens[i]} is outside the vocabulary of ${V}`);
  }
  const inputs = Int32Array.from({ length: N }, (_, i) => tokens[i]);
  const targets = Int32Array.from({ length: N }, (_, i) => tokens[i + 1]);
  const training = new GpuTraining(device, weights, B, T);
  const adamw = {
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: options.weightDecay,
    decay: 'all',
  } as const;
  const losses: number[] = [];
  try {
    for (let step = 0; step < options.steps; step++) {
      const loss = await training.forward(inputs, targets);
      losses.push(loss);
      onStep(step, loss);
      await training.backward();
      await training.update(options.lr, adamw, options.gradClip);
    }
  } catch (error) {
    training.dispose();
    throw error;
  }
  return { losses, training };
}
