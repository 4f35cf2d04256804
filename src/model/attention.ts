// The attention steps of the book's chapter 3 as small functions over plain matrices. The CPU engine calls
// them per head, and the explorer calls them on any embeddings, including the book's 3-d example.

/** A row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export const matrix = (
  rows: number,
  cols: number,
  data: Float32Array = new Float32Array(rows * cols),
): Matrix => ({
  rows,
  cols,
  data,
});

/** Builds a Matrix from nested arrays (the book's printed inputs). */
export function fromRows(rows: number[][]): Matrix {
  const out = matrix(rows.length, rows[0]?.length ?? 0);
  rows.forEach((row, r) => row.forEach((v, c) => (out.data[r * out.cols + c] = v)));
  return out;
}

/** A · B, with A (n, k) and B (k, m). Used for x·W_q and friends (small shapes only). */
function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: (${a.rows}×${a.cols}) · (${b.rows}×${b.cols})`);
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      const bRow = k * b.cols;
      const oRow = i * b.cols;
      for (let j = 0; j < b.cols; j++) out.data[oRow + j] += aik * b.data[bRow + j];
    }
  }
  return out;
}

/** Attention scores ω = Q · Kᵀ: entry (i, j) is the dot product of query i with key j (book §3.3.1). */
export function dotProductScores(queries: Matrix, keys: Matrix): Matrix {
  const T = queries.rows;
  const S = keys.rows;
  const d = queries.cols;
  const out = matrix(T, S);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < S; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += queries.data[i * d + c] * keys.data[j * d + c];
      out.data[i * S + j] = sum;
    }
  }
  return out;
}

/** Multiplies every score by `factor` (1/√d_k in trainable attention, book §3.4.1). */
export function scale(scores: Matrix, factor: number): Matrix {
  return matrix(
    scores.rows,
    scores.cols,
    scores.data.map((x) => x * factor),
  );
}

/**
 * Softmax of each row. The row maximum is subtracted first, so large scores cannot overflow exp; masked
 * (-∞) entries become exactly 0. With `causal`, entries above the diagonal are treated as masked.
 */
export function softmaxRows(scores: Matrix, causal = false): Matrix {
  const { rows, cols } = scores;
  const out = matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    const visible = causal ? Math.min(i + 1, cols) : cols;
    let max = -Infinity;
    for (let j = 0; j < visible; j++) max = Math.max(max, scores.data[row + j]);
    if (max === -Infinity) continue; // every entry masked: leave the row at zero rather than NaN
    let sum = 0;
    for (let j = 0; j < visible; j++) {
      const e = Math.exp(scores.data[row + j] - max);
      out.data[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < visible; j++) out.data[row + j] /= sum;
  }
  return out;
}

/** Context vectors z = A · V: each row is the attention-weighted sum of the value rows (book §3.3.2). */
export function weightedSum(weights: Matrix, values: Matrix): Matrix {
  return matmul(weights, values);
}

/** The naive attention of book §3.3 on inputs X: scores X·Xᵀ, their softmax (plain and causal), context. */
export function naiveAttention(inputs: Matrix) {
  const scores = dotProductScores(inputs, inputs);
  const weights = softmaxRows(scores);
  const causalWeights = softmaxRows(scores, true);
  return { scores, weights, context: weightedSum(weights, inputs), causalWeights };
}

/** Self-attention with trainable weights (book §3.4–3.5) on inputs X, one head. */
export function trainableAttention(
  inputs: Matrix,
  wQuery: Matrix,
  wKey: Matrix,
  wValue: Matrix,
  causal = false,
) {
  const queries = matmul(inputs, wQuery);
  const keys = matmul(inputs, wKey);
  const values = matmul(inputs, wValue);
  const scores = dotProductScores(queries, keys);
  const scaledScores = scale(scores, 1 / Math.sqrt(keys.cols));
  const weights = softmaxRows(scaledScores, causal);
  return { queries, keys, values, scores, scaledScores, weights, context: weightedSum(weights, values) };
}
