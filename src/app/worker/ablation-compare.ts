// The worker's before/after job for an ablation: runs the text on the intact and on the ablated model and
// reduces both to what the comparison panel shows (per-token loss, next tokens, head scores, attention moved).
// It is asked for only while an ablation is on and typing has paused: keystrokes never pay for the baseline.

import type { Ablation } from '../../model/ablation';
import type { Engine } from '../../model/engine';
import { checkFinite } from '../../model/finite';
import { textHeadScores, type HeadGrid } from '../../model/head-detectors';
import type { GPT2Weights } from '../../model/weights';
import { displayBytes, tokenBytes } from '../../tokenizer/gpt2';
import { TOP_NEXT_COUNT } from '../data/types';
import { attentionOfEveryLayer, scoreInduction } from './head-scores';
import type { AblationCompareResult, ComparedToken, ComparisonSide } from './protocol';

/** Softmax of one row of logits, in float64 sums so a 50k vocabulary adds up exactly enough. */
function probabilities(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** −log p(ids[t+1] | ids[..t]) for t = 0 … T−2, from the logits of every position (T, V). */
export function tokenLosses(logits: Float32Array, ids: number[], V: number): Float32Array {
  const losses = new Float32Array(Math.max(0, ids.length - 1));
  for (let t = 0; t + 1 < ids.length; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let max = -Infinity;
    for (const x of row) if (x > max) max = x;
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    losses[t] = max + Math.log(sum) - row[ids[t + 1]];
  }
  return losses;
}

/** Rank (1 = likeliest) of token `id` under `p`: one more than the tokens strictly likelier. */
function rankOf(p: Float64Array, id: number): number {
  let rank = 1;
  for (let i = 0; i < p.length; i++) if (p[i] > p[id]) rank++;
  return rank;
}

function topIds(p: Float64Array, k: number): number[] {
  return Array.from(p.keys())
    .sort((a, b) => p[b] - p[a])
    .slice(0, k);
}

/** Half the L1 distance between two heads' (T, T) weights, averaged over rows: 0 same, 1 disjoint. */
function attentionDistance(a: Float32Array, b: Float32Array, T: number): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i] - b[i]);
  return total / 2 / T;
}

/** Thrown between passes when a newer request is waiting: the comparison gives way, and is asked again. */
export class ComparisonInterrupted extends Error {
  override name = 'ComparisonInterrupted';
}

/** Each pass awaits `run`, then gives way (throws) if `interrupted` says a keystroke is waiting. */
type Pass = <R>(run: () => Promise<R>) => Promise<R>;

async function side(pass: Pass, engine: Engine, weights: GPT2Weights, ids: number[], ablate?: Ablation) {
  const { vocabSize: V } = weights.config;
  const full = await pass(() => engine.forward(ids, { include: [], logits: 'all', ablate }));
  checkFinite(full, 'the comparison is not shown');
  const logits = full.logits.data;
  const attention = await pass(() => attentionOfEveryLayer(engine, ids, undefined, ablate));
  const probe = await pass(() => scoreInduction(engine, weights, 1, ablate));
  const result: ComparisonSide = {
    losses: tokenLosses(logits, ids, V),
    scores: textHeadScores(attention, weights.config.nHead, ids),
    induction: probe.scores,
  };
  return { result, attention, next: probabilities(logits.subarray((ids.length - 1) * V)) };
}

/**
 * Both sides of the comparison for `ids` with `ablate` on, as one message; `layer` is the one on screen.
 * Between its six passes it checks `interrupted` and throws ComparisonInterrupted when a keystroke waits, so
 * typing that resumes waits for one pass at most, not for the whole comparison.
 */
export async function compareAblation(
  engine: Engine,
  weights: GPT2Weights,
  request: { id: number; ids: number[]; ablate: Ablation; layer: number },
  interrupted: () => boolean = () => false,
): Promise<AblationCompareResult> {
  const { id, ids, ablate, layer } = request;
  const { nHead } = weights.config;
  const T = ids.length;
  const pass: Pass = async (run) => {
    const result = await run();
    if (interrupted()) throw new ComparisonInterrupted('A newer request came first.');
    return result;
  };
  const before = await side(pass, engine, weights, ids);
  const after = await side(pass, engine, weights, ids, ablate);
  const shown = [...new Set([...topIds(before.next, TOP_NEXT_COUNT), ...topIds(after.next, TOP_NEXT_COUNT)])];
  const nextTokens: ComparedToken[] = shown
    .map((token) => ({
      id: token,
      text: displayBytes(tokenBytes(token)),
      before: { probability: before.next[token], rank: rankOf(before.next, token) },
      after: { probability: after.next[token], rank: rankOf(after.next, token) },
    }))
    .sort((a, b) => b.after.probability - a.after.probability);
  const attentionMoved: HeadGrid = before.attention.map((layer, l) =>
    Array.from({ length: nHead }, (_, h) => {
      const block = (data: Float32Array) => data.subarray(h * T * T, (h + 1) * T * T);
      return attentionDistance(block(layer), block(after.attention[l]), T);
    }),
  );
  return {
    type: 'ablation-compare',
    id,
    before: before.result,
    after: after.result,
    nextTokens,
    attentionMoved,
    layerBefore: { layer, weights: before.attention[layer] },
  };
}
