// Runs one kernel on its own, on plain arrays: how the tests compare each kernel with its CPU twin, and how
// the benchmark times the matmuls. The kernel is one Step (steps.ts), its bind group and uniforms made as the
// engine and training make theirs, read back as training reads; only the buffers for the arrays are its own.

import { storageBuffer } from './gpu-weights';
import type { KernelSpec } from './kernels';
import { PipelineCache } from './pipelines';
import { readBuffer } from './readback';
import { finishSteps, writeStepParams, type Grid } from './steps';

/** A binding's content: data to upload, the number of floats of an output to allocate, or data that a kernel
 * rewrites in place (uploaded, then read back as an output). */
export type KernelArgument = Float32Array | Uint32Array | { outputFloats: number } | { inOut: Float32Array };

/** Buffers and bind group of one prepared dispatch, to run repeatedly (the benchmark) or once. */
export interface PreparedKernel {
  /** Records `times` dispatches in one compute pass, with its timestamps written where asked (the benchmark). */
  dispatch(encoder: GPUCommandEncoder, times?: number, timestampWrites?: GPUComputePassTimestampWrites): void;
  /** Reads the outputs back, in binding order. */
  readOutputs(): Promise<Float32Array[]>;
  destroy(): void;
}

export class KernelRunner {
  private readonly cache: PipelineCache;

  constructor(readonly device: GPUDevice) {
    this.cache = new PipelineCache(device);
  }

  async prepare(
    spec: KernelSpec,
    params: Record<string, number>,
    args: KernelArgument[],
    grid: Grid,
  ): Promise<PreparedKernel> {
    const { device } = this;
    const kernel = await this.cache.get(spec);
    const buffers = args.map((arg, i) =>
      'inOut' in arg
        ? storageBuffer(device, arg.inOut, `in-out ${i}`)
        : 'outputFloats' in arg
          ? device.createBuffer({
              label: `output ${i}`,
              size: Math.max(4, arg.outputFloats * 4),
              usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
            })
          : storageBuffer(device, arg, `input ${i}`),
    );
    const { steps, uniforms } = finishSteps<null>(device, [
      {
        label: spec.label,
        layoutOf: kernel,
        buffers,
        params: () => params,
        dispatch: () => ({ kernel, grid }),
      },
    ]);
    const [step] = steps;
    const uniformData = new ArrayBuffer(uniforms.size);
    writeStepParams(new DataView(uniformData), step, null);
    device.queue.writeBuffer(uniforms, 0, uniformData);
    const outputs = args.flatMap((arg, i) => {
      if ('inOut' in arg) return [{ buffer: buffers[i], floats: arg.inOut.length }];
      return 'outputFloats' in arg ? [{ buffer: buffers[i], floats: arg.outputFloats }] : [];
    });
    return {
      dispatch(encoder, times = 1, timestampWrites) {
        const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
        pass.setPipeline(kernel.pipeline);
        pass.setBindGroup(0, step.bindGroup);
        for (let i = 0; i < times; i++) pass.dispatchWorkgroups(...grid);
        pass.end();
      },
      readOutputs() {
        return Promise.all(outputs.map(({ buffer, floats }) => readBuffer(device, buffer, floats)));
      },
      destroy() {
        uniforms.destroy();
        for (const b of buffers) b.destroy();
      },
    };
  }

  /** Runs the kernel once and returns its outputs (the `outputFloats` and `inOut` arguments), in binding order. */
  async run(
    spec: KernelSpec,
    params: Record<string, number>,
    args: KernelArgument[],
    grid: Grid,
  ): Promise<Float32Array[]> {
    const prepared = await this.prepare(spec, params, args, grid);
    try {
      const encoder = this.device.createCommandEncoder();
      prepared.dispatch(encoder);
      this.device.queue.submit([encoder.finish()]);
      return await prepared.readOutputs();
    } finally {
      prepared.destroy();
    }
  }
}
