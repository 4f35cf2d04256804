// One training step behind one interface: forward, backward, the shared-row untie, clipping and AdamW, on the
// CPU (GPT2Training and AdamW) or on WebGPU (GpuTraining), and the one place where a lost GPU device hands the
// run to the CPU. Every trainer (npm run train, --fixed-batch, the Train view, the bench) steps through here.

import type { CpuKernels } from '../model/cpu/kernels';
import type { GpuTraining } from '../model/webgpu/training/gpu-training';
import { lossBehind, type GpuDevice } from '../model/webgpu/device';
import { ComputeThreadError } from '../model/wasm/thread-pool';
import { AdamW, clipGradNorm, untieGradients, type TiedSpan } from './adamw';
import type { GPT2Training } from './gpt2-train';
import { flatView, tensorOfBufferKey } from './params';

/** How a step updates the weights: AdamW's decay, the gradient clip (none: no clipping), the tied spans. */
export interface UpdateRule {
  weightDecay: number;
  /** 'all' as torch's AdamW(model.parameters()); 'matrices' skips biases and layer norms, as nanoGPT does. */
  decay: 'all' | 'matrices';
  gradClip: number | null;
  tied: TiedSpan[];
}

/** What one step reports: the loss before the update and the gradient norm before clipping (null unclipped). */
export interface StepResult {
  loss: number;
  gradNorm: number | null;
}

/**
 * One training step on the batch in the CPU trainer's `inputs` and `targets`. The CPU trainer always holds the
 * run's state (weights, AdamW moments and step count): a GPU step reads its state back into it.
 */
export interface TrainingStep {
  /** For people: "CPU · WASM SIMD · 2 threads" or "WebGPU · <adapter>". */
  readonly where: string;
  step(lr: number): Promise<StepResult>;
  /** Brings the weights and AdamW moments into the CPU trainer, all at once or not at all. */
  readState(): Promise<void>;
  /** Puts the CPU trainer's weights, moments and step count on the device (a resumed run). */
  restore(): void;
  dispose(): void;
}

/** The CPU trainer: the model with its batch arrays, and AdamW over its flat parameters. */
export interface CpuTrainer {
  training: GPT2Training;
  optimizer: AdamW;
}

/** The CPU trainer for `training` under `rule` (AdamW on the trainer's own kernels). */
export function cpuTrainer(training: GPT2Training, rule: UpdateRule): CpuTrainer {
  const options = { weightDecay: rule.weightDecay, decay: rule.decay };
  return { training, optimizer: new AdamW(training.params, options, training.kernels) };
}

/** A step on the CPU engine. If a compute thread dies, the kernels go on alone and the pass runs again on the
 * same weights and batch, so the numbers are the same. */
export class CpuTrainingStep implements TrainingStep {
  constructor(
    private readonly cpu: CpuTrainer,
    private readonly rule: UpdateRule,
  ) {}

  get where(): string {
    return `CPU · ${this.cpu.training.kernels.description}`;
  }

  async step(lr: number): Promise<StepResult> {
    const { training, optimizer } = this.cpu;
    const loss = forwardBackward(training);
    const { grads } = training.params;
    untieGradients(grads, this.rule.tied);
    const gradNorm =
      this.rule.gradClip === null ? null : clipGradNorm(grads, this.rule.gradClip, this.rule.tied);
    optimizer.update(lr);
    return { loss, gradNorm };
  }

  async readState(): Promise<void> {}
  restore(): void {}
  dispose(): void {}
}

function forwardBackward(training: GPT2Training): number {
  try {
    const loss = training.forward();
    training.backward();
    return loss;
  } catch (error) {
    if (!(error instanceof ComputeThreadError)) throw error;
    const loss = training.forward();
    training.backward();
    return loss;
  }
}

/** A step on WebGPU, the twin of CpuTrainingStep: the same batch, AdamW settings, clip and tied spans. */
export class GpuTrainingStep implements TrainingStep {
  constructor(
    private readonly gpu: GpuTraining,
    private readonly cpu: CpuTrainer,
    private readonly rule: UpdateRule,
    private readonly adapterName: string,
  ) {}

  get where(): string {
    return `WebGPU · ${this.adapterName}`;
  }

  async step(lr: number): Promise<StepResult> {
    const { training, optimizer } = this.cpu;
    const loss = await this.gpu.forward(training.inputs, training.targets);
    await this.gpu.backward();
    const gradNorm = await this.gpu.update(
      lr,
      optimizer.gpuOptions,
      this.rule.gradClip ?? undefined,
      this.rule.tied,
    );
    return { loss, gradNorm };
  }

  async readState(): Promise<void> {
    const { training, optimizer } = this.cpu;
    const { params } = training;
    // Everything is read before anything is written, so a read that fails on a lost device leaves the CPU
    // trainer at the last step it finished.
    const read = [
      [params.values, await this.gpu.read('value')],
      [optimizer.m, await this.gpu.read('m')],
      [optimizer.v, await this.gpu.read('v')],
    ] as const;
    for (const [flat, tensors] of read) {
      const view = flatView(params, flat);
      for (const [key, data] of tensors) tensorOfBufferKey(view, key).set(data);
    }
    optimizer.step = this.gpu.updates;
  }

  restore(): void {
    const { training, optimizer } = this.cpu;
    const { params } = training;
    const views = {
      value: flatView(params, params.values),
      m: flatView(params, optimizer.m),
      v: flatView(params, optimizer.v),
    };
    this.gpu.restore(optimizer.step, (what, key) => tensorOfBufferKey(views[what], key));
  }

  dispose(): void {
    try {
      this.gpu.dispose();
    } catch {
      // a lost device's buffers may refuse to be destroyed; they are gone with it anyway
    }
  }
}

/** Told once when the device is lost: its reason, and the step (from 0) the CPU runs next. */
export type OnDeviceLost = (reason: string, fromStep: number) => void;

/** Where the steps run: `kernels` always (the measurements, and the CPU steps); `gpu` for WebGPU steps, which
 * go on on the CPU if its device is lost (onDeviceLost says so, with the step the CPU runs next). */
export interface TrainBackend {
  kernels: CpuKernels;
  gpu?: GpuDevice | null;
  onDeviceLost?: OnDeviceLost;
}

/**
 * A GPU step that moves to the CPU when the device is lost. After every GPU step the state is read back into
 * the CPU trainer, so a loss costs no finished step: the step that failed runs again on the CPU, on the same
 * batch. Any other failure is thrown as it is.
 */
export class StepWithFallback implements TrainingStep {
  private current: TrainingStep;
  private readonly lost: Promise<string>;
  private lostReason: string | null = null;

  constructor(
    private readonly gpu: TrainingStep,
    private readonly cpu: TrainingStep,
    device: GPUDevice,
    private readonly onLost: OnDeviceLost,
    /** The step the CPU trainer's state has reached: where a move to the CPU goes on from. */
    private readonly stepsDone: () => number,
  ) {
    this.current = gpu;
    this.lost = device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message || 'no detail given'}`;
      return this.lostReason;
    });
  }

  get where(): string {
    return this.current.where;
  }

  /** Whether the steps still run on the GPU. */
  get onGpu(): boolean {
    return this.current === this.gpu;
  }

  async step(lr: number): Promise<StepResult> {
    if (this.current === this.gpu && this.lostReason !== null) this.moveToCpu(this.lostReason);
    if (this.current !== this.gpu) return this.cpu.step(lr);
    try {
      const result = await this.gpu.step(lr);
      await this.gpu.readState();
      return result;
    } catch (error) {
      const reason = this.lostReason ?? (await lossBehind(this.lost));
      if (reason === null) throw error;
      this.moveToCpu(reason);
      return this.cpu.step(lr);
    }
  }

  private moveToCpu(reason: string): void {
    this.gpu.dispose();
    this.current = this.cpu;
    this.onLost(reason, this.stepsDone());
  }

  readState(): Promise<void> {
    return this.current.readState();
  }

  restore(): void {
    this.current.restore();
  }

  dispose(): void {
    this.gpu.dispose();
  }
}
