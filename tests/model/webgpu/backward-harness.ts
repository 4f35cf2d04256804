// Runs a few backward kernels in a row on named buffers, for the tests that hold them against their CPU twins.
// Unlike KernelRunner, a buffer may be read and written (the kernels accumulate with +=) and shared by
// several dispatches, as a training step shares them.

import { storageBuffer } from '../../../src/model/webgpu/gpu-weights';
import { UNIFORM_SLOT_BYTES, writeParams, type KernelSpec } from '../../../src/model/webgpu/kernels';
import { PipelineCache } from '../../../src/model/webgpu/pipelines';

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

  /** Uploads `buffers`, records every dispatch in order (one compute pass each) and reads back `read`. */
  async run(
    buffers: Record<string, Float32Array | Uint32Array>,
    dispatches: Dispatch[],
    read: string[],
  ): Promise<Record<string, Float32Array>> {
    const { device } = this;
    const gpuBuffers = new Map(
      Object.entries(buffers).map(([name, data]) => [name, storageBuffer(device, data, name)]),
    );
    const uniforms = device.createBuffer({
      size: dispatches.length * UNIFORM_SLOT_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const uniformData = new ArrayBuffer(dispatches.length * UNIFORM_SLOT_BYTES);
    dispatches.forEach((d, i) =>
      writeParams(new DataView(uniformData), i * UNIFORM_SLOT_BYTES, d.spec, d.params),
    );
    device.queue.writeBuffer(uniforms, 0, uniformData);
    const kernels = await Promise.all(dispatches.map((d) => this.cache.get(d.spec)));
    const encoder = device.createCommandEncoder();
    dispatches.forEach((d, i) => {
      const bindGroup = device.createBindGroup({
        layout: kernels[i].layout,
        entries: [
          {
            binding: 0,
            resource: { buffer: uniforms, offset: i * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES },
          },
          ...d.bind.map((name, j) => {
            const buffer = gpuBuffers.get(name);
            if (!buffer) throw new Error(`no buffer named ${name}`);
            return { binding: j + 1, resource: { buffer } };
          }),
        ],
      });
      const pass = encoder.beginComputePass();
      pass.setPipeline(kernels[i].pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...d.grid);
      pass.end();
    });
    const staging = read.map((name) => {
      const source = gpuBuffers.get(name)!;
      const target = device.createBuffer({
        size: source.size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      encoder.copyBufferToBuffer(source, 0, target, 0, source.size);
      return target;
    });
    device.queue.submit([encoder.finish()]);
    await Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ)));
    const results: Record<string, Float32Array> = {};
    read.forEach((name, i) => {
      results[name] = new Float32Array(staging[i].getMappedRange(), 0, buffers[name].length).slice();
      staging[i].destroy();
    });
    uniforms.destroy();
    for (const buffer of gpuBuffers.values()) buffer.destroy();
    return results;
  }
}
