// Head detectors: scores from 0 to 1 that say how much a head does a known job (look at the previous token,
// at earlier copies of the current token, at the token after an earlier copy, at the first token).

import type { ModelShape } from './config';
import { seededRandom } from './random';
import { headBlock } from './trace';
import { END_OF_TEXT_ID } from '../tokenizer/gpt2-vocab';

/** One score per head: grid[layer][head]. */
export type HeadGrid = number[][];

export type DetectorKind = 'previousToken' | 'duplicateToken' | 'induction' | 'firstToken';

/** Name and one sentence for each score, in the order the page shows them. */
export const DETECTORS: readonly { kind: DetectorKind; name: string; sentence: string }[] = [
  {
    kind: 'previousToken',
    name: 'Previous token',
    sentence: 'Mean attention each token pays to the token just before it.',
  },
  {
    kind: 'duplicateToken',
    name: 'Duplicate token',
    sentence:
      'Mean attention a token pays to earlier copies of itself, over the tokens that have an earlier copy.',
  },
  {
    kind: 'induction',
    name: 'Induction',
    sentence:
      'Mean attention from a token that continues a run seen earlier to the token right after the earlier copy: on your text when it repeats itself, else on random tokens repeated twice.',
  },
  {
    kind: 'firstToken',
    name: 'First token',
    sentence: 'Mean attention each token after the first pays to the first token.',
  },
];

/** The scores that come from the user's text; null where the text gives nothing to average over. */
export interface TextHeadScores {
  /** Null for a one-token text. */
  previousToken: HeadGrid | null;
  /** Null when no token occurs twice. */
  duplicateToken: HeadGrid | null;
  /** Null for a one-token text. */
  firstToken: HeadGrid | null;
  /** Induction on the text itself; null unless a run of tokens in it repeats (see repeatedRunTargets). */
  textInduction: HeadGrid | null;
  /** How many tokens the scores average over: T − 1 for previous and first, the repeats for duplicate, the
   * tokens of later occurrences of repeated runs for induction. */
  counts: { previousToken: number; duplicateToken: number; firstToken: number; textInduction: number };
}

/** Mean of pattern[t][t − 1] over t = 1..T−1; `pattern` is one head's (T, T) weights, row-major. */
export function previousTokenScore(pattern: Float32Array, T: number): number | null {
  if (T < 2) return null;
  let sum = 0;
  for (let t = 1; t < T; t++) sum += pattern[t * T + t - 1];
  return sum / (T - 1);
}

/** Mean of pattern[t][0] over t = 1..T−1 (position 0 has nothing else to attend to). */
export function firstTokenScore(pattern: Float32Array, T: number): number | null {
  if (T < 2) return null;
  let sum = 0;
  for (let t = 1; t < T; t++) sum += pattern[t * T];
  return sum / (T - 1);
}

/** For every position, the earlier positions that hold the same token id (empty when none). */
export function earlierCopies(ids: readonly number[]): number[][] {
  const seen = new Map<number, number[]>();
  return ids.map((id, t) => {
    const before = seen.get(id) ?? [];
    seen.set(id, [...before, t]);
    return before;
  });
}

/**
 * Mean, over the positions that have an earlier copy of their token, of the attention summed over those
 * copies. `copies` is earlierCopies(ids), computed once for every head.
 */
export function duplicateTokenScore(pattern: Float32Array, copies: readonly number[][]): number | null {
  const T = copies.length;
  let sum = 0;
  let count = 0;
  for (let t = 0; t < T; t++) {
    if (copies[t].length === 0) continue;
    for (const s of copies[t]) sum += pattern[t * T + s];
    count++;
  }
  return count === 0 ? null : sum / count;
}

/**
 * On a sequence of R tokens followed by the same R tokens (T ≥ 2R), the mean attention from each position t of
 * the second half (t = R..2R−1) to t − R + 1: the token that followed the earlier copy of token t.
 */
export function inductionScore(pattern: Float32Array, T: number, repeatLength: number): number {
  const R = repeatLength;
  if (R < 1 || 2 * R > T) throw new RangeError(`An induction probe of 2×${R} tokens needs T ≥ ${2 * R}.`);
  let sum = 0;
  for (let t = R; t < 2 * R; t++) sum += pattern[t * T + t - R + 1];
  return sum / R;
}

/** Positions that must continue a repeated run for the text's own induction score (below, the probe is used). */
export const MIN_REPEATED_POSITIONS = 2;

/**
 * For every position t, the positions an induction head would attend to: s + 1 for each earlier s where the
 * two tokens ending at s are the two ending at t (so t is inside a later occurrence of a repeated run of two or
 * more tokens) and s + 1 < t. Empty where there are none.
 */
export function repeatedRunTargets(ids: readonly number[]): number[][] {
  return ids.map((id, t) => {
    const targets: number[] = [];
    if (t === 0) return targets;
    for (let s = 1; s + 1 < t; s++) if (ids[s] === id && ids[s - 1] === ids[t - 1]) targets.push(s + 1);
    return targets;
  });
}

/**
 * Induction on the text itself: mean, over the positions of `targets` (repeatedRunTargets) that have any, of
 * the attention summed over those targets. Null when fewer than MIN_REPEATED_POSITIONS positions have one.
 */
export function textInductionScore(pattern: Float32Array, targets: readonly number[][]): number | null {
  const T = targets.length;
  let sum = 0;
  let count = 0;
  for (let t = 0; t < T; t++) {
    if (targets[t].length === 0) continue;
    for (const s of targets[t]) sum += pattern[t * T + s];
    count++;
  }
  return count < MIN_REPEATED_POSITIONS ? null : sum / count;
}

/** Applies `score` to every head of every layer; `layers[l]` holds layer l's (NH, T, T) attention weights. */
function grid(
  layers: readonly Float32Array[],
  nHead: number,
  T: number,
  score: (p: Float32Array) => number | null,
): HeadGrid | null {
  const scores = layers.map((layer) =>
    Array.from({ length: nHead }, (_, h) => score(headBlock(layer, h, T, T))),
  );
  return scores.some((row) => row.some((s) => s === null)) ? null : (scores as HeadGrid);
}

/** The text's three scores for every head; `layers[l]` is layer l's (NH, T, T) attention weights. */
export function textHeadScores(
  layers: readonly Float32Array[],
  nHead: number,
  ids: readonly number[],
): TextHeadScores {
  const T = ids.length;
  const copies = earlierCopies(ids);
  const repeats = copies.filter((c) => c.length > 0).length;
  const runTargets = repeatedRunTargets(ids);
  return {
    previousToken: grid(layers, nHead, T, (p) => previousTokenScore(p, T)),
    duplicateToken: grid(layers, nHead, T, (p) => duplicateTokenScore(p, copies)),
    firstToken: grid(layers, nHead, T, (p) => firstTokenScore(p, T)),
    textInduction: grid(layers, nHead, T, (p) => textInductionScore(p, runTargets)),
    counts: {
      previousToken: Math.max(0, T - 1),
      duplicateToken: repeats,
      firstToken: Math.max(0, T - 1),
      textInduction: runTargets.filter((r) => r.length > 0).length,
    },
  };
}

/** Induction scores for every head on the probe; `layers[l]` is layer l's (NH, 2R, 2R) attention weights. */
export function inductionHeadScores(
  layers: readonly Float32Array[],
  nHead: number,
  repeatLength: number,
): HeadGrid {
  const T = 2 * repeatLength;
  return grid(layers, nHead, T, (p) => inductionScore(p, T, repeatLength))!;
}

/** The probe's half length, as TransformerLens uses it, cut so that both halves fit the context. */
export const INDUCTION_REPEAT_LENGTH = 50;

/** GPT-2's <|endoftext|>, never part of the probe (it marks a document boundary). */

/** Two 32-bit hashes of an embedding row's bits, as one number (rows with equal bits get equal keys). */
function rowKey(bits: Uint32Array, start: number, C: number): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = start; i < start + C; i++) {
    a = Math.imul(a ^ bits[i], 0x01000193);
    b = Math.imul(b ^ bits[i], 0x5bd1e995) ^ (b >>> 13);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * Token ids whose embedding row no other token shares. A model trained on a small vocabulary gives every
 * unseen token one shared row; a probe drawn from those would repeat one "word" and measure nothing.
 */
export function tokensWithOwnEmbedding(wte: Float32Array, vocabSize: number, nEmbd: number): number[] {
  const bits = new Uint32Array(wte.buffer, wte.byteOffset, vocabSize * nEmbd);
  const keys = new Float64Array(vocabSize);
  const count = new Map<number, number>();
  for (let v = 0; v < vocabSize; v++) {
    keys[v] = rowKey(bits, v * nEmbd, nEmbd);
    count.set(keys[v], (count.get(keys[v]) ?? 0) + 1);
  }
  const own: number[] = [];
  for (let v = 0; v < vocabSize; v++) if (count.get(keys[v]) === 1 && v !== END_OF_TEXT_ID) own.push(v);
  return own;
}

export interface InductionProbe {
  /** R random ids followed by the same R ids (no BOS). */
  ids: number[];
  repeatLength: number;
  seed: number;
}

/**
 * TransformerLens's induction probe: R distinct random tokens, then the same R again. R is 50, or less when
 * the context (or the number of tokens with their own embedding) is smaller. The same seed gives the same ids.
 */
export function inductionProbe(
  wte: Float32Array,
  config: Pick<ModelShape, 'vocabSize' | 'nEmbd' | 'nPositions'>,
  seed: number,
): InductionProbe {
  const pool = tokensWithOwnEmbedding(wte, config.vocabSize, config.nEmbd);
  const R = Math.min(INDUCTION_REPEAT_LENGTH, Math.floor(config.nPositions / 2), pool.length);
  if (R < 2) {
    throw new RangeError(
      'The induction probe needs at least two tokens with their own embedding and a context of four.',
    );
  }
  const random = seededRandom(seed);
  // A partial Fisher–Yates shuffle: R distinct tokens, uniformly drawn from the pool.
  for (let i = 0; i < R; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const half = pool.slice(0, R);
  return { ids: [...half, ...half], repeatLength: R, seed };
}
