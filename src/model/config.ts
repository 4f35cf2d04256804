// The GPT-2 hyper-parameters, read from a Hugging Face `config.json` and checked for sense.
// n_head cannot be read off the tensor shapes, which is why a config is always required.

import { ModelFileError, quoteValue } from './errors';

/**
 * The model's shape, the one type for it (as llm-viz's IModelShape): V vocab, maxT positions, C width,
 * L layers, NH heads. Whatever needs only some of the sizes takes a Pick of it.
 */
export interface ModelShape {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
}

/** The sizes a trace's views read: the shape without the vocabulary, and the head size hs, which the book's
 * example sets apart from C / NH. */
export type TraceShape = Pick<ModelShape, 'nEmbd' | 'nHead' | 'nLayer' | 'nPositions'> & { headSize: number };

/** GPT-2's hyper-parameters: its shape and the two settings of its arithmetic. */
export interface GPT2Config extends ModelShape {
  layerNormEpsilon: number;
  /** Only the tanh approximation of GELU is implemented; the config must say so. */
  activation: 'gelu_new';
}

const TANH_GELU_NAMES = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

/**
 * The largest size a config may give: the engines index with 32-bit integers (WebAssembly, WGSL). Whether the
 * weight file really holds a model of these sizes is checked against the file before anything is allocated
 * (see checkConfigFitsFile in weights.ts).
 */
export const MAX_CONFIG_SIZE = 2 ** 31 - 1;
/** A layer norm epsilon above 1 would swamp the variance it is added to; GPT-2 uses 1e-5. */
const MAX_EPSILON = 1;

function positiveInteger(raw: Record<string, unknown>, keys: string[], what: string): number {
  for (const key of keys) {
    if (!Object.hasOwn(raw, key)) continue;
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CONFIG_SIZE) {
      throw new ModelFileError(
        `config.json: "${key}" must be a whole number from 1 to ${MAX_CONFIG_SIZE}, not ${quoteValue(value)}.`,
      );
    }
    return value;
  }
  throw new ModelFileError(`config.json has no "${keys[0]}" (${what}).`);
}

/** The epsilon as float32 will hold it: 1e300 would be Infinity there, and 1e-50 zero. */
function layerNormEpsilon(obj: Record<string, unknown>): number {
  const eps = Object.hasOwn(obj, 'layer_norm_epsilon') ? obj.layer_norm_epsilon : 1e-5;
  if (!(typeof eps === 'number' && Math.fround(eps) > 0 && eps <= MAX_EPSILON)) {
    throw new ModelFileError(
      `config.json: "layer_norm_epsilon" must be a number above 0 and at most ${MAX_EPSILON} that float32 holds, not ${quoteValue(eps)}.`,
    );
  }
  return eps as number;
}

/**
 * Parses the JSON text (or object) of a Hugging Face GPT-2 config. The one parser for the page and the CLI: a
 * byte order mark in front is dropped here (a Blob's text() drops it, Node's readFileSync keeps it).
 */
export function parseConfig(source: string | Record<string, unknown>): GPT2Config {
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source.replace(/^\uFEFF/, ''));
    } catch {
      throw new ModelFileError('config.json is not valid JSON.');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelFileError('config.json must hold a JSON object.');
  }
  const obj = raw as Record<string, unknown>;
  if (obj.model_type !== undefined && obj.model_type !== 'gpt2') {
    throw new ModelFileError(
      `config.json describes a ${quoteValue(obj.model_type)} model; only GPT-2 is supported.`,
    );
  }
  const activation = obj.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !TANH_GELU_NAMES.has(activation)) {
    throw new ModelFileError(
      `config.json asks for activation ${quoteValue(activation)}; only gelu_new (tanh GELU) is supported.`,
    );
  }
  const eps = layerNormEpsilon(obj);
  const config: GPT2Config = {
    vocabSize: positiveInteger(obj, ['vocab_size'], 'vocabulary size'),
    nPositions: positiveInteger(obj, ['n_positions', 'n_ctx'], 'context length'),
    nEmbd: positiveInteger(obj, ['n_embd', 'hidden_size'], 'embedding width'),
    nLayer: positiveInteger(obj, ['n_layer', 'num_hidden_layers'], 'number of layers'),
    nHead: positiveInteger(obj, ['n_head', 'num_attention_heads'], 'number of heads'),
    layerNormEpsilon: eps,
    activation: 'gelu_new',
  };
  if (config.nEmbd % config.nHead !== 0) {
    throw new ModelFileError(
      `config.json: n_embd ${config.nEmbd} is not divisible by n_head ${config.nHead}.`,
    );
  }
  return config;
}

/** The Hugging Face form, for writing config.json and the trace's "config" field. */
export function configToJson(config: GPT2Config): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: config.vocabSize,
    n_positions: config.nPositions,
    n_ctx: config.nPositions,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    layer_norm_epsilon: config.layerNormEpsilon,
    activation_function: config.activation,
    bos_token_id: 50256,
    eos_token_id: 50256,
    tie_word_embeddings: true,
  };
}

/** Head size hs = C / NH. */
export const headSize = (config: GPT2Config): number => config.nEmbd / config.nHead;
