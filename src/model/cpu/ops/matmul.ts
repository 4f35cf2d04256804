// The linear layer, forward and backward: out (N,OC) = inp (N,C) · weight (C,OC) + bias, and the gradients
// into its input, weight and bias. Blocked 4×4 tiles in locals; the textbook loop stays as the reference.

import type { CpuKernels } from '../kernel-interface';

/**
 * out (T,OC) = inp (T,C) · weight (C,OC) + bias. Blocked: each pass holds a 4-row × 4-column tile of outputs in
 * local variables (registers), so every weight load feeds four multiply-adds and nothing is allocated inside.
 */
export function matmulForward(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  T: number,
  C: number,
  OC: number,
): void {
  const T4 = T - (T % 4);
  const OC4 = OC - (OC % 4);
  for (let t = 0; t < T4; t += 4) {
    const r0 = t * C;
    const r1 = r0 + C;
    const r2 = r1 + C;
    const r3 = r2 + C;
    for (let j = 0; j < OC4; j += 4) {
      // prettier-ignore
      let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0,
          a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
      // prettier-ignore
      for (let k = 0, w = j; k < C; k++, w += OC) {
        const w0 = weight[w], w1 = weight[w + 1], w2 = weight[w + 2], w3 = weight[w + 3];
        const x0 = inp[r0 + k], x1 = inp[r1 + k], x2 = inp[r2 + k], x3 = inp[r3 + k];
        a00 += x0 * w0; a01 += x0 * w1; a02 += x0 * w2; a03 += x0 * w3;
        a10 += x1 * w0; a11 += x1 * w1; a12 += x1 * w2; a13 += x1 * w3;
        a20 += x2 * w0; a21 += x2 * w1; a22 += x2 * w2; a23 += x2 * w3;
        a30 += x3 * w0; a31 += x3 * w1; a32 += x3 * w2; a33 += x3 * w3;
      }
      const b0 = bias ? bias[j] : 0;
      const b1 = bias ? bias[j + 1] : 0;
      const b2 = bias ? bias[j + 2] : 0;
      const b3 = bias ? bias[j + 3] : 0;
      const o0 = t * OC + j;
      const o1 = o0 + OC;
      const o2 = o1 + OC;
      const o3 = o2 + OC;
      // prettier-ignore
      {
        out[o0] = a00 + b0; out[o0 + 1] = a01 + b1; out[o0 + 2] = a02 + b2; out[o0 + 3] = a03 + b3;
        out[o1] = a10 + b0; out[o1 + 1] = a11 + b1; out[o1 + 2] = a12 + b2; out[o1 + 3] = a13 + b3;
        out[o2] = a20 + b0; out[o2 + 1] = a21 + b1; out[o2 + 2] = a22 + b2; out[o2 + 3] = a23 + b3;
        out[o3] = a30 + b0; out[o3 + 1] = a31 + b1; out[o3 + 2] = a32 + b2; out[o3 + 3] = a33 + b3;
      }
    }
  }
  // The ragged edges (T or OC not a multiple of 4) take the plain path.
  matmulEdge(out, inp, weight, bias, 0, T4, OC4, OC, C, OC);
  matmulEdge(out, inp, weight, bias, T4, T, 0, OC, C, OC);
}

function matmulEdge(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  t0: number,
  t1: number,
  j0: number,
  j1: number,
  C: number,
  OC: number,
): void {
  for (let t = t0; t < t1; t++) {
    for (let j = j0; j < j1; j++) {
      let sum = bias ? bias[j] : 0;
      for (let k = 0; k < C; k++) sum += inp[t * C + k] * weight[k * OC + j];
      out[t * OC + j] = sum;
    }
  }
}

/** The textbook triple loop, kept as the reference the blocked matmul is tested and benchmarked against. */
export function matmulNaive(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  T: number,
  C: number,
  OC: number,
): void {
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < OC; j++) {
      let sum = bias ? bias[j] : 0;
      for (let k = 0; k < C; k++) sum += inp[t * C + k] * weight[k * OC + j];
      out[t * OC + j] = sum;
    }
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

/** dbias (OC) += the column sums of dout (N,OC). */
export function biasBackward(dbias: Float32Array, dout: Float32Array, N: number, OC: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * OC;
    for (let j = 0; j < OC; j++) dbias[j] += dout[row + j];
  }
}

/**
 * The whole backward of matmulForward, as llm.c's matmul_backward: dinp, dweight and dbias accumulate. The
 * three products run on `kernels` (training's WebAssembly or the TypeScript reference).
 */
export function matmulBackward(
  kernels: Pick<CpuKernels, 'matmulBackwardInput' | 'matmulBackwardWeight' | 'biasBackward'>,
  dinp: Float32Array, // (N, C)
  dweight: Float32Array, // (C, OC)
  dbias: Float32Array, // (OC)
  dout: Float32Array, // (N, OC)
  inp: Float32Array, // (N, C)
  weight: Float32Array, // (C, OC)
  N: number,
  C: number,
  OC: number,
): void {
  kernels.matmulBackwardInput(dinp, dout, weight, N, C, OC);
  kernels.matmulBackwardWeight(dweight, inp, dout, N, C, OC);
  kernels.biasBackward(dbias, dout, N, OC);
}
