// A fixed sequence of Steps and buffer clears, made once and submitted as one command buffer per run: the one
// way GPU work is issued, by the explorer's forward pass (engine.ts, with the trace's copies between steps) and
// by training's forward, backward and optimizer step. Bind groups and the uniform buffer are made once; a run
// rewrites only the parameters of the steps that depend on it.

import { UNIFORM_SLOT_BYTES, writeParams, type KernelSpec } from './kernels';
import type { CompiledKernel, PipelineCache } from './pipelines';
import type { StepTimer } from './profiler';
import { finishSteps, writeStepParams, type Grid, type Step, type StepDraft } from './steps';

type Params = Record<string, number>;

/** Zeroes a buffer at its point of the sequence (gradients accumulate with +=, so each run starts from 0). */
interface Clear<R> {
  clear: GPUBuffer;
  when?: (run: R) => boolean;
}

/** A dispatch as recorded, before its pipeline is compiled (or with it, when recorded from a StepDraft). */
interface DispatchRecord<R> {
  kernel: KernelSpec | CompiledKernel;
  label: string;
  /** A record for parameters fixed for the sequence's life, written once; a function for those a run sets. */
  params: Params | ((run: R) => Params);
  buffers: GPUBuffer[];
  grid: Grid | ((run: R) => Grid);
  when?: (run: R) => boolean;
}

/** What a submit may add around the dispatches. */
export interface SubmitExtras {
  /** Work recorded right after a step, outside compute passes (the trace's copies into the staging area), by the
   * step's index in `steps`: `has` says whether there is any, `record` records it. */
  after?: { has(index: number): boolean; record(index: number, encoder: GPUCommandEncoder): void };
  /** Times every step, each in a compute pass of its own. */
  timer?: StepTimer;
}

/** A sequence of steps whose parameters all follow the run (the explorer's forward pass, planForward). */
export function stepSequence<R>(device: GPUDevice, label: string, drafts: StepDraft<R>[]): StepSequence<R> {
  const { steps, uniforms } = finishSteps(device, drafts);
  return new StepSequence(device, label, steps, uniforms, new ArrayBuffer(uniforms.size), steps);
}

/** Collects dispatches and clears in order; finish() compiles them into a StepSequence. */
export class StepRecorder<R> {
  private readonly records: (DispatchRecord<R> | Clear<R>)[] = [];

  /** A dispatch whose parameters and grid never change (most of a training step). */
  dispatch(spec: KernelSpec, params: Params, buffers: GPUBuffer[], grid: Grid): void {
    this.perRun(spec, params, buffers, grid);
  }

  /** A dispatch whose parameters, grid or presence (`when`) depend on the run. */
  perRun(
    spec: KernelSpec,
    params: Params | ((run: R) => Params),
    buffers: GPUBuffer[],
    grid: Grid | ((run: R) => Grid),
    when?: (run: R) => boolean,
  ): void {
    if (buffers.length !== spec.bindings.length - 1) {
      throw new Error(
        `kernel ${spec.label}: ${buffers.length} buffers for ${spec.bindings.length - 1} bindings`,
      );
    }
    this.records.push({ kernel: spec, label: spec.label, params, buffers, grid, when });
  }

  /** The drafts that run in `run`, as they run in it: their kernels, parameters and grids fixed for the
   * sequence's life (training's forward pass, the explorer's steps at a size that never changes). */
  fixedAt(drafts: StepDraft<R, KernelSpec | CompiledKernel>[], run: R): void {
    for (const draft of drafts) {
      if (draft.when && !draft.when(run)) continue;
      const { kernel, grid } = draft.dispatch(run);
      const { label, buffers } = draft;
      this.records.push({ kernel, label, params: draft.params(run), buffers, grid });
    }
  }

  /** Zeroes `buffer` at this point of the sequence (in the runs where `when` holds). */
  clear(buffer: GPUBuffer, when?: (run: R) => boolean): void {
    this.records.push({ clear: buffer, when });
  }

  /** Compiles every kernel and makes the bind groups and the uniform buffer, with the fixed parameters. */
  async finish(device: GPUDevice, cache: PipelineCache, label: string): Promise<StepSequence<R>> {
    const dispatches = this.records.filter((r): r is DispatchRecord<R> => 'kernel' in r);
    const kernels = await Promise.all(
      dispatches.map(({ kernel }) => ('pipeline' in kernel ? kernel : cache.get(kernel))),
    );
    const drafts = dispatches.map((d, i): StepDraft<R> => {
      const kernel = kernels[i];
      const { params, grid } = d;
      return {
        label: d.label,
        layoutOf: kernel,
        buffers: d.buffers,
        params: typeof params === 'function' ? params : () => params,
        dispatch:
          typeof grid === 'function' ? (run) => ({ kernel, grid: grid(run) }) : () => ({ kernel, grid }),
        when: d.when,
      };
    });
    const { steps, uniforms } = finishSteps(device, drafts);
    const uniformData = new ArrayBuffer(uniforms.size);
    const view = new DataView(uniformData);
    steps.forEach((step, i) => {
      const { params } = dispatches[i];
      if (typeof params !== 'function')
        writeParams(view, step.slot * UNIFORM_SLOT_BYTES, kernels[i].spec, params);
    });
    device.queue.writeBuffer(uniforms, 0, uniformData);
    const perRun = steps.filter((_, i) => typeof dispatches[i].params === 'function');
    let next = 0;
    const entries = this.records.map((r) => ('kernel' in r ? steps[next++] : r));
    return new StepSequence(device, label, entries, uniforms, uniformData, perRun);
  }
}

export class StepSequence<R> {
  /** The dispatches in order, clears left out: the index a SubmitExtras.after sees. */
  readonly steps: Step<R>[];
  /** The byte range of the uniform buffer a run rewrites: the slots of the steps with per-run parameters. */
  private readonly dirty: { start: number; end: number } | null;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    private readonly entries: (Step<R> | Clear<R>)[],
    private readonly uniforms: GPUBuffer,
    private readonly uniformData: ArrayBuffer,
    private readonly perRun: Step<R>[],
  ) {
    this.steps = entries.filter((entry): entry is Step<R> => !('clear' in entry));
    const slots = perRun.map((s) => s.slot);
    this.dirty = slots.length
      ? { start: Math.min(...slots) * UNIFORM_SLOT_BYTES, end: (Math.max(...slots) + 1) * UNIFORM_SLOT_BYTES }
      : null;
  }

  /** Writes this run's parameters and submits the whole sequence in one command buffer. */
  submit(run: R, extras: SubmitExtras = {}): void {
    const { device } = this;
    const { after, timer } = extras;
    this.writeRunParams(run);
    const encoder = device.createCommandEncoder({ label: this.label });
    let pass: GPUComputePassEncoder | null = null;
    let index = -1;
    for (const entry of this.entries) {
      if ('clear' in entry) {
        if (entry.when && !entry.when(run)) continue;
        pass?.end(); // a clear is recorded outside compute passes
        pass = null;
        encoder.clearBuffer(entry.clear);
        continue;
      }
      index++;
      if (entry.when && !entry.when(run)) continue;
      pass ??= encoder.beginComputePass({
        label: this.label,
        timestampWrites: timer?.timestampWrites(entry.label),
      });
      const { kernel, grid } = entry.dispatch(run);
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, entry.bindGroup);
      pass.dispatchWorkgroups(...grid);
      if (!timer && !after?.has(index)) continue;
      pass.end(); // copies are recorded outside compute passes; a timed step has its pass to itself
      pass = null;
      after?.record(index, encoder);
    }
    (pass as GPUComputePassEncoder | null)?.end();
    timer?.resolve(encoder);
    device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    this.uniforms.destroy();
  }

  private writeRunParams(run: R): void {
    if (!this.dirty) return;
    const view = new DataView(this.uniformData);
    for (const step of this.perRun) if (!step.when || step.when(run)) writeStepParams(view, step, run);
    const { start, end } = this.dirty;
    this.device.queue.writeBuffer(this.uniforms, start, this.uniformData, start, end - start);
  }
}
