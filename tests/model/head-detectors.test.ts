// The head-detector scores against values worked out by hand and against a second, deliberately naive
// computation (over explicit (query, key) pairs) on fixed attention patterns; and the induction probe.

import { describe, expect, it } from 'vitest';
import {
  duplicateTokenScore,
  earlierCopies,
  firstTokenScore,
  inductionHeadScores,
  inductionProbe,
  inductionScore,
  previousTokenScore,
  repeatedRunTargets,
  textHeadScores,
  textInductionScore,
  tokensWithOwnEmbedding,
} from '../../src/model/head-detectors';
import { seededRandom } from '../../src/model/random';

const TOLERANCE = 6; // decimal digits for toBeCloseTo: float32 patterns, float64 sums

/** A (T, T) causal pattern from rows given as arrays (missing entries are 0). */
function pattern(rows: number[][]): Float32Array {
  const T = rows.length;
  const data = new Float32Array(T * T);
  rows.forEach((row, t) => row.forEach((w, s) => (data[t * T + s] = w)));
  return data;
}

/** Row t attends only to column target(t) (itself when target is undefined or out of range). */
function oneHot(T: number, target: (t: number) => number | undefined): Float32Array {
  return pattern(
    Array.from({ length: T }, (_, t) => {
      const s = target(t);
      const row = new Array<number>(t + 1).fill(0);
      row[s !== undefined && s >= 0 && s <= t ? s : t] = 1;
      return row;
    }),
  );
}

const uniform = (T: number) =>
  pattern(Array.from({ length: T }, (_, t) => new Array<number>(t + 1).fill(1 / (t + 1))));

/** Seeded random causal softmax rows. */
function randomCausal(T: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return pattern(
    Array.from({ length: T }, (_, t) => {
      const e = Array.from({ length: t + 1 }, () => Math.exp(4 * random()));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / sum);
    }),
  );
}

/** The naive twin: mean over the queries `keep` selects of the weight summed over the keys `hit` picks. */
function naiveScore(
  p: Float32Array,
  T: number,
  keep: (t: number) => boolean,
  hit: (t: number, s: number) => boolean,
): number | null {
  const perQuery: number[] = [];
  for (let t = 0; t < T; t++) {
    if (!keep(t)) continue;
    let total = 0;
    for (let s = 0; s < T; s++) if (hit(t, s)) total += p[t * T + s];
    perQuery.push(total);
  }
  return perQuery.length ? perQuery.reduce((a, b) => a + b, 0) / perQuery.length : null;
}

const naive = {
  previous: (p: Float32Array, T: number) =>
    naiveScore(
      p,
      T,
      (t) => t > 0,
      (t, s) => s === t - 1,
    ),
  first: (p: Float32Array, T: number) =>
    naiveScore(
      p,
      T,
      (t) => t > 0,
      (_, s) => s === 0,
    ),
  duplicate: (p: Float32Array, ids: number[]) =>
    naiveScore(
      p,
      ids.length,
      (t) => ids.slice(0, t).includes(ids[t]),
      (t, s) => s < t && ids[s] === ids[t],
    ),
  induction: (p: Float32Array, R: number) =>
    naiveScore(
      p,
      2 * R,
      (t) => t >= R,
      (t, s) => s === t - R + 1,
    ),
};

describe('previous-token score', () => {
  it('is 1 for a perfect previous-token head and 0 for a head that attends to itself', () => {
    expect(
      previousTokenScore(
        oneHot(6, (t) => t - 1),
        6,
      ),
    ).toBeCloseTo(1, TOLERANCE);
    expect(
      previousTokenScore(
        oneHot(6, (t) => t),
        6,
      ),
    ).toBe(0);
  });

  it('averages 1/(t+1) over t = 1..T−1 for uniform attention', () => {
    const T = 7;
    const expected = [2, 3, 4, 5, 6, 7].reduce((sum, n) => sum + 1 / n, 0) / (T - 1);
    expect(previousTokenScore(uniform(T), T)).toBeCloseTo(expected, TOLERANCE);
  });

  it('is null for one token, which has no previous token', () => {
    expect(previousTokenScore(pattern([[1]]), 1)).toBeNull();
  });
});

describe('first-token score', () => {
  it('is 1 when every token attends to the first, and 1/(T−1) for a previous-token head', () => {
    expect(
      firstTokenScore(
        oneHot(5, () => 0),
        5,
      ),
    ).toBeCloseTo(1, TOLERANCE);
    // Only position 1's previous token is position 0.
    expect(
      firstTokenScore(
        oneHot(5, (t) => t - 1),
        5,
      ),
    ).toBeCloseTo(1 / 4, TOLERANCE);
  });
});

describe('duplicate-token score', () => {
  it('sums the weight on every earlier copy and averages over the positions that have one', () => {
    // ids 5 7 5 5: position 2 has a copy at 0; position 3 has copies at 0 and 2.
    const p = pattern([[1], [0.5, 0.5], [0.2, 0.3, 0.5], [0.1, 0.2, 0.3, 0.4]]);
    const copies = earlierCopies([5, 7, 5, 5]);
    expect(copies).toEqual([[], [], [0], [0, 2]]);
    expect(duplicateTokenScore(p, copies)).toBeCloseTo((0.2 + (0.1 + 0.3)) / 2, TOLERANCE);
    expect(previousTokenScore(p, 4)).toBeCloseTo((0.5 + 0.3 + 0.3) / 3, TOLERANCE);
    expect(firstTokenScore(p, 4)).toBeCloseTo((0.5 + 0.2 + 0.1) / 3, TOLERANCE);
  });

  it('is null when no token occurs twice', () => {
    expect(duplicateTokenScore(uniform(3), earlierCopies([1, 2, 3]))).toBeNull();
  });
});

describe('induction score', () => {
  const R = 5;
  const T = 2 * R;
  it('is 1 when the second half attends to the token after the earlier copy', () => {
    const induction = oneHot(T, (t) => (t >= R ? t - R + 1 : undefined));
    expect(inductionScore(induction, T, R)).toBeCloseTo(1, TOLERANCE);
  });

  it('is 0 for a previous-token head and a duplicate-token head (they look one token off)', () => {
    expect(
      inductionScore(
        oneHot(T, (t) => t - 1),
        T,
        R,
      ),
    ).toBe(0);
    expect(
      inductionScore(
        oneHot(T, (t) => t - R),
        T,
        R,
      ),
    ).toBe(0);
  });

  it('averages 1/(t+1) over the second half for uniform attention', () => {
    const expected = [6, 7, 8, 9, 10].reduce((sum, n) => sum + 1 / n, 0) / R;
    expect(inductionScore(uniform(T), T, R)).toBeCloseTo(expected, TOLERANCE);
  });

  it('refuses a pattern shorter than the probe', () => {
    expect(() => inductionScore(uniform(6), 6, 4)).toThrow(RangeError);
  });
});

describe('every head at once', () => {
  it('puts each head of each layer in grid[layer][head], as the naive twin computes them', () => {
    const ids = [3, 9, 3, 4, 9, 3, 8, 4];
    const T = ids.length;
    const heads = [
      [oneHot(T, (t) => t - 1), uniform(T), oneHot(T, () => 0)],
      [randomCausal(T, 1), randomCausal(T, 2), randomCausal(T, 3)],
    ];
    const layers = heads.map((layer) => {
      const data = new Float32Array(layer.length * T * T);
      layer.forEach((p, h) => data.set(p, h * T * T));
      return data;
    });
    const scores = textHeadScores(layers, 3, ids);
    // Only "9 3" repeats (positions 1–2, then 4–5): one position continues a repeated run, too few to score.
    expect(scores.counts).toEqual({ previousToken: 7, duplicateToken: 4, firstToken: 7, textInduction: 1 });
    expect(scores.textInduction).toBeNull();
    heads.forEach((layer, l) =>
      layer.forEach((p, h) => {
        expect(scores.previousToken![l][h]).toBeCloseTo(naive.previous(p, T)!, TOLERANCE);
        expect(scores.firstToken![l][h]).toBeCloseTo(naive.first(p, T)!, TOLERANCE);
        expect(scores.duplicateToken![l][h]).toBeCloseTo(naive.duplicate(p, ids)!, TOLERANCE);
      }),
    );
    expect(scores.previousToken![0][0]).toBeCloseTo(1, TOLERANCE);
    expect(scores.firstToken![0][2]).toBeCloseTo(1, TOLERANCE);
  });

  it('gives null grids where the text has nothing to average over', () => {
    const one = textHeadScores([new Float32Array([1, 1])], 2, [42]);
    expect(one.previousToken).toBeNull();
    expect(one.firstToken).toBeNull();
    expect(one.duplicateToken).toBeNull();
  });

  it('scores induction on the probe for every head, as the naive twin does', () => {
    const R = 4;
    const T = 2 * R;
    const heads = [oneHot(T, (t) => (t >= R ? t - R + 1 : undefined)), randomCausal(T, 7)];
    const layer = new Float32Array(2 * T * T);
    heads.forEach((p, h) => layer.set(p, h * T * T));
    const grid = inductionHeadScores([layer], 2, R);
    expect(grid[0][0]).toBeCloseTo(1, TOLERANCE);
    expect(grid[0][1]).toBeCloseTo(naive.induction(heads[1], R)!, TOLERANCE);
  });
});

describe('induction probe', () => {
  /** 300 tokens of width 4: ids 0..99 have their own random row, 100..299 share one (an unseen word). */
  function wteWithSharedRows(): Float32Array {
    const random = seededRandom(5);
    const wte = new Float32Array(300 * 4);
    for (let v = 0; v < 300; v++) for (let c = 0; c < 4; c++) wte[v * 4 + c] = v < 100 ? random() : 0.25;
    return wte;
  }

  it('finds the tokens whose embedding row no other token shares, as an exact row comparison does', () => {
    const wte = wteWithSharedRows();
    wte.set(wte.subarray(10 * 4, 11 * 4), 20 * 4); // 10 and 20 now share a row too
    const rows = Array.from({ length: 300 }, (_, v) => Array.from(wte.subarray(v * 4, v * 4 + 4)).join());
    const expected = rows.flatMap((row, v) => (rows.filter((r) => r === row).length === 1 ? [v] : []));
    expect(tokensWithOwnEmbedding(wte, 300, 4)).toEqual(expected);
    expect(expected).toHaveLength(98);
  });

  it('repeats R distinct tokens with their own embedding, R fitting the context, the same for the same seed', () => {
    const wte = wteWithSharedRows();
    const config = { vocabSize: 300, nEmbd: 4, nPositions: 40 };
    const probe = inductionProbe(wte, config, 3);
    expect(probe.repeatLength).toBe(20);
    expect(probe.ids).toHaveLength(40);
    expect(probe.ids.slice(20)).toEqual(probe.ids.slice(0, 20));
    expect(new Set(probe.ids.slice(0, 20)).size).toBe(20);
    expect(probe.ids.every((id) => id < 100)).toBe(true);
    expect(inductionProbe(wte, config, 3)).toEqual(probe);
    expect(inductionProbe(wte, config, 4).ids).not.toEqual(probe.ids);
    // TransformerLens's 50 when the context allows.
    expect(inductionProbe(wte, { ...config, nPositions: 1024 }, 3).repeatLength).toBe(50);
  });

  it('never uses <|endoftext|>, and refuses a model with fewer than two distinct tokens', () => {
    const wte = new Float32Array(50257 * 2);
    wte[50256 * 2] = 1; // the only row of its own
    expect(tokensWithOwnEmbedding(wte, 50257, 2)).toEqual([]);
    expect(() => inductionProbe(wte, { vocabSize: 50257, nEmbd: 2, nPositions: 8 }, 1)).toThrow(
      /at least two/,
    );
  });
});

describe('induction on the text itself', () => {
  /** The naive twin: for each (query, key) pair, whether key − 1 and query − 1.. hold the same two tokens. */
  function naiveTextInduction(p: Float32Array, ids: number[]): number | null {
    const T = ids.length;
    let sum = 0;
    let count = 0;
    for (let q = 0; q < T; q++) {
      let any = false;
      for (let k = 2; k < q; k++) {
        if (ids[k - 1] === ids[q] && ids[k - 2] === ids[q - 1]) {
          sum += p[q * T + k];
          any = true;
        }
      }
      if (any) count++;
    }
    return count < 2 ? null : sum / count;
  }

  it('finds the token after each earlier occurrence of a repeated run, and nothing in text without one', () => {
    // "a b c d a b c": positions 5 (b) and 6 (c) continue the run "a b c"; their targets are 2 and 3.
    expect(repeatedRunTargets([1, 2, 3, 4, 1, 2, 3])).toEqual([[], [], [], [], [], [2], [3]]);
    // A token repeated alone ("the … the") is not a repeated run.
    expect(repeatedRunTargets([7, 1, 7, 2]).every((t) => t.length === 0)).toBe(true);
  });

  it('is 1 for a head that attends to the token after the earlier copy, and matches the naive twin', () => {
    const ids = [5, 1, 2, 3, 4, 9, 1, 2, 3, 4, 8, 1, 2];
    const T = ids.length;
    const targets = repeatedRunTargets(ids);
    const copying = oneHot(T, (t) => (targets[t].length === 1 ? targets[t][0] : t));
    expect(textInductionScore(copying, targets)).toBeCloseTo(naiveTextInduction(copying, ids)!, TOLERANCE);
    // 1 2 3 4 repeats once (positions 7–9 continue it), and 1 2 again: position 12 has two targets.
    expect(targets.filter((t) => t.length > 0)).toHaveLength(4);
    for (const seed of [1, 2, 3]) {
      const p = randomCausal(T, seed);
      expect(textInductionScore(p, targets)).toBeCloseTo(naiveTextInduction(p, ids)!, TOLERANCE);
    }
    const scores = textHeadScores([uniform(T)], 1, ids);
    expect(scores.counts.textInduction).toBe(4);
    expect(scores.textInduction![0][0]).toBeCloseTo(naiveTextInduction(uniform(T), ids)!, TOLERANCE);
  });
});
