// The worker's side of "Why does this head look there?": one head's score split over the residual stream,
// computed here from trace tensors so typing never waits on it. The page asks only while the panel is open, for
// the head on screen; the split of every token (N components × T × hs) is kept, so a clicked cell costs N²·hs.
// While the panel is open, each keystroke's pass also keeps the earlier layers' tensors the split reads
// (`stashFromTrace`), so the split needs no second forward pass; otherwise it runs one to the layer on screen.

import {
  attributionAt,
  attributionParts,
  attributionRequest,
  attributionWeightedMean,
  residualName,
  type AttributionParts,
} from '../../model/attribution';
import type { Ablation } from '../../model/ablation';
import type { Engine } from '../../model/engine';
import { checkFinite } from '../../model/finite';
import { previousTokenScore, type HeadGrid } from '../../model/head-detectors';
import { headOf, TraceSelection, type TensorMap } from '../../model/trace';
import type { GPT2Weights } from '../../model/weights';
import type { AttributionResult, ToWorker } from './protocol';
import { keystrokeRequest } from '../../model/trace-requests';

export type AttributionAsk = Extract<ToWorker, { type: 'attribution' }>;

interface Kept {
  key: string;
  parts: AttributionParts;
  attention: Float32Array; // (T, T)
  scaled: Float32Array; // (T, T)
  mean: Float32Array; // (N, N)
  previousToken: HeadGrid | null;
}

/** Each earlier layer's heads' previous-token scores on this text, so the panel can name such heads. */
function previousTokenScores(tensors: TensorMap, layer: number, nHead: number, T: number): HeadGrid | null {
  if (T < 2 || (layer > 0 && !tensors['h0.attn_weights'])) return null;
  return Array.from({ length: layer }, (_, l) =>
    Array.from({ length: nHead }, (_, h) =>
      previousTokenScore(headOf(tensors[`h${l}.attn_weights`], h).data, T)!,
    ),
  );
}

/**
 * Up to this many tokens the earlier layers' attention is fetched to find their previous-token heads: at GPT-2's
 * 1024 it would be 50 MB a layer, for a few words of description.
 */
export const PREVIOUS_TOKEN_MAX_TOKENS = 256;

/** The earlier layers' attention, asked for only to name previous-token heads (see the limit above). */
function earlierAttention(layer: number, T: number): string[] {
  if (T > PREVIOUS_TOKEN_MAX_TOKENS) return [];
  return Array.from({ length: layer }, (_, l) => `h${l}.attn_weights`);
}

/** Every tensor the split of any head of block `layer` reads, whole (per-head ones for all heads). */
export function attributionTensorNames(layer: number, T: number): string[] {
  const names = [
    'tok_emb',
    'pos_emb',
    residualName(layer),
    `h${layer}.attn_weights`,
    `h${layer}.scaled_scores`,
  ];
  for (let l = 0; l < layer; l++) names.push(`h${l}.attn_context`, `h${l}.mlp_out`);
  return [...names, ...earlierAttention(layer, T)];
}

/** Head `head` of a per-head tensor, asked for alone (`name.head{h}`) or whole. */
function headData(tensors: TensorMap, name: string, head: number): Float32Array {
  return tensors[`${name}.head${head}`]?.data ?? headOf(tensors[name], head).data;
}

export function createAttributionJobs() {
  let kept: Kept | null = null;
  /** The tensors the split reads, kept from the keystroke pass of trace `id` (block `layer`). */
  let stash: { id: number; layer: number; tensors: TensorMap; previousToken: HeadGrid | null } | null = null;

  async function tensorsFor(
    engine: Engine,
    weights: GPT2Weights,
    ids: number[],
    ask: AttributionAsk,
    ablate: Ablation | undefined,
  ) {
    if (stash?.id === ask.id && stash.layer === ask.layer) return stash;
    const request = attributionRequest(ask.layer, ask.head);
    request.include!.push(...earlierAttention(ask.layer, ids.length));
    // The trace's own knock-outs, so the split explains the scores on screen.
    const tensors = await engine.forward(ids, { ...request, ablate });
    const previousToken = previousTokenScores(tensors, ask.layer, weights.config.nHead, ids.length);
    return { tensors, previousToken };
  }

  async function compute(
    engine: Engine,
    weights: GPT2Weights,
    ids: number[],
    ask: AttributionAsk,
    ablate: Ablation | undefined,
  ) {
    const key = `${ask.id}:${ask.layer}:${ask.head}`;
    if (kept?.key === key) return kept;
    const { tensors, previousToken } = await tensorsFor(engine, weights, ids, ask, ablate);
    checkFinite(tensors, 'the split of the score is not shown');
    const parts = attributionParts(weights, tensors, ask.layer, ask.head);
    const attention = headData(tensors, `h${ask.layer}.attn_weights`, ask.head);
    const scaled = headData(tensors, `h${ask.layer}.scaled_scores`, ask.head);
    const mean = attributionWeightedMean(parts, attention);
    kept = { key, parts, attention, scaled, mean, previousToken };
    return kept;
  }

  return {
    /** Answers `ask` for the trace of `ids`; the model changing drops what was kept. */
    async run(
      engine: Engine,
      weights: GPT2Weights,
      ids: number[],
      ask: AttributionAsk,
      /** The knock-outs of the trace on screen (see src/model/ablation.ts), or none. */
      ablate?: Ablation,
    ): Promise<AttributionResult> {
      const started = performance.now();
      const { parts, attention, scaled, mean, previousToken } = await compute(
        engine,
        weights,
        ids,
        ask,
        ablate,
      );
      const T = parts.T;
      const cell = ask.cell && ask.cell[0] < T && ask.cell[1] <= ask.cell[0] ? ask.cell : null;
      let meanScore = 0;
      for (let i = 0; i < T; i++)
        for (let j = 0; j <= i; j++) meanScore += attention[i * T + j] * scaled[i * T + j];
      return {
        type: 'attribution',
        id: ask.id,
        layer: ask.layer,
        head: ask.head,
        components: parts.components,
        mean: mean.slice(),
        meanScore: meanScore / T,
        previousToken,
        cell,
        terms: cell ? attributionAt(parts, cell[0], cell[1]) : null,
        score: cell ? scaled[cell[0] * T + cell[1]] : null,
        weight: cell ? attention[cell[0] * T + cell[1]] : null,
        millis: performance.now() - started,
      };
    },
    /**
     * Takes what the split reads out of a keystroke pass's `tensors` (trace `id`, block `layer`) before they go
     * to the page: copies of the ones the page also gets (they are transferred), the others moved out.
     */
    stashFromTrace(id: number, layer: number, nHead: number, tensors: TensorMap): void {
      const T = tensors.tok_emb.shape[0];
      const previousToken = previousTokenScores(tensors, layer, nHead, T);
      const page = new TraceSelection(keystrokeRequest(layer));
      const taken: TensorMap = {};
      for (const name of attributionTensorNames(layer, T)) {
        const tensor = tensors[name];
        if (!tensor) return; // an engine that left one out: the split runs its own pass
        if (page.wants(name)) taken[name] = { shape: tensor.shape, data: tensor.data.slice() };
        else {
          // The earlier layers' attention served only the previous-token scores above.
          if (!earlierAttention(layer, T).includes(name)) taken[name] = tensor;
          delete tensors[name];
        }
      }
      stash = { id, layer, tensors: taken, previousToken };
    },
    forget() {
      kept = null;
      stash = null;
    },
  };
}
