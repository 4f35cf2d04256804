// The fixed-batch check: AdamW on one batch, the first B·T+1 tokens of a text, step after step, over the full
// vocabulary of any GPT-2 model, on the CPU or on WebGPU (through the one TrainingStep, with its fallback). Its
// losses are what PyTorch's AdamW gives on the same model and batch.

import { GpuTraining } from '../model/webgpu/training/gpu-training';
import type { GPT2Weights } from '../model/weights';
import { checkLoss, FIXED_BATCH_ADVICE } from './divergence';
import { GPT2Training } from './gpt2-train';
import {
  cpuTrainer,
  CpuTrainingStep,
  GpuTrainingStep,
  StepWithFallback,
  type TrainBackend,
  type TrainingStep,
  type UpdateRule,
} from './training-step';

export interface FixedBatchOptions {
  B: number;
  T: number;
  steps: number;
  lr: number;
  weightDecay: number;
  /** clip_grad_norm_ before each update, or none. */
  gradClip?: number;
}

/** Fills inputs with tokens[0..B·T) and targets with tokens[1..B·T]: row b is the b-th run of T tokens. */
export function fixedBatch(training: GPT2Training, tokens: ArrayLike<number>): void {
  const N = training.B * training.T;
  if (tokens.length < N + 1) {
    throw new Error(
      `the text has ${tokens.length} tokens; a ${training.B}×${training.T} batch needs ${N + 1}`,
    );
  }
  const V = training.weights.config.vocabSize;
  for (let i = 0; i <= N; i++) {
    if (tokens[i] >= V) throw new Error(`token id ${tokens[i]} is outside the vocabulary of ${V}`);
  }
  for (let i = 0; i < N; i++) {
    training.inputs[i] = tokens[i];
    training.targets[i] = tokens[i + 1];
  }
}

/**
 * Trains a copy of `weights` on `backend` (on its GPU when given, going on on the CPU if the device is lost);
 * calls onStep with each step's loss (the loss before that step's update), and returns all of them with the
 * CPU trainer, which holds the final weights.
 */
export async function trainFixedBatch(
  weights: GPT2Weights,
  tokens: ArrayLike<number>,
  options: FixedBatchOptions,
  onStep: (step: number, loss: number) => void,
  backend: TrainBackend,
): Promise<{ losses: number[]; training: GPT2Training }> {
  const { B, T } = options;
  const training = new GPT2Training(weights, B, T, null, backend.kernels);
  fixedBatch(training, tokens);
  // torch.optim.AdamW(model.parameters()) decays every parameter.
  const rule: UpdateRule = {
    weightDecay: options.weightDecay,
    decay: 'all',
    gradClip: options.gradClip ?? null,
    tied: [],
  };
  const cpu = cpuTrainer(training, rule);
  let stepper: TrainingStep = new CpuTrainingStep(cpu, rule);
  if (backend.gpu) {
    const { device, adapterName } = backend.gpu;
    const gpu = new GpuTrainingStep(new GpuTraining(device, training.weights, B, T), cpu, rule, adapterName);
    const onLost = backend.onDeviceLost ?? (() => {});
    stepper = new StepWithFallback(gpu, stepper, device, onLost, () => cpu.optimizer.step);
  }
  const losses: number[] = [];
  try {
    for (let step = 0; step < options.steps; step++) {
      const { loss } = await stepper.step(options.lr);
      losses.push(loss);
      onStep(step, loss);
      checkLoss(loss, step, FIXED_BATCH_ADVICE);
    }
  } finally {
    stepper.dispose();
  }
  return { losses, training };
}
