// The models a trained GPT must beat, built from the same training text: a unigram model (no context) and a
// bigram model (the previous token only). Both spread probability over all 50257 GPT-2 tokens, as the GPT's
// softmax does, so their losses compare with its full-vocabulary loss.

/** Add-one unigram probabilities over `vocabSize` ids, from `trainIds`. */
function unigramProbabilities(trainIds: ArrayLike<number>, vocabSize: number): Float64Array {
  const p = new Float64Array(vocabSize).fill(1);
  for (let i = 0; i < trainIds.length; i++) p[trainIds[i]] += 1;
  const total = trainIds.length + vocabSize;
  for (let v = 0; v < vocabSize; v++) p[v] /= total;
  return p;
}

/** Cross-entropy (nats per token) of `targets` under the add-one unigram model of `trainIds`. */
export function unigramLoss(
  trainIds: ArrayLike<number>,
  targets: ArrayLike<number>,
  vocabSize: number,
): number {
  const p = unigramProbabilities(trainIds, vocabSize);
  let loss = 0;
  for (let i = 0; i < targets.length; i++) loss -= Math.log(p[targets[i]]);
  return loss / targets.length;
}

/**
 * Cross-entropy of each pair (previous[i] → targets[i]) under a bigram model of `trainIds` interpolated with
 * the unigram one by Witten–Bell: p(b | a) = (c(a, b) + n(a) · p(b)) / (c(a) + n(a)), where n(a) counts the
 * distinct tokens seen after a. It needs no tuning on held-out text, and falls back to the unigram for an a
 * never seen.
 */
export function bigramLoss(
  trainIds: ArrayLike<number>,
  previous: ArrayLike<number>,
  targets: ArrayLike<number>,
  vocabSize: number,
): number {
  const unigram = unigramProbabilities(trainIds, vocabSize);
  const pairs = new Map<number, number>(); // a · vocabSize + b → count
  const contextCount = new Float64Array(vocabSize);
  const followers = new Float64Array(vocabSize);
  for (let i = 0; i + 1 < trainIds.length; i++) {
    const key = trainIds[i] * vocabSize + trainIds[i + 1];
    const seen = pairs.get(key) ?? 0;
    if (seen === 0) followers[trainIds[i]]++;
    pairs.set(key, seen + 1);
    contextCount[trainIds[i]]++;
  }
  let loss = 0;
  for (let i = 0; i < targets.length; i++) {
    const a = previous[i];
    const b = targets[i];
    const n = followers[a];
    const p =
      contextCount[a] === 0
        ? unigram[b]
        : ((pairs.get(a * vocabSize + b) ?? 0) + n * unigram[b]) / (contextCount[a] + n);
    loss -= Math.log(p);
  }
  return loss / targets.length;
}
