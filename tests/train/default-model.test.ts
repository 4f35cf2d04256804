// The shipped default model: under 8 MB, a standard full-vocabulary GPT-2 that loads, better than the unigram
// baseline, and its training log's head entropies are what the file itself gives.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/node/files';
import { headEntropies } from '../../src/train/report';
import { trainModel } from '../../src/train/train-run';

const DIR = path.resolve(__dirname, '../../public/models/default');
const log = JSON.parse(readFileSync(path.join(DIR, 'training-log.json'), 'utf8'));

describe('the shipped default model', () => {
  it('is a GPT-2 of at most 8 MB over the full vocabulary', async () => {
    expect(statSync(path.join(DIR, 'model.safetensors')).size).toBeLessThanOrEqual(8 * 1024 * 1024);
    const weights = await loadModelFile(path.join(DIR, 'model.safetensors'), path.join(DIR, 'config.json'));
    expect(weights.config.vocabSize).toBe(50257);
    expect(headEntropies(weights).heads).toEqual(log.headEntropy.heads);
  });

  it('has a training log with every step and a validation loss well under the unigram baseline', () => {
    expect(log.losses).toHaveLength(log.options.steps);
    expect(log.final.validationLoss).toBeLessThan(log.final.unigramBaselineLoss / 2);
    expect(Math.abs(log.final.shippedF16FullVocabValidationLoss - log.final.validationLoss)).toBeLessThan(
      0.05,
    );
    for (const head of log.headEntropy.heads) expect(head.entropy).toBeLessThan(head.uniform);
  });

  // The first steps are still in the warm-up, whose learning rate does not depend on the total step count.
  it('is reproduced bit for bit by the logged options over the first steps', () => {
    const steps = 4;
    expect(steps).toBeLessThan(log.options.warmupSteps);
    const rerun = trainModel({ ...log.options, steps, valWindows: 1 });
    expect(rerun.steps.map((s) => s.loss)).toEqual(log.losses.slice(0, steps));
  });
});
