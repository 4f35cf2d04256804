// What the CPU engine's heavy kernels offer, as an interface alone: the forward pass, training and the ops that
// take kernels as an argument (ops/attention.ts, ops/logits.ts, ops/matmul.ts) import it from here, so they do
// not depend on kernels.ts, which builds the reference set out of those same ops.

import type { AdamWArrays, AdamWStep } from './ops/adamw';

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
  /** scores (T,S) = queries (T,d) · keys (S,d)ᵀ, one head (no scaling, no mask): the trace's score views. */
  headScores(
    scores: Float32Array,
    queries: Float32Array,
    keys: Float32Array,
    T: number,
    S: number,
    d: number,
  ): void;
  /** Causal attention over a batch (see ops/attention.ts): training's, and the trace's with B = 1. */
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
