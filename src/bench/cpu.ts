// CPU figures, as ratios from one run: our WebAssembly SIMD kernels (1 and 2 threads) against TensorFlow.js's
// WebAssembly backend on the same products and on a GPT-2 124M-shaped forward with the same weights, and a
// training step of the old story model's shape and an AdamW update of the default model's size against the
// TypeScript reference kernels.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

import { CpuEngine } from '../model/cpu/forward';
import { referenceKernels, type CpuKernels } from '../model/cpu/kernels';
import { matmulForward, matmulNaive } from '../model/cpu/ops';
import { GPT2_124M, randomGPT2Weights, seededRandom } from '../model/random';
import { WasmKernels } from '../model/wasm/wasm-kernels';
import { GPT2Training } from '../train/gpt2-train';
import { loadTfWasm, TfGpt2 } from './tfjs-peer';
import { fmt, gflops, interleavedMedianMs, medianMs } from './timing';

const randomArray = (n: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() - 0.5);
};

const pad = (s: string, n: number) => s.padEnd(n);

/** A product takes 3–150 ms; medians of 21 interleaved runs keep a shared machine's slow spells out of the ratios. */
const MATMUL_REPEATS = 21;

export async function runCpuBench(): Promise<void> {
  const tf = await loadTfWasm();
  const one = WasmKernels.singleThreaded();
  const two = await WasmKernels.create(2);
  try {
    await naiveLine();
    await matmulTable(tf, one, two);
    await forwardLines(tf, one, two);
    await trainingLine(one, two);
    await adamwLine(one, two);
  } finally {
    one.dispose();
    two.dispose();
  }
  const [model, mhz] = cpuClock();
  const clock = mhz ? `at ${Math.round(mhz)} MHz` : '(clock not reported)';
  const peak = mhz ? ` (${fmt((16 * mhz) / 1000, 1)} GFLOP/s a core at this clock)` : '';
  console.log(
    `roofline: ${model} ${clock}, 128-bit SIMD without fused multiply-add. AMD Zen cores issue two 4-lane ` +
      `float32 multiplies and two adds a cycle, 16 FLOP/cycle${peak}; most Intel cores half of that. ` +
      'The 4×8 register tile spends about a third of its instructions on loads and broadcasts.',
  );
}

/** The TypeScript reference: blocked against the textbook loop (what the WASM kernels replace). */
async function naiveLine() {
  const [T, C, OC] = [64, 768, 2304];
  const inp = randomArray(T * C, 7);
  const weight = randomArray(C * OC, 8);
  const out = new Float32Array(T * OC);
  const blockedMs = await medianMs(() => matmulForward(out, inp, weight, null, T, C, OC), 3, 1);
  const naiveMs = await medianMs(() => matmulNaive(out, inp, weight, null, T, C, OC), 3, 1);
  const flops = 2 * T * C * OC;
  console.log(
    `TypeScript matmul ${T}×${C}·${C}×${OC}: blocked ${fmt(gflops(flops, blockedMs))} GFLOP/s, ` +
      `naive ${fmt(gflops(flops, naiveMs))} GFLOP/s, ratio ${fmt(naiveMs / blockedMs, 1)}×`,
  );
}

type Tf = Awaited<ReturnType<typeof loadTfWasm>>;

async function matmulTable(tf: Tf, one: CpuKernels, two: CpuKernels) {
  console.log('matmul GFLOP/s, ours (WASM SIMD) against tfjs-wasm (1 thread):');
  console.log(
    `${pad('product', 34)}${pad('1 thread', 10)}${pad('2 threads', 11)}${pad('tfjs', 8)}1t/tfjs  2t/tfjs`,
  );
  const cases: [string, number, number, number, 'nn' | 'nt' | 'tn'][] = [
    ['x·W      64×768 · 768×2304', 64, 768, 2304, 'nn'],
    ['x·W      512×768 · 768×3072', 512, 768, 3072, 'nn'],
    ['dY·Wᵀ    512×3072 · (768×3072)ᵀ', 512, 768, 3072, 'nt'],
    ['Xᵀ·dY    (512×768)ᵀ · 512×3072', 512, 768, 3072, 'tn'],
  ];
  for (const [label, N, C, OC, form] of cases) {
    const x = randomArray(N * C, 1);
    const w = randomArray(C * OC, 2);
    const dy = randomArray(N * OC, 3);
    const flops = 2 * N * C * OC;
    const ours = (k: CpuKernels) => {
      const out = new Float32Array(form === 'nn' ? N * OC : form === 'nt' ? N * C : C * OC);
      // The engine keeps its weight matrices resident in WASM memory (CpuEngine's constructor), as tfjs keeps
      // `tw` in its heap: only the activations are copied in and out per call, on both sides.
      if (form !== 'tn') k.makeResident(w);
      return () => {
        if (form === 'nn') k.matmulForward(out, x, w, null, N, C, OC);
        else if (form === 'nt') k.matmulBackwardInput(out, dy, w, N, C, OC);
        else k.matmulBackwardWeight(out, x, dy, N, C, OC);
      };
    };
    const tx = tf.tensor2d(x, [N, C]);
    const tw = tf.tensor2d(w, [C, OC]);
    const tdy = tf.tensor2d(dy, [N, OC]);
    const peer = () => {
      const r =
        form === 'nn'
          ? tf.matMul(tx, tw)
          : form === 'nt'
            ? tf.matMul(tdy, tw, false, true)
            : tf.matMul(tx, tdy, true, false);
      r.dataSync();
      r.dispose();
    };
    const ms = await interleavedMedianMs([ours(one), ours(two), peer], MATMUL_REPEATS, 2);
    const [a, b, c] = ms.map((m) => gflops(flops, m));
    tf.dispose([tx, tw, tdy]);
    console.log(
      `${pad(label, 34)}${pad(fmt(a, 1), 10)}${pad(fmt(b, 1), 11)}${pad(fmt(c, 1), 8)}` +
        `${pad(fmt(a / c) + '×', 9)}${fmt(b / c)}×`,
    );
  }
}

async function forwardLines(tf: Tf, one: CpuKernels, two: CpuKernels) {
  const weights = randomGPT2Weights(GPT2_124M, 1);
  const peer = new TfGpt2(tf, weights);
  const engines = [new CpuEngine(weights, one), new CpuEngine(weights, two)];
  for (const T of [64, 256]) {
    const ids = Array.from({ length: T }, (_, i) => (i * 7919) % GPT2_124M.vocabSize);
    const request = { include: [], logits: 'last' as const };
    const [oneMs, twoMs] = [
      await medianMs(() => engines[0].forward(ids, request), 3, 1),
      await medianMs(() => engines[1].forward(ids, request), 3, 1),
    ];
    const peerMs = await medianMs(() => peer.lastLogits(ids), 3, 1);
    const ours = (await engines[1].forward(ids, request)).logits.data;
    const theirs = peer.lastLogits(ids);
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < ours.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
      maxRef = Math.max(maxRef, Math.abs(theirs[i]));
    }
    console.log(
      `GPT-2 124M forward (last logits), T = ${T}: ours 1 thread ${fmt(oneMs, 0)} ms, 2 threads ` +
        `${fmt(twoMs, 0)} ms, tfjs-wasm ${fmt(peerMs, 0)} ms; ours/tfjs ${fmt(oneMs / peerMs)} (1 thread), ` +
        `${fmt(twoMs / peerMs)} (2 threads); logits differ by ${maxDiff.toExponential(1)} ` +
        `(relative ${(maxDiff / maxRef).toExponential(1)})`,
    );
  }
}

/** A training step (forward and backward) of the shape issue 9 set its target on, the default model's before the
 * English one: 2 layers, 4 heads, C = 64, 91 vocabulary rows, 4 × 128 (`npm run bench -- train` times today's). */
async function trainingLine(one: CpuKernels, two: CpuKernels) {
  const config = {
    vocabSize: 91,
    nPositions: 128,
    nEmbd: 64,
    nLayer: 2,
    nHead: 4,
    layerNormEpsilon: 1e-5,
    activation: 'gelu_new' as const,
  };
  const weights = randomGPT2Weights(config, 1);
  const stepMs = async (kernels: CpuKernels) => {
    const training = new GPT2Training(weights, 4, 128, null, kernels);
    training.inputs.set(Int32Array.from({ length: 512 }, (_, i) => i % 91));
    training.targets.set(Int32Array.from({ length: 512 }, (_, i) => (i * 7) % 91));
    return medianMs(
      () => {
        training.forward();
        training.backward();
      },
      7,
      2,
    );
  };
  const [reference, a, b] = [await stepMs(referenceKernels), await stepMs(one), await stepMs(two)];
  console.log(
    `training step, the story model's shape (2 layers, C = 64, 91 rows, B = 4, T = 128): TypeScript ${fmt(reference, 0)} ms, ` +
      `WASM 1 thread ${fmt(a, 1)} ms (${fmt(reference / a, 1)}×), 2 threads ${fmt(b, 1)} ms ` +
      `(${fmt(reference / b, 1)}×); ${fmt(1000 / b, 0)} steps/s`,
  );
}

/** One AdamW update over the default model's 1,899,264 trained parameters (4 layers, C = 128, 8,512 rows). */
async function adamwLine(one: CpuKernels, two: CpuKernels) {
  const P = 1_899_264;
  const random = seededRandom(3);
  const updateMs = async (kernels: CpuKernels) => {
    const array = (scale: number) => {
      const a = kernels.alloc(P);
      for (let i = 0; i < P; i++) a[i] = random() * scale;
      return a;
    };
    const arrays = {
      values: array(0.1),
      grads: array(0.01),
      m: array(1e-3),
      v: array(1e-5),
      decayMask: array(1),
    };
    const step = {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      stepSize: 1e-3,
      decayFactor: 1 - 1e-4,
      biasCorrection2Sqrt: 0.5,
    };
    return medianMs(() => kernels.adamwUpdate(arrays, step), 9, 2);
  };
  const [reference, a, b] = [await updateMs(referenceKernels), await updateMs(one), await updateMs(two)];
  console.log(
    `AdamW update, ${P.toLocaleString('en')} parameters (the default model): TypeScript ${fmt(reference, 1)} ms, ` +
      `WASM 1 thread ${fmt(a, 1)} ms (${fmt(reference / a, 1)}×), 2 threads ${fmt(b, 1)} ms (${fmt(reference / b, 1)}×)`,
  );
}

/** The CPU's name and clock in MHz (0 when unknown); virtual machines often report 0 to os.cpus(). */
function cpuClock(): [string, number] {
  const cpu = cpus()[0];
  if (cpu.speed > 0) return [cpu.model.trim(), cpu.speed];
  try {
    const match = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return [cpu.model.trim(), match ? Number(match[1]) : 0];
  } catch {
    return [cpu.model.trim(), 0];
  }
}
