// Trains a GPT-2 from seeded random weights on the generated corpus: warm-up then cosine learning rate, AdamW,
// gradient clipping, validation now and then. One seed fixes the corpus, the weights and the batches.

import type { GPT2Config } from '../model/config';
import { randomGPT2Weights } from '../model/random';
import type { GPT2Weights } from '../model/weights';
import { AdamW, clipGradNorm, untieGradients } from './adamw';
import { generateCorpus } from './corpus';
import { BatchSampler, encodeLines, meanLossOver, validationWindows } from './data';
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

export interface TrainOptions {
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
  stories: number; // lines of corpus, a tenth held out
  evalEvery: number;
  valWindows: number; // validation windows of T+1 tokens
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 1337,
  steps: 2500,
  batch: 4,
  seq: 128,
  lr: 3e-3,
  minLrFraction: 0.1,
  warmupSteps: 50,
  weightDecay: 0.1,
  gradClip: 1,
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nPositions: 128,
  stories: 30000,
  evalEvery: 100,
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
  valIds: Int32Array; // full ids
  valStarts: number[];
  seconds: number;
}

/**
 * One forward and backward pass. If a compute thread dies, the kernels go on with this thread alone and the
 * pass is run again: it starts from the same weights and batch, so the numbers are the same.
 */
function forwardBackward(training: GPT2Training): number {
  try {
    const loss = training.forward();
    training.backward();
    return loss;
  } catch (error) {
    if (!(error instanceof ComputeThreadError)) throw error;
    const loss = training.forward();
    training.backward();
    return loss;
  }
}

/** Learning rate at `step`: linear warm-up, then cosine down to lr · minLrFraction at the last step. */
export function learningRate(step: number, o: TrainOptions): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const progress = (step - o.warmupSteps) / Math.max(1, o.steps - 1 - o.warmupSteps);
  const minLr = o.lr * o.minLrFraction;
  return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

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
 * Trains a model from `o`. `kernels` run the heavy work (WebAssembly SIMD on this thread by default; any
 * thread count gives the same bits, so the same file).
 */
export function trainModel(
  o: TrainOptions,
  onStep: (record: StepRecord, valLoss?: number) => void = () => {},
  kernels: CpuKernels = createSyncKernels(),
) {
  const started = performance.now();
  const corpus = generateCorpus(o.seed, o.stories);
  const trainIds = encodeLines(corpus.train);
  const valIds = encodeLines(corpus.validation);
  const vocab = buildTrainVocab([...trainIds, ...valIds], GPT2_VOCAB_SIZE);
  const trainCompact = toCompactIds(trainIds.slice(), vocab);
  const valCompact = toCompactIds(valIds.slice(), vocab);
  const valStarts = validationWindows(valCompact, o.seq, o.valWindows);

  const initial = randomGPT2Weights(compactConfig(modelConfig(o), vocab), o.seed);
  const training = new GPT2Training(initial, o.batch, o.seq, sharedRowLogitBias(vocab), kernels);
  const optimizer = new AdamW(training.params, { weightDecay: o.weightDecay, decay: 'matrices' });
  const tied = sharedRowSpan(vocab, o.nEmbd);
  const sampler = new BatchSampler(trainCompact, o.seed + 1);
  const steps: StepRecord[] = [];
  const validation: { step: number; loss: number }[] = [];

  for (let step = 0; step < o.steps; step++) {
    const lr = learningRate(step, o);
    sampler.fill(training);
    const loss = forwardBackward(training);
    untieGradients(training.params.grads, tied);
    const gradNorm = clipGradNorm(training.params.grads, o.gradClip, tied);
    optimizer.update(lr);
    const record = { step, loss, lr, gradNorm };
    steps.push(record);
    let valLoss: number | undefined;
    if ((step + 1) % o.evalEvery === 0 || step === o.steps - 1) {
      valLoss = meanLossOver(training, valCompact, valStarts);
      validation.push({ step: step + 1, loss: valLoss });
    }
    onStep(record, valLoss);
  }
  return {
    weights: expandWeights(training.weights, vocab),
    vocab,
    steps,
    validation,
    trainIds,
    valIds,
    valStarts,
    seconds: (performance.now() - started) / 1000,
  } satisfies TrainResult;
}
