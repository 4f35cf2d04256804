// The fixed-batch mode against PyTorch's AdamW: the fixture's ten losses on the fixture batch, each within
// 5e-4 relative (the loss before each step's update).

import { describe, expect, it } from 'vitest';
import { encode } from '../../src/tokenizer/gpt2';
import { trainFixedBatch } from '../../src/train/fixed-batch';
import { fixturesJson, loadTinyModel } from '../helpers/fixtures';
import { cpuBackend } from '../helpers/tiny-training';

describe('fixed-batch AdamW against PyTorch', () => {
  it('follows the ten fixture losses', async () => {
    const train = fixturesJson.train;
    const tokens = encode(train.text);
    const options = {
      B: train.B,
      T: train.T,
      steps: train.adamw.steps,
      lr: train.adamw.lr,
      weightDecay: train.adamw.weight_decay,
    };
    const { losses } = await trainFixedBatch(await loadTinyModel(), tokens, options, () => {}, cpuBackend());
    const expected: number[] = train.losses_first_10_steps;
    losses.forEach((loss, i) =>
      expect(Math.abs(loss - expected[i]) / expected[i], `step ${i}`).toBeLessThan(5e-4),
    );
  });
});
