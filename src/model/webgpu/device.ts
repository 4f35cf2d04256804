// Gets a WebGPU device with the limits a real GPT-2 needs, or a WebGpuUnavailableError whose message is the
// one sentence the UI shows as the reason for falling back to the CPU.

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

/** The device and what the UI shows about it. */
export interface GpuDevice {
  device: GPUDevice;
  /** The adapter, for people: vendor, architecture, device and driver, as far as the adapter tells. */
  adapterName: string;
}

/** Reads a readable adapter name out of GPUAdapterInfo (fields are often empty in browsers, for privacy). */
export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'WebGPU adapter';
  const parts = [info.vendor, info.architecture, info.device].filter(
    (p, i, all) => p && all.indexOf(p) === i,
  );
  const main = parts.join(' ');
  if (info.description && main) return `${main} (${info.description})`;
  return main || info.description || 'WebGPU adapter';
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Asks `gpu` (navigator.gpu, or Node's `webgpu` package) for a device. The storage-binding and buffer-size
 * limits are raised to what the adapter allows: GPT-2 124M's token embedding alone is 154 MB, more than the
 * default 128 MiB binding, and the engine splits it only as far as the granted limits require.
 */
export async function requestGpuDevice(gpu: GPU | undefined): Promise<GpuDevice> {
  if (!gpu)
    throw new WebGpuUnavailableError('This browser does not offer WebGPU (navigator.gpu is missing).');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    throw new WebGpuUnavailableError(`Asking for a WebGPU adapter failed: ${messageOf(error)}`);
  }
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'WebGPU is present but offers no adapter (no usable GPU, or it is blocked).',
    );
  }
  const { limits } = adapter;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'attention-explorer',
      // Only the benchmark's profiler reads timestamps; asking costs nothing where the adapter has them.
      requiredFeatures: adapter.features?.has('timestamp-query') ? ['timestamp-query'] : [],
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      },
    });
  } catch (error) {
    throw new WebGpuUnavailableError(`The WebGPU device request failed: ${messageOf(error)}`);
  }
  return { device, adapterName: describeAdapter(adapter.info) };
}

/** How long a failed GPU call waits for the device's `lost` promise before it counts as an error of its own. */
export const LOSS_SETTLE_MS = 1000;

/**
 * What a failed GPU call was: the device's loss (`lost`'s value) or, when `lost` has not settled within
 * LOSS_SETTLE_MS, null (the failure is the call's own). A readback on a lost device fails before (or without)
 * `lost` resolving, so every caller that turns a loss into a fallback waits this one moment for it.
 */
export async function lossBehind<T>(lost: Promise<T> | null): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settle = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOSS_SETTLE_MS)));
  const reason = await Promise.race(lost ? [lost, settle] : [settle]);
  clearTimeout(timer);
  return reason;
}
