// The training worker's side: reads the text, builds the run, and trains in slices of about 100 ms, so pause,
// a new sentence or save are answered between slices. Every N steps it sends a snapshot of the sentence's
// attention and the head scores; every M steps the held-out loss.

import { configToJson } from '../../model/config';
import type { CpuKernels } from '../../model/cpu/kernels';
import { createCpuKernels, type KernelChoice } from '../../model/wasm/select';
import { tokenize } from '../../tokenizer/gpt2';
import { BrowserTraining, presetById, TrainTextError, type StepRecord } from '../../train/browser-training';
import { checkpointBytes } from '../../train/checkpoint-bytes';
import { generateCorpus } from '../../train/corpus';
import { encodeLines } from '../../train/data';
import type { CorpusSource, FromTrainer, Snapshot, ToTrainer } from './train-protocol';

export type TrainPost = (message: FromTrainer, transfer?: Transferable[]) => void;

/** How long one slice of steps may run before the worker looks at its messages again. */
const SLICE_MS = 100;
/** Lines of the generated stories: about 200k tokens. */
const STORY_LINES = 3000;

async function corpusText(corpus: CorpusSource, seed: number) {
  if (corpus.kind === 'text') return { text: corpus.text, name: corpus.name, minCount: 1 };
  if (corpus.kind === 'stories') {
    const stories = generateCorpus(seed, STORY_LINES);
    // The validation stories come last, so the held-out tail is (about) them.
    return { text: stories.train + stories.validation, name: 'the generated stories', minCount: 3 };
  }
  const response = await fetch(corpus.url);
  if (!response.ok) throw new Error(`The English sample could not be read (${response.status}).`);
  return { text: await response.text(), name: 'the English sample (Brown Corpus)', minCount: 3 };
}

const message = (error: unknown) =>
  error instanceof TrainTextError
    ? error.message
    : `Training failed: ${error instanceof Error ? error.message : String(error)}`;

export function createTrainHost(
  post: TrainPost,
  createKernels: () => Promise<KernelChoice> = () => createCpuKernels(),
) {
  let run: BrowserTraining | null = null;
  let running = false;
  let sentence = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts starts, so a start still reading its text gives way to a newer one. */
  let generation = 0;
  let tokensPerSecond = 0;

  function stop() {
    running = false;
    clearTimeout(timer);
  }

  function snapshot(training: BrowserTraining) {
    const tokens = tokenize(sentence, { maxTokens: training.preset.seq });
    if (tokens.length === 0) return;
    const ids = tokens.map((t) => t.id);
    const layers = training.attention(ids);
    const shot: Snapshot = {
      step: training.stepsDone,
      tokens: tokens.map((t) => t.display),
      ids,
      layers,
      scores: training.scores(ids, layers),
    };
    post({ type: 'snapshot', snapshot: shot }); // copied: a few small (NH, T, T) arrays
  }

  function validate(training: BrowserTraining) {
    post({ type: 'validation', step: training.stepsDone, loss: training.validationLoss() });
  }

  function slice() {
    const training = run;
    if (!training || !running) return;
    const { preset } = training;
    const records: StepRecord[] = [];
    const started = performance.now();
    let stepping = 0;
    try {
      while (!training.done && performance.now() - started < SLICE_MS) {
        const t0 = performance.now();
        records.push(training.step());
        stepping += performance.now() - t0;
        const done = training.stepsDone;
        if (done % preset.evalEvery === 0 || training.done) validate(training);
        if (done % preset.snapshotEvery === 0 || training.done) snapshot(training);
      }
    } catch (error) {
      stop();
      post({ type: 'error', message: message(error) });
      return;
    }
    const rate = (records.length * preset.batch * preset.seq) / Math.max(stepping / 1000, 1e-6);
    tokensPerSecond = tokensPerSecond ? 0.7 * tokensPerSecond + 0.3 * rate : rate;
    post({ type: 'steps', records, tokensPerSecond });
    if (training.done) {
      stop();
      post({ type: 'state', state: 'done' });
      return;
    }
    timer = setTimeout(slice, 0);
  }

  async function start(request: Extract<ToTrainer, { type: 'start' }>) {
    const mine = ++generation;
    stop();
    run?.dispose();
    run = null;
    tokensPerSecond = 0;
    sentence = request.sentence;
    let kernels: CpuKernels | null = null;
    try {
      const preset = presetById(request.preset);
      if (!preset) throw new Error(`there is no model size "${request.preset}"`);
      post({ type: 'preparing', what: 'Reading the text…' });
      const corpus = await corpusText(request.corpus, request.seed);
      if (mine !== generation) return;
      post({ type: 'preparing', what: 'Splitting it into tokens…' });
      const ids = encodeLines(corpus.text);
      const choice = await createKernels();
      kernels = choice.kernels;
      if (mine !== generation) return kernels.dispose();
      const training = new BrowserTraining(ids, preset, request.seed, corpus.minCount, kernels);
      run = training;
      post({
        type: 'ready',
        info: {
          trainTokens: training.trainTokens,
          heldOutTokens: training.heldOutTokens,
          vocabRows: training.vocab.size,
          parameters: training.parameters,
          backend: `CPU · ${kernels.description}`,
          backendNote: choice.limitation,
          steps: preset.steps,
          tokensPerStep: preset.batch * preset.seq,
          corpus: corpus.name,
        },
      });
      snapshot(training);
      validate(training);
      running = true;
      post({ type: 'state', state: 'running' });
      timer = setTimeout(slice, 0);
    } catch (error) {
      if (!run) kernels?.dispose();
      if (mine === generation) post({ type: 'error', message: message(error) });
    }
  }

  function save(id: number) {
    if (!run || run.stepsDone === 0) {
      post({
        type: 'save-error',
        id,
        message:
          'There is nothing trained to save yet: the model has not finished a training step. Start training, and save after the first step.',
      });
      return;
    }
    try {
      const weights = run.fullWeights();
      // Float32, so the explorer computes exactly what the Train view showed.
      const bytes = checkpointBytes(weights, 'F32');
      const config = JSON.stringify(configToJson(weights.config), null, 2) + '\n';
      post({ type: 'saved', id, step: run.stepsDone, weights: bytes, config }, [bytes.buffer]);
    } catch (error) {
      post({ type: 'save-error', id, message: message(error) });
    }
  }

  return {
    handle(request: ToTrainer): void {
      if (request.type === 'start') void start(request);
      else if (request.type === 'pause') {
        if (!running) return;
        stop();
        post({ type: 'state', state: 'paused' });
      } else if (request.type === 'resume') {
        if (running || !run || run.done) return;
        running = true;
        post({ type: 'state', state: 'running' });
        timer = setTimeout(slice, 0);
      } else if (request.type === 'sentence') {
        sentence = request.text;
        if (run) {
          try {
            snapshot(run);
          } catch (error) {
            post({ type: 'error', message: message(error) });
          }
        }
      } else if (request.type === 'save') save(request.id);
    },
    /** Stops the loop and frees the kernels (the view closed). */
    dispose(): void {
      generation++;
      stop();
      run?.dispose();
      run = null;
    },
  };
}
