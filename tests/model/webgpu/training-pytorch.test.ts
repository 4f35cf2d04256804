// The GPU training step (src/model/webgpu/training/) against the PyTorch training fixture, the same checks the CPU
// engine passes in tests/model/backward.test.ts and tests/train/fixed-batch.test.ts: on the tiny GPT-2 (2 layers,
// C = 32, the full 50,257-row vocabulary) and the fixture's (2, 16) batch, the loss, and every parameter's
// gradient within the README's 1e-4 relative (wte by its stored rows and the L2 norm of its whole gradient);
// then the ten fixed-batch AdamW losses within 1e-5 of the CPU engine's, and both within 5e-4 of PyTorch's.

import { afterAll, describe, expect, it } from 'vitest';
import type { GPT2Weights, LayerWeights } from '../../../src/model/weights';
import { parameterSpecs } from '../../../src/model/weights';
import { GpuTraining } from '../../../src/model/webgpu/training/gpu-training';
import { encode } from '../../../src/tokenizer/gpt2';
import { trainFixedBatch } from '../../../src/train/fixed-batch';
import { keyedWeights } from '../../../src/train/params';
import { fixturesJson, loadTinyModel, relativeError } from '../../helpers/fixtures';
import { readTrainFixture } from '../../train/helpers';
import { deviceForTests } from './gpu';
import { cpuBackend } from '../../helpers/tiny-training';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const fixture = readTrainFixture();
const train = fixturesJson.train;

/** The GPU's gradients ('wte', 'h0.qkvWeight', …) as a GPT2Weights, so keyedWeights names them as PyTorch does. */
function asWeights(grads: Map<string, Float32Array>, like: GPT2Weights): GPT2Weights {
  const get = (key: string) => {
    const grad = grads.get(key);
    if (!grad) throw new Error(`the GPU has no gradient for ${key}`);
    return grad;
  };
  return {
    config: like.config,
    wte: get('wte'),
    wpe: get('wpe'),
    lnFWeight: get('lnFWeight'),
    lnFBias: get('lnFBias'),
    layers: like.layers.map((layer, l) => {
      const copy = { ...layer };
      for (const field of Object.keys(layer) as (keyof LayerWeights)[]) copy[field] = get(`h${l}.${field}`);
      return copy;
    }),
  };
}

describe.skipIf(!gpu)('the GPU training step against PyTorch', () => {
  it('gives the fixture loss and the gradient of every parameter within 1e-4 relative', async () => {
    const weights = await loadTinyModel();
    const [B, T] = fixture.get('inputs')!.shape;
    const training = new GpuTraining(gpu!.device, weights, B, T);
    let grads: Map<string, Float32Array>;
    let loss: number;
    try {
      loss = await training.forward(
        Int32Array.from(fixture.get('inputs')!.data),
        Int32Array.from(fixture.get('targets')!.data),
      );
      await training.backward();
      grads = await training.read('grad');
    } finally {
      training.dispose();
    }
    expect(Math.abs(loss - train.loss) / train.loss, 'loss').toBeLessThan(1e-5);

    const keyed = keyedWeights(asWeights(grads, weights));
    let checked = 0;
    for (const [name, expected] of fixture) {
      if (!name.startsWith('grad.') || name === 'grad.wte.weight.rows') continue;
      const actual = keyed.get(name.slice('grad.'.length));
      expect(actual, name).toBeDefined();
      expect(relativeError(actual!, expected.data), name).toBeLessThan(1e-4);
      checked++;
    }
    expect(checked).toBe(parameterSpecs(weights.config).length - 1); // all but wte

    const C = weights.config.nEmbd;
    const dwte = keyed.get('wte.weight')!;
    const rowIds = fixture.get('wte_grad_row_ids')!.data;
    const rows = new Float32Array(rowIds.length * C);
    rowIds.forEach((id, i) => rows.set(dwte.subarray(id * C, (id + 1) * C), i * C));
    expect(relativeError(rows, fixture.get('grad.wte.weight.rows')!.data), 'wte rows').toBeLessThan(1e-4);
    let sum = 0;
    for (const g of dwte) sum += g * g;
    const norm = train.wte_grad_l2_norm;
    expect(Math.abs(Math.sqrt(sum) - norm) / norm, 'wte gradient norm').toBeLessThan(1e-4);
  }, 180_000);

  it('follows the ten fixed-batch AdamW losses: within 1e-5 of the CPU engine, 5e-4 of PyTorch', async () => {
    const tokens = encode(train.text);
    const options = {
      B: train.B,
      T: train.T,
      steps: train.adamw.steps,
      lr: train.adamw.lr,
      weightDecay: train.adamw.weight_decay,
    };
    const cpu = await trainFixedBatch(await loadTinyModel(), tokens, options, () => {}, cpuBackend());
    const { losses } = await trainFixedBatch(await loadTinyModel(), tokens, options, () => {}, {
      ...cpuBackend(),
      gpu,
    });
    const expected: number[] = train.losses_first_10_steps;
    expect(losses).toHaveLength(expected.length);
    expect(cpu.losses).toHaveLength(expected.length);
    expected.forEach((pytorch, step) => {
      const [gpuLoss, cpuLoss] = [losses[step], cpu.losses[step]];
      expect(Math.abs(gpuLoss - cpuLoss) / cpuLoss, `step ${step}: GPU against CPU`).toBeLessThan(1e-5);
      expect(Math.abs(gpuLoss - pytorch) / pytorch, `step ${step}: GPU against PyTorch`).toBeLessThan(5e-4);
      expect(Math.abs(cpuLoss - pytorch) / pytorch, `step ${step}: CPU against PyTorch`).toBeLessThan(5e-4);
    });
  }, 300_000);
});
