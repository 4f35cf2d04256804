// A second, deliberately plain GPT-2 forward pass in float64 over nested arrays, written straight from the
// GPT-2 definition. It stands in for PyTorch on models the fixtures do not cover (other widths, heads, depths).

import type { Ablation } from '../../src/model/ablation';
import type { GPT2Weights } from '../../src/model/weights';

type M = number[][];
const rowsOf = (data: Float32Array, rows: number, cols: number): M =>
  Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
const mm = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
const addBias = (a: M, bias: Float32Array): M => a.map((row) => row.map((x, j) => x + bias[j]));
const add = (a: M, b: M): M => a.map((row, i) => row.map((x, j) => x + b[i][j]));
const layerNorm = (a: M, w: Float32Array, b: Float32Array, eps: number): M =>
  a.map((row) => {
    const mean = row.reduce((s, x) => s + x, 0) / row.length;
    const variance = row.reduce((s, x) => s + (x - mean) ** 2, 0) / row.length;
    return row.map((x, j) => ((x - mean) / Math.sqrt(variance + eps)) * w[j] + b[j]);
  });
const softmax = (row: number[]) => {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
};
const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Knocks out a head in the float64 context (T rows of C): 0, or each column's mean over the rows. */
function knockOut(context: M, h: number, hs: number, mode: Ablation['mode']): void {
  for (let c = h * hs; c < (h + 1) * hs; c++) {
    const mean = context.reduce((s, row) => s + row[c], 0) / context.length;
    for (const row of context) row[c] = mode === 'mean' ? mean : 0;
  }
}

/**
 * Every trace tensor, flattened row-major, keyed by the trace names; logits for every position. With
 * `ablation`, the listed heads' context is knocked out before c_proj, as the definition of ablation says.
 */
export function referenceTrace(
  weights: GPT2Weights,
  ids: number[],
  ablation?: Ablation,
): Record<string, number[]> {
  const { config } = weights;
  const C = config.nEmbd;
  const NH = config.nHead;
  const hs = C / NH;
  const T = ids.length;
  const out: Record<string, number[]> = {};
  const wte = rowsOf(weights.wte, config.vocabSize, C);
  const tok = ids.map((id) => wte[id]);
  const pos = rowsOf(weights.wpe, T, C);
  const x0 = add(tok, pos);
  Object.assign(out, { tok_emb: tok.flat(), pos_emb: pos.flat(), input_emb: x0.flat() });
  for (const [prefix, inputs] of [
    ['naive', x0],
    ['naive_nopos', tok],
  ] as const) {
    const scores = inputs.map((a) => inputs.map((b) => a.reduce((s, v, c) => s + v * b[c], 0)));
    const weightsRows = scores.map(softmax);
    out[`${prefix}.scores`] = scores.flat();
    out[`${prefix}.weights`] = weightsRows.flat();
    out[`${prefix}.context`] = mm(weightsRows, inputs).flat();
    out[`${prefix}.causal_weights`] = scores
      .map((row, i) => [...softmax(row.slice(0, i + 1)), ...row.slice(i + 1).map(() => 0)])
      .flat();
  }
  let x = x0;
  weights.layers.forEach((layer, l) => {
    const ln1 = layerNorm(x, layer.ln1Weight, layer.ln1Bias, config.layerNormEpsilon);
    const qkv = addBias(mm(ln1, rowsOf(layer.qkvWeight, C, 3 * C)), layer.qkvBias);
    const head = (part: number, h: number): M =>
      qkv.map((row) => row.slice(part * C + h * hs, part * C + (h + 1) * hs));
    const names = ['q', 'k', 'v', 'scores', 'scaled_scores', 'attn_weights'];
    const perHead: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const context: M = Array.from({ length: T }, () => new Array(C).fill(0));
    for (let h = 0; h < NH; h++) {
      const [q, k, v] = [head(0, h), head(1, h), head(2, h)];
      const scores = q.map((a) => k.map((b) => a.reduce((s, x, c) => s + x * b[c], 0)));
      const scaled = scores.map((row) => row.map((s) => s / Math.sqrt(hs)));
      const attn = scaled.map((row, i) => [
        ...softmax(row.slice(0, i + 1)),
        ...row.slice(i + 1).map(() => 0),
      ]);
      mm(attn, v).forEach((row, t) => row.forEach((val, c) => (context[t][h * hs + c] = val)));
      [q, k, v, scores, scaled, attn].forEach((m, i) => perHead[names[i]].push(...m.flat()));
    }
    for (const [layer, h] of ablation?.heads ?? []) if (layer === l) knockOut(context, h, hs, ablation!.mode);
    for (const n of names) out[`h${l}.${n}`] = perHead[n];
    const attnOut = addBias(mm(context, rowsOf(layer.attnProjWeight, C, C)), layer.attnProjBias);
    const mid = add(x, attnOut);
    const ln2 = layerNorm(mid, layer.ln2Weight, layer.ln2Bias, config.layerNormEpsilon);
    const fc = addBias(mm(ln2, rowsOf(layer.fcWeight, C, 4 * C)), layer.fcBias);
    const g = fc.map((row) => row.map(gelu));
    const mlpOut = addBias(mm(g, rowsOf(layer.fcProjWeight, 4 * C, C)), layer.fcProjBias);
    x = add(mid, mlpOut);
    Object.assign(out, {
      [`h${l}.ln_1`]: ln1.flat(),
      [`h${l}.attn_context`]: context.flat(),
      [`h${l}.attn_out`]: attnOut.flat(),
      [`h${l}.ln_2`]: ln2.flat(),
      [`h${l}.mlp_fc`]: fc.flat(),
      [`h${l}.mlp_gelu`]: g.flat(),
      [`h${l}.mlp_out`]: mlpOut.flat(),
      [`h${l}.block_out`]: x.flat(),
    });
  });
  const lnF = layerNorm(x, weights.lnFWeight, weights.lnFBias, config.layerNormEpsilon);
  out.ln_f = lnF.flat();
  out.logits = lnF.flatMap((row) => wte.map((e) => e.reduce((s, v, c) => s + v * row[c], 0)));
  return out;
}
