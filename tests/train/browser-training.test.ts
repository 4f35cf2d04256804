// The page's step-by-step trainer (src/train/browser-training.ts): refuses text too short for a batch, lowers
// the training and held-out loss on the stories, what it saves loads back with the same attention, and its
// windows start at sentences where they read the text.

import { describe, expect, it } from 'vitest';
import { cpuForward } from '../../src/model/cpu/forward';
import { parseConfig } from '../../src/model/config';
import { bytesSource } from '../../src/model/safetensors';
import { createSyncKernels, defaultCpuKernels } from '../../src/model/wasm/select';
import { loadGPT2Weights } from '../../src/model/weights';
import { encode } from '../../src/tokenizer/gpt2';
import {
  BrowserTraining,
  presetById,
  splitHeldOutTail,
  TrainTextError,
} from '../../src/train/browser-training';
import { checkpointBytes } from '../../src/train/checkpoint-bytes';
import { generateCorpus } from '../../src/train/corpus';
import { encodeLines } from '../../src/train/data';
import { EVERYDAY_SENTENCES } from '../../src/train/everyday-sentences';
import { scheduledLearningRate } from '../../src/train/schedule';
import { DEFAULT_TRAIN_OPTIONS, learningRate } from '../../src/node/train-run';
import { configToJson } from '../../src/model/config';

const micro = presetById('micro')!;

function storiesIds(): Int32Array {
  const { train, validation } = generateCorpus(7, 400);
  return encodeLines(train + validation);
}

describe('BrowserTraining', () => {
  it('refuses empty text and text too short for a batch and a held-out window, saying how much is needed', () => {
    expect(() => splitHeldOutTail(new Int32Array(0), 32)).toThrow(/empty/);
    const short = Int32Array.from(encode('the cat sat on the mat. '.repeat(8)));
    expect(() => splitHeldOutTail(short, 32)).toThrow(TrainTextError);
    expect(() => splitHeldOutTail(short, 32)).toThrow(/has \d+ tokens, and this model needs at least 67/);
    const { train, heldOut } = splitHeldOutTail(new Int32Array(1000), 32);
    expect([train.length, heldOut.length]).toEqual([900, 100]);
  });

  it('follows train-run.ts’s learning-rate schedule', () => {
    for (const step of [0, 50, 99, 100, 4000, 8999, 9500])
      expect(scheduledLearningRate(step, DEFAULT_TRAIN_OPTIONS)).toBe(
        learningRate(step, DEFAULT_TRAIN_OPTIONS),
      );
  });

  it('lowers the training and held-out loss in 60 steps of the micro model', async () => {
    const run = new BrowserTraining(storiesIds(), micro, 1337, 3, createSyncKernels());
    const before = run.validationLoss();
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) losses.push((await run.step()).loss);
    const after = run.validationLoss();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(run.stepsDone).toBe(60);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) - 1);
    expect(after).toBeLessThan(before - 1);
  });

  // The page has no --lr to lower: its advice names what the Train view lets a visitor change.
  it('says what the Train view can change when a run diverges, not command-line flags', async () => {
    const wild = { ...micro, lr: 1e30, warmupSteps: 0, gradClip: 1e30 };
    const run = new BrowserTraining(storiesIds(), wild, 1337, 3, createSyncKernels());
    let error: unknown;
    for (let i = 0; i < 20 && !error; i++) await run.step().catch((e: unknown) => (error = e));
    expect(String(error)).toMatch(/training diverged; try a smaller model size, or a longer text$/);
    expect(String(error)).not.toMatch(/--/);
  });

  it('saves a model that loads back with the same attention on any sentence (float32, 1e-6)', async () => {
    const run = new BrowserTraining(storiesIds(), micro, 1337, 3, createSyncKernels());
    for (let i = 0; i < 5; i++) await run.step();
    // "zebra" is not in the stories: it uses the shared row, as every unseen token does in the saved file.
    const ids = encode('the fat cat saw a zebra and the cat');
    const expected = run.attention(ids);
    const full = run.fullWeights();
    const bytes = checkpointBytes(full, 'F32');
    const loaded = await loadGPT2Weights(bytesSource(bytes), parseConfig(configToJson(full.config)));
    const tensors = cpuForward(
      loaded,
      ids,
      { include: ['h0.attn_weights'], logits: 'none' },
      defaultCpuKernels(),
    );
    const got = tensors['h0.attn_weights'].data;
    expect(got.length).toBe(expected[0].length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[0][i]));
    expect(worst).toBeLessThan(1e-6);
    const scores = run.scores(ids, expected);
    expect(scores.previousToken).toHaveLength(1);
    expect(scores.induction?.[0]).toHaveLength(2);
  });

  it('starts its windows at sentences, first word unspaced, as npm run train does; anywhere in a text of few', async () => {
    // Running text: each sentence's first word follows a space, so the windows take it off.
    const prose = Int32Array.from(encode(Array(12).fill(EVERYDAY_SENTENCES.join(' ')).join(' ')));
    const run = new BrowserTraining(prose, micro, 1337, 3, createSyncKernels());
    expect(run.windowStarts).toBe('sentences');
    const openers = new Set(EVERYDAY_SENTENCES.map((sentence) => encode(sentence)[0]));
    const { B, T, inputs } = run.training;
    for (let i = 0; i < 3; i++) {
      await run.step();
      for (let b = 0; b < B; b++) expect(openers.has(run.vocab.ids[inputs[b * T]])).toBe(true);
    }
    // "Our" (no space) is a token of its own once the sentences start windows, though the text has only " Our".
    const our = encode('Our')[0];
    expect(Array.from(prose)).not.toContain(our);
    expect(run.vocab.toCompact[our]).toBeLessThan(run.vocab.ids.length);
    // Words without a sentence's end: no start after the first, so the windows start anywhere.
    const words = Int32Array.from(encode(Array(200).fill('the cat saw a dog and').join(' ')));
    expect(new BrowserTraining(words, micro, 1337, 3, createSyncKernels()).windowStarts).toBe('any');
  });
});
