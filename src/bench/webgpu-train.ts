// Training speed, WebGPU against the CPU engine in one run: tokens/s of a whole step (forward, backward, clip
// and AdamW) through the trainers' one TrainingStep, GpuTrainingStep against CpuTrainingStep on the WebAssembly
// SIMD kernels (AdamW on them too), for the shipped model's
// training shape (DEFAULT_TRAIN_OPTIONS). On a CPU-emulated adapter (SwiftShader, ~0.1 GFLOP/s) a step of
// that shape takes minutes, so a shape estimated past --budget-s (default 20) is shrunk to fit, and the line
// says so: such figures only show that training runs. Run alone with
//   node scripts/run.mjs src/bench/webgpu-train.ts [--budget-s=N]
// or as a section of `npm run bench` once src/bench/cli.ts lists it.

import type { GPT2Config } from '../model/config';
import { randomGPT2Weights } from '../model/random';
import { createCpuKernels } from '../model/wasm/select';
import { GpuTraining } from '../model/webgpu/training/gpu-training';
import { requestNodeGpuDevice } from '../node/engines';
import { GPT2Training } from '../train/gpt2-train';
import { modelConfig } from '../train/training-run';
import { cpuTrainer, CpuTrainingStep, GpuTrainingStep, type UpdateRule } from '../train/training-step';
import { DEFAULT_TRAIN_OPTIONS } from '../node/train-run';
import { fmt, medianMs } from './timing';

/** The trained vocabulary's columns: the default model's 8,775 own rows and the shared one (vocab.ts; the step's cost
 * depends on it only through the logits, 2·B·T·C·V of the forward's multiply-adds). */
const TRAINED_VOCAB = 8776;
const SWIFTSHADER_GFLOPS = 0.1;

/** Multiply-adds ×2 of one training step: the forward (projections, MLP, attention, all B·T rows of logits)
 * and a backward of about twice that. */
export function trainingStepFlops(config: GPT2Config, B: number, T: number): number {
  const { nEmbd: C, nLayer: L, vocabSize: V } = config;
  const N = B * T;
  return 3 * (L * (24 * N * C * C + 4 * B * T * T * C) + 2 * N * C * V);
}

function budgetSeconds(): number {
  const flag = process.argv.find((a) => a.startsWith('--budget-s='));
  const seconds = flag ? Number(flag.split('=')[1]) : 20;
  if (!(seconds > 0)) throw new Error(`--budget-s must be a positive number of seconds, not "${flag}"`);
  return seconds;
}

export async function runTrainBench(): Promise<void> {
  let gpu;
  try {
    gpu = await requestNodeGpuDevice();
  } catch (error) {
    console.log(`train skipped: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const o = DEFAULT_TRAIN_OPTIONS;
  let [B, T] = [o.batch, o.seq];
  const config: GPT2Config = { ...modelConfig(o), vocabSize: TRAINED_VOCAB };
  // Emulated adapters get a shape that fits the budget: fewer sequences first, then shorter ones.
  const emulated = /swiftshader/i.test(gpu.adapterName);
  const estimate = () => trainingStepFlops(config, B, T) / (SWIFTSHADER_GFLOPS * 1e9);
  while (emulated && estimate() * 4 > budgetSeconds() && (B > 1 || T > 8)) {
    if (B > 1) B /= 2;
    else T /= 2;
  }
  const shape = `C = ${config.nEmbd}, ${config.nLayer} layers, ${config.nHead} heads, V = ${config.vocabSize}, B = ${B}, T = ${T}`;
  const weights = randomGPT2Weights(config, 1);
  const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % config.vocabSize);
  const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 104729 + 1) % config.vocabSize);
  // Both sides step through the trainers' one TrainingStep (src/train/training-step.ts) on the same batch.
  const rule: UpdateRule = { weightDecay: o.weightDecay, decay: 'all', gradClip: o.gradClip, tied: [] };
  const { kernels, limitation } = await createCpuKernels();
  const cpu = cpuTrainer(new GPT2Training(weights, B, T, null, kernels), rule);
  cpu.training.inputs.set(ids);
  cpu.training.targets.set(targets);

  const gpuTraining = new GpuTraining(gpu.device, cpu.training.weights, B, T);
  const onGpu = new GpuTrainingStep(gpuTraining, cpu, rule, gpu.adapterName);
  const firstStart = performance.now();
  await onGpu.step(1e-4); // compiles every pipeline
  const firstMs = performance.now() - firstStart;
  const gpuMs = await medianMs(() => onGpu.step(1e-4), emulated ? 2 : 10, emulated ? 0 : 2);
  onGpu.dispose();
  gpu.device.destroy();

  const onCpu = new CpuTrainingStep(cpu, rule);
  const cpuMs = await medianMs(() => onCpu.step(1e-4), emulated ? 2 : 5, 1);
  kernels.dispose();
  const tokensPerS = (ms: number) => fmt((B * T * 1000) / ms, 0);
  console.log(
    `adapter: ${gpu.adapterName}; training step, ${shape}${emulated ? ' (shrunk to the budget: a check that it runs, not a speed)' : ''}:`,
  );
  console.log(
    `  WebGPU ${fmt(gpuMs, 1)} ms/step, ${tokensPerS(gpuMs)} tokens/s (first step ${fmt(firstMs / 1000, 1)} s, pipelines compiled); ` +
      `CPU (${kernels.description}${limitation ? `; ${limitation}` : ''}) ${fmt(cpuMs, 1)} ms/step, ${tokensPerS(cpuMs)} tokens/s; WebGPU/CPU ${fmt(cpuMs / gpuMs, 2)}×`,
  );
}

// Run alone (scripts/run.mjs names the bundle after this file); as part of another bundle it only exports.
if (process.argv[1]?.endsWith('webgpu-train.mjs')) {
  runTrainBench().catch((error) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
