// The normal training run on WebGPU (`npm run train -- --backend webgpu`): the same batches, learning rate,
// clipping and AdamW as trainModel, with every step's forward, backward and update in GpuTraining. The CPU
// trainer keeps the run's bookkeeping: after every step the GPU's weights and AdamW moments are read back into
// it; it measures the held-out loss and saves the same training state a CPU run saves (so a run resumes on
// either backend). A device lost mid-run hands the run to the CPU from the last finished step.

import type { CpuKernels } from '../model/cpu/kernels';
import { GpuTraining } from '../model/webgpu/training/gpu-training';
import { meanLossOver } from './data';
import { flatView, tensorOfBufferKey } from './params';
import {
  finishRun,
  isEvalStep,
  learningRate,
  prepareRun,
  stateOf,
  trainModel,
  type PreparedRun,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
} from './train-run';
import type { TrainingState } from './training-state';
import { checkLoss, TrainingDivergedError, TRAINING_ADVICE } from './divergence';
import { sharedRowLogitBias } from './vocab';

/** How long a failed GPU step waits for the device's `lost` promise before it counts as the run's own error. */
const LOSS_SETTLE_MS = 1000;

/** What the caller is told when the run leaves the GPU. */
export interface GpuRunEvents {
  /** The device was lost; the CPU goes on after `fromStep` finished steps (`reachedStep` of them reported). */
  onDeviceLost?: (reason: string, fromStep: number, reachedStep: number) => void;
}

/** Copies the GPU's weights, or weights and AdamW moments, into the CPU trainer's arrays. */
async function readBack(gpu: GpuTraining, run: PreparedRun, withMoments: boolean): Promise<void> {
  const { params } = run.training;
  const targets: ['value' | 'm' | 'v', Float32Array][] = [['value', params.values]];
  if (withMoments) targets.push(['m', run.optimizer.m], ['v', run.optimizer.v]);
  for (const [what, flat] of targets) {
    const view = flatView(params, flat);
    for (const [key, data] of await gpu.read(what)) tensorOfBufferKey(view, key).set(data);
  }
  run.optimizer.step = gpu.updates;
}

/**
 * Trains as trainModel does, on `device`. `kernels` serve the CPU side (held-out measurements, and the rest of
 * the run if the device is lost). The returned result's `training` holds the final weights on the CPU.
 */
export async function trainModelOnGpu(
  o: TrainOptions,
  device: GPUDevice,
  hooks: TrainHooks = {},
  kernels: CpuKernels,
  events: GpuRunEvents = {},
): Promise<TrainResult> {
  const started = performance.now();
  const { resume, checkpoint, onStep = () => {} } = hooks;
  const run = prepareRun(o, resume, kernels);
  const { training, optimizer, tied, sampler, steps, validation } = run;
  const seconds = () => run.earlierSeconds + (performance.now() - started) / 1000;
  const adamw = optimizer.gpuOptions;
  // The last state the CPU could carry on from: the resumed one, or the one before the first step.
  let lastState: TrainingState | null = resume ?? null;
  const lost = device.lost.then((info) => `${info.reason}: ${info.message || 'no detail given'}`);

  let gpu: GpuTraining | null = null;
  try {
    gpu = new GpuTraining(device, training.weights, training.B, training.T, sharedRowLogitBias(run.vocab));
    if (resume) {
      const views = {
        value: flatView(training.params, training.params.values),
        m: flatView(training.params, optimizer.m),
        v: flatView(training.params, optimizer.v),
      };
      gpu.restore(optimizer.step, (what, key) => tensorOfBufferKey(views[what], key));
    }
    for (let step = steps.length; step < o.steps; step++) {
      const lr = learningRate(step, o);
      sampler.fill(training);
      const loss = await gpu.forward(training.inputs, training.targets);
      checkLoss(loss, step, TRAINING_ADVICE);
      await gpu.backward();
      const gradNorm = (await gpu.update(lr, adamw, o.gradClip, tied))!;
      const record = { step, loss, lr, gradNorm };
      steps.push(record);
      // Every step's weights and moments come back, so a lost device costs no finished step: the CPU goes on
      // from the step after the last one reported. (On the default model's shape that is 35 MB a step.)
      await readBack(gpu, run, true);
      let valLoss: number | undefined;
      if (isEvalStep(step, o)) {
        valLoss = meanLossOver(training, run.valCompact, run.valStarts);
        validation.push({ step: step + 1, loss: valLoss });
      }
      lastState = stateOf(o, run, step + 1, seconds());
      onStep(record, valLoss);
      if (checkpoint && ((step + 1) % checkpoint.every === 0 || step + 1 === o.steps))
        checkpoint.save(lastState);
    }
    await readBack(gpu, run, false);
    gpu.dispose();
    return finishRun(run, seconds());
  } catch (error) {
    // A readback on a lost device fails before (or without) `lost` resolving: wait a moment for it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOSS_SETTLE_MS)));
    const reason = await Promise.race([lost, settle]);
    clearTimeout(timer);
    gpu?.dispose();
    if (reason === null || error instanceof TrainingDivergedError) throw error;
    const fromStep = lastState?.step ?? 0;
    events.onDeviceLost?.(reason, fromStep, steps.length);
    // The CPU continues from the last finished step: the same batches and schedule, so nothing is skipped; a
    // step the device failed in the middle of runs again on the CPU.
    const rest = trainModel(o, { ...hooks, resume: lastState }, kernels);
    return { ...rest, seconds: seconds() };
  }
}
