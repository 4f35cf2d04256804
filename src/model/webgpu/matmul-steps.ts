// The kernels a forward pass uses (as specs, or compiled up front), the step built on the tiled matmul
// (forward-block.ts makes its projections and attention products of it), and the explorer's logits.

import type { GPT2Config } from '../config';
import type { Activations } from './activations';
import type { GpuWeights } from './gpu-weights';
import {
  KERNELS,
  LANES_PER_ROW,
  LOGITS_GEMV_MAX_ROWS,
  LOGITS_WORKGROUP_SIZE,
  MATMUL_CONFIGS,
  matmulKernel,
  matmulParams,
  matmulWorkgroupBytes,
  type KernelSpec,
  type MatmulConfig,
  type MatmulConfigName,
} from './kernels';
import type { CompiledKernel, PipelineCache } from './pipelines';
import { matmulConfigFor, matmulGrid, type Run, type StepDraft, type TensorSource } from './steps';

/** The three matmul variants the forward pass needs. */
export type MatmulVariant = 'bias' | 'transposed' | 'plain';

/** Every kernel the forward pass uses: specs (K = KernelSpec) where a StepRecorder compiles only those it
 * records (training), or compiled up front (the explorer, which needs them all as the text grows). */
export interface ForwardKernels<K> {
  simple: { [Name in keyof typeof KERNELS]: K };
  matmul: Record<MatmulConfigName, Record<MatmulVariant, K>>;
  /** Whether the device's workgroup memory holds the large matmul tiles (else `large` is `small`). */
  largeAllowed: boolean;
}

/** Every compiled kernel the forward pass uses. */
export type ModelKernels = ForwardKernels<CompiledKernel>;

/** Whether the device's workgroup memory holds the large matmul tiles. */
export function largeMatmulAllowed(device: GPUDevice): boolean {
  return device.limits.maxComputeWorkgroupStorageSize >= matmulWorkgroupBytes(MATMUL_CONFIGS.large);
}

/** The forward pass's kernels as specs, uncompiled. */
export function forwardKernelSpecs(largeAllowed: boolean): ForwardKernels<KernelSpec> {
  const variants = (config: MatmulConfig) => ({
    bias: matmulKernel(config, { transposedB: false, bias: true }),
    transposed: matmulKernel(config, { transposedB: true, bias: false }),
    plain: matmulKernel(config, { transposedB: false, bias: false }),
  });
  const small = variants(MATMUL_CONFIGS.small);
  return {
    simple: KERNELS,
    matmul: { small, large: largeAllowed ? variants(MATMUL_CONFIGS.large) : small },
    largeAllowed,
  };
}

/** Compiles (or finds in the cache) every kernel; a shader that fails to compile throws here, up front. */
export async function compileModelKernels(cache: PipelineCache, device: GPUDevice): Promise<ModelKernels> {
  const specs = forwardKernelSpecs(largeMatmulAllowed(device));
  const compileAll = async <Name extends string>(table: Record<Name, KernelSpec>) => {
    const names = Object.keys(table) as Name[];
    const compiled = await Promise.all(names.map((name) => cache.get(table[name])));
    return Object.fromEntries(names.map((name, i) => [name, compiled[i]])) as Record<Name, CompiledKernel>;
  };
  const simple = await compileAll<keyof typeof KERNELS>(specs.simple);
  const small = await compileAll(specs.matmul.small);
  const large = await compileAll(specs.matmul.large);
  return { simple, matmul: { small, large }, largeAllowed: specs.largeAllowed };
}

export interface MatmulStepSpec<R = Run> {
  label: string;
  variant: MatmulVariant;
  /** a, b, bias (or any buffer when there is none) and out. */
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
  /** Output rows and columns of one product, and how many products (heads) there are, for this run. */
  shape: (run: R) => { M: number; N: number; batch: number };
  params: (run: R) => Record<string, number>;
  when?: (run: R) => boolean;
  outputs?: TensorSource<R>[];
}

/** A tiled-matmul step whose tile shape is chosen per run, from the size of the output. */
export function matmulStep<R = Run, K = CompiledKernel>(
  kernels: ForwardKernels<K>,
  spec: MatmulStepSpec<R>,
): StepDraft<R, K> {
  const { shape, variant, ...rest } = spec;
  return {
    ...rest,
    layoutOf: kernels.matmul.small[variant],
    dispatch: (run) => {
      const { M, N, batch } = shape(run);
      const name = matmulConfigFor(M, N, kernels.largeAllowed);
      const [x, y] = matmulGrid(name, M, N);
      return { kernel: kernels.matmul[name][variant], grid: [x, y, batch] };
    },
  };
}

const LOGITS_ROWS_PER_WORKGROUP = LOGITS_WORKGROUP_SIZE / LANES_PER_ROW;

/**
 * Logits = ln_f · wteᵀ for the wanted rows: one step per (row block, wte chunk) pair. A few rows (the last
 * position) go through the matrix-vector kernel, which reads wte once; more go through the tiled matmul.
 */
export function logitSteps(
  config: GPT2Config,
  kernels: ModelKernels,
  weights: GpuWeights,
  acts: Activations,
) {
  const { nEmbd: C, vocabSize: V } = config;
  const R = acts.logitRowsPerBlock;
  const drafts: StepDraft[] = [];
  acts.logitBlocks.forEach((block, b) => {
    const rowsIn = (run: Run) => Math.max(0, Math.min(R, run.logitRows - b * R));
    weights.wteChunks.forEach((chunk, i) => {
      const last = i === weights.wteChunks.length - 1;
      const step = matmulStep(kernels, {
        label: `logits[${b * R}..][${chunk.rowStart}..]`,
        variant: 'transposed',
        buffers: [acts.lnF, chunk.buffer, acts.unused, block],
        shape: (run) => ({ M: rowsIn(run), N: chunk.rowCount, batch: 1 }),
        params: (run) =>
          matmulParams(
            { M: rowsIn(run), N: chunk.rowCount, K: C, transposedB: true },
            { aOffset: (run.T - run.logitRows + b * R) * C, outRowStride: V, outOffset: chunk.rowStart },
          ),
        when: (run) => rowsIn(run) > 0,
        outputs: last
          ? [
              {
                name: 'logits',
                buffer: block,
                shape: (run) => [run.logitRows, V],
                piece: (run) =>
                  rowsIn(run) > 0 ? { dstOffset: b * R * V * 4, size: rowsIn(run) * V * 4 } : null,
              },
            ]
          : [],
      });
      const tiled = step.dispatch;
      step.dispatch = (run) =>
        rowsIn(run) <= LOGITS_GEMV_MAX_ROWS
          ? {
              kernel: kernels.simple.logits,
              grid: [Math.ceil(chunk.rowCount / LOGITS_ROWS_PER_WORKGROUP), 1, 1],
            }
          : tiled(run);
      drafts.push(step);
    });
  });
  return drafts;
}
