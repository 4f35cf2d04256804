// The messages between the page and the engine worker. Plain data only (typed arrays are transferred), so
// the same host code can also run in-process in tests.

import type { Ablation } from '../../model/ablation';
import type { ModelShape, TraceShape } from '../../model/config';
import type { HeadGrid, TextHeadScores } from '../../model/head-detectors';
import type { BackendName, BackendPreference, TensorMap } from '../../model/trace';

/** The loaded model, as the model panel shows it. */
export interface ModelInfo {
  label: string;
  /** Where it came from, for the model panel: "built in", a URL, or file names. */
  source: string;
  untrained: boolean;
  parameters: number;
  config: ModelShape;
}

/** Which engine runs, as the backend panel shows it. */
export interface BackendState {
  /** "CPU · WASM SIMD · 2 threads" or the WebGPU adapter. */
  description: string;
  name: BackendName | null;
  fallbackReason: string | null;
  /** Why the CPU runs with less than it could (one thread, no SIMD), when it runs. */
  cpuNote?: string | null;
}

export type ModelSource =
  | { kind: 'default'; baseUrl: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; weights: File; config: File };

export type ToWorker =
  | { type: 'load'; id: number; source: ModelSource; backend: BackendPreference }
  | { type: 'cancel-load' }
  | { type: 'backend'; backend: BackendPreference }
  /** `ablate`: heads to knock out in this trace and in every job about it (next tokens, scores, export). */
  | { type: 'trace'; id: number; text: string; layer: number; allowSpecial: boolean; ablate?: Ablation }
  /** Asks for the next-token logits of trace `id`; the page sends it once that trace is on screen. */
  | { type: 'next'; id: number }
  | { type: 'export-trace'; id: number; text: string; allowSpecial: boolean; ablate?: Ablation }
  /** Asks for the head-detector scores of trace `id`; the page sends it only while the panel is open. */
  | { type: 'head-scores'; id: number }
  /** Runs the induction probe (seeded random tokens repeated twice) and scores every head on it. */
  | { type: 'induction'; id: number; seed: number }
  /** Splits head `head` of block `layer` (from 0) of trace `id` over the residual stream: the head average,
   * and the terms of one cell [query, key] when one is chosen. Sent only while the "why" panel is open. */
  | { type: 'attribution'; id: number; layer: number; head: number; cell: [number, number] | null }
  /** The "why" panel opened or closed: while open, each trace's pass keeps what the split reads. */
  | { type: 'attribution-open'; open: boolean }
  /** Asks for the before/after comparison of ablated trace `id`; sent only while its panel needs it. */
  | { type: 'ablation-compare'; id: number };

export interface TraceResult {
  type: 'trace';
  id: number;
  tokens: string[];
  ids: number[];
  truncated: boolean;
  /** Tokens read: the context plus one when the text was cut (the tokenizer stops there). */
  totalTokens: number;
  layer: number;
  notices: string[];
  tensors: TensorMap;
  computedBy: string;
  shape: TraceShape;
  /** The heads knocked out in this trace; absent when none were (or the request's did not fit the model). */
  ablation?: Ablation;
}

/** The answer to a 'next' request: logits of the last position of trace `id`, and the top ten. */
export interface NextResult {
  type: 'next';
  id: number;
  logits: Float32Array;
  topNext: { id: number; text: string }[];
}

/** The answer to an 'attribution' request: N×N grids, query components by key components (row-major). */
export interface AttributionResult {
  type: 'attribution';
  id: number;
  layer: number;
  head: number;
  components: string[];
  /** The terms averaged over the head: each query's terms weighted by its attention, then the mean. */
  mean: Float32Array;
  /** What `mean` adds up to: the attention-weighted score, averaged over queries. */
  meanScore: number;
  /** The earlier layers' heads' previous-token scores on this text ([layer][head]), to name such heads. */
  previousToken: HeadGrid | null;
  cell: [number, number] | null;
  /** The chosen cell's terms; they add up to `score`. */
  terms: Float32Array | null;
  score: number | null;
  weight: number | null;
  /** How long the worker took, for the page's note and the measurements. */
  millis: number;
}

export type FromWorker =
  | TraceResult
  | NextResult
  | { type: 'trace-error'; id: number; message: string }
  /** The next tokens of trace `id` could not be computed (the trace itself was fine). */
  | { type: 'next-error'; id: number; message: string }
  | { type: 'progress'; id: number; fraction: number | null; what: string }
  | {
      type: 'model';
      id: number;
      info: ModelInfo;
      backend: BackendState;
      notice: string | null;
      cacheKey: string;
    }
  | { type: 'load-error'; id: number; message: string }
  | { type: 'backend'; backend: BackendState }
  | { type: 'export-trace'; id: number; json: string }
  | { type: 'export-error'; id: number; message: string }
  /** The head-detector scores of trace `id`: a few numbers per head, never the attention itself. */
  | { type: 'head-scores'; id: number; scores: TextHeadScores }
  | { type: 'induction'; id: number; scores: HeadGrid; repeatLength: number; seed: number }
  /** A head-detector job failed: `id` is the trace ('head-scores') or the probe ('induction') asked for. */
  | { type: 'detector-error'; id: number; job: 'head-scores' | 'induction'; message: string }
  | AttributionResult
  | { type: 'attribution-error'; id: number; message: string }
  | AblationCompareResult
  | { type: 'ablation-compare-error'; id: number; message: string };

/** One side (the intact model, or the ablated one) of the before/after comparison. */
export interface ComparisonSide {
  /** Loss (−log p, nats) of each token of the text after the first, predicted from the ones before it. */
  losses: Float32Array;
  scores: TextHeadScores;
  /** Induction scores on the seeded probe (seed 1), so the two sides are scored on the same tokens. */
  induction: HeadGrid;
}

export interface ComparedToken {
  id: number;
  text: string;
  before: { probability: number; rank: number };
  after: { probability: number; rank: number };
}

/** The answer to 'ablation-compare': both sides, and how far each head's attention moved between them. */
export interface AblationCompareResult {
  type: 'ablation-compare';
  id: number;
  before: ComparisonSide;
  after: ComparisonSide;
  /** The likeliest next tokens on either side, each with its probability and rank (1 = likeliest) on both. */
  nextTokens: ComparedToken[];
  /** attentionMoved[layer][head]: half the L1 distance between the weights before and after, averaged over
   * the rows (0: unchanged, 1: attends somewhere else entirely). */
  attentionMoved: HeadGrid;
  /** The intact model's attention weights (NH, T, T) of the layer the trace shows; its own are the after. */
  layerBefore: { layer: number; weights: Float32Array };
}
