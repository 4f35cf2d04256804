// One training run as the Train view sees it: the BrowserTraining, the figures measured over its slices
// (tokens per second, wall-clock seconds) and the messages it owes the view (snapshots, held-out loss, steps).

import { tokenize } from '../../tokenizer/gpt2';
import type { BrowserTraining, StepRecord } from '../../train/browser-training';
import type { FromTrainer, Snapshot, TrainInfo } from './train-protocol';

export type TrainPost = (message: FromTrainer, transfer?: Transferable[]) => void;

export class TrainingSession {
  private tokensPerSecond = 0;
  /** Wall-clock seconds the run's slices took (its snapshots and measures included, pauses not). */
  private seconds = 0;
  /** The step of the last snapshot sent. */
  private lastSnapshotStep = -1;

  constructor(
    readonly training: BrowserTraining,
    private readonly post: TrainPost,
  ) {}

  /** What the view shows about the run once it is ready. */
  info(corpus: string, backendNote: string | null, fallback: string | null): TrainInfo {
    const { training } = this;
    const { preset } = training;
    return {
      trainTokens: training.trainTokens,
      heldOutTokens: training.heldOutTokens,
      windowStarts: training.windowStarts,
      vocabRows: training.vocab.size,
      parameters: training.parameters,
      backend: training.where,
      backendNote: training.onGpu ? null : backendNote,
      fallback,
      steps: preset.steps,
      tokensPerStep: preset.batch * preset.seq,
      corpus,
    };
  }

  /** Whether the view's attention is older than the weights (a step ran since the last snapshot). */
  get snapshotStale(): boolean {
    return this.training.stepsDone !== this.lastSnapshotStep;
  }

  /** The attention of `sentence` and every head's scores, at the current step. */
  snapshot(sentence: string): void {
    const { training } = this;
    this.lastSnapshotStep = training.stepsDone;
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
    this.post({ type: 'snapshot', snapshot: shot }); // copied: a few small (NH, T, T) arrays
  }

  /** The held-out loss; the Induction preset also reads held-out text twice (the gain and the heads' scores). */
  validate(): void {
    const { training } = this;
    this.post({ type: 'validation', step: training.stepsDone, loss: training.validationLoss() });
    if (training.preset.repeatSpans) {
      const { batch, seq } = training.preset;
      const point = { step: training.stepsDone, tokensSeen: training.stepsDone * batch * seq };
      this.post({ type: 'repeats', point: { ...point, ...training.repeatMeasure() } });
    }
  }

  /** After the step that just finished: the held-out loss and the snapshot when they fall due. */
  afterStep(sentence: string): void {
    const { training } = this;
    const done = training.stepsDone;
    if (done % training.preset.evalEvery === 0 || training.done) this.validate();
    if (done % training.preset.snapshotEvery === 0 || training.done) this.snapshot(sentence);
  }

  /** Posts a slice's steps with the smoothed rate; `steppingMs` is the time in steps, `sliceMs` the slice's. */
  reportSlice(records: StepRecord[], steppingMs: number, sliceMs: number): void {
    if (records.length === 0) return;
    const { batch, seq } = this.training.preset;
    const rate = (records.length * batch * seq) / Math.max(steppingMs / 1000, 1e-6);
    this.tokensPerSecond = this.tokensPerSecond ? 0.7 * this.tokensPerSecond + 0.3 * rate : rate;
    this.seconds += sliceMs / 1000;
    this.post({ type: 'steps', records, tokensPerSecond: this.tokensPerSecond, seconds: this.seconds });
  }
}
