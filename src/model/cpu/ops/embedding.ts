// The embedding layer: each token's row of wte plus its position's row of wpe. The forward serves inference
// and training alike; the backward adds each output row's gradient into the two rows that were read.

/** encoded (B,T,C) = wte[ids] + wpe[t], the input embeddings: inference runs it with B = 1, training on B. */
export function encoderForward(
  encoded: Float32Array, // (B, T, C)
  ids: ArrayLike<number>, // (B, T)
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

/**
 * The book's token, position and input embeddings of one sequence: tokEmb (T,C) = wte[ids] and posEmb (T,C) =
 * wpe[0..T-1] kept apart, and their sum inputEmb through encoderForward, the very sum training computes.
 */
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
  }
  encoderForward(inputEmb, ids, wte, wpe, 1, T, C);
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
