// Runs a few kernels in a row on named buffers, for the tests that hold training's against their CPU twins.
// Unlike KernelRunner, a buffer may be read and written (the kernels accumulate with +=) and shared by
// several dispatches, as a training step shares them; the recording is the training step's own StepRecorder.

import { storageBuffer } from '../../../src/model/webgpu/gpu-weights';
import type { KernelSpec } from '../../../src/model/webgpu/kernels';
import { forwardKernelSpecs, type ForwardKernels } from '../../../src/model/webgpu/matmul-steps';
import { PipelineCache } from '../../../src/model/webgpu/pipelines';
import { readBuffer } from '../../../src/model/webgpu/readback';
import { StepRecorder } from '../../../src/model/webgpu/step-sequence';
import type { StepDraft } from '../../../src/model/webgpu/steps';

export interface Dispatch {
  spec: KernelSpec;
  params: Record<string, number>;
  /** Buffer names for bindings 1, 2, … in the spec's order. */
  bind: string[];
  grid: [number, number, number];
}

/** Makes steps of the forward pass (forward-block.ts) over the buffers `buffer` names. */
export type StepsOver = (
  buffer: (name: string) => GPUBuffer,
  kernels: ForwardKernels<KernelSpec>,
) => StepDraft<null, KernelSpec>[];

export class BackwardHarness {
  private readonly cache: PipelineCache;

  constructor(private readonly device: GPUDevice) {
    this.cache = new PipelineCache(device);
  }

  /** Uploads `buffers`, runs every dispatch in order in one submit, and reads back `read`. */
  run(
    buffers: Record<string, Float32Array | Uint32Array>,
    dispatches: Dispatch[],
    read: string[],
  ): Promise<Record<string, Float32Array>> {
    return this.record(buffers, read, (recorder, buffer) => {
      for (const d of dispatches) recorder.dispatch(d.spec, d.params, d.bind.map(buffer), d.grid);
    });
  }

  /** As run(), with steps of the forward pass, recorded as training records them (fixed at their sizes). */
  runSteps(
    buffers: Record<string, Float32Array | Uint32Array>,
    steps: StepsOver,
    read: string[],
  ): Promise<Record<string, Float32Array>> {
    const kernels = forwardKernelSpecs(true);
    return this.record(buffers, read, (recorder, buffer) => recorder.fixedAt(steps(buffer, kernels), null));
  }

  private async record(
    buffers: Record<string, Float32Array | Uint32Array>,
    read: string[],
    recordInto: (recorder: StepRecorder<null>, buffer: (name: string) => GPUBuffer) => void,
  ): Promise<Record<string, Float32Array>> {
    const { device } = this;
    const gpuBuffers = new Map(
      Object.entries(buffers).map(([name, data]) => [name, storageBuffer(device, data, name)]),
    );
    const buffer = (name: string) => {
      const found = gpuBuffers.get(name);
      if (!found) throw new Error(`no buffer named ${name}`);
      return found;
    };
    try {
      const recorder = new StepRecorder<null>();
      recordInto(recorder, buffer);
      const sequence = await recorder.finish(device, this.cache, 'backward harness');
      sequence.submit(null);
      const results: Record<string, Float32Array> = {};
      for (const name of read) results[name] = await readBuffer(device, buffer(name), buffers[name].length);
      sequence.destroy();
      return results;
    } finally {
      for (const b of gpuBuffers.values()) b.destroy();
    }
  }
}
