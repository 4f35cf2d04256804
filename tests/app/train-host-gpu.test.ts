// The Train view's trainer on WebGPU (SwiftShader in Node, tests/model/webgpu/gpu.ts): the GPU steps give the
// CPU's losses within 1e-5 on the Micro preset, the host names the adapter, and a device destroyed mid-run
// hands the run to the CPU from the last finished step with every step present. With CI=true a missing adapter
// fails these tests.

import { afterAll, describe, expect, it } from 'vitest';
import { createTrainHost } from '../../src/app/train/train-host';
import type { FromTrainer } from '../../src/app/train/train-protocol';
import { createSyncKernels } from '../../src/model/wasm/select';
import { requestNodeGpuDevice } from '../../src/node/engines';
import { BrowserTraining, presetById } from '../../src/train/browser-training';
import { generateCorpus } from '../../src/train/corpus';
import { encodeLines } from '../../src/train/data';
import { deviceForTests } from '../model/webgpu/gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const micro = presetById('micro')!;
const stories = generateCorpus(5, 200);
const text = stories.train + stories.validation;
const ids = encodeLines(text);
const STEPS = 4;

const until = async (messages: FromTrainer[], found: (m: FromTrainer[]) => boolean, ms = 120_000) => {
  const started = Date.now();
  while (!found(messages)) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const stepsOf = (messages: FromTrainer[]) => messages.flatMap((m) => (m.type === 'steps' ? m.records : []));

describe.skipIf(!gpu)('Train view trainer on WebGPU', () => {
  it('gives the CPU trainer’s losses, gradient norms and weights on Micro', async () => {
    const cpu = new BrowserTraining(ids, micro, 3, 3, createSyncKernels());
    const onGpu = new BrowserTraining(ids, micro, 3, 3, createSyncKernels());
    onGpu.useGpu(gpu!.device, gpu!.adapterName, () => {});
    expect(onGpu.onGpu).toBe(true);
    for (let i = 0; i < STEPS; i++) {
      const a = await cpu.step();
      const b = await onGpu.step();
      expect(b.step).toBe(a.step);
      expect(b.lr).toBe(a.lr);
      expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5);
      expect(Math.abs(b.gradNorm - a.gradNorm)).toBeLessThan(1e-5 * Math.max(1, a.gradNorm));
    }
    expect(onGpu.stepsDone).toBe(STEPS);
    // The read-back weights and moments are the CPU's: the held-out loss (measured on the CPU) agrees.
    expect(Math.abs(onGpu.validationLoss() - cpu.validationLoss())).toBeLessThan(1e-5);
    let worst = 0;
    const pairs = [
      [onGpu.training.params.values, cpu.training.params.values],
      [onGpu.optimizer.m, cpu.optimizer.m],
    ] as const;
    for (const [x, y] of pairs)
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    expect(worst).toBeLessThan(1e-4);
    cpu.dispose();
    onGpu.dispose();
  }, 120_000);

  it('trains in the host on WebGPU and names the adapter', async () => {
    const messages: FromTrainer[] = [];
    const host = createTrainHost(
      (m) => messages.push(m),
      async () => ({ kernels: createSyncKernels(), limitation: null }),
      async () => gpu!,
    );
    host.handle({
      type: 'start',
      preset: 'micro',
      corpus: { kind: 'text', text, name: 'stories' },
      sentence: 'the cat',
      seed: 3,
    });
    await until(messages, (all) => stepsOf(all).length >= 3);
    const ready = messages.find((m) => m.type === 'ready');
    expect(ready?.type === 'ready' && ready.info.backend).toBe(`WebGPU · ${gpu!.adapterName}`);
    expect(ready?.type === 'ready' && ready.info.fallback).toBeNull();
    // A new start while a GPU step is under way: the new run trains from step 0 on the same device.
    const count = messages.length;
    host.handle({
      type: 'start',
      preset: 'micro',
      corpus: { kind: 'stories' },
      sentence: 'the cat',
      seed: 4,
    });
    await until(messages, (all) => stepsOf(all.slice(count)).filter((r) => r.step >= 0).length >= 3);
    host.handle({ type: 'pause' });
    const again = messages.slice(count);
    const secondReady = again.find((m) => m.type === 'ready');
    expect(secondReady?.type === 'ready' && secondReady.info.backend).toMatch(/^WebGPU · /);
    const after = stepsOf(again.slice(again.indexOf(secondReady!)));
    expect(after.slice(0, 3).map((r) => r.step)).toEqual([0, 1, 2]);
    expect(messages.some((m) => m.type === 'error')).toBe(false);
    host.dispose();
  }, 120_000);

  it('goes on on the CPU from the last finished step when the device is lost', async () => {
    const own = await requestNodeGpuDevice();
    const messages: FromTrainer[] = [];
    const host = createTrainHost(
      (m) => messages.push(m),
      async () => ({ kernels: createSyncKernels(), limitation: null }),
      async () => own,
    );
    host.handle({
      type: 'start',
      preset: 'micro',
      corpus: { kind: 'text', text, name: 'stories' },
      sentence: 'the cat',
      seed: 3,
    });
    await until(messages, (all) => stepsOf(all).length >= 2);
    own.device.destroy(); // mid-run: a step is likely under way
    const lostAt = stepsOf(messages).length;
    await until(messages, (all) => stepsOf(all).length >= lostAt + 6);
    host.handle({ type: 'pause' });
    await until(messages, (all) => all.some((m) => m.type === 'state' && m.state === 'paused'));
    const moved = messages.find((m) => m.type === 'backend');
    expect(moved?.type === 'backend' && moved.backend).toMatch(/^CPU · /);
    expect(moved?.type === 'backend' && moved.fallback).toMatch(/WebGPU device was lost.*nothing is lost/);
    expect(messages.some((m) => m.type === 'error')).toBe(false);
    const records = stepsOf(messages);
    expect(records.map((r) => r.step)).toEqual(records.map((_, i) => i));
    // The same run as the CPU alone (text corpus: every token its own row), within float32 noise.
    const cpu = new BrowserTraining(ids, micro, 3, 1, createSyncKernels());
    for (const record of records) {
      const expected = await cpu.step();
      expect(Math.abs(record.loss - expected.loss)).toBeLessThan(1e-4);
    }
    cpu.dispose();
    host.dispose();
  }, 120_000);
});
