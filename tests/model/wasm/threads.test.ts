// Worker threads for the WebAssembly kernels: the same bits for 1, 2 and 3 threads (kernels, a forward pass and
// a training step); a worker that dies costs speed, not the answer, and the description says so.

import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../../src/model/cpu/forward';
import { seededRandom } from '../../../src/model/random';
import { WasmKernels } from '../../../src/model/wasm/wasm-kernels';
import { GPT2Training } from '../../../src/train/gpt2-train';
import { loudRandomWeights, testConfig } from '../../helpers/random-models';
import { createSyncKernels } from '../../../src/model/wasm/select';

const randomArray = (n: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
};

const pools: WasmKernels[] = [];
afterAll(() => pools.forEach((k) => k.dispose()));
async function kernelsWith(threads: number): Promise<WasmKernels> {
  // A dead worker is noticed after a second here (30 s by default).
  const kernels = await WasmKernels.create(threads, 1000);
  pools.push(kernels);
  return kernels;
}

describe('WebAssembly kernels on worker threads', () => {
  it('use the threads they were given', async () => {
    expect((await kernelsWith(3)).description).toBe('WASM SIMD · 3 threads');
    expect(WasmKernels.singleThreaded().description).toBe('WASM SIMD · 1 thread');
  });

  it('give identical bits for 1, 2 and 3 threads: products, logits, attention, GELU', async () => {
    // Large enough that every job is split (see MIN_MACS_PER_THREAD), ragged so the slices end mid-tile.
    const [T, C, OC, V, B, NH, Ta] = [61, 96, 203, 1001, 3, 4, 45];
    const inp = randomArray(T * C, 1);
    const weight = randomArray(C * OC, 2);
    const bias = randomArray(OC, 3);
    const dout = randomArray(T * OC, 4);
    const wte = randomArray(V * C, 5);
    const qkv = randomArray(B * Ta * 3 * C, 6);
    const attDout = randomArray(B * Ta * C, 7);
    const results: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      const k = await kernelsWith(threads);
      const out = new Float32Array(T * OC);
      k.matmulForward(out, inp, weight, bias, T, C, OC);
      const dinp = randomArray(T * C, 8);
      k.matmulBackwardInput(dinp, dout, weight, T, C, OC);
      const dweight = randomArray(C * OC, 9);
      k.matmulBackwardWeight(dweight, inp, dout, T, C, OC);
      const logitsOne = new Float32Array(V);
      k.logitsForward(logitsOne, inp.subarray(0, C), wte, 1, C, V);
      const logitsAll = new Float32Array(T * V);
      k.logitsForward(logitsAll, inp, wte, T, C, V);
      const attOut = new Float32Array(B * Ta * C);
      const att = new Float32Array(B * NH * Ta * Ta);
      k.attentionForward(attOut, att, qkv, B, Ta, C, NH);
      const dqkv = new Float32Array(B * Ta * 3 * C);
      k.attentionBackward(dqkv, new Float32Array(att.length), attDout, qkv, att, B, Ta, C, NH);
      const gelu = new Float32Array(T * OC);
      k.geluForward(gelu, dout, T * OC);
      results.push([out, dinp, dweight, logitsOne, logitsAll, attOut, att, dqkv, gelu]);
    }
    for (const other of results.slice(1)) other.forEach((a, i) => expect(a).toEqual(results[0][i]));
  });

  it('give identical bits for a forward pass and a training step', async () => {
    const config = testConfig({ nEmbd: 48, nHead: 4, nLayer: 2, nPositions: 64, vocabSize: 300 });
    const weights = loudRandomWeights(config, 3, 0.2);
    const ids = Array.from({ length: 64 }, (_, i) => (i * 37) % 300);
    const runs = [];
    for (const threads of [1, 2]) {
      const engine = new CpuEngine(weights, await kernelsWith(threads));
      const trace = await engine.forward(ids, { logits: 'all' });
      const training = new GPT2Training(weights, 2, 32, null, await kernelsWith(threads));
      training.inputs.set(ids);
      training.targets.set(ids.map((id) => (id + 1) % 300));
      const loss = training.forward();
      training.backward();
      runs.push({
        logits: trace.logits.data,
        att: trace['h1.attn_weights'].data,
        loss,
        grads: training.params.grads.slice(),
      });
    }
    expect(runs[1].logits).toEqual(runs[0].logits);
    expect(runs[1].att).toEqual(runs[0].att);
    expect(runs[1].loss).toBe(runs[0].loss);
    expect(runs[1].grads).toEqual(runs[0].grads);
  });

  it('after a worker dies, give the same numbers (this thread takes its slices), then say so', async () => {
    const [T, C, OC] = [64, 128, 256];
    const inp = randomArray(T * C, 10);
    const weight = randomArray(C * OC, 11);
    const expected = new Float32Array(T * OC);
    WasmKernels.singleThreaded().matmulForward(expected, inp, weight, null, T, C, OC);
    const k = await kernelsWith(2);
    k.killWorkerForTest();
    // Before the pool hears of it: the dead worker never claims its slice, so this thread computes it.
    const out = new Float32Array(T * OC);
    k.matmulForward(out, inp, weight, null, T, C, OC);
    expect(out).toEqual(expected);
    await expect.poll(() => k.description).toMatch(/^WASM SIMD · 1 thread \(a compute thread stopped\)$/);
    out.fill(0);
    k.matmulForward(out, inp, weight, null, T, C, OC);
    expect(out).toEqual(expected);
  }, 20_000);

  it('an engine whose worker dies still answers the pass with the same numbers', async () => {
    const config = testConfig({ nEmbd: 64, nHead: 4, nLayer: 1, nPositions: 64, vocabSize: 500 });
    const weights = loudRandomWeights(config, 4, 0.2);
    const ids = Array.from({ length: 48 }, (_, i) => (i * 11) % 500);
    const expected = await new CpuEngine(weights, createSyncKernels()).forward(ids, { logits: 'all' });
    const kernels = await kernelsWith(2);
    const engine = new CpuEngine(weights, kernels);
    kernels.killWorkerForTest();
    const trace = await engine.forward(ids, { logits: 'all' });
    expect(trace.logits.data).toEqual(expected.logits.data);
    await expect
      .poll(() => engine.description)
      .toMatch(/^CPU · WASM SIMD · 1 thread \(a compute thread stopped\)$/);
  }, 20_000);
});
