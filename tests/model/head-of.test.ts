// headOf, the one helper that takes head h's (T, X) out of an (NH, T, X) tensor: the views, the e2e checks
// and the WebGPU tests all slice heads with it, so it must pick the right rows and copy nothing.

import { describe, expect, it } from 'vitest';
import { headOf, type Tensor } from '../../src/model/trace';

describe('headOf', () => {
  const NH = 3;
  const T = 2;
  const X = 4;
  const tensor: Tensor = { shape: [NH, T, X], data: Float32Array.from({ length: NH * T * X }, (_, i) => i) };

  it('returns head h as a (T, X) tensor', () => {
    for (let h = 0; h < NH; h++) {
      const head = headOf(tensor, h);
      expect(head.shape).toEqual([T, X]);
      expect(Array.from(head.data)).toEqual(Array.from({ length: T * X }, (_, i) => h * T * X + i));
    }
  });

  it('is a view of the tensor, not a copy (a T×T head of a 1024-token pass is 4 MB)', () => {
    const head = headOf(tensor, 1);
    expect(head.data.buffer).toBe(tensor.data.buffer);
    expect(head.data.byteOffset).toBe(T * X * 4);
  });
});
