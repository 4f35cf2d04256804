// A list of GPU commands recorded once per call and submitted together: dispatches (grouped into compute
// passes, one uniform slot each) and buffer clears between them. Training records a whole forward, backward
// or optimizer step this way, so one submit carries the step and the CPU waits only for what it reads back.

import { UNIFORM_SLOT_BYTES, writeParams, type KernelSpec } from '../kernels';
import type { PipelineCache } from '../pipelines';

type Command =
  | { spec: KernelSpec; params: Record<string, number>; buffers: GPUBuffer[]; grid: [number, number, number] }
  | { clear: GPUBuffer };

export class CommandList {
  private readonly commands: Command[] = [];

  dispatch(
    spec: KernelSpec,
    params: Record<string, number>,
    buffers: GPUBuffer[],
    grid: [number, number, number],
  ): void {
    if (buffers.length !== spec.bindings.length - 1) {
      throw new Error(
        `kernel ${spec.label}: ${buffers.length} buffers for ${spec.bindings.length - 1} bindings`,
      );
    }
    this.commands.push({ spec, params, buffers, grid });
  }

  /** Zeroes `buffer` at this point of the list. */
  clear(buffer: GPUBuffer): void {
    this.commands.push({ clear: buffer });
  }

  /** Records every command into one command buffer and submits it; returns the uniform buffer to destroy
   * once the work is done (after a readback). */
  async submit(device: GPUDevice, cache: PipelineCache): Promise<GPUBuffer> {
    const dispatches = this.commands.filter((c) => 'spec' in c);
    const uniformData = new ArrayBuffer(Math.max(1, dispatches.length) * UNIFORM_SLOT_BYTES);
    const view = new DataView(uniformData);
    dispatches.forEach((d, i) => writeParams(view, i * UNIFORM_SLOT_BYTES, d.spec, d.params));
    const uniforms = device.createBuffer({
      label: 'training step parameters',
      size: uniformData.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(uniforms, 0, uniformData);
    const kernels = await Promise.all(dispatches.map((d) => cache.get(d.spec)));
    const encoder = device.createCommandEncoder();
    let pass: GPUComputePassEncoder | null = null;
    let slot = 0;
    for (const command of this.commands) {
      if ('clear' in command) {
        pass?.end();
        pass = null;
        encoder.clearBuffer(command.clear);
        continue;
      }
      const kernel = kernels[slot];
      pass ??= encoder.beginComputePass();
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout: kernel.layout,
          entries: [
            {
              binding: 0,
              resource: { buffer: uniforms, offset: slot * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES },
            },
            ...command.buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
          ],
        }),
      );
      pass.dispatchWorkgroups(...command.grid);
      slot++;
    }
    pass?.end();
    device.queue.submit([encoder.finish()]);
    this.commands.length = 0;
    return uniforms;
  }
}

/** Reads `floats` floats of `buffer` back to the CPU. */
export async function readBuffer(
  device: GPUDevice,
  buffer: GPUBuffer,
  floats: number,
): Promise<Float32Array> {
  const staging = device.createBuffer({
    size: Math.max(4, floats * 4),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(staging.getMappedRange(), 0, floats).slice();
  staging.destroy();
  return result;
}
