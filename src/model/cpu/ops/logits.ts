// The output head tied to the token embedding, logits = x · wteᵀ, and the softmax cross-entropy on the
// logits, each with its backward. Training turns its logits into probabilities, then into their gradient.

import type { CpuKernels } from '../kernel-interface';

/**
 * Logits (rows, V) = inp (rows, C) · wteᵀ: the output head is tied to the token embedding. Each logit is a
 * dot product of two contiguous rows; four vocabulary rows at a time share each load of the input.
 */
export function logitsForward(
  out: Float32Array,
  inp: Float32Array,
  wte: Float32Array,
  rows: number,
  C: number,
  V: number,
): void {
  const V4 = V - (V % 4);
  for (let t = 0; t < rows; t++) {
    const x = t * C;
    const o = t * V;
    for (let v = 0; v < V4; v += 4) {
      const e0 = v * C;
      const e1 = e0 + C;
      const e2 = e1 + C;
      const e3 = e2 + C;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      // prettier-ignore
      for (let c = 0; c < C; c++) {
        const xc = inp[x + c];
        s0 += xc * wte[e0 + c]; s1 += xc * wte[e1 + c]; s2 += xc * wte[e2 + c]; s3 += xc * wte[e3 + c];
      }
      out[o + v] = s0;
      out[o + v + 1] = s1;
      out[o + v + 2] = s2;
      out[o + v + 3] = s3;
    }
    for (let v = V4; v < V; v++) {
      let sum = 0;
      for (let c = 0; c < C; c++) sum += inp[x + c] * wte[v * C + c];
      out[o + v] = sum;
    }
  }
}

/**
 * Backward of logitsForward: dinp (N,C) = dlogits (N,V) · wte, a product with wte (V,C) as its weight, and
 * dwte (V,C) += dlogitsᵀ · inp. `dinp` is overwritten; the products run on `kernels`.
 */
export function logitsBackward(
  kernels: Pick<CpuKernels, 'matmulForward' | 'matmulBackwardWeight'>,
  dinp: Float32Array, // (N, C)
  dwte: Float32Array, // (V, C)
  dlogits: Float32Array, // (N, V)
  inp: Float32Array, // (N, C)
  wte: Float32Array, // (V, C)
  N: number,
  C: number,
  V: number,
): void {
  kernels.matmulForward(dinp, dlogits, wte, null, N, V, C);
  kernels.matmulBackwardWeight(dwte, dlogits, inp, N, V, C);
}

/**
 * Softmax and mean cross-entropy over N rows of V logits, in place: `logits` becomes the probabilities and
 * `losses` the per-row -log p(target). `logitBias` (or null) is added to each row first; the trainer uses it to
 * stand one column in for many identical vocabulary rows (see src/train/vocab.ts).
 */
export function crossEntropyForward(
  losses: Float32Array, // (N)
  logits: Float32Array, // (N, V), overwritten with probabilities
  targets: Int32Array, // (N)
  logitBias: Float32Array | null, // (V)
  N: number,
  V: number,
): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    if (logitBias) for (let v = 0; v < V; v++) logits[row + v] += logitBias[v];
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
    const logSum = Math.log(sum);
    const loss = logSum - (logits[row + targets[n]] - max);
    for (let v = 0; v < V; v++) logits[row + v] = Math.exp(logits[row + v] - max - logSum);
    losses[n] = loss;
    total += loss;
  }
  return total / N;
}

/** Gradient of the mean cross-entropy w.r.t. the logits, in place: (probs - onehot(target)) / N. */
export function crossEntropyBackward(
  probs: Float32Array, // (N, V), becomes dlogits
  targets: Int32Array, // (N)
  N: number,
  V: number,
): void {
  const scale = 1 / N;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    for (let v = 0; v < V; v++) probs[row + v] *= scale;
    probs[row + targets[n]] -= scale;
  }
}
