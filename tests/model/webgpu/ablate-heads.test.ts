// The ablate-heads kernel against its CPU twin (ablateContext): zero and mean, heads on either side of the
// 32-head mask boundary, T = 1 and a ragged T, on seeded data. Untouched columns must come back bit for bit.

import { afterAll, describe, expect, it } from 'vitest';
import { ablateContext } from '../../../src/model/ablation';
import { seededRandom } from '../../../src/model/random';
import { KernelRunner } from '../../../src/model/webgpu/kernel-runner';
import { ABLATION_MODE_CODES, KERNELS, headMasks } from '../../../src/model/webgpu/kernels';
import { elementGrid } from '../../../src/model/webgpu/steps';
import { relativeError } from '../../helpers/fixtures';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const random = seededRandom(7);

describe.skipIf(!gpu)('ablate-heads kernel against ablateContext', () => {
  const runner = new KernelRunner(gpu!.device);
  const shapes: [string, number, number, number, number[]][] = [
    ['T = 1, 3 heads of 8', 1, 3, 8, [1]],
    ['T = 17, 3 heads of 8', 17, 3, 8, [0, 2]],
    ['T = 5, 40 heads of 2 (second mask word)', 5, 40, 2, [3, 31, 32, 39]],
  ];
  for (const mode of ['zero', 'mean'] as const) {
    for (const [what, T, NH, hs, heads] of shapes) {
      it(`${mode}, ${what}, heads ${heads.join(', ')}`, async () => {
        const C = NH * hs;
        const context = Float32Array.from({ length: T * C }, () => random() * 4 - 2);
        const expected = context.slice();
        ablateContext(expected, heads, mode, T, C, hs);
        const [actual] = await runner.run(
          KERNELS.ablateHeads,
          { T, C, hs, ...headMasks(heads), mode: ABLATION_MODE_CODES[mode] },
          [{ inOut: context }],
          elementGrid(C),
        );
        expect(relativeError(actual, expected)).toBeLessThan(1e-6);
        const untouched = (c: number) => !heads.includes(Math.floor(c / hs));
        for (let i = 0; i < T * C; i++) if (untouched(i % C)) expect(actual[i]).toBe(context[i]);
      });
    }
  }
});
