// Writes out how one entry was computed, with the actual numbers: the dot product term by term, the softmax
// with its normaliser, the weighted sum. Long sums show their first terms and say how many there are.

import type { Matrix } from '../../model/attention';
import { fmt4, subs } from './format';

const SHOWN_TERMS = 3;

export const maskedNote = '→ masked to −∞: a token may not look at later tokens';

/** "a₁×b₁ + a₂×b₂ + … (64 terms) = s" for row i of a and row j of b. */
export function dotTerms(a: Matrix, i: number, b: Matrix, j: number): string {
  const d = a.cols;
  let sum = 0;
  const terms: string[] = [];
  for (let c = 0; c < d; c++) {
    const x = a.data[i * d + c];
    const y = b.data[j * b.cols + c];
    sum += x * y;
    if (c < SHOWN_TERMS) terms.push(`${fmt4(x)}×${fmt4(y)}`);
  }
  const more = d > SHOWN_TERMS ? ` + … (${d} terms)` : '';
  return `${terms.join(' + ')}${more} = ${fmt4(sum)}`;
}

/** "exp(s − max) / Σ = p" for entry (i, j) of the row softmax of `scores`. */
export function softmaxTerms(scores: Matrix, i: number, j: number, causal: boolean, symbol: string): string {
  const n = scores.cols;
  const visible = causal ? i + 1 : n;
  const name = `α${subs(i + 1, j + 1)}`;
  if (j >= visible) return `${name} = 0: the mask set its score to −∞, and exp(−∞) = 0`;
  let max = -Infinity;
  for (let c = 0; c < visible; c++) max = Math.max(max, scores.data[i * n + c]);
  let total = 0;
  for (let c = 0; c < visible; c++) total += Math.exp(scores.data[i * n + c] - max);
  const s = scores.data[i * n + j];
  const p = Math.exp(s - max) / total;
  // (ω/√dₖ)₂₃ rather than ω/√dₖ₂₃, whose subscript would read as part of dₖ; and "+ 2.6737" rather than
  // "− −2.6737" when the row's maximum is negative.
  const term = symbol.includes('/') ? `(${symbol})` : symbol;
  const minusMax = max < 0 ? `+ ${fmt4(-max)}` : `− ${fmt4(max)}`;
  return (
    `${name} = exp(${term}${subs(i + 1, j + 1)} − max) / Σⱼ exp(${term}${subs(i + 1, 'ⱼ')} − max) = ` +
    `exp(${fmt4(s)} ${minusMax}) / ${fmt4(total)} = ${fmt4(p)}`
  );
}

/** "α₁×v₁ + … = z" for dimension c of context row i. */
export function contextTerms(weights: Matrix, values: Matrix, i: number, c: number): string {
  const T = weights.cols;
  let sum = 0;
  const terms: string[] = [];
  for (let j = 0; j < T; j++) {
    const a = weights.data[i * T + j];
    const v = values.data[j * values.cols + c];
    sum += a * v;
    if (j < SHOWN_TERMS) terms.push(`${fmt4(a)}×${fmt4(v)}`);
  }
  const more = T > SHOWN_TERMS ? ` + … (${T} terms)` : '';
  return `${terms.join(' + ')}${more} = ${fmt4(sum)}`;
}
