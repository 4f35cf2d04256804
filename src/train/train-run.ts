// Trains a GPT-2 from seeded random weights on English text (or the generated stories): warm-up then cosine
// learning rate, AdamW, gradient clipping, held-out loss now and then. One seed fixes the weights and the
// batches (and the stories); a run can stop after any step and resume with the same bits.

import type { GPT2Config } from '../model/config';
import { randomGPT2Weights } from '../model/random';
import type { GPT2Weights } from '../model/weights';
import { AdamW, clipGradNorm, untieGradients, type TiedSpan } from './adamw';
import { BatchSampler, meanLossOver, validationWindows } from './data';
import type { CpuKernels } from '../model/cpu/kernels';
import { createSyncKernels } from '../model/wasm/select';
import { ComputeThreadError } from '../model/wasm/thread-pool';
import { GPT2Training } from './gpt2-train';
import {
  buildTrainVocab,
  compactConfig,
  expandWeights,
  sharedRowLogitBias,
  sharedRowSpan,
  toCompactIds,
  type TrainVocab,
} from './vocab';
import { scheduledLearningRate } from './schedule';
import { END_OF_TEXT, trainingText, type CorpusName } from './training-text';
import { compactStarts, findSentenceStarts, idsCounted } from './sentence-starts';
import type { TrainingState } from './training-state';
import { checkLoss, TRAINING_ADVICE } from './divergence';

/** How the position embeddings start: GPT-2's N(0, 0.02), or sine and cosine waves (see sinusoidalPositions). */
export type PositionInit = 'normal' | 'sinusoidal';
export const POSITION_INITS: readonly PositionInit[] = ['normal', 'sinusoidal'];

/** Where training windows start: at any token, or at a sentence, written as a text's first word is (see
 * sentence-starts.ts). */
export type WindowStartRule = 'any' | 'sentences';
export const WINDOW_START_RULES: readonly WindowStartRule[] = ['any', 'sentences'];

export interface TrainOptions {
  corpus: CorpusName;
  positionInit: PositionInit;
  windowStarts: WindowStartRule;
  /** A token gets its own embedding row when the training text has it at least this often. */
  minCount: number;
  seed: number;
  steps: number;
  batch: number; // B
  seq: number; // T
  lr: number; // peak learning rate
  minLrFraction: number; // the cosine ends at lr · minLrFraction
  warmupSteps: number;
  weightDecay: number; // on matrices and embeddings only
  gradClip: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nPositions: number;
  stories: number; // lines of the stories corpus, a tenth held out
  evalEvery: number;
  valWindows: number; // held-out windows of T+1 tokens measured every evalEvery steps
}

/** The options of the shipped default model (public/models/default/training-log.json). */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  corpus: 'english',
  positionInit: 'normal',
  windowStarts: 'sentences',
  minCount: 32,
  seed: 1337,
  steps: 18500,
  batch: 4,
  seq: 128,
  lr: 3e-3,
  minLrFraction: 0.1,
  warmupSteps: 100,
  weightDecay: 0.1,
  gradClip: 1,
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  nPositions: 128,
  stories: 30000,
  evalEvery: 250,
  valWindows: 64,
};

export const GPT2_VOCAB_SIZE = 50257;

export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
}

export interface TrainResult {
  /** The trained model over GPT-2's full vocabulary, ready to write out. */
  weights: GPT2Weights;
  vocab: TrainVocab;
  steps: StepRecord[];
  validation: { step: number; loss: number }[];
  trainIds: Int32Array; // full ids
  valIds: Int32Array; // full ids of the held-out text
  valStarts: number[];
  /** The trainer, still holding the final weights (compact vocabulary), for held-out measurements. */
  training: GPT2Training;
  corpus: Record<string, unknown>;
  seconds: number;
}

/** What a run can be told besides its options: a state to resume from, and where to save states. */
export interface TrainHooks {
  onStep?: (record: StepRecord, valLoss?: number) => void;
  /** Resumes after the state's last step; its options must equal the run's. */
  resume?: TrainingState | null;
  /** Called after every `every` steps and after the last one, with the state so far. */
  checkpoint?: { every: number; save: (state: TrainingState) => void };
}

/**
 * One forward and backward pass. If a compute thread dies, the kernels go on with this thread alone and the
 * pass is run again: it starts from the same weights and batch, so the numbers are the same.
 */
function forwardBackward(training: GPT2Training, step: number): number {
  const pass = () => {
    const loss = training.forward();
    checkLoss(loss, step, TRAINING_ADVICE);
    training.backward();
    return loss;
  };
  try {
    return pass();
  } catch (error) {
    if (!(error instanceof ComputeThreadError)) throw error;
    return pass();
  }
}

/** Learning rate at `step`: linear warm-up, then cosine down to lr · minLrFraction at the last step. */
export const learningRate = (step: number, o: TrainOptions): number => scheduledLearningRate(step, o);

export function modelConfig(o: TrainOptions): GPT2Config {
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

/** Options equal field by field (a resumed run must continue the same run). */
const sameOptions = (a: TrainOptions, b: TrainOptions) =>
  Object.keys(a).length === Object.keys(b).length &&
  (Object.keys(a) as (keyof TrainOptions)[]).every((k) => a[k] === b[k]);

/** Everything a run sets up before its first step, on either backend; a resumed run's state already in. */
export interface PreparedRun {
  vocab: TrainVocab;
  trainIds: Int32Array; // full ids
  valIds: Int32Array; // full ids of the held-out text
  valCompact: Int32Array;
  valStarts: number[];
  corpus: Record<string, unknown>;
  /** The CPU trainer: the weights, the batch arrays the sampler fills, and the held-out measurements. */
  training: GPT2Training;
  optimizer: AdamW;
  tied: TiedSpan[];
  sampler: BatchSampler;
  steps: StepRecord[];
  validation: { step: number; loss: number }[];
  earlierSeconds: number;
}

export function prepareRun(
  o: TrainOptions,
  resume: TrainingState | null | undefined,
  kernels: CpuKernels,
): PreparedRun {
  if (resume && !sameOptions(resume.options, o))
    throw new Error('the saved training state comes from a run with other options; delete it to restart');
  const text = trainingText(o.corpus, o.seed, o.stories);
  const { trainIds, heldOutIds: valIds } = text;
  const starts = o.windowStarts === 'sentences' ? findSentenceStarts(trainIds, o.seq, END_OF_TEXT) : null;
  // A start's no-space first word is an occurrence of that token in the training text, so it counts.
  const counted = starts ? idsCounted(trainIds, starts) : trainIds;
  const vocab = buildTrainVocab(counted, GPT2_VOCAB_SIZE, o.minCount);
  const trainCompact = toCompactIds(trainIds.slice(), vocab);
  const valCompact = toCompactIds(valIds.slice(), vocab);
  const valStarts = validationWindows(valCompact, o.seq, o.valWindows);

  const initial = randomGPT2Weights(compactConfig(modelConfig(o), vocab), o.seed);
  if (o.positionInit === 'sinusoidal') initial.wpe.set(sinusoidalPositions(o.nPositions, o.nEmbd));
  const training = new GPT2Training(initial, o.batch, o.seq, sharedRowLogitBias(vocab), kernels);
  const optimizer = new AdamW(
    training.params,
    { weightDecay: o.weightDecay, decay: 'matrices' },
    training.kernels,
  );
  const sampler = new BatchSampler(trainCompact, o.seed + 1, starts && compactStarts(starts, vocab));
  const run: PreparedRun = {
    vocab,
    trainIds,
    valIds,
    valCompact,
    valStarts,
    corpus: starts
      ? {
          ...text.description,
          windowStarts: {
            rule: 'training windows start at a sentence, its first word written as at the start of a text (no space before it)',
            starts: starts.positions.length,
            unspacedFirstWords: counted.length - trainIds.length,
          },
        }
      : text.description,
    training,
    optimizer,
    tied: sharedRowSpan(vocab, o.nEmbd),
    sampler,
    steps: [],
    validation: [],
    earlierSeconds: 0,
  };
  if (resume) {
    if (resume.values.length !== training.params.values.length)
      throw new Error('the saved training state does not fit this model; delete it to restart');
    training.params.values.set(resume.values);
    optimizer.m.set(resume.m);
    optimizer.v.set(resume.v);
    optimizer.step = resume.step;
    // concat, not push(...records): a spread of a long run's records overflows the stack.
    run.steps = run.steps.concat(resume.records);
    run.validation = run.validation.concat(resume.validation);
    run.earlierSeconds = resume.seconds;
    for (let step = 0; step < resume.step; step++) sampler.skip(training.B);
  }
  return run;
}

/** Whether step `step` (from 0) ends with a held-out measurement and a saved state. */
export const isEvalStep = (step: number, o: TrainOptions) =>
  (step + 1) % o.evalEvery === 0 || step === o.steps - 1;

/** The state after `step` finished steps, from the CPU trainer's arrays (copies). */
export function stateOf(o: TrainOptions, run: PreparedRun, step: number, seconds: number): TrainingState {
  return {
    options: o,
    step,
    records: run.steps.slice(),
    validation: run.validation.slice(),
    seconds,
    values: run.training.params.values.slice(),
    m: run.optimizer.m.slice(),
    v: run.optimizer.v.slice(),
  };
}

/** The result once the CPU trainer holds the final weights. */
export function finishRun(run: PreparedRun, seconds: number): TrainResult {
  return {
    weights: expandWeights(run.training.weights, run.vocab),
    vocab: run.vocab,
    steps: run.steps,
    validation: run.validation,
    trainIds: run.trainIds,
    valIds: run.valIds,
    valStarts: run.valStarts,
    training: run.training,
    corpus: run.corpus,
    seconds,
  };
}

/**
 * Trains a model from `o`. `kernels` run the heavy work (WebAssembly SIMD on this thread by default; any
 * thread count gives the same bits, so the same file).
 */
export function trainModel(
  o: TrainOptions,
  hooks: TrainHooks = {},
  kernels: CpuKernels = createSyncKernels(),
): TrainResult {
  const started = performance.now();
  const { resume, checkpoint, onStep = () => {} } = hooks;
  const run = prepareRun(o, resume, kernels);
  const { training, optimizer, tied, sampler, steps, validation } = run;
  const seconds = () => run.earlierSeconds + (performance.now() - started) / 1000;

  for (let step = steps.length; step < o.steps; step++) {
    const lr = learningRate(step, o);
    sampler.fill(training);
    const loss = forwardBackward(training, step);
    untieGradients(training.params.grads, tied);
    const gradNorm = clipGradNorm(training.params.grads, o.gradClip, tied);
    optimizer.update(lr);
    const record = { step, loss, lr, gradNorm };
    steps.push(record);
    let valLoss: number | undefined;
    if (isEvalStep(step, o)) {
      valLoss = meanLossOver(training, run.valCompact, run.valStarts);
      validation.push({ step: step + 1, loss: valLoss });
    }
    onStep(record, valLoss);
    if (checkpoint && ((step + 1) % checkpoint.every === 0 || step + 1 === o.steps)) {
      checkpoint.save(stateOf(o, run, step + 1, seconds()));
    }
  }
  return finishRun(run, seconds());
}
