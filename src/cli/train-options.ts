// The options of `npm run train` from its flags: which flag sets which option, what each accepts, and the checks
// (span, shape, memory) made before anything is trained or written.

import { quoteValue } from '../model/errors';
import { UsageError } from './args';
import { trainingMemoryProblem } from '../train/memory';
import { CORPUS_NAMES, repeatSpanProblem } from '../train/run-options';
import {
  DEFAULT_TRAIN_OPTIONS,
  modelConfig,
  POSITION_INITS,
  WINDOW_START_RULES,
  type TrainOptions,
} from '../node/train-run';

/** Command-line flag → numeric option. */
const FLAGS: Record<
  string,
  Exclude<keyof TrainOptions, 'corpus' | 'positionInit' | 'windowStarts' | 'initFrom'>
> = {
  'min-count': 'minCount',
  seed: 'seed',
  steps: 'steps',
  batch: 'batch',
  seq: 'seq',
  lr: 'lr',
  'min-lr-fraction': 'minLrFraction',
  'warmup-steps': 'warmupSteps',
  'weight-decay': 'weightDecay',
  'grad-clip': 'gradClip',
  'n-embd': 'nEmbd',
  'n-layer': 'nLayer',
  'n-head': 'nHead',
  'n-positions': 'nPositions',
  stories: 'stories',
  'eval-every': 'evalEvery',
  'val-windows': 'valWindows',
  'repeat-share': 'repeatShare',
  'repeat-min-span': 'repeatMinSpan',
  'repeat-max-span': 'repeatMaxSpan',
};
export const TRAIN_OPTION_FLAGS = {
  ...Object.fromEntries(Object.keys(FLAGS).map((f) => [f, 'number' as const])),
  corpus: 'string' as const,
  'position-init': 'string' as const,
  'window-starts': 'string' as const,
  'init-from': 'string' as const,
  threads: 'number' as const,
  resume: 'boolean' as const,
};

/** What each option accepts: a whole number from a minimum, or a real number above (or from) zero. */
const RANGES: Record<
  Exclude<keyof TrainOptions, 'corpus' | 'positionInit' | 'windowStarts' | 'initFrom'>,
  'count' | 'count0' | 'positive' | 'nonNegative'
> = {
  minCount: 'count',
  seed: 'count0',
  steps: 'count',
  batch: 'count',
  seq: 'count',
  lr: 'positive',
  minLrFraction: 'nonNegative',
  warmupSteps: 'count0',
  weightDecay: 'nonNegative',
  gradClip: 'positive',
  nEmbd: 'count',
  nLayer: 'count',
  nHead: 'count',
  nPositions: 'count',
  stories: 'count',
  evalEvery: 'count',
  valWindows: 'count',
  repeatShare: 'nonNegative',
  repeatMinSpan: 'count',
  repeatMaxSpan: 'count',
};
const RANGE_TEXT = {
  count: 'a whole number of at least 1',
  count0: 'a whole number of at least 0',
  positive: 'a number above 0',
  nonNegative: 'a number of at least 0',
};

/** The value of a flag that takes one of `choices`, undefined when absent; anything else is a usage error. */
function oneOf<T extends string>(
  args: Record<string, unknown>,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const value = args[flag];
  if (value === undefined) return undefined;
  if (!choices.includes(value as T))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, not ${quoteValue(value)}`);
  return value as T;
}

/** The options from the flags, every one checked before anything is trained or written. */
export function trainOptionsFrom(args: Record<string, unknown>): TrainOptions {
  const options = { ...DEFAULT_TRAIN_OPTIONS };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const value = args[flag] as number | undefined;
    if (value === undefined) continue;
    const range = RANGES[key];
    const ok =
      range === 'positive'
        ? value > 0
        : range === 'nonNegative'
          ? value >= 0
          : Number.isSafeInteger(value) && value >= (range === 'count' ? 1 : 0);
    if (!ok) throw new UsageError(`--${flag} must be ${RANGE_TEXT[range]}, not ${value}`);
    options[key] = value;
  }
  options.corpus = oneOf(args, 'corpus', CORPUS_NAMES) ?? options.corpus;
  options.positionInit = oneOf(args, 'position-init', POSITION_INITS) ?? options.positionInit;
  options.windowStarts = oneOf(args, 'window-starts', WINDOW_START_RULES) ?? options.windowStarts;
  if (args['init-from'] !== undefined) {
    if (typeof args['init-from'] !== 'string' || args['init-from'] === '')
      throw new UsageError('--init-from needs a model folder or .safetensors file');
    options.initFrom = args['init-from'];
  }
  if (options.seq > options.nPositions) throw new UsageError('--seq cannot exceed --n-positions');
  if (options.nEmbd % options.nHead !== 0) throw new UsageError('--n-embd must be a multiple of --n-head');
  const repeatProblem = repeatSpanProblem(options);
  if (repeatProblem) throw new UsageError(repeatProblem);
  const o = options;
  const sizes = `--n-layer ${o.nLayer} --n-embd ${o.nEmbd} --n-head ${o.nHead} --n-positions ${o.nPositions} with --batch ${o.batch} --seq ${o.seq}`;
  const memory = trainingMemoryProblem(modelConfig(o), o.batch, o.seq, sizes);
  if (memory) throw new UsageError(memory);
  return options;
}
