// The GPT-2 backward pass on the CPU, one function per layer beside the forward it undoes (ops.ts), in
// llm.c's order: gradients out first (they are accumulated with +=), then the forward's inputs, weights, sizes.

import { layernormRowStats } from './ops';

/** encoded (N,C) = wte[ids] + wpe[t]: the training form of embeddingForward, over B·T rows at once. */
export function encoderForward(
  encoded: Float32Array, // (B, T, C)
  ids: Int32Array, // (B, T)
  wte: Float32Array, // (V, C)
  wpe: Float32Array, // (maxT, C)
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const out = (b * T + t) * C;
      const tok = ids[b * T + t] * C;
      const pos = t * C;
      for (let c = 0; c < C; c++) encoded[out + c] = wte[tok + c] + wpe[pos + c];
    }
  }
}

/** The embedding rows that were read get the gradient of the rows they produced. */
export function encoderBackward(
  dwte: Float32Array, // (V, C)
  dwpe: Float32Array, // (maxT, C)
  dencoded: Float32Array, // (B, T, C)
  ids: Int32Array, // (B, T)
  B: number,
  T: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const d = (b * T + t) * C;
      const tok = ids[b * T + t] * C;
      const pos = t * C;
      for (let c = 0; c < C; c++) {
        dwte[tok + c] += dencoded[d + c];
        dwpe[pos + c] += dencoded[d + c];
      }
    }
  }
}

/**
 * Layer norm backward. The mean and 1/std are recomputed from the input by layernormRowStats, as the forward
 * computes them, so the forward needs no extra buffers and the training forward is the very same function.
 */
export function layernormBackward(
  dinp: Float32Array, // (N, C)
  dweight: Float32Array, // (C)
  dbias: Float32Array, // (C)
  dout: Float32Array, // (N, C)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C)
  N: number,
  C: number,
  eps: number,
): void {
  const stats = new Float64Array(2);
  for (let n = 0; n < N; n++) {
    const row = n * C;
    layernormRowStats(stats, inp, row, C, eps);
    const mean = stats[0];
    const rstd = stats[1];
    // Two reductions: the mean of dnorm and the mean of dnorm·norm (the gradient through mean and variance).
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let c = 0; c < C; c++) {
      const norm = (inp[row + c] - mean) * rstd;
      const dnorm = weight[c] * dout[row + c];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let c = 0; c < C; c++) {
      const norm = (inp[row + c] - mean) * rstd;
      const dnorm = weight[c] * dout[row + c];
      dbias[c] += dout[row + c];
      dweight[c] += norm * dout[row + c];
      dinp[row + c] += (dnorm - dnormMean - norm * dnormNormMean) * rstd;
    }
  }
}

/** dbias (OC) += the column sums of dout (N,OC). */
export function biasBackward(dbias: Float32Array, dout: Float32Array, N: number, OC: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * OC;
    for (let j = 0; j < OC; j++) dbias[j] += dout[row + j];
  }
}

/**
 * dinp (N,C) += dout (N,OC) · weightᵀ. Entry (n,k) is the dot product of two contiguous rows, dout[n] and
 * weight[k]; a 4×4 tile of them is kept in locals so each load feeds four multiply-adds.
 */
export function matmulBackwardInput(
  dinp: Float32Array, // (N, C)
  dout: Float32Array, // (N, OC)
  weight: Float32Array, // (C, OC)
  N: number,
  C: number,
  OC: number,
): void {
  const N4 = N - (N % 4);
  const C4 = C - (C % 4);
  for (let n = 0; n < N4; n += 4) {
    const d0 = n * OC;
    const d1 = d0 + OC;
    const d2 = d1 + OC;
    const d3 = d2 + OC;
    for (let k = 0; k < C4; k += 4) {
      const w0 = k * OC;
      const w1 = w0 + OC;
      const w2 = w1 + OC;
      const w3 = w2 + OC;
      // prettier-ignore
      let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0,
          a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
      // prettier-ignore
      for (let j = 0; j < OC; j++) {
        const x0 = dout[d0 + j], x1 = dout[d1 + j], x2 = dout[d2 + j], x3 = dout[d3 + j];
        const y0 = weight[w0 + j], y1 = weight[w1 + j], y2 = weight[w2 + j], y3 = weight[w3 + j];
        a00 += x0 * y0; a01 += x0 * y1; a02 += x0 * y2; a03 += x0 * y3;
        a10 += x1 * y0; a11 += x1 * y1; a12 += x1 * y2; a13 += x1 * y3;
        a20 += x2 * y0; a21 += x2 * y1; a22 += x2 * y2; a23 += x2 * y3;
        a30 += x3 * y0; a31 += x3 * y1; a32 += x3 * y2; a33 += x3 * y3;
      }
      const o0 = n * C + k;
      const o1 = o0 + C;
      const o2 = o1 + C;
      const o3 = o2 + C;
      // prettier-ignore
      {
        dinp[o0] += a00; dinp[o0 + 1] += a01; dinp[o0 + 2] += a02; dinp[o0 + 3] += a03;
        dinp[o1] += a10; dinp[o1 + 1] += a11; dinp[o1 + 2] += a12; dinp[o1 + 3] += a13;
        dinp[o2] += a20; dinp[o2 + 1] += a21; dinp[o2 + 2] += a22; dinp[o2 + 3] += a23;
        dinp[o3] += a30; dinp[o3 + 1] += a31; dinp[o3 + 2] += a32; dinp[o3 + 3] += a33;
      }
    }
  }
  // Ragged edges (N or C not a multiple of 4) take the plain path.
  dotRowsEdge(dinp, dout, weight, 0, N4, C4, C, OC, C);
  dotRowsEdge(dinp, dout, weight, N4, N, 0, C, OC, C);
}

function dotRowsEdge(
  dinp: Float32Array,
  dout: Float32Array,
  weight: Float32Array,
  n0: number,
  n1: number,
  k0: number,
  k1: number,
  OC: number,
  C: number,
): void {
  for (let n = n0; n < n1; n++) {
    for (let k = k0; k < k1; k++) {
      let sum = 0;
      for (let j = 0; j < OC; j++) sum += dout[n * OC + j] * weight[k * OC + j];
      dinp[n * C + k] += sum;
    }
  }
}

/**
 * dweight (C,OC) += inpᵀ (C,N) · dout (N,OC). Summing over the rows n, a 4×4 tile of dweight stays in locals
 * and each step reads four contiguous values from inp[n] and four from dout[n].
 */
export function matmulBackwardWeight(
  dweight: Float32Array, // (C, OC)
  inp: Float32Array, // (N, C)
  dout: Float32Array, // (N, OC)
  N: number,
  C: number,
  OC: number,
): void {
  const C4 = C - (C % 4);
  const OC4 = OC - (OC % 4);
  for (let k = 0; k < C4; k += 4) {
    for (let j = 0; j < OC4; j += 4) {
      // prettier-ignore
      let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0,
          a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
      // prettier-ignore
      for (let n = 0, x = k, d = j; n < N; n++, x += C, d += OC) {
        const x0 = inp[x], x1 = inp[x + 1], x2 = inp[x + 2], x3 = inp[x + 3];
        const y0 = dout[d], y1 = dout[d + 1], y2 = dout[d + 2], y3 = dout[d + 3];
        a00 += x0 * y0; a01 += x0 * y1; a02 += x0 * y2; a03 += x0 * y3;
        a10 += x1 * y0; a11 += x1 * y1; a12 += x1 * y2; a13 += x1 * y3;
        a20 += x2 * y0; a21 += x2 * y1; a22 += x2 * y2; a23 += x2 * y3;
        a30 += x3 * y0; a31 += x3 * y1; a32 += x3 * y2; a33 += x3 * y3;
      }
      const o0 = k * OC + j;
      const o1 = o0 + OC;
      const o2 = o1 + OC;
      const o3 = o2 + OC;
      // prettier-ignore
      {
        dweight[o0] += a00; dweight[o0 + 1] += a01; dweight[o0 + 2] += a02; dweight[o0 + 3] += a03;
        dweight[o1] += a10; dweight[o1 + 1] += a11; dweight[o1 + 2] += a12; dweight[o1 + 3] += a13;
        dweight[o2] += a20; dweight[o2 + 1] += a21; dweight[o2 + 2] += a22; dweight[o2 + 3] += a23;
        dweight[o3] += a30; dweight[o3 + 1] += a31; dweight[o3 + 2] += a32; dweight[o3 + 3] += a33;
      }
    }
  }
  outerEdge(dweight, inp, dout, 0, C4, OC4, OC, N, C, OC);
  outerEdge(dweight, inp, dout, C4, C, 0, OC, N, C, OC);
}

function outerEdge(
  dweight: Float32Array,
  inp: Float32Array,
  dout: Float32Array,
  k0: number,
  k1: number,
  j0: number,
  j1: number,
  N: number,
  C: number,
  OC: number,
): void {
  for (let k = k0; k < k1; k++) {
    for (let j = j0; j < j1; j++) {
      let sum = 0;
      for (let n = 0; n < N; n++) sum += inp[n * C + k] * dout[n * OC + j];
      dweight[k * OC + j] += sum;
    }
  }
}

const GELU_SCALE = Math.sqrt(2 / Math.PI);

/** GELU tanh backward: d/dx of 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³). */
export function geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    const u = GELU_SCALE * (x + 0.044715 * x * x * x);
    const tanhU = Math.tanh(u);
    const sech2 = 1 - tanhU * tanhU;
    const local = 0.5 * (1 + tanhU) + 0.5 * x * sech2 * GELU_SCALE * (1 + 3 * 0.044715 * x * x);
    dinp[i] += local * dout[i];
  }
}

/** A residual sum passes its gradient to both branches unchanged. */
export function residualBackward(da: Float32Array, db: Float32Array, dout: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    da[i] += dout[i];
    db[i] += dout[i];
  }
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
