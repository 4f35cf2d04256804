// The Train view's run, one step at a time: npm run train's TrainingRun (compact vocabulary, seeded batches from
// sentence starts, the schedule, clipped AdamW, the GPU step with its fallback) on a text of the page's, driven
// from outside so the view can pause, resume, look at the attention between steps, and save whenever it likes.

import type { GPT2Config } from '../model/config';
import type { CpuKernels } from '../model/cpu/kernels';
import { PAGE_TRAINING_ADVICE } from './divergence';
import { cpuForward } from '../model/cpu/forward';
import {
  inductionHeadScores,
  inductionProbe,
  textHeadScores,
  type HeadGrid,
  type TextHeadScores,
} from '../model/head-detectors';
import { parameterCount, type GPT2Weights } from '../model/weights';
import { END_OF_TEXT_ID } from '../tokenizer/gpt2-vocab';
import type { AdamW } from './adamw';
import type { GPT2Training } from './gpt2-train';
import type { StepRecord } from './run-options';
import { measureRepeats, repeatedWindows, type RepeatMeasure } from './repeat-windows';
import { coveredShare, findSentenceStarts } from './sentence-starts';
import type { TrainPreset } from './train-presets';
import { modelConfig, TrainingRun, type RunSettings } from './training-run';
import type { OnDeviceLost } from './training-step';
import { expandWeights, type TrainVocab } from './vocab';

export type { StepRecord } from './run-options';

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
  return modelConfig({ nPositions: p.seq, nEmbd: p.nEmbd, nLayer: p.nLayer, nHead: p.nHead });
}

/** A preset's run: its own sizes, schedule, weight decay and clip, and the page's seed and vocabulary rule. */
export function presetSettings(p: TrainPreset, seed: number, minCount: number): RunSettings {
  return {
    seed,
    steps: p.steps,
    batch: p.batch,
    seq: p.seq,
    lr: p.lr,
    minLrFraction: p.minLrFraction,
    warmupSteps: p.warmupSteps,
    weightDecay: p.weightDecay,
    gradClip: p.gradClip,
    nEmbd: p.nEmbd,
    nLayer: p.nLayer,
    nHead: p.nHead,
    nPositions: p.seq,
    minCount,
    valWindows: p.valWindows,
    positionInit: p.positionInit ?? 'normal',
    ...(p.repeatSpans && { repeatSpans: p.repeatSpans }),
    divergenceAdvice: PAGE_TRAINING_ADVICE,
  };
}

/** The share of the training text that windows from sentence starts must read for the trainer to use them. Long
 * sentences leave their tails past the context unread: the English sample's windows of 32 read 86% of it, of 64
 * 98%; a text with few sentence ends reads far less and trains on windows from anywhere. */
export const MIN_COVERED_SHARE = 0.8;

export class BrowserTraining {
  /** The run itself: the same TrainingRun as npm run train's, on this text and preset. */
  readonly run: TrainingRun;
  readonly trainTokens: number;
  readonly heldOutTokens: number;
  /** Where training windows start: at sentences (as npm run train), or anywhere when those would leave much
   * of the text unread. */
  readonly windowStarts: 'sentences' | 'any';

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
    this.run = new TrainingRun(
      { trainIds: train, heldOutIds: heldOut, starts },
      presetSettings(preset, seed, minCount),
      kernels,
    );
  }

  get vocab(): TrainVocab {
    return this.run.vocab;
  }

  /** The CPU trainer's model: the current weights (read back from the GPU after each of its steps). */
  get training(): GPT2Training {
    return this.run.training;
  }

  get optimizer(): AdamW {
    return this.run.cpu.optimizer;
  }

  /** Steps finished so far. */
  get stepsDone(): number {
    return this.run.stepsDone;
  }

  get done(): boolean {
    return this.run.done;
  }

  /** Parameters of the saved model (full vocabulary). */
  get parameters(): number {
    return parameterCount(presetConfig(this.preset));
  }

  /** One step (npm run train's step): on the GPU after useGpu, until its device is lost, else on the CPU. */
  step(): Promise<StepRecord> {
    return this.run.step();
  }

  /** Moves the steps to `device` from the current state; `onLost` is told if the device goes later. */
  useGpu(device: GPUDevice, adapterName: string, onLost: OnDeviceLost): void {
    this.run.useGpu(device, adapterName, onLost);
  }

  /** Whether the steps run on the GPU. */
  get onGpu(): boolean {
    return this.run.onGpu;
  }

  /** What runs the steps, for people. */
  get where(): string {
    return this.run.where;
  }

  /** Mean loss over the held-out windows. */
  validationLoss(): number {
    return this.run.validationLoss();
  }

  /** Held-out windows whose second half repeats the first, made on first use. */
  private repeatWindows: Int32Array[] | null = null;

  /** The in-context gain and every head's induction and previous-token scores on held-out text read twice. */
  repeatMeasure(): RepeatMeasure {
    this.repeatWindows ??= repeatedWindows(this.run.heldOut, this.preset.seq, this.preset.valWindows);
    return measureRepeats(this.training, this.repeatWindows);
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
    this.run.dispose();
    this.kernels.dispose();
  }
}
