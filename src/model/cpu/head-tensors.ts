// The trace's attention step: the one batched attention (ops/attention.ts) over a single sentence (B = 1), the
// ablation of heads as a step on its merged context, then each head's tensors for the views read out of its buffers.

import { ablateContext, type AblationMode } from '../ablation';
import { matrix, scale } from '../attention';
import { headBlock, type PER_HEAD_TENSORS } from '../trace';
import type { AttentionStep } from './block';
import type { CpuKernels } from './kernel-interface';
import { splitHeads } from './ops/attention';

export type PerHeadTensor = (typeof PER_HEAD_TENSORS)[number];

/** Receives head h's tensor `kind`: q, k, v (T, hs), or scores, scaled scores, weights (T, T). */
export type HeadVisitor = (kind: PerHeadTensor, h: number, data: Float32Array, X: number) => void;

/** Heads of this layer to knock out, and how (see src/model/ablation.ts). */
export interface LayerAblation {
  heads: number[];
  mode: AblationMode;
}

/** What a traced block keeps of its attention: which per-head tensors are wanted, and where they go. */
export interface HeadTensorSink {
  wanted: (kind: PerHeadTensor) => boolean;
  visit: HeadVisitor;
}

/**
 * atty (T,C) = causal multi-head attention of qkv (T,3C) on the kernels' batched attention, with the heads in
 * `ablation` zeroed or mean-replaced before c_proj reads atty. The weights come from the attention's own `att`
 * buffer; q, k, v are its columns of qkv; the scores, which it never keeps (it computes only the causal part,
 * and scales inside the softmax), are one more product per head, and only when a view asks for them.
 */
export function traceAttention(
  kernels: Pick<CpuKernels, 'attentionForward' | 'headScores'>,
  T: number,
  C: number,
  NH: number,
  sink: HeadTensorSink,
  ablation?: LayerAblation,
): AttentionStep {
  const hs = C / NH;
  return (atty, qkv) => {
    const att = new Float32Array(NH * T * T); // (B=1, NH, T, T)
    kernels.attentionForward(atty, att, qkv, 1, T, C, NH);
    if (ablation) ablateContext(atty, ablation.heads, ablation.mode, T, C, hs);
    visitHeads(kernels, sink, qkv, att, T, C, NH);
  };
}

/** Hands `sink` the per-head tensors it wants, head by head, in the order the attention computes them. */
function visitHeads(
  kernels: Pick<CpuKernels, 'headScores'>,
  { wanted, visit }: HeadTensorSink,
  qkv: Float32Array, // (T, 3C)
  att: Float32Array, // (NH, T, T)
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const wantsScores = wanted('scores') || wanted('scaled_scores');
  if (!(wantsScores || wanted('q') || wanted('k') || wanted('v') || wanted('attn_weights'))) return;
  const q = new Float32Array(T * C); // (NH, T, hs)
  const k = new Float32Array(T * C); // (NH, T, hs)
  const v = new Float32Array(T * C); // (NH, T, hs)
  splitHeads(q, k, v, qkv, T, C, NH);
  const scores = new Float32Array(T * T); // (T, T), one head at a time
  for (let h = 0; h < NH; h++) {
    const headQ = headBlock(q, h, T, hs); // (T, hs)
    const headK = headBlock(k, h, T, hs); // (T, hs)
    visit('q', h, headQ, hs);
    visit('k', h, headK, hs);
    visit('v', h, headBlock(v, h, T, hs), hs);
    if (wantsScores) {
      kernels.headScores(scores, headQ, headK, T, T, hs);
      visit('scores', h, scores, T);
      visit('scaled_scores', h, scale(matrix(T, T, scores), 1 / Math.sqrt(hs)).data, T);
    }
    visit('attn_weights', h, headBlock(att, h, T, T), T);
  }
}
