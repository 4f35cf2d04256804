// The GPT-2 layers as plain functions over Float32Array, in llm.c's style: outputs first, then inputs,
// then weights, then sizes (T tokens, C channels, OC output channels, V vocab). Sums run in float64.

/** out (T,C) = wte[ids] and wpe[0..T-1] kept apart, then added: the book's token, position, input embeddings. */
export function embeddingForward(
  tokEmb: Float32Array, // (T, C)
  posEmb: Float32Array, // (T, C)
  inputEmb: Float32Array, // (T, C)
  ids: ArrayLike<number>,
  wte: Float32Array, // (V, C)
  wpe: Float32Array, // (maxT, C)
  T: number,
  C: number,
): void {
  for (let t = 0; t < T; t++) {
    tokEmb.set(wte.subarray(ids[t] * C, (ids[t] + 1) * C), t * C);
    posEmb.set(wpe.subarray(t * C, (t + 1) * C), t * C);
    for (let c = 0; c < C; c++) inputEmb[t * C + c] = tokEmb[t * C + c] + posEmb[t * C + c];
  }
}

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

const GELU_SCALE = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's `gelu_new`). */
export function geluForward(out: Float32Array, inp: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
  }
}

/** out = a + b, the residual connection. */
export function residualForward(out: Float32Array, a: Float32Array, b: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) out[i] = a[i] + b[i];
}

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

/** Splits the fused qkv (T, 3C) into q, k, v of shape (NH, T, hs) each. */
export function splitHeads(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  qkv: Float32Array, // (T, 3C)
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  for (let h = 0; h < NH; h++) {
    for (let t = 0; t < T; t++) {
      const src = t * 3 * C + h * hs;
      const dst = (h * T + t) * hs;
      q.set(qkv.subarray(src, src + hs), dst);
      k.set(qkv.subarray(src + C, src + C + hs), dst);
      v.set(qkv.subarray(src + 2 * C, src + 2 * C + hs), dst);
    }
  }
}

/** Writes one head's context (T, hs) into its columns of the merged (T, C) tensor. */
export function mergeHead(
  merged: Float32Array,
  headContext: Float32Array,
  h: number,
  T: number,
  C: number,
  hs: number,
) {
  for (let t = 0; t < T; t++) merged.set(headContext.subarray(t * hs, (t + 1) * hs), t * C + h * hs);
}
