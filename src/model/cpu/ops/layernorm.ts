// Layer norm, forward and backward: (x - mean) / sqrt(var + eps) · weight + bias per row of C. Both read the
// row statistics from one function, so the backward recomputes exactly what the forward used.

/** Mean and 1/std of the row of C values at `row`, two-pass for stability, written to stats = [mean, rstd].
 * The forward and the backward layer norm share it, so training recomputes exactly what the forward used. */
export function layernormRowStats(
  stats: Float64Array, // (2)
  inp: Float32Array,
  row: number,
  C: number,
  eps: number,
): void {
  let mean = 0;
  for (let c = 0; c < C; c++) mean += inp[row + c];
  mean /= C;
  let variance = 0;
  for (let c = 0; c < C; c++) {
    const d = inp[row + c] - mean;
    variance += d * d;
  }
  stats[0] = mean;
  stats[1] = 1 / Math.sqrt(variance / C + eps);
}

/** Layer norm per row: (x - mean) / sqrt(var + eps) · weight + bias, with a two-pass variance for stability. */
export function layernormForward(
  out: Float32Array, // (T, C)
  inp: Float32Array, // (T, C)
  weight: Float32Array, // (C)
  bias: Float32Array, // (C)
  T: number,
  C: number,
  eps: number,
): void {
  const stats = new Float64Array(2);
  for (let t = 0; t < T; t++) {
    const row = t * C;
    layernormRowStats(stats, inp, row, C, eps);
    const mean = stats[0];
    const rstd = stats[1];
    for (let c = 0; c < C; c++) out[row + c] = (inp[row + c] - mean) * rstd * weight[c] + bias[c];
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
