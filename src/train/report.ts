// What the training log reports about a model as shipped (read back from its F16 file): its validation loss
// over the full 50257-token vocabulary, and how sharply each head attends.

import { cpuForward } from '../model/cpu/forward';
import { headOf } from '../model/trace';
import type { GPT2Weights } from '../model/weights';
import { encode, tokenize } from '../tokenizer/gpt2';
import { defaultCpuKernels } from '../model/wasm/select';

export const ENTROPY_TEXT = 'the fat cat sat on the mat';

/** Mean cross-entropy over the full vocabulary of the windows at `starts` (T+1 tokens each) of `ids`. */
export function fullVocabLoss(weights: GPT2Weights, ids: Int32Array, starts: number[], T: number): number {
  const V = weights.config.vocabSize;
  let total = 0;
  for (const start of starts) {
    const inputs = Array.from(ids.subarray(start, start + T));
    const logits = cpuForward(weights, inputs, { include: [], logits: 'all' }, defaultCpuKernels()).logits
      .data; // (T, V)
    for (let t = 0; t < T; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      let max = -Infinity;
      for (let v = 0; v < V; v++) if (row[v] > max) max = row[v];
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(row[v] - max);
      total += Math.log(sum) + max - row[ids[start + t + 1]];
    }
  }
  return total / (starts.length * T);
}

export interface HeadEntropy {
  layer: number;
  head: number;
  /** Mean over query positions 1..T-1 of the entropy of the attention weights, in nats. */
  entropy: number;
  /** The same mean for uniform attention over the visible positions, log(t+1). */
  uniform: number;
  /** For each query token, the token it attends to most. */
  attendsTo: string[];
}

/** Per-head attention entropy on `text` (position 0 sees only itself, so it is left out of the mean). */
export function headEntropies(
  weights: GPT2Weights,
  text = ENTROPY_TEXT,
): { tokens: string[]; heads: HeadEntropy[] } {
  const ids = encode(text);
  const tokens = tokenize(text).map((t) => t.display);
  const T = ids.length;
  const { nLayer, nHead } = weights.config;
  const include = Array.from({ length: nLayer }, (_, l) => `h${l}.attn_weights`);
  const tensors = cpuForward(weights, ids, { include, logits: 'none' }, defaultCpuKernels());
  const heads: HeadEntropy[] = [];
  for (let l = 0; l < nLayer; l++) {
    for (let h = 0; h < nHead; h++) {
      const att = headOf(tensors[`h${l}.attn_weights`], h).data; // (T, T)
      let entropy = 0;
      let uniform = 0;
      const attendsTo: string[] = [];
      for (let t = 0; t < T; t++) {
        const row = t * T;
        let best = 0;
        let rowEntropy = 0;
        for (let s = 0; s <= t; s++) {
          const a = att[row + s];
          if (a > 0) rowEntropy -= a * Math.log(a);
          if (a > att[row + best]) best = s;
        }
        attendsTo.push(tokens[best]);
        if (t === 0) continue;
        entropy += rowEntropy;
        uniform += Math.log(t + 1);
      }
      heads.push({ layer: l, head: h, entropy: entropy / (T - 1), uniform: uniform / (T - 1), attendsTo });
    }
  }
  return { tokens, heads };
}

/** A table of the heads for the terminal. */
export function formatHeadEntropies(report: { tokens: string[]; heads: HeadEntropy[] }): string {
  const lines = [`attention entropy on "${ENTROPY_TEXT}" (nats; uniform attention in brackets):`];
  lines.push(`  query tokens:        ${report.tokens.join(' ')}`);
  for (const h of report.heads) {
    const label = `h${h.layer}.head${h.head}`.padEnd(10);
    const numbers = `${h.entropy.toFixed(3)} (${h.uniform.toFixed(3)})`.padEnd(16);
    lines.push(`  ${label} ${numbers} most attended: ${h.attendsTo.join(' ')}`);
  }
  return lines.join('\n');
}
