// Engines for Node tools. The WebGPU path goes through the `webgpu` package (Dawn); in Node there is no
// silent fallback: if WebGPU cannot start, the command fails and says what is missing.

import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import type { Engine } from '../model/engine';
import { requestGpuDevice, WebGpuUnavailableError, type GpuDevice } from '../model/webgpu/device';
import { WebGpuEngine, type WebGpuEngineOptions } from '../model/webgpu/engine';
import type { GPT2Weights } from '../model/weights';

/** Debian's chromium package ships SwiftShader (a CPU Vulkan driver) and a Vulkan loader beside it. */
const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const SYSTEM_VULKAN_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
];
const SYSTEM_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

const NO_ADAPTER_HELP =
  'Node found no WebGPU adapter. Dawn needs a Vulkan loader (libvulkan.so.1) and a Vulkan driver. Without a GPU, ' +
  `install Debian's chromium package (it ships SwiftShader) and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}; ` +
  'on a GPU machine, install libvulkan1 and point VK_ICD_FILENAMES at the vendor ICD json.';

let preparedGpu: Promise<GPU> | null = null;

/**
 * Makes Dawn find Vulkan where the system lacks it: when no driver is configured, SwiftShader from chromium;
 * when no libvulkan.so.1 is installed, chromium's copy, loaded by full path before Dawn asks for it by name.
 * A driver or loader that the system (or VK_ICD_FILENAMES) already provides is never overridden.
 */
function useChromiumVulkanIfMissing(): void {
  const driverConfigured = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  const systemDriver = SYSTEM_ICD_DIRS.some(
    (dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')),
  );
  if (!driverConfigured && !systemDriver && existsSync(SWIFTSHADER_ICD))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const systemLoader = SYSTEM_VULKAN_DIRS.some((dir) => existsSync(`${dir}/libvulkan.so.1`));
  const chromiumLoader = `${CHROMIUM_DIR}/libvulkan.so.1`;
  if (systemLoader || !existsSync(chromiumLoader)) return;
  // process.dlopen loads the library and then complains that it is no Node addon; RTLD_NODELETE (0x1000 in
  // glibc) keeps it loaded anyway, so Dawn's dlopen("libvulkan.so.1") finds it by its soname.
  const RTLD_NODELETE = 0x1000;
  try {
    process.dlopen(
      { exports: {} },
      chromiumLoader,
      constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE,
    );
  } catch {
    // "Module did not self-register" is expected: the library is loaded all the same.
  }
}

/** Node's navigator.gpu: Dawn through the `webgpu` package, with its GPU* globals installed. */
export function nodeGpu(): Promise<GPU> {
  preparedGpu ??= (async () => {
    useChromiumVulkanIfMissing();
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    // Dawn rounds timestamps to 65.536 µs by default (a browser's guard against timing attacks), coarser than
    // most steps of a forward pass on a big GPU; the benchmark's profile needs them as the GPU wrote them.
    return create(['disable-dawn-features=timestamp_quantization']);
  })();
  return preparedGpu;
}

/** A device from Node's WebGPU, or an error that says what is missing (there is no fallback in Node). */
export async function requestNodeGpuDevice(): Promise<GpuDevice> {
  const gpu = await nodeGpu();
  try {
    return await requestGpuDevice(gpu);
  } catch (error) {
    if (error instanceof WebGpuUnavailableError && /no adapter/.test(error.message)) {
      throw new WebGpuUnavailableError(NO_ADAPTER_HELP);
    }
    throw error;
  }
}

/** The WebGPU engine for Node tools (trace, bench, tests). */
export async function createNodeEngine(
  weights: GPT2Weights,
  backend: 'webgpu',
  options: WebGpuEngineOptions = {},
): Promise<Engine & WebGpuEngine> {
  if (backend !== 'webgpu') throw new Error(`unknown backend ${String(backend)}`);
  return WebGpuEngine.create(await requestNodeGpuDevice(), weights, options);
}
