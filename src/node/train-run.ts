// `npm run train`'s run: reads the corpus (English text, or the generated stories) into token ids and trains a
// TrainingRun on them, on the CPU or on WebGPU, with the held-out loss now and then and a saved state after it.
// One seed fixes the weights and the batches (and the stories); a run can stop after any step and resume with
// the same bits, on either backend.

import type { GPT2Weights } from '../model/weights';
import { END_OF_TEXT_ID } from '../tokenizer/gpt2-vocab';
import { type StepRecord, type TrainOptions } from '../train/run-options';
import { addedTwins, findSentenceStarts } from '../train/sentence-starts';
import { TrainingRun } from '../train/training-run';
import type { TrainBackend } from '../train/training-step';
import type { TrainingState } from '../train/training-state';
import { trainingText } from './training-text';
import { expandWeights, type TrainVocab } from '../train/vocab';
import type { GPT2Training } from '../train/gpt2-train';
import { everydayProbes, heldOutProbes, type InContextPoint, type RepeatProbe } from '../train/in-context';
import { encode } from '../tokenizer/gpt2';

export {
  DEFAULT_TRAIN_OPTIONS,
  POSITION_INITS,
  WINDOW_START_RULES,
  type PositionInit,
  type StepRecord,
  type TrainOptions,
  type WindowStartRule,
} from '../train/run-options';
export { learningRate, modelConfig, sinusoidalPositions } from '../train/training-run';
export type { TrainBackend } from '../train/training-step';

export interface TrainResult {
  /** The trained model over GPT-2's full vocabulary, ready to write out. */
  weights: GPT2Weights;
  vocab: TrainVocab;
  steps: StepRecord[];
  validation: { step: number; loss: number }[];
  /** The in-context figures at every held-out measurement. */
  inContext: InContextPoint[];
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
  /** Called with the in-context figures measured with each held-out loss. */
  onInContext?: (point: InContextPoint) => void;
  /** Resumes after the state's last step; its options must equal the run's. */
  resume?: TrainingState | null;
  /** Called after every `every` steps and after the last one, with the state so far. */
  checkpoint?: { every: number; save: (state: TrainingState) => void };
  /** The model `o.initFrom` names, read (the run starts from it instead of random weights). */
  start?: GPT2Weights;
}

/** Options equal field by field (a resumed run must continue the same run). */
const sameOptions = (a: TrainOptions, b: TrainOptions) =>
  Object.keys(a).length === Object.keys(b).length &&
  (Object.keys(a) as (keyof TrainOptions)[]).every((k) => a[k] === b[k]);

/** Whether step `step` (from 0) ends with a held-out measurement and a saved state. */
export const isEvalStep = (step: number, o: TrainOptions) =>
  (step + 1) % o.evalEvery === 0 || step === o.steps - 1;

/** Held-out spans said twice along the run (each span half the context). */
const HELD_OUT_PROBES = 8;

/**
 * What the run measures in context with each held-out loss: the everyday probes that fit its context, and
 * held-out spans of T/2 tokens said twice.
 */
export function runProbes(heldOutIds: Int32Array, T: number): RepeatProbe[] {
  const everyday = everydayProbes(encode).filter((p) => p.ids.length <= T);
  const span = Math.floor(T / 2);
  return span >= 2 ? [...everyday, ...heldOutProbes(heldOutIds, span, HELD_OUT_PROBES)] : everyday;
}

/** The corpus of `o` as a run's text, with what the log says about it. */
function corpusRun(o: TrainOptions) {
  const text = trainingText(o.corpus, o.seed, o.stories);
  const { trainIds, heldOutIds } = text;
  const starts = o.windowStarts === 'sentences' ? findSentenceStarts(trainIds, o.seq, END_OF_TEXT_ID) : null;
  const corpus = starts
    ? {
        ...text.description,
        windowStarts: {
          rule: 'training windows start at a sentence, its first word written as at the start of a text (no space before it)',
          starts: starts.positions.length,
          unspacedFirstWords: addedTwins(trainIds, starts).length,
        },
      }
    : text.description;
  return { text: { trainIds, heldOutIds, starts }, corpus };
}

/** Trains a model from `o` on `backend` (any thread count, and a resumed run, gives the same bits). */
export async function trainModel(
  o: TrainOptions,
  hooks: TrainHooks,
  backend: TrainBackend,
): Promise<TrainResult> {
  const started = performance.now();
  const { resume, checkpoint, onStep = () => {}, onInContext = () => {} } = hooks;
  if (resume && !sameOptions(resume.options, o))
    throw new Error('the saved training state comes from a run with other options; delete it to restart');
  const { text, corpus } = corpusRun(o);
  const repeatSpans =
    o.repeatShare > 0
      ? { share: o.repeatShare, minSpan: o.repeatMinSpan, maxSpan: o.repeatMaxSpan, source: 'text' as const }
      : undefined;
  const run = new TrainingRun(text, { ...o, repeatSpans }, backend.kernels, hooks.start);
  const probes = runProbes(text.heldOutIds, o.seq);
  try {
    if (backend.gpu)
      run.useGpu(backend.gpu.device, backend.gpu.adapterName, backend.onDeviceLost ?? (() => {}));
    if (resume) run.resume(resume);
    const seconds = () => run.earlierSeconds + (performance.now() - started) / 1000;
    while (!run.done) {
      const record = await run.step();
      const evalStep = isEvalStep(record.step, o);
      const valLoss = evalStep ? run.validationLoss(true) : undefined;
      if (evalStep && probes.length) onInContext(run.measureInContext(probes));
      onStep(record, valLoss);
      const done = run.stepsDone;
      if (checkpoint && (done % checkpoint.every === 0 || done === o.steps))
        checkpoint.save(run.state(o, seconds()));
    }
    return {
      weights: expandWeights(run.training.weights, run.vocab),
      vocab: run.vocab,
      steps: run.records,
      validation: run.validation,
      inContext: run.inContext,
      trainIds: text.trainIds,
      valIds: text.heldOutIds,
      valStarts: run.valStarts,
      training: run.training,
      corpus,
      seconds: seconds(),
    };
  } finally {
    run.dispose();
  }
}
