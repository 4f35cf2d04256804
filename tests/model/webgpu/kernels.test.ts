// Each WGSL kernel against its CPU twin on awkward shapes: T = 1, T not a multiple of any tile, C = 24,
// 3 heads of size 8, and a vocabulary split into chunks. Inputs are seeded; tolerances are relative.

import { afterAll, describe, expect, it } from 'vitest';
import { dotProductScores, matrix, scale, softmaxRows, weightedSum } from '../../../src/model/attention';
import {
  embeddingForward,
  geluForward,
  layernormForward,
  logitsForward,
  matmulForward,
  residualForward,
  splitHeads,
} from '../../../src/model/cpu/ops';
import { seededRandom } from '../../../src/model/random';
import { KernelRunner } from '../../../src/model/webgpu/kernel-runner';
import {
  CAUSAL,
  KERNELS,
  LANES_PER_ROW,
  LOGITS_WORKGROUP_SIZE,
  MATMUL_CONFIGS,
  matmulKernel,
  matmulParams,
  type KernelSpec,
} from '../../../src/model/webgpu/kernels';
import { elementGrid, matmulGrid, rowGrid } from '../../../src/model/webgpu/steps';
import { relativeError } from '../../helpers/fixtures';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const random = seededRandom(42);
const randomArray = (n: number, spread = 1, offset = 0) =>
  Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * spread);
const out = (floats: number) => ({ outputFloats: floats });
/** Bound where a kernel declares a buffer it does not read (the bias of a bias-free matmul). */
const none = new Float32Array(1);
/** The small-tile matmul in one variant, as the engine runs scores (B transposed) and context (plain). */
const smallMatmul = (transposedB: boolean) =>
  matmulKernel(MATMUL_CONFIGS.small, { transposedB, bias: false });
const smallGrid = (M: number, N: number, batch: number): [number, number, number] => [
  ...(matmulGrid('small', M, N).slice(0, 2) as [number, number]),
  batch,
];

describe.skipIf(!gpu)('WGSL kernels against their CPU twins', () => {
  const runner = new KernelRunner(gpu!.device);

  it('embedding lookup plus position add, over two wte chunks', async () => {
    const [V, C, T] = [50, 24, 5];
    const wte = randomArray(V * C);
    const wpe = randomArray(8 * C);
    const ids = Uint32Array.from([49, 0, 31, 30, 7]);
    const [tok, pos, inp] = [new Float32Array(T * C), new Float32Array(T * C), new Float32Array(T * C)];
    embeddingForward(tok, pos, inp, ids, wte, wpe, T, C);
    // Run chunk [0, 31) and chunk [31, 50) into the same outputs, as the engine does.
    const prepared = await Promise.all(
      [
        [0, 31],
        [31, 19],
      ].map(([rowStart, rowCount]) =>
        runner.prepare(
          KERNELS.embedding,
          { B: 1, T, C, rowStart, rowCount },
          [ids, wte.slice(rowStart * C, (rowStart + rowCount) * C), wpe, out(T * C), out(T * C), out(T * C)],
          elementGrid(T * C),
        ),
      ),
    );
    const results = await Promise.all(prepared.map((p) => (runOnce(p), p.readOutputs())));
    const merged = [0, 1, 2].map((i) => results[0][i].map((x, j) => x + results[1][i][j]));
    // Each chunk writes only its own tokens, so the two partial outputs add up to the whole.
    expect(relativeError(merged[0], tok)).toBe(0);
    expect(relativeError(merged[1], pos)).toBe(0);
    expect(relativeError(merged[2], inp)).toBeLessThan(1e-7);
    prepared.forEach((p) => p.destroy());
  });

  for (const T of [1, 17]) {
    it(`layer norm, T = ${T}, C = 24, on values far from zero`, async () => {
      const C = 24;
      const inp = randomArray(T * C, 3, 1000); // a one-pass variance would lose everything here
      const [weight, bias] = [randomArray(C), randomArray(C)];
      const expected = new Float32Array(T * C);
      layernormForward(expected, inp, weight, bias, T, C, 1e-5);
      const [actual] = await runner.run(
        KERNELS.layernorm,
        { T, C, eps: 1e-5 },
        [inp, weight, bias, out(T * C)],
        rowGrid(T),
      );
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });
  }

  const matmulShapes: [string, keyof typeof MATMUL_CONFIGS, number, number, number][] = [
    ['T = 1', 'small', 1, 24, 72],
    ['T = 17, N = 96', 'small', 17, 24, 96],
    ['ragged everything', 'small', 70, 40, 130],
    ['large tiles, ragged', 'large', 130, 24, 135],
  ];
  for (const [what, config, M, K, N] of matmulShapes) {
    it(`tiled matmul with bias (${config} tiles), ${what}: ${M}×${K}·${K}×${N}`, async () => {
      const [a, b, bias] = [randomArray(M * K), randomArray(K * N), randomArray(N)];
      const expected = new Float32Array(M * N);
      matmulForward(expected, a, b, bias, M, K, N);
      const spec = matmulKernel(MATMUL_CONFIGS[config], { transposedB: false, bias: true });
      const params = matmulParams({ M, N, K });
      const [actual] = await runner.run(spec, params, [a, b, bias, out(M * N)], matmulGrid(config, M, N));
      expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    });
  }

  it('naive matmul (the benchmark baseline), 17×24·24×40', async () => {
    const [M, K, N] = [17, 24, 40];
    const [a, b] = [randomArray(M * K), randomArray(K * N)];
    const expected = new Float32Array(M * N);
    matmulForward(expected, a, b, null, M, K, N);
    const [actual] = await runner.run(KERNELS.matmulNaive, { M, N, K }, [a, b, out(M * N)], [3, 2, 1]);
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
  });

  // Logits of the last 3 of 5 rows against one chunk (rows 20..69) of a 70-row vocabulary, written at its
  // columns of the full (rows, V) output: what the engine does per wte chunk.
  const logitCases: [string, (M: number, N: number) => [KernelSpec, [number, number, number]]][] = [
    [
      'matrix-vector kernel',
      (_M, N) => [KERNELS.logits, [Math.ceil(N / (LOGITS_WORKGROUP_SIZE / LANES_PER_ROW)), 1, 1]],
    ],
    ['tiled matmul with B transposed', (M, N) => [smallMatmul(true), matmulGrid('small', M, N)]],
  ];
  for (const [what, pick] of logitCases) {
    it(`logits through the ${what}, one wte chunk, C = 24`, async () => {
      const [T, rows, C, V, rowStart, N] = [5, 3, 24, 70, 20, 50];
      const [x, wte] = [randomArray(T * C), randomArray(V * C)];
      const expected = new Float32Array(rows * V);
      logitsForward(expected, x.subarray((T - rows) * C), wte, rows, C, V);
      const [spec, grid] = pick(rows, N);
      const params = matmulParams(
        { M: rows, N, K: C, transposedB: true },
        { aOffset: (T - rows) * C, outRowStride: V, outOffset: rowStart },
      );
      const chunk = wte.slice(rowStart * C, (rowStart + N) * C);
      const [actual] = await runner.run(spec, params, [x, chunk, new Float32Array(1), out(rows * V)], grid);
      for (let r = 0; r < rows; r++) {
        const span = (a: Float32Array) => a.subarray(r * V + rowStart, r * V + rowStart + N);
        expect(relativeError(span(actual), span(expected)), `row ${r}`).toBeLessThan(1e-5);
        expect(actual[r * V + rowStart - 1], 'outside the chunk').toBe(0);
      }
    });
  }

  it('GELU (tanh) and the residual add, large inputs included', async () => {
    const n = 300;
    const x = randomArray(n, 4);
    x[0] = 60; // tanh's argument overflows exp here without the clamp
    x[1] = -60;
    const y = randomArray(n);
    const [gelu, sum] = [new Float32Array(n), new Float32Array(n)];
    geluForward(gelu, x, n);
    residualForward(sum, x, y, n);
    const [actualGelu] = await runner.run(KERNELS.gelu, { count: n }, [x, x, out(n)], elementGrid(n));
    const [actualSum] = await runner.run(KERNELS.residual, { count: n }, [x, y, out(n)], elementGrid(n));
    expect(relativeError(actualGelu, gelu)).toBeLessThan(1e-5);
    expect(relativeError(actualSum, sum)).toBeLessThan(1e-7);
  });

  it('split heads: (T, 3C) into (NH, T, hs) with 3 heads of size 8', async () => {
    const [T, C, NH] = [17, 24, 3];
    const qkv = randomArray(T * 3 * C);
    const [q, k, v] = [0, 1, 2].map(() => new Float32Array(T * C));
    splitHeads(q, k, v, qkv, T, C, NH);
    const actual = await runner.run(
      KERNELS.splitHeads,
      { T, C, hs: C / NH },
      [qkv, out(T * C), out(T * C), out(T * C)],
      elementGrid(T * C),
    );
    [q, k, v].forEach((expected, i) => expect(relativeError(actual[i], expected)).toBe(0));
  });

  const attentionCases: [number, number, string][] = [
    [1, CAUSAL.NONE, 'every score computed'],
    [17, CAUSAL.NONE, 'every score computed'],
    [70, CAUSAL.SKIP, 'tiles above the diagonal skipped'],
  ];
  for (const [T, scoresMode, what] of attentionCases) {
    it(`per-head attention (scores, scaled softmax, context), T = ${T}, 3 heads of size 8, ${what}`, async () => {
      await checkAttention(runner, T, scoresMode);
    });
  }

  it('naive attention: one head of size C, plain and causal softmax, T = 17, C = 24', async () => {
    const [T, C] = [17, 24];
    const x = randomArray(T * C, 2);
    const scores = dotProductScores(matrix(T, C, x), matrix(T, C, x));
    const [actualScores] = await runner.run(
      smallMatmul(true),
      matmulParams({ M: T, N: T, K: C, transposedB: true }),
      [x, x, none, out(T * T)],
      smallGrid(T, T, 1),
    );
    expect(relativeError(actualScores, scores.data)).toBeLessThan(1e-5);
    for (const causal of [0, 1]) {
      const expected = softmaxRows(scores, causal === 1);
      const [, weights] = await runner.run(
        KERNELS.softmax,
        { T, scale: 1, causal, writeScaled: 0 },
        [scores.data, out(1), out(T * T)],
        rowGrid(T),
      );
      expect(relativeError(weights, expected.data), `causal ${causal}`).toBeLessThan(1e-5);
    }
    const weights = softmaxRows(scores);
    const context = weightedSum(weights, matrix(T, C, x));
    const [actualContext] = await runner.run(
      smallMatmul(false),
      matmulParams({ M: T, N: C, K: T }),
      [weights.data, x, none, out(T * C)],
      smallGrid(T, C, 1),
    );
    expect(relativeError(actualContext, context.data)).toBeLessThan(1e-5);
  });
});

function runOnce(prepared: { dispatch(encoder: GPUCommandEncoder): void }): void {
  const encoder = gpu!.device.createCommandEncoder();
  prepared.dispatch(encoder);
  gpu!.device.queue.submit([encoder.finish()]);
}

/** Scores, softmax and context of 3 heads read in place from a fused qkv, against attention.ts per head. */
async function checkAttention(runner: KernelRunner, T: number, scoresMode: number): Promise<void> {
  const [C, NH] = [24, 3];
  const hs = C / NH;
  const qkv = randomArray(T * 3 * C, 3);
  const [q, k, v] = [0, 1, 2].map(() => new Float32Array(T * C));
  splitHeads(q, k, v, qkv, T, C, NH);
  const head = (x: Float32Array, h: number) => matrix(T, hs, x.subarray(h * T * hs, (h + 1) * T * hs));
  // The engine's layout: head h of q at column h·hs of qkv, of k at C + h·hs, of v at 2C + h·hs; row stride 3C.
  const perHead = { aRowStride: 3 * C, aBatchStride: hs, bOffset: C, bRowStride: 3 * C, bBatchStride: hs };
  const [scores] = await runner.run(
    smallMatmul(true),
    matmulParams(
      { M: T, N: T, K: hs, transposedB: true },
      { ...perHead, outBatchStride: T * T, causal: scoresMode },
    ),
    [qkv, qkv, none, out(NH * T * T)],
    smallGrid(T, T, NH),
  );
  const [scaled, weights] = await runner.run(
    KERNELS.softmax,
    { T, scale: 1 / Math.sqrt(hs), causal: 1, writeScaled: 1 },
    [scores, out(NH * T * T), out(NH * T * T)],
    rowGrid(NH * T),
  );
  const contextLayout = { aBatchStride: T * T, bOffset: 2 * C, bRowStride: 3 * C, bBatchStride: hs };
  const [context] = await runner.run(
    smallMatmul(false),
    matmulParams(
      { M: T, N: hs, K: T },
      { ...contextLayout, outRowStride: C, outBatchStride: hs, causal: CAUSAL.STOP },
    ),
    [weights, qkv, none, out(T * C)],
    smallGrid(T, hs, NH),
  );
  for (let h = 0; h < NH; h++) {
    const slice = (x: Float32Array) => x.subarray(h * T * T, (h + 1) * T * T);
    const expectedScores = dotProductScores(head(q, h), head(k, h));
    const expectedScaled = scale(expectedScores, 1 / Math.sqrt(hs));
    const expectedWeights = softmaxRows(expectedScaled, true);
    const expectedContext = weightedSum(expectedWeights, head(v, h));
    // With skipped tiles, only the scores the causal softmax reads (j <= i) exist; the rest stay 0.
    const lowerOnly = (x: Float32Array) => x.map((value, i) => (i % T <= Math.floor(i / T) ? value : 0));
    const comparable = scoresMode === CAUSAL.SKIP ? lowerOnly(expectedScores.data) : expectedScores.data;
    const actualScores = scoresMode === CAUSAL.SKIP ? lowerOnly(slice(scores)) : slice(scores);
    expect(relativeError(actualScores, comparable), `scores ${h}`).toBeLessThan(1e-5);
    if (scoresMode === CAUSAL.SKIP) expect(slice(scores)[T - 1], 'a skipped tile').toBe(0);
    if (scoresMode === CAUSAL.NONE) {
      expect(relativeError(slice(scaled), expectedScaled.data), `scaled ${h}`).toBeLessThan(1e-5);
    }
    expect(relativeError(slice(weights), expectedWeights.data), `weights ${h}`).toBeLessThan(1e-5);
    const merged = new Float32Array(T * hs);
    for (let t = 0; t < T; t++) merged.set(context.subarray(t * C + h * hs, t * C + (h + 1) * hs), t * hs);
    expect(relativeError(merged, expectedContext.data), `context ${h}`).toBeLessThan(1e-5);
  }
}
