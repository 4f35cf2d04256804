// Training over the corpus's tokens instead of GPT-2's 50257, exactly. The model keeps one wte row per token
// that the training text uses often enough, plus one shared row that every other token's row equals. The full-vocabulary softmax then
// equals a softmax over those rows, the shared one counted n times (a logit bias of log n), so the loss is
// the full-vocabulary loss, and the file written out is an ordinary GPT-2 whose unused rows are all that row.

import type { GPT2Config } from '../model/config';
import type { GPT2Weights } from '../model/weights';
import type { TiedSpan } from './adamw';

export interface TrainVocab {
  fullSize: number; // V of the shipped model (50257)
  /** Full id of each compact row, sorted; the shared row (if any) comes after these. */
  ids: Int32Array; // (Vr)
  /** Compact id of each full id; every token without its own row maps to the shared row. */
  toCompact: Int32Array; // (fullSize)
  /** How many full rows the shared row stands for. */
  sharedCount: number;
  /** Rows of the compact wte: Vr, plus one when sharedCount > 0. */
  size: number;
}

/**
 * Builds the compact vocabulary from the training text's ids: a token gets its own row when it occurs at
 * least `minCount` times there (a row seen a handful of times would stay near its random start); every
 * other token, and every token only the held-out text has, shares the last row.
 */
export function buildTrainVocab(trainIds: ArrayLike<number>, fullSize: number, minCount = 1): TrainVocab {
  const counts = new Uint32Array(fullSize);
  for (let i = 0; i < trainIds.length; i++) {
    const id = trainIds[i];
    if (!(id >= 0 && id < fullSize)) throw new Error('token id outside the vocabulary');
    counts[id]++;
  }
  const own: number[] = [];
  counts.forEach((count, id) => {
    if (count >= minCount && count > 0) own.push(id);
  });
  const ids = Int32Array.from(own);
  const sharedCount = fullSize - ids.length;
  const shared = ids.length;
  const toCompact = new Int32Array(fullSize).fill(shared);
  ids.forEach((id, i) => (toCompact[id] = i));
  return { fullSize, ids, toCompact, sharedCount, size: ids.length + (sharedCount > 0 ? 1 : 0) };
}

/** The config the trainer runs: the shipped one with the compact vocabulary size. */
export const compactConfig = (config: GPT2Config, vocab: TrainVocab): GPT2Config => ({
  ...config,
  vocabSize: vocab.size,
});

/** Logit bias for GPT2Training: log n on the shared row, so it weighs as its n copies. */
export function sharedRowLogitBias(vocab: TrainVocab): Float32Array | null {
  if (vocab.sharedCount === 0) return null;
  const bias = new Float32Array(vocab.size);
  bias[vocab.size - 1] = Math.log(vocab.sharedCount);
  return bias;
}

/** The part of the flat gradient holding the shared row (wte comes first in params.ts). */
export function sharedRowSpan(vocab: TrainVocab, C: number): TiedSpan[] {
  return vocab.sharedCount > 0 ? [{ offset: (vocab.size - 1) * C, length: C, count: vocab.sharedCount }] : [];
}

/** Maps full token ids to compact ones, in place. */
export function toCompactIds(ids: Int32Array, vocab: TrainVocab): Int32Array {
  for (let i = 0; i < ids.length; i++) ids[i] = vocab.toCompact[ids[i]];
  return ids;
}

/** The full-vocabulary model: each corpus token's row goes back to its id, the shared row fills the rest. */
export function expandWeights(compact: GPT2Weights, vocab: TrainVocab): GPT2Weights {
  const C = compact.config.nEmbd;
  const wte = new Float32Array(vocab.fullSize * C); // (V, C)
  if (vocab.sharedCount > 0) {
    const shared = compact.wte.subarray((vocab.size - 1) * C, vocab.size * C);
    for (let v = 0; v < vocab.fullSize; v++) wte.set(shared, v * C);
  }
  vocab.ids.forEach((id, i) => wte.set(compact.wte.subarray(i * C, (i + 1) * C), id * C));
  return {
    ...compact,
    config: { ...compact.config, vocabSize: vocab.fullSize },
    wte,
    wpe: compact.wpe.slice(),
    layers: compact.layers.map((layer) => ({ ...layer })),
  };
}

/**
 * The compact model of a full-vocabulary one trained on this vocabulary (expandWeights' inverse): each own
 * token's row, then the shared row. Throws when the file's rows of tokens without their own row differ, which
 * means the model was trained on another text or --min-count.
 */
export function compactWeights(full: GPT2Weights, vocab: TrainVocab): GPT2Weights {
  const C = full.config.nEmbd;
  if (full.config.vocabSize !== vocab.fullSize)
    throw new Error(`the starting model has ${full.config.vocabSize} tokens, not ${vocab.fullSize}`);
  const wte = new Float32Array(vocab.size * C);
  vocab.ids.forEach((id, i) => wte.set(full.wte.subarray(id * C, (id + 1) * C), i * C));
  if (vocab.sharedCount > 0) {
    const sharedRow = vocab.size - 1;
    const first = vocab.toCompact.findIndex((c) => c === sharedRow);
    const shared = full.wte.subarray(first * C, (first + 1) * C);
    for (let v = first + 1; v < vocab.fullSize; v++) {
      if (vocab.toCompact[v] !== sharedRow) continue;
      for (let c = 0; c < C; c++) {
        if (full.wte[v * C + c] !== shared[c])
          throw new Error(
            'the starting model was not trained on this vocabulary: tokens that share a row here have different rows in it (another corpus or --min-count?)',
          );
      }
    }
    wte.set(shared, sharedRow * C);
  }
  return {
    ...full,
    config: { ...full.config, vocabSize: vocab.size },
    wte,
    wpe: full.wpe.slice(),
    layers: full.layers.map((layer) =>
      Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, (v as Float32Array).slice()])),
    ) as unknown as GPT2Weights['layers'],
  };
}
