// The parameters of the embedding and of causal attention over B sequences, on the explorer's kernels (embedding,
// the tiled matmul, softmax), for the steps of forward-block.ts: B = 1 in the explorer, a batch in training.

import { CAUSAL, matmulParams } from './kernels';

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
