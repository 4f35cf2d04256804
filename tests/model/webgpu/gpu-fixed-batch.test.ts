// The fixed-batch check on the GPU against the CPU engine's (trainFixedBatch): ten AdamW steps on one batch of
// a 2-layer model (C = 12, 3 heads, V = 37), with and without the gradient clip; the losses agree within 1e-5.

import { afterAll, describe, expect, it } from 'vitest';
import type { GPT2Config } from '../../../src/model/config';
import { randomGPT2Weights, seededRandom } from '../../../src/model/random';
import { trainFixedBatch } from '../../../src/train/fixed-batch';
import { deviceForTests } from './gpu';
import { cpuBackend } from '../../helpers/tiny-training';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const config: GPT2Config = {
  vocabSize: 37,
  nPositions: 8,
  nEmbd: 12,
  nLayer: 2,
  nHead: 3,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
};

describe.skipIf(!gpu)('the fixed-batch check on the GPU', () => {
  it('ten AdamW losses within 1e-5 of the CPU engine, clipped at 0.3 and unclipped', async () => {
    const random = seededRandom(21);
    const tokens = Array.from({ length: 2 * 6 + 1 }, () => Math.floor(random() * config.vocabSize));
    for (const gradClip of [0.3, undefined]) {
      const options = { B: 2, T: 6, steps: 10, lr: 3e-3, weightDecay: 0.01, gradClip };
      const cpu = await trainFixedBatch(
        randomGPT2Weights(config, 2),
        tokens,
        options,
        () => {},
        cpuBackend(),
      );
      const { losses } = await trainFixedBatch(randomGPT2Weights(config, 2), tokens, options, () => {}, {
        ...cpuBackend(),
        gpu,
      });
      expect(cpu.losses[9], 'the losses fall').toBeLessThan(cpu.losses[0] - 0.1);
      losses.forEach((loss, step) =>
        expect(
          Math.abs(loss - cpu.losses[step]) / cpu.losses[step],
          `step ${step}, clip ${gradClip}`,
        ).toBeLessThan(1e-5),
      );
    }
  }, 180_000);

  it('refuses a text too short for the batch and a token outside the vocabulary, as the CPU check does', async () => {
    const weights = randomGPT2Weights(config, 2);
    const options = { B: 2, T: 6, steps: 1, lr: 1e-3, weightDecay: 0 };
    await expect(
      trainFixedBatch(weights, [1, 2, 3], options, () => {}, { ...cpuBackend(), gpu }),
    ).rejects.toThrow('the text has 3 tokens; a 2×6 batch needs 13');
    const tokens = Array.from({ length: 13 }, (_, i) => (i === 5 ? 37 : 1));
    await expect(
      trainFixedBatch(weights, tokens, options, () => {}, { ...cpuBackend(), gpu }),
    ).rejects.toThrow('token id 37 is outside the vocabulary of 37');
  });
});
