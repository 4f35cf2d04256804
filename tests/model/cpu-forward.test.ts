// The CPU engine against PyTorch: every tensor of every fixture sentence, within the README's tolerances, on
// the WebAssembly SIMD kernels (one thread and two) and on the TypeScript reference kernels.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { cpuForward } from '../../src/model/cpu/forward';
import { referenceKernels, type CpuKernels } from '../../src/model/cpu/kernels';
import { WasmKernels } from '../../src/model/wasm/wasm-kernels';
import { allTensorNames, type Tensor } from '../../src/model/trace';
import type { GPT2Weights } from '../../src/model/weights';
import {
  FIXTURES,
  loadTinyModel,
  readAllTensors,
  relativeError,
  tinySentences,
  toleranceFor,
} from '../helpers/fixtures';
import { defaultCpuKernels } from '../../src/model/wasm/select';

let weights: GPT2Weights;
let reference: Map<string, Tensor>;
let twoThreads: WasmKernels;
beforeAll(async () => {
  weights = await loadTinyModel();
  reference = await readAllTensors(path.join(FIXTURES, 'tiny-gpt2.trace.safetensors'));
  twoThreads = await WasmKernels.create(2);
});
afterAll(() => twoThreads.dispose());

const KERNELS: [string, () => CpuKernels][] = [
  ['WASM SIMD, 1 thread', () => WasmKernels.singleThreaded()],
  ['WASM SIMD, 2 threads', () => twoThreads],
  ['TypeScript reference', () => referenceKernels],
];

describe.each(KERNELS)('CPU forward pass against the PyTorch trace (%s)', (_, kernels) => {
  tinySentences.forEach((sentence, s) => {
    it(`matches every tensor for "${sentence.text}"`, () => {
      const tensors = cpuForward(weights, sentence.ids, { logits: 'all' }, kernels());
      const T = sentence.ids.length;
      for (const name of allTensorNames(weights.config)) {
        const expected = reference.get(`s${s}.${name}`)!;
        expect(expected, name).toBeDefined();
        const actual = tensors[name];
        if (name === 'logits') {
          expect(actual.shape).toEqual([T, weights.config.vocabSize]);
          const last = actual.data.subarray((T - 1) * weights.config.vocabSize);
          expect(relativeError(last, expected.data), name).toBeLessThan(toleranceFor(name));
          continue;
        }
        expect(actual.shape, name).toEqual(expected.shape);
        expect(relativeError(actual.data, expected.data), name).toBeLessThan(toleranceFor(name));
      }
    });
  });

  it('gives the fixture top-5 next tokens', () => {
    for (const sentence of tinySentences) {
      const { logits } = cpuForward(weights, sentence.ids, { include: [], logits: 'last' }, kernels());
      const order = Array.from(logits.data.keys()).sort((a, b) => logits.data[b] - logits.data[a]);
      expect(order.slice(0, 5)).toEqual(sentence.next_top5_ids);
    }
  });

  it('stops after the deepest block asked for, with the same numbers as a full pass', () => {
    const ids = tinySentences[1].ids;
    const full = cpuForward(weights, ids, { logits: 'none' }, defaultCpuKernels());
    const include = ['naive.scores', 'h0.attn_weights', 'h0.q.head1'];
    const early = cpuForward(weights, ids, { include, logits: 'none' }, defaultCpuKernels());
    expect(Object.keys(early).sort()).toEqual(include.slice().sort());
    expect(early['h0.attn_weights'].data).toEqual(full['h0.attn_weights'].data);
    expect(early['naive.scores'].data).toEqual(full['naive.scores'].data);
    // Block 1 is never run: poisoning its weights changes nothing that was asked for.
    const poisoned = {
      ...weights,
      layers: [
        weights.layers[0],
        ...weights.layers
          .slice(1)
          .map((layer) => ({ ...layer, qkvWeight: new Float32Array(layer.qkvWeight.length).fill(NaN) })),
      ],
    };
    expect(
      cpuForward(poisoned, ids, { include, logits: 'none' }, defaultCpuKernels())['h0.attn_weights'].data,
    ).toEqual(full['h0.attn_weights'].data);
    expect(
      Number.isNaN(
        cpuForward(poisoned, ids, { include: ['ln_f'], logits: 'none' }, defaultCpuKernels()).ln_f.data[0],
      ),
    ).toBe(true);
  });
});
