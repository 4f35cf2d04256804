// AdamW exactly as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments, eps added
// after the square root), and clip_grad_norm_, over the flat parameter array of params.ts. The per-element
// update is a CPU kernel (src/model/cpu/ops/adamw.ts, and its WebAssembly twin on worker threads).

import { referenceKernels, type CpuKernels } from '../model/cpu/kernels';
import type { GpuAdamWOptions } from '../model/webgpu/training/gpu-training';
import type { FlatParams } from './params';

export interface AdamWOptions {
  /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01. */
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** 'all' decays every parameter, as AdamW(model.parameters()) does; 'matrices' skips biases and layer
   * norms, as nanoGPT does. */
  decay?: 'all' | 'matrices';
}

/**
 * A span of the gradient that stands for `count` identical copies (the shared row of vocab.ts): it is
 * divided by count so each copy gets its own gradient, and counted count times in the gradient norm.
 */
export interface TiedSpan {
  offset: number;
  length: number;
  count: number;
}

export class AdamW {
  readonly m: Float32Array; // (P) first moment
  readonly v: Float32Array; // (P) second moment
  step = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decay: 'all' | 'matrices';
  private readonly decayMask: Float32Array; // (P) 1 where weight decay applies

  /** `kernels` run the update: the trainer's own, so the moments live in their memory beside the weights. */
  constructor(
    private readonly params: FlatParams,
    options: AdamWOptions = {},
    private readonly kernels: CpuKernels = referenceKernels,
  ) {
    const P = params.values.length;
    this.m = kernels.alloc(P);
    this.v = kernels.alloc(P);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.decay = options.decay ?? 'all';
    this.decayMask = kernels.alloc(P);
    for (const r of params.ranges) {
      if (options.decay !== 'matrices' || r.isMatrix) this.decayMask.fill(1, r.offset, r.offset + r.length);
    }
  }

  /** The same settings for GpuTraining.update, which keeps its own moments on the GPU. */
  get gpuOptions(): GpuAdamWOptions {
    const { beta1, beta2, eps, weightDecay, decay } = this;
    return { beta1, beta2, eps, weightDecay, decay };
  }

  /** One update with learning rate `lr` from params.grads. */
  update(lr: number): void {
    const { values, grads } = this.params;
    const { m, v, beta1, beta2, eps, decayMask } = this;
    this.step++;
    this.kernels.adamwUpdate(
      { values, grads, m, v, decayMask },
      {
        beta1,
        beta2,
        eps,
        stepSize: lr / (1 - beta1 ** this.step),
        decayFactor: 1 - lr * this.weightDecay,
        biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** this.step),
      },
    );
  }
}

/** Divides each tied span's gradient by its copy count (see TiedSpan). */
export function untieGradients(grads: Float32Array, tied: TiedSpan[]): void {
  for (const span of tied) {
    for (let i = span.offset; i < span.offset + span.length; i++) grads[i] /= span.count;
  }
}

/** The global L2 norm of the gradient, with tied spans counted once per copy. */
export function gradNorm(grads: Float32Array, tied: TiedSpan[] = []): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  for (const span of tied) {
    let spanSum = 0;
    for (let i = span.offset; i < span.offset + span.length; i++) spanSum += grads[i] * grads[i];
    sum += (span.count - 1) * spanSum;
  }
  return Math.sqrt(sum);
}

/** torch.nn.utils.clip_grad_norm_: scales the gradient down when its norm exceeds maxNorm; returns the norm. */
export function clipGradNorm(grads: Float32Array, maxNorm: number, tied: TiedSpan[] = []): number {
  const norm = gradNorm(grads, tied);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) for (let i = 0; i < grads.length; i++) grads[i] *= coefficient;
  return norm;
}
