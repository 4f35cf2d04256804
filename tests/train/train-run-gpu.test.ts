// The normal training run on WebGPU (src/train/train-run-gpu.ts) against the CPU's trainModel on a tiny model
// with a shared embedding row: the same losses, gradient norms and held-out losses within 1e-5, a saved state
// that resumes on the GPU and on the CPU, and a device lost mid-run that hands the run to the CPU from the last
// finished step.
// On SwiftShader in Node (tests/model/webgpu/gpu.ts): with CI=true a missing adapter fails these tests.

import { afterAll, describe, expect, it } from 'vitest';
import { createSyncKernels } from '../../src/model/wasm/select';
import { requestNodeGpuDevice } from '../../src/node/engines';
import { trainModel, type TrainOptions } from '../../src/node/train-run';
import { TINY_STORY_TRAINING } from '../helpers/tiny-training';
import type { TrainingState } from '../../src/train/training-state';
import { deviceForTests } from '../model/webgpu/gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const tiny: TrainOptions = {
  ...TINY_STORY_TRAINING,
  minCount: 3, // some story words fall below it: the shared row and its tied gradient are in play
};

const kernels = createSyncKernels();
const cpu = await trainModel(tiny, {}, { kernels });
const TOLERANCE = 1e-5;

/** Within 1e-5, or 1e-5 relative where `relative` (gradient norms of about 4 differ by ~1e-5 in float32 sums). */
function expectClose(actual: number[], expected: number[], relative = false) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(
      TOLERANCE * (relative ? Math.abs(expected[i]) : 1),
    ),
  );
}

describe.skipIf(!gpu)('training on WebGPU (normal mode)', () => {
  it('gives the CPU run its losses, gradient norms, held-out losses and final weights', async () => {
    expect(cpu.vocab.sharedCount).toBeGreaterThan(0);
    const run = await trainModel(tiny, {}, { kernels, gpu });
    expectClose(
      run.steps.map((s) => s.loss),
      cpu.steps.map((s) => s.loss),
    );
    expectClose(
      run.steps.map((s) => s.gradNorm),
      cpu.steps.map((s) => s.gradNorm),
      true,
    );
    expect(run.validation.map((v) => v.step)).toEqual([3, 6]);
    expectClose(
      run.validation.map((v) => v.loss),
      cpu.validation.map((v) => v.loss),
    );
    // The CPU trainer holds the GPU's final weights for the held-out measurements and the file.
    const gpuValues = run.training.params.values;
    const cpuValues = cpu.training.params.values;
    let worst = 0;
    for (let i = 0; i < gpuValues.length; i++) worst = Math.max(worst, Math.abs(gpuValues[i] - cpuValues[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(worst).toBeGreaterThan(0); // they are the GPU's numbers, not the CPU's
  }, 120_000);

  it('saves states that resume on the GPU with the same numbers, and on the CPU', async () => {
    const saved: TrainingState[] = [];
    const whole = await trainModel(
      tiny,
      { checkpoint: { every: 3, save: (state) => saved.push(state) } },
      { kernels, gpu },
    );
    expect(saved.map((s) => s.step)).toEqual([3, 6]);
    expect(saved[0].m.some((x) => x !== 0)).toBe(true); // the moments came back from the GPU
    const resumed = await trainModel(tiny, { resume: saved[0] }, { kernels, gpu });
    expect(resumed.steps.map((s) => s.loss)).toEqual(whole.steps.map((s) => s.loss));
    expect(Array.from(resumed.training.params.values)).toEqual(Array.from(whole.training.params.values));
    const onCpu = await trainModel(tiny, { resume: saved[0] }, { kernels });
    expectClose(
      onCpu.steps.map((s) => s.loss),
      whole.steps.map((s) => s.loss),
    );
  }, 120_000);

  it('goes on on the CPU from the last finished step when the device is lost', async () => {
    const own = await requestNodeGpuDevice();
    const lostEvents: [string, number][] = [];
    const run = await trainModel(
      tiny,
      {
        onStep: (record) => {
          if (record.step === 3) own.device.destroy(); // after 4 finished steps, between two held-out measurements
        },
      },
      { kernels, gpu: own, onDeviceLost: (reason, fromStep) => lostEvents.push([reason, fromStep]) },
    );
    expect(lostEvents).toHaveLength(1);
    expect(lostEvents[0][0]).toMatch(/destroyed/);
    expect(lostEvents[0].slice(1)).toEqual([4]); // on from the last finished step: none runs again
    expect(run.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.validation.map((v) => v.step)).toEqual([3, 6]);
    expectClose(
      run.steps.map((s) => s.loss),
      cpu.steps.map((s) => s.loss),
    );
  }, 120_000);
});
