// Step 5's naive score taken apart: with x = t + p (token plus position embedding),
// x_i·x_j = t_i·t_j + t_i·p_j + p_i·t_j + p_i·p_j. Four T×T views and the numbers for the repeated token.

import { matrix } from '../../model/attention';
import { naiveScoreTerms } from '../../model/naive-terms';
import { fmt4, sub, subs } from './format';
import type { MatrixView } from './select';
import type { AppTrace, Settings } from './types';

/** The four terms in the order of the expansion, with the labels the heatmaps show. */
export const SPLIT_TERMS = [
  { id: 'tt', label: 'token · token', symbol: 't·t', formula: (i: string, j: string) => `t${i}·t${j}` },
  { id: 'tp', label: 'token · position', symbol: 't·p', formula: (i: string, j: string) => `t${i}·p${j}` },
  { id: 'pt', label: 'position · token', symbol: 'p·t', formula: (i: string, j: string) => `p${i}·t${j}` },
  { id: 'pp', label: 'position · position', symbol: 'p·p', formula: (i: string, j: string) => `p${i}·p${j}` },
] as const;

/** The four terms of every score, (4, T, T) in SPLIT_TERMS order, and T. */
export interface ScoreSplit {
  terms: Float32Array;
  T: number;
}

/** Whether step 5 splits its scores: a model's naive attention on input embeddings (tables to split). */
export function splitApplies(trace: AppTrace, settings: Settings): boolean {
  return (
    trace.source === 'model' &&
    settings.mode === 'naive' &&
    settings.positions &&
    !!trace.tensors.tok_emb &&
    !!trace.tensors.pos_emb
  );
}

/** The four terms of the trace's naive scores. */
export function scoreSplit(trace: AppTrace): ScoreSplit {
  const tok = trace.tensors.tok_emb;
  const [T, C] = tok.shape;
  return { terms: naiveScoreTerms(tok.data, trace.tensors.pos_emb.data, T, C), T };
}

/** Term k of score (i, j). */
export const termAt = (split: ScoreSplit, k: number, i: number, j: number): number =>
  split.terms[k * split.T * split.T + i * split.T + j];

/** The four terms as T×T views, each explaining its cell as one dot product. */
export function splitViews(split: ScoreSplit, tokens: string[]): MatrixView[] {
  const { T, terms } = split;
  return SPLIT_TERMS.map((term, k) => ({
    id: `naive.scores.${term.id}`,
    title: term.label,
    matrix: matrix(T, T, terms.subarray(k * T * T, (k + 1) * T * T)),
    rowLabels: tokens,
    colLabels: tokens,
    columns: 'tokens' as const,
    kind: 'signed' as const,
    explain: (i: number, j: number) =>
      `${term.formula(sub(i + 1), sub(j + 1))} = ${fmt4(termAt(split, k, i, j))}`,
  }));
}

/** "ω₂₇ = t·t 12.3456 + t·p 0.1234 + p·t 0.2345 + p·p 3.4567 = 16.1602": the hover readout. */
export function splitReadout(split: ScoreSplit, i: number, j: number): string {
  const parts = SPLIT_TERMS.map((term, k) => `${term.symbol} ${fmt4(termAt(split, k, i, j))}`);
  const total = SPLIT_TERMS.reduce((sum, _, k) => sum + termAt(split, k, i, j), 0);
  return `ω${subs(i + 1, j + 1)} = ${parts.join(' + ')} = ${fmt4(total)}`;
}

/** How the score between two copies of one token divides into its token part and its three position parts. */
export interface CopyScore {
  /** The whole score x_i·x_j. */
  total: number;
  /** t_i·t_j: the same row of wte dotted with itself, so every copy pair (and each copy with itself) has it. */
  token: number;
  /** t_i·p_j + p_i·t_j + p_i·p_j. */
  position: number;
}

/** The score of copy i with copy j, split in two. */
export function copyScore(split: ScoreSplit, i: number, j: number): CopyScore {
  const token = termAt(split, 0, i, j);
  const position = termAt(split, 1, i, j) + termAt(split, 2, i, j) + termAt(split, 3, i, j);
  return { total: token + position, token, position };
}
