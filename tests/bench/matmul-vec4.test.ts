// The vec4 matmul (src/bench/kernels/matmul-vec4.wgsl), a benchmark candidate for big GPUs, against the CPU matmul on shapes
// that fill no tile exactly: every configuration, B stored transposed with a batch, and the causal stop.

import { afterAll, describe, expect, it } from 'vitest';
import { matmulForward } from '../../src/model/cpu/ops';
import { seededRandom } from '../../src/model/random';
import { KernelRunner } from '../../src/model/webgpu/kernel-runner';
import { CAUSAL, matmulParams } from '../../src/model/webgpu/kernels';
import {
  MATMUL_VEC4_CONFIGS,
  matmulVec4Grid,
  matmulVec4Kernel,
  type MatmulVec4ConfigName,
} from '../../src/bench/matmul-vec4';
import { relativeError } from '../helpers/fixtures';
import { deviceForTests } from '../model/webgpu/gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const random = seededRandom(43);
const randomArray = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
const out = (floats: number) => ({ outputFloats: floats });
const none = new Float32Array(1);
const names = Object.keys(MATMUL_VEC4_CONFIGS) as MatmulVec4ConfigName[];

describe.skipIf(!gpu)('vec4 matmul against the CPU matmul', () => {
  const runner = new KernelRunner(gpu!.device);

  for (const name of names) {
    it(`${name}, with bias, 130×37·37×135 (ragged in M, N and K)`, async () => {
      const [M, K, N] = [130, 37, 135];
      const [a, b, bias] = [randomArray(M * K), randomArray(K * N), randomArray(N)];
      const expected = new Float32Array(M * N);
      matmulForward(expected, a, b, bias, M, K, N);
      const config = MATMUL_VEC4_CONFIGS[name];
      const spec = matmulVec4Kernel(config, { transposedB: false, bias: true });
      const grid = matmulVec4Grid(config, M, N);
      const [actual] = await runner.run(spec, matmulParams({ M, N, K }), [a, b, bias, out(M * N)], grid);
      expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    });
  }

  for (const name of ['vec4_128x128_k8', 'vec4_64x64_k16'] as const) {
    it(`${name}, B stored transposed, a batch of 2: 2 × 70×13·(67×13)ᵀ`, async () => {
      const [M, K, N, batch] = [70, 13, 67, 2];
      const [a, bStored] = [randomArray(batch * M * K), randomArray(batch * N * K)];
      const expected = new Float32Array(batch * M * N);
      for (let z = 0; z < batch; z++) {
        const b = new Float32Array(K * N);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) b[k * N + n] = bStored[z * N * K + n * K + k];
        const product = expected.subarray(z * M * N, (z + 1) * M * N);
        matmulForward(product, a.subarray(z * M * K, (z + 1) * M * K), b, null, M, K, N);
      }
      const config = MATMUL_VEC4_CONFIGS[name];
      const spec = matmulVec4Kernel(config, { transposedB: true, bias: false });
      const params = matmulParams(
        { M, N, K, transposedB: true },
        { aBatchStride: M * K, bBatchStride: N * K, outBatchStride: M * N },
      );
      const grid = matmulVec4Grid(config, M, N, batch);
      const [actual] = await runner.run(spec, params, [a, bStored, none, out(batch * M * N)], grid);
      expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    });
  }

  it('vec4_64x64_k16, causal stop at the diagonal: lower-triangular 70×70 weights · 70×24', async () => {
    const [T, N] = [70, 24];
    const weights = randomArray(T * T).map((w, i) => (i % T <= Math.floor(i / T) ? w : 0));
    const values = randomArray(T * N);
    const expected = new Float32Array(T * N);
    matmulForward(expected, weights, values, null, T, T, N);
    const config = MATMUL_VEC4_CONFIGS.vec4_64x64_k16;
    const spec = matmulVec4Kernel(config, { transposedB: false, bias: false });
    const params = matmulParams({ M: T, N, K: T }, { causal: CAUSAL.STOP });
    const grid = matmulVec4Grid(config, T, N);
    const [actual] = await runner.run(spec, params, [weights, values, none, out(T * N)], grid);
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
  });
});
