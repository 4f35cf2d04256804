// Causal multi-head attention on the fused qkv (B, T, 3C), forward and backward side by side. Training runs it
// over a batch and the trace over one sentence (B = 1); the trace then reads each head's weights out of `att`
// (src/model/cpu/head-tensors.ts), so the views and training see one attention.

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

/**
 * out (B,T,C) = heads merged from softmax(q·kᵀ/√hs, causal) · v, reading q, k, v straight from qkv (B,T,3C)
 * (columns [q | k | v], head h at h·hs). `att` keeps the weights, zero above the diagonal.
 */
export function attentionForward(
  out: Float32Array, // (B, T, C)
  att: Float32Array, // (B, NH, T, T)
  qkv: Float32Array, // (B, T, 3C)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const query = (b * T + t) * C3 + h * hs;
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const key = (b * T + t2) * C3 + C + h * hs;
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += qkv[query + i] * qkv[key + i];
          const scaled = dot * scale;
          att[row + t2] = scaled;
          if (scaled > max) max = scaled;
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = Math.exp(att[row + t2] - max);
          att[row + t2] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let t2 = 0; t2 <= t; t2++) att[row + t2] *= inv;
        for (let t2 = t + 1; t2 < T; t2++) att[row + t2] = 0;
        const o = (b * T + t) * C + h * hs;
        for (let i = 0; i < hs; i++) out[o + i] = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const value = (b * T + t2) * C3 + 2 * C + h * hs;
          const a = att[row + t2];
          for (let i = 0; i < hs; i++) out[o + i] += a * qkv[value + i];
        }
      }
    }
  }
}

/**
 * Backward of attentionForward into dqkv (accumulated). `scratch` holds one row of T: the gradient of the
 * weights, then of the scores. The softmax backward uses dscore = a ⊙ (da − Σ a·da), which is O(T) per row.
 */
export function attentionBackward(
  dqkv: Float32Array, // (B, T, 3C)
  scratch: Float32Array, // (T)
  dout: Float32Array, // (B, T, C)
  qkv: Float32Array, // (B, T, 3C)
  att: Float32Array, // (B, NH, T, T)
  B: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale = 1 / Math.sqrt(hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * NH + h) * T + t) * T;
        const d = (b * T + t) * C + h * hs;
        // Into the weights and the values: out = Σ a[t2] · v[t2].
        let weightedSum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const value = (b * T + t2) * C3 + 2 * C + h * hs;
          const a = att[row + t2];
          let da = 0;
          for (let i = 0; i < hs; i++) {
            da += qkv[value + i] * dout[d + i];
            dqkv[value + i] += a * dout[d + i];
          }
          scratch[t2] = da;
          weightedSum += a * da;
        }
        // Through the softmax, then the scaled dot products q·k.
        const query = (b * T + t) * C3 + h * hs;
        for (let t2 = 0; t2 <= t; t2++) {
          const dscore = att[row + t2] * (scratch[t2] - weightedSum) * scale;
          const key = (b * T + t2) * C3 + C + h * hs;
          for (let i = 0; i < hs; i++) {
            dqkv[query + i] += qkv[key + i] * dscore;
            dqkv[key + i] += qkv[query + i] * dscore;
          }
        }
      }
    }
  }
}
