// createEngine takes WebGPU away in every way the issue lists and must still hand back a working engine:
// no navigator.gpu, no adapter, a failed device request, a shader that does not compile, a device lost
// while in use. Each case checks the reason given and that the numbers still come (from the CPU).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, GpuEngineWithCpuFallback } from '../../../src/model/backend';
import { cpuForward } from '../../../src/model/cpu/forward';
import type { Engine } from '../../../src/model/engine';
import type { GPT2Weights } from '../../../src/model/weights';
import { nodeGpu } from '../../../src/node/engines';
import { loadTinyModel, relativeError, tinySentences } from '../../helpers/fixtures';
import { deviceForTests } from './gpu';
import { defaultCpuKernels } from '../../../src/model/wasm/select';

let weights: GPT2Weights;
beforeAll(async () => {
  weights = await loadTinyModel();
});

const ids = tinySentences[0].ids;
const request = { include: ['h1.attn_weights'], logits: 'none' as const };

/** Asserts the engine is the CPU one and computes the CPU's numbers. */
async function expectCpuEngine(engine: Engine) {
  expect(engine.backend).toBe('cpu');
  const tensors = await engine.forward(ids, request);
  expect(tensors['h1.attn_weights'].data).toEqual(
    cpuForward(weights, ids, request, defaultCpuKernels())['h1.attn_weights'].data,
  );
}

/** A GPU whose adapter answers `requestDevice` as given. */
const gpuWithAdapter = (requestDevice: () => Promise<GPUDevice>) =>
  ({ requestAdapter: async () => ({ limits: {}, info: undefined, requestDevice }) }) as unknown as GPU;

describe('createEngine falls back to the CPU with a reason', () => {
  it('when there is no navigator.gpu', async () => {
    const choice = await createEngine(weights, { gpu: null });
    expect(choice.fallbackReason).toMatch(/navigator\.gpu is missing/);
    await expectCpuEngine(choice.engine);
  });

  it('when requestAdapter returns null', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const choice = await createEngine(weights, { gpu });
    expect(choice.fallbackReason).toMatch(/no adapter/);
    await expectCpuEngine(choice.engine);
  });

  it('when requestAdapter throws', async () => {
    const gpu = { requestAdapter: () => Promise.reject(new Error('adapter blew up')) } as unknown as GPU;
    const choice = await createEngine(weights, { gpu });
    expect(choice.fallbackReason).toMatch(/adapter blew up/);
    await expectCpuEngine(choice.engine);
  });

  it('when requestDevice rejects', async () => {
    const gpu = gpuWithAdapter(() => Promise.reject(new Error('OperationError: out of devices')));
    const choice = await createEngine(weights, { gpu });
    expect(choice.fallbackReason).toMatch(/device request failed: OperationError: out of devices/);
    await expectCpuEngine(choice.engine);
  });

  it('keeps the CPU without a reason when the CPU was asked for', async () => {
    const choice = await createEngine(weights, { preference: 'cpu' });
    expect(choice.fallbackReason).toBeNull();
    await expectCpuEngine(choice.engine);
  });
});

const probe = await deviceForTests();
probe?.device.destroy();

// Each case compiles every kernel on a fresh device, which takes tens of seconds on SwiftShader.
const ENGINE_TEST_TIMEOUT_MS = 300_000;

describe.skipIf(!probe)('createEngine on a real adapter', () => {
  const engines: { dispose(): void }[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));

  it(
    'falls back with a reason when a shader does not compile',
    async () => {
      const breakSoftmax = (label: string, code: string) =>
        label === 'softmax' ? code.replaceAll('exp(', 'expp(') : code;
      const choice = await createEngine(weights, {
        gpu: await nodeGpu(),
        webgpu: { patchShader: breakSoftmax },
      });
      engines.push(choice.engine);
      expect(choice.fallbackReason).toMatch(/shader "softmax" does not compile/);
      await expectCpuEngine(choice.engine);
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it(
    'runs on WebGPU, then switches to the CPU when the device is lost, keeping the same request working',
    async () => {
      const reasons: string[] = [];
      const choice = await createEngine(weights, {
        gpu: await nodeGpu(),
        onFallback: (r) => reasons.push(r),
      });
      engines.push(choice.engine);
      expect(choice.fallbackReason).toBeNull();
      const engine = choice.engine as GpuEngineWithCpuFallback;
      expect(engine.backend).toBe('webgpu');
      expect(engine.description).toMatch(/\w/);
      const onGpu = await engine.forward(ids, request);
      const cpu = cpuForward(weights, ids, request, defaultCpuKernels());
      expect(relativeError(onGpu['h1.attn_weights'].data, cpu['h1.attn_weights'].data)).toBeLessThan(1e-5);

      engine.simulateDeviceLoss();
      const info = await engine.lost;
      expect(info.reason).toBe('destroyed');
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/GPU device was lost/);
      expect(engine.fallbackReason).toBe(reasons[0]);
      // The same kernels as a CPU start (worker threads where there are cores), not one thread.
      const cpuStart = await createEngine(weights, { preference: 'cpu' });
      expect(engine.description).toBe(cpuStart.engine.description);
      expect(engine.description).toMatch(/^CPU · WASM SIMD · \d+ threads?$/);
      cpuStart.engine.dispose();
      await expectCpuEngine(engine);
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it(
    'finishes a pass that was in flight when the device went away, on the CPU',
    async () => {
      const choice = await createEngine(weights, { gpu: await nodeGpu() });
      engines.push(choice.engine);
      const engine = choice.engine as GpuEngineWithCpuFallback;
      const running = engine.forward(ids, request);
      engine.simulateDeviceLoss();
      const tensors = await running;
      expect(
        relativeError(
          tensors['h1.attn_weights'].data,
          cpuForward(weights, ids, request, defaultCpuKernels())['h1.attn_weights'].data,
        ),
      ).toBeLessThan(1e-5);
      expect(engine.backend).toBe('cpu');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
