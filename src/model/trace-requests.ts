// What the explorer asks an engine for, in one place so the benchmark can time exactly the same requests
// (this module imports no tokenizer, so the GPU machine's bundle stays free of npm packages).

import type { TraceRequest } from './trace';

/** The per-layer tensors the steps read. */
const LAYER_TENSORS = ['q', 'k', 'v', 'scores', 'scaled_scores', 'attn_weights', 'attn_context', 'attn_out'];

/**
 * The tensors every view of one keystroke reads: the embeddings, both naive attentions and block `layer`.
 * No ln_f and no logits, so the engine stops after that block: a view of layer 0 costs one block.
 */
export function keystrokeRequest(layer: number): TraceRequest {
  return {
    include: [
      'tok_emb',
      'pos_emb',
      'input_emb',
      'naive.*',
      'naive_nopos.*',
      ...LAYER_TENSORS.map((n) => `h${layer}.${n}`),
    ],
    logits: 'none',
  };
}

/** The next-token panel's request: every block, and the logits of the last position only. */
export const NEXT_TOKENS_REQUEST: TraceRequest = { include: [], logits: 'last' };
