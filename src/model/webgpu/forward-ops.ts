// The embedding and causal attention of the forward pass over B sequences, on the explorer's kernels (embedding,
// the tiled matmul, softmax): the explorer's plan (model-plan.ts) runs them for one sequence (B = 1) through its
// Steps, training (training/training-steps.ts) for a batch, keeping the attention weights for the backward pass.

import { CAUSAL, KERNELS, MATMUL_CONFIGS, matmulKernel, matmulParams, type KernelSpec } from './kernels';
import { elementGrid, matmulConfigFor, matmulGrid, rowGrid2d, type Grid } from './steps';

/** One dispatch over buffers of any kind: GPU buffers for training, names in the tests. */
export interface Dispatch<Buffer> {
  spec: KernelSpec;
  params: Record<string, number>;
  buffers: Buffer[];
  grid: Grid;
}

/** B sequences of T tokens, width C, NH heads. */
export interface ForwardSizes {
  B: number;
  T: number;
  C: number;
  NH: number;
}

/** The embedding kernel's Params over rows [rowStart, rowStart + rowCount) of wte. */
export function embeddingParams(
  { B, T, C }: Omit<ForwardSizes, 'NH'>,
  chunk: { rowStart: number; rowCount: number },
): Record<string, number> {
  return { B, T, C, rowStart: chunk.rowStart, rowCount: chunk.rowCount };
}

/**
 * scores[b, h] (T, T) = q · kᵀ of sequence b, head h, unscaled; one dispatch per sequence, batched over heads.
 * q and k are read in place from qkv (B, T, 3C): row stride 3C, head h of q at column h·hs, of k at C + h·hs.
 * scores is (B, NH, T, T). CAUSAL.SKIP leaves the tiles above the diagonal unwritten (the softmax never reads
 * them); CAUSAL.NONE writes them, for a trace that shows the raw scores.
 */
export function attentionScoresParams(
  { T, C, NH }: Omit<ForwardSizes, 'B'>,
  b: number,
  causal: number,
): Record<string, number> {
  const hs = C / NH;
  const sequence = b * T * 3 * C;
  return matmulParams(
    { M: T, N: T, K: hs, transposedB: true },
    {
      aOffset: sequence,
      aRowStride: 3 * C,
      aBatchStride: hs,
      bOffset: sequence + C,
      bRowStride: 3 * C,
      bBatchStride: hs,
      outOffset: b * NH * T * T,
      outBatchStride: T * T,
      causal,
    },
  );
}

/** The causal softmax of the scores scaled by 1/√hs, into the weights; `writeScaled` keeps the scaled scores. */
export function attentionSoftmaxParams(T: number, hs: number, writeScaled: boolean): Record<string, number> {
  return { T, scale: 1 / Math.sqrt(hs), causal: 1, writeScaled: writeScaled ? 1 : 0 };
}

/**
 * context[b, :, h·hs …] = weights[b, h] · v of sequence b, head h: v read in place from qkv (column 2C + h·hs),
 * each head written into its columns of the merged context (B, T, C); the sum stops at the diagonal.
 */
export function attentionContextParams(
  { T, C, NH }: Omit<ForwardSizes, 'B'>,
  b: number,
): Record<string, number> {
  const hs = C / NH;
  return matmulParams(
    { M: T, N: hs, K: T },
    {
      aOffset: b * NH * T * T,
      aBatchStride: T * T,
      bOffset: b * T * 3 * C + 2 * C,
      bRowStride: 3 * C,
      bBatchStride: hs,
      outOffset: b * T * C,
      outRowStride: C,
      outBatchStride: hs,
      causal: CAUSAL.STOP,
    },
  );
}

/** The buffers of the embedding: ids (B, T) u32, wte (V, C) whole, wpe, and the three (B, T, C) outputs. */
export interface EmbeddingBuffers<Buffer> {
  ids: Buffer;
  wte: Buffer;
  wpe: Buffer;
  tokEmb: Buffer;
  posEmb: Buffer;
  inputEmb: Buffer;
}

/** input_emb (B, T, C) = wte[ids] + wpe[t] in one dispatch, wte bound whole (rows 0 … V). */
export function embeddingDispatch<Buffer>(
  sizes: Omit<ForwardSizes, 'NH'> & { V: number },
  buffers: EmbeddingBuffers<Buffer>,
): Dispatch<Buffer> {
  const { ids, wte, wpe, tokEmb, posEmb, inputEmb } = buffers;
  return {
    spec: KERNELS.embedding,
    params: embeddingParams(sizes, { rowStart: 0, rowCount: sizes.V }),
    buffers: [ids, wte, wpe, tokEmb, posEmb, inputEmb],
    grid: elementGrid(sizes.B * sizes.T * sizes.C),
  };
}

/** The buffers of causal attention; `unused` is bound where a kernel declares a buffer it does not use here. */
export interface AttentionBuffers<Buffer> {
  qkv: Buffer; // (B, T, 3C)
  scores: Buffer; // (B, NH, T, T), scratch
  /** (B, NH, T, T) exactly, zero above the diagonal: the softmax's workgroups past its end stop there. */
  weights: Buffer;
  context: Buffer; // (B, T, C)
  unused: Buffer;
}

/** Causal multi-head attention of B sequences: scores per sequence, one softmax over every row, context per
 * sequence. `largeAllowed`: whether the device's workgroup memory holds the large matmul tiles. */
export function attentionDispatches<Buffer>(
  sizes: ForwardSizes,
  buffers: AttentionBuffers<Buffer>,
  largeAllowed: boolean,
): Dispatch<Buffer>[] {
  const { B, T, C, NH } = sizes;
  const hs = C / NH;
  const { qkv, scores, weights, context, unused } = buffers;
  const matmul = (M: number, N: number, transposedB: boolean) => {
    const name = matmulConfigFor(M, N, largeAllowed);
    const [x, y] = matmulGrid(name, M, N);
    const spec = matmulKernel(MATMUL_CONFIGS[name], { transposedB, bias: false });
    return { spec, grid: [x, y, NH] as Grid };
  };
  const perSequence = Array.from({ length: B }, (_, b) => b);
  return [
    ...perSequence.map((b) => ({
      ...matmul(T, T, true),
      params: attentionScoresParams(sizes, b, CAUSAL.SKIP),
      buffers: [qkv, qkv, unused, scores],
    })),
    {
      spec: KERNELS.softmax,
      params: attentionSoftmaxParams(T, hs, false),
      buffers: [scores, unused, weights],
      grid: rowGrid2d(B * NH * T),
    },
    ...perSequence.map((b) => ({
      ...matmul(T, hs, false),
      params: attentionContextParams(sizes, b),
      buffers: [weights, qkv, unused, context],
    })),
  ];
}
