// The worker's head-detector jobs: run the engine for every layer's attention weights (on the text on screen,
// or on the induction probe) and reduce them to one small grid of scores, so only numbers cross to the page.

import type { Ablation } from '../../model/ablation';
import type { Engine } from '../../model/engine';
import { checkFinite } from '../../model/finite';
import {
  inductionHeadScores,
  inductionProbe,
  textHeadScores,
  type HeadGrid,
  type TextHeadScores,
} from '../../model/head-detectors';
import type { GPT2Weights } from '../../model/weights';

/**
 * At most this many bytes of attention weights per forward pass. A 12-layer, 12-head model on 1024 tokens
 * holds 50 MB per layer; its layers are then asked for a few at a time (each pass stops at its deepest layer).
 */
const ATTENTION_BYTES_PER_PASS = 64 * 1024 * 1024;

/**
 * Every layer's attention weights (NH, T, T) for `ids`, in as few passes as the byte budget allows; with
 * `ablate`, those of the model with these heads knocked out.
 */
export async function attentionOfEveryLayer(
  engine: Engine,
  ids: number[],
  bytesPerPass = ATTENTION_BYTES_PER_PASS,
  ablate?: Ablation,
): Promise<Float32Array[]> {
  const { nLayer, nHead } = engine.config;
  const T = ids.length;
  const perPass = Math.max(1, Math.floor(bytesPerPass / (nHead * T * T * 4)));
  const layers: Float32Array[] = [];
  for (let first = 0; first < nLayer; first += perPass) {
    const names: string[] = [];
    for (let l = first; l < Math.min(nLayer, first + perPass); l++) names.push(`h${l}.attn_weights`);
    const tensors = await engine.forward(ids, { include: names, logits: 'none', ablate });
    checkFinite(tensors, 'the heads are not scored');
    for (const name of names) layers.push(tensors[name].data);
  }
  return layers;
}

/** Previous-, duplicate- and first-token scores of every head on the token ids of the text on screen. */
export async function scoreText(engine: Engine, ids: number[], ablate?: Ablation): Promise<TextHeadScores> {
  return textHeadScores(
    await attentionOfEveryLayer(engine, ids, undefined, ablate),
    engine.config.nHead,
    ids,
  );
}

export interface InductionResult {
  scores: HeadGrid;
  repeatLength: number;
  seed: number;
}

/** Builds the seeded repeated random sequence that fits the model, runs it and scores every head. */
export async function scoreInduction(
  engine: Engine,
  weights: GPT2Weights,
  seed: number,
  ablate?: Ablation,
): Promise<InductionResult> {
  const probe = inductionProbe(weights.wte, weights.config, seed);
  const layers = await attentionOfEveryLayer(engine, probe.ids, undefined, ablate);
  return {
    scores: inductionHeadScores(layers, engine.config.nHead, probe.repeatLength),
    repeatLength: probe.repeatLength,
    seed,
  };
}
