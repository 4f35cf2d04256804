// Runs a few backward kernels in a row on named buffers, for the tests that hold them against their CPU twins.
// Unlike KernelRunner, a buffer may be read and written (the kernels accumulate with +=) and shared by
// several dispatches, as a training step shares them; the recording is the training step's own CommandList.

import { storageBuffer } from '../../../src/model/webgpu/gpu-weights';
import type { KernelSpec } from '../../../src/model/webgpu/kernels';
import { PipelineCache } from '../../../src/model/webgpu/pipelines';
import { CommandList, readBuffer } from '../../../src/model/webgpu/training/command-list';

export interface Dispatch {
  spec: KernelSpec;
  params: Record<string, number>;
  /** Buffer names for bindings 1, 2, … in the spec's order. */
  bind: string[];
  grid: [number, number, number];
}

export class BackwardHarness {
  private readonly cache: PipelineCache;

  constructor(private readonly device: GPUDevice) {
    this.cache = new PipelineCache(device);
  }

  /** Uploads `buffers`, runs every dispatch in order in one submit, and reads back `read`. */
  async run(
    buffers: Record<string, Float32Array | Uint32Array>,
    dispatches: Dispatch[],
    read: string[],
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
      const list = new CommandList();
      for (const d of dispatches) list.dispatch(d.spec, d.params, d.bind.map(buffer), d.grid);
      const uniforms = await list.submit(device, this.cache);
      const results: Record<string, Float32Array> = {};
      for (const name of read) results[name] = await readBuffer(device, buffer(name), buffers[name].length);
      uniforms.destroy();
      return results;
    } finally {
      for (const b of gpuBuffers.values()) b.destroy();
    }
  }
}
