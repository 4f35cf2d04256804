// Sampling the next token: temperature, top-k and top-p keep the right candidates, and a seed always gives the
// same draw (the page's "append" and "generate" must be reproducible from a link).

import { describe, expect, it } from 'vitest';
import { sampleToken, samplingCandidates, samplingUniform } from '../../src/app/data/sampling';
import { seededNormal } from '../../src/model/random';

const logits = Float32Array.from([1, 3, 2, 0.5, 3]); // ids 1 and 4 tie for the top
const plain = { temperature: 1, topK: 0, topP: 1 };

describe('sampling', () => {
  it('keeps every token without limits, likeliest first with ties by id, probabilities summing to 1', () => {
    const { ids, probabilities } = samplingCandidates(logits, plain);
    expect(ids).toEqual([1, 4, 2, 0, 3]);
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    const e = [1, 3, 2, 0.5, 3].map(Math.exp);
    expect(probabilities[2]).toBeCloseTo(Math.exp(2) / e.reduce((a, b) => a + b), 12);
  });

  it('top-k keeps k tokens, top-p the fewest that reach p, and temperature sharpens', () => {
    expect(samplingCandidates(logits, { ...plain, topK: 3 }).ids).toEqual([1, 4, 2]);
    // The two top tokens hold about 0.79 of the mass: p = 0.5 needs both, p = 0.3 only the first.
    expect(samplingCandidates(logits, { ...plain, topP: 0.5 }).ids).toEqual([1, 4]);
    expect(samplingCandidates(logits, { ...plain, topP: 0.3 }).ids).toEqual([1]);
    const cold = samplingCandidates(logits, { ...plain, temperature: 0.1 }).probabilities;
    expect(cold[0] + cold[1]).toBeGreaterThan(0.999);
    expect(samplingCandidates(logits, plain, (id) => id !== 1).ids[0]).toBe(4);
  });

  it('the same seed and ids always give the same token; other seeds spread over the candidates', () => {
    const normal = seededNormal(5);
    const wide = Float32Array.from({ length: 1000 }, () => normal() * 2);
    const draw = (seed: number, ids: number[]) =>
      sampleToken(wide, { ...plain, topK: 50 }, samplingUniform(seed, ids));
    expect(draw(42, [1, 2, 3])).toBe(draw(42, [1, 2, 3]));
    expect(samplingUniform(42, [1, 2, 3])).toBe(samplingUniform(42, [1, 2, 3]));
    expect(samplingUniform(42, [1, 2, 3])).not.toBe(samplingUniform(43, [1, 2, 3]));
    expect(samplingUniform(42, [1, 2, 3])).not.toBe(samplingUniform(42, [1, 2, 4]));
    const top50 = new Set(samplingCandidates(wide, { ...plain, topK: 50 }).ids);
    const drawn = new Set(Array.from({ length: 200 }, (_, seed) => draw(seed, [7])));
    expect([...drawn].every((id) => top50.has(id))).toBe(true);
    expect(drawn.size).toBeGreaterThan(10);
    // A draw just under 1 still lands on a candidate (rounding), and top-k 1 is greedy decoding.
    expect(top50.has(sampleToken(wide, { ...plain, topK: 50 }, 1 - 1e-12))).toBe(true);
    expect(sampleToken(wide, { ...plain, topK: 1 }, 0.99)).toBe(
      samplingCandidates(wide, { ...plain, topK: 1 }).ids[0],
    );
  });
});
