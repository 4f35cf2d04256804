// One transformer block, forward and backward side by side: x = x + attn(ln_1(x)), then x = x + mlp(ln_2(x)).
// Inference (forward.ts) and training (src/train/gpt2-train.ts) run the same blockForward and the same batched
// attention (ops/attention.ts); they differ only in the batch size and in what they keep of the buffers.

import type { LayerWeights } from '../weights';
import type { CpuKernels } from './kernels';
import { matmulBackward } from './ops/matmul';
import { residualBackward, residualForward } from './ops/residual';

/** The activations of one block over N = B·T rows, as llm.c names them; the backward pass reads them. */
export interface BlockActivations {
  ln1: Float32Array; // (N, C)
  qkv: Float32Array; // (N, 3C)
  atty: Float32Array; // (N, C) attention context, heads merged
  attproj: Float32Array; // (N, C)
  residual2: Float32Array; // (N, C)
  ln2: Float32Array; // (N, C)
  fch: Float32Array; // (N, 4C)
  fchGelu: Float32Array; // (N, 4C)
  fcproj: Float32Array; // (N, C)
  residual3: Float32Array; // (N, C) the block's output
}

/** Gradient buffers of one block, as llm.c names them; blockBackward clears them before use. */
export interface BlockGradients {
  dln1: Float32Array; // (N, C)
  dqkv: Float32Array; // (N, 3C)
  datty: Float32Array; // (N, C)
  dattproj: Float32Array; // (N, C)
  dresidual2: Float32Array; // (N, C)
  dln2: Float32Array; // (N, C)
  dfch: Float32Array; // (N, 4C)
  dfchGelu: Float32Array; // (N, 4C)
  dfcproj: Float32Array; // (N, C)
}

type Alloc = (length: number) => Float32Array;
const plainAlloc: Alloc = (length) => new Float32Array(length);

export function blockActivations(N: number, C: number, alloc: Alloc = plainAlloc): BlockActivations {
  return {
    ln1: alloc(N * C),
    qkv: alloc(N * 3 * C),
    atty: alloc(N * C),
    attproj: alloc(N * C),
    residual2: alloc(N * C),
    ln2: alloc(N * C),
    fch: alloc(N * 4 * C),
    fchGelu: alloc(N * 4 * C),
    fcproj: alloc(N * C),
    residual3: alloc(N * C),
  };
}

export function blockGradients(N: number, C: number, alloc: Alloc = plainAlloc): BlockGradients {
  return {
    dln1: alloc(N * C),
    dqkv: alloc(N * 3 * C),
    datty: alloc(N * C),
    dattproj: alloc(N * C),
    dresidual2: alloc(N * C),
    dln2: alloc(N * C),
    dfch: alloc(N * 4 * C),
    dfchGelu: alloc(N * 4 * C),
    dfcproj: alloc(N * C),
  };
}

/** atty (N,C) = causal multi-head attention of qkv (N,3C). */
export type AttentionStep = (atty: Float32Array, qkv: Float32Array) => void;
/** dqkv (N,3C) += the gradient through attention, given datty (N,C). */
export type AttentionBackwardStep = (dqkv: Float32Array, datty: Float32Array) => void;

/** Fills `a` from the residual stream `residualIn` (N,C); the block's output is a.residual3. */
export function blockForward(
  kernels: CpuKernels,
  a: BlockActivations,
  residualIn: Float32Array, // (N, C)
  w: LayerWeights,
  attention: AttentionStep,
  N: number,
  C: number,
  eps: number,
): void {
  kernels.layernormForward(a.ln1, residualIn, w.ln1Weight, w.ln1Bias, N, C, eps);
  kernels.matmulForward(a.qkv, a.ln1, w.qkvWeight, w.qkvBias, N, C, 3 * C);
  attention(a.atty, a.qkv);
  kernels.matmulForward(a.attproj, a.atty, w.attnProjWeight, w.attnProjBias, N, C, C);
  residualForward(a.residual2, residualIn, a.attproj, N * C);
  kernels.layernormForward(a.ln2, a.residual2, w.ln2Weight, w.ln2Bias, N, C, eps);
  kernels.matmulForward(a.fch, a.ln2, w.fcWeight, w.fcBias, N, C, 4 * C);
  kernels.geluForward(a.fchGelu, a.fch, N * 4 * C);
  kernels.matmulForward(a.fcproj, a.fchGelu, w.fcProjWeight, w.fcProjBias, N, 4 * C, C);
  residualForward(a.residual3, a.residual2, a.fcproj, N * C);
}

/**
 * Backward of blockForward: from dresidualOut (the gradient of a.residual3) into dresidualIn and the layer's
 * weight gradients `g`, both accumulated. `s` is scratch.
 */
export function blockBackward(
  kernels: CpuKernels,
  dresidualIn: Float32Array, // (N, C)
  g: LayerWeights,
  s: BlockGradients,
  dresidualOut: Float32Array, // (N, C)
  a: BlockActivations,
  residualIn: Float32Array, // (N, C)
  w: LayerWeights,
  attentionBackward: AttentionBackwardStep,
  N: number,
  C: number,
  eps: number,
): void {
  const k = kernels;
  for (const buffer of Object.values(s)) buffer.fill(0);
  residualBackward(s.dresidual2, s.dfcproj, dresidualOut, N * C);
  matmulBackward(
    k,
    s.dfchGelu,
    g.fcProjWeight,
    g.fcProjBias,
    s.dfcproj,
    a.fchGelu,
    w.fcProjWeight,
    N,
    4 * C,
    C,
  );
  k.geluBackward(s.dfch, a.fch, s.dfchGelu, N * 4 * C);
  matmulBackward(k, s.dln2, g.fcWeight, g.fcBias, s.dfch, a.ln2, w.fcWeight, N, C, 4 * C);
  k.layernormBackward(s.dresidual2, g.ln2Weight, g.ln2Bias, s.dln2, a.residual2, w.ln2Weight, N, C, eps);
  residualBackward(dresidualIn, s.dattproj, s.dresidual2, N * C);
  matmulBackward(k, s.datty, g.attnProjWeight, g.attnProjBias, s.dattproj, a.atty, w.attnProjWeight, N, C, C);
  attentionBackward(s.dqkv, s.datty);
  matmulBackward(k, s.dln1, g.qkvWeight, g.qkvBias, s.dqkv, a.ln1, w.qkvWeight, N, C, 3 * C);
  k.layernormBackward(dresidualIn, g.ln1Weight, g.ln1Bias, s.dln1, residualIn, w.ln1Weight, N, C, eps);
}
