// The Trace: every named intermediate of one forward pass. It is the one contract between the engines
// (CPU, WebGPU) and everything that reads them (views, CLI, tests). Names and shapes follow the fixtures.

import type { Ablation } from './ablation';
import type { GPT2Config, ModelShape } from './config';

/** A dense float32 tensor, row-major. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Record<string, Tensor>;

export type BackendName = 'cpu' | 'webgpu';

/**
 * Which engine a caller asks for: 'auto' and 'webgpu' both try WebGPU first and fall back to the CPU, 'cpu'
 * goes straight to it. A list as well as a type, so the URL parser accepts exactly these words.
 */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export interface Trace {
  config: GPT2Config;
  backend: BackendName;
  /** Token ids that were run (after truncation). */
  ids: number[];
  /** Readable text of each token (see tokenizer). */
  tokens: string[];
  /** True when the text had more tokens than the context and was cut to nPositions. */
  truncated: boolean;
  tensors: TensorMap;
  /** The heads that were knocked out for this trace, if any (exports and the trace JSON name them). */
  ablation?: Ablation;
}

/**
 * What a caller wants back. Plain data, so it can cross a worker boundary.
 * `include` holds exact tensor names or prefixes ending in `*` (`h0.*`, `naive.*`). A per-head tensor of one
 * head is asked for as `h{l}.{name}.head{n}` and comes back under that name with shape (T, ·).
 * Leaving `include` out means every tensor.
 */
export interface TraceRequest {
  include?: string[];
  /** Logits for every position (T×V), the last position only (1×V), or none. Default 'last'. */
  logits?: 'all' | 'last' | 'none';
  /**
   * Heads to knock out (0-based [layer, head]): their context, before c_proj, is zeroed or replaced by its
   * mean over the positions. A step of the one forward pass; the traced attn_context shows the ablated context.
   */
  ablate?: Ablation;
}

/** Tensors that exist once per head, shape (NH, T, ·). */
export const PER_HEAD_TENSORS = ['q', 'k', 'v', 'scores', 'scaled_scores', 'attn_weights'] as const;
/** Tensors that exist once per layer. */
export const PER_LAYER_TENSORS = [
  'ln_1',
  ...PER_HEAD_TENSORS,
  'attn_context',
  'attn_out',
  'ln_2',
  'mlp_fc',
  'mlp_gelu',
  'mlp_out',
  'block_out',
] as const;
export const NAIVE_TENSORS = ['scores', 'weights', 'context', 'causal_weights'] as const;

/** Every tensor name a full trace holds, in forward order. */
export function allTensorNames(config: GPT2Config): string[] {
  const names = ['tok_emb', 'pos_emb', 'input_emb'];
  for (const prefix of ['naive', 'naive_nopos']) for (const n of NAIVE_TENSORS) names.push(`${prefix}.${n}`);
  for (let l = 0; l < config.nLayer; l++) for (const n of PER_LAYER_TENSORS) names.push(`h${l}.${n}`);
  names.push('ln_f', 'logits');
  return names;
}

/** Compiled form of a request: answers "is this tensor wanted, whole or for some heads?" */
export class TraceSelection {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly everything: boolean;
  readonly logits: 'all' | 'last' | 'none';

  constructor(request: TraceRequest = {}) {
    this.everything = request.include === undefined;
    for (const item of request.include ?? []) {
      if (item.endsWith('*')) this.prefixes.push(item.slice(0, -1));
      else this.exact.add(item);
    }
    this.logits = request.logits ?? 'last';
  }

  /** Whether the whole tensor `name` is wanted. */
  wants(name: string): boolean {
    return this.everything || this.exact.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }

  /** Heads of per-head tensor `name` wanted individually (not counting a request for the whole tensor). */
  headsWanted(name: string, nHead: number): number[] {
    const heads: number[] = [];
    for (let h = 0; h < nHead; h++) if (this.exact.has(`${name}.head${h}`)) heads.push(h);
    return heads;
  }

  /** Whether anything at all of `name` is needed: the tensor or one of its heads. */
  needs(name: string, nHead: number): boolean {
    return this.wants(name) || this.headsWanted(name, nHead).length > 0;
  }

  /**
   * The deepest block whose output is needed (−1: none, only embeddings and naive attention). Engines stop
   * there: a view of layer 0 of a 12-layer model costs one block, not twelve. ln_f and the logits need them all.
   */
  lastLayerNeeded({ nLayer, nHead }: Pick<ModelShape, 'nLayer' | 'nHead'>): number {
    if (this.logits !== 'none' || this.wants('ln_f')) return nLayer - 1;
    for (let l = nLayer - 1; l >= 0; l--) {
      if (PER_LAYER_TENSORS.some((n) => this.needs(`h${l}.${n}`, nHead))) return l;
    }
    return -1;
  }
}

/** Head `h`'s (T, X) block of (NH, T, X) data, heads one after another: a view, no copy. */
export function headBlock(data: Float32Array, h: number, T: number, X: number): Float32Array {
  return data.subarray(h * T * X, (h + 1) * T * X);
}

/** Head `h` of a (NH, T, X) tensor as a (T, X) tensor: a view, no copy (views and tests only read it). */
export function headOf(tensor: Tensor, h: number): Tensor {
  const [, T, X] = tensor.shape;
  return { shape: [T, X], data: headBlock(tensor.data, h, T, X) };
}
