// Compiles kernels into compute pipelines once per device and caches them. A shader that does not compile
// becomes a ShaderCompileError naming the kernel and the compiler's first messages, so the caller can
// fall back to the CPU with a reason instead of failing on the first dispatch.

import { kernelCode, type BindingKind, type KernelSpec } from './kernels';

export class ShaderCompileError extends Error {
  override name = 'ShaderCompileError';
}

/** A compiled kernel: its pipeline and the explicit layout its bind groups are made for. */
export interface CompiledKernel {
  spec: KernelSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** Lets tests break or instrument a kernel's WGSL before it is compiled (see the fallback tests). */
export type ShaderPatch = (label: string, code: string) => string;

const BUFFER_TYPES: Record<BindingKind, GPUBufferBindingType> = {
  uniform: 'uniform',
  read: 'read-only-storage',
  write: 'storage',
};

export class PipelineCache {
  private readonly compiled = new Map<string, Promise<CompiledKernel>>();

  constructor(
    private readonly device: GPUDevice,
    private readonly patch: ShaderPatch = (_label, code) => code,
  ) {}

  /** The compiled kernel for `spec`, compiling it on first use. */
  get(spec: KernelSpec): Promise<CompiledKernel> {
    const key = `${spec.label}|${spec.entryPoint}|${JSON.stringify(spec.constants)}`;
    let kernel = this.compiled.get(key);
    if (!kernel) {
      kernel = this.compile(spec);
      this.compiled.set(key, kernel);
    }
    return kernel;
  }

  private async compile(spec: KernelSpec): Promise<CompiledKernel> {
    const { device } = this;
    const code = this.patch(spec.label, kernelCode(spec));
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: spec.label, code });
    const layout = device.createBindGroupLayout({
      label: spec.label,
      entries: spec.bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: BUFFER_TYPES[kind] },
      })),
    });
    let pipeline: GPUComputePipeline | undefined;
    let pipelineError: unknown;
    try {
      pipeline = await device.createComputePipelineAsync({
        label: spec.label,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entryPoint },
      });
    } catch (error) {
      pipelineError = error;
    }
    const scopeError = await device.popErrorScope();
    const info = await module.getCompilationInfo();
    const messages = info.messages.filter((m) => m.type === 'error');
    if (messages.length > 0 || pipelineError || scopeError || !pipeline) {
      const detail =
        messages.map((m) => `line ${m.lineNum}: ${m.message}`).join('; ') ||
        scopeError?.message ||
        (pipelineError instanceof Error ? pipelineError.message : String(pipelineError));
      throw new ShaderCompileError(
        `The WebGPU shader "${spec.label}" does not compile: ${detail.slice(0, 500)}`,
      );
    }
    return { spec, pipeline, layout };
  }
}
