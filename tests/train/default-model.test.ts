// The shipped default model: at most 16 MB, a standard full-vocabulary GPT-2 trained on English that beats the
// unigram and bigram baselines on held-out text, knows the words of everyday sentences and has an induction
// circuit (a previous-token head feeding an induction head); its training log's figures are what the file gives.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokensWithOwnEmbedding } from '../../src/model/head-detectors';
import { loadModelFile } from '../../src/node/files';
import { encode } from '../../src/tokenizer/gpt2';
import { validationWindows } from '../../src/train/data';
import { EVERYDAY_SENTENCES } from '../../src/train/everyday-sentences';
import { headTypeScores } from '../../src/train/quality';
import { fullVocabLoss, headEntropies } from '../../src/train/report';
import { englishTrainingText } from '../../src/node/training-text';
import { runProbes, trainModel } from '../../src/node/train-run';
import { everydayProbes, figuresByKind, runOnModel } from '../../src/train/in-context';
import { defaultCpuKernels } from '../../src/model/wasm/select';
import { cpuBackend } from '../helpers/tiny-training';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'public/models/default');
const log = JSON.parse(readFileSync(path.join(DIR, 'training-log.json'), 'utf8'));
const load = () => loadModelFile(path.join(DIR, 'model.safetensors'), path.join(DIR, 'config.json'));

/**
 * `actual` has `expected`'s shape, every number within 1e-6: the log's figures came from the forward pass of the
 * day it was written, and a later engine may sum the same float32 products in another order.
 */
function expectClose(actual: unknown, expected: unknown, where = 'log'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, where).toBe('number');
    expect(Math.abs((actual as number) - expected), where).toBeLessThanOrEqual(1e-6);
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), where).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else {
    expect(actual, where).toEqual(expected);
  }
}

describe('the shipped default model', () => {
  it('is a GPT-2 of at most 16 MB over the full vocabulary, trained on English in under 90 minutes', async () => {
    expect(statSync(path.join(DIR, 'model.safetensors')).size).toBeLessThanOrEqual(16_000_000);
    const weights = await load();
    expect(weights.config.vocabSize).toBe(50257);
    expect(log.options.corpus).toBe('english');
    // Issue 26's 90 minutes are for the runs that make it from the English model: the copying run and this one.
    const copying = JSON.parse(
      readFileSync(path.join(ROOT, log.options.initFrom, 'training-log.json'), 'utf8'),
    );
    expect(copying.options.initFrom).toBe('public/models/english-base/');
    expect(copying.trainingSeconds + log.trainingSeconds).toBeLessThan(5400);
    expectClose(headEntropies(weights).heads, log.headEntropy.heads);
  });

  // Issue 10 asks for at most 5.5 nats per token, which no model here has reached; issue 26 asks that the induction
  // training lose nothing against the English model the chain starts from (5.920 on the same held-out text).
  it('beats the unigram and bigram baselines and the English model before it on held-out text', () => {
    expect(log.losses).toHaveLength(log.options.steps);
    const { heldOutLoss, bigramBaselineLoss, unigramBaselineLoss } = log.final;
    const english = JSON.parse(
      readFileSync(path.join(ROOT, 'public/models/english-base/training-log.json'), 'utf8'),
    );
    expect(log.final.heldOutTargetTokens).toBe(english.final.heldOutTargetTokens);
    expect(heldOutLoss).toBeLessThanOrEqual(english.final.heldOutLoss);
    expect(log.final.heldOutSentenceStarts.loss).toBeLessThanOrEqual(
      english.final.heldOutSentenceStarts.loss,
    );
    expect(heldOutLoss).toBeLessThan(bigramBaselineLoss);
    expect(bigramBaselineLoss).toBeLessThan(unigramBaselineLoss);
    expect(log.final.heldOutTargetTokens).toBeGreaterThanOrEqual(50_000);
    // The same from held-out sentence starts, as text typed into the page starts.
    const fromSentences = log.final.heldOutSentenceStarts;
    expect(fromSentences.targetTokens).toBeGreaterThanOrEqual(50_000);
    expect(fromSentences.loss).toBeLessThan(fromSentences.bigramBaselineLoss);
    expect(fromSentences.bigramBaselineLoss).toBeLessThan(fromSentences.unigramBaselineLoss);
    // The F16 file loses next to nothing against the float32 weights it was rounded from.
    expect(
      Math.abs(log.final.shippedF16FullVocabValidationLoss - log.final.float32FullVocabValidationLoss),
    ).toBeLessThan(0.05);
  });

  // The logged losses are per token of the full vocabulary, a target on the shared row included: the F16 file's
  // own full-vocabulary loss on the same windows agrees to its rounding.
  it('logs the loss the shipped file gives over the full vocabulary', async () => {
    const weights = await load();
    const { heldOutIds } = englishTrainingText();
    const T = log.options.seq;
    const starts = validationWindows(heldOutIds, T, log.options.valWindows);
    expect(Math.abs(fullVocabLoss(weights, heldOutIds, starts, T) - log.final.validationLoss)).toBeLessThan(
      1e-3,
    );
  }, 120_000);

  it('gives its own embedding row to at least 98% of the tokens of everyday sentences', async () => {
    const weights = await load();
    const { vocabSize, nEmbd } = weights.config;
    const own = new Set(tokensWithOwnEmbedding(weights.wte, vocabSize, nEmbd));
    const ids = EVERYDAY_SENTENCES.flatMap((s) => encode(s));
    const shared = ids.filter((id) => !own.has(id)).length;
    expect(shared / ids.length).toBeLessThanOrEqual(0.02);
    expect(log.sharedRow.everydaySentences.shared).toBe(shared);
  });

  // Issue 10 asks for a clear previous-token head: 0.4 or more of its attention on the token just before.
  it('has a previous-token head, and the logged head scores are what the file gives', async () => {
    const weights = await load();
    const { heldOutIds } = englishTrainingText();
    const T = log.options.seq;
    const scores = headTypeScores(weights, heldOutIds, validationWindows(heldOutIds, T, 32), T);
    expectClose(scores.heads, log.headScores.heads);
    expect(Math.max(...scores.heads.map((h) => h.previousToken))).toBeGreaterThanOrEqual(0.4);
  }, 120_000);

  // The first steps are still in the warm-up, whose learning rate does not depend on the total step count. The
  // default model is the end of a chain (docs/default-model.md): the English model from random weights, then its
  // copying phase and the default, each run starting from the file before it; each replays from its start.
  for (const folder of ['default', 'english-induction-1', 'english-base']) {
    it(`public/models/${folder} is reproduced bit for bit by its logged options over the first steps`, async () => {
      const logged = JSON.parse(
        readFileSync(path.join(ROOT, 'public/models', folder, 'training-log.json'), 'utf8'),
      );
      const steps = 3;
      expect(steps).toBeLessThan(logged.options.warmupSteps);
      const start = logged.options.initFrom
        ? await loadModelFile(path.join(ROOT, logged.options.initFrom, 'model.safetensors'))
        : undefined;
      const rerun = await trainModel({ ...logged.options, steps, valWindows: 1 }, { start }, cpuBackend());
      expect(rerun.steps.map((s) => s.loss)).toEqual(logged.losses.slice(0, steps));
    }, 120_000);
  }

  // Issue 26: on texts said twice (everyday sentences, and twenty shuffled everyday words), a head attends from
  // the second copy to the token after the earlier occurrence (≥ 0.3), and the second copy costs ≥ 1.5 nats less.
  it('has an induction head, and the logged in-context figures are what the file gives', async () => {
    const weights = await load();
    const { nLayer, nHead } = weights.config;
    const probes = runProbes(englishTrainingText().heldOutIds, log.options.seq);
    const figures = figuresByKind(probes, runOnModel(weights, probes, defaultCpuKernels()), nLayer, nHead);
    expectClose(JSON.parse(JSON.stringify(figures)), log.inContext.final);
    for (const kind of ['sentences', 'shuffledWords'] as const) {
      expect(figures[kind]!.probes).toBeGreaterThanOrEqual(12);
      expect(figures[kind]!.bestInduction.score, kind).toBeGreaterThanOrEqual(0.3);
      expect(figures[kind]!.gain, kind).toBeGreaterThanOrEqual(1.5);
    }
  }, 240_000);

  // The circuit, tested with head surgery: knock out the previous-token head and the induction head loses most
  // of its attention to the token after the earlier occurrence, and the second copy most of its gain.
  it('feeds its induction head from its previous-token head', async () => {
    const weights = await load();
    const { nLayer, nHead } = weights.config;
    const probes = everydayProbes(encode);
    const intact = figuresByKind(probes, runOnModel(weights, probes, defaultCpuKernels()), nLayer, nHead);
    const { bestInduction, bestPreviousToken } = intact.sentences!;
    expect(bestPreviousToken.layer).toBeLessThan(bestInduction.layer);
    const ablate = {
      heads: [[bestPreviousToken.layer, bestPreviousToken.head]] as [number, number][],
      mode: 'zero' as const,
    };
    const knockedOut = figuresByKind(
      probes,
      runOnModel(weights, probes, defaultCpuKernels(), ablate),
      nLayer,
      nHead,
    );
    for (const kind of ['sentences', 'shuffledWords'] as const) {
      const { layer, head } = intact[kind]!.bestInduction;
      expect(knockedOut[kind]!.induction[layer][head], kind).toBeLessThan(
        0.5 * intact[kind]!.induction[layer][head],
      );
      expect(knockedOut[kind]!.gain, kind).toBeLessThan(0.5 * intact[kind]!.gain);
    }
  }, 240_000);
});
