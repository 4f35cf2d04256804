// The vec4 matmul (kernels/matmul-vec4.wgsl), a candidate for big GPUs that only the benchmark runs: every thread
// owns 8 × 8 outputs. It takes the engine's matmul Params and bindings, so the bench times both on the same work.

import matmulVec4Source from './kernels/matmul-vec4.wgsl?raw';
import { tiledMatmulInterface, type KernelSpec } from '../model/webgpu/kernels';

/** Shapes of the vec4 matmul (matmul-vec4.wgsl), where every thread owns 8 × 8 outputs: a tile of
 * 8·threadsY × 8·threadsX. Candidates for big GPUs that only the benchmark runs for now: 128 × 128 with a
 * shallow K step (half the workgroup memory of `large`, so more workgroups fit an SM), the same with K step 16
 * (half the barriers), and 64 × 64, which gives GPT-2's thin products (1024 × 768) four times as many
 * workgroups as 128 × 128, 192 for an H200's 132 SMs instead of 48. */
export const MATMUL_VEC4_CONFIGS = {
  vec4_128x128_k8: { threadsX: 16, threadsY: 16, tileK: 8 },
  vec4_128x128_k16: { threadsX: 16, threadsY: 16, tileK: 16 },
  vec4_64x64_k16: { threadsX: 8, threadsY: 8, tileK: 16 },
} as const;
export type MatmulVec4ConfigName = keyof typeof MATMUL_VEC4_CONFIGS;
export interface MatmulVec4Config {
  threadsX: number;
  threadsY: number;
  tileK: number;
}

/** Bytes of workgroup memory one vec4 matmul workgroup uses (its tiles, each row padded by 4 floats). */
export const matmulVec4WorkgroupBytes = (c: MatmulVec4Config) =>
  4 * c.tileK * (8 * c.threadsY + 4 + 8 * c.threadsX + 4);

/** The vec4 matmul in one configuration; the same options, Params and bindings as matmulKernel. */
export function matmulVec4Kernel(
  config: MatmulVec4Config,
  options: { transposedB: boolean; bias: boolean },
): KernelSpec {
  const shared = tiledMatmulInterface(options);
  return {
    ...shared,
    label: `matmul-vec4-${8 * config.threadsY}x${8 * config.threadsX}-k${config.tileK}${options.transposedB ? '-bT' : ''}${options.bias ? '-bias' : ''}`,
    source: matmulVec4Source,
    entryPoint: 'main',
    constants: {
      THREADS_X: config.threadsX,
      THREADS_Y: config.threadsY,
      TILE_K: config.tileK,
      ...shared.constants,
    },
  };
}

/** The vec4 matmul's workgroup grid for an M × N output (times `batch` products). */
export function matmulVec4Grid(
  config: MatmulVec4Config,
  M: number,
  N: number,
  batch = 1,
): [number, number, number] {
  return [Math.ceil(N / (8 * config.threadsX)), Math.ceil(M / (8 * config.threadsY)), batch];
}
