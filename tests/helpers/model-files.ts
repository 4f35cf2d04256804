// Writes GPT-2 safetensors files for tests: other dtypes and key layouts of the same weights, and damaged
// copies, so the loader is checked on files it has never seen.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configToJson, type GPT2Config } from '../../src/model/config';
import { writeSafetensors, type Dtype } from '../../src/model/safetensors';
import { parameterSpecs, type GPT2Weights, layerTensorSpecs } from '../../src/model/weights';

export type Layout = 'official' | 'prefixed';

/** The tensors of `weights` under the keys a layout uses, with the extras each layout carries. */
export function layoutTensors(weights: GPT2Weights, layout: Layout, dtype: Dtype) {
  const { config } = weights;
  const byKey = new Map<string, Float32Array>([
    ['wte.weight', weights.wte],
    ['wpe.weight', weights.wpe],
    ['ln_f.weight', weights.lnFWeight],
    ['ln_f.bias', weights.lnFBias],
  ]);
  weights.layers.forEach((layer, l) => {
    for (const [field, suffix] of layerTensorSpecs(config)) byKey.set(`h.${l}.${suffix}`, layer[field]);
  });
  const prefix = layout === 'prefixed' ? 'transformer.' : '';
  const tensors = parameterSpecs(config).map(({ key, shape }) => ({
    name: prefix + key,
    shape,
    data: byKey.get(key)!,
    dtype,
  }));
  if (layout === 'official') {
    // The official checkpoint carries the causal masks as buffers named h.N.attn.bias.
    const N = config.nPositions;
    const mask = new Float32Array(N * N).map((_, i) => (i % N <= Math.floor(i / N) ? 1 : 0));
    for (let l = 0; l < config.nLayer; l++)
      tensors.push({ name: `h.${l}.attn.bias`, shape: [1, 1, N, N], data: mask, dtype });
  } else {
    tensors.push({
      name: 'lm_head.weight',
      shape: [config.vocabSize, config.nEmbd],
      data: weights.wte,
      dtype,
    });
  }
  return tensors;
}

/** Writes model.safetensors and config.json into a new temporary folder; returns the model path. */
export function writeModelFolder(
  weights: GPT2Weights,
  layout: Layout,
  dtype: Dtype,
  config?: GPT2Config,
): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gpt2-'));
  const file = path.join(dir, 'model.safetensors');
  writeFileSync(file, writeSafetensors(layoutTensors(weights, layout, dtype)));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(configToJson(config ?? weights.config)));
  return file;
}
