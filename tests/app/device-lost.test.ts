// @vitest-environment jsdom
// A lost GPU device, on the engine production builds: the engine host gets the real createEngine and
// GpuEngineWithCpuFallback on a real WebGPU device (Dawn on SwiftShader), the device is destroyed as a driver
// reset would, and the page is told why, keeps its text and settings, and gets the same numbers from the CPU.
// A pass already on the GPU when the device goes is answered too, from the CPU, with no error on the page.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FromWorker, ToWorker } from '../../src/app/worker/protocol';
import { nodeGpu } from '../../src/node/engines';
import { relativeError } from '../helpers/fixtures';
import { deviceForTests } from '../model/webgpu/gpu';

type Host = { handle(message: ToWorker): void };

/**
 * Makes `device` go away as a driver reset would, right after its next submit: the pass is then on the GPU, and
 * only the engine's catch of the failed readback can still answer it.
 */
function loseAfterNextSubmit(device: GPUDevice) {
  const { queue } = device;
  const submit = queue.submit.bind(queue);
  queue.submit = (buffers) => {
    submit(buffers);
    device.destroy();
  };
}

/** navigator.gpu for the host: Node's real WebGPU, keeping each device it hands out so a test can lose it. */
async function gpuThatCanLoseItsDevice(): Promise<{ gpu: GPU; devices: GPUDevice[] }> {
  const real = await nodeGpu();
  const devices: GPUDevice[] = [];
  const gpu = {
    requestAdapter: async (options?: GPURequestAdapterOptions) => {
      const adapter = await real.requestAdapter(options);
      if (!adapter) return null;
      return {
        features: adapter.features,
        limits: adapter.limits,
        info: adapter.info,
        requestDevice: async (descriptor?: GPUDeviceDescriptor) => {
          const device = await adapter.requestDevice(descriptor);
          devices.push(device);
          return device;
        },
      };
    },
  } as unknown as GPU;
  return { gpu, devices };
}

/** A worker host that has loaded the built-in model on `gpu`, and the messages it posts. */
async function hostOnGpu(gpu: GPU): Promise<{ host: Host; messages: FromWorker[] }> {
  Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  const { createEngineHost } = await import('../../src/app/worker/engine-host');
  const messages: FromWorker[] = [];
  const host = createEngineHost((m) => messages.push(m));
  // Nothing answers on port 9: the host runs its built-in untrained model, the same on every machine.
  const source = { kind: 'default' as const, baseUrl: 'http://127.0.0.1:9/' };
  host.handle({ type: 'load', id: 1, source, backend: 'auto' });
  await vi.waitFor(() => expect(messages.some((m) => m.type === 'model')).toBe(true), { timeout: 240_000 });
  return { host, messages };
}

/** Asks for trace `id` of one text and waits for its answer (a trace, or a trace error). */
async function trace(host: Host, messages: FromWorker[], id: number) {
  host.handle({ type: 'trace', id, text: 'hello world, hello again', layer: 1, allowSpecial: false });
  await vi.waitFor(
    () =>
      expect(messages.some((m) => (m.type === 'trace' || m.type === 'trace-error') && m.id === id)).toBe(
        true,
      ),
    { timeout: 120_000 },
  );
  const answer = messages.find((m) => m.type === 'trace' && m.id === id);
  expect(answer, JSON.stringify(messages.find((m) => m.type === 'trace-error'))).toBeDefined();
  return answer as Extract<FromWorker, { type: 'trace' }>;
}

const TEST_TIMEOUT_MS = 300_000;

// Locally without an adapter the test skips with a note; with CI=true deviceForTests throws instead.
const probe = await deviceForTests();
probe?.device.destroy();

describe.skipIf(!probe)('device loss on the engine production builds', () => {
  let lose: () => void;
  let gpu: GPU;
  let devices: GPUDevice[];
  beforeAll(async () => {
    const made = await gpuThatCanLoseItsDevice();
    gpu = made.gpu;
    devices = made.devices;
    lose = () => devices.forEach((d) => d.destroy());
  });
  afterEach(() => Reflect.deleteProperty(navigator, 'gpu'));

  it(
    'moves to the CPU, says why, and answers the next request with the same numbers',
    async () => {
      const { host, messages } = await hostOnGpu(gpu);
      const model = messages.find((m) => m.type === 'model');
      expect(model?.type === 'model' && model.backend.name).toBe('webgpu');
      const onGpu = await trace(host, messages, 2);

      lose();
      await vi.waitFor(() => expect(messages.some((m) => m.type === 'backend')).toBe(true), {
        timeout: 30_000,
      });
      const switched = messages.find((m) => m.type === 'backend');
      expect(switched?.type === 'backend' && switched.backend.name).toBe('cpu');
      expect(switched?.type === 'backend' && switched.backend.fallbackReason).toMatch(
        /GPU device was lost.*the CPU computes instead\. Your text and settings are kept\./,
      );

      const onCpu = await trace(host, messages, 3);
      expect(messages.some((m) => m.type === 'trace-error')).toBe(false);
      expect(onGpu.computedBy).not.toMatch(/^CPU/);
      expect(onCpu.computedBy).toMatch(/^CPU/);
      for (const name of ['h1.attn_weights', 'tok_emb']) {
        expect(onCpu.tensors[name].shape).toEqual(onGpu.tensors[name].shape);
        expect(relativeError(onCpu.tensors[name].data, onGpu.tensors[name].data), name).toBeLessThan(1e-5);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers on the CPU a request whose pass was on the GPU when the device went away',
    async () => {
      const { host, messages } = await hostOnGpu(gpu);
      devices.forEach(loseAfterNextSubmit);
      const answer = await trace(host, messages, 2);
      expect(messages.filter((m) => m.type === 'trace-error')).toEqual([]);
      expect(answer.computedBy).toMatch(/^CPU/);
      await vi.waitFor(() => expect(messages.some((m) => m.type === 'backend')).toBe(true), {
        timeout: 30_000,
      });
      const switched = messages.find((m) => m.type === 'backend');
      expect(switched?.type === 'backend' && switched.backend.name).toBe('cpu');
    },
    TEST_TIMEOUT_MS,
  );
});
