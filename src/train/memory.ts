// How much memory a training run takes, worked out from its sizes before anything is allocated, so that
// `--n-layer 10000000` or `--batch 1e9` is refused at once with the figure, not after minutes of preparation
// or with "Invalid typed array length". Counts the buffers GPT2Training and AdamW allocate (gpt2-train.ts).

import type { ModelShape } from '../model/config';
import { MAX_PAGES } from '../model/wasm/build/kernels';
import { parameterCount } from '../model/weights';

/** The CPU trainer's buffers live in one WebAssembly memory (wasm32: 65 536 pages of 64 KiB, 4 GiB). */
export const TRAINING_MEMORY_LIMIT_BYTES = MAX_PAGES * 65536;

/**
 * Bytes of float32 buffers for training `shape` on batches of B×T: per parameter its value, gradient, AdamW's
 * m and v and the decay mask (5P); per block 16 (N, C) activations and the (B, NH, T, T) attention weights;
 * the (N, V) logits; L+1 residual gradients, 17 (N, C) scratch gradients and a few more (N, C) buffers.
 * Computed in float64, so sizes of 1e300 give Infinity rather than wrapping.
 */
export function trainingMemoryBytes(shape: ModelShape, B: number, T: number): number {
  const { nEmbd: C, nHead: NH, nLayer: L, vocabSize: V } = shape;
  const N = B * T;
  const parameters = parameterCount(shape);
  const attention = B * NH * T * T;
  const perBlock = 16 * N * C + attention;
  const floats = 5 * parameters + L * perBlock + N * V + (L + 1) * N * C + 20 * N * C + attention + N;
  return 4 * floats;
}

const gb = (bytes: number) =>
  bytes >= 1e15 ? `${bytes.toExponential(1)} bytes` : `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;

/** The sentence refusing a run that cannot fit, or null when it fits. `what` names the sizes given. */
export function trainingMemoryProblem(shape: ModelShape, B: number, T: number, what: string): string | null {
  const bytes = trainingMemoryBytes(shape, B, T);
  if (bytes <= TRAINING_MEMORY_LIMIT_BYTES) return null;
  return (
    `training ${what} needs about ${gb(bytes)} of memory, more than the ${gb(TRAINING_MEMORY_LIMIT_BYTES)} ` +
    `the CPU trainer can address; lower them`
  );
}
