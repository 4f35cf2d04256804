// Token streams for training: the corpus encoded once, random windows of T+1 tokens drawn from a seeded
// generator for each batch, and fixed validation windows.

import { seededRandom } from '../model/random';
import { encode } from '../tokenizer/gpt2';
import type { GPT2Training } from './gpt2-train';

/** GPT-2 ids of a text; lines that repeat are encoded once (the corpus repeats many of its stories). */
export function encodeLines(text: string): Int32Array {
  const cache = new Map<string, number[]>();
  const out: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const piece = i < lines.length - 1 ? `${line}\n` : line;
    if (!piece) return;
    let ids = cache.get(piece);
    if (!ids) cache.set(piece, (ids = encode(piece)));
    for (const id of ids) out.push(id);
  });
  return Int32Array.from(out);
}

/** Window starts to draw from instead of every offset, and each one's first input (compact ids). */
export interface WindowStarts {
  positions: Int32Array;
  firstIds: Int32Array;
}

/**
 * Draws training batches: each row is T+1 consecutive tokens starting at a random offset, or at a random one
 * of `starts` (whose first input then becomes that start's token; the targets stay the text's).
 */
export class BatchSampler {
  private readonly random: () => number;

  constructor(
    private readonly tokens: Int32Array, // compact ids
    seed: number,
    private readonly starts: WindowStarts | null = null,
  ) {
    this.random = seededRandom(seed);
    if (starts && starts.positions.length === 0) throw new Error('the corpus has no window starts');
  }

  /** Draws and drops the offsets of `rows` windows: what `fill` of a batch of that many rows draws. */
  skip(rows: number): void {
    for (let b = 0; b < rows; b++) this.random();
  }

  fill(training: GPT2Training): void {
    const { B, T } = training;
    if (this.tokens.length < T + 1) throw new Error(`the corpus has fewer than ${T + 1} tokens`);
    for (let b = 0; b < B; b++) {
      if (this.starts) {
        const k = Math.floor(this.random() * this.starts.positions.length);
        copyWindow(training, b, this.tokens, this.starts.positions[k]);
        training.inputs[b * T] = this.starts.firstIds[k];
      } else {
        copyWindow(training, b, this.tokens, Math.floor(this.random() * (this.tokens.length - T)));
      }
    }
  }
}

function copyWindow(training: GPT2Training, b: number, tokens: Int32Array, start: number): void {
  const T = training.T;
  training.inputs.set(tokens.subarray(start, start + T), b * T);
  training.targets.set(tokens.subarray(start + 1, start + T + 1), b * T);
}

/**
 * Starts of up to maxWindows validation windows: runs of T+1 tokens that share at most their edge token,
 * spread evenly over the whole text (held-out documents come in order, so the first windows alone would
 * measure the first document or two).
 */
export function validationWindows(tokens: Int32Array, T: number, maxWindows: number): number[] {
  const available = Math.floor((tokens.length - 1) / T); // non-overlapping windows that fit
  const count = Math.min(maxWindows, available);
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(Math.floor((i * available) / count) * T);
  return starts;
}

/** Mean loss per token of the full vocabulary of `training` over the given windows (B at a time; a last partial
 * batch is padded by repeats and only its real rows counted). */
export function meanLossOver(training: GPT2Training, tokens: Int32Array, starts: number[]): number {
  const { B, T } = training;
  let total = 0;
  for (let i = 0; i < starts.length; i += B) {
    for (let b = 0; b < B; b++) copyWindow(training, b, tokens, starts[Math.min(i + b, starts.length - 1)]);
    training.forward();
    const rows = Math.min(B, starts.length - i);
    for (let n = 0; n < rows * T; n++) total += training.losses[n];
  }
  const count = starts.length * T;
  // training.losses are per column; a shared column's targets each get its log n back (meanTargetBias).
  return total / count + targetBiasOver(training.logitBias, tokens, starts, T) / count;
}

/** The sum of the logit bias of every target in the windows (each window's tokens 1..T). */
export function targetBiasOver(
  logitBias: Float32Array | null,
  tokens: Int32Array,
  starts: number[],
  T: number,
): number {
  if (!logitBias) return 0;
  let sum = 0;
  for (const s of starts) for (let t = 1; t <= T; t++) sum += logitBias[tokens[s + t]];
  return sum;
}
