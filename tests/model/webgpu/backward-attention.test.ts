// Attention and the embedding for training, forward (the explorer's steps, forward-block.ts, over a batch) and
// backward, against their CPU twins (ops/attention.ts, ops/embedding.ts):
// B = 2 sequences, 3 heads of size 4 (C = 12), T = 5 and T = 40 (more keys than a row workgroup has threads),
// and a batch of token ids with repeats. Gradients start from seeded nonzero values, so += is checked.

import { afterAll, describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from '../../../src/model/cpu/ops/attention';
import { encoderBackward, encoderForward } from '../../../src/model/cpu/ops/embedding';
import { seededRandom } from '../../../src/model/random';
import {
  BACKWARD_KERNELS as K,
  embeddingBackwardPlan,
  rowGrid2d,
} from '../../../src/model/webgpu/backward-kernels';
import { attentionSteps, embeddingSteps, type ForwardContext } from '../../../src/model/webgpu/forward-block';
import { attentionSoftmaxParams } from '../../../src/model/webgpu/forward-ops';
import { KERNELS, type KernelSpec } from '../../../src/model/webgpu/kernels';
import type { ForwardKernels } from '../../../src/model/webgpu/matmul-steps';
import { elementGrid } from '../../../src/model/webgpu/steps';
import { relativeError } from '../../helpers/fixtures';
import { testConfig } from '../../helpers/random-models';
import { BackwardHarness } from './backward-harness';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

/** The forward steps' context for B sequences of T tokens, as training makes it (no trace). */
const trainingContext = (
  kernels: ForwardKernels<KernelSpec>,
  unused: GPUBuffer,
  { B, T, C, NH, V = 1 }: { B: number; T: number; C: number; NH: number; V?: number },
): ForwardContext<null, KernelSpec> => ({
  config: testConfig({ nEmbd: C, nHead: NH, vocabSize: V }),
  kernels,
  B,
  T: () => T,
  unused,
});

const random = seededRandom(11);
const randomArray = (n: number, spread = 1) =>
  Float32Array.from({ length: n }, () => (random() * 2 - 1) * spread);

describe('embeddingBackwardPlan', () => {
  it('lists the distinct tokens in order, with the positions of each in increasing order', () => {
    const { plan, U } = embeddingBackwardPlan([5, 2, 5, 9, 2, 5]);
    expect(U).toBe(3);
    expect(Array.from(plan.subarray(0, U))).toEqual([2, 5, 9]);
    expect(Array.from(plan.subarray(U, 2 * U + 1))).toEqual([0, 2, 5, 6]);
    expect(Array.from(plan.subarray(2 * U + 1))).toEqual([1, 4, 0, 2, 5, 3]);
  });
});

describe.skipIf(!gpu)('WGSL attention and embedding backward against their CPU twins', () => {
  const harness = new BackwardHarness(gpu!.device);

  // Scores of several hundred overflow exp unless the row's maximum is subtracted first.
  for (const [T, spread, what] of [
    [5, 2, 'small scores'],
    [40, 2, 'small scores'],
    [5, 20, 'scores in the hundreds'],
  ] as const) {
    it(`causal attention forward, keeping the weights: B = 2, T = ${T}, C = 12, NH = 3, ${what}`, async () => {
      const [B, C, NH] = [2, 12, 3];
      const qkv = randomArray(B * T * 3 * C, spread);
      const [out, att] = [new Float32Array(B * T * C), new Float32Array(B * NH * T * T)];
      attentionForward(out, att, qkv, B, T, C, NH);
      const result = await harness.runSteps(
        // Stale values in att and out, as a reused buffer has: the kernels must overwrite every element.
        {
          qkv,
          scores: randomArray(B * NH * T * T),
          att: randomArray(B * NH * T * T),
          out: randomArray(B * T * C),
          unused: new Float32Array(1),
        },
        (buffer, kernels) =>
          attentionSteps(
            trainingContext(kernels, buffer('unused'), { B, T, C, NH }),
            (tensor) => tensor,
            buffer('qkv'),
            {
              scores: buffer('scores'),
              scaledScores: buffer('unused'),
              weights: buffer('att'),
              context: buffer('out'),
            },
          ),
        ['att', 'out'],
      );
      expect(relativeError(result.att, att), 'weights').toBeLessThan(1e-5);
      expect(relativeError(result.out, out), 'context').toBeLessThan(1e-5);
    });
  }

  it('the attention softmax over more rows than one grid dimension holds, folded back from a 2-D grid', async () => {
    // B·NH·T rows of training's batch pass 65535; 65541 rows take a 32771 × 2 grid, one workgroup past the end
    // (which the kernel stops: robust buffer access would only discard or clamp its writes). 65541 workgroups
    // take SwiftShader tens of seconds, hence the longer timeout.
    const [T, hs, rows] = [3, 4, 3 * 21847];
    const scores = randomArray(rows * T, 4);
    const { scale } = attentionSoftmaxParams(T, hs, false);
    const expected = new Float32Array(rows * T);
    for (let r = 0; r < rows; r++) {
      const visible = (r % T) + 1;
      const row = Array.from({ length: visible }, (_, j) => scores[r * T + j] * scale);
      const top = Math.max(...row);
      const sum = row.reduce((total, x) => total + Math.exp(x - top), 0);
      row.forEach((x, j) => (expected[r * T + j] = Math.exp(x - top) / sum));
    }
    const grid = rowGrid2d(rows);
    expect(grid[0] * grid[1]).toBeGreaterThan(rows);
    const result = await harness.run(
      { scores, unused: new Float32Array(1), weights: randomArray(rows * T) },
      [
        {
          spec: KERNELS.softmax,
          params: attentionSoftmaxParams(T, hs, false),
          bind: ['scores', 'unused', 'weights'],
          grid,
        },
      ],
      ['weights'],
    );
    expect(relativeError(result.weights, expected)).toBeLessThan(1e-5);
  }, 180_000);

  for (const T of [5, 40]) {
    it(`causal attention backward into dq, dk, dv: B = 2, T = ${T}, C = 12, NH = 3`, async () => {
      const [B, C, NH] = [2, 12, 3];
      const qkv = randomArray(B * T * 3 * C, 2);
      const att = new Float32Array(B * NH * T * T);
      attentionForward(new Float32Array(B * T * C), att, qkv, B, T, C, NH);
      const dout = randomArray(B * T * C);
      const dqkv0 = randomArray(B * T * 3 * C);
      const dqkv = dqkv0.slice();
      attentionBackward(dqkv, new Float32Array(T), dout, qkv, att, B, T, C, NH);
      const params = { B, T, C, NH, scale: 1 / Math.sqrt(C / NH) };
      const bind = ['dout', 'qkv', 'att', 'datt', 'dqkv'];
      const result = await harness.run(
        { dout, qkv, att, datt: randomArray(B * NH * T * T), dqkv: dqkv0 },
        [
          { spec: K.attentionBackwardScores, params, bind, grid: rowGrid2d(B * NH * T) },
          { spec: K.attentionBackwardInputs, params, bind, grid: elementGrid(B * T * 3 * C) },
        ],
        ['dqkv', 'datt'],
      );
      // Compared part by part, so a failure says whether q, k or v is wrong.
      const parts = ['dq', 'dk', 'dv'];
      for (let part = 0; part < 3; part++) {
        const pick = (x: Float32Array) => x.filter((_, i) => Math.floor((i % (3 * C)) / C) === part);
        expect(relativeError(pick(result.dqkv), pick(dqkv)), parts[part]).toBeLessThan(1e-5);
      }
      // The scores' gradient is zero above the diagonal: the causal mask passes nothing back.
      const above = result.datt.filter((_, i) => i % T > Math.floor(i / T) % T);
      expect(above.every((x) => x === 0)).toBe(true);
    });
  }

  it('the batched embedding forward: wte[ids] + wpe[t], B = 2, T = 5, C = 12, V = 37', async () => {
    const [B, T, C, V, maxT] = [2, 5, 12, 37, 8];
    const ids = Int32Array.from([3, 36, 3, 0, 17, 36, 3, 5, 0, 3]);
    const [wte, wpe] = [randomArray(V * C), randomArray(maxT * C)];
    const encoded = new Float32Array(B * T * C);
    encoderForward(encoded, ids, wte, wpe, B, T, C);
    const stale = () => randomArray(B * T * C);
    const result = await harness.runSteps(
      { ids: Uint32Array.from(ids), wte, wpe, tok: stale(), pos: stale(), encoded: stale(), unused: stale() },
      (buffer, kernels) =>
        embeddingSteps(
          trainingContext(kernels, buffer('unused'), { B, T, C, NH: 1, V }),
          [{ buffer: buffer('wte'), rowStart: 0, rowCount: V }],
          {
            ids: buffer('ids'),
            wpe: buffer('wpe'),
            tokEmb: buffer('tok'),
            posEmb: buffer('pos'),
            inputEmb: buffer('encoded'),
          },
        ),
      ['encoded'],
    );
    expect(relativeError(result.encoded, encoded)).toBe(0); // one float32 add each, on both sides
  });

  it('embedding backward: dwte rows of repeated tokens and dwpe, B = 2, T = 5, C = 12, V = 37', async () => {
    const [B, T, C, V, maxT] = [2, 5, 12, 37, 8];
    const ids = Int32Array.from([3, 36, 3, 0, 17, 36, 3, 5, 0, 3]);
    const dencoded = randomArray(B * T * C);
    const [dwte0, dwpe0] = [randomArray(V * C), randomArray(maxT * C)];
    const [dwte, dwpe] = [dwte0.slice(), dwpe0.slice()];
    encoderBackward(dwte, dwpe, dencoded, ids, B, T, C);
    const { plan, U } = embeddingBackwardPlan(ids);
    const params = { B, T, C, U };
    const bind = ['dencoded', 'plan', 'dwte', 'dwpe'];
    const result = await harness.run(
      { dencoded, plan, dwte: dwte0, dwpe: dwpe0 },
      [
        { spec: K.embeddingBackwardTokens, params, bind, grid: elementGrid(U * C) },
        { spec: K.embeddingBackwardPositions, params, bind, grid: elementGrid(T * C) },
      ],
      ['dwte', 'dwpe'],
    );
    // Float32 sums in the CPU's order (each CPU += rounds to float32 too): equal up to the rounding of an add.
    expect(relativeError(result.dwte, dwte), 'dwte').toBeLessThan(1e-6);
    expect(relativeError(result.dwpe, dwpe), 'dwpe').toBeLessThan(1e-6);
    expect(Array.from(result.dwte.subarray(C, 2 * C)), 'an unused row').toEqual(
      Array.from(dwte0.subarray(C, 2 * C)),
    );
  });
});
