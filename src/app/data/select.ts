// Picks what a step shows out of a trace: the matrix, its labels, its kind (signed or weights) and how each
// entry was computed. Views receive these ready-made, so they never know about tensor names.

import { matrix, type Matrix } from '../../model/attention';
import { headOf, type Tensor } from '../../model/trace';
import { contextTerms, dotTerms, maskedNote, softmaxTerms } from './explain';
import { subs, sup, fmt4 } from './format';
import type { AppTrace, Settings } from './types';

/** A matrix ready to draw: values, labels, colour kind and the story of every cell. */
export interface MatrixView {
  /** Stable id, used for export file names and test selectors. */
  id: string;
  title: string;
  matrix: Matrix;
  rowLabels: string[];
  colLabels: string[];
  /** 'signed' uses the diverging scale, 'weights' the sequential one. */
  kind: 'signed' | 'weights';
  /** What a column is: a key token (T×T attention, drawn as square cells at any T) or, by default, a dimension. */
  columns?: 'tokens' | 'dimensions';
  /** Cells hidden by the causal mask. */
  masked?: (row: number, col: number) => boolean;
  /** One line on how entry (row, col) was computed, with the numbers. */
  explain: (row: number, col: number) => string;
}

const asMatrix = (t: Tensor): Matrix =>
  matrix(t.shape[t.shape.length - 2], t.shape[t.shape.length - 1], t.data);

/** Columns [c0, c0 + n) of a (T, C) tensor: one head's part of the merged context. */
export function columnSlice(t: Tensor, c0: number, n: number): Matrix {
  const [T, C] = t.shape;
  const out = matrix(T, n);
  for (let r = 0; r < T; r++) out.data.set(t.data.subarray(r * C + c0, r * C + c0 + n), r * n);
  return out;
}

export const dimLabels = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i + 1));

/** Whether the naive steps use input embeddings (positions on) or token embeddings alone. */
export const naivePrefix = (trace: AppTrace, settings: Settings): string =>
  trace.source === 'book' || settings.positions ? 'naive' : 'naive_nopos';

/** Whether the page shows a model's naive attention with the position embeddings switched off (steps 4–7). */
export const positionsOff = (trace: AppTrace, settings: Settings): boolean =>
  trace.source === 'model' && settings.mode === 'naive' && !settings.positions;

/** Step 4's result: the input embeddings, or with positions off the token embeddings standing in for them. */
export function inputEmbeddingView(trace: AppTrace, settings: Settings): MatrixView | null {
  if (!positionsOff(trace, settings)) return embeddingView(trace, 'input_emb');
  const tok = embeddingView(trace, 'tok_emb');
  if (!tok) return null;
  const m = tok.matrix;
  return {
    ...tok,
    title: 'Input embeddings = token embeddings (positions off)',
    explain: (i, c) =>
      `x${sup(i + 1)}[${c + 1}] = token embedding, no position added = ${fmt4(m.data[i * m.cols + c])}`,
  };
}

/** The embeddings the naive attention runs on, with their name for explanations. */
export function naiveInputs(trace: AppTrace, settings: Settings): { x: Matrix; symbol: string } {
  const name = naivePrefix(trace, settings) === 'naive' ? 'input_emb' : 'tok_emb';
  return { x: asMatrix(trace.tensors[name]), symbol: 'x' };
}

/** Whether the mask applies: always for a GPT-2's trained heads, by the toggle otherwise. */
export const causalApplies = (trace: AppTrace, settings: Settings): boolean =>
  settings.mode === 'trainable' && trace.source === 'model' ? true : settings.causal;

const upper = (row: number, col: number) => col > row;

/** Step 5 in naive mode: ω = X·Xᵀ. */
export function naiveScoresView(trace: AppTrace, settings: Settings): MatrixView {
  const prefix = naivePrefix(trace, settings);
  const { x } = naiveInputs(trace, settings);
  const scores = asMatrix(trace.tensors[`${prefix}.scores`]);
  const causal = causalApplies(trace, settings);
  return {
    id: `${prefix}.scores`,
    title: 'Attention scores ω = X·Xᵀ',
    matrix: scores,
    rowLabels: trace.tokens,
    colLabels: trace.tokens,
    columns: 'tokens',
    kind: 'signed',
    masked: causal ? upper : undefined,
    explain: (i, j) =>
      `ω${subs(i + 1, j + 1)} = x${sup(i + 1)}·x${sup(j + 1)} = ${dotTerms(x, i, x, j)}` +
      (causal && j > i ? ` ${maskedNote}` : ''),
  };
}

/** The chosen head's tensors of a trainable layer. */
export function headParts(trace: AppTrace, settings: Settings) {
  const l = trace.layer;
  const h = Math.min(settings.head, trace.shape.nHead - 1);
  const get = (n: string) => asMatrix(headOf(trace.tensors[`h${l}.${n}`], h));
  return { l, h, q: get('q'), k: get('k'), v: get('v'), scores: get('scores'), scaled: get('scaled_scores') };
}

/** Step 5 in trainable mode: the raw scores q·k and the scaled, masked ones. */
export function trainableScoresViews(trace: AppTrace, settings: Settings): [MatrixView, MatrixView] {
  const { l, h, q, k, scores, scaled } = headParts(trace, settings);
  const dk = trace.shape.headSize;
  const causal = causalApplies(trace, settings);
  const raw: MatrixView = {
    id: `h${l}.scores.head${h}`,
    title: 'Scores ω = Q·Kᵀ',
    matrix: scores,
    rowLabels: trace.tokens,
    colLabels: trace.tokens,
    columns: 'tokens',
    kind: 'signed',
    explain: (i, j) => `ω${subs(i + 1, j + 1)} = q${sup(i + 1)}·k${sup(j + 1)} = ${dotTerms(q, i, k, j)}`,
  };
  const scaledView: MatrixView = {
    id: `h${l}.scaled_scores.head${h}`,
    title: causal ? 'Scaled and masked: ω / √dₖ, future = −∞' : 'Scaled: ω / √dₖ',
    matrix: scaled,
    rowLabels: trace.tokens,
    colLabels: trace.tokens,
    columns: 'tokens',
    kind: 'signed',
    masked: causal ? upper : undefined,
    explain: (i, j) =>
      causal && j > i
        ? `ω${subs(i + 1, j + 1)} ${maskedNote}`
        : `ω${subs(i + 1, j + 1)} / √${dk} = ${fmt4(scores.data[i * scores.cols + j])} / ${fmt4(Math.sqrt(dk))} = ${fmt4(scaled.data[i * scaled.cols + j])}`,
  };
  return [raw, scaledView];
}

/** Step 6: the attention weights α, rows summing to 1. */
export function weightsView(trace: AppTrace, settings: Settings, head = settings.head): MatrixView {
  const causal = causalApplies(trace, settings);
  if (settings.mode === 'naive') {
    const prefix = naivePrefix(trace, settings);
    const scores = asMatrix(trace.tensors[`${prefix}.scores`]);
    const name = causal ? `${prefix}.causal_weights` : `${prefix}.weights`;
    return {
      id: name,
      title: causal ? 'Weights α = softmax(ω), masked' : 'Weights α = softmax(ω)',
      matrix: asMatrix(trace.tensors[name]),
      rowLabels: trace.tokens,
      colLabels: trace.tokens,
      columns: 'tokens',
      kind: 'weights',
      masked: causal ? upper : undefined,
      explain: (i, j) => softmaxTerms(scores, i, j, causal, 'ω'),
    };
  }
  const l = trace.layer;
  const h = Math.min(head, trace.shape.nHead - 1);
  const full = trace.source === 'book' && !causal;
  const name = full ? `h${l}.attn_weights_full` : `h${l}.attn_weights`;
  const scaled = asMatrix(headOf(trace.tensors[`h${l}.scaled_scores`], h));
  return {
    id: `${name}.head${h}`,
    title: `Weights α = softmax(ω / √dₖ)${causal ? ', masked' : ''}`,
    matrix: asMatrix(headOf(trace.tensors[name], h)),
    rowLabels: trace.tokens,
    colLabels: trace.tokens,
    columns: 'tokens',
    kind: 'weights',
    masked: causal ? upper : undefined,
    explain: (i, j) => softmaxTerms(scaled, i, j, causal, 'ω/√dₖ'),
  };
}

/** Step 7 in trainable mode: the values V = X·W_v of the chosen head, which the weights mix. */
export function valuesView(trace: AppTrace, settings: Settings): MatrixView {
  const { h, v } = headParts(trace, settings);
  return {
    id: `v.head${h}`,
    title: `Values V (head ${h + 1}): what each token passes on`,
    matrix: v,
    rowLabels: trace.tokens,
    colLabels: dimLabels(v.cols),
    kind: 'signed',
    explain: (i, c) =>
      `v${sup(i + 1)}[${c + 1}] = (x${sup(i + 1)}·W_v)[${c + 1}] = ${fmt4(v.data[i * v.cols + c])}`,
  };
}

/** Step 7: context vectors z = α·X (naive) or z = α·V for the head, then the output projection. */
export function contextViews(trace: AppTrace, settings: Settings): MatrixView[] {
  const causal = causalApplies(trace, settings);
  const weights = weightsView(trace, settings).matrix;
  if (settings.mode === 'naive') {
    const prefix = naivePrefix(trace, settings);
    const { x } = naiveInputs(trace, settings);
    const name = causal ? `${prefix}.causal_context` : `${prefix}.context`;
    const z = asMatrix(trace.tensors[name]);
    return [
      {
        id: name,
        title: 'Context vectors z = α·X',
        matrix: z,
        rowLabels: trace.tokens,
        colLabels: dimLabels(z.cols),
        kind: 'signed',
        explain: (i, c) =>
          `z${sup(i + 1)}[${c + 1}] = Σⱼ α${subs(i + 1, 'ⱼ')}·x⁽ʲ⁾[${c + 1}] = ${contextTerms(weights, x, i, c)}`,
      },
    ];
  }
  const { l, h, v } = headParts(trace, settings);
  const hs = trace.shape.headSize;
  const full = trace.source === 'book' && !causal;
  const context = full
    ? asMatrix(trace.tensors[`h${l}.attn_context_full`])
    : trace.source === 'book'
      ? asMatrix(trace.tensors[`h${l}.attn_context`])
      : columnSlice(trace.tensors[`h${l}.attn_context`], h * hs, hs);
  const views: MatrixView[] = [
    {
      id: `h${l}.attn_context.head${h}`,
      title: `Context of head ${h + 1}: z = α·V`,
      matrix: context,
      rowLabels: trace.tokens,
      colLabels: dimLabels(hs),
      kind: 'signed',
      explain: (i, c) =>
        `z${sup(i + 1)}[${c + 1}] = Σⱼ α${subs(i + 1, 'ⱼ')}·v⁽ʲ⁾[${c + 1}] = ${contextTerms(weights, v, i, c)}`,
    },
  ];
  const out = trace.tensors[`h${l}.attn_out`];
  if (out) {
    views.push({
      id: `h${l}.attn_out`,
      title: 'All heads merged, then the output projection',
      matrix: asMatrix(out),
      rowLabels: trace.tokens,
      colLabels: dimLabels(out.shape[1]),
      kind: 'signed',
      explain: (i, c) =>
        `out${sup(i + 1)}[${c + 1}] = ([z₁ … z_H]${sup(i + 1)}·W_O + b)[${c + 1}] = ${fmt4(out.data[i * out.shape[1] + c])}`,
    });
  }
  return views;
}

/** Steps 2–4: an embedding matrix (T×C) with a per-cell story. */
export function embeddingView(trace: AppTrace, name: 'tok_emb' | 'pos_emb' | 'input_emb'): MatrixView | null {
  const t = trace.tensors[name];
  if (!t) return null;
  const m = asMatrix(t);
  const tok = trace.tensors.tok_emb;
  const pos = trace.tensors.pos_emb;
  const titles = {
    tok_emb: 'Token embeddings',
    pos_emb: 'Position embeddings',
    input_emb: 'Input embeddings',
  };
  return {
    id: name,
    title: titles[name],
    matrix: m,
    rowLabels: name === 'pos_emb' ? trace.tokens.map((_, i) => `pos ${i}`) : trace.tokens,
    colLabels: dimLabels(m.cols),
    kind: 'signed',
    explain: (i, c) => {
      const k = i * m.cols + c;
      if (name === 'input_emb' && tok && pos) {
        return `x${sup(i + 1)}[${c + 1}] = token + position = ${fmt4(tok.data[k])} + ${fmt4(pos.data[k])} = ${fmt4(m.data[k])}`;
      }
      if (name === 'tok_emb') return `row ${trace.ids[i]} of wte, dimension ${c + 1} = ${fmt4(m.data[k])}`;
      if (name === 'pos_emb') return `row ${i} of wpe, dimension ${c + 1} = ${fmt4(m.data[k])}`;
      return `x${sup(i + 1)}[${c + 1}] = ${fmt4(m.data[k])}`;
    },
  };
}

/** Positions whose token appears earlier too, grouped: [[0, 5], …]. */
export function repeatedTokens(ids: number[]): number[][] {
  const seen = new Map<number, number[]>();
  ids.forEach((id, i) => seen.set(id, [...(seen.get(id) ?? []), i]));
  return [...seen.values()].filter((group) => group.length > 1);
}
