// The naive score x_i·x_j split into its four parts, since x = t + p (token plus position embedding):
// x_i·x_j = t_i·t_j + t_i·p_j + p_i·t_j + p_i·p_j. Step 5 draws the four, and `npm run trace -- --attribute` writes them.

/** The component names of the naive split, query side and key side alike. */
export const NAIVE_COMPONENTS = ['token', 'position'] as const;

/**
 * The four terms of the naive score, shape (2, 2, T, T): term [a][b][i][j] is the dot product of query i's
 * component a with key j's component b (0 = token embedding, 1 = position embedding). They add up to the
 * naive scores X·Xᵀ within float32 rounding. Sums run in float64.
 */
export function naiveScoreTerms(
  tokEmb: Float32Array, // (T, C)
  posEmb: Float32Array, // (T, C)
  T: number,
  C: number,
): Float32Array {
  const parts = [tokEmb, posEmb];
  const out = new Float32Array(4 * T * T); // (2, 2, T, T)
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      const base = (a * 2 + b) * T * T;
      for (let i = 0; i < T; i++) {
        for (let j = 0; j < T; j++) {
          let sum = 0;
          for (let c = 0; c < C; c++) sum += parts[a][i * C + c] * parts[b][j * C + c];
          out[base + i * T + j] = sum;
        }
      }
    }
  }
  return out;
}
