// @vitest-environment jsdom
// A lost GPU device: the engine host swaps in the CPU engine, says why, and answers the same request, so the
// user keeps their text and settings and sees numbers again.

import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/model/engine';
import type { GPT2Weights } from '../../src/model/weights';
import { CpuEngine } from '../../src/model/cpu/forward';
import type { FromWorker, ToWorker } from '../../src/app/worker/protocol';

vi.mock('../../src/model/backend', () => ({
  createEngine: async (
    weights: GPT2Weights,
    options: { preference: string; onFallback?: (r: string) => void },
  ) => {
    const cpu = new CpuEngine(weights);
    if (options.preference === 'cpu') return { engine: cpu, fallbackReason: null };
    if (options.preference === 'webgpu') {
      // Like the real wrapper: it notices the loss itself, calls onFallback and keeps answering on the CPU.
      const selfHealing: Engine = {
        backend: 'webgpu',
        config: weights.config,
        description: 'Fake adapter',
        forward: async (ids, request) => {
          options.onFallback?.('The GPU device was lost (test); the CPU computes instead.');
          return cpu.forward(ids, request);
        },
        dispose: () => undefined,
      };
      return { engine: selfHealing, fallbackReason: null };
    }
    const lostGpu: Engine = {
      backend: 'webgpu',
      config: weights.config,
      description: 'Fake adapter',
      forward: async () => {
        const error = new Error('The GPU device was lost (destroyed): test.');
        error.name = 'DeviceLostError';
        throw error;
      },
      dispose: () => undefined,
    };
    return { engine: lostGpu, fallbackReason: null };
  },
}));

type Host = { handle(message: ToWorker): void };

/** A worker host that has loaded the default model with `backend`, and the messages it posts. */
async function hostWithDefaultModel(
  backend: 'auto' | 'webgpu',
): Promise<{ host: Host; messages: FromWorker[] }> {
  const { createEngineHost } = await import('../../src/app/worker/engine-host');
  const messages: FromWorker[] = [];
  const host = createEngineHost((m) => messages.push(m));
  host.handle({ type: 'load', id: 1, source: { kind: 'default', baseUrl: 'http://127.0.0.1:9/' }, backend });
  await vi.waitFor(() => expect(messages.some((m) => m.type === 'model')).toBe(true), { timeout: 20_000 });
  return { host, messages };
}

/** Asks the host for one trace and waits until it has answered. */
async function traceHelloWorld({ host, messages }: { host: Host; messages: FromWorker[] }): Promise<void> {
  host.handle({ type: 'trace', id: 2, text: 'hello world', layer: 0, allowSpecial: false });
  await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace')).toBe(true), { timeout: 20_000 });
}

describe('device loss', () => {
  it('switches to the CPU and still answers the request', async () => {
    const loaded = await hostWithDefaultModel('auto');
    const { messages } = loaded;
    const model = messages.find((m) => m.type === 'model');
    expect(model?.type === 'model' && model.backend.name).toBe('webgpu');
    await traceHelloWorld(loaded);
    const switched = messages.find((m) => m.type === 'backend');
    expect(switched?.type === 'backend' && switched.backend.name).toBe('cpu');
    expect(switched?.type === 'backend' && switched.backend.fallbackReason).toMatch(
      /device was lost.*switched to the CPU/,
    );
    const trace = messages.find((m) => m.type === 'trace');
    expect(trace?.type === 'trace' && trace.id).toBe(2);
    expect(messages.some((m) => m.type === 'trace-error')).toBe(false);
  });

  it('reports an engine that fell back by itself (onFallback)', async () => {
    const loaded = await hostWithDefaultModel('webgpu');
    const { messages } = loaded;
    await traceHelloWorld(loaded);
    const switched = messages.find((m) => m.type === 'backend');
    expect(switched?.type === 'backend' && switched.backend.name).toBe('cpu');
    expect(switched?.type === 'backend' && switched.backend.fallbackReason).toMatch(
      /lost.*text and settings are kept/,
    );
  });
});
