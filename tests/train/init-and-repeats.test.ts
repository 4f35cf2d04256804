// npm run train's chain of runs and its repeated windows: a run started from a model (--init-from) carries on
// from exactly that model, a model of another vocabulary or shape is refused, the repeated-span flags are checked
// before any work, and every run logs the in-context figures along the way (saved and resumed with its state).

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { trainOptionsFrom } from '../../src/cli/train-command';
import { trainModel } from '../../src/node/train-run';
import { buildTrainVocab, compactWeights, expandWeights } from '../../src/train/vocab';
import { randomGPT2Weights } from '../../src/model/random';
import { testConfig } from '../helpers/random-models';
import { cpuBackend, TINY_STORY_TRAINING } from '../helpers/tiny-training';
import type { TrainingState } from '../../src/train/training-state';

const tiny = { ...TINY_STORY_TRAINING, seq: 32, nPositions: 32 };

describe('--init-from', () => {
  it('starts from exactly the model it is given, not from random weights', async () => {
    const first = await trainModel({ ...tiny, steps: 40 }, {}, cpuBackend());
    // The start's compact weights are the first run's last weights, bit for bit ...
    expect(compactWeights(first.weights, first.vocab).wte).toEqual(first.training.weights.wte);
    // ... and a run from them begins where the first ended, not from random weights.
    const second = await trainModel(
      { ...tiny, steps: 1, initFrom: 'first' },
      { start: first.weights },
      cpuBackend(),
    );
    const tail = first.steps.slice(-5).map((s) => s.loss);
    expect(second.steps[0].loss).toBeLessThan(first.steps[0].loss - 1);
    expect(second.steps[0].loss).toBeLessThan(Math.max(...tail) + 0.5);
  });

  it('refuses a model trained on another vocabulary, or of another shape', async () => {
    const other = randomGPT2Weights({ ...(await trainModel(tiny, {}, cpuBackend())).weights.config }, 3);
    await expect(trainModel({ ...tiny, initFrom: 'x' }, { start: other }, cpuBackend())).rejects.toThrow(
      /not trained on this vocabulary/,
    );
    const wide = randomGPT2Weights({ ...other.config, nEmbd: 32 }, 3);
    await expect(trainModel({ ...tiny, initFrom: 'x' }, { start: wide }, cpuBackend())).rejects.toThrow(
      /shape differs from the run's: nEmbd 32, not 16/,
    );
  });

  it('expandWeights and compactWeights undo each other', () => {
    const ids = Int32Array.from([5, 6, 7, 5, 5, 6, 9]);
    const vocab = buildTrainVocab(ids, 50257, 2); // rows for 5 and 6, one shared row
    const compact = randomGPT2Weights(testConfig({ vocabSize: vocab.size }), 1);
    expect(compactWeights(expandWeights(compact, vocab), vocab).wte).toEqual(compact.wte);
  });
});

describe('repeated windows and the in-context log', () => {
  it('checks the repeated-span flags before any work', () => {
    const refuse = (args: Record<string, unknown>, message: RegExp) => {
      expect(() => trainOptionsFrom(args)).toThrow(UsageError);
      expect(() => trainOptionsFrom(args)).toThrow(message);
    };
    refuse({ 'repeat-share': 1.5 }, /--repeat-share must be a share from 0 to 1/);
    refuse({ 'repeat-share': 0.5, seq: 32, 'n-positions': 32 }, /needs --seq 95 or more/);
    refuse({ 'repeat-share': 0.5, 'repeat-min-span': 20, 'repeat-max-span': 10 }, /cannot be below/);
    refuse({ 'repeat-share': 0.5, 'repeat-max-span': 65, seq: 128 }, /at most 64/);
    refuse({ 'init-from': '' }, /--init-from needs a model folder/);
    // With no share repeated, the spans are not checked: a short --seq trains as it always did.
    expect(trainOptionsFrom({ seq: 32, 'n-positions': 32 }).repeatShare).toBe(0);
  });

  it('logs the in-context figures at every held-out check, and a resumed run logs the same', async () => {
    const o = { ...tiny, repeatShare: 0.5, repeatMinSpan: 4, repeatMaxSpan: 12 };
    let saved: TrainingState | null = null;
    const whole = await trainModel(o, {}, cpuBackend());
    expect(whole.inContext.map((p) => p.step)).toEqual([3, 6]);
    const point = whole.inContext[1].figures.heldOutText!;
    expect(point.probes).toBeGreaterThan(0);
    expect(point.gain).toBeCloseTo(point.earlyLoss - point.lateLoss, 12);
    await trainModel({ ...o }, { checkpoint: { every: 3, save: (s) => (saved ??= s) } }, cpuBackend());
    const resumed = await trainModel(o, { resume: saved }, cpuBackend());
    expect(resumed.inContext).toEqual(whole.inContext);
    expect(resumed.steps.map((s) => s.loss)).toEqual(whole.steps.map((s) => s.loss));
  });
});
