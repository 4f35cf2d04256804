// How alike the copies of a repeated token are, as step 4 quantifies it: the cosine similarity of their token
// embeddings (the same row of wte, so 1), of their position embeddings and of their sums, the input embeddings.

import type { Tensor } from '../../model/trace';
import { repeatedTokens } from './select';
import type { AppTrace } from './types';

/** The embedding tables step 4 compares, in the order they are drawn. */
export const EMBEDDING_SPACES = ['input_emb', 'tok_emb', 'pos_emb'] as const;
export type EmbeddingSpace = (typeof EMBEDDING_SPACES)[number];

/** One repeated token: its first two copies and how alike their rows are in each table. */
export interface RepeatSimilarity {
  /** The token as displayed (“␣the”). */
  token: string;
  /** Positions (0-based) of the first two copies. */
  first: number;
  second: number;
  /** How many times the token occurs. */
  count: number;
  /** Cosine similarity of the two rows of the token, position and input embeddings. */
  cosine: Record<EmbeddingSpace, number>;
}

/** Row `i` of a (T, C) tensor, without a copy. */
export function rowOf(t: Tensor, i: number): Float32Array {
  const C = t.shape[t.shape.length - 1];
  return t.data.subarray(i * C, (i + 1) * C);
}

/** a·b / (|a| |b|), summed in float64; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let c = 0; c < a.length; c++) {
    dot += a[c] * b[c];
    aa += a[c] * a[c];
    bb += b[c] * b[c];
  }
  return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0;
}

/** Euclidean length of a − b, and of a, in float64: how far apart two rows are next to how long one is. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): { apart: number; length: number } {
  let apart = 0;
  let length = 0;
  for (let c = 0; c < a.length; c++) {
    apart += (a[c] - b[c]) ** 2;
    length += a[c] * a[c];
  }
  return { apart: Math.sqrt(apart), length: Math.sqrt(length) };
}

/** One entry per repeated token of a model trace (none for the book's example, which has no tables). */
export function repeatSimilarities(trace: AppTrace): RepeatSimilarity[] {
  const tables = EMBEDDING_SPACES.map((name) => trace.tensors[name]);
  if (trace.source !== 'model' || tables.some((t) => !t)) return [];
  return repeatedTokens(trace.ids).map((group) => {
    const [first, second] = group;
    const [input, tok, pos] = tables.map((t) => cosine(rowOf(t, first), rowOf(t, second)));
    return {
      token: trace.tokens[first],
      first,
      second,
      count: group.length,
      cosine: { input_emb: input, tok_emb: tok, pos_emb: pos },
    };
  });
}

/** Cosines print with three decimals: 1.000 for identical rows, and enough to see 0.94 against 0.96. */
export const fmtCosine = (x: number): string => x.toFixed(3).replace('-', '−');
