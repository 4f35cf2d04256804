// GPT-2 parameters as Float32Arrays, and the loader that builds them from a safetensors file: the official
// layout (bare keys, mask buffers) and `save_pretrained`'s (`transformer.` prefix, lm_head tied to wte) load,
// tensors GPT-2 does not use are named in a notice, and anything else is refused with one clear sentence.

import type { GPT2Config, ModelShape } from './config';
import { ModelFileError, shortList, shortText } from './errors';
import { isFloatDtype, readHeader, readTensor, type ByteSource, type TensorEntry } from './safetensors';

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
  /** What the loader let through but people should know (tensors it did not use), one sentence each. */
  notices?: string[];
}

/** Checkpoint key suffix and expected shape for each field of a block. */
export function layerTensorSpecs(
  config: Pick<GPT2Config, 'nEmbd'>,
): [keyof LayerWeights, string, number[]][] {
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

/** The parameter keys outside the blocks, and the keys of a block's parameters after `h.N.`. */
const TOP_LEVEL_KEYS = new Set(['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias']);
const LAYER_SUFFIXES = new Set(layerTensorSpecs({ nEmbd: 1 }).map(([, suffix]) => suffix));

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
  const { entries, lmHead, unused } = resolveLayout(header.tensors, label);
  checkSizesAgainstFile(entries, config, label);
  checkConfigFitsFile(config, source.size, label);
  checkShapesAgainstConfig(entries, config, label);

  const specs = parameterSpecs(config);
  const toRead = [...specs.map((s) => entries.get(s.key)!), ...(lmHead ? [lmHead] : [])];
  const totalBytes = toRead.reduce((sum, entry) => sum + entry.byteLength, 0);
  let loadedBytes = 0;
  const values = new Map<string, Float32Array>();
  const read = async (entry: TensorEntry) => {
    if (options.signal?.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
    const data = await readTensor(source, entry);
    checkFinite(data, entry.name, label);
    loadedBytes += entry.byteLength;
    options.onProgress?.({ loadedBytes, totalBytes });
    return data;
  };
  for (const spec of specs) values.set(spec.key, await read(entries.get(spec.key)!));
  if (lmHead) checkTiedHead(await read(lmHead), values.get('wte.weight')!, label);
  const weights = assembleWeights(config, (key) => values.get(key)!);
  if (unused.length) weights.notices = [unusedTensorsNotice(unused, label)];
  return weights;
}

/** The smallest float dtypes (F16, BF16) take 2 bytes a parameter. */
const MIN_BYTES_PER_PARAMETER = 2;

/**
 * A config's sizes are a claim: n_layer 1e8 would have every later step build 1e8 layers of names and arrays
 * and run out of memory. The sizes read off the file catch most claims; this catches a header of a million
 * empty layers that agrees with such a config. Any model of these sizes takes at least 2 bytes a parameter,
 * so a file smaller than that cannot hold it, and nothing is built for it.
 */
function checkConfigFitsFile(config: GPT2Config, fileBytes: number, label: string): void {
  const parameters = parameterCount(config);
  const minimumBytes = parameters * MIN_BYTES_PER_PARAMETER;
  if (minimumBytes > fileBytes) {
    throw new ModelFileError(
      `config.json describes a GPT-2 of ${config.nLayer} layers and ${parameters} parameters, at least ${minimumBytes} bytes, but ${label} has only ${fileBytes} bytes.`,
    );
  }
}

/** A NaN or ±Inf weight turns every activation after it into NaN; say which tensor and where. */
function checkFinite(data: Float32Array, name: string, label: string): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) {
      throw new ModelFileError(
        `${label}: tensor "${shortText(name)}" holds ${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Infinity' : '-Infinity'} at index ${i}; the file is damaged.`,
      );
    }
  }
}

/**
 * The engines compute the logits with wte (GPT-2 ties its output head to the token embedding), so an
 * lm_head.weight is accepted only when it holds the same numbers; a different head would be ignored.
 */
function checkTiedHead(lmHead: Float32Array, wte: Float32Array, label: string): void {
  const differs = lmHead.findIndex((x, i) => x !== wte[i]);
  if (differs >= 0) {
    throw new ModelFileError(
      `${label}: lm_head.weight differs from wte.weight (first at index ${differs}); this explorer computes the logits with wte, so untied output heads are not supported.`,
    );
  }
}

function unusedTensorsNotice(names: string[], label: string): string {
  const shown = names.slice(0, 8).map((n) => `"${shortText(n, 40)}"`);
  const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : '';
  return `${label} holds ${names.length} tensor${names.length === 1 ? '' : 's'} that GPT-2 does not use, left out: ${shown.join(', ')}${more}.`;
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

/**
 * Maps the file's keys onto the official ones. Mask buffers are dropped; lm_head comes back apart, to be
 * compared with wte; any other key that is not a parameter of this config is listed as unused.
 */
function resolveLayout(tensors: Map<string, TensorEntry>, label: string) {
  const keys = [...tensors.keys()].filter((k) => !MASK_BUFFER.test(k));
  const prefixed = keys.some((k) => k.startsWith('transformer.'));
  // By name only, not against parameterSpecs(config): the config's n_layer is compared with the file's
  // afterwards, before any list of its layers is built.
  const entries = new Map<string, TensorEntry>();
  const unused: string[] = [];
  for (const key of keys) {
    if (key === 'lm_head.weight') continue;
    const bare = prefixed ? key.replace(/^transformer\./, '') : key;
    if (prefixed && bare === key) {
      throw new ModelFileError(
        `${label} mixes prefixed and unprefixed keys ("${shortText(key)}"); it is not a GPT-2 checkpoint.`,
      );
    }
    // A block's parameter beyond n_layer is kept, so the layer count check names the real mismatch.
    const layerSuffix = /^h\.\d+\.(.*)$/.exec(bare)?.[1];
    if (TOP_LEVEL_KEYS.has(bare) || (layerSuffix && LAYER_SUFFIXES.has(layerSuffix)))
      entries.set(bare, tensors.get(key)!);
    else unused.push(key);
  }
  const lmHead = tensors.get('lm_head.weight');
  const wte = entries.get('wte.weight');
  if (lmHead && wte && lmHead.shape.join() !== wte.shape.join()) {
    throw new ModelFileError(
      `${label}: lm_head.weight has shape [${shortList(lmHead.shape)}], not wte.weight's [${shortList(wte.shape)}]; untied output heads are not supported.`,
    );
  }
  return { entries, lmHead, unused };
}

/** The sizes read off the file's tensors (names and shapes, nothing built from the config) against it. */
function checkSizesAgainstFile(entries: Map<string, TensorEntry>, config: GPT2Config, label: string) {
  const wte = entries.get('wte.weight');
  const wpe = entries.get('wpe.weight');
  if (!wte) throw new ModelFileError(`${label} has no wte.weight tensor; is it a GPT-2 checkpoint?`);
  if (!wpe) throw new ModelFileError(`${label} has no wpe.weight tensor; is it a GPT-2 checkpoint?`);
  // A loop, not Math.max(...indices): spreading 400 000 names into one call overflows the stack.
  let layersInFile = 0;
  for (const key of entries.keys()) {
    const index = /^h\.(\d+)\./.exec(key)?.[1];
    if (index !== undefined) layersInFile = Math.max(layersInFile, Number(index) + 1);
  }
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
}

function checkShapesAgainstConfig(entries: Map<string, TensorEntry>, config: GPT2Config, label: string) {
  for (const { key, shape } of parameterSpecs(config)) {
    const entry = entries.get(key);
    if (!entry) throw new ModelFileError(`${label} is missing the tensor "${key}".`);
    if (!isFloatDtype(entry.dtype)) {
      throw new ModelFileError(
        `${label}: tensor "${shortText(entry.name)}" has dtype "${shortText(entry.dtype)}"; only F32, F16 and BF16 are supported.`,
      );
    }
    if (entry.shape.join() !== shape.join()) {
      throw new ModelFileError(
        `${label}: tensor "${key}" has shape [${shortList(entry.shape)}] but the config implies [${shape}].`,
      );
    }
  }
}

/**
 * Number of parameters (wte counted once, as it is tied), from the sizes alone, so that it costs nothing for
 * a config that claims 1e8 layers: V·C + maxT·C, 12C² + 13C a block, 2C for the final layer norm.
 */
export function parameterCount(config: ModelShape): number {
  const C = config.nEmbd;
  const block = 12 * C * C + 13 * C;
  return config.vocabSize * C + config.nPositions * C + config.nLayer * block + 2 * C;
}
