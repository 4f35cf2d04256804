// The page's training run, one step at a time: the same pieces as trainModel in train-run.ts (compact vocabulary,
// GPT2Training, clipped AdamW over the shared-row span, seeded batches from sentence starts, held-out loss), but
// driven from outside so the Train view can pause, resume, look at the attention between steps, and save
// whenever it likes.

import type { GPT2Config } from '../model/config';
import type { CpuKernels } from '../model/cpu/kernels';
import { cpuForward } from '../model/cpu/forward';
import {
  inductionHeadScores,
  inductionProbe,
  textHeadScores,
  type HeadGrid,
  type TextHeadScores,
} from '../model/head-detectors';
import { randomGPT2Weights } from '../model/random';
import { ComputeThreadError } from '../model/wasm/thread-pool';
import { GpuTraining } from '../model/webgpu/training/gpu-training';
import { parameterCount, type GPT2Weights } from '../model/weights';
import { END_OF_TEXT_ID, GPT2_VOCAB_SIZE } from '../tokenizer/gpt2-vocab';
import { AdamW, clipGradNorm, untieGradients, type TiedSpan } from './adamw';
import { BatchSampler, meanLossOver, validationWindows } from './data';
import { GPT2Training } from './gpt2-train';
import { flatView, tensorOfBufferKey } from './params';
import { scheduledLearningRate } from './schedule';
import { compactStarts, coveredShare, findSentenceStarts, idsCounted } from './sentence-starts';
import type { TrainPreset } from './train-presets';
import type { StepRecord } from './run-options';

export type { StepRecord } from './run-options';
import {
  buildTrainVocab,
  compactConfig,
  expandWeights,
  sharedRowLogitBias,
  sharedRowSpan,
  toCompactIds,
  type TrainVocab,
} from './vocab';

export { presetById, TRAIN_PRESETS, type TrainPreset } from './train-presets';

/** Text that cannot make one batch and one held-out window; the message says what is missing. */
export class TrainTextError extends Error {}

/** The held-out tail of a token stream: a tenth of it, and at least one window of T + 1 tokens. */
export function splitHeldOutTail(ids: Int32Array, T: number): { train: Int32Array; heldOut: Int32Array } {
  if (ids.length === 0) throw new TrainTextError('The text is empty: there is nothing to train on.');
  const heldOut = Math.max(Math.ceil(ids.length / 10), T + 1);
  const needed = heldOut + T + 1;
  if (ids.length < needed) {
    throw new TrainTextError(
      `The text is too short for one batch: it has ${ids.length} tokens, and this model needs at least ` +
        `${Math.max(needed, 2 * (T + 1) + 1)} (a window of ${T + 1} to train on, and its last tenth, at least ` +
        `${T + 1} tokens, held out for the validation loss).`,
    );
  }
  return { train: ids.subarray(0, ids.length - heldOut), heldOut: ids.subarray(ids.length - heldOut) };
}

/** What the head detectors say about every head at one moment. */
export interface SnapshotScores extends TextHeadScores {
  induction: HeadGrid | null;
}

/** GPT2Config of a preset over GPT-2's full vocabulary. */
export function presetConfig(p: TrainPreset): GPT2Config {
  return {
    vocabSize: GPT2_VOCAB_SIZE,
    nPositions: p.seq,
    nEmbd: p.nEmbd,
    nLayer: p.nLayer,
    nHead: p.nHead,
    layerNormEpsilon: 1e-5,
    activation: 'gelu_new',
  };
}

/** The share of the training text that windows from sentence starts must read for the trainer to use them. Long
 * sentences leave their tails past the context unread: the English sample's windows of 32 read 86% of it, of 64
 * 98%; a text with few sentence ends reads far less and trains on windows from anywhere. */
export const MIN_COVERED_SHARE = 0.8;

export class BrowserTraining {
  readonly vocab: TrainVocab;
  readonly training: GPT2Training;
  readonly optimizer: AdamW;
  readonly trainTokens: number;
  readonly heldOutTokens: number;
  /** Where training windows start: at sentences (as npm run train), or anywhere when those would leave much
   * of the text unread. */
  readonly windowStarts: 'sentences' | 'any';
  private readonly tied: TiedSpan[];
  private readonly sampler: BatchSampler;
  private readonly heldOut: Int32Array; // compact ids
  private readonly valStarts: number[];

  /**
   * `ids` are the whole text's GPT-2 ids; its last tenth is held out. A token gets its own embedding row when
   * the training part has it `minCount` times. Throws TrainTextError when the text is too short.
   */
  constructor(
    ids: Int32Array,
    readonly preset: TrainPreset,
    readonly seed: number,
    minCount: number,
    readonly kernels: CpuKernels,
  ) {
    const { train, heldOut } = splitHeldOutTail(ids, preset.seq);
    this.trainTokens = train.length;
    this.heldOutTokens = heldOut.length;
    // As npm run train does, windows start at sentences, first word unspaced, so a sentence typed into the page
    // reads as the model trained; but not where that would leave much of the text unread (a text of a few long
    // sentences, or none), since a window reads only T tokens from its start.
    const found = findSentenceStarts(train, preset.seq, END_OF_TEXT_ID);
    const starts =
      coveredShare(found.positions, preset.seq, train.length) >= MIN_COVERED_SHARE ? found : null;
    this.windowStarts = starts ? 'sentences' : 'any';
    this.vocab = buildTrainVocab(starts ? idsCounted(train, starts) : train, GPT2_VOCAB_SIZE, minCount);
    const trainCompact = toCompactIds(train.slice(), this.vocab);
    this.heldOut = toCompactIds(heldOut.slice(), this.vocab);
    this.valStarts = validationWindows(this.heldOut, preset.seq, preset.valWindows);
    const initial = randomGPT2Weights(compactConfig(presetConfig(preset), this.vocab), seed);
    this.training = new GPT2Training(
      initial,
      preset.batch,
      preset.seq,
      sharedRowLogitBias(this.vocab),
      kernels,
    );
    this.optimizer = new AdamW(
      this.training.params,
      { weightDecay: 0.1, decay: 'matrices' },
      this.training.kernels,
    );
    this.tied = sharedRowSpan(this.vocab, preset.nEmbd);
    this.sampler = new BatchSampler(trainCompact, seed + 1, starts && compactStarts(starts, this.vocab));
  }

  /** Steps finished so far. */
  get stepsDone(): number {
    return this.optimizer.step;
  }

  get done(): boolean {
    return this.stepsDone >= this.preset.steps;
  }

  /** Parameters of the saved model (full vocabulary). */
  get parameters(): number {
    return parameterCount(presetConfig(this.preset));
  }

  /**
   * One step: a batch, forward, backward, clip, AdamW (as trainModel's loop). `sameBatch` runs the step again
   * on the batch already filled in (a GPU step that failed before its results came back).
   */
  step(sameBatch = false): StepRecord {
    const step = this.stepsDone;
    const lr = this.learningRate(step);
    if (!sameBatch) this.sampler.fill(this.training);
    const loss = this.forwardBackward();
    untieGradients(this.training.params.grads, this.tied);
    const gradNorm = clipGradNorm(this.training.params.grads, 1, this.tied);
    this.optimizer.update(lr);
    return { step, loss, lr, gradNorm };
  }

  private learningRate(step: number): number {
    return scheduledLearningRate(step, { ...this.preset, minLrFraction: 0.1 });
  }

  /** The GPU's copy of the model and its AdamW moments, once `useGpu` has made it. */
  private gpu: GpuTraining | null = null;

  /** Moves the steps to `device`, starting from the CPU trainer's current values, moments and step count. */
  useGpu(device: GPUDevice): void {
    const { params } = this.training;
    const gpu = new GpuTraining(
      device,
      this.training.weights,
      this.preset.batch,
      this.preset.seq,
      sharedRowLogitBias(this.vocab),
    );
    const views = {
      value: flatView(params, params.values),
      m: flatView(params, this.optimizer.m),
      v: flatView(params, this.optimizer.v),
    };
    gpu.restore(this.optimizer.step, (what, key) => tensorOfBufferKey(views[what], key));
    this.gpu = gpu;
  }

  /** Whether the steps run on the GPU. */
  get onGpu(): boolean {
    return this.gpu !== null;
  }

  /** Stops using the GPU (its device was lost): the CPU trainer goes on from the last step it read back. */
  leaveGpu(): void {
    try {
      this.gpu?.dispose();
    } catch {
      // a lost device's buffers may refuse to be destroyed; they are gone with it anyway
    }
    this.gpu = null;
  }

  /**
   * One step on the GPU: the same batch, learning rate, clipping and AdamW as `step`. Afterwards the values and
   * both AdamW moments are read back into the CPU trainer (every step: the presets are small), so the held-out
   * loss, attention and head scores read the current weights, and a lost device leaves nothing behind: the CPU
   * goes on from the last finished step. Until every read-back has arrived nothing on the CPU side changes, so
   * a step that fails on the way can be run again on the CPU with `step(true)`.
   */
  async stepOnGpu(): Promise<StepRecord> {
    const gpu = this.gpu;
    if (!gpu) throw new Error('the GPU is not in use');
    const step = this.stepsDone;
    const lr = this.learningRate(step);
    const { training, optimizer } = this;
    this.sampler.fill(training);
    const adamw = optimizer.gpuOptions;
    const loss = await gpu.forward(training.inputs, training.targets);
    await gpu.backward();
    const gradNorm = (await gpu.update(lr, adamw, 1, this.tied))!;
    const read = [
      ['value', training.params.values, await gpu.read('value')],
      ['m', optimizer.m, await gpu.read('m')],
      ['v', optimizer.v, await gpu.read('v')],
    ] as const;
    for (const [, flat, tensors] of read) {
      const view = flatView(training.params, flat);
      for (const [key, data] of tensors) tensorOfBufferKey(view, key).set(data);
    }
    optimizer.step = gpu.updates;
    return { step, loss, lr, gradNorm };
  }

  /** If a compute thread dies, the kernels go on alone and the pass runs again on the same batch. */
  private forwardBackward(): number {
    try {
      const loss = this.training.forward();
      this.training.backward();
      return loss;
    } catch (error) {
      if (!(error instanceof ComputeThreadError)) throw error;
      const loss = this.training.forward();
      this.training.backward();
      return loss;
    }
  }

  /** Mean loss over the held-out windows. */
  validationLoss(): number {
    return meanLossOver(this.training, this.heldOut, this.valStarts);
  }

  /** Every layer's (NH, T, T) attention weights for GPT-2 ids (cut to the context) under the current weights. */
  attention(fullIds: readonly number[]): Float32Array[] {
    const ids = fullIds.slice(0, this.preset.seq).map((id) => this.vocab.toCompact[id]);
    const names = Array.from({ length: this.preset.nLayer }, (_, l) => `h${l}.attn_weights`);
    const tensors = cpuForward(this.training.weights, ids, { include: names, logits: 'none' }, this.kernels);
    return names.map((name) => tensors[name].data);
  }

  /** The head detectors on the sentence's attention, and the induction probe (seeded, so every snapshot
   * measures the same tokens). */
  scores(fullIds: readonly number[], layers: readonly Float32Array[]): SnapshotScores {
    const ids = fullIds.slice(0, this.preset.seq);
    const text = textHeadScores(layers, this.preset.nHead, ids);
    let induction: HeadGrid | null = null;
    try {
      const probe = inductionProbe(this.training.weights.wte, this.training.weights.config, 1);
      const names = Array.from({ length: this.preset.nLayer }, (_, l) => `h${l}.attn_weights`);
      const tensors = cpuForward(
        this.training.weights,
        probe.ids,
        { include: names, logits: 'none' },
        this.kernels,
      );
      induction = inductionHeadScores(
        names.map((n) => tensors[n].data),
        this.preset.nHead,
        probe.repeatLength,
      );
    } catch (error) {
      if (!(error instanceof RangeError)) throw error; // too few tokens of their own for the probe
    }
    return { ...text, induction };
  }

  /** The model so far over GPT-2's full vocabulary, ready to save. */
  fullWeights(): GPT2Weights {
    return expandWeights(this.training.weights, this.vocab);
  }

  dispose(): void {
    this.leaveGpu();
    this.kernels.dispose();
  }
}
