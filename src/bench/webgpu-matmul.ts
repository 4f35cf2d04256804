// WebGPU matmul figures: the engine's tiled kernel (both tile shapes), the vec4 candidates for big GPUs and the
// naive one-output-per-thread kernel, in GFLOP/s and as a share of the H200's fp32 peak, at a small probe
// shape, GPT-2's shapes and 4096³; then one line against issue 11's targets.

import { seededRandom } from '../model/random';
import { KernelRunner, type PreparedKernel } from '../model/webgpu/kernel-runner';
import {
  KERNELS,
  MATMUL_CONFIGS,
  matmulKernel,
  matmulParams,
  matmulWorkgroupBytes,
  tileM,
  tileN,
  type KernelSpec,
  type MatmulConfigName,
} from '../model/webgpu/kernels';
import {
  MATMUL_VEC4_CONFIGS,
  matmulVec4Grid,
  matmulVec4Kernel,
  matmulVec4WorkgroupBytes,
  type MatmulVec4ConfigName,
} from './matmul-vec4';
import { StepTimer } from '../model/webgpu/profiler';
import { matmulGrid, type Grid } from '../model/webgpu/steps';
import { fmt, gflops } from './timing';

/** The H200's fp32 peak without tensor cores (132 SMs × 128 lanes × 2 flops × 1.98 GHz): issue 11's yardstick. */
export const PEAK_TFLOPS = 67;
const TARGET_4096 = 0.4;
const TARGET_GPT2 = 0.25;

export type Clock = 'GPU timestamps' | 'wall clock';

/** Milliseconds per dispatch of `times` dispatches in one compute pass: from the pass's GPU timestamps where
 * the device has them (a 4096³ product takes a few ms, so submit overhead would blur the wall clock), else
 * from the wall clock around submit and completion. */
async function timeDispatches(
  device: GPUDevice,
  kernel: PreparedKernel,
  times: number,
): Promise<{ ms: number; clock: Clock }> {
  const timer = device.features.has('timestamp-query') ? new StepTimer(device, 1) : null;
  const start = performance.now();
  const encoder = device.createCommandEncoder();
  kernel.dispatch(encoder, times, timer?.timestampWrites('matmul'));
  timer?.resolve(encoder);
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  const wallMs = (performance.now() - start) / times;
  const gpuMs = timer ? (await timer.read())[0].ms / times : 0;
  // A pair of timestamps in the wrong order reads as 0 (profiler.ts): the wall clock is all there is then.
  return gpuMs > 0 ? { ms: gpuMs, clock: 'GPU timestamps' } : { ms: wallMs, clock: 'wall clock' };
}

/** Milliseconds per dispatch: one warm-up, then enough dispatches in one pass to fill about `targetMs`. */
export async function gpuDispatchMs(
  device: GPUDevice,
  kernel: PreparedKernel,
  targetMs = 300,
): Promise<{ ms: number; clock: Clock }> {
  const once = await timeDispatches(device, kernel, 1);
  const repeats = Math.max(1, Math.min(200, Math.ceil(targetMs / Math.max(once.ms, 1e-3))));
  return repeats === 1 ? once : timeDispatches(device, kernel, repeats);
}

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
  /** Which of issue 11's targets the shape counts towards. */
  target?: 'gpt2' | '4096';
}

const SHAPES: Shape[] = [
  { label: 'probe', M: 256, K: 256, N: 256 },
  { label: 'GPT-2 qkv, T = 1024', M: 1024, K: 768, N: 2304, target: 'gpt2' },
  { label: 'GPT-2 mlp_fc, T = 1024', M: 1024, K: 768, N: 3072, target: 'gpt2' },
  { label: 'GPT-2 mlp_proj, T = 1024', M: 1024, K: 3072, N: 768, target: 'gpt2' },
  { label: '4096³', M: 4096, K: 4096, N: 4096, target: '4096' },
];

/** One kernel to time: its spec, its workgroup grid and the workgroup memory it needs. */
interface Candidate {
  name: string;
  spec: KernelSpec;
  grid: (M: number, N: number) => Grid;
  workgroupBytes: number;
  naive?: boolean;
}

function candidates(): Candidate[] {
  const tiled = (Object.keys(MATMUL_CONFIGS) as MatmulConfigName[]).map((name) => {
    const config = MATMUL_CONFIGS[name];
    return {
      name: `tiled ${name} ${tileM(config)}×${tileN(config)} k${config.tileK}`,
      spec: matmulKernel(config, { transposedB: false, bias: true }),
      grid: (M: number, N: number) => matmulGrid(name, M, N),
      workgroupBytes: matmulWorkgroupBytes(config),
    };
  });
  const vec4 = (Object.keys(MATMUL_VEC4_CONFIGS) as MatmulVec4ConfigName[]).map((name) => {
    const config = MATMUL_VEC4_CONFIGS[name];
    return {
      name,
      spec: matmulVec4Kernel(config, { transposedB: false, bias: true }),
      grid: (M: number, N: number) => matmulVec4Grid(config, M, N),
      workgroupBytes: matmulVec4WorkgroupBytes(config),
    };
  });
  const naive = {
    name: 'naive 16×16',
    spec: KERNELS.matmulNaive,
    grid: (M: number, N: number): Grid => [Math.ceil(N / 16), Math.ceil(M / 16), 1],
    workgroupBytes: 0,
    naive: true,
  };
  return [...tiled, ...vec4, naive];
}

const percentOfPeak = (gflopsValue: number) => (100 * gflopsValue) / (PEAK_TFLOPS * 1000);

/** Times the kernels on each shape the budget allows, prints a line against issue 11's targets, and returns
 * the best tiled GFLOP/s seen (for the forward pass estimates). */
export async function runMatmulBench(
  device: GPUDevice,
  options: { full: boolean; budgetS: number },
): Promise<number> {
  const runner = new KernelRunner(device);
  const random = seededRandom(11);
  const kernels = candidates().filter((c) => {
    const fits = c.workgroupBytes <= device.limits.maxComputeWorkgroupStorageSize;
    if (!fits) console.log(`matmul ${c.name}: skipped, needs ${c.workgroupBytes} bytes of workgroup memory`);
    return fits;
  });
  console.log(
    `matmul timing: ${device.features.has('timestamp-query') ? 'GPU timestamp queries' : 'wall clock (no timestamp-query)'}; ` +
      `% of peak is against ${PEAK_TFLOPS} TFLOP/s (H200 fp32, no tensor cores)`,
  );
  let bestGflops = 0;
  const bestOf = new Map<Shape, { name: string; gflops: number }>();
  for (const shape of SHAPES) {
    const { label, M, K, N } = shape;
    const flops = 2 * M * K * N;
    const estimateS = bestGflops > 0 ? flops / (bestGflops * 1e9) : 0;
    // Each kernel runs a warm-up and about as many timed repeats again: count three passes per kernel.
    if (!options.full && estimateS * 3 * kernels.length > options.budgetS) {
      console.log(
        `matmul ${label} ${M}×${K}·${K}×${N}: skipped, about ${fmt(estimateS, 1)} s per product at the ` +
          `${fmt(bestGflops)} GFLOP/s measured here (budget ${options.budgetS} s; --full runs it)`,
      );
      continue;
    }
    const a = Float32Array.from({ length: M * K }, () => random() - 0.5);
    const b = Float32Array.from({ length: K * N }, () => random() - 0.5);
    const bias = new Float32Array(N);
    console.log(`matmul ${label} ${M}×${K}·${K}×${N}:`);
    let naiveMs = 0;
    let bestTiledMs = Infinity;
    for (const candidate of kernels) {
      const grid = candidate.grid(M, N);
      const kernel = candidate.naive
        ? await runner.prepare(candidate.spec, { M, N, K }, [a, b, { outputFloats: M * N }], grid)
        : await runner.prepare(
            candidate.spec,
            matmulParams({ M, N, K }),
            [a, b, bias, { outputFloats: M * N }],
            grid,
          );
      const { ms, clock } = await gpuDispatchMs(device, kernel);
      kernel.destroy();
      const rate = gflops(flops, ms);
      if (candidate.naive) naiveMs = ms;
      else {
        bestTiledMs = Math.min(bestTiledMs, ms);
        bestGflops = Math.max(bestGflops, rate);
        if (rate > (bestOf.get(shape)?.gflops ?? 0))
          bestOf.set(shape, { name: candidate.name, gflops: rate });
      }
      console.log(
        `  ${candidate.name.padEnd(26)} ${fmt(ms, 3).padStart(9)} ms ${fmt(rate, rate < 10 ? 2 : 0).padStart(7)} GFLOP/s ` +
          `${fmt(percentOfPeak(rate), 1).padStart(5)}% of peak  ${grid[0] * grid[1]} workgroups (${clock})`,
      );
    }
    console.log(`  best tiled/naive ratio ${fmt(naiveMs / bestTiledMs, 1)}×`);
  }
  printTargets(bestOf);
  return bestGflops;
}

/** One line per target of issue 11: the best kernel per shape as a share of peak, met or missed. */
function printTargets(bestOf: Map<Shape, { name: string; gflops: number }>): void {
  const verdict = (shapes: Shape[], target: number) => {
    const measured = shapes.filter((s) => bestOf.has(s));
    if (measured.length < shapes.length) return 'not measured (run with --full)';
    const parts = measured.map((s) => {
      const best = bestOf.get(s)!;
      return `${s.label} ${fmt(percentOfPeak(best.gflops), 1)}% (${best.name})`;
    });
    const worst = Math.min(...measured.map((s) => percentOfPeak(bestOf.get(s)!.gflops)));
    return `${parts.join(', ')}: ${worst >= 100 * target ? 'met' : 'MISSED'}`;
  };
  console.log(
    `matmul targets, best kernel per shape as % of ${PEAK_TFLOPS} TFLOP/s: ` +
      `4096³ ≥ ${100 * TARGET_4096}%: ${verdict(
        SHAPES.filter((s) => s.target === '4096'),
        TARGET_4096,
      )}; ` +
      `GPT-2 shapes ≥ ${100 * TARGET_GPT2}%: ${verdict(
        SHAPES.filter((s) => s.target === 'gpt2'),
        TARGET_GPT2,
      )}`,
  );
}
