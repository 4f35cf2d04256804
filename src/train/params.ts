// The trainable parameters of a GPT-2 in one flat Float32Array (with a twin for the gradients), viewed as
// GPT2Weights so the forward ops read them as usual, while AdamW and gradient clipping sweep one array.

import type { GPT2Config } from '../model/config';
import { assembleWeights, parameterSpecs, type GPT2Weights } from '../model/weights';

/** Where one checkpoint tensor lives inside the flat arrays. */
export interface ParamRange {
  key: string;
  shape: number[];
  offset: number;
  length: number;
  /** Matrices and embeddings; biases and layer-norm gains are not decayed when decay is "matrices". */
  isMatrix: boolean;
}

export interface FlatParams {
  config: GPT2Config;
  ranges: ParamRange[];
  values: Float32Array; // (P)
  grads: Float32Array; // (P)
  /** Views into `values` and `grads` with the engine's field names. */
  weights: GPT2Weights;
  gradWeights: GPT2Weights;
}

/**
 * Lays out the parameters of `config` in parameterSpecs order and copies `source` in. `alloc` gives the two
 * flat arrays (the CPU kernels' memory, so training reads them without copies).
 */
export function flattenParams(
  source: GPT2Weights,
  alloc: (length: number) => Float32Array = (length) => new Float32Array(length),
): FlatParams {
  const { config } = source;
  const ranges: ParamRange[] = [];
  let offset = 0;
  for (const { key, shape } of parameterSpecs(config)) {
    const length = shape.reduce((a, b) => a * b, 1);
    ranges.push({ key, shape, offset, length, isMatrix: shape.length === 2 });
    offset += length;
  }
  const values = alloc(offset);
  const grads = alloc(offset);
  const byKey = new Map(ranges.map((r) => [r.key, r]));
  const view = (flat: Float32Array) => (key: string) => {
    const r = byKey.get(key)!;
    return flat.subarray(r.offset, r.offset + r.length);
  };
  const weights = assembleWeights(config, view(values));
  const gradWeights = assembleWeights(config, view(grads));
  const original = keyedWeights(source);
  for (const r of ranges) values.set(original.get(r.key)!, r.offset);
  return { config, ranges, values, grads, weights, gradWeights };
}

/** Another flat array of the same layout (AdamW's moments, a saved state) viewed as GPT2Weights. */
export function flatView(params: FlatParams, flat: Float32Array): GPT2Weights {
  if (flat.length !== params.values.length)
    throw new Error(`a flat array of ${flat.length} values does not fit ${params.values.length} parameters`);
  const byKey = new Map(params.ranges.map((r) => [r.key, r]));
  return assembleWeights(params.config, (key) => {
    const r = byKey.get(key)!;
    return flat.subarray(r.offset, r.offset + r.length);
  });
}

/** The tensor of `weights` that a GpuTraining buffer key names: 'wte', 'wpe', 'lnFWeight', 'lnFBias', 'h0.qkvWeight', …. */
export function tensorOfBufferKey(weights: GPT2Weights, key: string): Float32Array {
  const layer = /^h(\d+)\.(\w+)$/.exec(key);
  const tensor = layer
    ? weights.layers[Number(layer[1])]?.[layer[2] as keyof GPT2Weights['layers'][number]]
    : weights[key as 'wte' | 'wpe' | 'lnFWeight' | 'lnFBias'];
  if (!(tensor instanceof Float32Array)) throw new Error(`no parameter tensor is called ${key}`);
  return tensor;
}

/** The tensors of a GPT2Weights by checkpoint key. */
export function keyedWeights(weights: GPT2Weights): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>([
    ['wte.weight', weights.wte],
    ['wpe.weight', weights.wpe],
    ['ln_f.weight', weights.lnFWeight],
    ['ln_f.bias', weights.lnFBias],
  ]);
  const suffixes: [keyof GPT2Weights['layers'][number], string][] = [
    ['ln1Weight', 'ln_1.weight'],
    ['ln1Bias', 'ln_1.bias'],
    ['qkvWeight', 'attn.c_attn.weight'],
    ['qkvBias', 'attn.c_attn.bias'],
    ['attnProjWeight', 'attn.c_proj.weight'],
    ['attnProjBias', 'attn.c_proj.bias'],
    ['ln2Weight', 'ln_2.weight'],
    ['ln2Bias', 'ln_2.bias'],
    ['fcWeight', 'mlp.c_fc.weight'],
    ['fcBias', 'mlp.c_fc.bias'],
    ['fcProjWeight', 'mlp.c_proj.weight'],
    ['fcProjBias', 'mlp.c_proj.bias'],
  ];
  weights.layers.forEach((layer, l) => {
    for (const [field, suffix] of suffixes) out.set(`h.${l}.${suffix}`, layer[field]);
  });
  return out;
}
