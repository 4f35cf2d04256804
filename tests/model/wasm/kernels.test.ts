// The WebAssembly SIMD kernels against the TypeScript reference kernels on awkward shapes (sizes that are not
// multiples of the 4×8 tile or the 4-lane vectors), with arrays inside and outside the WebAssembly memory.

import { afterAll, describe, expect, it } from 'vitest';
import { referenceKernels, type CpuKernels } from '../../../src/model/cpu/kernels';
import { seededRandom } from '../../../src/model/random';
import { WasmKernels } from '../../../src/model/wasm/wasm-kernels';
import { relativeError } from '../../helpers/fixtures';

const randomArray = (n: number, seed: number, scale = 1) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
};

/** float32 sums against float64 sums over at most a few hundred terms. */
const TOLERANCE = 2e-6;

const kernels = WasmKernels.singleThreaded();
afterAll(() => kernels.dispose());

/** Runs `op` on both kernel sets with fresh copies of `outputs` and returns the results. */
function both(outputs: Float32Array[], op: (k: CpuKernels, outs: Float32Array[]) => void) {
  const ref = outputs.map((o) => o.slice());
  const wasm = outputs.map((o) => o.slice());
  op(referenceKernels, ref);
  op(kernels, wasm);
  return { ref, wasm };
}

const SHAPES: [number, number, number][] = [
  [1, 3, 5],
  [4, 8, 8],
  [5, 7, 9],
  [13, 33, 17],
  [16, 64, 192],
  [37, 24, 100],
];

describe('WebAssembly SIMD kernels', () => {
  it.each(SHAPES)('matmul forward equals the reference for T=%i, C=%i, OC=%i', (T, C, OC) => {
    const inp = randomArray(T * C, 1);
    const weight = randomArray(C * OC, 2);
    const bias = randomArray(OC, 3);
    for (const b of [bias, null]) {
      const { ref, wasm } = both([new Float32Array(T * OC)], (k, [out]) =>
        k.matmulForward(out, inp, weight, b, T, C, OC),
      );
      expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
    }
  });

  it.each(SHAPES)(
    'matmul backward (input and weight) accumulates like the reference, N=%i, C=%i, OC=%i',
    (N, C, OC) => {
      const dout = randomArray(N * OC, 4);
      const inp = randomArray(N * C, 5);
      const weight = randomArray(C * OC, 6);
      const { ref, wasm } = both([randomArray(N * C, 7), randomArray(C * OC, 8)], (k, [dinp, dweight]) => {
        k.matmulBackwardInput(dinp, dout, weight, N, C, OC);
        k.matmulBackwardWeight(dweight, inp, dout, N, C, OC);
      });
      expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
      expect(relativeError(wasm[1], ref[1])).toBeLessThan(TOLERANCE);
    },
  );

  it.each([
    [1, 10, 23],
    [3, 33, 50],
    [9, 16, 91],
  ])('logits equal the reference for rows=%i, C=%i, V=%i', (rows, C, V) => {
    const inp = randomArray(rows * C, 9);
    const wte = randomArray(V * C, 10);
    const { ref, wasm } = both([new Float32Array(rows * V)], (k, [out]) =>
      k.logitsForward(out, inp, wte, rows, C, V),
    );
    expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
  });

  it.each([
    [1, 4],
    [7, 5],
    [19, 16],
  ])('one head’s scores for T=%i, d=%i', (T, d) => {
    const q = randomArray(T * d, 11, 3);
    const k_ = randomArray(T * d, 12, 3);
    const { ref, wasm } = both([new Float32Array(T * T)], (k, [scores]) =>
      k.headScores(scores, q, k_, T, T, d),
    );
    expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
  });

  it.each([
    [1, 5],
    [3, 37],
    [7, 300],
    [2, 50257],
  ])('cross-entropy forward equals the reference, with and without a logit bias, N=%i, V=%i', (N, V) => {
    const logits = randomArray(N * V, 21, 6);
    const random = seededRandom(22);
    const targets = Int32Array.from({ length: N }, () => Math.floor(random() * V));
    const bias = randomArray(V, 23, 3);
    for (const b of [bias, null]) {
      const losses = { ref: new Float32Array(N), wasm: new Float32Array(N) };
      const { ref, wasm } = both([logits], (k, [probs]) => {
        const mean = k.crossEntropyForward(k === kernels ? losses.wasm : losses.ref, probs, targets, b, N, V);
        const own = k === kernels ? losses.wasm : losses.ref;
        expect(mean).toBeCloseTo(own.reduce((a, x) => a + x, 0) / N, 5);
      });
      expect(relativeError(wasm[0], ref[0])).toBeLessThan(1e-5);
      expect(relativeError(losses.wasm, losses.ref)).toBeLessThan(1e-6);
    }
    // Probabilities sum to one on every row.
    const probs = logits.slice();
    kernels.crossEntropyForward(new Float32Array(N), probs, targets, null, N, V);
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let v = 0; v < V; v++) sum += probs[n * V + v];
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('cross-entropy subtracts the row maximum (logits of ±1000 stay finite)', () => {
    const logits = Float32Array.from([1000, 0, -1000, 999, 3, 1000, -1000, 0, 5]);
    const losses = new Float32Array(3);
    kernels.crossEntropyForward(losses, logits, Int32Array.from([1, 0, 2]), null, 3, 3);
    expect(losses[0]).toBeCloseTo(1000, 3);
    expect(losses[1]).toBeCloseTo(1 + Math.log(1 + Math.exp(-1)), 5);
    expect(losses[2]).toBeCloseTo(Math.log(1 + Math.exp(-5)), 6);
    expect(Array.from(logits).every(Number.isFinite)).toBe(true);
  });

  it('attention’s softmax subtracts the row maximum (scores of ±1000 stay finite)', () => {
    // One head of width 1, so each score is q_t · k_s: row 1 scores 1000 and 999, row 2 −1000, −999 and 0.
    const T = 3;
    const q = [1, 1, -1];
    const k = [1000, 999, 0];
    const v = [1, 2, 3];
    const qkv = Float32Array.from({ length: 3 * T }, (_, i) => [q, k, v][i % 3][Math.floor(i / 3)]);
    const out = new Float32Array(T);
    const att = new Float32Array(T * T);
    kernels.attentionForward(out, att, qkv, 1, T, 1, 1);
    expect(Array.from(att).every(Number.isFinite)).toBe(true);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    expect(att[1 * T + 1]).toBeCloseTo(1 / (1 + Math.E), 6);
    expect(att[2 * T + 2]).toBeCloseTo(1 / (1 + Math.exp(-999) + Math.exp(-1000)), 6);
  });

  it.each([
    [1, 5, 8, 2],
    [2, 7, 12, 3],
    [3, 16, 32, 4],
  ])('batched training attention forward and backward, B=%i, T=%i, C=%i, NH=%i', (B, T, C, NH) => {
    const qkv = randomArray(B * T * 3 * C, 14, 2);
    const dout = randomArray(B * T * C, 15);
    const { ref, wasm } = both(
      [new Float32Array(B * T * C), new Float32Array(B * NH * T * T), randomArray(B * T * 3 * C, 16)],
      (k, [out, att, dqkv]) => {
        k.attentionForward(out, att, qkv, B, T, C, NH);
        k.attentionBackward(dqkv, new Float32Array(B * NH * T * T), dout, qkv, att, B, T, C, NH);
      },
    );
    expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
    expect(relativeError(wasm[1], ref[1])).toBeLessThan(TOLERANCE);
    expect(relativeError(wasm[2], ref[2])).toBeLessThan(1e-5);
  });

  it('GELU forward and backward, including large and tiny inputs', () => {
    const N = 103;
    const inp = randomArray(N, 17, 6);
    inp.set([0, 1e-6, -1e-6, 30, -30, 90, -90]);
    const dout = randomArray(N, 18);
    const { ref, wasm } = both([new Float32Array(N), randomArray(N, 19)], (k, [out, dinp]) => {
      k.geluForward(out, inp, N);
      k.geluBackward(dinp, inp, dout, N);
    });
    // tanh comes from a float32 exp polynomial: a few ulp, then 1 − tanh² loses a little more near ±1.
    expect(relativeError(wasm[0], ref[0])).toBeLessThan(TOLERANCE);
    expect(relativeError(wasm[1], ref[1])).toBeLessThan(1e-5);
    // Saturation: no overflow in e^{2u} for large |x|.
    expect([wasm[0][3], wasm[0][5]]).toEqual([30, 90]);
    expect(Math.abs(wasm[0][4]) + Math.abs(wasm[0][6])).toBeLessThan(1e-30);
    expect(Array.from(wasm[1]).every(Number.isFinite)).toBe(true);
  });

  it.each([
    [3, 5],
    [7, 64],
    [9, 33],
  ])('layer norm forward and backward, and bias gradients, N=%i, C=%i', (N, C) => {
    const inp = randomArray(N * C, 22, 8);
    for (let c = 0; c < C; c++) inp[c] += 1000; // a large mean: the two-pass variance must hold
    const weight = randomArray(C, 23);
    const bias = randomArray(C, 24);
    const dout = randomArray(N * C, 25);
    const { ref, wasm } = both(
      [
        new Float32Array(N * C),
        randomArray(N * C, 26),
        randomArray(C, 27),
        randomArray(C, 28),
        randomArray(C, 29),
      ],
      (k, [out, dinp, dweight, dbias, dbias2]) => {
        k.layernormForward(out, inp, weight, bias, N, C, 1e-5);
        k.layernormBackward(dinp, dweight, dbias, dout, inp, weight, N, C, 1e-5);
        k.biasBackward(dbias2, dout, N, C);
      },
    );
    ref.forEach((r, i) => expect(relativeError(wasm[i], r), `output ${i}`).toBeLessThan(1e-5));
  });

  it('gives the same bits whether arrays live in its memory or are copied in', () => {
    const [T, C, OC] = [13, 33, 17];
    const inp = randomArray(T * C, 20);
    const weight = randomArray(C * OC, 21);
    const copied = new Float32Array(T * OC);
    kernels.matmulForward(copied, inp, weight, null, T, C, OC);
    const inMemory = kernels.alloc(T * OC);
    const inpInMemory = kernels.alloc(T * C);
    inpInMemory.set(inp);
    kernels.makeResident(weight);
    kernels.matmulForward(inMemory, inpInMemory, weight, null, T, C, OC);
    expect(inMemory).toEqual(copied);
  });
});
