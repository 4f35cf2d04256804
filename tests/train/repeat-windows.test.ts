// The Induction preset's data and measure (src/train/repeat-windows.ts): rows that end by repeating a span of
// themselves (seeded, resumable, off unless asked for), held-out windows read twice, and the in-context gain and
// head scores against a float64 computation from the CPU engine's logits and attention.

import { describe, expect, it } from 'vitest';
import { cpuForward } from '../../src/model/cpu/forward';
import { inductionScore, previousTokenScore } from '../../src/model/head-detectors';
import { randomGPT2Weights } from '../../src/model/random';
import { headBlock } from '../../src/model/trace';
import { createSyncKernels } from '../../src/model/wasm/select';
import { GPT2Training } from '../../src/train/gpt2-train';
import {
  measureRepeats,
  repeatedWindows,
  RepeatSpans,
  type RepeatSpanOptions,
} from '../../src/train/repeat-windows';
import { modelConfig } from '../../src/train/training-run';

const config = { ...modelConfig({ nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2 }), vocabSize: 50 };
const kernels = createSyncKernels();

/** A training batch (B = 4, T = 16) whose rows are 100·b + 0..16, so every token says where it came from. */
function batch(): GPT2Training {
  const training = new GPT2Training(randomGPT2Weights(config, 3), 4, 16, null, kernels);
  for (let b = 0; b < 4; b++)
    for (let t = 0; t < 16; t++) {
      training.inputs[b * 16 + t] = 100 * b + t;
      training.targets[b * 16 + t] = 100 * b + t + 1;
    }
  return training;
}

/** Row b's T + 1 tokens. */
const row = (training: GPT2Training, b: number) => [
  ...training.inputs.subarray(b * 16, b * 16 + 16),
  training.targets[b * 16 + 15],
];

describe('RepeatSpans', () => {
  it('ends every chosen row with a copy of a span read earlier in it, and leaves the others as they were', () => {
    const options: RepeatSpanOptions = { share: 1, minSpan: 3, maxSpan: 6, source: 'text' };
    const training = batch();
    new RepeatSpans(options, 5).apply(training);
    for (let b = 0; b < 4; b++) {
      const tokens = row(training, b);
      // The untouched head of the row is 100·b + 0..k; its tail repeats R of those, R from 3 to 6.
      const natural = tokens.findIndex((v, i) => v !== 100 * b + i);
      const R = 17 - natural;
      expect(R).toBeGreaterThanOrEqual(3);
      expect(R).toBeLessThanOrEqual(6);
      const start = tokens[natural] - 100 * b;
      expect(tokens.slice(natural)).toEqual(tokens.slice(start, start + R));
      expect(start + R).toBeLessThanOrEqual(natural);
      // Inputs and targets stay one token apart.
      for (let t = 0; t < 15; t++) expect(training.targets[b * 16 + t]).toBe(training.inputs[b * 16 + t + 1]);
    }
    const untouched = batch();
    new RepeatSpans({ ...options, share: 0 }, 5).apply(untouched);
    expect([...untouched.inputs]).toEqual([...batch().inputs]);
  });

  it('writes R random tokens before their copy with the random source', () => {
    const training = batch();
    new RepeatSpans({ share: 1, minSpan: 8, maxSpan: 8, source: 'random' }, 9).apply(training);
    for (let b = 0; b < 4; b++) {
      const tokens = row(training, b);
      expect(tokens.slice(9)).toEqual(tokens.slice(1, 9));
      expect(tokens.slice(1, 9).every((id) => id >= 0 && id < 50)).toBe(true);
      expect(tokens[0]).toBe(100 * b);
    }
  });

  it('is seeded, and skip draws what apply would, so a resumed run draws the same batches', () => {
    const options: RepeatSpanOptions = { share: 0.5, minSpan: 2, maxSpan: 8, source: 'random' };
    const a = batch();
    const b = batch();
    const first = new RepeatSpans(options, 11);
    first.apply(batch());
    first.apply(a);
    const resumed = new RepeatSpans(options, 11);
    resumed.skip(4);
    resumed.apply(b);
    expect([...a.inputs]).toEqual([...b.inputs]);
    expect([...a.inputs]).not.toEqual([...batch().inputs]);
  });

  it('refuses spans that cannot repeat in the window', () => {
    expect(() => new RepeatSpans({ share: 2, minSpan: 2, maxSpan: 4, source: 'text' }, 1)).toThrow(
      RangeError,
    );
    expect(() => new RepeatSpans({ share: 1, minSpan: 1, maxSpan: 4, source: 'text' }, 1)).toThrow(
      RangeError,
    );
    expect(() =>
      new RepeatSpans({ share: 1, minSpan: 2, maxSpan: 9, source: 'text' }, 1).apply(batch()),
    ).toThrow(/T ≥ 17/);
  });
});

describe('measureRepeats', () => {
  it('gives the loss early and late in held-out text read twice, and the heads’ scores, as float64 does', () => {
    const tokens = Int32Array.from({ length: 200 }, (_, i) => (i * 7 + (i % 5)) % 50);
    const windows = repeatedWindows(tokens, 16, 6);
    expect(windows).toHaveLength(6);
    for (const w of windows) expect([...w.subarray(8)]).toEqual([...w.subarray(0, 8), w[0]]);

    const training = new GPT2Training(randomGPT2Weights(config, 4), 4, 16, null, kernels);
    const measure = measureRepeats(training, windows);

    let early = 0;
    let late = 0;
    const induction = [new Array(2).fill(0), new Array(2).fill(0)];
    const previous = [new Array(2).fill(0), new Array(2).fill(0)];
    for (const w of windows) {
      const names = ['h0.attn_weights', 'h1.attn_weights'];
      const out = cpuForward(
        training.weights,
        [...w.subarray(0, 16)],
        { include: names, logits: 'all' },
        kernels,
      );
      const logits = out.logits.data;
      for (let t = 0; t < 16; t++) {
        const row = Array.from(logits.subarray(t * 50, t * 50 + 50), Number);
        const max = Math.max(...row);
        const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        const loss = logSum - row[w[t + 1]];
        if (t < 7) early += loss / (6 * 7);
        else if (t >= 8) late += loss / (6 * 8);
      }
      names.forEach((name, l) =>
        [0, 1].forEach((h) => {
          const p = headBlock(out[name].data, h, 16, 16);
          induction[l][h] += inductionScore(p, 16, 8) / 6;
          previous[l][h] += previousTokenScore(p, 16)! / 6;
        }),
      );
    }
    expect(measure.earlyLoss).toBeCloseTo(early, 4);
    expect(measure.lateLoss).toBeCloseTo(late, 4);
    expect(measure.gain).toBeCloseTo(early - late, 4);
    for (const l of [0, 1])
      for (const h of [0, 1]) {
        expect(measure.induction[l][h]).toBeCloseTo(induction[l][h], 5);
        expect(measure.previousToken[l][h]).toBeCloseTo(previous[l][h], 5);
      }
  });
});
