// Picks the next token from the logits the way GPT-2's generate does: temperature, then top-k, then top-p
// (nucleus), then one draw. The draw comes from a seeded generator keyed by the seed and the ids so far, so the
// same seed, text and settings always give the same token, on every machine.

import { seededRandom } from '../../model/random';

export interface SamplingSettings {
  /** Divides the logits; below 1 sharpens the distribution, above 1 flattens it. */
  temperature: number;
  /** Keep the k likeliest tokens (0 = no limit). */
  topK: number;
  /** Keep the fewest likeliest tokens whose probabilities add up to at least p (1 = no limit). */
  topP: number;
}

/** One uniform number in [0, 1) for the draw after `ids` with `seed`: FNV-1a over both, then mulberry32. */
export function samplingUniform(seed: number, ids: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const id of [seed, ...ids]) hash = Math.imul(hash ^ id, 0x01000193);
  return seededRandom(hash >>> 0)();
}

/** The tokens left after top-k and top-p, likeliest first (ties by id), with their renormalised probabilities. */
export function samplingCandidates(
  logits: Float32Array,
  { temperature, topK, topP }: SamplingSettings,
  allowed?: (id: number) => boolean,
): { ids: number[]; probabilities: number[] } {
  const ids: number[] = [];
  for (let id = 0; id < logits.length; id++) if (!allowed || allowed(id)) ids.push(id);
  ids.sort((a, b) => logits[b] - logits[a] || a - b);
  if (topK > 0) ids.length = Math.min(ids.length, topK);
  if (ids.length === 0) return { ids, probabilities: [] };
  // Softmax in float64 over what is left, relative to the largest logit so exp never overflows.
  const max = logits[ids[0]];
  let probabilities = ids.map((id) => Math.exp((logits[id] - max) / temperature));
  let total = probabilities.reduce((a, b) => a + b, 0);
  probabilities = probabilities.map((p) => p / total);
  if (topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < ids.length && cumulative < topP) cumulative += probabilities[keep++];
    ids.length = keep;
    probabilities = probabilities.slice(0, keep);
    total = cumulative;
    probabilities = probabilities.map((p) => p / total);
  }
  return { ids, probabilities };
}

/** The token that a uniform draw `u` in [0, 1) picks among the candidates. */
export function sampleToken(
  logits: Float32Array,
  settings: SamplingSettings,
  u: number,
  allowed?: (id: number) => boolean,
): number {
  const { ids, probabilities } = samplingCandidates(logits, settings, allowed);
  let cumulative = 0;
  for (let i = 0; i < ids.length; i++) {
    cumulative += probabilities[i];
    if (u < cumulative) return ids[i];
  }
  return ids[ids.length - 1]; // rounding left the sum a hair under 1
}
