// The kernels a forward pass uses, compiled up front, and the steps built on the tiled matmul: projections,
// attention scores and weighted sums (batched over heads), and the logits against each chunk of wte.

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
} from './kernels';
import type { CompiledKernel, PipelineCache } from './pipelines';
import { matmulConfigFor, matmulGrid, type Run, type StepDraft, type TensorSource } from './steps';

/** The three matmul variants the forward pass needs. */
export type MatmulVariant = 'bias' | 'transposed' | 'plain';

/** Every compiled kernel the forward pass uses. */
export interface ModelKernels {
  simple: { [K in keyof typeof KERNELS]: CompiledKernel };
  matmul: Record<keyof typeof MATMUL_CONFIGS, Record<MatmulVariant, CompiledKernel>>;
  /** Whether the device's workgroup memory holds the large matmul tiles. */
  largeAllowed: boolean;
}

/** Compiles (or finds in the cache) every kernel; a shader that fails to compile throws here, up front. */
export async function compileModelKernels(cache: PipelineCache, device: GPUDevice): Promise<ModelKernels> {
  const names = Object.keys(KERNELS) as (keyof typeof KERNELS)[];
  const simpleList = await Promise.all(names.map((name) => cache.get(KERNELS[name] as KernelSpec)));
  const simple = Object.fromEntries(names.map((name, i) => [name, simpleList[i]])) as ModelKernels['simple'];
  const largeAllowed =
    device.limits.maxComputeWorkgroupStorageSize >= matmulWorkgroupBytes(MATMUL_CONFIGS.large);
  const variants = async (config: MatmulConfig) => {
    const [bias, transposed, plain] = await Promise.all([
      cache.get(matmulKernel(config, { transposedB: false, bias: true })),
      cache.get(matmulKernel(config, { transposedB: true, bias: false })),
      cache.get(matmulKernel(config, { transposedB: false, bias: false })),
    ]);
    return { bias, transposed, plain };
  };
  const small = await variants(MATMUL_CONFIGS.small);
  const large = largeAllowed ? await variants(MATMUL_CONFIGS.large) : small;
  return { simple, matmul: { small, large }, largeAllowed };
}

export interface MatmulStepSpec {
  label: string;
  variant: MatmulVariant;
  /** a, b, bias (or any buffer when there is none) and out. */
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
  /** Output rows and columns of one product, and how many products (heads) there are, for this run. */
  shape: (run: Run) => { M: number; N: number; batch: number };
  params: (run: Run) => Record<string, number>;
  when?: (run: Run) => boolean;
  outputs?: TensorSource[];
}

/** A tiled-matmul step whose tile shape is chosen per run, from the size of the output. */
export function matmulStep(kernels: ModelKernels, spec: MatmulStepSpec): StepDraft {
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

/** out (T, N) = x (T, K) · W (K, N) + bias: a Conv1D projection. */
export function projectionStep(
  kernels: ModelKernels,
  label: string,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
  sizes: { N: number; K: number },
  outputs: TensorSource[] = [],
): StepDraft {
  return matmulStep(kernels, {
    label,
    variant: 'bias',
    buffers,
    shape: (run) => ({ M: run.T, N: sizes.N, batch: 1 }),
    params: (run) => matmulParams({ M: run.T, ...sizes }),
    outputs,
  });
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
