// The loss per token of a vocabulary whose columns may stand for several tokens (the trainer's shared row), on
// either engine: the cross-entropy kernels give the loss per column, and this is the difference.

/**
 * What turns the mean loss over biased columns into the mean loss per token. A column whose logit bias is log n
 * stands for n tokens with identical rows (src/train/vocab.ts): the softmax gives that column n times the
 * probability of each token it stands for, so −log p(column) is log n short of −log p(token), the full-vocabulary
 * loss. Returns the mean over the N targets of their columns' bias (0 without a bias). The gradient needs no such
 * term: it is a constant per row.
 */
export function meanTargetBias(targets: Int32Array, logitBias: Float32Array | null, N: number): number {
  if (!logitBias) return 0;
  let sum = 0;
  for (let n = 0; n < N; n++) sum += logitBias[targets[n]];
  return sum / N;
}
