// The WebGPU forward pass against PyTorch (the fixtures) and against the CPU engine: every tensor of every
// fixture sentence within the README's tolerances, single-head readback, and a wte split into chunks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { cpuForward } from '../../../src/model/cpu/forward';
import { allTensorNames, headOf, type Tensor } from '../../../src/model/trace';
import { WebGpuEngine } from '../../../src/model/webgpu/engine';
import type { GPT2Weights } from '../../../src/model/weights';
import { UNTRAINED_CONFIG } from '../../../src/model/default-model';
import { randomGPT2Weights } from '../../../src/model/random';
import { requestNodeGpuDevice } from '../../../src/node/engines';
import {
  FIXTURES,
  loadTinyModel,
  readAllTensors,
  relativeError,
  tinySentences,
  toleranceFor,
} from '../../helpers/fixtures';
import { deviceForTests } from './gpu';
import { defaultCpuKernels } from '../../../src/model/wasm/select';

/** A second engine compiles every kernel again, which takes tens of seconds on SwiftShader. */
const ENGINE_TEST_TIMEOUT_MS = 300_000;

const probe = await deviceForTests();
probe?.device.destroy();

describe.skipIf(!probe)('WebGPU forward pass', () => {
  let weights: GPT2Weights;
  let reference: Map<string, Tensor>;
  let engine: WebGpuEngine;
  beforeAll(async () => {
    weights = await loadTinyModel();
    reference = await readAllTensors(path.join(FIXTURES, 'tiny-gpt2.trace.safetensors'));
    engine = await WebGpuEngine.create(await requestNodeGpuDevice(), weights);
  });
  afterAll(() => engine?.dispose());

  tinySentences.forEach((sentence, s) => {
    it(`matches every PyTorch tensor for "${sentence.text}"`, async () => {
      const tensors = await engine.forward(sentence.ids, { logits: 'all' });
      const T = sentence.ids.length;
      const V = weights.config.vocabSize;
      for (const name of allTensorNames(weights.config)) {
        const expected = reference.get(`s${s}.${name}`)!;
        const actual = tensors[name];
        expect(actual, name).toBeDefined();
        if (name === 'logits') {
          expect(actual.shape).toEqual([T, V]);
          expect(relativeError(actual.data.subarray((T - 1) * V), expected.data), name).toBeLessThan(
            toleranceFor(name),
          );
          continue;
        }
        expect(actual.shape, name).toEqual(expected.shape);
        expect(relativeError(actual.data, expected.data), name).toBeLessThan(toleranceFor(name));
      }
    });
  });

  it('agrees with the CPU engine to 1e-4 on every tensor, logits of every position included', async () => {
    const ids = tinySentences[0].ids;
    const gpu = await engine.forward(ids, { logits: 'all' });
    const cpu = cpuForward(weights, ids, { logits: 'all' }, defaultCpuKernels());
    expect(Object.keys(gpu).sort()).toEqual(Object.keys(cpu).sort());
    for (const name of Object.keys(cpu)) {
      expect(gpu[name].shape, name).toEqual(cpu[name].shape);
      expect(relativeError(gpu[name].data, cpu[name].data), name).toBeLessThan(1e-4);
    }
  });

  it('reads back only what was asked for, single heads included', async () => {
    const ids = tinySentences[1].ids;
    const request = { include: ['h1.attn_weights.head2', 'h0.q.head0', 'h0.ln_1'], logits: 'none' as const };
    const gpu = await engine.forward(ids, request);
    expect(Object.keys(gpu).sort()).toEqual(['h0.ln_1', 'h0.q.head0', 'h1.attn_weights.head2']);
    const cpu = cpuForward(
      weights,
      ids,
      { include: ['h1.attn_weights', 'h0.q'], logits: 'none' },
      defaultCpuKernels(),
    );
    const T = ids.length;
    expect(gpu['h1.attn_weights.head2'].shape).toEqual([T, T]);
    expect(
      relativeError(gpu['h1.attn_weights.head2'].data, headOf(cpu['h1.attn_weights'], 2).data),
    ).toBeLessThan(1e-5);
    expect(relativeError(gpu['h0.q.head0'].data, headOf(cpu['h0.q'], 0).data)).toBeLessThan(1e-5);
  });

  it('profiles a pass: a GPU time for every step that ran, in order', async () => {
    const timings = await engine.profile(tinySentences[0].ids, { include: [], logits: 'last' });
    const labels = timings.map((t) => t.label);
    expect(labels[0]).toMatch(/^embedding/);
    expect(labels).toContain('h1.mlp_fc');
    expect(labels.at(-1)).toMatch(/^logits/);
    expect(labels.some((l) => l.startsWith('naive'))).toBe(false); // not asked for, so not run
    for (const { label, ms } of timings) expect(ms, label).toBeGreaterThanOrEqual(0);
  });

  it('runs no block after the deepest one asked for', async () => {
    const ids = tinySentences[0].ids;
    const request = { include: ['h0.attn_weights.head1', 'naive.scores'], logits: 'none' as const };
    const labels = (await engine.profile(ids, request)).map((t) => t.label);
    expect(labels).toContain('h0.softmax');
    expect(labels.filter((l) => l.startsWith('h1.') || l === 'ln_f' || l.startsWith('logits'))).toEqual([]);
    const gpu = await engine.forward(ids, request);
    const cpu = cpuForward(
      weights,
      ids,
      { include: ['h0.attn_weights', 'naive.scores'], logits: 'none' },
      defaultCpuKernels(),
    );
    expect(
      relativeError(gpu['h0.attn_weights.head1'].data, headOf(cpu['h0.attn_weights'], 1).data),
    ).toBeLessThan(1e-5);
    expect(relativeError(gpu['naive.scores'].data, cpu['naive.scores'].data)).toBeLessThan(1e-5);
  });

  it('gives the fixture top-5 next tokens with the last-position logits only', async () => {
    for (const sentence of tinySentences) {
      const { logits } = await engine.forward(sentence.ids, { include: [], logits: 'last' });
      expect(logits.shape).toEqual([1, weights.config.vocabSize]);
      const order = Array.from(logits.data.keys()).sort((a, b) => logits.data[b] - logits.data[a]);
      expect(order.slice(0, 5)).toEqual(sentence.next_top5_ids);
    }
  });

  it(
    'gives the same numbers with wte split into uneven chunks (the binding-size limit)',
    async () => {
      const split = await WebGpuEngine.create(await requestNodeGpuDevice(), weights, {
        maxWteChunkRows: 20000,
      });
      try {
        const ids = tinySentences[2].ids;
        const request = { include: ['tok_emb', 'input_emb'], logits: 'all' as const };
        const [whole, chunked] = [await engine.forward(ids, request), await split.forward(ids, request)];
        for (const name of ['tok_emb', 'input_emb', 'logits']) {
          expect(relativeError(chunked[name].data, whole[name].data), name).toBeLessThan(1e-6);
        }
      } finally {
        split.dispose();
      }
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it('grows its buffers for a longer text and runs T = 1', async () => {
    const T = weights.config.nPositions;
    const ids = Array.from({ length: T }, (_, i) => (i * 7919) % weights.config.vocabSize);
    for (const run of [ids, ids.slice(0, 1)]) {
      const request = { include: ['h1.attn_weights', 'h1.block_out'], logits: 'last' as const };
      const gpu = await engine.forward(run, request);
      const cpu = cpuForward(weights, run, request, defaultCpuKernels());
      for (const name of Object.keys(cpu))
        expect(relativeError(gpu[name].data, cpu[name].data), name).toBeLessThan(1e-4);
    }
  });

  it(
    'agrees with the CPU at T = 128 on the default model shape: large tiles and the causal stop in a whole pass',
    async () => {
      const wide = randomGPT2Weights(UNTRAINED_CONFIG, 7);
      const T = UNTRAINED_CONFIG.nPositions;
      const ids = Array.from({ length: T }, (_, i) => (i * 104729) % UNTRAINED_CONFIG.vocabSize);
      const request = { include: ['h1.attn_weights.head3', 'h1.attn_context', 'h1.mlp_fc', 'ln_f'] };
      const engine128 = await WebGpuEngine.create(await requestNodeGpuDevice(), wide);
      try {
        const gpu = await engine128.forward(ids, request);
        const cpu = cpuForward(
          wide,
          ids,
          { ...request, include: [...request.include, 'h1.attn_weights'] },
          defaultCpuKernels(),
        );
        expect(
          relativeError(gpu['h1.attn_weights.head3'].data, headOf(cpu['h1.attn_weights'], 3).data),
        ).toBeLessThan(1e-5);
        for (const name of ['h1.attn_context', 'h1.mlp_fc', 'ln_f', 'logits']) {
          expect(relativeError(gpu[name].data, cpu[name].data), name).toBeLessThan(1e-4);
        }
      } finally {
        engine128.dispose();
      }
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
