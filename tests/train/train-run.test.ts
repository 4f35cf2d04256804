// Training runs: the same seed gives the same loss curve bit for bit; the shared-row vocabulary trick gives
// the full-vocabulary loss; and the written file is an official-layout F16 GPT-2 over 50257 tokens.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeader } from '../../src/model/safetensors';
import { loadModelFile, fileSource } from '../../src/node/files';
import { writeCheckpoint } from '../../src/train/checkpoint';
import { meanLossOver } from '../../src/train/data';
import { GPT2Training } from '../../src/train/gpt2-train';
import { fullVocabLoss } from '../../src/train/report';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from '../../src/train/train-run';

const tiny: TrainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  corpus: 'stories',
  minCount: 1,
  steps: 6,
  batch: 2,
  seq: 16,
  nEmbd: 16,
  nLayer: 1,
  nHead: 2,
  nPositions: 16,
  stories: 300,
  evalEvery: 3,
  valWindows: 4,
  warmupSteps: 2,
};

describe('training runs', () => {
  it('gives identical losses for the same seed, and different ones for another', () => {
    const first = trainModel(tiny);
    const second = trainModel(tiny);
    expect(second.steps.map((s) => s.loss)).toEqual(first.steps.map((s) => s.loss));
    expect(second.validation).toEqual(first.validation);
    const other = trainModel({ ...tiny, seed: tiny.seed + 1 });
    expect(other.steps.map((s) => s.loss)).not.toEqual(first.steps.map((s) => s.loss));
    expect(first.steps[5].loss).toBeLessThan(first.steps[0].loss);
  });

  it('writes an official-layout F16 GPT-2 whose full-vocabulary loss is the loss it trained on', async () => {
    const result = trainModel(tiny);
    const dir = mkdtempSync(path.join(tmpdir(), 'trained-gpt2-'));
    const file = writeCheckpoint(dir, result.weights, 'F16');
    const source = fileSource(file);
    const header = await readHeader(source);
    source.close();
    const keys = [...header.tensors.keys()];
    expect(keys.some((k) => k.startsWith('transformer.') || k === 'lm_head.weight')).toBe(false);
    expect(header.tensors.get('wte.weight')!.shape).toEqual([50257, 16]);
    expect(header.tensors.get('h.0.attn.bias')!.shape).toEqual([1, 1, 16, 16]);
    expect(new Set([...header.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F16']));

    // The full-vocabulary loss of the expanded float32 model equals the compact trainer's validation loss.
    const shipped = await loadModelFile(file);
    const fullLoss = fullVocabLoss(result.weights, result.valIds, result.valStarts, tiny.seq);
    expect(Math.abs(fullLoss - result.validation.at(-1)!.loss)).toBeLessThan(1e-4);
    // F16 rounding moves it only a little.
    expect(
      Math.abs(fullVocabLoss(shipped, result.valIds, result.valStarts, tiny.seq) - fullLoss),
    ).toBeLessThan(0.02);
    // And the full-vocabulary trainer agrees on the shipped file too.
    const full = new GPT2Training(shipped, 1, tiny.seq);
    expect(meanLossOver(full, result.valIds, result.valStarts)).toBeCloseTo(
      fullVocabLoss(shipped, result.valIds, result.valStarts, tiny.seq),
      4,
    );
  });
});
