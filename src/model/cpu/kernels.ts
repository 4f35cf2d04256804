// The heavy kernels of the CPU engine behind one interface, so the forward pass and training run unchanged on
// the plain TypeScript reference (readable, sums in float64) or on the WebAssembly SIMD kernels (fast,
// float32, optionally on worker threads; src/model/wasm/). Tests hold the second against the first.

import { dotProductScores, matrix, softmaxRows, weightedSum } from '../attention';
import { adamwUpdate, type AdamWArrays, type AdamWStep } from './ops/adamw';
import { attentionBackward, attentionForward } from './ops/attention';
import { geluBackward, geluForward } from './ops/gelu';
import { layernormBackward, layernormForward } from './ops/layernorm';
import { crossEntropyForward, logitsForward } from './ops/logits';
import { biasBackward, matmulBackwardInput, matmulBackwardWeight, matmulForward } from './ops/matmul';

export type { AdamWArrays, AdamWStep } from './ops/adamw';

export interface CpuKernels {
  /** For people: "TypeScript", "WASM SIMD · 1 thread", "WASM SIMD · 2 threads". */
  readonly description: string;
  readonly threads: number;
  /** out (T,OC) = inp (T,C) · weight (C,OC) + bias. */
  matmulForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    T: number,
    C: number,
    OC: number,
  ): void;
  /** dinp (N,C) += dout (N,OC) · weightᵀ. */
  matmulBackwardInput(
    dinp: Float32Array,
    dout: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    OC: number,
  ): void;
  /** dweight (C,OC) += inpᵀ (C,N) · dout (N,OC). */
  matmulBackwardWeight(
    dweight: Float32Array,
    inp: Float32Array,
    dout: Float32Array,
    N: number,
    C: number,
    OC: number,
  ): void;
  /** out (rows,V) = inp (rows,C) · wteᵀ. */
  logitsForward(
    out: Float32Array,
    inp: Float32Array,
    wte: Float32Array,
    rows: number,
    C: number,
    V: number,
  ): void;
  /**
   * Softmax cross-entropy over N rows of V logits, in place (see crossEntropyForward in ops/logits.ts): `logits`
   * (plus `logitBias` when given) become the probabilities, `losses[n]` = −log p(targets[n]); returns the mean.
   */
  crossEntropyForward(
    losses: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    logitBias: Float32Array | null,
    N: number,
    V: number,
  ): number;
  /** scores (T,S) = queries (T,d) · keys (S,d)ᵀ, one head (no scaling, no mask). */
  headScores(
    scores: Float32Array,
    queries: Float32Array,
    keys: Float32Array,
    T: number,
    S: number,
    d: number,
  ): void;
  /** context (T,d) = weights (T,S) · values (S,d), weights zero above the diagonal when `causal`. */
  headContext(
    context: Float32Array,
    weights: Float32Array,
    values: Float32Array,
    T: number,
    S: number,
    d: number,
    causal: boolean,
  ): void;
  /** out (T,T) = softmax of each row of scores (T,T) over columns ≤ row; zeros above the diagonal. */
  causalSoftmax(out: Float32Array, scores: Float32Array, T: number): void;
  /** Training attention over a batch (see ops/attention.ts). */
  attentionForward(
    out: Float32Array,
    att: Float32Array,
    qkv: Float32Array,
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  /** `datt` (B,NH,T,T) is scratch. */
  attentionBackward(
    dqkv: Float32Array,
    datt: Float32Array,
    dout: Float32Array,
    qkv: Float32Array,
    att: Float32Array,
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  /** Layer norm of N rows of C (ops/layernorm.ts). */
  layernormForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void;
  /** Its backward (ops/layernorm.ts): dinp, dweight and dbias accumulate. */
  layernormBackward(
    dinp: Float32Array,
    dweight: Float32Array,
    dbias: Float32Array,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void;
  /** dbias (OC) += the column sums of dout (N,OC). */
  biasBackward(dbias: Float32Array, dout: Float32Array, N: number, OC: number): void;
  geluForward(out: Float32Array, inp: Float32Array, N: number): void;
  /** dinp += gelu'(inp) · dout. */
  geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, N: number): void;
  /** One AdamW step over every parameter (ops/adamw.ts; every kernel set gives the same bits). */
  adamwUpdate(arrays: AdamWArrays, step: AdamWStep): void;
  /** An array the kernels read and write without copying (training's buffers). */
  alloc(length: number): Float32Array;
  /** Keeps a copy of `array` (a weight) where the kernels read it without copying. */
  makeResident(array: Float32Array): void;
  dispose(): void;
}

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
  headContext(context, weights, values, T, S, d) {
    context.set(weightedSum(matrix(T, S, weights), matrix(S, d, values)).data);
  },
  causalSoftmax(out, scores, T) {
    out.set(softmaxRows(matrix(T, T, scores), true).data);
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
