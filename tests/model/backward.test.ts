// The CPU backward pass against PyTorch: the gradient of every parameter for the fixture batch, within the
// README's 1e-4 relative; wte by its stored rows and by the L2 norm of its whole gradient.

import { beforeAll, describe, expect, it } from 'vitest';
import { GPT2Training } from '../../src/train/gpt2-train';
import { keyedWeights } from '../../src/train/params';
import { parameterSpecs } from '../../src/model/weights';
import { fixturesJson, loadTinyModel, relativeError } from '../helpers/fixtures';
import { readTrainFixture } from '../train/helpers';
import { createSyncKernels } from '../../src/model/wasm/select';

const fixture = readTrainFixture();
let training: GPT2Training;
let loss: number;

beforeAll(async () => {
  const weights = await loadTinyModel();
  const [B, T] = fixture.get('inputs')!.shape;
  training = new GPT2Training(weights, B, T, null, createSyncKernels());
  training.inputs.set(fixture.get('inputs')!.data);
  training.targets.set(fixture.get('targets')!.data);
  loss = training.forward();
  training.backward();
});

describe('CPU backward pass against PyTorch', () => {
  it('gives the fixture loss', () => {
    expect(Math.abs(loss - fixturesJson.train.loss) / fixturesJson.train.loss).toBeLessThan(1e-5);
  });

  it('matches the gradient of every parameter but wte', () => {
    const grads = keyedWeights(training.params.gradWeights);
    let checked = 0;
    for (const [name, expected] of fixture) {
      if (!name.startsWith('grad.') || name === 'grad.wte.weight.rows') continue;
      const actual = grads.get(name.slice('grad.'.length));
      expect(actual, name).toBeDefined();
      expect(relativeError(actual!, expected.data), name).toBeLessThan(1e-4);
      checked++;
    }
    expect(checked).toBe(parameterSpecs(training.weights.config).length - 1); // all but wte
  });

  it('matches the stored wte gradient rows and the L2 norm of the whole wte gradient', () => {
    const C = training.weights.config.nEmbd;
    const dwte = training.params.gradWeights.wte;
    const rowIds = fixture.get('wte_grad_row_ids')!.data;
    const expected = fixture.get('grad.wte.weight.rows')!.data;
    const actual = new Float32Array(rowIds.length * C);
    rowIds.forEach((id, i) => actual.set(dwte.subarray(id * C, (id + 1) * C), i * C));
    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    let sum = 0;
    for (const g of dwte) sum += g * g;
    const norm = fixturesJson.train.wte_grad_l2_norm;
    expect(Math.abs(Math.sqrt(sum) - norm) / norm).toBeLessThan(1e-4);
  });
});
