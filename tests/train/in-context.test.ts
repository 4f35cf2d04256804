// The in-context figures of the training log and the default-model test (src/train/in-context.ts) against a
// float64 GPT-2 (tests/helpers/reference-gpt2.ts) on small random models, intact and with a head knocked out:
// the losses of each copy, the gain, and every head's induction and previous-token scores, computed here from
// their definitions on spans of distinct tokens said twice.

import { describe, expect, it } from 'vitest';
import type { Ablation } from '../../src/model/ablation';
import { createSyncKernels } from '../../src/model/wasm/select';
import { seededRandom } from '../../src/model/random';
import { figuresByKind, runOnModel, type RepeatProbe } from '../../src/train/in-context';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { referenceTrace } from '../helpers/reference-gpt2';

/** `count` spans of `span` distinct random ids below `vocab`, each said twice. */
function probes(count: number, span: number, vocab: number, seed: number): RepeatProbe[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const ids: number[] = [];
    while (ids.length < span) {
      const id = Math.floor(random() * vocab);
      if (!ids.includes(id)) ids.push(id);
    }
    return { kind: 'shuffledWords' as const, ids: [...ids, ...ids], secondStart: span };
  });
}

/** The figures from float64 tensors: with distinct tokens and period P, token t ≥ P + 1 continues a repeated run
 * and its induction target is t − P + 1; the loss of token t is log Σ exp(logits) − logit of ids[t]. */
function reference(weights: ReturnType<typeof loudRandomWeights>, all: RepeatProbe[], ablation?: Ablation) {
  const { nLayer, nHead, vocabSize: V } = weights.config;
  const zeros = () => Array.from({ length: nLayer }, () => new Array<number>(nHead).fill(0));
  const induction = zeros();
  const previous = zeros();
  let [early, earlyCount, late, lateCount] = [0, 0, 0, 0];
  for (const { ids, secondStart: P } of all) {
    const n = ids.length;
    const trace = referenceTrace(weights, ids, ablation);
    for (let t = 1; t < n; t++) {
      const row = trace.logits.slice((t - 1) * V, t * V);
      const max = Math.max(...row);
      const loss = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[ids[t]];
      if (t < P) [early, earlyCount] = [early + loss, earlyCount + 1];
      else [late, lateCount] = [late + loss, lateCount + 1];
    }
    for (let l = 0; l < nLayer; l++) {
      const att = trace[`h${l}.attn_weights`];
      for (let h = 0; h < nHead; h++) {
        const at = (t: number, s: number) => att[h * n * n + t * n + s];
        let ind = 0;
        for (let t = P + 1; t < n; t++) ind += at(t, t - P + 1) / (n - P - 1);
        let prev = 0;
        for (let t = 1; t < n; t++) prev += at(t, t - 1) / (n - 1);
        induction[l][h] += ind / all.length;
        previous[l][h] += prev / all.length;
      }
    }
  }
  return { gain: early / earlyCount - late / lateCount, early: early / earlyCount, induction, previous };
}

describe('in-context figures', () => {
  it.each([
    [{ nLayer: 2, nHead: 2, nEmbd: 16, vocabSize: 40, nPositions: 24 }, 1, undefined],
    [{ nLayer: 2, nHead: 3, nEmbd: 24, vocabSize: 61, nPositions: 32 }, 2, undefined],
    [{ nLayer: 2, nHead: 2, nEmbd: 16, vocabSize: 40, nPositions: 24 }, 3, { heads: [[0, 1]], mode: 'zero' }],
    [{ nLayer: 3, nHead: 2, nEmbd: 16, vocabSize: 40, nPositions: 24 }, 4, { heads: [[1, 0]], mode: 'mean' }],
  ] as const)(
    'match a float64 GPT-2 on random models (%o, seed %i, ablation %o)',
    (shape, seed, ablation) => {
      const weights = loudRandomWeights(testConfig(shape), seed, 0.3);
      const all = probes(3, 9, shape.vocabSize, seed + 10);
      const ablate = ablation && {
        heads: ablation.heads.map(([l, h]) => [l, h] as [number, number]),
        mode: ablation.mode,
      };
      const figures = figuresByKind(
        all,
        runOnModel(weights, all, createSyncKernels(), ablate),
        shape.nLayer,
        shape.nHead,
      ).shuffledWords!;
      const want = reference(weights, all, ablate);
      expect(figures.probes).toBe(3);
      expect(Math.abs(figures.earlyLoss - want.early)).toBeLessThan(1e-4);
      expect(Math.abs(figures.gain - want.gain)).toBeLessThan(1e-4);
      for (let l = 0; l < shape.nLayer; l++) {
        for (let h = 0; h < shape.nHead; h++) {
          expect(
            Math.abs(figures.induction[l][h] - want.induction[l][h]),
            `induction ${l}.${h}`,
          ).toBeLessThan(1e-5);
          expect(
            Math.abs(figures.previousToken[l][h] - want.previous[l][h]),
            `previous ${l}.${h}`,
          ).toBeLessThan(1e-5);
        }
      }
    },
  );
});
