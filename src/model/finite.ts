// A guard on what an engine computed: NaN or ±Inf in any tensor (weights that overflow float32 on some text)
// becomes one sentence for the page and the CLI, instead of a heatmap of NaN or "NaN%" next tokens.

import type { TensorMap } from './trace';

/** The computed numbers are not finite; the message is written for people. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

export interface NonFiniteValue {
  name: string;
  /** Position in the tensor, one index per dimension. */
  at: number[];
  value: number;
}

/** The first non-finite value, in the order the tensors were computed (the map's order), or null. */
export function firstNonFinite(tensors: TensorMap): NonFiniteValue | null {
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (x - x === 0) continue; // finite; NaN and ±Inf give NaN
      const at: number[] = [];
      let rest = i;
      for (let d = shape.length - 1; d >= 0; d--) {
        at.unshift(rest % shape[d]);
        rest = Math.floor(rest / shape[d]);
      }
      return { name, at, value: x };
    }
  }
  return null;
}

/** Throws a NonFiniteError naming the first non-finite value; `consequence` says what was not done. */
export function checkFinite(tensors: TensorMap, consequence: string): void {
  const found = firstNonFinite(tensors);
  if (!found) return;
  const value = Number.isNaN(found.value) ? 'NaN' : found.value > 0 ? '+Infinity' : '-Infinity';
  throw new NonFiniteError(
    `The model computed ${value} in ${found.name} at [${found.at.join(', ')}]: its numbers overflow float32 on this text, so ${consequence}.`,
  );
}
