// The blocked CPU kernels against their plain twins on ragged shapes (sizes not a multiple of the 4×4 tile).

import { describe, expect, it } from 'vitest';
import { logitsForward, matmulForward, matmulNaive } from '../../../src/model/cpu/ops';
import { seededRandom } from '../../../src/model/random';
import { relativeError } from '../../helpers/fixtures';

const randomArray = (n: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
};

describe('blocked matmul', () => {
  it.each([
    [1, 3, 5],
    [4, 8, 4],
    [7, 24, 72],
    [13, 33, 17],
    [64, 48, 192],
  ])('equals the naive triple loop for T=%i, C=%i, OC=%i', (T, C, OC) => {
    const inp = randomArray(T * C, T);
    const weight = randomArray(C * OC, C);
    const bias = randomArray(OC, OC);
    for (const b of [bias, null]) {
      const fast = new Float32Array(T * OC);
      const slow = new Float32Array(T * OC);
      matmulForward(fast, inp, weight, b, T, C, OC);
      matmulNaive(slow, inp, weight, b, T, C, OC);
      expect(relativeError(fast, slow)).toBeLessThan(1e-6);
    }
  });

  it('computes tied logits as dot products with every vocabulary row', () => {
    const [rows, C, V] = [3, 10, 23];
    const inp = randomArray(rows * C, 1);
    const wte = randomArray(V * C, 2);
    const out = new Float32Array(rows * V);
    logitsForward(out, inp, wte, rows, C, V);
    for (let t = 0; t < rows; t++) {
      for (let v = 0; v < V; v++) {
        let sum = 0;
        for (let c = 0; c < C; c++) sum += inp[t * C + c] * wte[v * C + c];
        expect(out[t * V + v]).toBeCloseTo(sum, 5);
      }
    }
  });
});
