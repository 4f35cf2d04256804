// "Why does this head look there?": one head's scaled score q_i·k_j/√hs split exactly over the parts of the
// residual stream (token, position, each earlier head, attention bias, MLP, and a constant bias term).
// LayerNorm is folded in exactly: its mean subtraction is linear, so each part is centred by its own mean; the
// division by σ uses the token's whole residual, and γ, W and the biases are linear too. So the terms add up
// to the engine's score within float32 rounding. Everything here is computed from trace tensors and weights.

import type { GPT2Weights } from './weights';
import type { TensorMap, TraceRequest } from './trace';

/**
 * The component names for block `layer` (numbered from 0 here; the names count from 1, as the page does):
 * `token`, `position`, then for each earlier layer l: `Ll H1` … `Ll Hn`, `Ll attention bias`, `Ll MLP`, and
 * last `bias` (LayerNorm's β through W, plus W's own bias).
 */
export function attributionComponents(layer: number, nHead: number): string[] {
  const names = ['token', 'position'];
  for (let l = 0; l < layer; l++) {
    for (let h = 0; h < nHead; h++) names.push(`L${l + 1} H${h + 1}`);
    names.push(`L${l + 1} attention bias`, `L${l + 1} MLP`);
  }
  names.push('bias');
  return names;
}

/** The residual stream entering block `layer`: the embeddings for the first, else the block before's output. */
export function residualName(layer: number): string {
  return layer === 0 ? 'input_emb' : `h${layer - 1}.block_out`;
}

/** The trace tensors an attribution of head `head` of block `layer` reads (plus its weights and scores). */
export function attributionRequest(layer: number, head: number): TraceRequest {
  const include = ['tok_emb', 'pos_emb', residualName(layer)];
  for (let l = 0; l < layer; l++) include.push(`h${l}.attn_context`, `h${l}.mlp_out`);
  include.push(`h${layer}.attn_weights.head${head}`, `h${layer}.scaled_scores.head${head}`);
  return { include, logits: 'none' };
}

/**
 * Each component's share of q_i (already divided by √hs) and of k_j, for every token: the score's terms are
 * then dot products, term(a, b, i, j) = query[a][i] · key[b][j].
 */
export interface AttributionParts {
  components: string[];
  T: number;
  hs: number;
  query: Float64Array; // (N, T, hs)
  key: Float64Array; // (N, T, hs)
}

/** σ of each token's residual (T, C): what LayerNorm divides by, with the engine's ε. */
function tokenSigmas(residual: Float32Array, T: number, C: number, eps: number): Float64Array {
  const sigma = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += residual[i * C + c];
    mean /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (residual[i * C + c] - mean) ** 2;
    sigma[i] = Math.sqrt(variance / C + eps);
  }
  return sigma;
}

/**
 * γ·W for the head's q and k columns side by side (C, 2hs), with each column's mean over the C inputs taken
 * out: x·W̃ then equals (x − mean(x))·γ·W for any x, which is how each component is centred by its own mean.
 */
function centredProjection(weights: GPT2Weights, layer: number, head: number): Float64Array {
  const C = weights.config.nEmbd;
  const hs = C / weights.config.nHead;
  const { ln1Weight, qkvWeight } = weights.layers[layer];
  const width = 2 * hs;
  const projection = new Float64Array(C * width);
  const columnMean = new Float64Array(width);
  for (let c = 0; c < C; c++) {
    for (let d = 0; d < width; d++) {
      const column = d < hs ? head * hs + d : C + head * hs + (d - hs);
      const value = ln1Weight[c] * qkvWeight[c * 3 * C + column];
      projection[c * width + d] = value;
      columnMean[d] += value / C;
    }
  }
  for (let c = 0; c < C; c++) for (let d = 0; d < width; d++) projection[c * width + d] -= columnMean[d];
  return projection;
}

/** The constant part of q and k (2hs): β·W + b, the same for every token. */
function constantPart(weights: GPT2Weights, layer: number, head: number): Float64Array {
  const C = weights.config.nEmbd;
  const hs = C / weights.config.nHead;
  const { ln1Bias, qkvWeight, qkvBias } = weights.layers[layer];
  const out = new Float64Array(2 * hs);
  for (let d = 0; d < 2 * hs; d++) {
    const column = d < hs ? head * hs + d : C + head * hs + (d - hs);
    let sum = qkvBias[column];
    for (let c = 0; c < C; c++) sum += ln1Bias[c] * qkvWeight[c * 3 * C + column];
    out[d] = sum;
  }
  return out;
}

/** Writes rows (T, inWidth) · matrix (inWidth, 2hs) / σ_i into one component's q and k parts. */
function writeProjected(
  parts: AttributionParts,
  index: number,
  rowOf: (i: number, e: number) => number,
  inWidth: number,
  matrix: Float64Array,
  sigma: Float64Array,
): void {
  const { T, hs } = parts;
  const width = 2 * hs;
  const row = new Float64Array(width);
  for (let i = 0; i < T; i++) {
    row.fill(0);
    for (let e = 0; e < inWidth; e++) {
      const x = rowOf(i, e);
      if (x === 0) continue;
      const base = e * width;
      for (let d = 0; d < width; d++) row[d] += x * matrix[base + d];
    }
    const at = (index * T + i) * hs;
    const scale = 1 / sigma[i];
    for (let d = 0; d < hs; d++) {
      parts.query[at + d] = (row[d] * scale) / Math.sqrt(hs);
      parts.key[at + d] = row[hs + d] * scale;
    }
  }
}

/** W_proj's rows of head h (hs, C) times W̃ (C, 2hs): a head's context straight to its q and k share. */
function headThroughProjection(
  attnProjWeight: Float32Array,
  h: number,
  hs: number,
  C: number,
  projection: Float64Array,
): Float64Array {
  const width = 2 * hs;
  const out = new Float64Array(hs * width);
  for (let e = 0; e < hs; e++) {
    const outBase = e * width;
    const rowBase = (h * hs + e) * C;
    for (let c = 0; c < C; c++) {
      const w = attnProjWeight[rowBase + c];
      const base = c * width;
      for (let d = 0; d < width; d++) out[outBase + d] += w * projection[base + d];
    }
  }
  return out;
}

/**
 * Every component's share of q and k for head `head` (from 0) of block `layer` (from 0), from the tensors of
 * `attributionRequest`. Sums run in float64.
 */
export function attributionParts(
  weights: GPT2Weights,
  tensors: TensorMap,
  layer: number,
  head: number,
): AttributionParts {
  const { nEmbd: C, nHead: NH, layerNormEpsilon } = weights.config;
  const hs = C / NH;
  const T = tensors.tok_emb.shape[0];
  const components = attributionComponents(layer, NH);
  const N = components.length;
  const parts: AttributionParts = {
    components,
    T,
    hs,
    query: new Float64Array(N * T * hs),
    key: new Float64Array(N * T * hs),
  };
  const sigma = tokenSigmas(tensors[residualName(layer)].data, T, C, layerNormEpsilon);
  const projection = centredProjection(weights, layer, head);
  const dense = (index: number, data: Float32Array) =>
    writeProjected(parts, index, (i, c) => data[i * C + c], C, projection, sigma);
  dense(0, tensors.tok_emb.data);
  dense(1, tensors.pos_emb.data);
  let index = 2;
  for (let l = 0; l < layer; l++) {
    const context = tensors[`h${l}.attn_context`].data; // (T, C), heads side by side
    const { attnProjWeight, attnProjBias } = weights.layers[l];
    for (let h = 0; h < NH; h++) {
      const through = headThroughProjection(attnProjWeight, h, hs, C, projection);
      writeProjected(parts, index++, (i, e) => context[i * C + h * hs + e], hs, through, sigma);
    }
    writeProjected(parts, index++, (_, c) => attnProjBias[c], C, projection, sigma);
    dense(index++, tensors[`h${l}.mlp_out`].data);
  }
  const constant = constantPart(weights, layer, head);
  for (let i = 0; i < T; i++) {
    const at = (index * T + i) * hs;
    for (let d = 0; d < hs; d++) {
      parts.query[at + d] = constant[d] / Math.sqrt(hs);
      parts.key[at + d] = constant[hs + d];
    }
  }
  return parts;
}

function dot(a: Float64Array, aAt: number, b: Float64Array, bAt: number, n: number): number {
  let sum = 0;
  for (let d = 0; d < n; d++) sum += a[aAt + d] * b[bAt + d];
  return sum;
}

/** Every term, shape (N, N, T, T): [a][b][i][j] is query i's component a with key j's component b. */
export function attributionTerms(parts: AttributionParts): Float32Array {
  const { components, T, hs, query, key } = parts;
  const N = components.length;
  const out = new Float32Array(N * N * T * T);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++)
      for (let i = 0; i < T; i++) {
        const base = ((a * N + b) * T + i) * T;
        for (let j = 0; j < T; j++) out[base + j] = dot(query, (a * T + i) * hs, key, (b * T + j) * hs, hs);
      }
  return out;
}

/** The terms of one cell (query i, key j), shape (N, N): they add up to that cell's scaled score. */
export function attributionAt(parts: AttributionParts, i: number, j: number): Float32Array {
  const { components, T, hs, query, key } = parts;
  const N = components.length;
  const out = new Float32Array(N * N);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) out[a * N + b] = dot(query, (a * T + i) * hs, key, (b * T + j) * hs, hs);
  return out;
}

/**
 * The terms averaged over the whole head, shape (N, N): each query's terms weighted by where it attends
 * (its attention row sums to 1), then the mean over queries. Σ_j w_ij k_j first, so it costs N·T² + N²·T.
 */
export function attributionWeightedMean(parts: AttributionParts, attention: Float32Array): Float32Array {
  const { components, T, hs, query, key } = parts;
  const N = components.length;
  const attendedKey = new Float64Array(N * T * hs); // (N, T, hs): Σ_j w_ij · key[b][j]
  for (let b = 0; b < N; b++)
    for (let i = 0; i < T; i++) {
      const at = (b * T + i) * hs;
      for (let j = 0; j < T; j++) {
        const w = attention[i * T + j];
        if (w === 0) continue;
        const from = (b * T + j) * hs;
        for (let d = 0; d < hs; d++) attendedKey[at + d] += w * key[from + d];
      }
    }
  const out = new Float32Array(N * N);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let sum = 0;
      for (let i = 0; i < T; i++) sum += dot(query, (a * T + i) * hs, attendedKey, (b * T + i) * hs, hs);
      out[a * N + b] = sum / T;
    }
  return out;
}
