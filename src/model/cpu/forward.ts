// The GPT-2 forward pass on the CPU: the oracle the WebGPU backend is tested against. It follows the
// fixture names step by step and keeps only the tensors the request asks for, so T = 1024 stays affordable.

import { headSize } from '../config';
import { matrix, naiveAttention, scale, type Matrix } from '../attention';
import type { Engine } from '../engine';
import { headBlock, TraceSelection, type TensorMap, type TraceRequest } from '../trace';
import { validateIds } from '../validate-ids';
import type { GPT2Weights, LayerWeights } from '../weights';
import { createSyncKernels, defaultCpuKernels } from '../wasm/select';
import { ComputeThreadError } from '../wasm/thread-pool';
import type { CpuKernels } from './kernels';
import { embeddingForward, mergeHead, residualForward, splitHeads } from './ops';

/**
 * Runs the model on `ids` and returns the requested intermediates (see TraceRequest). The products run on
 * `kernels` (WebAssembly SIMD where the platform has it; the TypeScript reference otherwise).
 */
export function cpuForward(
  weights: GPT2Weights,
  ids: number[],
  request: TraceRequest = {},
  kernels: CpuKernels = defaultCpuKernels(),
): TensorMap {
  const { config } = weights;
  const C = config.nEmbd;
  const T = ids.length;
  validateIds(ids, config.vocabSize, config.nPositions);
  const select = new TraceSelection(request);
  const tensors: TensorMap = {};
  const keep = (name: string, shape: number[], data: Float32Array) => {
    if (select.wants(name)) tensors[name] = { shape, data };
  };

  const tokEmb = new Float32Array(T * C); // (T, C)
  const posEmb = new Float32Array(T * C); // (T, C)
  const inputEmb = new Float32Array(T * C); // (T, C)
  embeddingForward(tokEmb, posEmb, inputEmb, ids, weights.wte, weights.wpe, T, C);
  keep('tok_emb', [T, C], tokEmb);
  keep('pos_emb', [T, C], posEmb);
  keep('input_emb', [T, C], inputEmb);

  for (const [prefix, inputs] of [
    ['naive', inputEmb],
    ['naive_nopos', tokEmb],
  ] as const) {
    if (!['scores', 'weights', 'context', 'causal_weights'].some((n) => select.wants(`${prefix}.${n}`)))
      continue;
    const naive = naiveAttention(matrix(T, C, inputs));
    keep(`${prefix}.scores`, [T, T], naive.scores.data);
    keep(`${prefix}.weights`, [T, T], naive.weights.data);
    keep(`${prefix}.context`, [T, C], naive.context.data);
    keep(`${prefix}.causal_weights`, [T, T], naive.causalWeights.data);
  }

  // Blocks past the deepest one asked for would change nothing that is returned.
  const lastLayer = select.lastLayerNeeded(config);
  let residual: Float32Array = inputEmb;
  weights.layers.slice(0, lastLayer + 1).forEach((layer, l) => {
    residual = blockForward(tensors, select, kernels, layer, weights, residual, T, l);
  });
  if (lastLayer < config.nLayer - 1) return tensors;

  const lnF = new Float32Array(T * C); // (T, C)
  kernels.layernormForward(lnF, residual, weights.lnFWeight, weights.lnFBias, T, C, config.layerNormEpsilon);
  keep('ln_f', [T, C], lnF);
  if (select.logits !== 'none') {
    const rows = select.logits === 'all' ? T : 1;
    const logits = new Float32Array(rows * config.vocabSize); // (rows, V)
    kernels.logitsForward(logits, lnF.subarray((T - rows) * C), weights.wte, rows, C, config.vocabSize);
    tensors.logits = { shape: [rows, config.vocabSize], data: logits };
  }
  return tensors;
}

/** One transformer block; returns the residual stream after it. */
function blockForward(
  tensors: TensorMap,
  select: TraceSelection,
  kernels: CpuKernels,
  layer: LayerWeights,
  weights: GPT2Weights,
  residualIn: Float32Array, // (T, C)
  T: number,
  l: number,
): Float32Array {
  const { config } = weights;
  const C = config.nEmbd;
  const NH = config.nHead;
  const hs = headSize(config);
  const name = (n: string) => `h${l}.${n}`;
  const keep = (n: string, shape: number[], data: Float32Array) => {
    if (select.wants(name(n))) tensors[name(n)] = { shape, data };
  };

  const ln1 = new Float32Array(T * C); // (T, C)
  kernels.layernormForward(ln1, residualIn, layer.ln1Weight, layer.ln1Bias, T, C, config.layerNormEpsilon);
  keep('ln_1', [T, C], ln1);

  const qkv = new Float32Array(T * 3 * C); // (T, 3C)
  kernels.matmulForward(qkv, ln1, layer.qkvWeight, layer.qkvBias, T, C, 3 * C);
  const q = new Float32Array(T * C); // (NH, T, hs)
  const k = new Float32Array(T * C); // (NH, T, hs)
  const v = new Float32Array(T * C); // (NH, T, hs)
  splitHeads(q, k, v, qkv, T, C, NH);
  const context = new Float32Array(T * C); // (T, C)
  const perHead = headCollector(tensors, select, name, NH, T);
  for (let h = 0; h < NH; h++) {
    const headSlice = (x: Float32Array): Matrix => matrix(T, hs, headBlock(x, h, T, hs));
    const scores = matrix(T, T); // (T, T)
    kernels.headScores(scores.data, headSlice(q).data, headSlice(k).data, T, T, hs);
    const scaledScores = scale(scores, 1 / Math.sqrt(hs));
    const attnWeights = matrix(T, T);
    kernels.causalSoftmax(attnWeights.data, scaledScores.data, T);
    const headContext = new Float32Array(T * hs); // (T, hs)
    kernels.headContext(headContext, attnWeights.data, headSlice(v).data, T, T, hs, true);
    mergeHead(context, headContext, h, T, C, hs);
    perHead.add('q', h, headSlice(q).data, hs);
    perHead.add('k', h, headSlice(k).data, hs);
    perHead.add('v', h, headSlice(v).data, hs);
    perHead.add('scores', h, scores.data, T);
    perHead.add('scaled_scores', h, scaledScores.data, T);
    perHead.add('attn_weights', h, attnWeights.data, T);
  }
  keep('attn_context', [T, C], context);

  const attnOut = new Float32Array(T * C); // (T, C)
  kernels.matmulForward(attnOut, context, layer.attnProjWeight, layer.attnProjBias, T, C, C);
  keep('attn_out', [T, C], attnOut);
  const residualMid = new Float32Array(T * C); // (T, C)
  residualForward(residualMid, residualIn, attnOut, T * C);

  const ln2 = new Float32Array(T * C); // (T, C)
  kernels.layernormForward(ln2, residualMid, layer.ln2Weight, layer.ln2Bias, T, C, config.layerNormEpsilon);
  keep('ln_2', [T, C], ln2);
  const fc = new Float32Array(T * 4 * C); // (T, 4C)
  kernels.matmulForward(fc, ln2, layer.fcWeight, layer.fcBias, T, C, 4 * C);
  keep('mlp_fc', [T, 4 * C], fc);
  const gelu = new Float32Array(T * 4 * C); // (T, 4C)
  kernels.geluForward(gelu, fc, T * 4 * C);
  keep('mlp_gelu', [T, 4 * C], gelu);
  const mlpOut = new Float32Array(T * C); // (T, C)
  kernels.matmulForward(mlpOut, gelu, layer.fcProjWeight, layer.fcProjBias, T, 4 * C, C);
  keep('mlp_out', [T, C], mlpOut);
  const blockOut = new Float32Array(T * C); // (T, C)
  residualForward(blockOut, residualMid, mlpOut, T * C);
  keep('block_out', [T, C], blockOut);
  return blockOut;
}

/** Gathers per-head tensors into (NH, T, X) arrays, or single heads, depending on what was asked for. */
function headCollector(
  tensors: TensorMap,
  select: TraceSelection,
  name: (n: string) => string,
  NH: number,
  T: number,
) {
  return {
    add(kind: string, h: number, data: Float32Array, X: number) {
      const full = name(kind);
      if (select.wants(full)) {
        tensors[full] ??= { shape: [NH, T, X], data: new Float32Array(NH * T * X) };
        headBlock(tensors[full].data, h, T, X).set(data);
      }
      if (select.headsWanted(full, NH).includes(h))
        tensors[`${full}.head${h}`] = { shape: [T, X], data: data.slice() };
    },
  };
}

/**
 * The CPU backend behind the common Engine interface. It owns its kernels (WebAssembly memory, worker threads)
 * and keeps a copy of the weight matrices there, so a pass copies only activations.
 */
export class CpuEngine implements Engine {
  readonly backend = 'cpu' as const;
  readonly config;

  constructor(
    readonly weights: GPT2Weights,
    readonly kernels: CpuKernels = createSyncKernels(),
  ) {
    this.config = weights.config;
    kernels.makeResident(weights.wte);
    for (const layer of weights.layers) {
      for (const matrix of [layer.qkvWeight, layer.attnProjWeight, layer.fcWeight, layer.fcProjWeight])
        kernels.makeResident(matrix);
    }
  }

  /** "CPU · WASM SIMD · 2 threads", or "CPU · TypeScript". */
  get description(): string {
    return `CPU · ${this.kernels.description}`;
  }

  async forward(ids: number[], request?: TraceRequest): Promise<TensorMap> {
    try {
      return cpuForward(this.weights, ids, request, this.kernels);
    } catch (error) {
      // A compute thread died: the kernels now run on this thread alone, and a pass computes the same numbers.
      if (error instanceof ComputeThreadError) return cpuForward(this.weights, ids, request, this.kernels);
      throw error;
    }
  }

  dispose(): void {
    this.kernels.dispose();
  }
}
