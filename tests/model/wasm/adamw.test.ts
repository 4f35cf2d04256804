// AdamW's update on the WebAssembly kernels (float64 lanes, split over threads) against the TypeScript loop of
// src/model/cpu/ops/adamw.ts: the same bits, so a training run's file does not depend on which ran it.

import { afterAll, describe, expect, it } from 'vitest';
import { adamwUpdate, type AdamWArrays, type AdamWStep } from '../../../src/model/cpu/ops/adamw';
import { seededRandom } from '../../../src/model/random';
import { WasmKernels } from '../../../src/model/wasm/wasm-kernels';

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

const pools: WasmKernels[] = [];
afterAll(() => pools.forEach((k) => k.dispose()));

/** Random state of `n` parameters in `alloc`'s arrays; the moments start from earlier steps' sizes. */
function randomState(n: number, seed: number, alloc: (n: number) => Float32Array): AdamWArrays {
  const random = seededRandom(seed);
  const fill = (scale: number, positive = false) => {
    const a = alloc(n);
    for (let i = 0; i < n; i++) a[i] = (positive ? random() : random() * 2 - 1) * scale;
    return a;
  };
  const state = {
    values: fill(0.2),
    grads: fill(0.05),
    m: fill(0.01),
    v: fill(1e-4, true),
    decayMask: alloc(n),
  };
  for (let i = 0; i < n; i++) state.decayMask[i] = random() < 0.7 ? 1 : 0;
  state.grads[3] = 0; // a parameter the batch did not touch
  state.m[3] = 0;
  state.v[3] = 0;
  return state;
}

const copyInto = (from: AdamWArrays, alloc: (n: number) => Float32Array): AdamWArrays => {
  const copy = (a: Float32Array) => {
    const out = alloc(a.length);
    out.set(a);
    return out;
  };
  return {
    values: copy(from.values),
    grads: copy(from.grads),
    m: copy(from.m),
    v: copy(from.v),
    decayMask: copy(from.decayMask),
  };
};

const stepAt = (t: number, lr: number): AdamWStep => ({
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  stepSize: lr / (1 - 0.9 ** t),
  decayFactor: 1 - lr * 0.1,
  biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** t),
});

describe('AdamW on the WebAssembly kernels', () => {
  it.each([1, 2, 3])('matches the TypeScript loop bit for bit on %i thread(s)', async (threads) => {
    const kernels = threads === 1 ? WasmKernels.singleThreaded() : await WasmKernels.create(threads, 1000);
    pools.push(kernels);
    // Odd and large enough to split over threads (and to leave a scalar tail after the pairs).
    const n = 200_003;
    const reference = randomState(n, 7, (k) => new Float32Array(k));
    const wasm = copyInto(reference, (k) => kernels.alloc(k));
    for (let t = 1; t <= 3; t++) {
      adamwUpdate(reference, stepAt(t, 3e-3));
      kernels.adamwUpdate(wasm, stepAt(t, 3e-3));
    }
    expect(bits(wasm.values)).toEqual(bits(reference.values));
    expect(bits(wasm.m)).toEqual(bits(reference.m));
    expect(bits(wasm.v)).toEqual(bits(reference.v));
    // The update did change things: decayed, moved, and the untouched parameter only decayed or stayed.
    const start = randomState(n, 7, (k) => new Float32Array(k));
    expect(wasm.values[0]).not.toBe(start.values[0]);
    expect(wasm.m[3]).toBe(0);
  });

  it('takes the TypeScript loop for arrays outside its memory, with the same result', () => {
    const kernels = WasmKernels.singleThreaded();
    const outside = randomState(1001, 9, (k) => new Float32Array(k));
    const reference = copyInto(outside, (k) => new Float32Array(k));
    kernels.adamwUpdate(outside, stepAt(1, 1e-3));
    adamwUpdate(reference, stepAt(1, 1e-3));
    expect(bits(outside.values)).toEqual(bits(reference.values));
    expect(bits(outside.v)).toEqual(bits(reference.v));
  });
});
