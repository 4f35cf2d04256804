// The WGSL kernels as the TypeScript side sees them: source, entry point, compile-time constants, bindings
// and the layout of their uniform parameters. Every constant lives here and reaches WGSL through a header.

import embeddingSource from './kernels/embedding.wgsl?raw';
import elementwiseSource from './kernels/elementwise.wgsl?raw';
import layernormSource from './kernels/layernorm.wgsl?raw';
import matmulSource from './kernels/matmul.wgsl?raw';
import matmulNaiveSource from './kernels/matmul-naive.wgsl?raw';
import softmaxSource from './kernels/softmax.wgsl?raw';
import splitHeadsSource from './kernels/split-heads.wgsl?raw';
import logitsSource from './kernels/logits.wgsl?raw';
import workgroupReduceSource from './kernels/common/workgroup-reduce.wgsl?raw';
import rowSoftmaxSource from './kernels/common/row-softmax.wgsl?raw';
import matmulIoSource from './kernels/common/matmul-io.wgsl?raw';
import ablateHeadsSource from './kernels/ablate-heads.wgsl?raw';

/** How a kernel uses each of its bindings, in binding order (binding 0 is always the uniform Params). */
export type BindingKind = 'uniform' | 'read' | 'write';
/** One field of a kernel's `Params` struct, in declaration order; every field is 4 bytes. */
export type ParamField = readonly [name: string, type: 'u32' | 'f32'];
export type WgslConstant = number | boolean;

export interface KernelSpec {
  label: string;
  source: string;
  entryPoint: string;
  constants: Record<string, WgslConstant>;
  bindings: readonly BindingKind[];
  params: readonly ParamField[];
  /** Shared WGSL functions (WGSL_LIBRARIES) placed between the generated header and the kernel's source. */
  libraries?: readonly string[];
}

/** Threads per workgroup of the element-wise kernels (one element per thread). */
export const WORKGROUP_SIZE = 256;
/** Threads per workgroup of the row kernels (layer norm, softmax); a power of two for their reductions. 32 is
 * one subgroup on most GPUs and leaves each thread at most 32 of a 1024-long row; 128 made the rows of a short
 * sentence 5× slower on SwiftShader, which pays for every invocation at every barrier. */
export const ROW_WORKGROUP_SIZE = 32;
/** The matmul's causal modes: none; skip output tiles wholly above the diagonal (attention scores, which
 * only the causal softmax reads); stop the sum over k at the diagonal (weights · v, zero beyond it). */
export const CAUSAL = { NONE: 0, SKIP: 1, STOP: 2 } as const;

/** The logits matrix-vector kernel: threads per workgroup, and threads that share one vocabulary row. Four
 * lanes read 16 contiguous bytes per step and walk along the row, so each cache line is used whole; more
 * lanes coalesce better on paper but multiply the invocations (and barriers), which SwiftShader pays for
 * dearly. Worth re-tuning on a real GPU with `npm run bench`. */
export const LOGITS_WORKGROUP_SIZE = 256;
export const LANES_PER_ROW = 4;
/** Up to this many rows of logits go through the matrix-vector kernel; more go through the tiled matmul. */
export const LOGITS_GEMV_MAX_ROWS = 8;

/** Register-blocked matmul shapes: a workgroup of threadsX × threadsY threads, each owning threadM × threadN
 * outputs. `small` wastes less on thin matrices (few tokens): its 16 × 64 tile is filled by a 16-token sentence,
 * where the former 64 × 64 tile left three quarters of 256 threads idle at every barrier (a 16-token pass of the
 * default model took 550 ms on SwiftShader, now under 100). `large` reuses more of each load. */
export const MATMUL_CONFIGS = {
  small: { threadsX: 16, threadsY: 4, threadM: 4, threadN: 4, tileK: 16 },
  large: { threadsX: 16, threadsY: 16, threadM: 8, threadN: 8, tileK: 16 },
} as const;
export type MatmulConfigName = keyof typeof MATMUL_CONFIGS;
export type MatmulConfig = (typeof MATMUL_CONFIGS)[MatmulConfigName];
export const tileM = (c: MatmulConfig) => c.threadsY * c.threadM;
export const tileN = (c: MatmulConfig) => c.threadsX * c.threadN;
/** Bytes of workgroup memory one matmul workgroup uses (its A and B tiles). */
export const matmulWorkgroupBytes = (c: MatmulConfig) => 4 * c.tileK * (tileM(c) + tileN(c));

/** WGSL shared by several kernels, each written once: the workgroup reduction (needs the constant REDUCE_SIZE,
 * the workgroup's thread count), the statistics of a row softmax (needs the reduction, and the kernel's own
 * `softmaxInput`), and the tiled matmuls' Params, bindings and tile loads (matmulKernel, the bench's vec4). */
export const WGSL_LIBRARIES = {
  reduce: workgroupReduceSource,
  rowSoftmax: rowSoftmaxSource,
  matmulIo: matmulIoSource,
} as const;

/** The constants and libraries of a kernel that reduces over workgroups of `threads` threads: its own
 * `constants` plus REDUCE_SIZE, and the reduction (with the row softmax statistics too when `softmax`). */
export function withReduction(
  threads: number,
  constants: Record<string, WgslConstant>,
  softmax = false,
): Pick<KernelSpec, 'constants' | 'libraries'> {
  const { reduce, rowSoftmax } = WGSL_LIBRARIES;
  return {
    constants: { ...constants, REDUCE_SIZE: threads },
    libraries: softmax ? [reduce, rowSoftmax] : [reduce],
  };
}

/** A kernel's full WGSL: the generated header, its libraries, then its own source. */
export function kernelCode(spec: KernelSpec): string {
  return wgslHeader(spec.constants) + (spec.libraries ?? []).join('\n') + spec.source;
}

/** The header prepended to a kernel's source: one WGSL `const` per entry of `constants`. */
export function wgslHeader(constants: Record<string, WgslConstant>): string {
  const lines = Object.entries(constants).map(([name, value]) =>
    typeof value === 'boolean' ? `const ${name}: bool = ${value};` : `const ${name}: u32 = ${value}u;`,
  );
  return `// Generated from src/model/webgpu/kernels.ts\n${lines.join('\n')}\n\n`;
}

/** The Params of the tiled matmul, shared by the logits kernel so that one bind group serves both (and by the
 * bench's vec4 candidate). */
export const MATMUL_PARAMS: readonly ParamField[] = (
  [
    'M',
    'N',
    'K',
    'aOffset',
    'aRowStride',
    'aBatchStride',
    'bOffset',
    'bRowStride',
    'bBatchStride',
    'outOffset',
    'outRowStride',
    'outBatchStride',
    'causal',
  ] as const
).map((name) => [name, 'u32'] as const);

const elementwise = (entryPoint: 'gelu' | 'residual'): KernelSpec => ({
  label: entryPoint,
  source: elementwiseSource,
  entryPoint,
  constants: { WORKGROUP_SIZE },
  bindings: ['uniform', 'read', 'read', 'write'],
  params: [['count', 'u32']],
});

export const KERNELS = {
  embedding: {
    label: 'embedding',
    source: embeddingSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'read', 'read', 'write', 'write', 'write'],
    params: [
      ['B', 'u32'],
      ['T', 'u32'],
      ['C', 'u32'],
      ['rowStart', 'u32'],
      ['rowCount', 'u32'],
    ],
  },
  layernorm: {
    label: 'layernorm',
    source: layernormSource,
    entryPoint: 'main',
    ...withReduction(ROW_WORKGROUP_SIZE, { ROW_WORKGROUP_SIZE }),
    bindings: ['uniform', 'read', 'read', 'read', 'write'],
    params: [
      ['T', 'u32'],
      ['C', 'u32'],
      ['eps', 'f32'],
    ],
  },
  gelu: elementwise('gelu'),
  residual: elementwise('residual'),

  softmax: {
    label: 'softmax',
    source: softmaxSource,
    entryPoint: 'main',
    ...withReduction(ROW_WORKGROUP_SIZE, { ROW_WORKGROUP_SIZE }, true),
    bindings: ['uniform', 'read', 'write', 'write'],
    params: [
      ['T', 'u32'],
      ['scale', 'f32'],
      ['causal', 'u32'],
      ['writeScaled', 'u32'],
    ],
  },

  splitHeads: {
    label: 'split-heads',
    source: splitHeadsSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'write', 'write', 'write'],
    params: [
      ['T', 'u32'],
      ['C', 'u32'],
      ['hs', 'u32'],
    ],
  },
  ablateHeads: {
    label: 'ablate-heads',
    source: ablateHeadsSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE, ABLATE_MEAN: 1 },
    bindings: ['uniform', 'write'],
    params: [
      ['T', 'u32'],
      ['C', 'u32'],
      ['hs', 'u32'],
      ['headMask0', 'u32'],
      ['headMask1', 'u32'],
      ['mode', 'u32'],
    ],
  },
  logits: {
    label: 'logits',
    source: logitsSource,
    entryPoint: 'main',
    constants: { LOGITS_WORKGROUP_SIZE, LANES_PER_ROW },
    bindings: ['uniform', 'read', 'read', 'read', 'write'],
    params: MATMUL_PARAMS,
  },
  matmulNaive: {
    label: 'matmul-naive',
    source: matmulNaiveSource,
    entryPoint: 'main',
    constants: { THREADS_X: 16, THREADS_Y: 16 },
    bindings: ['uniform', 'read', 'read', 'write'],
    params: [
      ['M', 'u32'],
      ['N', 'u32'],
      ['K', 'u32'],
    ],
  },
} as const satisfies Record<string, KernelSpec>;

/** The ablate-heads kernel's `mode` for each ablation mode. */
export const ABLATION_MODE_CODES = { zero: 0, mean: KERNELS.ablateHeads.constants.ABLATE_MEAN } as const;
/** Heads the ablate-heads kernel can address: two 32-bit masks. */
export const MAX_ABLATABLE_HEADS = 64;

/** The ablate-heads kernel's head masks for 0-based `heads`. */
export function headMasks(heads: number[]): { headMask0: number; headMask1: number } {
  let headMask0 = 0;
  let headMask1 = 0;
  for (const h of heads) {
    if (h >= MAX_ABLATABLE_HEADS)
      throw new Error(`head ${h} is past the ${MAX_ABLATABLE_HEADS} the GPU can ablate`);
    if (h < 32) headMask0 |= 1 << h;
    else headMask1 |= 1 << (h - 32);
  }
  return { headMask0: headMask0 >>> 0, headMask1: headMask1 >>> 0 };
}

/** How a tiled matmul reads and writes: A or B read transposed from memory (never transposed there), a bias
 * added, the product added to `out` (the backward pass's +=). The options left out are false. */
export interface MatmulOptions {
  transposedA?: boolean;
  transposedB: boolean;
  bias: boolean;
  accumulate?: boolean;
}

/** What the tiled matmuls share (common/matmul-io.wgsl), whatever their tiling: the options' and the causal
 * modes' constants, the bindings, the Params and the library. Each adds the constants of its own tile shape. */
export function tiledMatmulInterface(
  options: MatmulOptions,
): Pick<KernelSpec, 'constants' | 'bindings' | 'params' | 'libraries'> {
  return {
    constants: {
      A_TRANSPOSED: options.transposedA ?? false,
      B_TRANSPOSED: options.transposedB,
      HAS_BIAS: options.bias,
      ACCUMULATE: options.accumulate ?? false,
      CAUSAL_NONE: CAUSAL.NONE,
      CAUSAL_SKIP: CAUSAL.SKIP,
      CAUSAL_STOP: CAUSAL.STOP,
    },
    bindings: ['uniform', 'read', 'read', 'read', 'write'],
    params: MATMUL_PARAMS,
    libraries: [WGSL_LIBRARIES.matmulIo],
  };
}

/** The tiled matmul in one configuration; B_TRANSPOSED serves the logits (x · wteᵀ), A_TRANSPOSED and
 * ACCUMULATE the backward pass (backward-kernels.ts, matmulGradKernel). */
export function matmulKernel(config: MatmulConfig, options: MatmulOptions): KernelSpec {
  const shared = tiledMatmulInterface(options);
  const flags = [
    options.transposedA ? '-aT' : '',
    options.transposedB ? '-bT' : '',
    options.bias ? '-bias' : '',
    options.accumulate ? '-acc' : '',
  ].join('');
  return {
    ...shared,
    label: `matmul-${tileM(config)}x${tileN(config)}${flags}`,
    source: matmulSource,
    entryPoint: 'main',
    constants: {
      THREADS_X: config.threadsX,
      THREADS_Y: config.threadsY,
      THREAD_M: config.threadM,
      THREAD_N: config.threadN,
      TILE_K: config.tileK,
      ...shared.constants,
    },
  };
}

export type MatmulShape = { M: number; N: number; K: number; transposedB?: boolean };

/** The matmul's Params for plain row-major A, B and out of one product; `overrides` sets offsets, strides,
 * batch strides and the causal mode where they differ. */
export function matmulParams(
  shape: MatmulShape,
  overrides: Record<string, number> = {},
): Record<string, number> {
  const { M, N, K } = shape;
  return {
    M,
    N,
    K,
    aOffset: 0,
    aRowStride: K,
    aBatchStride: 0,
    bOffset: 0,
    bRowStride: shape.transposedB ? K : N,
    bBatchStride: 0,
    outOffset: 0,
    outRowStride: N,
    outBatchStride: 0,
    causal: CAUSAL.NONE,
    ...overrides,
  };
}

/** Bytes of uniform data one dispatch may use; also WebGPU's default minUniformBufferOffsetAlignment. */
export const UNIFORM_SLOT_BYTES = 256;

/** Writes a kernel's parameters, in its struct order, into `view` at byte `offset`. */
export function writeParams(
  view: DataView,
  offset: number,
  spec: KernelSpec,
  values: Record<string, number>,
): void {
  spec.params.forEach(([name, type], i) => {
    const value = values[name];
    if (value === undefined) throw new Error(`kernel ${spec.label}: parameter ${name} is missing`);
    if (type === 'f32') view.setFloat32(offset + 4 * i, value, true);
    else view.setUint32(offset + 4 * i, value, true);
  });
}
