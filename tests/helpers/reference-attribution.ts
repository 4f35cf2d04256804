// A plain float64 attribution of one head's scaled scores, straight from the definition and the weights:
// the residual's components from the float64 reference forward pass, each put through LayerNorm's linear part
// (centred by its own mean, divided by the token's σ, times γ) and W_q / W_k, then every q·k pair over √hs.

import type { GPT2Weights } from '../../src/model/weights';
import { referenceTrace } from './reference-gpt2';

/** The components of the residual entering `layer` (from 0), each (T, C), named as the engine names them. */
function components(weights: GPT2Weights, trace: Record<string, number[]>, layer: number, T: number) {
  const C = weights.config.nEmbd;
  const hs = C / weights.config.nHead;
  const rows = (flat: number[]) => Array.from({ length: T }, (_, i) => flat.slice(i * C, (i + 1) * C));
  const list: { name: string; rows: number[][] }[] = [
    { name: 'token', rows: rows(trace.tok_emb) },
    { name: 'position', rows: rows(trace.pos_emb) },
  ];
  for (let l = 0; l < layer; l++) {
    const { attnProjWeight, attnProjBias } = weights.layers[l];
    const context = rows(trace[`h${l}.attn_context`]);
    for (let h = 0; h < weights.config.nHead; h++) {
      const out = context.map((row) =>
        Array.from({ length: C }, (_, c) => {
          let sum = 0;
          for (let e = 0; e < hs; e++) sum += row[h * hs + e] * attnProjWeight[(h * hs + e) * C + c];
          return sum;
        }),
      );
      list.push({ name: `L${l + 1} H${h + 1}`, rows: out });
    }
    list.push({ name: `L${l + 1} attention bias`, rows: context.map(() => Array.from(attnProjBias)) });
    list.push({ name: `L${l + 1} MLP`, rows: rows(trace[`h${l}.mlp_out`]) });
  }
  return list;
}

/** Terms (N, N, T, T) in float64, the component names, and the reference's own scaled scores (T, T). */
export function referenceAttribution(weights: GPT2Weights, ids: number[], layer: number, head: number) {
  const { nEmbd: C, nHead: NH, layerNormEpsilon } = weights.config;
  const hs = C / NH;
  const T = ids.length;
  const trace = referenceTrace(weights, ids);
  const parts = components(weights, trace, layer, T);
  const residual = layer === 0 ? trace.input_emb : trace[`h${layer - 1}.block_out`];
  const sigma = Array.from({ length: T }, (_, i) => {
    const row = residual.slice(i * C, (i + 1) * C);
    const mean = row.reduce((s, x) => s + x, 0) / C;
    return Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / C + layerNormEpsilon);
  });
  const { ln1Weight, ln1Bias, qkvWeight, qkvBias } = weights.layers[layer];
  const project = (x: number[], offset: number, withBias: boolean) =>
    Array.from({ length: hs }, (_, d) => {
      let sum = withBias ? qkvBias[offset + d] : 0;
      for (let c = 0; c < C; c++) sum += x[c] * qkvWeight[c * 3 * C + offset + d];
      return sum;
    });
  const side = (offset: number) => {
    const shares = parts.map(({ rows }) =>
      rows.map((row, i) => {
        const mean = row.reduce((s, x) => s + x, 0) / C;
        return project(
          row.map((x, c) => ((x - mean) / sigma[i]) * ln1Weight[c]),
          offset,
          false,
        );
      }),
    );
    const constant = project(Array.from(ln1Bias), offset, true);
    shares.push(Array.from({ length: T }, () => constant));
    return shares;
  };
  const query = side(head * hs);
  const key = side(C + head * hs);
  const N = query.length;
  const terms = new Float64Array(N * N * T * T);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          let sum = 0;
          for (let d = 0; d < hs; d++) sum += query[a][i][d] * key[b][j][d];
          terms[((a * N + b) * T + i) * T + j] = sum / Math.sqrt(hs);
        }
  const scaled = trace[`h${layer}.scaled_scores`].slice(head * T * T, (head + 1) * T * T);
  return { names: [...parts.map((p) => p.name), 'bias'], terms, scaled };
}
