// The GPT-2 forward pass on the CPU: the oracle the WebGPU backend is tested against. It follows the
// fixture names step by step and keeps only the tensors the request asks for, so T = 1024 stays affordable.

import { ablatedHeadsOf, checkAblation } from '../ablation';
import type { GPT2Config } from '../config';
import { matrix, naiveAttention } from '../attention';
import type { Engine } from '../engine';
import { headBlock, TraceSelection, type TensorMap, type TraceRequest } from '../trace';
import { validateIds } from '../validate-ids';
import type { GPT2Weights, LayerWeights } from '../weights';
import { ComputeThreadError } from '../wasm/thread-pool';
import { blockActivations, blockForward } from './block';
import { traceAttention, type HeadTensorSink, type LayerAblation } from './head-tensors';
import type { CpuKernels } from './kernels';
import { embeddingForward } from './ops/embedding';

/**
 * Runs the model on `ids` and returns the requested intermediates (see TraceRequest). The products run on
 * `kernels`, which the caller chooses (src/model/wasm/select.ts: WebAssembly SIMD on threads, on this thread,
 * or the TypeScript reference), so no pass runs on kernels nobody picked.
 */
export function cpuForward(
  weights: GPT2Weights,
  ids: number[],
  request: TraceRequest,
  kernels: CpuKernels,
): TensorMap {
  const { config } = weights;
  const C = config.nEmbd;
  const T = ids.length;
  validateIds(ids, config.vocabSize, config.nPositions);
  checkAblation(request.ablate, config);
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
    const ablated = ablatedHeadsOf(request.ablate, l);
    const ablation = ablated.length > 0 ? { heads: ablated, mode: request.ablate!.mode } : undefined;
    residual = traceBlock(tensors, select, kernels, layer, config, residual, T, l, ablation);
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

/** One transformer block (block.ts), keeping the tensors the trace asks for; returns the residual after it. */
function traceBlock(
  tensors: TensorMap,
  select: TraceSelection,
  kernels: CpuKernels,
  layer: LayerWeights,
  config: GPT2Config,
  residualIn: Float32Array, // (T, C)
  T: number,
  l: number,
  ablation?: LayerAblation,
): Float32Array {
  const C = config.nEmbd;
  const NH = config.nHead;
  const name = (n: string) => `h${l}.${n}`;
  const keep = (n: string, shape: number[], data: Float32Array) => {
    if (select.wants(name(n))) tensors[name(n)] = { shape, data };
  };
  const a = blockActivations(T, C);
  // Kept before they are filled, so the tensors come out in the order the block computes them.
  keep('ln_1', [T, C], a.ln1);
  const attention = traceAttention(kernels, T, C, NH, headCollector(tensors, select, name, NH, T), ablation);
  blockForward(kernels, a, residualIn, layer, attention, T, C, config.layerNormEpsilon);
  keep('attn_context', [T, C], a.atty);
  keep('attn_out', [T, C], a.attproj);
  keep('ln_2', [T, C], a.ln2);
  keep('mlp_fc', [T, 4 * C], a.fch);
  keep('mlp_gelu', [T, 4 * C], a.fchGelu);
  keep('mlp_out', [T, C], a.fcproj);
  keep('block_out', [T, C], a.residual3);
  return a.residual3;
}

/** Gathers per-head tensors into (NH, T, X) arrays, or single heads, depending on what was asked for. */
function headCollector(
  tensors: TensorMap,
  select: TraceSelection,
  name: (n: string) => string,
  NH: number,
  T: number,
): HeadTensorSink {
  return {
    wanted: (kind) => select.needs(name(kind), NH),
    visit: (kind, h, data, X) => {
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
    readonly kernels: CpuKernels,
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

  async forward(ids: number[], request: TraceRequest = {}): Promise<TensorMap> {
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
