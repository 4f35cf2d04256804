// The recorded sequence that training issues its GPU work through (src/model/webgpu/step-sequence.ts): a run
// sets the parameters, grids and presence of the steps that depend on it, clears happen in their place, and
// no bind group is made after recording, neither by a sequence nor by a whole GpuTraining step.

import { afterAll, describe, expect, it, vi } from 'vitest';
import type { GPT2Config } from '../../../src/model/config';
import { randomGPT2Weights } from '../../../src/model/random';
import { storageBuffer } from '../../../src/model/webgpu/gpu-weights';
import { KERNELS } from '../../../src/model/webgpu/kernels';
import { PipelineCache } from '../../../src/model/webgpu/pipelines';
import { readBuffer } from '../../../src/model/webgpu/readback';
import { StepRecorder } from '../../../src/model/webgpu/step-sequence';
import { elementGrid } from '../../../src/model/webgpu/steps';
import { GpuTraining } from '../../../src/model/webgpu/training/gpu-training';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

describe.skipIf(!gpu)('StepSequence', () => {
  it('writes per-run parameters, skips steps whose `when` fails, clears in order, and makes no bind group', async () => {
    const device = gpu!.device;
    const a = storageBuffer(
      device,
      Float32Array.from({ length: 8 }, (_, i) => i + 1),
      'a',
    );
    const b = storageBuffer(
      device,
      Float32Array.from({ length: 8 }, (_, i) => 10 * (i + 1)),
      'b',
    );
    const out = storageBuffer(device, new Float32Array(8).fill(-1), 'out');
    const recorder = new StepRecorder<{ count: number; skip: boolean }>();
    recorder.clear(out);
    recorder.perRun(
      KERNELS.residual,
      ({ count }) => ({ count }),
      [a, b, out],
      ({ count }) => elementGrid(count),
      ({ skip }) => !skip,
    );
    const sequence = await recorder.finish(device, new PipelineCache(device), 'test');
    const createBindGroup = vi.spyOn(device, 'createBindGroup');
    try {
      sequence.submit({ count: 3, skip: false });
      expect(Array.from(await readBuffer(device, out, 8))).toEqual([11, 22, 33, 0, 0, 0, 0, 0]);
      sequence.submit({ count: 8, skip: false });
      expect(Array.from(await readBuffer(device, out, 8))).toEqual([11, 22, 33, 44, 55, 66, 77, 88]);
      sequence.submit({ count: 8, skip: true });
      expect(Array.from(await readBuffer(device, out, 8))).toEqual(new Array(8).fill(0));
      expect(createBindGroup).not.toHaveBeenCalled();
    } finally {
      createBindGroup.mockRestore();
      sequence.destroy();
      for (const buffer of [a, b, out]) buffer.destroy();
    }
  });

  it('a GpuTraining step after the first makes no bind group and no uniform buffer', async () => {
    const config: GPT2Config = {
      vocabSize: 11,
      nPositions: 4,
      nEmbd: 8,
      nLayer: 1,
      nHead: 2,
      layerNormEpsilon: 1e-5,
      activation: 'gelu_new',
    };
    const device = gpu!.device;
    const training = new GpuTraining(device, randomGPT2Weights(config, 1), 1, 4);
    const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decay: 'all' } as const;
    const step = async (tied: { offset: number; length: number; count: number }[]) => {
      const loss = await training.forward(Int32Array.from([1, 2, 3, 1]), Int32Array.from([2, 3, 1, 4]));
      await training.backward();
      await training.update(1e-3, options, 1, tied);
      return loss;
    };
    const createBindGroup = vi.spyOn(device, 'createBindGroup');
    const createBuffer = vi.spyOn(device, 'createBuffer');
    try {
      await step([]);
      expect(createBindGroup).toHaveBeenCalled(); // recorded on first use
      createBindGroup.mockClear();
      createBuffer.mockClear();
      const loss = await step([{ offset: 8, length: 16, count: 2 }]);
      expect(Number.isFinite(loss)).toBe(true);
      expect(createBindGroup).not.toHaveBeenCalled();
      // Only readback staging buffers (losses, gradient norm), none with UNIFORM usage.
      const usages = createBuffer.mock.calls.map(([descriptor]) => descriptor.usage);
      expect(usages.filter((usage) => usage & GPUBufferUsage.UNIFORM)).toEqual([]);
    } finally {
      createBindGroup.mockRestore();
      createBuffer.mockRestore();
      training.dispose();
    }
  });
});
