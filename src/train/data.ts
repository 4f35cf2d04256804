// Token streams for training: the corpus encoded once, random windows of T+1 tokens drawn from a seeded
// generator for each batch, fixed validation windows, and the unigram model the loss is compared against.

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

/** Draws training batches: each row is T+1 consecutive tokens starting at a random offset. */
export class BatchSampler {
  private readonly random: () => number;

  constructor(
    private readonly tokens: Int32Array, // compact ids
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  fill(training: GPT2Training): void {
    const { B, T } = training;
    if (this.tokens.length < T + 1) throw new Error(`the corpus has fewer than ${T + 1} tokens`);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(this.random() * (this.tokens.length - T));
      copyWindow(training, b, this.tokens, start);
    }
  }
}

function copyWindow(training: GPT2Training, b: number, tokens: Int32Array, start: number): void {
  const T = training.T;
  training.inputs.set(tokens.subarray(start, start + T), b * T);
  training.targets.set(tokens.subarray(start + 1, start + T + 1), b * T);
}

/** Starts of up to maxWindows validation windows: runs of T+1 tokens that share only their edge token. */
export function validationWindows(tokens: Int32Array, T: number, maxWindows: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + T + 1 <= tokens.length && starts.length < maxWindows; s += T) starts.push(s);
  return starts;
}

/** Mean loss of `training` over the given windows (B at a time; a last partial batch is padded by repeats
 * and only its real rows counted). */
export function meanLossOver(training: GPT2Training, tokens: Int32Array, starts: number[]): number {
  const { B, T } = training;
  let total = 0;
  for (let i = 0; i < starts.length; i += B) {
    for (let b = 0; b < B; b++) copyWindow(training, b, tokens, starts[Math.min(i + b, starts.length - 1)]);
    training.forward();
    const rows = Math.min(B, starts.length - i);
    for (let n = 0; n < rows * T; n++) total += training.losses[n];
  }
  return total / (starts.length * T);
}

/**
 * Cross-entropy (nats per token) of `evalIds` under the unigram distribution of `trainIds`, add-one smoothed
 * over the ids either uses: the loss of a model that ignores context, which the trained model must beat.
 */
export function unigramLoss(trainIds: ArrayLike<number>, evalIds: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < trainIds.length; i++) counts.set(trainIds[i], (counts.get(trainIds[i]) ?? 0) + 1);
  for (let i = 0; i < evalIds.length; i++) if (!counts.has(evalIds[i])) counts.set(evalIds[i], 0);
  const total = trainIds.length + counts.size;
  let loss = 0;
  for (let i = 0; i < evalIds.length; i++) loss -= Math.log((counts.get(evalIds[i])! + 1) / total);
  return loss / evalIds.length;
}
