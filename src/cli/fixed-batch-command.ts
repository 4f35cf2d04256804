// The fixed-batch mode of `npm run train`: loads any GPT-2 checkpoint (F32, F16 or BF16; bare or
// `transformer.`-prefixed keys), trains it on the first B·T+1 tokens of a text on the CPU or on WebGPU, and prints
// each step's loss. Which backend ran, and any move to the CPU, is said on the log (stderr).

import { quoteValue } from '../model/errors';
import { UsageError } from './args';
import type { BackendName } from '../model/trace';
import type { GpuDevice } from '../model/webgpu/device';
import { createCpuKernels } from '../model/wasm/select';
import { requestNodeGpuDevice } from '../node/engines';
import type { GPT2Config } from '../model/config';
import { checkRegularFile, loadModelFile, readConfigFor, readTextFile } from '../node/files';
import { trainingMemoryProblem } from '../train/memory';
import { encode } from '../tokenizer/gpt2';
import { trainFixedBatch } from '../train/fixed-batch';

export type TrainBackend = BackendName;

/** The --backend flag's value, checked: cpu (the default) or webgpu. */
export function backendFrom(value: unknown): TrainBackend {
  const backend = value ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu')
    throw new UsageError(`--backend must be cpu or webgpu, not ${quoteValue(backend)}`);
  return backend;
}

export interface FixedBatchArgs {
  model?: string;
  config?: string;
  'text-file'?: string;
  batch?: number;
  seq?: number;
  steps?: number;
  lr?: number;
  'weight-decay'?: number;
  'grad-clip'?: number;
  'log-json'?: boolean;
  backend?: string;
}

export interface FixedBatchHooks {
  /** Where the line naming the backend (and any move to the CPU) goes; the CLI gives stderr. */
  log?: (line: string) => void;
  /** The device for --backend webgpu (Node's `webgpu` package by default); it is destroyed at the end. */
  requestDevice?: () => Promise<GpuDevice>;
}

/** Refuses, before the model is loaded, a batch longer than the model's context or too large to train. */
function checkFitsModel(config: GPT2Config, B: number, T: number): void {
  if (T > config.nPositions)
    throw new UsageError(`--seq ${T} is longer than the model's context (n_positions ${config.nPositions})`);
  const memory = trainingMemoryProblem(config, B, T, `this model with --batch ${B} --seq ${T}`);
  if (memory) throw new UsageError(memory);
}

/** Runs the fixed-batch mode; each step's line goes to `print` (JSON with --log-json). */
export async function runFixedBatch(
  args: FixedBatchArgs,
  print: (line: string) => void,
  hooks: FixedBatchHooks = {},
): Promise<number[]> {
  const backend = backendFrom(args.backend);
  for (const name of ['model', 'text-file', 'batch', 'seq', 'steps'] as const) {
    if (args[name] === undefined) throw new UsageError(`--fixed-batch needs --${name}`);
  }
  const positive = (name: 'batch' | 'seq' | 'steps') => {
    const value = args[name]!;
    if (!Number.isInteger(value) || value < (name === 'steps' ? 0 : 1))
      throw new UsageError(`--${name} must be a positive integer`);
    return value;
  };
  const options = {
    B: positive('batch'),
    T: positive('seq'),
    steps: positive('steps'),
    lr: args.lr ?? 1e-3, // torch.optim.AdamW's defaults
    weightDecay: args['weight-decay'] ?? 0.01,
    gradClip: args['grad-clip'],
  };
  if (!(options.lr > 0)) throw new UsageError('--lr must be a number above 0');
  if (!(options.weightDecay >= 0)) throw new UsageError('--weight-decay must be a number of at least 0');
  if (options.gradClip !== undefined && !(options.gradClip > 0))
    throw new UsageError('--grad-clip must be a number above 0');
  // Every file is checked before the model is loaded (a FIFO or a folder would hang or fail late).
  checkRegularFile(args.model!, 'model file');
  if (args.config !== undefined) checkRegularFile(args.config, 'config file');
  const text = readTextFile(args['text-file']!, 'text file');
  checkFitsModel(readConfigFor(args.model!, args.config), options.B, options.T);
  const weights = await loadModelFile(args.model!, args.config);
  const tokens = encode(text);
  const log = hooks.log ?? (() => {});
  const printStep = (step: number, loss: number) =>
    print(
      args['log-json']
        ? `{"step": ${step}, "loss": ${JSON.stringify(loss)}}`
        : `step ${step} loss ${loss.toFixed(6)}`,
    );
  const { kernels } = await createCpuKernels();
  let gpu: GpuDevice | null = null;
  if (backend === 'webgpu') {
    try {
      gpu = await (hooks.requestDevice ?? requestNodeGpuDevice)();
      log(`on WebGPU: ${gpu.adapterName}`);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      log(`WebGPU unavailable (${reason}); training on the CPU: ${kernels.description}`);
    }
  } else log(`on the CPU: ${kernels.description}`);
  // The GPU's state is read back after every step, so a lost device costs no finished step: the CPU goes on from
  // the first step the GPU did not finish.
  const onDeviceLost = (reason: string, fromStep: number) =>
    log(
      `WebGPU device lost (${reason}) after ${fromStep} of ${options.steps} steps; ` +
        `continuing on the CPU from step ${fromStep}: ${kernels.description}`,
    );
  try {
    const { losses } = await trainFixedBatch(weights, tokens, options, printStep, {
      kernels,
      gpu,
      onDeviceLost,
    });
    return losses;
  } finally {
    gpu?.device.destroy();
    kernels.dispose();
  }
}
