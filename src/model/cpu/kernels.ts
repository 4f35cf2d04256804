// The heavy kernels of the CPU engine behind one interface, so the forward pass and training run unchanged on
// the plain TypeScript reference (readable, sums in float64) or on the WebAssembly SIMD kernels (fast,
// float32, optionally on worker threads; src/model/wasm/). Tests hold the second against the first.

import { dotProductScores, matrix } from '../attention';
import { adamwUpdate } from './ops/adamw';
import type { CpuKernels } from './kernel-interface';
import { attentionBackward, attentionForward } from './ops/attention';
import { geluBackward, geluForward } from './ops/gelu';
import { layernormBackward, layernormForward } from './ops/layernorm';
import { crossEntropyForward, logitsForward } from './ops/logits';
import { biasBackward, matmulBackwardInput, matmulBackwardWeight, matmulForward } from './ops/matmul';

export type { AdamWArrays, AdamWStep } from './ops/adamw';
export type { CpuKernels } from './kernel-interface';

/** The plain TypeScript kernels of ops/: the reference. */
export const referenceKernels: CpuKernels = {
  description: 'TypeScript',
  threads: 1,
  matmulForward,
  matmulBackwardInput,
  matmulBackwardWeight,
  logitsForward,
  crossEntropyForward,
  headScores(scores, queries, keys, T, S, d) {
    scores.set(dotProductScores(matrix(T, d, queries), matrix(S, d, keys)).data);
  },
  attentionForward,
  attentionBackward(dqkv, datt, dout, qkv, att, B, T, C, NH) {
    attentionBackward(dqkv, datt.subarray(0, T), dout, qkv, att, B, T, C, NH);
  },
  layernormForward,
  layernormBackward,
  biasBackward,
  geluForward,
  geluBackward,
  adamwUpdate,
  alloc: (length) => new Float32Array(length),
  makeResident: () => {},
  dispose: () => {},
};
