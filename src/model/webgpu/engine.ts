// The WebGPU backend behind the common Engine interface: weights uploaded once, pipelines and bind groups
// cached, one command encoder and one readback per forward pass, and dispose() to give the memory back.

import { checkAblation } from '../ablation';
import type { GPT2Config } from '../config';
import type { Engine } from '../engine';
import { TraceSelection, type TensorMap, type TraceRequest } from '../trace';
import { validateIds } from '../validate-ids';
import type { GPT2Weights } from '../weights';
import { allocateActivations, capacityFor, type Activations } from './activations';
import { lossBehind, type GpuDevice } from './device';
import { uploadWeights, type GpuWeights } from './gpu-weights';
import { compileModelKernels, planForward, type ModelKernels } from './model-plan';
import { PipelineCache, type ShaderPatch } from './pipelines';
import { StepTimer, type StepTiming } from './profiler';
import { planReadback, StagingArea } from './readback';
import { stepSequence, type StepSequence } from './step-sequence';
import type { Run } from './steps';

/** The GPU went away while in use (driver reset, another tab took it, or a test destroyed the device). */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

export interface WebGpuEngineOptions {
  /** Called once when the device is lost while the engine is alive; the message is meant for the UI. */
  onLost?: (reason: string) => void;
  /** Splits wte into chunks of at most this many rows (tests use it to exercise the split on small models). */
  maxWteChunkRows?: number;
  /** Rewrites WGSL before compiling (tests use it to make a shader fail). */
  patchShader?: ShaderPatch;
}

/** The steps and buffers for one token capacity; rebuilt when a longer text needs more room. */
interface Plan {
  acts: Activations;
  sequence: StepSequence<Run>;
}

export class WebGpuEngine implements Engine {
  readonly backend = 'webgpu' as const;
  readonly config: GPT2Config;
  readonly description: string;
  private plan: Plan | null = null;
  private readonly staging: StagingArea;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lostReasonText: string | null = null;

  /** Resolves when the device is lost while the engine is alive (never after dispose()). */
  readonly lost: Promise<{ reason: string; message: string }>;

  private constructor(
    private readonly gpu: GpuDevice,
    config: GPT2Config,
    private readonly kernels: ModelKernels,
    private readonly weights: GpuWeights,
    options: WebGpuEngineOptions,
  ) {
    this.config = config;
    this.description = gpu.adapterName;
    this.staging = new StagingArea(gpu.device);
    this.lost = new Promise((resolve) => {
      gpu.device.lost.then((info) => {
        if (this.disposed) return;
        const message = info.message || 'no detail given';
        this.lostReasonText = `The GPU device was lost (${info.reason}): ${message}.`;
        options.onLost?.(this.lostReasonText);
        resolve({ reason: info.reason, message });
      });
    });
  }

  /** Compiles every kernel and uploads the weights; throws ShaderCompileError if a kernel does not compile. */
  static async create(
    gpu: GpuDevice,
    weights: GPT2Weights,
    options: WebGpuEngineOptions = {},
  ): Promise<WebGpuEngine> {
    const { device } = gpu;
    const kernels = await compileModelKernels(new PipelineCache(device, options.patchShader), device);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const gpuWeights = uploadWeights(device, weights, options.maxWteChunkRows);
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const error = validation ?? memory;
    if (error) {
      for (const b of gpuWeights.all) b.destroy();
      throw new Error(`Uploading the weights to the GPU failed: ${error.message}`);
    }
    return new WebGpuEngine(gpu, weights.config, kernels, gpuWeights, options);
  }

  /** Why the device was lost, as a sentence for the UI, or null while it works. */
  get lostReason(): string | null {
    return this.lostReasonText;
  }

  /** Test hook: destroys the device, as a driver reset would, to exercise the loss handling. */
  simulateDeviceLoss(): void {
    this.gpu.device.destroy();
  }

  forward(ids: number[], request: TraceRequest = {}): Promise<TensorMap> {
    return this.enqueue(() => this.runForward(ids, request, null));
  }

  /**
   * Runs a pass with each step in its own compute pass between GPU timestamps (so slower than forward(), and
   * only where the device has 'timestamp-query'), and returns the GPU time of every step, for the benchmark.
   */
  profile(ids: number[], request: TraceRequest = {}): Promise<StepTiming[]> {
    return this.enqueue(async () => {
      const timer = new StepTimer(this.gpu.device, this.planFor(ids.length).sequence.steps.length);
      await this.runForward(ids, request, timer);
      return timer.read();
    });
  }

  /** Runs one pass at a time: they share the buffers and the staging area. */
  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runForward(
    ids: number[],
    request: TraceRequest,
    timer: StepTimer | null,
  ): Promise<TensorMap> {
    if (this.disposed) throw new Error('This WebGPU engine was disposed.');
    if (this.lostReasonText) throw new DeviceLostError(this.lostReasonText);
    validateIds(ids, this.config.vocabSize, this.config.nPositions);
    checkAblation(request.ablate, this.config);
    const T = ids.length;
    const select = new TraceSelection(request);
    const run: Run = {
      T,
      select,
      logitRows: select.logits === 'all' ? T : select.logits === 'last' ? 1 : 0,
      lastLayer: select.lastLayerNeeded(this.config),
      ablation: request.ablate,
    };
    const { device } = this.gpu;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const plan = this.planFor(T);
    const { copies, tensors } = planReadback(plan.sequence.steps, run, this.config.nHead);
    this.staging.prepare(tensors);
    device.queue.writeBuffer(plan.acts.ids, 0, Uint32Array.from(ids));
    let nextCopy = 0; // copies are in step order
    const after = {
      has: (index: number) => copies[nextCopy]?.afterStep === index,
      record: (index: number, encoder: GPUCommandEncoder) => {
        while (copies[nextCopy]?.afterStep === index) this.staging.encodeCopy(encoder, copies[nextCopy++]);
      },
    };
    plan.sequence.submit(run, { after, timer: timer ?? undefined });
    // The mapping and the error scopes resolve in parallel: the scopes only say whether to trust the result.
    const scopeErrors = Promise.all([device.popErrorScope(), device.popErrorScope()]);
    const reading = this.staging.read();
    reading.catch(() => undefined); // handled below; this only keeps an early throw from leaving it unobserved
    const [validation, memory] = await scopeErrors;
    if (validation ?? memory)
      throw new Error(`The WebGPU forward pass failed: ${(validation ?? memory)!.message}`);
    try {
      return await reading;
    } catch (error) {
      // A lost device rejects the mapping, sometimes before its `lost` promise has settled: wait a moment for
      // it, so that the caller learns of the loss rather than of a failed read.
      if (await lossBehind(this.lost)) throw new DeviceLostError(this.lostReasonText!);
      throw error;
    }
  }

  /** The plan for T tokens, reallocating the buffers (a power of two of tokens) when T outgrows them. */
  private planFor(T: number): Plan {
    if (this.plan && this.plan.acts.capacity >= T) return this.plan;
    this.releasePlan();
    const { device } = this.gpu;
    const acts = allocateActivations(device, this.config, capacityFor(T, this.config.nPositions));
    const drafts = planForward({ config: this.config, kernels: this.kernels, weights: this.weights, acts });
    this.plan = { acts, sequence: stepSequence(device, 'forward', drafts) };
    return this.plan;
  }

  private releasePlan(): void {
    if (!this.plan) return;
    for (const b of this.plan.acts.all) b.destroy();
    this.plan.sequence.destroy();
    this.plan = null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releasePlan();
    this.staging.dispose();
    for (const b of this.weights.all) b.destroy();
    this.gpu.device.destroy();
  }
}
