// What a training run is told (its options, with the shipped default model's as the defaults) and what it
// records per step. Apart from train-run.ts so that the saved state (training-state.ts) and the page's trainer
// can name them without importing the run itself.

/** The corpora `npm run train` reads (src/node/training-text.ts). */
export type CorpusName = 'english' | 'stories';
export const CORPUS_NAMES: readonly CorpusName[] = ['english', 'stories'];

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

export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
}
