// An interrupted training run resumes from its saved state and ends with the same bits as a run that was
// never stopped; a state from other options, or a damaged state file, is refused with a clear message.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTrainingState, TrainingStateError, type TrainingState } from '../../src/train/training-state';
import { readTrainingState, writeTrainingState } from '../../src/node/training-state-file';
import { trainModel, type TrainOptions } from '../../src/node/train-run';
import { cpuBackend, TINY_STORY_TRAINING } from '../helpers/tiny-training';
import { damagedStates, savedTinyState } from '../helpers/damaged-states';

const INTERNAL = /Cannot read properties|is not a function|is not iterable|Cannot convert|Maximum call stack/;

const tiny: TrainOptions = { ...TINY_STORY_TRAINING, steps: 8 };
/** A real state of the tiny run, which the damaged states are made from (test cases are listed before any runs). */
const tinyState = await savedTinyState();

describe('resuming a training run', () => {
  it(
    'ends with the same weights, losses and held-out losses as an uninterrupted run',
    { timeout: 180_000 },
    async () => {
      const whole = await trainModel(tiny, {}, cpuBackend());
      const dir = mkdtempSync(path.join(tmpdir(), 'train-state-'));
      const file = path.join(dir, 'training-state.bin');
      // The first run is stopped after step 3's state is saved (an exception out of the step loop, as Ctrl-C).
      await expect(
        trainModel(
          tiny,
          {
            checkpoint: {
              every: 3,
              save: (state) => {
                writeTrainingState(file, state);
                throw new Error('stopped');
              },
            },
          },
          cpuBackend(),
        ),
      ).rejects.toThrow('stopped');
      const state = readTrainingState(file)!;
      expect(state.step).toBe(3);
      const resumed = await trainModel(tiny, { resume: state }, cpuBackend());
      expect(resumed.steps).toEqual(whole.steps);
      expect(resumed.validation).toEqual(whole.validation);
      expect(resumed.weights.wte).toEqual(whole.weights.wte);
      expect(resumed.weights.layers[0].fcProjWeight).toEqual(whole.weights.layers[0].fcProjWeight);
    },
  );

  it('refuses a state saved with other options, and a damaged state file', async () => {
    let saved: TrainingState | undefined;
    await trainModel(
      { ...tiny, steps: 3 },
      { checkpoint: { every: 3, save: (s) => (saved = s) } },
      cpuBackend(),
    );
    await expect(trainModel({ ...tiny, steps: 4 }, { resume: saved }, cpuBackend())).rejects.toThrow(
      /other options/,
    );

    const dir = mkdtempSync(path.join(tmpdir(), 'train-state-'));
    const file = path.join(dir, 'training-state.bin');
    expect(readTrainingState(file)).toBeNull();
    writeTrainingState(file, saved!);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    expect(() => readTrainingState(file)).toThrow(/damaged \(its size does not match/);
    writeFileSync(file, Buffer.from('{"not": "a state"}'));
    expect(() => readTrainingState(file)).toThrow(/damaged/);
  });

  it.each(damagedStates(tinyState))(
    'refuses a state with %s before the first step, in one sentence',
    (_, bytes) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'train-state-'));
      const file = path.join(dir, 'training-state.bin');
      writeFileSync(file, bytes);
      let error: unknown;
      try {
        readTrainingState(file);
      } catch (caught) {
        error = caught;
      }
      expect(error, 'accepted').toBeInstanceOf(TrainingStateError);
      const { message } = error as Error;
      expect(message).toMatch(/^the saved training state .* is damaged \(.*\); delete it to restart$/);
      expect(message).not.toMatch(INTERNAL);
      expect(message.length).toBeLessThanOrEqual(300);
    },
  );

  it('still reads the state it wrote, field for field', async () => {
    const state = await savedTinyState();
    const dir = mkdtempSync(path.join(tmpdir(), 'train-state-'));
    const file = path.join(dir, 'training-state.bin');
    writeTrainingState(file, state);
    const read = decodeTrainingState(readFileSync(file), file);
    expect(read.options).toEqual(state.options);
    expect(read.records).toEqual(state.records);
    expect(read.seconds).toBe(state.seconds);
    expect(read.values).toEqual(state.values);
    expect(read.v).toEqual(state.v);
  });
});

describe('a run that diverges', () => {
  it('stops at the step whose loss is NaN and says what to try', async () => {
    await expect(
      trainModel({ ...tiny, lr: 1e30, warmupSteps: 0, gradClip: 1e30 }, {}, cpuBackend()),
    ).rejects.toThrow(
      /^the loss became (NaN|infinite) at step \d+: training diverged; try a lower --lr, a lower --grad-clip or more --warmup-steps$/,
    );
  });
});
