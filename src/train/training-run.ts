// The one training run, from token ids: the compact vocabulary with its shared row, seeded random weights,
// seeded batches (from sentence starts where given), the warm-up and cosine schedule, and one TrainingStep
// (CPU, or WebGPU with its fallback) per step. npm run train, the Train view and resumed runs all drive it;
// it reads no files, so the page imports it as Node does.

import type { GPT2Config } from '../model/config';
import type { GPT2Weights } from '../model/weights';
import type { CpuKernels } from '../model/cpu/kernels';
import { randomGPT2Weights } from '../model/random';
import { GpuTraining } from '../model/webgpu/training/gpu-training';
import { GPT2_VOCAB_SIZE } from '../tokenizer/gpt2-vocab';
import { BatchSampler, meanLossOver, validationWindows } from './data';
import { checkLoss, TRAINING_ADVICE } from './divergence';
import { GPT2Training } from './gpt2-train';
import type { StepRecord, TrainOptions } from './run-options';
import { RepeatSpans, type RepeatSpanOptions } from './repeat-windows';
import {
  figuresByKind,
  inContextPoint,
  runOnTrainer,
  type InContextPoint,
  type RepeatProbe,
} from './in-context';
import { scheduledLearningRate } from './schedule';
import { compactStarts, idsCounted, type SentenceStarts } from './sentence-starts';
import {
  cpuTrainer,
  CpuTrainingStep,
  GpuTrainingStep,
  StepWithFallback,
  type CpuTrainer,
  type OnDeviceLost,
  type TrainingStep,
  type UpdateRule,
} from './training-step';
import type { TrainingState } from './training-state';
import {
  buildTrainVocab,
  compactConfig,
  compactWeights,
  sharedRowLogitBias,
  sharedRowSpan,
  toCompactIds,
  type TrainVocab,
} from './vocab';

/** What a run needs of its options (TrainOptions, or a Train view preset turned into them). */
export type RunSettings = Pick<
  TrainOptions,
  | 'seed'
  | 'steps'
  | 'batch'
  | 'seq'
  | 'lr'
  | 'minLrFraction'
  | 'warmupSteps'
  | 'weightDecay'
  | 'gradClip'
  | 'nEmbd'
  | 'nLayer'
  | 'nHead'
  | 'nPositions'
  | 'minCount'
  | 'valWindows'
  | 'positionInit'
> & {
  /** Rows that end by repeating a span of themselves (the Induction preset); off when absent. */
  repeatSpans?: RepeatSpanOptions;
  /** What a diverged run's message tells people to change; npm run train's flags when absent. */
  divergenceAdvice?: string;
};

/** The text of a run as GPT-2 ids: what it trains on, what it holds out, and where windows start (or anywhere). */
export interface RunText {
  trainIds: Int32Array;
  heldOutIds: Int32Array;
  starts: SentenceStarts | null;
}

/** A GPT-2 config of the run's shape over GPT-2's full vocabulary. */
export function modelConfig(o: Pick<RunSettings, 'nPositions' | 'nEmbd' | 'nLayer' | 'nHead'>): GPT2Config {
  return {
    vocabSize: GPT2_VOCAB_SIZE,
    nPositions: o.nPositions,
    nEmbd: o.nEmbd,
    nLayer: o.nLayer,
    nHead: o.nHead,
    layerNormEpsilon: 1e-5,
    activation: 'gelu_new',
  };
}

/**
 * The Transformer paper's position code as a starting point for the trainable position embeddings: row p holds
 * sin(p·ω_i), cos(p·ω_i) for ω_i = 10000^(−2i/C). Moving one position on is then the same rotation for every p,
 * so one fixed query–key map can pick out "the token just before" anywhere in the text, which random starting
 * rows do not offer. Scaled so that a row's length matches a GPT-2 N(0, 0.02) row's (0.02·√C).
 */
export function sinusoidalPositions(nPositions: number, nEmbd: number): Float32Array {
  const out = new Float32Array(nPositions * nEmbd);
  const amplitude = 0.02 * Math.SQRT2; // C/2 pairs of sin² + cos² = 1 give 0.02·√C per row
  for (let p = 0; p < nPositions; p++) {
    for (let i = 0; i + 1 < nEmbd; i += 2) {
      const angle = p / Math.pow(10000, i / nEmbd);
      out[p * nEmbd + i] = amplitude * Math.sin(angle);
      out[p * nEmbd + i + 1] = amplitude * Math.cos(angle);
    }
  }
  return out;
}

/** `start` when it has the shape of `config`, else an error that names what differs. */
function checkedStart(start: GPT2Weights, config: GPT2Config): GPT2Weights {
  const keys = ['nLayer', 'nHead', 'nEmbd', 'nPositions'] as const;
  const differ = keys.filter((k) => start.config[k] !== config[k]);
  if (differ.length)
    throw new Error(
      `the starting model's shape differs from the run's: ${differ.map((k) => `${k} ${start.config[k]}, not ${config[k]}`).join('; ')}`,
    );
  return start;
}

/** Learning rate at `step`: linear warm-up, then cosine down to lr · minLrFraction at the last step. */
export const learningRate = (step: number, o: RunSettings): number => scheduledLearningRate(step, o);

export class TrainingRun {
  readonly vocab: TrainVocab;
  readonly cpu: CpuTrainer;
  readonly rule: UpdateRule;
  readonly heldOut: Int32Array; // compact ids
  readonly valStarts: number[];
  readonly records: StepRecord[] = [];
  readonly validation: { step: number; loss: number }[] = [];
  /** The in-context figures measured along the run (measureInContext). */
  readonly inContext: InContextPoint[] = [];
  /** Training seconds of the runs this one resumed. */
  earlierSeconds = 0;
  private readonly sampler: BatchSampler;
  private readonly repeats: RepeatSpans | null;
  private stepper: TrainingStep;
  private readonly cpuStep: CpuTrainingStep;

  /**
   * `kernels` run every CPU step and measurement; they are the caller's to choose and to dispose. `start`, a
   * full-vocabulary model of the run's shape trained on the same vocabulary, replaces the seeded random weights
   * (AdamW's moments still start at zero).
   */
  constructor(
    text: RunText,
    readonly o: RunSettings,
    kernels: CpuKernels,
    start?: GPT2Weights,
  ) {
    const { trainIds, heldOutIds, starts } = text;
    // A start's no-space first word is an occurrence of that token in the training text, so it counts.
    this.vocab = buildTrainVocab(
      starts ? idsCounted(trainIds, starts) : trainIds,
      GPT2_VOCAB_SIZE,
      o.minCount,
    );
    const trainCompact = toCompactIds(trainIds.slice(), this.vocab);
    this.heldOut = toCompactIds(heldOutIds.slice(), this.vocab);
    this.valStarts = validationWindows(this.heldOut, o.seq, o.valWindows);
    const initial = start
      ? compactWeights(checkedStart(start, modelConfig(o)), this.vocab)
      : randomGPT2Weights(compactConfig(modelConfig(o), this.vocab), o.seed);
    if (!start && o.positionInit === 'sinusoidal')
      initial.wpe.set(sinusoidalPositions(o.nPositions, o.nEmbd));
    const training = new GPT2Training(initial, o.batch, o.seq, sharedRowLogitBias(this.vocab), kernels);
    this.rule = {
      weightDecay: o.weightDecay,
      decay: 'matrices',
      gradClip: o.gradClip,
      tied: sharedRowSpan(this.vocab, o.nEmbd),
    };
    this.cpu = cpuTrainer(training, this.rule);
    this.sampler = new BatchSampler(trainCompact, o.seed + 1, starts && compactStarts(starts, this.vocab));
    // Its own seed, so a run without repeats draws exactly the batches it always did.
    this.repeats = o.repeatSpans ? new RepeatSpans(o.repeatSpans, o.seed + 2) : null;
    this.cpuStep = new CpuTrainingStep(this.cpu, this.rule);
    this.stepper = this.cpuStep;
  }

  /** The CPU trainer's model: the current weights (compact vocabulary) and the batch arrays. */
  get training(): GPT2Training {
    return this.cpu.training;
  }

  /** Steps finished so far. */
  get stepsDone(): number {
    return this.cpu.optimizer.step;
  }

  get done(): boolean {
    return this.stepsDone >= this.o.steps;
  }

  /** What runs the steps, for people. */
  get where(): string {
    return this.stepper.where;
  }

  /** Whether the steps run on the GPU (until its device is lost). */
  get onGpu(): boolean {
    return this.stepper instanceof StepWithFallback && this.stepper.onGpu;
  }

  /**
   * Moves the steps to `device` from the run's current state; a lost device later moves them back to the CPU
   * (see StepWithFallback) and `onLost` says so. Throws, leaving the run on the CPU, if the GPU cannot hold it.
   */
  useGpu(device: GPUDevice, adapterName: string, onLost: OnDeviceLost): void {
    const { training } = this.cpu;
    const gpuTraining = new GpuTraining(device, training.weights, training.B, training.T, training.logitBias);
    const gpu = new GpuTrainingStep(gpuTraining, this.cpu, this.rule, adapterName);
    gpu.restore();
    this.stepper = new StepWithFallback(gpu, this.cpuStep, device, onLost, () => this.stepsDone);
  }

  /** One step: a batch, forward, backward, untie, clip, AdamW, at the schedule's learning rate. */
  async step(): Promise<StepRecord> {
    const step = this.stepsDone;
    const lr = learningRate(step, this.o);
    this.sampler.fill(this.cpu.training);
    this.repeats?.apply(this.cpu.training);
    const { loss, gradNorm } = await this.stepper.step(lr);
    checkLoss(loss, step, this.o.divergenceAdvice ?? TRAINING_ADVICE);
    const record = { step, loss, lr, gradNorm: gradNorm ?? NaN };
    this.records.push(record);
    return record;
  }

  /** Mean loss over the held-out windows, under the current weights (kept in the log when `keep`). */
  validationLoss(keep = false): number {
    const loss = meanLossOver(this.cpu.training, this.heldOut, this.valStarts);
    if (keep) this.validation.push({ step: this.stepsDone, loss });
    return loss;
  }

  /** Each kind of probe's in-context gain and strongest heads under the current weights, kept in `inContext`. */
  measureInContext(probes: readonly RepeatProbe[]): InContextPoint {
    const { training } = this.cpu;
    const { nLayer, nHead } = training.weights.config;
    const runs = runOnTrainer(training, this.vocab, probes);
    const step = this.stepsDone;
    const point = inContextPoint(
      step,
      step * training.B * training.T,
      figuresByKind(probes, runs, nLayer, nHead),
    );
    this.inContext.push(point);
    return point;
  }

  /** Carries on from a saved state: weights, moments, step count, records and the batches already drawn. */
  resume(state: TrainingState): void {
    const { training, optimizer } = this.cpu;
    if (state.values.length !== training.params.values.length)
      throw new Error('the saved training state does not fit this model; delete it to restart');
    training.params.values.set(state.values);
    optimizer.m.set(state.m);
    optimizer.v.set(state.v);
    optimizer.step = state.step;
    // One by one, not push(...records): a spread of a long run's records overflows the stack.
    for (const record of state.records) this.records.push(record);
    for (const point of state.validation) this.validation.push(point);
    for (const point of state.inContext) this.inContext.push(point);
    this.earlierSeconds = state.seconds;
    for (let step = 0; step < state.step; step++) {
      this.sampler.skip(training.B);
      this.repeats?.skip(training.B);
    }
    this.stepper.restore();
  }

  /** The state after the steps done so far (copies), under `options`, `seconds` of training in all. */
  state(options: TrainOptions, seconds: number): TrainingState {
    const { training, optimizer } = this.cpu;
    return {
      options,
      step: this.stepsDone,
      records: this.records.slice(),
      validation: this.validation.slice(),
      inContext: this.inContext.slice(),
      seconds,
      values: training.params.values.slice(),
      m: optimizer.m.slice(),
      v: optimizer.v.slice(),
    };
  }

  /** Frees the GPU's copy, if any (the CPU kernels stay the caller's). */
  dispose(): void {
    this.stepper.dispose();
  }
}
