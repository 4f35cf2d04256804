// "Why does this head look there?": one head's scaled score q_i·k_j/√hs split exactly over the parts of the
// residual stream (token, position, each earlier head, attention bias, MLP, and a constant bias term).
// LayerNorm is folded in exactly: its mean subtraction is linear, so each part is centred by its own mean; the
// division by σ uses the token's whole residual, and γ, W and the biases are linear too. So the terms add up
// to the engine's score within float32 rounding. Everything here is computed from trace tensors and weights.

import type { GPT2Weights } from './weights';
import type { TensorMap, TraceRequest } from './trace';
import { defaultCpuKernels } from './wasm/select';

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
  query: Float32Array; // (N, T, hs)
  key: Float32Array; // (N, T, hs)
}

/** out (T,OC) = inp (T,C) · weight (C,OC): the CPU engine's matrix product (WebAssembly SIMD where it runs). */
export type Matmul = (
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  T: number,
  C: number,
  OC: number,
) => void;

const engineMatmul: Matmul = (out, inp, weight, T, C, OC) =>
  defaultCpuKernels().matmulForward(out, inp, weight, null, T, C, OC);

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
function centredProjection(weights: GPT2Weights, layer: number, head: number): Float32Array {
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
  return Float32Array.from(projection);
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

/** Splits one component's projected rows (T, 2hs), q then k, into its parts, divided by each token's σ. */
function writeProjected(
  parts: AttributionParts,
  index: number,
  projected: Float32Array,
  sigma: Float64Array,
  sameForEveryToken = false,
): void {
  const { T, hs } = parts;
  const rootHs = Math.sqrt(hs);
  for (let i = 0; i < T; i++) {
    const from = sameForEveryToken ? 0 : i * 2 * hs;
    const at = (index * T + i) * hs;
    for (let d = 0; d < hs; d++) {
      parts.query[at + d] = projected[from + d] / sigma[i] / rootHs;
      parts.key[at + d] = projected[from + hs + d] / sigma[i];
    }
  }
}

/**
 * Every component's share of q and k for head `head` (from 0) of block `layer` (from 0), from the tensors of
 * `attributionRequest`. An earlier head's share is its context times W_proj's rows of that head times W̃, and
 * W_proj·W̃ is one product per layer, so a long text costs little more than a short one.
 */
export function attributionParts(
  weights: GPT2Weights,
  tensors: TensorMap,
  layer: number,
  head: number,
  matmul: Matmul = engineMatmul,
): AttributionParts {
  const { nEmbd: C, nHead: NH, layerNormEpsilon } = weights.config;
  const hs = C / NH;
  const width = 2 * hs;
  const T = tensors.tok_emb.shape[0];
  const components = attributionComponents(layer, NH);
  const N = components.length;
  const parts: AttributionParts = {
    components,
    T,
    hs,
    query: new Float32Array(N * T * hs),
    key: new Float32Array(N * T * hs),
  };
  const sigma = tokenSigmas(tensors[residualName(layer)].data, T, C, layerNormEpsilon);
  const projection = centredProjection(weights, layer, head); // (C, 2hs)
  const projected = new Float32Array(T * width); // (T, 2hs)
  const dense = (index: number, data: Float32Array, rows = T) => {
    matmul(projected, data, projection, rows, C, width);
    writeProjected(parts, index, projected, sigma, rows === 1);
  };
  dense(0, tensors.tok_emb.data);
  dense(1, tensors.pos_emb.data);
  let index = 2;
  const headContext = new Float32Array(T * hs); // (T, hs)
  const throughProjection = new Float32Array(C * width); // (C, 2hs): W_proj · W̃, head h in rows h·hs…
  for (let l = 0; l < layer; l++) {
    const context = tensors[`h${l}.attn_context`].data; // (T, C), heads side by side
    const { attnProjWeight, attnProjBias } = weights.layers[l];
    matmul(throughProjection, attnProjWeight, projection, C, C, width);
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++)
        headContext.set(context.subarray(i * C + h * hs, i * C + (h + 1) * hs), i * hs);
      const rows = throughProjection.subarray(h * hs * width, (h + 1) * hs * width);
      matmul(projected, headContext, rows, T, hs, width);
      writeProjected(parts, index++, projected, sigma);
    }
    dense(index++, attnProjBias, 1);
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

function dot(a: Float32Array, aAt: number, b: Float32Array, bAt: number, n: number): number {
  let sum = 0;
  for (let d = 0; d < n; d++) sum += a[aAt + d] * b[bAt + d];
  return sum;
}

/** Every term, shape (N, N, T, T): [a][b][i][j] is query i's component a with key j's component b. */
export function attributionTerms(parts: AttributionParts, matmul: Matmul = engineMatmul): Float32Array {
  const { components, T, hs, query, key } = parts;
  const N = components.length;
  const keysByDimension = new Float32Array(hs * N * T); // (hs, N·T): every key part as a column
  for (let n = 0; n < N * T; n++)
    for (let d = 0; d < hs; d++) keysByDimension[d * N * T + n] = key[n * hs + d];
  const rows = new Float32Array(T * N * T); // (T, N·T): one query component against every key part
  const out = new Float32Array(N * N * T * T);
  for (let a = 0; a < N; a++) {
    matmul(rows, query.subarray(a * T * hs, (a + 1) * T * hs), keysByDimension, T, hs, N * T);
    for (let i = 0; i < T; i++)
      for (let b = 0; b < N; b++)
        out.set(rows.subarray((i * N + b) * T, (i * N + b + 1) * T), ((a * N + b) * T + i) * T);
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
 * (its attention row sums to 1), then the mean over queries. Σ_j w_ij k_j first: two products, T²·N·hs and
 * N²·T·hs.
 */
export function attributionWeightedMean(
  parts: AttributionParts,
  attention: Float32Array, // (T, T)
  matmul: Matmul = engineMatmul,
): Float32Array {
  const { components, T, hs, query, key } = parts;
  const N = components.length;
  const keysByToken = new Float32Array(T * N * hs); // (T, N·hs)
  for (let b = 0; b < N; b++)
    for (let j = 0; j < T; j++)
      keysByToken.set(key.subarray((b * T + j) * hs, (b * T + j + 1) * hs), (j * N + b) * hs);
  const attended = new Float32Array(T * N * hs); // (T, N·hs): Σ_j w_ij · key[b][j]
  matmul(attended, attention, keysByToken, T, T, N * hs);
  const attendedColumns = new Float32Array(T * hs * N); // ((i, d), b)
  for (let i = 0; i < T; i++)
    for (let b = 0; b < N; b++)
      for (let d = 0; d < hs; d++) attendedColumns[(i * hs + d) * N + b] = attended[(i * N + b) * hs + d];
  const out = new Float32Array(N * N); // query (N, T·hs) · attendedColumns (T·hs, N)
  matmul(out, query, attendedColumns, N, T * hs, N);
  for (let n = 0; n < out.length; n++) out[n] /= T;
  return out;
}
