// The smallest training run the training tests share: a 1-layer, 16-wide GPT-2 on 300 generated stories, a few
// steps of 2 × 16 tokens. Each test overrides what it is about (steps, minCount, …).

import { createSyncKernels } from '../../src/model/wasm/select';
import { DEFAULT_TRAIN_OPTIONS, type TrainBackend, type TrainOptions } from '../../src/node/train-run';

/** A run on the CPU, on WebAssembly on this thread (any thread count gives the same bits). */
export const cpuBackend = (): TrainBackend => ({ kernels: createSyncKernels() });

export const TINY_STORY_TRAINING: TrainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  corpus: 'stories',
  minCount: 1,
  steps: 6,
  batch: 2,
  seq: 16,
  nEmbd: 16,
  nLayer: 1,
  nHead: 2,
  nPositions: 16,
  stories: 300,
  evalEvery: 3,
  valWindows: 4,
  warmupSteps: 2,
};
