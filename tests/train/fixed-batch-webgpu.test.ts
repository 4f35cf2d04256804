// `npm run train -- --fixed-batch --backend webgpu` end to end on a tiny full-vocabulary model: it names the
// adapter it ran on and its losses are the CPU run's within 1e-5; no device, or a device lost mid-run, moves
// the steps to the CPU and says so; a bad --backend fails with one line. The normal mode runs on WebGPU too,
// names the adapter, and without a device says so and trains on the CPU.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SpawnSyncReturns } from 'node:child_process';
import { randomGPT2Weights } from '../../src/model/random';
import { requestNodeGpuDevice } from '../../src/node/engines';
import { runFixedBatch } from '../../src/cli/fixed-batch-command';
import { TRAIN_OPTION_FLAGS, runTraining } from '../../src/cli/train-command';
import { parseArgs } from '../../src/cli/args';
import { bundleCli, type CliRun } from '../helpers/cli-bundle';
import { writeModelFolder } from '../helpers/model-files';
import { testConfig } from '../helpers/random-models';
import { deviceForTests } from '../model/webgpu/gpu';

/** Bundling the CLI and compiling every training kernel on SwiftShader takes a minute or more on a busy machine. */
const CLI_TIMEOUT_MS = 400_000;

const probe = await deviceForTests();
probe?.device.destroy();

let train: CliRun;
let removeBundle = () => {};
beforeAll(async () => {
  const bundle = await bundleCli('src/cli/train.ts');
  train = bundle.run;
  removeBundle = bundle.remove;
}, 120_000);
afterAll(() => removeBundle());

// GPT-2's whole vocabulary (any text's tokens fit) over a model small enough for a software GPU.
const modelFile = writeModelFolder(
  randomGPT2Weights(testConfig({ nEmbd: 8, nHead: 2, nLayer: 1, nPositions: 8 }), 31),
  'official',
  'F32',
);
const textFile = path.join(path.dirname(modelFile), 'text.txt');
writeFileSync(textFile, 'The cat sat on the mat because it was warm, and the dog slept on the rug.');
const STEPS = 5;
const fixedBatchArgs = {
  model: modelFile,
  'text-file': textFile,
  batch: 2,
  seq: 4,
  steps: STEPS,
  lr: 1e-2,
  'weight-decay': 0.1,
  'grad-clip': 0.5,
  'log-json': true,
};
const argv = [
  '--fixed-batch',
  ...Object.entries(fixedBatchArgs).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, String(v)])),
];

const lossesOf = (lines: string[]) =>
  lines.filter((line) => line.trim()).map((line) => JSON.parse(line) as { step: number; loss: number });

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((loss, step) =>
    expect(Math.abs(loss - expected[step]) / expected[step], `step ${step}`).toBeLessThan(1e-5),
  );
}

function expectOneLineFailure(result: SpawnSyncReturns<string>, message: string) {
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([`error: ${message}`]);
}

/** The CPU run's losses through the command's own code, in this process. */
async function cpuLosses(): Promise<number[]> {
  const log: string[] = [];
  const losses = await runFixedBatch(fixedBatchArgs, () => {}, { log: (line) => log.push(line) });
  expect(log).toHaveLength(1);
  expect(log[0]).toMatch(/^on the CPU: /);
  return losses;
}

describe('npm run train -- --backend', () => {
  it('refuses a backend it does not know with one line', () => {
    expectOneLineFailure(
      train([...argv, '--backend', 'bogus']),
      '--backend must be cpu or webgpu, not "bogus"',
    );
  });

  // The normal mode (src/train/train-run-gpu.ts; its numbers are checked in train-run-gpu.test.ts).
  const normalFlags = ['--corpus', 'stories', '--stories', '300', '--min-count', '3', '--steps', '4'];
  normalFlags.push('--batch', '2', '--seq', '16', '--n-embd', '16', '--n-layer', '1', '--n-head', '2');
  normalFlags.push('--n-positions', '16', '--eval-every', '2', '--val-windows', '2', '--warmup-steps', '2');
  const logOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'training-log.json'), 'utf8'));

  it.skipIf(!probe)(
    "trains in the normal mode on WebGPU, names the adapter, and logs the CPU run's losses within 1e-5",
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'train-normal-'));
      const onGpu = train([...normalFlags, '--out', path.join(dir, 'gpu'), '--backend', 'webgpu']);
      expect(onGpu.status, onGpu.stderr).toBe(0);
      expect(onGpu.stderr).toMatch(/^on WebGPU: \S/m);
      expect(onGpu.stderr).not.toMatch(/^on the CPU/m);
      const onCpu = train([...normalFlags, '--out', path.join(dir, 'cpu')]);
      expect(onCpu.status, onCpu.stderr).toBe(0);
      const [gpuLog, cpuLog] = [logOf(path.join(dir, 'gpu')), logOf(path.join(dir, 'cpu'))];
      expect(gpuLog.machine).toMatch(/^WebGPU: \S/);
      expect(cpuLog.machine).toMatch(/^WASM|^JS|^TypeScript/);
      expectClose(gpuLog.losses, cpuLog.losses);
      expect(existsSync(path.join(dir, 'gpu', 'model.safetensors'))).toBe(true);
    },
    CLI_TIMEOUT_MS,
  );

  it('says so and trains the normal mode on the CPU when no WebGPU device can be had', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'train-normal-'));
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const args = parseArgs([...normalFlags, '--out', dir], { ...TRAIN_OPTION_FLAGS, out: 'string' });
    try {
      await runTraining(args, [], {
        backend: 'webgpu',
        requestDevice: () => Promise.reject(new Error('no adapter here.')),
      });
    } finally {
      write.mockRestore();
    }
    expect(lines.filter((l) => /^(on |WebGPU)/.test(l))).toEqual([
      expect.stringMatching(/^WebGPU unavailable \(no adapter here\); training on the CPU: \S/),
    ]);
    expect(logOf(dir).machine).not.toMatch(/WebGPU/);
  }, 120_000);

  it('says so and trains on the CPU when no WebGPU device can be had', async () => {
    const log: string[] = [];
    const printed: string[] = [];
    const losses = await runFixedBatch({ ...fixedBatchArgs, backend: 'webgpu' }, (l) => printed.push(l), {
      log: (line) => log.push(line),
      requestDevice: () => Promise.reject(new Error('no adapter here')),
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^WebGPU unavailable \(no adapter here\); training on the CPU: \S/);
    expect(losses).toEqual(await cpuLosses());
    expect(lossesOf(printed).map((r) => r.loss)).toEqual(losses);
  });
});

describe.skipIf(!probe)('npm run train -- --fixed-batch --backend webgpu', () => {
  it(
    'names the adapter and matches the CPU run within 1e-5',
    async () => {
      const cpu = train(argv);
      expect(cpu.status, cpu.stderr).toBe(0);
      expect(cpu.stderr).toMatch(/^on the CPU: /);
      const cpuRecords = lossesOf(cpu.stdout.split('\n'));
      expect(cpuRecords.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
      expect(cpuRecords[STEPS - 1].loss, 'the loss falls').toBeLessThan(cpuRecords[0].loss);

      const gpu = train([...argv, '--backend', 'webgpu'], { timeout: CLI_TIMEOUT_MS });
      expect(gpu.status, gpu.stderr).toBe(0);
      expect(gpu.stderr.trim().split('\n')).toEqual([`on WebGPU: ${probe!.adapterName}`]);
      const gpuRecords = lossesOf(gpu.stdout.split('\n'));
      expect(gpuRecords.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
      expectClose(
        gpuRecords.map((r) => r.loss),
        cpuRecords.map((r) => r.loss),
      );
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'goes on on the CPU from the last step the GPU finished when the device is lost',
    async () => {
      const log: string[] = [];
      const printed: string[] = [];
      let destroy = () => {};
      const requestDevice = async () => {
        const gpu = await requestNodeGpuDevice();
        destroy = () => gpu.device.destroy();
        return gpu;
      };
      const losses = await runFixedBatch(
        { ...fixedBatchArgs, backend: 'webgpu' },
        (line) => {
          printed.push(line);
          if (printed.length === 2) destroy(); // after step 1's loss, before its backward pass
        },
        { log: (line) => log.push(line), requestDevice },
      );
      expect(log[0]).toMatch(/^on WebGPU: /);
      expect(log[1]).toMatch(
        /^WebGPU device lost \(destroyed: .*\) after 2 of 5 steps; continuing on the CPU from step 2: \S/,
      );
      expect(log).toHaveLength(2);
      const records = lossesOf(printed);
      expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
      expect(records.map((r) => r.loss)).toEqual(losses);
      expectClose(losses, await cpuLosses());
    },
    CLI_TIMEOUT_MS,
  );
});
