// The training worker's side: reads the text, builds the run, and trains in slices of about 100 ms, so pause,
// a new sentence or save are answered between slices. Every N steps it sends a snapshot of the sentence's
// attention and the head scores; every M steps the held-out loss.

import { configToJson } from '../../model/config';
import type { CpuKernels } from '../../model/cpu/kernels';
import type { BackendPreference } from '../../model/trace';
import { createCpuKernels, type KernelChoice } from '../../model/wasm/select';
import { requestGpuDevice, type GpuDevice } from '../../model/webgpu/device';
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

/** The page's WebGPU device (navigator.gpu), as the explorer asks for it. */
const browserGpuDevice = () => requestGpuDevice(globalThis.navigator?.gpu);

export function createTrainHost(
  post: TrainPost,
  createKernels: () => Promise<KernelChoice> = () => createCpuKernels(),
  requestDevice: () => Promise<GpuDevice> = browserGpuDevice,
) {
  let run: BrowserTraining | null = null;
  let running = false;
  /** Pause came during a GPU step: the slice says "paused" once that step and its snapshot are posted. */
  let pausePending = false;
  /** The run whose slice is under way (GPU steps wait for the device), so resume starts no second one. */
  let slicing: BrowserTraining | null = null;
  /** Runs replaced or closed while their slice was under way: freed when that slice ends (see retire). */
  const retired = new Set<BrowserTraining>();
  /** The device, asked for once and kept for later runs until it is lost. */
  let gpuDevice: Promise<GpuDevice> | null = null;
  let sentence = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts starts, so a start still reading its text gives way to a newer one. */
  let generation = 0;
  let tokensPerSecond = 0;
  /** Wall-clock seconds the current run's slices took (its snapshots and measures included, pauses not). */
  let runSeconds = 0;
  /** The step of the last snapshot sent. */
  let lastSnapshotStep = -1;

  function stop() {
    running = false;
    clearTimeout(timer);
  }

  /**
   * Frees a run that is no longer the current one. A GPU step under way still uses the run's buffers (it goes
   * on to its backward pass and read-backs after the awaited forward), so such a run is freed when its slice
   * ends instead of under the step's feet, where the step's failing commands would land in whatever error
   * scope the new run has open on the same device.
   */
  function retire(training: BrowserTraining | null) {
    if (!training) return;
    if (slicing === training) retired.add(training);
    else training.dispose();
  }

  function snapshot(training: BrowserTraining) {
    lastSnapshotStep = training.stepsDone;
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
    // The Induction preset also reads held-out text twice: the in-context gain and the heads' scores.
    if (training.preset.repeatSpans) {
      const { batch, seq } = training.preset;
      const point = { step: training.stepsDone, tokensSeen: training.stepsDone * batch * seq };
      post({ type: 'repeats', point: { ...point, ...training.repeatMeasure() } });
    }
  }

  /** The run's device is gone (the run goes on on the CPU by itself): the view is told, and the next run asks
   * for a new device. */
  function deviceLost(reason: string, fromStep: number) {
    gpuDevice = null;
    post({
      type: 'backend',
      backend: run?.where ?? 'CPU',
      fallback:
        `The WebGPU device was lost (${reason}). Training goes on on the CPU from step ${fromStep}, ` +
        'the last finished step: its weights and AdamW state were read back after every step, so nothing is lost.',
    });
  }

  async function slice() {
    const training = run;
    if (!training || !running || slicing === training) return;
    slicing = training;
    const { preset } = training;
    const records: StepRecord[] = [];
    const started = performance.now();
    let stepping = 0;
    const current = () => run === training && running;
    try {
      while (!training.done && current() && performance.now() - started < SLICE_MS) {
        const t0 = performance.now();
        records.push(await training.step());
        stepping += performance.now() - t0;
        if (run !== training) break;
        const done = training.stepsDone;
        if (done % preset.evalEvery === 0 || training.done) validate(training);
        if (done % preset.snapshotEvery === 0 || training.done) snapshot(training);
      }
    } catch (error) {
      if (slicing === training) slicing = null;
      if (retired.delete(training)) training.dispose();
      if (run !== training) return;
      stop();
      post({ type: 'error', message: message(error) });
      return;
    }
    if (slicing === training) slicing = null;
    if (retired.delete(training)) training.dispose();
    if (run !== training) return;
    if (records.length > 0) {
      const rate = (records.length * preset.batch * preset.seq) / Math.max(stepping / 1000, 1e-6);
      tokensPerSecond = tokensPerSecond ? 0.7 * tokensPerSecond + 0.3 * rate : rate;
      runSeconds += (performance.now() - started) / 1000;
      post({ type: 'steps', records, tokensPerSecond, seconds: runSeconds });
    }
    // Paused: the view shows the paused weights, so the last step gets its snapshot even off the N-step grid
    // (on the GPU a step under way when Pause came still finishes in this slice).
    if (!running && !training.done && records.length > 0 && training.stepsDone !== lastSnapshotStep)
      snapshot(training);
    if (pausePending && !running) {
      pausePending = false;
      post({ type: 'state', state: 'paused' });
    }
    if (training.done) {
      stop();
      post({ type: 'state', state: 'done' });
      return;
    }
    if (running) timer = setTimeout(() => void slice(), 0);
  }

  /** WebGPU for a run, unless the preference is the CPU; null and the reason when there is none. */
  async function gpuFor(
    preference: BackendPreference,
  ): Promise<{ gpu: GpuDevice | null; reason: string | null }> {
    if (preference === 'cpu') return { gpu: null, reason: null };
    try {
      if (!gpuDevice) {
        const asked = requestDevice();
        gpuDevice = asked;
        // Lost between runs: the next run asks for a new one.
        asked.then(
          ({ device }) => device.lost.then(() => gpuDevice === asked && (gpuDevice = null)),
          () => {}, // a refused device is answered below
        );
      }
      const gpu = await gpuDevice;
      return { gpu, reason: null };
    } catch (error) {
      gpuDevice = null;
      return { gpu: null, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async function start(request: Extract<ToTrainer, { type: 'start' }>) {
    const mine = ++generation;
    stop();
    pausePending = false;
    retire(run);
    run = null;
    tokensPerSecond = 0;
    runSeconds = 0;
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
      const { gpu, reason } = await gpuFor(request.backend ?? 'auto');
      if (mine !== generation) return kernels.dispose();
      const training = new BrowserTraining(ids, preset, request.seed, corpus.minCount, kernels);
      let fallback = reason === null ? null : `${reason} Training runs on the CPU instead.`;
      if (gpu) {
        try {
          training.useGpu(gpu.device, gpu.adapterName, deviceLost);
        } catch (error) {
          fallback = `WebGPU could not hold the model (${error instanceof Error ? error.message : String(error)}). Training runs on the CPU instead.`;
        }
      }
      run = training;
      post({
        type: 'ready',
        info: {
          trainTokens: training.trainTokens,
          heldOutTokens: training.heldOutTokens,
          windowStarts: training.windowStarts,
          vocabRows: training.vocab.size,
          parameters: training.parameters,
          backend: training.where,
          backendNote: training.onGpu ? null : choice.limitation,
          fallback,
          steps: preset.steps,
          tokensPerStep: preset.batch * preset.seq,
          corpus: corpus.name,
        },
      });
      snapshot(training);
      validate(training);
      running = true;
      post({ type: 'state', state: 'running' });
      timer = setTimeout(() => void slice(), 0);
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
        // A slice under way (a GPU step waiting on the device) still finishes its step: it posts that step,
        // its snapshot and then "paused", so the view never shows paused weights that are about to change.
        if (run && slicing === run) {
          pausePending = true;
          return;
        }
        post({ type: 'state', state: 'paused' });
        if (run && run.stepsDone !== lastSnapshotStep) snapshot(run);
      } else if (request.type === 'resume') {
        if (running || !run || run.done) return;
        pausePending = false;
        running = true;
        post({ type: 'state', state: 'running' });
        timer = setTimeout(() => void slice(), 0);
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
      retire(run);
      run = null;
    },
  };
}
