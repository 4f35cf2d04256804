// Chooses the engine: WebGPU when it works, else the CPU, with the reason kept so the UI can say why.
// Every way WebGPU can fail (absent, no adapter, no device, a shader that does not compile, a device lost
// later) ends on the CPU engine with one sentence for the user; a page never goes blank because of the GPU.

import { CpuEngine } from './cpu/forward';
import { createCpuKernels } from './wasm/select';
import type { Engine } from './engine';
import type { BackendName, BackendPreference, TensorMap, TraceRequest } from './trace';
import { requestGpuDevice } from './webgpu/device';
import { DeviceLostError, WebGpuEngine, type WebGpuEngineOptions } from './webgpu/engine';
import type { GPT2Weights } from './weights';

export interface EngineChoice {
  engine: Engine;
  /** Why the CPU is used when WebGPU was wanted; null when the preferred backend runs. */
  fallbackReason: string | null;
  /** When the CPU runs: why it runs on one thread or without SIMD, or null. */
  cpuNote?: string | null;
}

export interface CreateEngineOptions {
  /** 'auto' and 'webgpu' both try WebGPU first and fall back to the CPU; 'cpu' goes straight to the CPU. */
  preference?: BackendPreference;
  /** Where WebGPU comes from: `navigator.gpu` when left out. Node passes the `webgpu` package's GPU, tests
   * pass fakes; null means "no WebGPU here". */
  gpu?: GPU | null;
  /** Called once if the GPU is lost after the engine started. The engine has switched itself to the CPU by
   * then (forward() keeps working, on the CPU); `reason` is one sentence for the UI. */
  onFallback?: (reason: string) => void;
  /** Passed to the WebGPU engine (test hooks: a finer wte split, a shader patch). */
  webgpu?: Omit<WebGpuEngineOptions, 'onLost'>;
}

/**
 * Creates the engine for `weights`, preferring WebGPU unless told otherwise. Never throws because of the GPU:
 * any failure gives the CPU engine and the reason.
 */
export async function createEngine(
  weights: GPT2Weights,
  options: CreateEngineOptions = {},
): Promise<EngineChoice> {
  if (options.preference === 'cpu') return { ...(await createCpuEngine(weights)), fallbackReason: null };
  const gpu = options.gpu !== undefined ? options.gpu : (globalThis.navigator?.gpu ?? null);
  try {
    const device = await requestGpuDevice(gpu ?? undefined);
    const engine = new GpuEngineWithCpuFallback(weights, options.onFallback);
    await engine.start(device, options.webgpu ?? {});
    return { engine, fallbackReason: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...(await createCpuEngine(weights)), fallbackReason: `${reason} The CPU computes instead.` };
  }
}

/** The CPU engine on the fastest kernels here (WebAssembly SIMD on worker threads where it can). */
async function createCpuEngine(weights: GPT2Weights): Promise<{ engine: CpuEngine; cpuNote: string | null }> {
  const { kernels, limitation } = await createCpuKernels();
  return { engine: new CpuEngine(weights, kernels), cpuNote: limitation };
}

/**
 * The WebGPU engine, wrapped so that a lost device costs the user nothing: the pass that was running, and
 * every later one, runs on the CPU with the same ids and request. `backend` and `description` follow the
 * switch, `fallbackReason` says why, and `lost` resolves (as GPUDevice.lost does) for hosts that restart.
 * This is the one place that handles a lost device: a host only passes `onFallback` to tell its page.
 */
export class GpuEngineWithCpuFallback implements Engine {
  readonly config;
  private gpuEngine: WebGpuEngine | null = null;
  /** Set once the GPU is lost: the CPU engine, on the same kernels a CPU start would get (worker threads). */
  private cpuEngineReady: Promise<CpuEngine> | null = null;
  private cpuEngine: CpuEngine | null = null;
  private disposed = false;
  private reason: string | null = null;
  private resolveLost: (info: { reason: string; message: string }) => void = () => {};
  /** Resolves with the device's reason and message when the GPU is lost while in use. */
  readonly lost = new Promise<{ reason: string; message: string }>((resolve) => (this.resolveLost = resolve));

  constructor(
    private readonly weights: GPT2Weights,
    private readonly onFallback?: (reason: string) => void,
  ) {
    this.config = weights.config;
  }

  /** Builds the WebGPU engine on `gpu`; throws (for createEngine to catch) when it cannot. */
  async start(gpu: Parameters<typeof WebGpuEngine.create>[0], options: WebGpuEngineOptions): Promise<void> {
    try {
      this.gpuEngine = await WebGpuEngine.create(gpu, this.weights, options);
    } catch (error) {
      gpu.device.destroy();
      throw error;
    }
    void this.gpuEngine.lost.then((info) => this.switchToCpu(info));
  }

  get backend(): BackendName {
    return this.cpuEngineReady ? 'cpu' : 'webgpu';
  }

  get description(): string {
    if (this.cpuEngineReady) return this.cpuEngine?.description ?? 'CPU';
    return this.gpuEngine?.description ?? 'WebGPU';
  }

  /** Why the engine left the GPU, or null while it is on it. */
  get fallbackReason(): string | null {
    return this.reason;
  }

  async forward(ids: number[], request?: TraceRequest): Promise<TensorMap> {
    if (!this.cpuEngineReady && this.gpuEngine) {
      try {
        return await this.gpuEngine.forward(ids, request);
      } catch (error) {
        if (!(error instanceof DeviceLostError) && !this.gpuEngine.lostReason) throw error;
        void this.switchToCpu({
          reason: 'unknown',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return (await this.cpuEngineReady!).forward(ids, request);
  }

  /** Test hook: makes the GPU device go away as a driver reset would (GPUDevice.destroy()). */
  simulateDeviceLoss(): void {
    this.gpuEngine?.simulateDeviceLoss();
  }

  /** Moves to the CPU once, on the kernels createCpuEngine picks for any CPU start; the page is told when the
   * CPU engine is there, so what it then reads of `description` is the CPU's. */
  private switchToCpu(info: { reason: string; message: string }): Promise<CpuEngine> {
    this.cpuEngineReady ??= (async () => {
      this.reason = `The GPU device was lost (${info.message}); the CPU computes instead.`;
      this.gpuEngine?.dispose();
      const { engine } = await createCpuEngine(this.weights);
      if (this.disposed) engine.dispose();
      this.cpuEngine = engine;
      this.onFallback?.(this.reason);
      this.resolveLost(info);
      return engine;
    })();
    return this.cpuEngineReady;
  }

  dispose(): void {
    this.disposed = true;
    this.gpuEngine?.dispose();
    this.cpuEngine?.dispose();
  }
}
