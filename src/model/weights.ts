// GPT-2 parameters as Float32Arrays, and the loader that builds them from a safetensors file. It accepts the
// official checkpoint layout (bare keys, `h.N.attn.bias` mask buffers, no lm_head) and what `save_pretrained`
// writes (a `transformer.` prefix, an lm_head tied to wte), and refuses anything else with one clear sentence.

import type { GPT2Config } from './config';
import { ModelFileError } from './errors';
import { readHeader, readTensor, type ByteSource, type TensorEntry } from './safetensors';

/** One transformer block. Matrices keep the checkpoint's Conv1D orientation (in, out): y = x·W + b. */
export interface LayerWeights {
  ln1Weight: Float32Array; // (C)
  ln1Bias: Float32Array; // (C)
  qkvWeight: Float32Array; // (C, 3C), output columns [q | k | v]
  qkvBias: Float32Array; // (3C)
  attnProjWeight: Float32Array; // (C, C)
  attnProjBias: Float32Array; // (C)
  ln2Weight: Float32Array; // (C)
  ln2Bias: Float32Array; // (C)
  fcWeight: Float32Array; // (C, 4C)
  fcBias: Float32Array; // (4C)
  fcProjWeight: Float32Array; // (4C, C)
  fcProjBias: Float32Array; // (C)
}

export interface GPT2Weights {
  config: GPT2Config;
  wte: Float32Array; // (V, C), also the output head (tied)
  wpe: Float32Array; // (maxT, C)
  layers: LayerWeights[];
  lnFWeight: Float32Array; // (C)
  lnFBias: Float32Array; // (C)
}

/** Checkpoint key suffix and expected shape for each field of a block. */
export function layerTensorSpecs(config: GPT2Config): [keyof LayerWeights, string, number[]][] {
  const C = config.nEmbd;
  return [
    ['ln1Weight', 'ln_1.weight', [C]],
    ['ln1Bias', 'ln_1.bias', [C]],
    ['qkvWeight', 'attn.c_attn.weight', [C, 3 * C]],
    ['qkvBias', 'attn.c_attn.bias', [3 * C]],
    ['attnProjWeight', 'attn.c_proj.weight', [C, C]],
    ['attnProjBias', 'attn.c_proj.bias', [C]],
    ['ln2Weight', 'ln_2.weight', [C]],
    ['ln2Bias', 'ln_2.bias', [C]],
    ['fcWeight', 'mlp.c_fc.weight', [C, 4 * C]],
    ['fcBias', 'mlp.c_fc.bias', [4 * C]],
    ['fcProjWeight', 'mlp.c_proj.weight', [4 * C, C]],
    ['fcProjBias', 'mlp.c_proj.bias', [C]],
  ];
}

/** Every parameter key of the official layout with its shape, in a fixed order (for loading and writing). */
export function parameterSpecs(config: GPT2Config): { key: string; shape: number[] }[] {
  const C = config.nEmbd;
  const specs = [
    { key: 'wte.weight', shape: [config.vocabSize, C] },
    { key: 'wpe.weight', shape: [config.nPositions, C] },
  ];
  for (let l = 0; l < config.nLayer; l++) {
    for (const [, suffix, shape] of layerTensorSpecs(config)) specs.push({ key: `h.${l}.${suffix}`, shape });
  }
  specs.push({ key: 'ln_f.weight', shape: [C] }, { key: 'ln_f.bias', shape: [C] });
  return specs;
}

/** Buffers that hold no parameters: the causal masks. Matched on the whole name, because
 * `attn.c_attn.bias` also ends in `attn.bias` and is a real parameter. */
const MASK_BUFFER = /^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/;

export interface LoadProgress {
  /** Bytes of tensor data read so far, and in all. */
  loadedBytes: number;
  totalBytes: number;
}

export interface LoadOptions {
  fileLabel?: string;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

/** Loads and checks a GPT-2 model. Either a whole model comes back, or a ModelFileError is thrown. */
export async function loadGPT2Weights(
  source: ByteSource,
  config: GPT2Config,
  options: LoadOptions = {},
): Promise<GPT2Weights> {
  const label = options.fileLabel ?? 'the model file';
  const header = await readHeader(source, label);
  const entries = resolveLayout(header.tensors, label);
  checkShapesAgainstConfig(entries, config, label);

  const specs = parameterSpecs(config);
  const totalBytes = specs.reduce((sum, s) => sum + entries.get(s.key)!.byteLength, 0);
  let loadedBytes = 0;
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    if (options.signal?.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
    const entry = entries.get(spec.key)!;
    values.set(spec.key, await readTensor(source, entry));
    loadedBytes += entry.byteLength;
    options.onProgress?.({ loadedBytes, totalBytes });
  }
  for (const key of ['wte.weight', 'wpe.weight']) {
    const bad = values.get(key)!.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      throw new ModelFileError(
        `${label}: ${key} holds a non-finite value at index ${bad}; the file is damaged.`,
      );
    }
  }
  return assembleWeights(config, (key) => values.get(key)!);
}

/** Builds the typed structure from parameters looked up by official key. */
export function assembleWeights(config: GPT2Config, get: (key: string) => Float32Array): GPT2Weights {
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    const layer = {} as LayerWeights;
    for (const [field, suffix] of layerTensorSpecs(config)) layer[field] = get(`h.${l}.${suffix}`);
    layers.push(layer);
  }
  return {
    config,
    wte: get('wte.weight'),
    wpe: get('wpe.weight'),
    layers,
    lnFWeight: get('ln_f.weight'),
    lnFBias: get('ln_f.bias'),
  };
}

/** Maps the file's keys onto the official ones, dropping mask buffers and a tied lm_head. */
function resolveLayout(tensors: Map<string, TensorEntry>, label: string): Map<string, TensorEntry> {
  const keys = [...tensors.keys()].filter((k) => !MASK_BUFFER.test(k));
  const prefixed = keys.some((k) => k.startsWith('transformer.'));
  const resolved = new Map<string, TensorEntry>();
  for (const key of keys) {
    if (key === 'lm_head.weight') continue; // checked below: it must be wte itself
    const bare = prefixed ? key.replace(/^transformer\./, '') : key;
    if (prefixed && bare === key) {
      throw new ModelFileError(
        `${label} mixes prefixed and unprefixed keys ("${key}"); it is not a GPT-2 checkpoint.`,
      );
    }
    resolved.set(bare, tensors.get(key)!);
  }
  const lmHead = tensors.get('lm_head.weight');
  const wte = resolved.get('wte.weight');
  if (lmHead && wte && lmHead.shape.join() !== wte.shape.join()) {
    throw new ModelFileError(
      `${label}: lm_head.weight does not match wte.weight; untied output heads are not supported.`,
    );
  }
  return resolved;
}

function checkShapesAgainstConfig(entries: Map<string, TensorEntry>, config: GPT2Config, label: string) {
  const wte = entries.get('wte.weight');
  const wpe = entries.get('wpe.weight');
  if (!wte) throw new ModelFileError(`${label} has no wte.weight tensor; is it a GPT-2 checkpoint?`);
  if (!wpe) throw new ModelFileError(`${label} has no wpe.weight tensor; is it a GPT-2 checkpoint?`);
  const layerIndices = [...entries.keys()].flatMap((k) => /^h\.(\d+)\./.exec(k)?.[1] ?? []).map(Number);
  const layersInFile = layerIndices.length ? Math.max(...layerIndices) + 1 : 0;
  const readOff: [string, number, number][] = [
    ['vocab_size', wte.shape[0], config.vocabSize],
    ['n_embd', wte.shape[1], config.nEmbd],
    ['n_positions', wpe.shape[0], config.nPositions],
    ['n_layer', layersInFile, config.nLayer],
  ];
  for (const [name, inFile, inConfig] of readOff) {
    if (inFile !== inConfig) {
      throw new ModelFileError(`${label} has ${name} = ${inFile} but config.json says ${inConfig}.`);
    }
  }
  for (const { key, shape } of parameterSpecs(config)) {
    const entry = entries.get(key);
    if (!entry) throw new ModelFileError(`${label} is missing the tensor "${key}".`);
    if (entry.shape.join() !== shape.join()) {
      throw new ModelFileError(
        `${label}: tensor "${key}" has shape [${entry.shape}] but the config implies [${shape}].`,
      );
    }
  }
}

/** Number of parameters (wte counted once, as it is tied). */
export function parameterCount(config: GPT2Config): number {
  return parameterSpecs(config).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}
