// The trace and training share one attention: the trace's per-head weights and merged context are, bit for bit,
// what the batched attentionForward (training's) writes for the same qkv, on the TypeScript and WASM kernels;
// an ablated head is that same context with the head's columns zeroed or mean-replaced, and its weights stay.

import { describe, expect, it } from 'vitest';
import { ablateContext } from '../../../src/model/ablation';
import { cpuForward } from '../../../src/model/cpu/forward';
import { referenceKernels, type CpuKernels } from '../../../src/model/cpu/kernels';
import { WasmKernels } from '../../../src/model/wasm/wasm-kernels';
import { loudRandomWeights, testConfig } from '../../helpers/random-models';

const config = testConfig({ nEmbd: 24, nHead: 3, nLayer: 2, nPositions: 16, vocabSize: 50 });
const weights = loudRandomWeights(config, 77);
const ids = [3, 17, 17, 42, 8, 0, 49, 17, 5, 3, 11];
const T = ids.length;
const C = config.nEmbd;
const NH = config.nHead;

/** The batched attention of block `l` run by hand on the trace's own ln_1: c_attn, then attentionForward. */
function batchedAttention(kernels: CpuKernels, ln1: Float32Array, l: number) {
  const layer = weights.layers[l];
  const qkv = new Float32Array(T * 3 * C); // (T, 3C)
  kernels.matmulForward(qkv, ln1, layer.qkvWeight, layer.qkvBias, T, C, 3 * C);
  const context = new Float32Array(T * C); // (T, C)
  const att = new Float32Array(NH * T * T); // (B=1, NH, T, T)
  kernels.attentionForward(context, att, qkv, 1, T, C, NH);
  return { context, att };
}

describe.each([
  ['TypeScript reference', () => referenceKernels],
  ['WASM SIMD, 1 thread', () => WasmKernels.singleThreaded()],
])('the trace reads the batched attention (%s)', (_, kernels) => {
  it('gives its weights and context bit for bit in every layer', () => {
    const k = kernels();
    const trace = cpuForward(weights, ids, { logits: 'none' }, k);
    for (let l = 0; l < config.nLayer; l++) {
      const { context, att } = batchedAttention(k, trace[`h${l}.ln_1`].data, l);
      expect(trace[`h${l}.attn_weights`].data).toEqual(att);
      expect(trace[`h${l}.attn_context`].data).toEqual(context);
    }
  });

  it.each(['zero', 'mean'] as const)('%s ablation is a step on its context; the weights stay', (mode) => {
    const k = kernels();
    const ablate = { heads: [[1, 2] as [number, number]], mode };
    const trace = cpuForward(weights, ids, { logits: 'none', ablate }, k);
    const { context, att } = batchedAttention(k, trace['h1.ln_1'].data, 1);
    ablateContext(context, [2], mode, T, C, C / NH);
    expect(trace['h1.attn_weights'].data).toEqual(att);
    expect(trace['h1.attn_context'].data).toEqual(context);
  });
});
