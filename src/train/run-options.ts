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
  /** Share of training windows (0..1) that end by repeating a span of themselves (repeat-windows.ts); 0 is off. */
  repeatShare: number;
  /** The repeated spans' lengths, drawn uniformly from repeatMinSpan..repeatMaxSpan tokens. */
  repeatMinSpan: number;
  repeatMaxSpan: number;
  /** A model folder (or .safetensors file) to start from instead of seeded random weights; '' for none. */
  initFrom: string;
}

/** The defaults of `npm run train`: the shipped default model's options (public/models/default/training-log.json)
 * but for its step count and its repeated spans, which its command names (docs/default-model.md): spans that do
 * not fit a short --seq would make every small run name --repeat-share 0. */
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
  repeatShare: 0,
  repeatMinSpan: 16,
  repeatMaxSpan: 48,
  initFrom: '',
};

/** The longest span a repeated window may copy (repeat-windows.ts draws its random tokens in blocks of it). */
export const MAX_REPEAT_SPAN = 64;

/** Why the repeated-span options cannot run, or null; with no share repeated, the spans are not checked. */
export function repeatSpanProblem(
  o: Pick<TrainOptions, 'repeatShare' | 'repeatMinSpan' | 'repeatMaxSpan' | 'seq'>,
): string | null {
  if (o.repeatShare > 1) return `--repeat-share must be a share from 0 to 1, not ${o.repeatShare}`;
  if (o.repeatShare === 0) return null;
  if (o.repeatMinSpan < 2) return `--repeat-min-span must be at least 2, not ${o.repeatMinSpan}`;
  if (o.repeatMaxSpan < o.repeatMinSpan) return '--repeat-max-span cannot be below --repeat-min-span';
  if (o.repeatMaxSpan > MAX_REPEAT_SPAN) return `--repeat-max-span can be at most ${MAX_REPEAT_SPAN}`;
  if (2 * o.repeatMaxSpan > o.seq + 1)
    return `a span of --repeat-max-span ${o.repeatMaxSpan} said twice needs --seq ${2 * o.repeatMaxSpan - 1} or more`;
  return null;
}

export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
}
