// "Why does this head look there?" in the worker: the engine host answers for the trace on screen only, reuses
// the keystroke's pass while the panel is open, its cell's terms add up to the head's score, and the WebGPU
// engine's trace (SwiftShader in Node) gives the CPU's attribution within tolerance. With CI=true a missing
// adapter fails the GPU test.

import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/model/engine';
import type { TraceRequest } from '../../src/model/trace';
import type { GPT2Weights } from '../../src/model/weights';
import { createAttributionJobs } from '../../src/app/worker/attribution-job';
import type { AttributionResult } from '../../src/app/worker/protocol';
import { CpuEngine } from '../../src/model/cpu/forward';
import { WebGpuEngine } from '../../src/model/webgpu/engine';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { deviceForTests } from '../model/webgpu/gpu';
import { createSyncKernels } from '../../src/model/wasm/select';
import { loadedEngineHost } from '../helpers/engine-host';

/** Every request the host's engine was given, to count forward passes. */
const requests: (TraceRequest | undefined)[] = [];
vi.mock('../../src/model/backend', () => ({
  createEngine: async (weights: GPT2Weights) => {
    const cpu = new CpuEngine(weights, createSyncKernels());
    const engine: Engine = {
      backend: 'cpu',
      config: weights.config,
      description: 'CPU',
      forward: async (ids, request) => {
        requests.push(request);
        return cpu.forward(ids, request);
      },
      dispose: () => undefined,
    };
    return { engine, fallbackReason: null };
  },
}));

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const sumOf = (a: Float32Array) => a.reduce((s, x) => s + x, 0);
const maxAbs = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('attribution in the engine host', () => {
  it('needs no pass of its own while the panel is open, and gives what its own pass gives', async () => {
    const { host, messages } = await loadedEngineHost();
    const text = 'the cat sat on the mat and the cat';
    host.handle({ type: 'attribution-open', open: true });
    host.handle({ type: 'trace', id: 2, text, layer: 1, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === 2)).toBe(true));
    const trace = messages.find((m) => m.type === 'trace')!;
    // The page gets its usual tensors, whole, and none of the earlier layer's.
    expect(trace.type === 'trace' && Object.keys(trace.tensors).some((n) => n.startsWith('h0.'))).toBe(false);
    expect(trace.type === 'trace' && trace.tensors.tok_emb.data.length).toBeGreaterThan(0);
    const passes = requests.length;
    host.handle({ type: 'attribution', id: 2, layer: 1, head: 1, cell: [6, 2] });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'attribution')).toBe(true), {
      timeout: 20_000,
    });
    expect(requests.length).toBe(passes);
    const stashed = messages.find((m): m is AttributionResult => m.type === 'attribution')!;
    // Closed: the next trace keeps nothing, and the split runs its own pass, with the same numbers.
    host.handle({ type: 'attribution-open', open: false });
    host.handle({ type: 'trace', id: 3, text, layer: 1, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === 3)).toBe(true));
    host.handle({ type: 'attribution', id: 3, layer: 1, head: 1, cell: [6, 2] });
    await vi.waitFor(() => expect(messages.filter((m) => m.type === 'attribution')).toHaveLength(2), {
      timeout: 20_000,
    });
    expect(requests.length).toBe(passes + 2);
    const own = messages.filter((m): m is AttributionResult => m.type === 'attribution')[1];
    expect(Array.from(own.mean)).toEqual(Array.from(stashed.mean));
    expect(Array.from(own.terms!)).toEqual(Array.from(stashed.terms!));
    expect(own.previousToken).toEqual(stashed.previousToken);
  });

  it('answers for the newest trace only, with a cell whose terms add up to its score', async () => {
    const { host, messages } = await loadedEngineHost();
    for (const [id, text] of [
      [2, 'the cat'],
      [3, 'the cat sat on the mat'],
    ] as const) {
      host.handle({ type: 'trace', id, text, layer: 1, allowSpecial: false });
      await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === id)).toBe(true));
    }
    host.handle({ type: 'attribution', id: 2, layer: 1, head: 0, cell: null }); // an older trace: dropped
    host.handle({ type: 'attribution', id: 3, layer: 1, head: 2, cell: [4, 1] });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'attribution')).toBe(true), {
      timeout: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answers = messages.filter((m): m is AttributionResult => m.type === 'attribution');
    expect(answers.map((m) => m.id)).toEqual([3]);
    const [answer] = answers;
    const N = answer.components.length;
    expect(answer.components[0]).toBe('token');
    expect(answer.components).toContain('L1 H3');
    expect(answer.mean.length).toBe(N * N);
    expect(answer.cell).toEqual([4, 1]);
    // Layer 1's heads' previous-token scores, to name them: one row of NH numbers between 0 and 1.
    expect(answer.previousToken).toHaveLength(1);
    for (const score of answer.previousToken![0]) expect(score).toBeGreaterThanOrEqual(0);
    expect(Math.abs(sumOf(answer.terms!) - answer.score!)).toBeLessThan(
      1e-4 * Math.max(1, Math.abs(answer.score!)),
    );
    expect(Math.abs(sumOf(answer.mean) - answer.meanScore)).toBeLessThan(
      1e-4 * Math.max(1, Math.abs(answer.meanScore)),
    );
    // A key after the query is masked: no cell, only the head average.
    host.handle({ type: 'attribution', id: 3, layer: 1, head: 2, cell: [1, 4] });
    await vi.waitFor(() => expect(messages.filter((m) => m.type === 'attribution')).toHaveLength(2));
    const masked = messages.filter((m): m is AttributionResult => m.type === 'attribution')[1];
    expect(masked.cell).toBeNull();
    expect(Array.from(masked.mean)).toEqual(Array.from(answer.mean));
  });
});

describe.skipIf(!gpu)('attribution from the WebGPU engine’s trace', () => {
  it('is the CPU engine’s within tolerance, for the head average and one cell', async () => {
    const weights = loudRandomWeights(
      testConfig({ nEmbd: 32, nHead: 4, nLayer: 3, nPositions: 24 }),
      21,
      0.3,
    );
    const ids = [464, 3797, 3332, 319, 262, 2603, 13, 464, 3797, 3332];
    const onGpu = await WebGpuEngine.create(gpu!, weights);
    try {
      for (const [layer, head, cell] of [
        [2, 3, [9, 2]],
        [1, 0, [5, 5]],
      ] as const) {
        const ask = { type: 'attribution' as const, id: 1, layer, head, cell: [...cell] as [number, number] };
        const cpu = await createAttributionJobs().run(
          new CpuEngine(weights, createSyncKernels()),
          weights,
          ids,
          ask,
        );
        const webgpu = await createAttributionJobs().run(onGpu, weights, ids, ask);
        expect(webgpu.components).toEqual(cpu.components);
        for (const key of ['mean', 'terms'] as const) {
          const [a, b] = [cpu[key]!, webgpu[key]!];
          const scale = maxAbs(a);
          for (let n = 0; n < a.length; n++) expect(Math.abs(a[n] - b[n]), key).toBeLessThan(1e-4 * scale);
        }
        expect(webgpu.score!).toBeCloseTo(cpu.score!, 3);
      }
    } finally {
      onGpu.dispose();
    }
  }, 120_000);
});
