// The unit of GPU work: a Step is one dispatch with its bind group made once and its uniform parameters in a
// slot of one uniform buffer made once, recomputed per run. The forward pass (model-plan.ts, with the trace
// tensors a step leaves behind) and training both issue their work as Steps, through step-sequence.ts.

import type { Ablation } from '../ablation';
import type { TraceSelection } from '../trace';
import {
  MATMUL_CONFIGS,
  UNIFORM_SLOT_BYTES,
  WORKGROUP_SIZE,
  tileM,
  tileN,
  writeParams,
  type MatmulConfigName,
} from './kernels';
import type { CompiledKernel } from './pipelines';

/** What varies from one forward pass to the next. */
export interface Run {
  T: number;
  select: TraceSelection;
  /** Rows of logits wanted: T, 1 or 0. */
  logitRows: number;
  /** The deepest block to run (TraceSelection.lastLayerNeeded); later steps are skipped. */
  lastLayer: number;
  /** Heads knocked out in this run, if any (TraceRequest.ablate). */
  ablation?: Ablation;
}

export type Grid = [number, number, number];

/** A trace tensor that can be copied out right after a step (`R` as in Step: the shared forward steps of
 * forward-block.ts are generic in it, though only the explorer's Run asks for tensors). */
export interface TensorSource<R = Run> {
  name: string;
  buffer: GPUBuffer;
  /** The tensor's full shape for this run. */
  shape: (run: R) => number[];
  /** Laid out (NH, T, X): single heads `name.head{n}` may be asked for and are contiguous slices. */
  perHead?: boolean;
  /** Whether this buffer holds the tensor's final value in this run (default: always). attn_context is read
   * after the ablation step when a layer has one, and straight after the weighted sum otherwise. */
  when?: (run: R) => boolean;
  /** For a tensor assembled from several buffers (the logits): which bytes this buffer holds, and where they
   * go in the tensor. Null when this buffer holds nothing of it in this run. */
  piece?: (run: R) => { dstOffset: number; size: number } | null;
}

/** One dispatch. `R` is what varies between runs: a forward pass's Run by default; training has its own. */
export interface Step<R = Run> {
  label: string;
  bindGroup: GPUBindGroup;
  /** Index of this step's UNIFORM_SLOT_BYTES-sized slice of the uniform buffer. */
  slot: number;
  params: (run: R) => Record<string, number>;
  /** The pipeline and the workgroup grid for this run (matmuls pick their tile shape by size). */
  dispatch: (run: R) => { kernel: CompiledKernel; grid: Grid };
  /** Whether the step runs at all in this run (optional work such as the naive attention). */
  when?: (run: R) => boolean;
  outputs?: TensorSource<R>[];
}

/** A step before its bind group exists: the uniform buffer is sized only once every step is known. Its kernels
 * are compiled (K = CompiledKernel), or specs that a StepRecorder compiles when it records the step. */
export type StepDraft<R = Run, K = CompiledKernel> = Omit<Step<R>, 'bindGroup' | 'slot' | 'dispatch'> & {
  layoutOf: K;
  buffers: GPUBuffer[];
  dispatch: (run: R) => { kernel: K; grid: Grid };
};

/** A step's dispatch when its kernel never changes and only the grid follows the run. */
export const fixedKernel =
  <R, K = CompiledKernel>(kernel: K, grid: (run: R) => Grid) =>
  (run: R) => ({ kernel, grid: grid(run) });

/** Creates the uniform buffer (one slot per step) and every bind group. */
export function finishSteps<R = Run>(
  device: GPUDevice,
  drafts: StepDraft<R>[],
): { steps: Step<R>[]; uniforms: GPUBuffer } {
  const uniforms = device.createBuffer({
    label: 'step parameters',
    size: Math.max(1, drafts.length) * UNIFORM_SLOT_BYTES,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const steps = drafts.map(({ layoutOf, buffers, ...draft }, slot): Step<R> => {
    const bindGroup = device.createBindGroup({
      label: draft.label,
      layout: layoutOf.layout,
      entries: [
        {
          binding: 0,
          resource: { buffer: uniforms, offset: slot * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES },
        },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    return { ...draft, bindGroup, slot };
  });
  return { steps, uniforms };
}

/** Writes `step`'s parameters for `run` into its slot of `view`, a CPU copy of the uniform buffer. */
export function writeStepParams<R>(view: DataView, step: Step<R>, run: R): void {
  writeParams(view, step.slot * UNIFORM_SLOT_BYTES, step.dispatch(run).kernel.spec, step.params(run));
}

const MAX_GROUPS_PER_DIMENSION = 65535;

/** Workgroups for `count` elements, one per thread: x up to 65535, the rest in y (the kernels fold it back). */
export function elementGrid(count: number, workgroupSize = WORKGROUP_SIZE): Grid {
  const groups = Math.ceil(count / workgroupSize);
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIMENSION);
  return [Math.ceil(groups / y), y, 1];
}

/** One workgroup per row; the row kernels take at most 65535 rows (NH·T is far below it for GPT-2). */
export function rowGrid(rows: number): Grid {
  if (rows > MAX_GROUPS_PER_DIMENSION) throw new Error(`${rows} rows exceed one dispatch dimension`);
  return [rows, 1, 1];
}

/** One workgroup per row, folded into y past 65535 rows (the row kernels that take it read wid.x + wid.y·groups.x
 * and return on the rows past the end): B·NH·T passes 65535 for GPT-2 at B = 8, T = 1024. */
export function rowGrid2d(rows: number): Grid {
  const y = Math.ceil(rows / MAX_GROUPS_PER_DIMENSION);
  return [Math.ceil(rows / y), y, 1];
}

/** The tile shape for an M × N output: large tiles once there are enough rows and columns to fill them. */
export function matmulConfigFor(M: number, N: number, largeAllowed: boolean): MatmulConfigName {
  const large = MATMUL_CONFIGS.large;
  return largeAllowed && M >= tileM(large) && N >= tileN(large) ? 'large' : 'small';
}

export function matmulGrid(name: MatmulConfigName, M: number, N: number): Grid {
  const config = MATMUL_CONFIGS[name];
  return [Math.ceil(N / tileN(config)), Math.ceil(M / tileM(config)), 1];
}
