// One training step of GPT-2 on the GPU, the twin of GPT2Training (src/train/gpt2-train.ts) in the same
// order: every activation and gradient buffer, bind group and uniform buffer is made once, and a forward, a
// backward or an optimizer step is one submit of recorded steps (training-steps.ts). Only the losses (and the
// gradient norm when clipping) come back.

import type { GPT2Config } from '../../config';
import { meanTargetBias } from '../../target-bias';
import type { GPT2Weights } from '../../weights';
import { embeddingBackwardPlan } from '../backward-kernels';
import { PipelineCache } from '../pipelines';
import { readBuffer } from '../readback';
import { MAX_TIED_SPANS, createTrainingBuffers, type TrainingBuffers } from './training-buffers';
import {
  recordTraining,
  type GpuAdamWOptions,
  type TiedWteSpan,
  type TrainingSequences,
} from './training-steps';

export type { GpuAdamWOptions, TiedWteSpan } from './training-steps';

export class GpuTraining {
  readonly config: GPT2Config;
  private readonly cache: PipelineCache;
  private readonly buffers: TrainingBuffers;
  /** Recorded (and its pipelines compiled) on first use, then reused by every call. */
  private sequences: Promise<TrainingSequences> | null = null;
  private hostInputs = new Int32Array(0);
  private step = 0;
  private forwardDone = false;

  constructor(
    private readonly device: GPUDevice,
    weights: GPT2Weights,
    readonly B: number,
    readonly T: number,
    private readonly logitBias: Float32Array | null = null,
  ) {
    this.config = weights.config;
    if (T > this.config.nPositions)
      throw new Error(`sequence length ${T} exceeds n_positions ${this.config.nPositions}`);
    this.cache = new PipelineCache(device);
    this.buffers = createTrainingBuffers(device, weights, B, T, logitBias);
  }

  /** The forward pass on a batch; resolves to the mean cross-entropy. */
  async forward(inputs: Int32Array, targets: Int32Array): Promise<number> {
    const { device } = this;
    const b = this.buffers;
    const N = this.B * this.T;
    const { forward } = await this.recorded();
    this.hostInputs = inputs.slice();
    device.queue.writeBuffer(b.inputs, 0, Uint32Array.from(inputs));
    device.queue.writeBuffer(b.targets, 0, Uint32Array.from(targets));
    forward.submit(null);
    const losses = await readBuffer(device, b.losses, N);
    this.forwardDone = true;
    // Per token of the full vocabulary, as the CPU trainer reports it (see meanTargetBias).
    return losses.reduce((sum, x) => sum + x, 0) / N + meanTargetBias(targets, this.logitBias, N);
  }

  /** The backward pass of the last forward: fills the gradients (overwriting them). */
  async backward(): Promise<void> {
    if (!this.forwardDone) throw new Error('backward() needs a forward() first');
    const { backward } = await this.recorded();
    const { plan, U } = embeddingBackwardPlan(this.hostInputs);
    this.device.queue.writeBuffer(this.buffers.plan, 0, plan.buffer, plan.byteOffset, plan.byteLength);
    backward.submit({ U });
    this.forwardDone = false; // the logits buffer now holds gradients
  }

  /**
   * Divides the tied spans of wte's gradient by their copy count (untieGradients), clips the gradient to
   * `maxNorm` when given (clipGradNorm, the spans counted once per copy), then one AdamW update with learning
   * rate `lr`. `tied` holds spans of wte as sharedRowSpan (src/train/vocab.ts) gives them: their offsets into
   * the flat parameters are offsets into wte, which params.ts lays out first. Resolves to the gradient norm
   * before clipping, or null without a clip.
   */
  async update(
    lr: number,
    options: GpuAdamWOptions,
    maxNorm?: number,
    tied: TiedWteSpan[] = [],
  ): Promise<number | null> {
    if (tied.length > MAX_TIED_SPANS)
      throw new Error(`at most ${MAX_TIED_SPANS} tied spans, not ${tied.length}`);
    const { update } = await this.recorded();
    this.step++;
    update.submit({ step: this.step, lr, options, maxNorm, tied });
    return maxNorm === undefined ? null : (await readBuffer(this.device, this.buffers.normResult, 1))[0];
  }

  /**
   * Each parameter's values, gradient or AdamW moments, read back, keyed as the buffers are ('wte',
   * 'h0.qkvWeight', …).
   */
  async read(what: 'value' | 'grad' | 'm' | 'v'): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    for (const t of this.buffers.tensors) result.set(t.key, await readBuffer(this.device, t[what], t.length));
    return result;
  }

  /** AdamW's step count: the updates done so far (a resumed run sets it with restore). */
  get updates(): number {
    return this.step;
  }

  /**
   * Puts a saved optimizer state back: every parameter's values and both moments (`tensor(what, key)` gives
   * each, keyed as `read` keys them), and the number of updates done, which AdamW's bias correction needs.
   */
  restore(updates: number, tensor: (what: 'value' | 'm' | 'v', key: string) => Float32Array): void {
    for (const t of this.buffers.tensors) {
      for (const what of ['value', 'm', 'v'] as const) {
        const given = tensor(what, t.key);
        // writeBuffer takes no shared memory (the WASM kernels' arrays live there): such data goes as a copy.
        const data = given.buffer instanceof ArrayBuffer ? given : given.slice();
        if (data.length !== t.length)
          throw new Error(`${t.key}'s ${what} has ${data.length} values; this model has ${t.length}`);
        this.device.queue.writeBuffer(t[what], 0, data.buffer, data.byteOffset, data.byteLength);
      }
    }
    this.step = updates;
  }

  dispose(): void {
    for (const buffer of this.buffers.all) buffer.destroy();
    // Their uniform buffers go too, once recorded; a recording that failed has nothing to give back.
    this.sequences?.then(
      (sequences) => Object.values(sequences).forEach((sequence) => sequence.destroy()),
      () => undefined,
    );
  }

  private recorded(): Promise<TrainingSequences> {
    const { device, cache, buffers, config, B, T } = this;
    this.sequences ??= recordTraining(device, cache, buffers, config, B, T, this.logitBias !== null);
    return this.sequences;
  }
}
