// The worker's side of "Why does this head look there?": one head's score split over the residual stream,
// computed here from trace tensors so typing never waits on it. The page asks only while the panel is open, for
// the head on screen; the split of every token (N components × T × hs) is kept, so a clicked cell costs N²·hs.

import {
  attributionAt,
  attributionParts,
  attributionRequest,
  attributionWeightedMean,
  type AttributionParts,
} from '../../model/attribution';
import type { Engine } from '../../model/engine';
import { checkFinite } from '../../model/finite';
import { previousTokenScore, type HeadGrid } from '../../model/head-detectors';
import { headOf, type TensorMap } from '../../model/trace';
import type { GPT2Weights } from '../../model/weights';
import type { AttributionResult, ToWorker } from './protocol';

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
  if (T < 2) return null;
  return Array.from({ length: layer }, (_, l) =>
    Array.from({ length: nHead }, (_, h) =>
      previousTokenScore(headOf(tensors[`h${l}.attn_weights`], h).data, T)!,
    ),
  );
}

export function createAttributionJobs() {
  let kept: Kept | null = null;

  async function compute(engine: Engine, weights: GPT2Weights, ids: number[], ask: AttributionAsk) {
    const key = `${ask.id}:${ask.layer}:${ask.head}`;
    if (kept?.key === key) return kept;
    const request = attributionRequest(ask.layer, ask.head);
    // The earlier layers' attention too (T² per head): it tells which of their heads are previous-token heads.
    for (let l = 0; l < ask.layer; l++) request.include!.push(`h${l}.attn_weights`);
    const tensors = await engine.forward(ids, request);
    checkFinite(tensors, 'the split of the score is not shown');
    const parts = attributionParts(weights, tensors, ask.layer, ask.head);
    const attention = tensors[`h${ask.layer}.attn_weights.head${ask.head}`].data;
    const scaled = tensors[`h${ask.layer}.scaled_scores.head${ask.head}`].data;
    const mean = attributionWeightedMean(parts, attention);
    const previousToken = previousTokenScores(tensors, ask.layer, weights.config.nHead, parts.T);
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
    ): Promise<AttributionResult> {
      const started = performance.now();
      const { parts, attention, scaled, mean, previousToken } = await compute(engine, weights, ids, ask);
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
    forget() {
      kept = null;
    },
  };
}
