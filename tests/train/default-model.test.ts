// The shipped default model: at most 16 MB, a standard full-vocabulary GPT-2 trained on English that beats the
// unigram and bigram baselines on held-out text and knows the words of everyday sentences; its training log's
// figures are what the file itself gives.

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
import { trainModel } from '../../src/node/train-run';
import { cpuBackend } from '../helpers/tiny-training';

const DIR = path.resolve(__dirname, '../../public/models/default');
const log = JSON.parse(readFileSync(path.join(DIR, 'training-log.json'), 'utf8'));
const load = () => loadModelFile(path.join(DIR, 'model.safetensors'), path.join(DIR, 'config.json'));

describe('the shipped default model', () => {
  it('is a GPT-2 of at most 16 MB over the full vocabulary, trained on English in under an hour', async () => {
    expect(statSync(path.join(DIR, 'model.safetensors')).size).toBeLessThanOrEqual(16_000_000);
    const weights = await load();
    expect(weights.config.vocabSize).toBe(50257);
    expect(log.options.corpus).toBe('english');
    expect(log.trainingSeconds).toBeLessThan(3600);
    expect(headEntropies(weights).heads).toEqual(log.headEntropy.heads);
  });

  // Issue 10 asks for at most 5.5 nats per token; this model's is 5.920, 5.867 from sentence starts (see the README).
  it('beats the unigram and bigram baselines on held-out text', () => {
    expect(log.losses).toHaveLength(log.options.steps);
    const { heldOutLoss, bigramBaselineLoss, unigramBaselineLoss } = log.final;
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

  it('gives its own embedding row to at least 97% of the tokens of everyday sentences', async () => {
    const weights = await load();
    const { vocabSize, nEmbd } = weights.config;
    const own = new Set(tokensWithOwnEmbedding(weights.wte, vocabSize, nEmbd));
    const ids = EVERYDAY_SENTENCES.flatMap((s) => encode(s));
    const shared = ids.filter((id) => !own.has(id)).length;
    expect(shared / ids.length).toBeLessThanOrEqual(0.03);
    expect(log.sharedRow.everydaySentences.shared).toBe(shared);
  });

  // Issue 10 asks for a clear previous-token head: 0.4 or more of its attention on the token just before.
  it('has a previous-token head, and the logged head scores are what the file gives', async () => {
    const weights = await load();
    const { heldOutIds } = englishTrainingText();
    const T = log.options.seq;
    const scores = headTypeScores(weights, heldOutIds, validationWindows(heldOutIds, T, 32), T);
    expect(scores.heads).toEqual(log.headScores.heads);
    expect(Math.max(...scores.heads.map((h) => h.previousToken))).toBeGreaterThanOrEqual(0.4);
  }, 120_000);

  // The first steps are still in the warm-up, whose learning rate does not depend on the total step count.
  it('is reproduced bit for bit by the logged options over the first steps', async () => {
    const steps = 3;
    expect(steps).toBeLessThan(log.options.warmupSteps);
    const rerun = await trainModel({ ...log.options, steps, valWindows: 1 }, {}, cpuBackend());
    expect(rerun.steps.map((s) => s.loss)).toEqual(log.losses.slice(0, steps));
  }, 60_000);
});
