// Training runs: the same seed gives the same loss curve bit for bit; the shared-row vocabulary trick gives
// the full-vocabulary loss; and the written file is an official-layout F16 GPT-2 over 50257 tokens.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeader } from '../../src/model/safetensors';
import { loadModelFile, fileSource } from '../../src/node/files';
import { writeCheckpoint } from '../../src/node/checkpoint';
import { meanLossOver } from '../../src/train/data';
import { GPT2Training } from '../../src/train/gpt2-train';
import { fullVocabLoss } from '../../src/train/report';
import { trainOptionsFrom } from '../../src/cli/train-command';
import { cpuBackend, TINY_STORY_TRAINING } from '../helpers/tiny-training';
import { sinusoidalPositions, trainModel, type TrainOptions } from '../../src/node/train-run';
import { createSyncKernels } from '../../src/model/wasm/select';

const tiny: TrainOptions = TINY_STORY_TRAINING;

describe('training runs', () => {
  it('gives identical losses for the same seed, and different ones for another', async () => {
    const first = await trainModel(tiny, {}, cpuBackend());
    const second = await trainModel(tiny, {}, cpuBackend());
    expect(second.steps.map((s) => s.loss)).toEqual(first.steps.map((s) => s.loss));
    expect(second.validation).toEqual(first.validation);
    const other = await trainModel({ ...tiny, seed: tiny.seed + 1 }, {}, cpuBackend());
    expect(other.steps.map((s) => s.loss)).not.toEqual(first.steps.map((s) => s.loss));
    expect(first.steps[5].loss).toBeLessThan(first.steps[0].loss);
  });

  it('writes an official-layout F16 GPT-2 whose full-vocabulary loss is the loss it trained on', async () => {
    const result = await trainModel(tiny, {}, cpuBackend());
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
    const full = new GPT2Training(shipped, 1, tiny.seq, null, createSyncKernels());
    expect(meanLossOver(full, result.valIds, result.valStarts)).toBeCloseTo(
      fullVocabLoss(shipped, result.valIds, result.valStarts, tiny.seq),
      4,
    );
  });

  it('can start the position embeddings as sine and cosine waves: one step on is the same turn everywhere', async () => {
    const P = 32;
    const C = 8;
    const waves = sinusoidalPositions(P, C);
    const row = (p: number) => waves.subarray(p * C, (p + 1) * C);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    for (let p = 0; p < P; p++) expect(Math.sqrt(dot(row(p), row(p)))).toBeCloseTo(0.02 * Math.sqrt(C), 6);
    // Row p · row p+k depends on k alone, so a query–key map can pick out "k back" at every position.
    for (const k of [1, 2, 5]) {
      const first = dot(row(0), row(k));
      for (let p = 1; p + k < P; p++) expect(dot(row(p), row(p + k))).toBeCloseTo(first, 7);
    }
    expect(dot(row(0), row(1))).toBeLessThan(dot(row(0), row(0)) - 1e-5); // neighbours differ
    // The option reaches the run: a run started from waves differs from one started from random rows.
    const waved = await trainModel({ ...tiny, steps: 1, positionInit: 'sinusoidal' }, {}, cpuBackend());
    const random = await trainModel({ ...tiny, steps: 1, positionInit: 'normal' }, {}, cpuBackend());
    expect(waved.steps[0].loss).not.toBe(random.steps[0].loss);
  });

  it('takes --position-init normal or sinusoidal, and says what else it could be', () => {
    expect(trainOptionsFrom({ 'position-init': 'normal' }).positionInit).toBe('normal');
    expect(trainOptionsFrom({ 'position-init': 'sinusoidal' }).positionInit).toBe('sinusoidal');
    expect(() => trainOptionsFrom({ 'position-init': 'learned' })).toThrow(
      '--position-init must be one of normal, sinusoidal, not "learned"',
    );
  });
});
