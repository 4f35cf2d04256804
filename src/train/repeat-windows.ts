// Repeated spans in training windows (the Induction preset's text): a seeded share of a batch's rows end with
// a copy of a span read earlier in the same row, so predicting the copy pays for a previous-token head and an
// induction head. Also the held-out measure of that skill: the in-context gain and every head's scores.

import { inductionScore, previousTokenScore, type HeadGrid } from '../model/head-detectors';
import { seededRandom } from '../model/random';
import { headBlock } from '../model/trace';
import type { GPT2Training } from './gpt2-train';

/** Which rows repeat a span, and how long the span is. Off unless a run names it. */
export interface RepeatSpanOptions {
  /** Share of rows (0..1) that end with a repeated span. */
  share: number;
  /** Span lengths, drawn uniformly from minSpan..maxSpan tokens (2·maxSpan ≤ T + 1). */
  minSpan: number;
  maxSpan: number;
  /** What is repeated: a span of the row's own text, or R random tokens (uniform over the model's vocabulary)
   * written just before their copy, which leaves copying as the only way to predict the copy. */
  source: 'text' | 'random';
  /** With the random source: the span starts anywhere in the natural part and repeats to the row's end. */
  fill?: boolean;
}

/** Draws per row, whether it repeats or not, so resuming skips a fixed count. */
const DRAWS_PER_ROW = 3;
/** Random draws of random rows' tokens per row, used or not. */
const TOKEN_DRAWS = 64;

/**
 * Rewrites some rows of the batch in `training` (as BatchSampler filled them) so that the row's last R tokens
 * are a copy of R consecutive tokens from earlier in the row. Seeded on its own, apart from the window offsets.
 */
export class RepeatSpans {
  private readonly random: () => number;

  constructor(
    readonly options: RepeatSpanOptions,
    seed: number,
  ) {
    const { share, minSpan, maxSpan } = options;
    if (!(share >= 0 && share <= 1)) throw new RangeError('the share of repeated rows must be from 0 to 1');
    if (!(minSpan >= 2 && maxSpan >= minSpan && maxSpan <= TOKEN_DRAWS))
      throw new RangeError('repeated spans need 2 ≤ minSpan ≤ maxSpan');
    this.random = seededRandom(seed);
  }

  /** Draws and drops what `apply` on a batch of that many rows draws. */
  skip(rows: number): void {
    const draws = DRAWS_PER_ROW + (this.options.source === 'random' ? TOKEN_DRAWS : 0);
    for (let i = 0; i < rows * draws; i++) this.random();
  }

  apply(training: GPT2Training): void {
    const { B, T } = training;
    const { share, minSpan, maxSpan } = this.options;
    if (2 * maxSpan > T + 1)
      throw new RangeError(`a span of ${maxSpan} repeated needs T ≥ ${2 * maxSpan - 1}`);
    const row = new Int32Array(T + 1); // the window's T + 1 tokens
    const vocabSize = training.weights.config.vocabSize;
    for (let b = 0; b < B; b++) {
      const repeat = this.random() < share;
      const R = minSpan + Math.floor(this.random() * (maxSpan - minSpan + 1));
      const from = this.random(); // where in the row's natural part the span starts, as a fraction
      const tokens = this.randomTokens(vocabSize, R);
      if (!repeat) continue;
      row.set(training.inputs.subarray(b * T, b * T + T));
      row[T] = training.targets[b * T + T - 1];
      const natural = T + 1 - R; // tokens before the copy
      if (tokens && this.options.fill) {
        // The span starts where the row's natural part ends and repeats to the row's end.
        const first = Math.floor(from * (natural - R + 1));
        row.set(tokens, first);
        for (let i = first + R; i <= T; i++) row[i] = row[i - R];
      } else if (tokens) {
        row.set(tokens, natural - R);
        row.copyWithin(natural, natural - R, natural);
      } else {
        const start = Math.floor(from * (natural - R + 1));
        row.copyWithin(natural, start, start + R);
      }
      training.inputs.set(row.subarray(0, T), b * T);
      training.targets.set(row.subarray(1, T + 1), b * T);
    }
  }

  /** TOKEN_DRAWS random ids below vocabSize (the first `count` returned) for the 'random' source, else null. */
  private randomTokens(vocabSize: number, count: number): Int32Array | null {
    if (this.options.source !== 'random') return null;
    const ids = new Int32Array(TOKEN_DRAWS);
    for (let i = 0; i < TOKEN_DRAWS; i++) ids[i] = Math.floor(this.random() * vocabSize);
    return ids.subarray(0, count);
  }
}

/** Held-out windows of T + 1 tokens that read a span of R = T/2 tokens twice (and the first token a third
 * time, as the last target), so every target from position R on is a copy of a token read before. */
export function repeatedWindows(tokens: Int32Array, T: number, count: number): Int32Array[] {
  const R = Math.floor(T / 2);
  const available = Math.floor(tokens.length / R);
  const n = Math.min(count, available);
  const windows: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * available) / n) * R;
    const span = tokens.subarray(start, start + R);
    const window = new Int32Array(T + 1);
    window.set(span);
    window.set(span, R);
    window[2 * R] = span[0];
    windows.push(window);
  }
  return windows;
}

/** What the held-out repeated windows say about the model at one moment. */
export interface RepeatMeasure {
  /** Mean loss on the first half's targets (fresh text). */
  earlyLoss: number;
  /** Mean loss on the second half's targets (a copy of the first). */
  lateLoss: number;
  /** earlyLoss − lateLoss: how much reading the text once helps to predict it again (nats per token). */
  gain: number;
  /** Every head's induction and previous-token scores on the same windows. */
  induction: HeadGrid;
  previousToken: HeadGrid;
}

/**
 * Runs the windows through `training` (B at a time) and measures the loss early and late in each, with the
 * shared row's target bias added back, and every head's scores averaged over the windows.
 */
export function measureRepeats(training: GPT2Training, windows: Int32Array[]): RepeatMeasure {
  const { B, T } = training;
  const { nLayer, nHead } = training.weights.config;
  const R = Math.floor(T / 2);
  const bias = training.logitBias;
  let early = 0;
  let late = 0;
  const induction = Array.from({ length: nLayer }, () => new Array<number>(nHead).fill(0));
  const previousToken = Array.from({ length: nLayer }, () => new Array<number>(nHead).fill(0));
  for (let i = 0; i < windows.length; i += B) {
    for (let b = 0; b < B; b++) {
      const w = windows[Math.min(i + b, windows.length - 1)];
      training.inputs.set(w.subarray(0, T), b * T);
      training.targets.set(w.subarray(1, T + 1), b * T);
    }
    training.forward();
    const rows = Math.min(B, windows.length - i);
    for (let b = 0; b < rows; b++) {
      for (let t = 0; t < T; t++) {
        const loss = training.losses[b * T + t] + (bias ? bias[training.targets[b * T + t]] : 0);
        if (t < R - 1) early += loss;
        else if (t >= R) late += loss;
      }
      for (let l = 0; l < nLayer; l++) {
        const att = training.attentionWeights(l).subarray(b * nHead * T * T, (b + 1) * nHead * T * T);
        for (let h = 0; h < nHead; h++) {
          const pattern = headBlock(att, h, T, T);
          induction[l][h] += inductionScore(pattern, T, R) / windows.length;
          previousToken[l][h] += previousTokenScore(pattern, T)! / windows.length;
        }
      }
    }
  }
  const earlyLoss = early / (windows.length * (R - 1));
  const lateLoss = late / (windows.length * (T - R));
  return { earlyLoss, lateLoss, gain: earlyLoss - lateLoss, induction, previousToken };
}
