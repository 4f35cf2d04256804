// The backward kernels of the per-position ops against their CPU twins (src/model/cpu/ops/): cross-entropy,
// the three matmul gradients, the bias sums, layer norm, GELU and the residual. Awkward shapes: N = B·T = 10
// rows, C = 12, V = 37, sizes that fill no tile or workgroup. Every gradient starts from seeded nonzero
// values, so a kernel that overwrites instead of adding fails. Tolerances are relative to the largest value.

import { afterAll, describe, expect, it } from 'vitest';
import {
  biasBackward,
  crossEntropyBackward,
  crossEntropyForward,
  geluBackward,
  layernormBackward,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
  residualBackward,
} from '../../../src/model/cpu/ops';
import { seededRandom } from '../../../src/model/random';
import {
  BACKWARD_KERNELS as K,
  matmulBackwardInputShape,
  matmulBackwardWeightShape,
  matmulGradGrid,
  matmulGradKernel,
  matmulGradParams,
  rowGrid2d,
} from '../../../src/model/webgpu/backward-kernels';
import { MATMUL_CONFIGS, WORKGROUP_SIZE } from '../../../src/model/webgpu/kernels';
import { elementGrid } from '../../../src/model/webgpu/steps';
import { relativeError } from '../../helpers/fixtures';
import { BackwardHarness } from './backward-harness';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const random = seededRandom(7);
const randomArray = (n: number, spread = 1, offset = 0) =>
  Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * spread);
const [B, T, C, V] = [2, 5, 12, 37];
const N = B * T;

/** Bound for the tiled matmul's bias, which the backward products do not read. */
const unused = new Float32Array(1);

describe.skipIf(!gpu)('WGSL backward kernels against their CPU twins', () => {
  const harness = new BackwardHarness(gpu!.device);

  for (const withBias of [false, true]) {
    it(`cross-entropy forward and backward, N = ${N}, V = ${V}, ${withBias ? 'with' : 'no'} logit bias`, async () => {
      const logits = randomArray(N * V, 4);
      for (let v = 0; v < V; v++) logits[v] *= 100; // a row whose exp overflows unless its max is subtracted
      const targets = Int32Array.from({ length: N }, () => Math.floor(random() * V));
      targets[3] = V - 1;
      const logitBias = withBias ? randomArray(V, 2) : null;
      const probs = logits.slice();
      const losses = new Float32Array(N);
      const meanLoss = crossEntropyForward(losses, probs, targets, logitBias, N, V);
      const dlogits = probs.slice();
      crossEntropyBackward(dlogits, targets, N, V);
      const params = { N, V, hasBias: withBias ? 1 : 0, scale: 1 / N };
      const bind = ['targets', 'bias', 'logits', 'losses'];
      const buffers = () => ({
        targets: Uint32Array.from(targets),
        bias: logitBias ?? new Float32Array(1),
        logits: logits.slice(),
        losses: new Float32Array(N),
      });
      const forward = { spec: K.crossEntropyForward, params, bind, grid: rowGrid2d(N) };
      const afterForward = await harness.run(buffers(), [forward], ['logits', 'losses']);
      expect(relativeError(afterForward.logits, probs), 'probabilities').toBeLessThan(1e-5);
      expect(relativeError(afterForward.losses, losses), 'losses').toBeLessThan(1e-5);
      const gpuMean = afterForward.losses.reduce((s, x) => s + x, 0) / N;
      expect(Math.abs(gpuMean - meanLoss) / meanLoss, 'mean loss').toBeLessThan(1e-5);
      const backward = { spec: K.crossEntropyBackward, params, bind, grid: elementGrid(N * V) };
      const afterBackward = await harness.run(buffers(), [forward, backward], ['logits']);
      expect(relativeError(afterBackward.logits, dlogits), 'dlogits').toBeLessThan(1e-5);
    });
  }

  // [what, tile config, rows N, input channels C, output channels OC]
  const matmulShapes: [string, keyof typeof MATMUL_CONFIGS, number, number, number][] = [
    ['the qkv projection', 'small', N, C, 3 * C],
    ['the MLP projection, ragged', 'small', 17, 4 * C, C],
    ['large tiles, ragged everything', 'large', 130, 40, 135],
  ];
  for (const [what, config, rows, inC, OC] of matmulShapes) {
    it(`matmul backward, ${what} (${config} tiles): N = ${rows}, C = ${inC}, OC = ${OC}`, async () => {
      const [inp, weight, dout] = [randomArray(rows * inC), randomArray(inC * OC), randomArray(rows * OC)];
      const [dinp0, dweight0] = [randomArray(rows * inC), randomArray(inC * OC)];
      const [dinp, dweight] = [dinp0.slice(), dweight0.slice()];
      matmulBackwardInput(dinp, dout, weight, rows, inC, OC);
      matmulBackwardWeight(dweight, inp, dout, rows, inC, OC);
      const tiles = MATMUL_CONFIGS[config];
      const inputShape = matmulBackwardInputShape(rows, inC, OC);
      const weightShape = matmulBackwardWeightShape(rows, inC, OC);
      const result = await harness.run(
        { inp, weight, dout, dinp: dinp0, dweight: dweight0, overwritten: randomArray(rows * inC), unused },
        [
          {
            spec: matmulGradKernel(tiles, { ...inputShape, accumulate: true }),
            params: matmulGradParams(inputShape),
            bind: ['dout', 'weight', 'unused', 'dinp'],
            grid: matmulGradGrid(tiles, rows, inC),
          },
          {
            spec: matmulGradKernel(tiles, { ...weightShape, accumulate: true }),
            params: matmulGradParams(weightShape),
            bind: ['inp', 'dout', 'unused', 'dweight'],
            grid: matmulGradGrid(tiles, inC, OC),
          },
          {
            spec: matmulGradKernel(tiles, { ...inputShape, accumulate: false }),
            params: matmulGradParams(inputShape),
            bind: ['dout', 'weight', 'unused', 'overwritten'],
            grid: matmulGradGrid(tiles, rows, inC),
          },
        ],
        ['dinp', 'dweight', 'overwritten'],
      );
      expect(relativeError(result.dinp, dinp), 'dinp +=').toBeLessThan(1e-5);
      expect(relativeError(result.dweight, dweight), 'dweight +=').toBeLessThan(1e-5);
      const fresh = new Float32Array(rows * inC);
      matmulBackwardInput(fresh, dout, weight, rows, inC, OC);
      expect(relativeError(result.overwritten, fresh), 'dinp =').toBeLessThan(1e-5);
    }, 180_000); // SwiftShader compiles the large tiles slowly on a loaded machine
  }

  it(`the tied head's backward: dlnf = dlogits · wte and dwte += dlogitsᵀ · lnf, V = ${V}`, async () => {
    const [dlogits, wte, lnf, dwte0] = [
      randomArray(N * V),
      randomArray(V * C),
      randomArray(N * C),
      randomArray(V * C),
    ];
    // As GPT2Training.logitsBackward: wte (V,C) is the weight of a (N,V)·(V,C) product.
    const dlnf = new Float32Array(N * C);
    matmulForward(dlnf, dlogits, wte, null, N, V, C);
    const dwte = dwte0.slice();
    matmulBackwardWeight(dwte, dlogits, lnf, N, V, C);
    const tiles = MATMUL_CONFIGS.small;
    const plain = { M: N, N: C, K: V, transposedA: false, transposedB: false } as const;
    const weightShape = matmulBackwardWeightShape(N, V, C);
    const result = await harness.run(
      { dlogits, wte, lnf, dwte: dwte0, dlnf: randomArray(N * C), unused },
      [
        {
          spec: matmulGradKernel(tiles, { ...plain, accumulate: false }),
          params: matmulGradParams(plain),
          bind: ['dlogits', 'wte', 'unused', 'dlnf'],
          grid: matmulGradGrid(tiles, N, C),
        },
        {
          spec: matmulGradKernel(tiles, { ...weightShape, accumulate: true }),
          params: matmulGradParams(weightShape),
          bind: ['dlogits', 'lnf', 'unused', 'dwte'],
          grid: matmulGradGrid(tiles, V, C),
        },
      ],
      ['dlnf', 'dwte'],
    );
    expect(relativeError(result.dlnf, dlnf), 'dlnf').toBeLessThan(1e-5);
    expect(relativeError(result.dwte, dwte), 'dwte').toBeLessThan(1e-5);
  });

  it('bias backward: column sums over 7 rows of 300 (two workgroups, the second ragged)', async () => {
    const [rows, OC] = [7, 300];
    const [dout, dbias0] = [randomArray(rows * OC), randomArray(OC)];
    const dbias = dbias0.slice();
    biasBackward(dbias, dout, rows, OC);
    const result = await harness.run(
      { dout, dbias: dbias0 },
      [
        {
          spec: K.biasBackward,
          params: { N: rows, OC },
          bind: ['dout', 'dbias'],
          grid: [Math.ceil(OC / WORKGROUP_SIZE), 1, 1],
        },
      ],
      ['dbias'],
    );
    expect(relativeError(result.dbias, dbias)).toBeLessThan(1e-6);
  });

  for (const width of [C, 40]) {
    it(`layer norm backward: dinp, dweight, dbias, N = ${N}, C = ${width}, inputs away from zero`, async () => {
      const eps = 1e-5;
      const [inp, weight, dout] = [
        randomArray(N * width, 3, 5),
        randomArray(width, 1, 1),
        randomArray(N * width),
      ];
      const [dinp0, dweight0, dbias0] = [randomArray(N * width), randomArray(width), randomArray(width)];
      const [dinp, dweight, dbias] = [dinp0.slice(), dweight0.slice(), dbias0.slice()];
      layernormBackward(dinp, dweight, dbias, dout, inp, weight, N, width, eps);
      const params = { N, C: width, eps };
      const bind = ['dout', 'inp', 'weight', 'stats', 'dinp', 'dweight', 'dbias'];
      const result = await harness.run(
        { dout, inp, weight, stats: new Float32Array(2 * N), dinp: dinp0, dweight: dweight0, dbias: dbias0 },
        [
          { spec: K.layernormBackwardRows, params, bind, grid: rowGrid2d(N) },
          { spec: K.layernormBackwardColumns, params, bind, grid: [Math.ceil(width / WORKGROUP_SIZE), 1, 1] },
        ],
        ['dinp', 'dweight', 'dbias'],
      );
      expect(relativeError(result.dinp, dinp), 'dinp').toBeLessThan(1e-5);
      expect(relativeError(result.dweight, dweight), 'dweight').toBeLessThan(1e-5);
      expect(relativeError(result.dbias, dbias), 'dbias').toBeLessThan(1e-6);
    });
  }

  it('GELU backward (tanh form) and the residual backward, 300 elements, large inputs included', async () => {
    const n = 300;
    const x = randomArray(n, 4);
    x[0] = 60;
    x[1] = -60;
    x[2] = 0;
    const [dout, dinp0, da0, db0] = [randomArray(n), randomArray(n), randomArray(n), randomArray(n)];
    const [dinp, da, db] = [dinp0.slice(), da0.slice(), db0.slice()];
    geluBackward(dinp, x, dout, n);
    residualBackward(da, db, dout, n);
    const result = await harness.run(
      { x, dout, dinp: dinp0, da: da0, db: db0 },
      [
        { spec: K.geluBackward, params: { count: n }, bind: ['x', 'dout', 'dinp'], grid: elementGrid(n) },
        { spec: K.residualBackward, params: { count: n }, bind: ['dout', 'da', 'db'], grid: elementGrid(n) },
      ],
      ['dinp', 'da', 'db'],
    );
    expect(relativeError(result.dinp, dinp), 'gelu dinp').toBeLessThan(1e-5);
    expect(relativeError(result.da, da), 'residual da').toBeLessThan(1e-7);
    expect(relativeError(result.db, db), 'residual db').toBeLessThan(1e-7);
  });
});
