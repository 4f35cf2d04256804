// Runs the book's chapter-3 example through the same attention functions the engine uses, and names the results
// like a model trace, so every step view can show the book's numbers without knowing where they came from.

import {
  fromRows,
  naiveAttention,
  softmaxRows,
  trainableAttention,
  weightedSum,
} from '../../model/attention';
import type { Tensor, TensorMap } from '../../model/trace';
import { BOOK_INPUTS, BOOK_TOKENS, BOOK_W_KEY, BOOK_W_QUERY, BOOK_W_VALUE } from '../book/book-ch03';
import type { AppTrace } from './types';

const tensor = (shape: number[], data: Float32Array): Tensor => ({ shape, data });

/** The book's example as an AppTrace: one "layer" with one head of size 2 and no output projection. */
export function bookTrace(requestId: number): AppTrace {
  const inputs = fromRows(BOOK_INPUTS);
  const T = inputs.rows;
  const naive = naiveAttention(inputs);
  const causalContext = weightedSum(naive.causalWeights, inputs);
  const full = trainableAttention(
    inputs,
    fromRows(BOOK_W_QUERY),
    fromRows(BOOK_W_KEY),
    fromRows(BOOK_W_VALUE),
  );
  const causalWeights = softmaxRows(full.scaledScores, true);
  const causalTrainableContext = weightedSum(causalWeights, full.values);
  const hs = full.queries.cols;
  const tensors: TensorMap = {
    input_emb: tensor([T, 3], inputs.data),
    'naive.scores': tensor([T, T], naive.scores.data),
    'naive.weights': tensor([T, T], naive.weights.data),
    'naive.causal_weights': tensor([T, T], naive.causalWeights.data),
    'naive.context': tensor([T, 3], naive.context.data),
    'naive.causal_context': tensor([T, 3], causalContext.data),
    'h0.q': tensor([1, T, hs], full.queries.data),
    'h0.k': tensor([1, T, hs], full.keys.data),
    'h0.v': tensor([1, T, hs], full.values.data),
    'h0.scores': tensor([1, T, T], full.scores.data),
    'h0.scaled_scores': tensor([1, T, T], full.scaledScores.data),
    'h0.attn_weights': tensor([1, T, T], causalWeights.data),
    'h0.attn_context': tensor([T, hs], causalTrainableContext.data),
    // The book shows trainable attention without the mask first (§3.4), then with it (§3.5).
    'h0.attn_weights_full': tensor([1, T, T], full.weights.data),
    'h0.attn_context_full': tensor([T, hs], full.context.data),
  };
  return {
    source: 'book',
    requestId,
    tokens: BOOK_TOKENS,
    ids: BOOK_TOKENS.map((_, i) => i),
    truncated: false,
    totalTokens: T,
    shape: { nEmbd: 3, nHead: 1, nLayer: 1, nPositions: T, headSize: hs },
    layer: 0,
    tensors,
    computedBy: "the book's numbers",
  };
}
