// The training mode of `npm run train`: options from flags, progress on stderr, then the model written out,
// read back from its F16 file and measured, and everything recorded in training-log.json.

import path from 'node:path';
import { UsageError } from '../cli/args';
import { configToJson } from '../model/config';
import { createCpuKernels } from '../model/wasm/select';
import { parameterCount } from '../model/weights';
import { loadModelFile } from '../node/files';
import { checkOutputFolder, writeFileAtomically } from '../node/output-file';
import { writeCheckpoint } from './checkpoint';
import { formatHeadEntropies, fullVocabLoss, headEntropies, unigramBaseline, ENTROPY_TEXT } from './report';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type StepRecord, type TrainOptions } from './train-run';

/** Command-line flag → option. */
const FLAGS: Record<string, keyof TrainOptions> = {
  seed: 'seed',
  steps: 'steps',
  batch: 'batch',
  seq: 'seq',
  lr: 'lr',
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
};
export const TRAIN_OPTION_FLAGS = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, 'number' as const]));

/** Full-vocabulary validation windows measured on the shipped file (each costs a T×50257 forward pass). */
const SHIPPED_VAL_WINDOWS = 16;

/** What each option accepts: a whole number from a minimum, or a real number above (or from) zero. */
const RANGES: Record<keyof TrainOptions, 'count' | 'count0' | 'positive' | 'nonNegative'> = {
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
};
const RANGE_TEXT = {
  count: 'a whole number of at least 1',
  count0: 'a whole number of at least 0',
  positive: 'a number above 0',
  nonNegative: 'a number of at least 0',
};

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
  if (options.seq > options.nPositions) throw new UsageError('--seq cannot exceed --n-positions');
  if (options.nEmbd % options.nHead !== 0) throw new UsageError('--n-embd must be a multiple of --n-head');
  return options;
}

function progressLine(record: StepRecord, o: TrainOptions, started: number, valLoss?: number): string {
  const seconds = (performance.now() - started) / 1000;
  const done = record.step + 1;
  const tokensPerSecond = (done * o.batch * o.seq) / seconds;
  const eta = (seconds / done) * (o.steps - done);
  const val = valLoss === undefined ? '' : ` | val ${valLoss.toFixed(4)}`;
  return (
    `step ${String(done).padStart(5)}/${o.steps} | loss ${record.loss.toFixed(4)}${val} | lr ${record.lr.toExponential(2)}` +
    ` | ${tokensPerSecond.toFixed(0)} tok/s | ${Math.round(seconds)}s, eta ${Math.round(eta)}s`
  );
}

export async function runTraining(args: Record<string, unknown>, argv: string[]): Promise<void> {
  const o = trainOptionsFrom(args);
  const outDir = checkOutputFolder(String(args.out));
  const log = (line: string) => process.stderr.write(line + '\n');
  log(`training ${JSON.stringify(o)}`);
  const { kernels, limitation } = await createCpuKernels();
  log(`on the CPU: ${kernels.description}${limitation ? ` (${limitation})` : ''}`);
  const started = performance.now();
  const result = trainModel(
    o,
    (record, valLoss) => {
      if ((record.step + 1) % 25 === 0 || valLoss !== undefined || record.step === 0) {
        log(progressLine(record, o, started, valLoss));
      }
    },
    kernels,
  );
  kernels.dispose();

  const modelFile = writeCheckpoint(outDir, result.weights, 'F16');
  const shipped = await loadModelFile(modelFile, path.join(outDir, 'config.json'));
  const shippedStarts = result.valStarts.slice(0, SHIPPED_VAL_WINDOWS);
  const shippedValLoss = fullVocabLoss(shipped, result.valIds, shippedStarts, o.seq);
  const baseline = unigramBaseline(result.trainIds, result.valIds, result.valStarts, o.seq);
  const entropy = headEntropies(shipped);
  const finalVal = result.validation[result.validation.length - 1].loss;

  const trainingLog = {
    command: `npm run train -- ${argv.join(' ')}`,
    options: o,
    config: configToJson(shipped.config),
    parameters: parameterCount(shipped.config),
    corpus: {
      generator: 'src/train/corpus.ts, seeded by --seed',
      stories: o.stories,
      trainTokens: result.trainIds.length,
      validationTokens: result.valIds.length,
      vocabularyUsed: result.vocab.ids.length,
    },
    trainingSeconds: result.seconds,
    losses: result.steps.map((s) => s.loss),
    learningRates: result.steps.map((s) => s.lr),
    gradNorms: result.steps.map((s) => s.gradNorm),
    validation: result.validation,
    final: {
      validationLoss: finalVal,
      validationWindows: result.valStarts.length,
      shippedF16FullVocabValidationLoss: shippedValLoss,
      shippedValidationWindows: shippedStarts.length,
      unigramBaselineLoss: baseline,
      lossUnit: 'nats per token, mean cross-entropy over the full 50257-token vocabulary',
    },
    headEntropy: { text: ENTROPY_TEXT, unit: 'nats', ...entropy },
  };
  writeFileAtomically(path.join(outDir, 'training-log.json'), JSON.stringify(trainingLog, null, 1) + '\n');

  log(`\ntrained in ${result.seconds.toFixed(0)} s; wrote ${modelFile}, config.json, training-log.json`);
  log(`validation loss ${finalVal.toFixed(4)} (shipped F16 file, full vocab: ${shippedValLoss.toFixed(4)})`);
  log(`unigram baseline ${baseline.toFixed(4)}`);
  log(formatHeadEntropies(entropy));
}
