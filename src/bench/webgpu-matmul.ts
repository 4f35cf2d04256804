// WebGPU matmul figures: the tiled, register-blocked kernel (both tile shapes) against the naive one-output-
// per-thread kernel, in GFLOP/s and as a ratio, at a small probe shape, GPT-2's shapes and 4096³.

import { seededRandom } from '../model/random';
import { KernelRunner, type PreparedKernel } from '../model/webgpu/kernel-runner';
import {
  KERNELS,
  MATMUL_CONFIGS,
  matmulKernel,
  matmulParams,
  type MatmulConfigName,
} from '../model/webgpu/kernels';
import { matmulGrid } from '../model/webgpu/steps';
import { fmt, gflops } from './timing';

/** Milliseconds per dispatch: one warm-up, then enough dispatches in one pass to fill about `targetMs`. */
export async function gpuDispatchMs(
  device: GPUDevice,
  kernel: PreparedKernel,
  targetMs = 400,
): Promise<number> {
  const timeDispatches = async (times: number) => {
    const start = performance.now();
    const encoder = device.createCommandEncoder();
    kernel.dispatch(encoder, times);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - start) / times;
  };
  const once = await timeDispatches(1);
  const repeats = Math.max(1, Math.min(200, Math.ceil(targetMs / Math.max(once, 1e-3))));
  return repeats === 1 ? once : timeDispatches(repeats);
}

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
}

const SHAPES: Shape[] = [
  { label: 'probe', M: 256, K: 256, N: 256 },
  { label: 'GPT-2 qkv, T = 1024', M: 1024, K: 768, N: 2304 },
  { label: 'GPT-2 mlp_fc, T = 1024', M: 1024, K: 768, N: 3072 },
  { label: 'GPT-2 mlp_proj, T = 1024', M: 1024, K: 3072, N: 768 },
  { label: '4096³', M: 4096, K: 4096, N: 4096 },
];

/** Times the kernels on each shape the budget allows; returns the best tiled GFLOP/s seen (for estimates). */
export async function runMatmulBench(
  device: GPUDevice,
  options: { full: boolean; budgetS: number },
): Promise<number> {
  const runner = new KernelRunner(device);
  const random = seededRandom(11);
  let bestGflops = 0;
  for (const { label, M, K, N } of SHAPES) {
    const flops = 2 * M * K * N;
    const estimateS = bestGflops > 0 ? flops / (bestGflops * 1e9) : 0;
    // Each kernel runs a warm-up and about as many timed repeats again: count three passes per kernel.
    if (!options.full && estimateS * 3 * 3 > options.budgetS) {
      console.log(
        `matmul ${label} ${M}×${K}·${K}×${N}: skipped, about ${fmt(estimateS, 1)} s per product at the ` +
          `${fmt(bestGflops)} GFLOP/s measured here (budget ${options.budgetS} s; --full runs it)`,
      );
      continue;
    }
    const a = Float32Array.from({ length: M * K }, () => random() - 0.5);
    const b = Float32Array.from({ length: K * N }, () => random() - 0.5);
    const bias = new Float32Array(N);
    const params = matmulParams({ M, N, K });
    const results: string[] = [];
    const msOf: Partial<Record<MatmulConfigName | 'naive', number>> = {};
    for (const name of Object.keys(MATMUL_CONFIGS) as MatmulConfigName[]) {
      const spec = matmulKernel(MATMUL_CONFIGS[name], { transposedB: false, bias: true });
      const kernel = await runner.prepare(
        spec,
        params,
        [a, b, bias, { outputFloats: M * N }],
        matmulGrid(name, M, N),
      );
      msOf[name] = await gpuDispatchMs(device, kernel);
      kernel.destroy();
      bestGflops = Math.max(bestGflops, gflops(flops, msOf[name]!));
      results.push(`tiled ${name} ${fmt(gflops(flops, msOf[name]!))} GFLOP/s`);
    }
    const naiveGrid: [number, number, number] = [Math.ceil(N / 16), Math.ceil(M / 16), 1];
    const naive = await runner.prepare(
      KERNELS.matmulNaive,
      { M, N, K },
      [a, b, { outputFloats: M * N }],
      naiveGrid,
    );
    msOf.naive = await gpuDispatchMs(device, naive);
    naive.destroy();
    const bestTiled = Math.min(msOf.small!, msOf.large!);
    console.log(
      `matmul ${label} ${M}×${K}·${K}×${N}: ${results.join(', ')}, naive ${fmt(gflops(flops, msOf.naive))} GFLOP/s; ` +
        `tiled/naive ratio ${fmt(msOf.naive / bestTiled, 1)}×`,
    );
  }
  return bestGflops;
}
