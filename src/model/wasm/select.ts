// Picks the CPU kernels a platform can run: WebAssembly SIMD on worker threads where memory can be shared,
// on one thread where it cannot (a page that is not cross-origin isolated), and the TypeScript reference where
// WebAssembly SIMD is missing. The reason threads or SIMD are off is kept for the compute badge.

import { referenceKernels, type CpuKernels } from '../cpu/kernels';
import { sharedMemorySupported, wasmSimdSupported } from './runtime';
import { WasmKernels } from './wasm-kernels';

export interface KernelChoice {
  kernels: CpuKernels;
  /** Why the CPU runs with less than it could (no SIMD, one thread), or null. */
  limitation: string | null;
}

/** How many threads to use by default: the logical cores, at most 8 (the products are small). */
export async function defaultThreadCount(): Promise<number> {
  const fromNavigator = globalThis.navigator?.hardwareConcurrency;
  if (fromNavigator) return Math.min(8, fromNavigator);
  try {
    const osName = 'node:os';
    const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
    return Math.min(8, os.availableParallelism());
  } catch {
    return 1;
  }
}

/** The fastest kernels this platform runs, with `threads` threads (the default count when left out). */
export async function createCpuKernels(threads?: number): Promise<KernelChoice> {
  if (!wasmSimdSupported())
    return {
      kernels: referenceKernels,
      limitation: 'This browser has no WebAssembly SIMD, so the CPU runs plain JavaScript.',
    };
  const wanted = threads ?? (await defaultThreadCount());
  if (wanted > 1 && !sharedMemorySupported())
    return {
      kernels: WasmKernels.singleThreaded(),
      limitation:
        'One thread: the page is not cross-origin isolated, so it cannot share memory with workers.',
    };
  try {
    return { kernels: await WasmKernels.create(wanted), limitation: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kernels: WasmKernels.singleThreaded(),
      limitation: `One thread: the workers did not start (${reason}).`,
    };
  }
}

/** Kernels for one synchronous user (an engine built without waiting): WebAssembly on this thread. */
export function createSyncKernels(): CpuKernels {
  return wasmSimdSupported() ? WasmKernels.singleThreaded() : referenceKernels;
}

let shared: CpuKernels | null = null;

/** One process-wide single-thread instance for callers that pass no kernels (weights are copied per call). */
export function defaultCpuKernels(): CpuKernels {
  shared ??= createSyncKernels();
  return shared;
}
