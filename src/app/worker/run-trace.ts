// One request from text to the tensors the views need: tokenize, cut to the context, run the engine for the
// embeddings, naive attention and one layer, and add the naive causal context (not part of the engine's trace).

import { ablationProblem, type Ablation } from '../../model/ablation';
import { matrix, weightedSum } from '../../model/attention';
import { headSize } from '../../model/config';
import type { Engine } from '../../model/engine';
import { fitToContext } from '../../model/engine';
import { InputError, ModelFileError } from '../../model/errors';
import { checkFinite, NonFiniteError } from '../../model/finite';
import type { TensorMap } from '../../model/trace';
import type { GPT2Weights } from '../../model/weights';
import { tokenize, tokenBytes, displayBytes } from '../../tokenizer/gpt2';
import { TOP_NEXT_COUNT } from '../data/types';
import { identicalEmbeddingNotices, inputNotices, sharedRowCount } from './input-notices';
import type { NextResult, ToWorker, TraceResult } from './protocol';
import { keystrokeRequest, NEXT_TOKENS_REQUEST } from '../../model/trace-requests';

/** A sentence for the user out of any error (model and input errors are written for people already). */
export function userMessage(error: unknown): string {
  if (error instanceof ModelFileError || error instanceof InputError || error instanceof NonFiniteError)
    return error.message;
  if (error instanceof Error) return `Something went wrong: ${error.message}`;
  return `Something went wrong: ${String(error)}`;
}

function topByLogit(logits: Float32Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (top.length < k || logits[i] > logits[top[top.length - 1]]) {
      top.push(i);
      top.sort((a, b) => logits[b] - logits[a]);
      if (top.length > k) top.pop();
    }
  }
  return top;
}

/** Tensors a worker job wants from the same pass (the "why" panel's), taken out before the page gets the rest. */
export interface ExtraTensors {
  /** Names to compute as well, for block `layer` and a text of T tokens. */
  include: (layer: number, T: number) => string[];
  /** Called with the pass's tensors before they are posted; it removes or copies what it keeps. */
  take: (layer: number, tensors: TensorMap) => void;
}

/**
 * Runs one keystroke's request. When the layer on screen is the last one, every block runs anyway, so the
 * next-token logits (one more product) come with it: `onLogits` gets them, and the panel needs no second pass.
 */
export async function runTrace(
  engine: Engine,
  weights: GPT2Weights,
  request: Extract<ToWorker, { type: 'trace' }>,
  onLogits?: (logits: Float32Array) => void,
  extra?: ExtraTensors,
): Promise<TraceResult> {
  const { config } = weights;
  // One token past the context is enough to know the text was cut; a megabyte paste is split no further.
  const tokens = tokenize(request.text, {
    allowSpecial: request.allowSpecial,
    maxTokens: config.nPositions + 1,
  });
  if (tokens.length === 0) throw new InputError('The text is empty: type a sentence to see its attention.');
  const fitted = fitToContext(
    tokens.map((t) => t.id),
    config.nPositions,
  );
  const layer = Math.min(Math.max(0, request.layer), config.nLayer - 1);
  // The next-token logits need every block; unless this pass runs them all, they are a second request
  // (nextTokens), once typing pauses.
  const allBlocks = layer === config.nLayer - 1 && onLogits !== undefined;
  const keystroke = keystrokeRequest(layer);
  const ablate = usableAblation(request.ablate, weights);
  const tensors = await engine.forward(fitted.ids, {
    ...keystroke,
    include: [...keystroke.include!, ...(extra?.include(layer, fitted.ids.length) ?? [])],
    ...(allBlocks ? { logits: 'last' as const } : {}),
    ablate,
  });
  const logits = tensors.logits?.data;
  delete tensors.logits;
  checkFinite(tensors, 'nothing new is drawn');
  extra?.take(layer, tensors);
  if (logits) onLogits?.(logits);
  const T = fitted.ids.length;
  const C = config.nEmbd;
  for (const [prefix, inputs] of [
    ['naive', 'input_emb'],
    ['naive_nopos', 'tok_emb'],
  ] as const) {
    const context = weightedSum(
      matrix(T, T, tensors[`${prefix}.causal_weights`].data),
      matrix(T, C, tensors[inputs].data),
    );
    tensors[`${prefix}.causal_context`] = { shape: [T, C], data: context.data };
  }
  return {
    type: 'trace',
    id: request.id,
    tokens: tokens.slice(0, T).map((t) => t.display),
    ids: fitted.ids,
    truncated: fitted.truncated,
    totalTokens: tokens.length,
    layer,
    notices: [
      ...(weights.notices ?? []),
      ...inputNotices(request.text, tokens, fitted.truncated, config.nPositions),
      ...identicalEmbeddingNotices(
        fitted.ids,
        tokens.map((t) => t.display),
        tensors.tok_emb.data,
        C,
        (id) => sharedRowCount(weights.wte, C, id),
      ),
    ],
    tensors,
    computedBy: engine.description,
    shape: {
      nEmbd: C,
      nHead: config.nHead,
      nLayer: config.nLayer,
      nPositions: config.nPositions,
      headSize: headSize(config),
    },
    ...(ablate ? { ablation: ablate } : {}),
  };
}

/**
 * The request's ablation if this model has its heads, else none: a link's heads that the model lacks were
 * already dropped by the page with a notice (ablation-bridge.ts), or are about to be once the model is known.
 */
export function usableAblation(ablate: Ablation | undefined, weights: GPT2Weights): Ablation | undefined {
  return ablate && ablate.heads.length > 0 && ablationProblem(ablate, weights.config) === null
    ? ablate
    : undefined;
}

/** The next-token message: the engine's logits for the last position (GPT-2's tied head) and the top ten. */
export async function nextTokens(
  engine: Engine,
  id: number,
  ids: number[],
  known?: Float32Array,
  ablate?: Ablation,
): Promise<NextResult> {
  const computed = known
    ? { logits: { shape: [1, known.length], data: known } }
    : await engine.forward(ids, { ...NEXT_TOKENS_REQUEST, ablate });
  checkFinite(computed, 'no next-token probabilities are shown');
  const logits = computed.logits.data; // (V)
  return {
    type: 'next',
    id,
    logits,
    topNext: topByLogit(logits, TOP_NEXT_COUNT).map((token) => ({
      id: token,
      text: displayBytes(tokenBytes(token)),
    })),
  };
}
