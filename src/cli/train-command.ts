// The training mode of `npm run train`: options from flags (train-options.ts), progress on stderr, then the model
// written out, read back from its F16 file and measured, and everything recorded in training-log.json.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args';
import { configToJson } from '../model/config';
import type { BackendName } from '../model/trace';
import { createCpuKernels } from '../model/wasm/select';
import type { GpuDevice } from '../model/webgpu/device';
import { requestNodeGpuDevice } from '../node/engines';
import { parameterCount, type GPT2Weights } from '../model/weights';
import { loadModelFile } from '../node/files';
import { checkOutputFolder, writeFileAtomically } from '../node/output-file';
import { writeCheckpoint } from '../node/checkpoint';
import { validationWindows } from '../train/data';
import { formatHeadTypeScores, headTypeScores, heldOutLosses, sharedRowRates } from '../train/quality';
import { formatHeadEntropies, fullVocabLoss, headEntropies, ENTROPY_TEXT } from '../train/report';
import { sentenceWindows } from '../train/sentence-starts';
import {
  figuresByKind,
  inContextPoint,
  runOnModel,
  type BestHead,
  type InContextPoint,
} from '../train/in-context';
import { defaultCpuKernels } from '../model/wasm/select';
import { runProbes } from '../node/train-run';
import { END_OF_TEXT_ID } from '../tokenizer/gpt2-vocab';
import { readTrainingState, removeTrainingState, writeTrainingState } from '../node/training-state-file';
import { trainModel, type TrainHooks, type StepRecord, type TrainOptions } from '../node/train-run';
import { trainOptionsFrom } from './train-options';

export { TRAIN_OPTION_FLAGS, trainOptionsFrom } from './train-options';

/** Held-out windows of T+1 tokens for the final held-out loss and the baselines (compact model, exact). */
const HELD_OUT_LOSS_WINDOWS = 512;
/** Held-out windows the head scores average over. */
const HEAD_SCORE_WINDOWS = 32;
const STATE_FILE = 'training-state.bin';

/** Full-vocabulary validation windows measured on the shipped file (each costs a T×50257 forward pass). */
const SHIPPED_VAL_WINDOWS = 16;

function progressLine(
  record: StepRecord,
  o: TrainOptions,
  started: number,
  firstStep: number,
  valLoss?: number,
): string {
  const seconds = (performance.now() - started) / 1000;
  const done = record.step + 1;
  const tokensPerSecond = ((done - firstStep) * o.batch * o.seq) / seconds;
  const eta = (seconds / (done - firstStep)) * (o.steps - done);
  const val = valLoss === undefined ? '' : ` | val ${valLoss.toFixed(4)}`;
  return (
    `step ${String(done).padStart(5)}/${o.steps} | loss ${record.loss.toFixed(4)}${val} | lr ${record.lr.toExponential(2)}` +
    ` | ${tokensPerSecond.toFixed(0)} tok/s | ${Math.round(seconds)}s, eta ${Math.round(eta)}s`
  );
}

/** One line of in-context figures: each kind's gain and strongest induction and previous-token heads. */
function inContextLine(point: InContextPoint, where = 'at'): string {
  const head = (b: BestHead) => `h${b.layer}.${b.head} ${b.score.toFixed(3)}`;
  const parts = Object.entries(point.figures).map(
    ([kind, f]) =>
      `${kind} gain ${f.gain.toFixed(3)} ind ${head(f.bestInduction)} prev ${head(f.bestPreviousToken)}`,
  );
  return `  in context ${where} step ${point.step}: ${parts.join(' | ')}`;
}

/** The model --init-from names: a folder with model.safetensors and config.json, or a .safetensors file. */
async function startingModel(from: string): Promise<GPT2Weights> {
  const file = from.endsWith('.safetensors') ? from : path.join(from, 'model.safetensors');
  try {
    return await loadModelFile(file);
  } catch (error) {
    throw new UsageError(`--init-from: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What runTraining can be given besides the flags: the backend, and (for tests) how to get a GPU device. */
export interface TrainingRunHooks {
  backend?: BackendName;
  requestDevice?: () => Promise<GpuDevice>;
}

/** The GPU device for --backend webgpu, or null after saying why the CPU trains instead. */
async function gpuDeviceOrNull(
  request: () => Promise<GpuDevice>,
  log: (line: string) => void,
  cpuDescription: string,
): Promise<GpuDevice | null> {
  try {
    const gpu = await request();
    log(`on WebGPU: ${gpu.adapterName}`);
    return gpu;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    log(`WebGPU unavailable (${reason}); training on the CPU: ${cpuDescription}`);
    return null;
  }
}

export async function runTraining(
  args: Record<string, unknown>,
  argv: string[],
  hooks: TrainingRunHooks = {},
): Promise<void> {
  const o = trainOptionsFrom(args);
  const outDir = checkOutputFolder(String(args.out));
  const log = (line: string) => process.stderr.write(line + '\n');
  mkdirSync(outDir, { recursive: true });
  const stateFile = path.join(outDir, STATE_FILE);
  const resume = args.resume ? readTrainingState(stateFile) : null;
  if (args.resume && !resume) log(`no saved state in ${stateFile}: starting from step 0`);
  if (!args.resume) removeTrainingState(stateFile);
  log(`training ${JSON.stringify(o)}${resume ? `, resuming after step ${resume.step}` : ''}`);
  const start = o.initFrom ? await startingModel(o.initFrom) : undefined;
  if (start) log(`starting from the model in ${o.initFrom}`);
  const threads = args.threads as number | undefined;
  if (threads !== undefined && !(Number.isSafeInteger(threads) && threads >= 1 && threads <= 64))
    throw new UsageError(`--threads must be a whole number from 1 to 64, not ${threads}`);
  // Any thread count gives the same bytes; one thread suffers least from a machine that other work shares.
  const { kernels, limitation } = await createCpuKernels(threads);
  const cpuDescription = `${kernels.description}${limitation ? ` (${limitation})` : ''}`;
  const gpu =
    hooks.backend === 'webgpu'
      ? await gpuDeviceOrNull(hooks.requestDevice ?? requestNodeGpuDevice, log, cpuDescription)
      : null;
  if (hooks.backend !== 'webgpu') log(`on the CPU: ${cpuDescription}`);
  let trainedOn = gpu ? `WebGPU: ${gpu.adapterName}` : kernels.description;
  const started = performance.now();
  const firstStep = resume?.step ?? 0;
  const trainHooks: TrainHooks = {
    resume,
    start,
    // The state is saved with each held-out measurement and after the last step, and removed once the
    // model and its log are written (a run stopped while measuring resumes straight into measuring).
    checkpoint: { every: o.evalEvery, save: (state) => writeTrainingState(stateFile, state) },
    onStep: (record, valLoss) => {
      if ((record.step + 1) % 25 === 0 || valLoss !== undefined || record.step === firstStep) {
        log(progressLine(record, o, started, firstStep, valLoss));
      }
    },
    onInContext: (point) => log(inContextLine(point)),
  };
  const result = await trainModel(o, trainHooks, {
    kernels,
    gpu,
    onDeviceLost: (reason, fromStep) => {
      trainedOn = `WebGPU: ${gpu!.adapterName}, then (device lost) the CPU: ${kernels.description}`;
      log(
        `WebGPU device lost (${reason}) after ${fromStep} of ${o.steps} steps; continuing on the CPU ` +
          `from step ${fromStep}, the last finished one: ${cpuDescription}`,
      );
    },
  });
  gpu?.device.destroy();
  log(`trained in ${result.seconds.toFixed(0)} s; measuring on held-out text`);

  const heldOutStarts = validationWindows(
    result.valIds.map((id) => result.vocab.toCompact[id]),
    o.seq,
    HELD_OUT_LOSS_WINDOWS,
  );
  const losses = heldOutLosses(result.training, result.vocab, result.trainIds, result.valIds, heldOutStarts);
  // The page's text starts at a sentence, with no space before its first word: the same measure there.
  // (None for a held-out text without a sentence start that leaves room for a window.)
  const sentences = sentenceWindows(result.valIds, o.seq, HELD_OUT_LOSS_WINDOWS, END_OF_TEXT_ID);
  const sentenceLosses = sentences.starts.length
    ? heldOutLosses(result.training, result.vocab, result.trainIds, sentences.ids, sentences.starts)
    : null;
  kernels.dispose();

  const modelFile = writeCheckpoint(outDir, result.weights, 'F16');
  const shipped = await loadModelFile(modelFile, path.join(outDir, 'config.json'));
  // Every n-th of the validation windows, so that these few still cover the whole held-out text.
  const every = Math.max(1, Math.floor(result.valStarts.length / SHIPPED_VAL_WINDOWS));
  const shippedStarts = result.valStarts.filter((_, i) => i % every === 0).slice(0, SHIPPED_VAL_WINDOWS);
  // The same windows on the F16 file as shipped and on the float32 weights it was rounded from.
  const shippedValLoss = fullVocabLoss(shipped, result.valIds, shippedStarts, o.seq);
  const float32ValLoss = fullVocabLoss(result.weights, result.valIds, shippedStarts, o.seq);
  const headScores = headTypeScores(
    shipped,
    result.valIds,
    validationWindows(result.valIds, o.seq, HEAD_SCORE_WINDOWS),
    o.seq,
  );
  const sharedRows = sharedRowRates(result.vocab, result.valIds);
  // The same probes as along the run, through the shipped file over the full vocabulary.
  const probes = runProbes(result.valIds, o.seq);
  const { nLayer, nHead } = shipped.config;
  const inContextFinal = figuresByKind(
    probes,
    runOnModel(shipped, probes, defaultCpuKernels()),
    nLayer,
    nHead,
  );
  const entropy = headEntropies(shipped);
  const best = (kind: 'previousToken' | 'induction') =>
    headScores.heads.reduce((a, b) => (b[kind] > a[kind] ? b : a));

  const trainingLog = {
    command: `npm run train -- ${argv.filter((a) => a !== '--resume').join(' ')}`,
    options: o,
    config: configToJson(shipped.config),
    parameters: parameterCount(shipped.config),
    corpus: {
      ...result.corpus,
      trainTokens: result.trainIds.length,
      heldOutTokens: result.valIds.length,
      ownRows: result.vocab.ids.length,
      ownRowRule:
        `a token has its own embedding row when the training text has it at least ${o.minCount} times; every other token shares one row` +
        (o.windowStarts === 'sentences'
          ? "; a sentence's first word, written without its space where a window starts there, counts as that token"
          : ''),
    },
    trainingSeconds: result.seconds,
    machine: trainedOn,
    losses: result.steps.map((s) => s.loss),
    learningRates: result.steps.map((s) => s.lr),
    gradNorms: result.steps.map((s) => s.gradNorm),
    validation: result.validation,
    final: {
      validationLoss: result.validation[result.validation.length - 1].loss,
      validationWindows: result.valStarts.length,
      heldOutLoss: losses.model,
      heldOutWindows: losses.windows,
      heldOutTargetTokens: losses.targetTokens,
      unigramBaselineLoss: losses.unigram,
      bigramBaselineLoss: losses.bigram,
      baselines:
        'built from the training text over all 50257 tokens: unigram add-one; bigram interpolated with it by Witten–Bell',
      heldOutSentenceStarts: sentenceLosses && {
        windows: sentenceLosses.windows,
        targetTokens: sentenceLosses.targetTokens,
        loss: sentenceLosses.model,
        unigramBaselineLoss: sentenceLosses.unigram,
        bigramBaselineLoss: sentenceLosses.bigram,
        windowsStart:
          'at held-out sentence starts spread evenly over the held-out text, the first word without its space, as text typed into the page starts',
      },
      shippedF16FullVocabValidationLoss: shippedValLoss,
      float32FullVocabValidationLoss: float32ValLoss,
      shippedValidationWindows: shippedStarts.length,
      lossUnit: 'nats per token, mean cross-entropy over the full 50257-token vocabulary, on held-out text',
    },
    sharedRow: sharedRows,
    headScores: {
      ...headScores,
      bestPreviousToken: best('previousToken'),
      bestInduction: best('induction'),
    },
    headEntropy: { text: ENTROPY_TEXT, unit: 'nats', ...entropy },
    inContext: {
      measuredOn: {
        sentences:
          'runs of three everyday sentences (src/train/everyday-sentences.ts) said twice, a space between the copies',
        shuffledWords:
          'twenty different words of the everyday sentences in a seeded random order, said twice',
        heldOutText: `held-out spans of ${Math.floor(o.seq / 2)} tokens said twice`,
        induction:
          'mean attention from each token of the second copy that continues a repeated run of two or more tokens to the token after its earlier occurrence (head-detectors.ts, repeatedRunTargets)',
        gain: 'mean next-token loss on the first copy minus on the second copy (its first token included), nats over the full vocabulary',
      },
      along: result.inContext,
      final: inContextFinal,
    },
  };
  writeFileAtomically(path.join(outDir, 'training-log.json'), JSON.stringify(trainingLog, null, 1) + '\n');
  removeTrainingState(stateFile);

  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  log(`wrote ${modelFile}, config.json, training-log.json`);
  log(
    `held-out loss ${losses.model.toFixed(4)} over ${losses.targetTokens} tokens ` +
      `(unigram ${losses.unigram.toFixed(4)}, bigram ${losses.bigram.toFixed(4)}); shipped F16 file on ` +
      `${shippedStarts.length} windows ${shippedValLoss.toFixed(4)} (float32 ${float32ValLoss.toFixed(4)})`,
  );
  if (sentenceLosses) {
    log(
      `held-out text from sentence starts ${sentenceLosses.model.toFixed(4)} over ${sentenceLosses.targetTokens} ` +
        `tokens (unigram ${sentenceLosses.unigram.toFixed(4)}, bigram ${sentenceLosses.bigram.toFixed(4)})`,
    );
  }
  log(
    `shared "unknown" row: everyday sentences ${pct(sharedRows.everydaySentences.fraction)} of ` +
      `${sharedRows.everydaySentences.tokens} tokens, held-out text ${pct(sharedRows.heldOutText.fraction)}`,
  );
  log(formatHeadTypeScores(headScores.heads));
  const finalPoint = inContextPoint(o.steps, o.steps * o.batch * o.seq, inContextFinal);
  log(inContextLine(finalPoint, 'of the shipped file after'));
  log(formatHeadEntropies(entropy));
}
