// Step 4's cosines and step 5's four-term split, held against float64 sums written here over the model's own
// weight tables (wte, wpe), not against the engine's trace they are drawn from.

import { describe, expect, it } from 'vitest';
import { copyScore, scoreSplit, splitReadout, termAt } from '../../src/app/data/score-split';
import { repeatSimilarities } from '../../src/app/data/repeat-stats';
import { DEFAULT_TEXT } from '../../src/app/data/types';
import { encode } from '../../src/tokenizer/gpt2';
import { similaritySentence } from '../../src/app/views/RepeatSimilarity';
import { defaultModel, modelTrace } from '../helpers/model-trace';

/** Row r of a (rows, C) table as float64 numbers. */
const row = (table: Float32Array, r: number, C: number) => Array.from(table.subarray(r * C, (r + 1) * C));
const dot = (a: number[], b: number[]) => a.reduce((sum, x, c) => sum + x * b[c], 0);
const add = (a: number[], b: number[]) => a.map((x, c) => x + b[c]);
const cos = (a: number[], b: number[]) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

describe('step 4: how alike the copies of a repeated token are', () => {
  it('gives the token, position and input cosines of the default sentence’s two “␣the”', async () => {
    const { weights } = await defaultModel();
    const C = weights.config.nEmbd;
    const ids = encode(DEFAULT_TEXT);
    const [first, second] = ids.flatMap((id, i) => (id === 262 ? [i] : []));
    const token = row(weights.wte, 262, C);
    const [p1, p2] = [row(weights.wpe, first, C), row(weights.wpe, second, C)];

    const [similarity, ...others] = repeatSimilarities(await modelTrace(DEFAULT_TEXT));
    expect(others).toEqual([]);
    expect([similarity.token, similarity.first, similarity.second]).toEqual(['␣the', first, second]);
    expect(similarity.cosine.tok_emb).toBeCloseTo(1, 6);
    expect(similarity.cosine.pos_emb).toBeCloseTo(cos(p1, p2), 5);
    expect(similarity.cosine.input_emb).toBeCloseTo(cos(add(token, p1), add(token, p2)), 5);
    // The lesson in numbers: the copies stay close but are no longer the same vector.
    expect(similarity.cosine.input_emb).toBeGreaterThan(0.5);
    expect(similarity.cosine.input_emb).toBeLessThan(0.999);
  });

  it('says “almost the same way” only when the input cosine is high', () => {
    const at = (input: number) =>
      similaritySentence({
        token: '␣cat',
        first: 2,
        second: 59,
        count: 2,
        cosine: { tok_emb: 1, pos_emb: -0.2, input_emb: input },
      });
    expect(at(0.909)).toMatch(/almost the same way/);
    expect(at(0.39)).toMatch(/clearly different directions/);
    expect(at(0.39)).toMatch(/rows 3 and 60.*cosine −0\.200.*0\.390/);
  });

  it('lists one entry per repeated token, none without repeats', async () => {
    const repeats = repeatSimilarities(
      await modelTrace('Your journey starts with one step, then one more step'),
    );
    expect(repeats.map((r) => r.token)).toEqual(['␣one', '␣step']);
    expect(repeatSimilarities(await modelTrace('the cat'))).toEqual([]);
  });
});

describe('step 5: the naive score in four terms', () => {
  it('the four terms are the float64 dot products and add up to the naive scores', async () => {
    const { weights } = await defaultModel();
    const C = weights.config.nEmbd;
    const trace = await modelTrace(DEFAULT_TEXT);
    const split = scoreSplit(trace);
    const T = trace.ids.length;
    const scores = trace.tensors['naive.scores'].data;
    const t = trace.ids.map((id) => row(weights.wte, id, C));
    const p = trace.ids.map((_, i) => row(weights.wpe, i, C));
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        const expected = [dot(t[i], t[j]), dot(t[i], p[j]), dot(p[i], t[j]), dot(p[i], p[j])];
        expected.forEach((value, k) =>
          expect(Math.abs(termAt(split, k, i, j) - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value))),
        );
        const sum = [0, 1, 2, 3].reduce((s, k) => s + termAt(split, k, i, j), 0);
        expect(Math.abs(sum - scores[i * T + j])).toBeLessThan(
          1e-4 * Math.max(1, Math.abs(scores[i * T + j])),
        );
      }
    }
  });

  it('splits the copies’ score into the shared token part and the position part, and the readout adds up', async () => {
    const { weights } = await defaultModel();
    const C = weights.config.nEmbd;
    const trace = await modelTrace(DEFAULT_TEXT);
    const split = scoreSplit(trace);
    const token = row(weights.wte, 262, C);
    const { total, token: tokenPart, position } = copyScore(split, 1, 6);
    expect(tokenPart).toBeCloseTo(dot(token, token), 3);
    const x1 = add(token, row(weights.wpe, 1, C));
    const x6 = add(token, row(weights.wpe, 6, C));
    expect(total).toBeCloseTo(dot(x1, x6), 3);
    expect(position).toBeCloseTo(dot(x1, x6) - dot(token, token), 3);
    const readout = splitReadout(split, 1, 6);
    const numbers = [...readout.matchAll(/−?\d+\.\d{4}/g)].map((m) => Number(m[0].replace('−', '-')));
    expect(numbers).toHaveLength(5);
    expect(numbers.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(numbers[4], 3);
    expect(readout).toMatch(/^ω₂₇ = t·t .* \+ t·p .* \+ p·t .* \+ p·p .* = /);
  });
});
