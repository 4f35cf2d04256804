// The training worker's side: reads the text, builds the run, and trains in slices of about 100 ms, so pause,
// a new sentence or save are answered between slices. Every N steps it sends a snapshot of the sentence's
// attention and the head scores; every M steps the held-out loss (training-session.ts).

import { configToJson } from '../../model/config';
import type { CpuKernels } from '../../model/cpu/kernels';
import { createCpuKernels, type KernelChoice } from '../../model/wasm/select';
import { requestGpuDevice, type GpuDevice } from '../../model/webgpu/device';
import { BrowserTraining, presetById, TrainTextError, type StepRecord } from '../../train/browser-training';
import { checkpointBytes } from '../../train/checkpoint-bytes';
import { generateCorpus } from '../../train/corpus';
import { encodeLines } from '../../train/data';
import { GpuDevices } from './gpu-devices';
import type { CorpusSource, ToTrainer } from './train-protocol';
import { TrainingSession, type TrainPost } from './training-session';

export type { TrainPost } from './training-session';

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

/**
 * What the step loop does: nothing ('stopped': no run, paused, done or failed), slices one after another
 * ('running'), or finishes the slice under way, whose GPU step waits for the device, and then says "paused"
 * ('pausing'), so the view never shows paused weights that are about to change.
 */
type LoopState = 'stopped' | 'running' | 'pausing';

export class TrainHost {
  private session: TrainingSession | null = null;
  private loop: LoopState = 'stopped';
  /** The run whose slice is under way (GPU steps wait for the device), so resume starts no second one. */
  private slicing: BrowserTraining | null = null;
  /** Runs replaced or closed while their slice was under way: freed when that slice ends (see retire). */
  private readonly retired = new Set<BrowserTraining>();
  private readonly devices: GpuDevices;
  private sentence = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts starts, so a start still reading its text gives way to a newer one. */
  private generation = 0;

  constructor(
    private readonly post: TrainPost,
    private readonly createKernels: () => Promise<KernelChoice> = () => createCpuKernels(),
    requestDevice: () => Promise<GpuDevice> = browserGpuDevice,
  ) {
    this.devices = new GpuDevices(requestDevice);
  }

  handle(request: ToTrainer): void {
    switch (request.type) {
      case 'start':
        return void this.start(request);
      case 'pause':
        return this.pause();
      case 'resume':
        return this.resume();
      case 'sentence':
        return this.changeSentence(request.text);
      case 'save':
        return this.save(request.id);
    }
  }

  /** Stops the loop and frees the kernels (the view closed). */
  dispose(): void {
    this.generation++;
    this.stop();
    this.retire(this.session);
    this.session = null;
  }

  private stop() {
    this.loop = 'stopped';
    clearTimeout(this.timer);
  }

  private run() {
    this.loop = 'running';
    this.timer = setTimeout(() => void this.slice(), 0);
  }

  /**
   * Frees a run that is no longer the current one. A GPU step under way still uses the run's buffers (it goes
   * on to its backward pass and read-backs after the awaited forward), so such a run is freed when its slice
   * ends instead of under the step's feet, where the step's failing commands would land in whatever error
   * scope the new run has open on the same device.
   */
  private retire(session: TrainingSession | null) {
    if (!session) return;
    if (this.slicing === session.training) this.retired.add(session.training);
    else session.training.dispose();
  }

  /** The slice of `training` has ended: it is no longer under way, and freed if it was retired meanwhile. */
  private endSlice(training: BrowserTraining) {
    if (this.slicing === training) this.slicing = null;
    if (this.retired.delete(training)) training.dispose();
  }

  private pause() {
    if (this.loop !== 'running') return;
    this.stop();
    // A slice under way (a GPU step waiting on the device) still finishes its step: it posts that step,
    // its snapshot and then "paused".
    if (this.session && this.slicing === this.session.training) {
      this.loop = 'pausing';
      return;
    }
    this.post({ type: 'state', state: 'paused' });
    if (this.session?.snapshotStale) this.session.snapshot(this.sentence);
  }

  private resume() {
    if (this.loop === 'running' || !this.session || this.session.training.done) return;
    this.post({ type: 'state', state: 'running' });
    this.run();
  }

  private changeSentence(text: string) {
    this.sentence = text;
    if (!this.session) return;
    try {
      this.session.snapshot(text);
    } catch (error) {
      this.post({ type: 'error', message: message(error) });
    }
  }

  /** Steps for about SLICE_MS, then posts them and schedules the next slice unless paused, done or replaced. */
  private async slice() {
    const session = this.session;
    if (!session || this.loop !== 'running' || this.slicing === session.training) return;
    const { training } = session;
    this.slicing = training;
    const records: StepRecord[] = [];
    const started = performance.now();
    let stepping = 0;
    const current = () => this.session === session && this.loop === 'running';
    try {
      while (!training.done && current() && performance.now() - started < SLICE_MS) {
        const t0 = performance.now();
        records.push(await training.step());
        stepping += performance.now() - t0;
        if (this.session !== session) break;
        session.afterStep(this.sentence);
      }
    } catch (error) {
      this.endSlice(training);
      if (this.session !== session) return;
      this.stop();
      this.post({ type: 'error', message: message(error) });
      return;
    }
    this.endSlice(training);
    if (this.session !== session) return;
    session.reportSlice(records, stepping, performance.now() - started);
    this.afterSlice(session, records.length);
  }

  /** Paused, done or on to the next slice. */
  private afterSlice(session: TrainingSession, steps: number) {
    const { training } = session;
    // Paused: the view shows the paused weights, so the last step gets its snapshot even off the N-step grid
    // (on the GPU a step under way when Pause came still finishes in this slice).
    if (this.loop !== 'running' && !training.done && steps > 0 && session.snapshotStale)
      session.snapshot(this.sentence);
    if (this.loop === 'pausing') {
      this.loop = 'stopped';
      this.post({ type: 'state', state: 'paused' });
    }
    if (training.done) {
      this.stop();
      this.post({ type: 'state', state: 'done' });
      return;
    }
    if (this.loop === 'running') this.timer = setTimeout(() => void this.slice(), 0);
  }

  /** The run's device is gone (the run goes on on the CPU by itself): the view is told, and the next run asks
   * for a new device. */
  private deviceLost(reason: string, fromStep: number) {
    this.devices.forget();
    this.post({
      type: 'backend',
      backend: this.session?.training.where ?? 'CPU',
      fallback:
        `The WebGPU device was lost (${reason}). Training goes on on the CPU from step ${fromStep}, ` +
        'the last finished step: its weights and AdamW state were read back after every step, so nothing is lost.',
    });
  }

  private async start(request: Extract<ToTrainer, { type: 'start' }>) {
    const mine = ++this.generation;
    this.stop();
    this.retire(this.session);
    this.session = null;
    this.sentence = request.sentence;
    let kernels: CpuKernels | null = null;
    try {
      const preset = presetById(request.preset);
      if (!preset) throw new Error(`there is no model size "${request.preset}"`);
      this.post({ type: 'preparing', what: 'Reading the text…' });
      const corpus = await corpusText(request.corpus, request.seed);
      if (mine !== this.generation) return;
      this.post({ type: 'preparing', what: 'Splitting it into tokens…' });
      const ids = encodeLines(corpus.text);
      const choice = await this.createKernels();
      kernels = choice.kernels;
      if (mine !== this.generation) return kernels.dispose();
      const { gpu, reason } = await this.devices.forRun(request.backend ?? 'auto');
      if (mine !== this.generation) return kernels.dispose();
      const training = new BrowserTraining(ids, preset, request.seed, corpus.minCount, kernels);
      let fallback = reason === null ? null : `${reason} Training runs on the CPU instead.`;
      if (gpu) {
        try {
          training.useGpu(gpu.device, gpu.adapterName, (why, step) => this.deviceLost(why, step));
        } catch (error) {
          fallback = `WebGPU could not hold the model (${error instanceof Error ? error.message : String(error)}). Training runs on the CPU instead.`;
        }
      }
      const session = new TrainingSession(training, this.post);
      this.session = session;
      this.post({ type: 'ready', info: session.info(corpus.name, choice.limitation, fallback) });
      session.snapshot(this.sentence);
      session.validate();
      this.post({ type: 'state', state: 'running' });
      this.run();
    } catch (error) {
      if (!this.session) kernels?.dispose();
      if (mine === this.generation) this.post({ type: 'error', message: message(error) });
    }
  }

  private save(id: number) {
    const training = this.session?.training;
    if (!training || training.stepsDone === 0) {
      this.post({
        type: 'save-error',
        id,
        message:
          'There is nothing trained to save yet: the model has not finished a training step. Start training, and save after the first step.',
      });
      return;
    }
    try {
      const weights = training.fullWeights();
      // Float32, so the explorer computes exactly what the Train view showed.
      const bytes = checkpointBytes(weights, 'F32');
      const config = JSON.stringify(configToJson(weights.config), null, 2) + '\n';
      this.post({ type: 'saved', id, step: training.stepsDone, weights: bytes, config }, [bytes.buffer]);
    } catch (error) {
      this.post({ type: 'save-error', id, message: message(error) });
    }
  }
}

/** The host as the worker entry, the in-process client and the tests use it. */
export function createTrainHost(
  post: TrainPost,
  createKernels?: () => Promise<KernelChoice>,
  requestDevice?: () => Promise<GpuDevice>,
): Pick<TrainHost, 'handle' | 'dispose'> {
  return new TrainHost(post, createKernels, requestDevice);
}
