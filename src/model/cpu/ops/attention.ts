// Causal multi-head attention on the fused qkv (T, 3C). Inference runs it head by head (splitHeads, the
// kernels' per-head products, mergeHead), so every head's q, k, v, scores and weights can be kept for the
// views. Training runs attentionForward over a whole batch, which keeps the softmax weights its backward
// reads: the same maths as the per-head path, but the two round differently, so each keeps its own.

import { ablateContext, type AblationMode } from '../../ablation';
import { matrix, scale } from '../../attention';
import { headBlock, type PER_HEAD_TENSORS } from '../../trace';
import type { CpuKernels } from '../kernel-interface';

type PerHeadTensor = (typeof PER_HEAD_TENSORS)[number];

/** Splits the fused qkv (T, 3C) into q, k, v of shape (NH, T, hs) each. */
export function splitHeads(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  qkv: Float32Array, // (T, 3C)
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  for (let h = 0; h < NH; h++) {
    for (let t = 0; t < T; t++) {
      const src = t * 3 * C + h * hs;
      const dst = (h * T + t) * hs;
      q.set(qkv.subarray(src, src + hs), dst);
      k.set(qkv.subarray(src + C, src + C + hs), dst);
      v.set(qkv.subarray(src + 2 * C, src + 2 * C + hs), dst);
    }
  }
}

/** Writes one head's context (T, hs) into its columns of the merged (T, C) tensor. */
export function mergeHead(
  merged: Float32Array,
  headContext: Float32Array,
  h: number,
  T: number,
  C: number,
  hs: number,
) {
  for (let t = 0; t < T; t++) merged.set(headContext.subarray(t * hs, (t + 1) * hs), t * C + h * hs);
}

/** What attentionByHead hands out for each head: q, k, v (T, hs), scores, scaled scores, weights (T, T). */
export type HeadVisitor = (kind: PerHeadTensor, h: number, data: Float32Array, X: number) => void;

/** Heads of this layer to knock out, and how (see src/model/ablation.ts). */
export interface LayerAblation {
  heads: number[];
  mode: AblationMode;
}

/**
 * atty (T,C) = causal multi-head attention of qkv (T,3C), one head at a time on the kernels' per-head
 * products (scores, the causal softmax, the weighted sum of values); each head's intermediates go to `visit`.
 * Heads in `ablation` then have their context zeroed or mean-replaced, before c_proj reads atty.
 */
export function attentionByHead(
  kernels: Pick<CpuKernels, 'headScores' | 'causalSoftmax' | 'headContext'>,
  atty: Float32Array, // (T, C)
  qkv: Float32Array, // (T, 3C)
  T: number,
  C: number,
  NH: number,
  visit: HeadVisitor,
  ablation?: LayerAblation,
): void {
  const hs = C / NH;
  const q = new Float32Array(T * C); // (NH, T, hs)
  const k = new Float32Array(T * C); // (NH, T, hs)
  const v = new Float32Array(T * C); // (NH, T, hs)
  splitHeads(q, k, v, qkv, T, C, NH);
  for (let h = 0; h < NH; h++) {
    const headQ = headBlock(q, h, T, hs); // (T, hs)
    const headK = headBlock(k, h, T, hs); // (T, hs)
    const headV = headBlock(v, h, T, hs); // (T, hs)
    const scores = matrix(T, T); // (T, T)
    kernels.headScores(scores.data, headQ, headK, T, T, hs);
    const scaledScores = scale(scores, 1 / Math.sqrt(hs));
    const attnWeights = matrix(T, T);
    kernels.causalSoftmax(attnWeights.data, scaledScores.data, T);
    const headContext = new Float32Array(T * hs); // (T, hs)
    kernels.headContext(headContext, attnWeights.data, headV, T, T, hs, true);
    mergeHead(atty, headContext, h, T, C, hs);
    visit('q', h, headQ, hs);
    visit('k', h, headK, hs);
    visit('v', h, headV, hs);
    visit('scores', h, scores.data, T);
    visit('scaled_scores', h, scaledScores.data, T);
    visit('attn_weights', h, attnWeights.data, T);
  }
  if (ablation) ablateContext(atty, ablation.heads, ablation.mode, T, C, hs);
}

/**
 * out (B,T,C) = heads merged from softmax(q·kᵀ/√hs, causal) · v, reading q, k, v straight from qkv (B,T,3C)
 * (columns [q | k | v], head h at h·hs). `att` keeps the weights, zero above the diagonal.
 */
export function attentionForward(
  out: Float32Array, // (B, T, C)
  att: Float32Array, // (B, NH, T, T)
  qkv: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const query = (b * T + t) * C3 + h * hs;
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const key = (b * T + t2) * C3 + C + h * hs;
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += qkv[query + i] * qkv[key + i];
          const scaled = dot * scale;
          att[row + t2] = scaled;
          if (scaled > max) max = scaled;
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = Math.exp(att[row + t2] - max);
          att[row + t2] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let t2 = 0; t2 <= t; t2++) att[row + t2] *= inv;
        for (let t2 = t + 1; t2 < T; t2++) att[row + t2] = 0;
        const o = (b * T + t) * C + h * hs;
        for (let i = 0; i < hs; i++) out[o + i] = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const value = (b * T + t2) * C3 + 2 * C + h * hs;
          const a = att[row + t2];
          for (let i = 0; i < hs; i++) out[o + i] += a * qkv[value + i];
        }
      }
    }
  }
}

/**
 * Backward of attentionForward into dqkv (accumulated). `scratch` holds one row of T: the gradient of the
 * weights, then of the scores. The softmax backward uses dscore = a ⊙ (da − Σ a·da), which is O(T) per row.
 */
export function attentionBackward(
  dqkv: Float32Array, // (B, T, 3C)
  scratch: Float32Array, // (T)
  dout: Float32Array, // (B, T, C)
  qkv: Float32Array, // (B, T, 3C)
  att: Float32Array, // (B, NH, T, T)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const d = (b * T + t) * C + h * hs;
        // Into the weights and the values: out = Σ a[t2] · v[t2].
        let weightedSum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const value = (b * T + t2) * C3 + 2 * C + h * hs;
          const a = att[row + t2];
          let da = 0;
          for (let i = 0; i < hs; i++) {
            da += qkv[value + i] * dout[d + i];
            dqkv[value + i] += a * dout[d + i];
          }
          scratch[t2] = da;
          weightedSum += a * da;
        }
        // Through the softmax, then the scaled dot products q·k.
        const query = (b * T + t) * C3 + h * hs;
        for (let t2 = 0; t2 <= t; t2++) {
          const dscore = att[row + t2] * (scratch[t2] - weightedSum) * scale;
          const key = (b * T + t2) * C3 + C + h * hs;
          for (let i = 0; i < hs; i++) {
            dqkv[query + i] += qkv[key + i] * dscore;
            dqkv[key + i] += qkv[query + i] * dscore;
          }
        }
      }
    }
  }
}
