// The fixed-batch check on WebGPU for `npm run train -- --fixed-batch --backend webgpu`: gets a device, runs
// trainFixedBatchOnGpu, and tells the caller when it must go on on the CPU (no device, or the device lost).

import { lossBehind, type GpuDevice } from '../model/webgpu/device';
import { trainFixedBatchOnGpu } from '../model/webgpu/training/fixed-batch';
import type { GPT2Weights } from '../model/weights';
import type { FixedBatchOptions } from './fixed-batch';

/** How a GPU run ended: every step done, no device to start on, or the device lost after some steps. */
export type GpuFixedBatchOutcome =
  | { kind: 'done'; losses: number[] }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'lost'; reason: string; losses: number[] };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the fixed-batch steps on a device from `requestDevice`; `onStarted` gets the adapter's name once the
 * device is there. onStep is called as in trainFixedBatch, and never again after the run has ended.
 */
export async function fixedBatchOnWebGpu(
  requestDevice: () => Promise<GpuDevice>,
  weights: GPT2Weights,
  tokens: ArrayLike<number>,
  options: FixedBatchOptions,
  onStep: (step: number, loss: number) => void,
  onStarted: (adapterName: string) => void,
): Promise<GpuFixedBatchOutcome> {
  let gpu: GpuDevice;
  try {
    gpu = await requestDevice();
  } catch (error) {
    return { kind: 'unavailable', reason: messageOf(error).replace(/\.$/, '') };
  }
  const { device } = gpu;
  onStarted(gpu.adapterName);
  const lost = device.lost.then((info) => `${info.reason}: ${info.message || 'no detail given'}`);
  const losses: number[] = [];
  let ended = false;
  const run = trainFixedBatchOnGpu(device, weights, tokens, options, (step, loss) => {
    if (ended) return; // a run abandoned after its device was lost prints nothing more
    losses.push(loss);
    onStep(step, loss);
  });
  run.catch(() => {}); // once abandoned, its rejection is nobody's concern
  try {
    const first = await Promise.race([run, lost]);
    ended = true;
    if (typeof first === 'string') return { kind: 'lost', reason: first, losses };
    first.training.dispose();
    device.destroy();
    return { kind: 'done', losses: first.losses };
  } catch (error) {
    ended = true;
    const reason = await lossBehind(lost);
    device.destroy();
    if (reason === null) throw error;
    return { kind: 'lost', reason, losses };
  }
}
